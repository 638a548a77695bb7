"""What a search reads, as of one version of the store: each transcript's record (`SourceInfo`) and
a view of the lexicon (`vectorstore.lexicon`) that holds only small per-row arrays in memory and
asks SQLite for the rest: a question's postings, its candidates' passages, one transcript's turns.

    corpus = store.corpus()
    corpus.index.scores(["valu"])     # BM25 of every row for the terms (an array indexed by row)
    corpus.passage_rows(["p-1"])      # rows by passage id; corpus.passages_at(rows) the passages
    corpus.of_source("hearing.txt")   # one transcript's passages, in order
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np

from ingest.transcript import ROLES, Passage
from vectorstore.lexical import terms
from vectorstore.lexicon import NO_ROLE, Lexicon, bm25, idf
from vectorstore.records import SourceInfo


ANSWER, QUESTION = ROLES.index("answer"), ROLES.index("question")


class LexicalView:
    """BM25 over the lexicon's rows, as `LexicalIndex` offers it over a list in memory: `idf(term)`,
    `scores(terms)` (an array indexed by row) and `holds(term, row)`."""

    def __init__(self, lexicon: Lexicon, lengths: np.ndarray, size: int):
        self.lexicon, self.lengths, self.size = lexicon, lengths, size
        self.average = float(lengths.sum() / size) if size else 1.0
        self._stats: dict[str, tuple[int, int, int]] = {}
        self._postings: OrderedDict[str, tuple[np.ndarray, np.ndarray] | None] = OrderedDict()
        self._lock = threading.Lock()  # a Streamlit server's sessions share one corpus

    def stats(self, term: str) -> tuple[int, int, int]:
        """(documents holding `term`, question passages using it, other passages using it)."""
        if term not in self._stats:
            self._stats[term] = self.lexicon.term_stats([term]).get(term, (0, 0, 0))
        return self._stats[term]

    def idf(self, term: str) -> float:
        return idf(self.stats(term)[0], self.size)

    def postings(self, term: str) -> tuple[np.ndarray, np.ndarray] | None:
        """The rows holding `term` and how often; the last 16 terms asked are kept (a question asks for
        its terms more than once: to score, to weigh its coverage, to check what a transcript knows)."""
        with self._lock:
            if term in self._postings:
                self._postings.move_to_end(term)
                return self._postings[term]
        held = self.lexicon.postings([term]).get(term)
        with self._lock:
            self._postings[term] = held
            if len(self._postings) > 16:
                self._postings.popitem(last=False)
        return held

    def scores(self, query_terms: list[str]) -> np.ndarray:
        """BM25 score of every row for `query_terms` (a term twice counts twice)."""
        out = np.zeros(len(self.lengths), dtype=np.float32)
        for term in query_terms:
            if (held := self.postings(term)) is not None:
                rows, tf = held
                out[rows] += bm25(self.idf(term), tf, self.lengths[rows], self.average)
        return out

    def holds(self, term: str, row: int) -> bool:
        held = self.postings(term)
        if held is None:
            return False
        i = np.searchsorted(held[0], row)
        return bool(i < len(held[0]) and held[0][i] == row)

    def found(self, query_terms, row: int) -> set[str]:
        """The terms of `query_terms` that row `row` holds."""
        return {t for t in query_terms if self.holds(t, row)}


class _Known:
    """The terms some transcripts use (their speakers' names included): `term in known`."""

    def __init__(self, corpus: Corpus, sources: list[str] | None):
        self.corpus, self.sources = corpus, sources
        chosen = corpus.sources if not sources else [i for i in corpus.sources if i.source in sources]
        named = [speaker for info in chosen for speaker in info.speakers] + [s.name for info in chosen for s in info.people
                                                                             if s.name]
        self.names = frozenset(t for name in named for t in terms(name))
        wanted = {info.source for info in chosen}
        self.codes = np.array([k for k, name in enumerate(corpus.source_names) if name in wanted], dtype=np.int32)

    def __contains__(self, term: str) -> bool:
        if term in self.names:
            return True
        if not self.sources:
            return self.corpus.index.stats(term)[0] > 0
        held = self.corpus.index.postings(term)
        return held is not None and bool(np.isin(self.corpus.source_of[held[0]], self.codes).any())


class _Opening:
    """The ids of passages that open their turn: `pid in corpus.opening`."""

    def __init__(self, corpus: Corpus):
        self.corpus = corpus

    def __contains__(self, pid: str) -> bool:
        row = self.corpus.passage_rows([pid]).get(pid)
        return row is not None and bool(self.corpus.rows["opening"][row])


@dataclass(frozen=True)
class Corpus:
    """Everything searchable as of one store version (see the module's docstring)."""

    lexicon: Lexicon
    sources: tuple[SourceInfo, ...]  # what the store knows of each transcript, by source path
    spans: tuple[tuple[str, int, int, list[str]], ...]  # (source, first row, count, speakers), in row order
    rows: np.ndarray  # every row's facts (`vectorstore.lexicon.ROW`)
    _cache: dict = field(default_factory=dict, compare=False, repr=False)

    def retitled(self, sources: tuple[SourceInfo, ...]) -> Corpus:
        return replace(self, sources=sources, _cache={})

    def searched(self, sources: list[str] | None = None) -> list[SourceInfo]:
        """The transcripts a search of `sources` covers (all when None)."""
        return [info for info in self.sources if not sources or info.source in sources]

    def known_terms(self, sources: list[str] | None = None) -> _Known:
        """The terms used by `sources` (all transcripts when None), for `term in known`."""
        key = ("known", tuple(sorted(sources)) if sources else None)
        if key not in self._cache:
            self._cache[key] = _Known(self, sources)
        return self._cache[key]

    def question_only(self, term: str) -> bool:
        """Only the interviewers' questions use `term`."""
        _, in_questions, elsewhere = self.index.stats(term)
        return in_questions > 0 and elsewhere == 0

    @cached_property
    def index(self) -> LexicalView:
        return LexicalView(self.lexicon, self.rows["length"], int((self.rows["role"] != NO_ROLE).sum()))

    @cached_property
    def opening(self) -> _Opening:
        return _Opening(self)

    # Per-row arrays, so that a question scores every row with numpy, not a Python loop.
    @cached_property
    def roles(self) -> np.ndarray:
        """Each row's role as an index of `ingest.transcript.ROLES` (`NO_ROLE`: a row no transcript holds)."""
        return self.rows["role"]

    @cached_property
    def has_lead_in(self) -> np.ndarray:
        return self.rows["led"]

    @cached_property
    def source_names(self) -> tuple[str, ...]:
        return tuple(source for source, *_ in self.spans)

    @cached_property
    def source_of(self) -> np.ndarray:
        out = np.full(len(self.rows), -1, dtype=np.int32)
        for k, (_, first, count, _) in enumerate(self.spans):
            out[first : first + count] = k
        return out

    @cached_property
    def pairs(self) -> tuple[tuple[str, str], ...]:
        """The distinct (source, speaker) pairs; `pair_of[row]` indexes this."""
        return tuple((source, speaker) for source, _, _, speakers in self.spans for speaker in speakers)

    @cached_property
    def pair_of(self) -> np.ndarray:
        out = np.full(len(self.rows), -1, dtype=np.int32)
        offset = 0
        for source, first, count, speakers in self.spans:
            out[first : first + count] = offset + self.rows["speaker"][first : first + count]
            offset += len(speakers)
        return out

    @cached_property
    def respondents(self) -> frozenset[tuple[str, str]]:
        """The (source, speaker) pairs that give answers."""
        return frozenset(self.pairs[k] for k in np.unique(self.pair_of[self.roles == ANSWER]))

    # Passages, read from the lexicon when asked for.
    def passage_rows(self, ids: list[str]) -> dict[str, int]:
        """The row of each passage id the store holds."""
        return self.lexicon.row_of(ids)

    def passages_at(self, rows) -> dict[int, Passage]:
        return self.lexicon.passages([int(r) for r in rows])

    def passage(self, pid: str) -> Passage | None:
        row = self.passage_rows([pid]).get(pid)
        return None if row is None else self.passages_at([row]).get(row)

    def beside(self, passage: Passage) -> tuple[Passage | None, Passage | None]:
        """The passages just before and just after `passage` in its turn (None where the turn ends)."""
        row = self.passage_rows([passage.id]).get(passage.id)
        if row is None:
            return None, None
        near = self.passages_at([r for r in (row - 1, row + 1) if 0 <= r < len(self.rows)])
        return tuple(q if q is not None and q.source == passage.source and q.turn_index == passage.turn_index else None
                     for q in (near.get(row - 1), near.get(row + 1)))

    def followers(self, rows) -> list[tuple[int, int]]:
        """(lead-in row, answer row) for each answer one of `rows` leads into."""
        return self.lexicon.followers([int(r) for r in rows])

    def of_source(self, source: str, role: str | None = None) -> list[Passage]:
        """The passages of one transcript (of `role`), in order."""
        for name, first, count, _ in self.spans:
            if name == source:
                return self.lexicon.passages_between(first, first + count - 1, role)
        return []

    def questions(self):
        """The interviewers' question passages, transcript by transcript, read as they are needed."""
        for source in sorted(self.source_names):
            yield from self.of_source(source, "question")

    @property
    def passages(self) -> list[Passage]:
        """Every passage, in source order: reads the whole lexicon (for evaluation and calibration)."""
        return [p for source in sorted(self.source_names) for p in self.of_source(source)]
