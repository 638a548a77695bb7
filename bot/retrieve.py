"""Hybrid retrieval: Chroma's dense neighbours and BM25, fused, with the interviewer's question
lending its words and meaning to the answers given to it.

An answer passage scores by its own similarity to the query and, partly, by its question's
(a question turn is never cited as an answer; `citable` says when it may be cited at all: when the
user asks about the interviewer, or names that speaker). A question about someone ("the
official", "Bekova": `bot.speakers`) searches only that speaker's words; one about a role nobody
searched is ("the union leader", when no interview has one) finds nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from bot import facts, speakers
from bot.conversation import StandaloneQuestion, asks_about_interviewee, asks_about_interviewer
from ingest.transcript import Passage
from vectorstore.corpus import ANSWER, QUESTION, Corpus, LexicalView
from vectorstore.lexical import terms

# Fusion weights, chosen on the development sets (`python scripts/calibrate.py --sweep` prints the sweep).
QUESTION_WEIGHT = 0.3  # share of an answer's dense score that comes from its lead-in (question)
LEXICAL_WEIGHT = 0.2  # BM25 (scaled to the best passage) added to the dense score
CONTEXT_WEIGHT = 0.5  # how much a follow-up's carried-over subject counts
DENSE_K = 40  # neighbours asked of Chroma
INTERVIEWER_ONLY_SHARE = 0.3  # this much of a query only in questions makes questions citable
INTERVIEWER_BONUS = 0.1  # for questions when asked about the interviewer; against them otherwise
ABOUT_FILTER_MAX = 64  # speakers a filtered vector search may name; Chroma filters hundreds slowly (330 ms at 1,000 interviews)
WIDE_K = 4 * DENSE_K  # neighbours asked for instead, unfiltered


@dataclass(frozen=True)
class Query:
    question: StandaloneQuestion
    terms: tuple[str, ...]
    context_terms: tuple[str, ...]
    vector: np.ndarray
    about: frozenset[tuple[str, str]] | None  # (source, speaker) pairs the question is about; None: anyone
    about_interviewer: bool  # the user asks what the interviewer said or asked
    interviewer_words: bool = False  # the question's words are mostly the interviewer's
    dense_mean: float = 0.0  # mean and spread of the dense neighbours' similarity: how the best stand out
    dense_spread: float = 1.0
    nobody: str | None = None  # the role asked ("the union leader") when nobody searched is described so
    passages_searched: int = 0  # how many passages the search could find: the more, the closer a chance match

    def citable(self, passage: Passage) -> bool:
        """Answers, unless the question is about someone else; the interviewer's words when asked
        about them (or about words only they used); anyone's words when the question names them."""
        if self.about is not None:
            if (passage.source, passage.speaker) in self.about:
                return True
            return (passage.role == "question" and (self.about_interviewer or self.interviewer_words)
                    and passage.source in {source for source, _ in self.about})
        if passage.role == "question":
            return self.about_interviewer or self.interviewer_words
        return passage.role == "answer"


@dataclass(frozen=True)
class Hit:
    """A retrieved passage and the evidence for it (all in [0, 1] but `score`)."""

    passage: Passage
    score: float
    dense: float
    question_dense: float
    lexical: float
    coverage: float
    lexical_raw: float = 0.0  # the BM25 score itself, not scaled to the best passage


class Retriever:
    """`Retriever(store, embeddings).search(question)` → the query and its best citable passages."""

    def __init__(self, store, embeddings):
        self.store, self.embeddings = store, embeddings

    def make_query(self, question: StandaloneQuestion, corpus: Corpus, sources: list[str] | None = None) -> Query:
        vectors = np.asarray(self.embeddings.embed_documents([question.focus] + ([question.context] if question.context else [])))
        vector = vectors[0] + CONTEXT_WEIGHT * vectors[1] if len(vectors) > 1 else vectors[0]
        searched = corpus.searched(sources)
        about_interviewer = asks_about_interviewer(question.focus)
        names = {info.source for info in searched}
        about = speakers.about(question.focus, searched, {r for r in corpus.respondents if r[0] in names})
        return Query(
            question=question, terms=tuple(terms(question.focus)), context_terms=tuple(terms(question.context or "")),
            vector=vector / np.linalg.norm(vector), about=about, about_interviewer=about_interviewer,
            nobody=speakers.role_asked(question.focus) if about == frozenset() else None,
            passages_searched=sum(info.passages for info in searched),
        )

    def search(self, question: StandaloneQuestion, k: int = 8, sources: list[str] | None = None,
               corpus: Corpus | None = None) -> tuple[Query, list[Hit]]:
        """The query and its `k` best citable passages; pass the store's `corpus` if you hold it already."""
        corpus = corpus or self.store.corpus()
        index = corpus.index
        query = self.make_query(question, corpus, sources)
        if query.nobody:  # nobody searched is who the question means: no passage may be cited
            return query, []
        # Asked about the interviewer: their questions come first. Asked about words only the
        # interviewer used: their questions may be cited, but the interviewee's answers come first.
        question_bonus = INTERVIEWER_BONUS if query.about_interviewer else -2 * INTERVIEWER_BONUS
        if not query.about_interviewer and not asks_about_interviewee(question.focus) and (
                interviewer_only_share(query, corpus) >= INTERVIEWER_ONLY_SHARE or facts.asks(question.focus)):
            # the interviewer's words may hold the answer: words only they used ("Who is Peter Stano?"),
            # or the fact asked for ("On what date was the petition discussed?": "On August 1, …")
            query = replace(query, interviewer_words=True)
        dense = self.store.dense_search(query.vector, DENSE_K, sources)
        if query.about is not None:  # the neighbours among the words of whom the question is about, too
            names = sorted({s for _, s in query.about})
            if len(names) <= ABOUT_FILTER_MAX:
                dense |= self.store.dense_search(query.vector, DENSE_K, sources, names)
            else:  # "the official" of a thousand interviews: a wider search is cheaper than that filter
                dense |= self.store.dense_search(query.vector, WIDE_K, sources)
        floor = min(dense.values(), default=0.0)
        values = np.array(list(dense.values()) or [0.0])
        query = replace(query, dense_mean=float(values.mean()), dense_spread=float(values.std()) or 1.0)
        lexical = index.scores(list(query.terms)) + CONTEXT_WEIGHT * index.scores(list(query.context_terms))
        top_lexical = float(lexical.max()) or 1.0
        # Every row is scored at once: its own dense similarity (the floor when not a neighbour),
        # its lead-in's best, and BM25. Only neighbours and passages sharing a term are candidates.
        near = corpus.passage_rows(list(dense))
        d = np.full(len(corpus.rows), floor)
        for pid, row in near.items():
            d[row] = dense[pid]
        qd = d.copy()  # a passage without a lead-in stands for itself
        qd[corpus.has_lead_in] = floor
        for lead, answer in corpus.followers(near.values()):
            qd[answer] = max(qd[answer], d[lead])
        scaled = LEXICAL_WEIGHT * lexical / top_lexical
        score = (1 - QUESTION_WEIGHT) * d + QUESTION_WEIGHT * qd + scaled
        score[corpus.roles == QUESTION] += question_bonus
        in_dense = np.zeros(len(corpus.rows), dtype=bool)
        in_dense[list(near.values())] = True
        chosen = citable_mask(query, corpus, sources) & (in_dense | (lexical > 0))
        found = np.flatnonzero(chosen)
        best = found[np.lexsort((found, -score[found]))][:k]  # ties: transcript order
        passages = corpus.passages_at(best)
        words = query.terms + query.context_terms
        return query, [Hit(passages[i], float(score[i]), float(d[i]), float(qd[i]), float(lexical[i] / top_lexical),
                           coverage(words, index.found(words, i), index), float(lexical[i])) for i in best]


def citable_mask(query: Query, corpus: Corpus, sources: list[str] | None) -> np.ndarray:
    """`query.citable` for every passage of `corpus` at once (and in `sources`, when given)."""
    roles = corpus.roles
    if query.about is not None:
        pairs = [k for k, pair in enumerate(corpus.pairs) if pair in query.about]
        mask = np.isin(corpus.pair_of, pairs)
        if query.about_interviewer or query.interviewer_words:  # "When did Bekova start …?": the interviewer may say
            named = {source for source, _ in query.about}
            mask |= (roles == QUESTION) & np.isin(corpus.source_of, [k for k, s in enumerate(corpus.source_names)
                                                                       if s in named])
    else:
        mask = roles == ANSWER
        if query.about_interviewer or query.interviewer_words:
            mask |= roles == QUESTION
    if sources:
        mask &= np.isin(corpus.source_of, [k for k, s in enumerate(corpus.source_names) if s in set(sources)])
    return mask


def interviewer_only_share(query: Query, corpus) -> float:
    """IDF-weighted share of the query's terms that only the interviewer's questions use.

    "Who is Peter Stano?" asks about words only a question holds: the interviewer's words are
    then the evidence, cited as the interviewer's.
    """
    if not query.terms:
        return 0.0
    weights = [corpus.index.idf(t) for t in query.terms]
    only = sum(w for t, w in zip(query.terms, weights) if corpus.question_only(t))
    return only / sum(weights)


def coverage(query_terms: tuple[str, ...], found: set[str] | frozenset[str], index: LexicalView) -> float:
    """IDF-weighted share of the query's terms among `found` (0..1)."""
    if not query_terms:
        return 0.0
    weights = [index.idf(t) for t in query_terms]
    return sum(w for t, w in zip(query_terms, weights) if t in found) / sum(weights)
