"""The offline answerer: pick the sentences that answer the question, quote them verbatim, or abstain.

Every sentence of the best passages is described by a few features (its meaning's closeness to the
question, the question's words it holds, its passage's and lead-in's retrieval evidence, whether it
opens the answer) and scored by a logistic model fitted on development data (`bot.calibration`).
The best sentence is cited, grown by a neighbour when it is short or the neighbour scores nearly as
well; other passages' sentences become further citations only above a calibrated probability.
Whether to answer at all is `bot.abstain`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from bot import calibration
from bot.answer import Citation
from bot.retrieve import Hit, Query, coverage
from ingest.spans import sentence_spans
from vectorstore.lexical import LexicalIndex, terms

SENTENCE_FEATURES = ("meaning", "meaning_rel", "words", "passage_dense", "lead_dense", "passage_lexical",
                     "passage_score_rel", "first_sentence", "log_length", "interviewer_words")
CANDIDATE_PASSAGES = 6
MIN_QUOTE_CHARS = 180  # a shorter quote takes the next (or previous) sentence along
NEIGHBOUR_SHARE = 0.85  # a neighbour this close to the best sentence's probability joins the quote
MAX_CITED_CHARS = 450
FALLBACK_QUESTION_SHARE = 0.5  # an interviewer's sentence the user did not ask about is a fallback only


@dataclass(frozen=True)
class Sentence:
    hit: Hit
    start: int
    end: int
    meaning: float
    features: tuple[float, ...]
    probability: float = 0.0


def sentence_probability(model: calibration.LogisticModel, features: tuple[float, ...], hit: Hit, query: Query) -> float:
    """The model's probability; an interviewer's sentence the user did not ask about counts half."""
    probability = model.probability(features)
    if hit.passage.role == "question" and not query.about_interviewer:
        probability *= FALLBACK_QUESTION_SHARE
    return probability


class SentenceScorer:
    """Scores sentences against a query; sentence embeddings are cached across questions."""

    def __init__(self, embeddings, model: calibration.LogisticModel | None = None):
        self.embeddings = embeddings
        self.model = model
        self._vectors: dict[tuple[str, int, int], np.ndarray] = {}

    def _embed(self, keys: list[tuple[str, int, int]], texts: list[str]) -> list[np.ndarray]:
        missing = [(k, t) for k, t in zip(keys, texts) if k not in self._vectors]
        if missing:
            vectors = self.embeddings.embed_documents([t for _, t in missing])
            for (key, _), vector in zip(missing, vectors):
                self._vectors[key] = np.asarray(vector, dtype=np.float32)
        return [self._vectors[k] for k in keys]

    def sentences(self, query: Query, hits: list[Hit], index: LexicalIndex, first_passages: set[str]) -> list[Sentence]:
        """Scored sentences of the top passages, most probable answer first.

        `first_passages` holds the ids of passages that open their turn (their first sentence is
        where an answer usually makes its point).
        """
        if not hits:
            return []
        model = self.model or calibration.load().sentence
        top = hits[0].score
        spans, keys, texts = [], [], []
        for hit in hits[:CANDIDATE_PASSAGES]:
            p = hit.passage
            for k, (s, e) in enumerate(sentence_spans(p.text)):
                spans.append((hit, p.start + s, p.start + e, k == 0 and p.id in first_passages))
                keys.append((p.id, s, e))
                texts.append(p.text[s:e])
        vectors = self._embed(keys, texts)
        meanings = [float(v @ query.vector) for v in vectors]
        best_meaning = max(meanings)
        scored = []
        for (hit, start, end, first), text, meaning in zip(spans, texts, meanings):
            features = (
                meaning, meaning - best_meaning, coverage(query.terms, set(terms(text)), index), hit.dense,
                hit.question_dense, hit.lexical, hit.score - top, float(first), math.log(end - start),
                float(hit.passage.role == "question"),
            )
            probability = sentence_probability(model, features, hit, query)
            scored.append(Sentence(hit, start, end, meaning, features, probability))
        scored.sort(key=lambda s: -s.probability)
        return scored


def _grow(best: Sentence, siblings: list[Sentence]) -> tuple[int, int]:
    """The quote around the best sentence: neighbours join while the quote is short (the better
    scoring neighbour first), or when they score nearly as well as the best sentence."""
    ordered = sorted(siblings, key=lambda s: s.start)
    lo = hi = next(k for k, s in enumerate(ordered) if s.start == best.start)
    while True:
        options = [j for j in (hi + 1, lo - 1) if 0 <= j < len(ordered)]
        if not options:
            break
        j = max(options, key=lambda k: ordered[k].probability)
        short = ordered[hi].end - ordered[lo].start < MIN_QUOTE_CHARS
        close = ordered[j].probability >= NEIGHBOUR_SHARE * best.probability
        if not (short or close) or max(ordered[hi].end, ordered[j].end) - min(ordered[lo].start, ordered[j].start) > MAX_CITED_CHARS:
            break
        lo, hi = min(lo, j), max(hi, j)
    return ordered[lo].start, ordered[hi].end


def choose_quotes(sentences: list[Sentence], max_citations: int, second_threshold: float) -> list[tuple[Hit, int, int]]:
    """(hit, start, end) of each quote, in answer order: the best first, then other passages'
    best sentences whose probability reaches `second_threshold`."""
    if not sentences:
        return []
    best = sentences[0]
    by_passage: dict[str, list[Sentence]] = {}
    for s in sentences:
        by_passage.setdefault(s.hit.passage.id, []).append(s)
    chosen = [(best.hit, *_grow(best, by_passage[best.hit.passage.id]))]
    used = chosen[0][2] - chosen[0][1]
    for s in sentences[1:]:
        if len(chosen) >= max_citations or s.probability < second_threshold:
            break
        if any(h.passage.id == s.hit.passage.id for h, _, _ in chosen):
            continue  # one quote per passage: a close sentence of the same passage joined the first
        if used + (s.end - s.start) > MAX_CITED_CHARS:
            continue
        chosen.append((s.hit, s.start, s.end))
        used += s.end - s.start
    return chosen


def compose(citations: list[Citation]) -> str:
    """The answer text: who said it, then each quote verbatim with its marker.

    >>> from ingest.transcript import Passage
    >>> p = Passage("p-1", "a.txt", 0, 9, "We agree.", "Interviewee", "answer", None, 1)
    >>> compose([Citation.from_passage(1, p, 0, 9)])
    'The interviewee says: “We agree.” [1]'
    """
    parts, previous = [], None
    for c in citations:
        who = _speaker_phrase(c)
        if previous is None:
            lead = f"{who} {'asks' if c.role == 'question' else 'says'}:"
        elif c.speaker == previous:
            lead = "And:" if len(citations) > 2 else "They add:"
        else:
            lead = f"{who} says:"
        parts.append(f"{lead} “{c.quote}” [{c.n}]")
        previous = c.speaker
    return " ".join(parts)


def _speaker_phrase(c: Citation) -> str:
    if c.speaker in ("Interviewer", "Interviewee"):
        return f"The {c.speaker.lower()}"
    return c.speaker
