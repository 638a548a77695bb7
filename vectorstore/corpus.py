"""What a search holds in memory: the passages of every transcript, each answer's lead-in, a BM25
index, and per-passage arrays, built from one `Piece` per transcript (`Corpus.assemble`).

A `Piece` is one transcript's passages and their terms; the store keeps pieces between reads and
reads again only the transcripts whose record changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from ingest.transcript import Passage
from vectorstore.errors import StoreMissingError
from vectorstore.lexical import LexicalIndex, terms


@dataclass(frozen=True)
class SourceInfo:
    """What the store knows of one ingested transcript."""

    source: str
    title: str
    date: str | None
    format: str
    sha256: str
    speakers: tuple[str, ...]
    turns: int
    questions: int
    passages: int
    descriptions: tuple[tuple[str, str], ...] = ()  # (speaker, "EU official"), from the transcript's header
    ingested_at: float | None = None  # seconds since the epoch


@dataclass(frozen=True)
class Corpus:
    """Everything searchable, loaded once per store version: passages in transcript order, each
    answer's lead-in (the question and other turns that led to it, as passage indices), a BM25
    index in which answers carry their lead-in's words, and the terms only questions use."""

    passages: list[Passage]
    lead_in: list[tuple[int, ...]]
    index: LexicalIndex
    question_only_terms: frozenset[str]  # terms of the interviewers' questions that no other turn uses
    speakers: tuple[str, ...]
    opening: frozenset[str]  # ids of passages that open their turn
    vocabulary: dict[str, frozenset[str]]  # the terms each source uses
    sources: tuple[SourceInfo, ...] = ()  # what the store knows of each transcript, by source path
    respondents: frozenset[tuple[str, str]] = frozenset()  # (source, speaker) pairs that give answers

    def searched(self, sources: list[str] | None = None) -> list[SourceInfo]:
        """The transcripts a search of `sources` covers (all when None)."""
        return [info for info in self.sources if not sources or info.source in sources]

    def known_terms(self, sources: list[str] | None = None) -> frozenset[str]:
        """The terms used by `sources` (all transcripts when None); merged once per choice of sources."""
        key = tuple(sorted(sources)) if sources else None
        if key not in self._known_terms:
            chosen = key or list(self.vocabulary)
            self._known_terms[key] = frozenset().union(*(self.vocabulary.get(s, frozenset()) for s in chosen))
        return self._known_terms[key]

    # Per-passage arrays, so that a question scores every passage with numpy, not a Python loop.
    @cached_property
    def _known_terms(self) -> dict:
        return {}

    @cached_property
    def position(self) -> dict[str, int]:
        """Each passage's index in `passages`, by id."""
        return {p.id: i for i, p in enumerate(self.passages)}

    @cached_property
    def pairs(self) -> tuple[tuple[str, str], ...]:
        """The distinct (source, speaker) pairs; `pair_of[i]` indexes this for passage i."""
        return tuple(dict.fromkeys((p.source, p.speaker) for p in self.passages))

    @cached_property
    def pair_of(self) -> np.ndarray:
        index = {pair: k for k, pair in enumerate(self.pairs)}
        return np.fromiter((index[(p.source, p.speaker)] for p in self.passages), dtype=np.int32, count=len(self.passages))

    @cached_property
    def source_names(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(p.source for p in self.passages))

    @cached_property
    def source_of(self) -> np.ndarray:
        index = {name: k for k, name in enumerate(self.source_names)}
        return np.fromiter((index[p.source] for p in self.passages), dtype=np.int32, count=len(self.passages))

    @cached_property
    def roles(self) -> np.ndarray:
        """Each passage's role as a string array ("answer", "question", ...)."""
        return np.array([p.role for p in self.passages])

    def of_source(self, source: str) -> list[Passage]:
        """The passages of one transcript, in order."""
        start, end = self._spans.get(source, (0, 0))
        return self.passages[start:end]

    @cached_property
    def _spans(self) -> dict[str, tuple[int, int]]:
        spans: dict[str, tuple[int, int]] = {}
        for i, p in enumerate(self.passages):
            spans[p.source] = (spans.get(p.source, (i, i))[0], i + 1)
        return spans

    @cached_property
    def has_lead_in(self) -> np.ndarray:
        return np.fromiter(map(bool, self.lead_in), dtype=bool, count=len(self.lead_in))

    @cached_property
    def followers(self) -> dict[int, tuple[int, ...]]:
        """The inverse of `lead_in`: for a passage, the answers it leads into."""
        out: dict[int, list[int]] = {}
        for i, lead in enumerate(self.lead_in):
            for j in lead:
                out.setdefault(j, []).append(i)
        return {j: tuple(answers) for j, answers in out.items()}


def lead_ins(passages: list[Passage], limit: int = 3) -> list[tuple[int, ...]]:
    """For each answer passage, the last `limit` non-answer passages before its turn (a chair's
    topic, the member's question); an answer right after another answer shares that one's lead-in.

    >>> from ingest.transcript import Passage as P
    >>> ps = [P("a", "s", 0, 1, "Q", "X", "question", None, 0), P("b", "s", 2, 3, "A", "Y", "answer", None, 1),
    ...       P("c", "s", 4, 5, "A2", "Z", "answer", None, 2)]
    >>> lead_ins(ps)
    [(), (0,), (0,)]
    """
    result: list[tuple[int, ...]] = []
    pending: list[int] = []
    current: tuple[int, ...] = ()
    previous = None
    for i, p in enumerate(passages):
        if previous is not None and p.source != previous.source:
            pending, current = [], ()
        if p.role != "answer":
            pending.append(i)
            result.append(())
        else:
            if pending:
                current, pending = tuple(pending[-limit:]), []
            result.append(current)
        previous = p
    return result



@dataclass(frozen=True)
class Piece:
    """One transcript's share of the corpus, kept between reads while its record is unchanged."""

    key: tuple  # (sha256, ingested_at, passage ids) of its record
    passages: list[Passage]
    terms: list[list[str]]
    vocabulary: frozenset[str]  # what it "mentions", its speakers' names included (labels are not speech)
    question_terms: frozenset[str]
    other_terms: frozenset[str]

    @classmethod
    def of(cls, key: tuple, passages: list[Passage]) -> Piece:
        own = [terms(p.text) for p in passages]
        vocabulary, in_questions, elsewhere = set(), set(), set()
        for p, t in zip(passages, own):
            vocabulary.update(t, terms(p.speaker))
            (in_questions if p.role == "question" else elsewhere).update(t)
        return cls(key, passages, own, frozenset(vocabulary), frozenset(in_questions), frozenset(elsewhere))


def assemble(pieces: list[Piece], infos: tuple[SourceInfo, ...]) -> Corpus:
    """The corpus of `pieces` (one per transcript, in source order)."""
    passages = [p for piece in pieces for p in piece.passages]
    if not passages:
        raise StoreMissingError("the store is empty: ingest a transcript first with `python -m ingest FILE`")
    own = [t for piece in pieces for t in piece.terms]
    leads = lead_ins(passages)
    documents = [t + [term for j in lead for term in own[j]] for t, lead in zip(own, leads)]
    speakers = tuple(dict.fromkeys(p.speaker for p in passages))
    opening = frozenset(p.id for i, p in enumerate(passages)
                        if i == 0 or (passages[i - 1].source, passages[i - 1].turn_index) != (p.source, p.turn_index))
    in_questions = set().union(*(piece.question_terms for piece in pieces))
    elsewhere = set().union(*(piece.other_terms for piece in pieces))
    return Corpus(passages, leads, LexicalIndex(documents), frozenset(in_questions - elsewhere), speakers, opening,
                  {piece.passages[0].source: piece.vocabulary for piece in pieces if piece.passages}, infos,
                  frozenset((p.source, p.speaker) for p in passages if p.role == "answer"))
