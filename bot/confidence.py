"""Which of the three outcomes a question gets: an answer, the closest passages, or "not addressed".

Two logistic models over question-level evidence, both fitted across transcripts by
`bot.evaluation.calibrate` with thresholds chosen on transcripts the fit did not see:

- `answerable`: does anything searched answer the question? Below its threshold: not addressed.
  The strongest evidence is what the transcripts never mention: names ("Kallas", "China") and
  words they never use.
- `answer`: is the best quote the answer? At or above its threshold: the quote is the answer
  (`confidence: "high"`); otherwise the best sentence of each top passage is offered as the
  passages closest to the question (`confidence: "low"`), labelled a likely answer when the
  probability reaches `likely_threshold` (`bot.labels`).

    >>> unknown_names("What did Kaja Kallas say about Kazakhstan?", frozenset({"kazakhs"}))
    2.0
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from bot import calibration, labels
from bot.extractive import Sentence
from bot.retrieve import Hit, Query
from vectorstore.corpus import LexicalView
from vectorstore.lexical import stem
from vectorstore.lexical import terms as _terms

QUESTION_FEATURES = ("best_sentence", "best_passage", "passage_gap", "best_within", "sentence_gap", "best_meaning",
                     "passage_dense", "lead_dense", "score_gap", "coverage", "best_words", "meaning_z", "dense_z",
                     "lexical_raw", "agreement", "missing_share", "missing_key", "number_missing", "name_missing",
                     "unknown_share", "unknown_names", "query_terms", "follow_up", "about_someone")
ANSWER, CANDIDATES, NOT_ADDRESSED = "answer", "candidates", "not_addressed"
_NAME = re.compile(r"(?<![.?!]\s)(?<!^)\b[A-Z][a-zA-Z\-]{2,}")
_ASKS_NUMBER = re.compile(r"\bhow (?:many|much|long|often|old|big|large|far|high|low)\b|\bwhat (?:percentage|proportion|"
                          r"share|number|amount|figure|sum|budget|cost|price|year|date)\b|\bwhen\b|\bwhich (?:year|date|month)\b"
                          r"|\bexact(?:ly)?\b", re.I)
_NUMBER = re.compile(r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|"
                     r"hundred|thousand|million|billion|percent|half|dozen|january|february|march|april|may|june|july|"
                     r"august|september|october|november|december|monday|tuesday|wednesday|thursday|friday|year|years|"
                     r"week|weeks|month|months)\b", re.I)
_ASKS_NAME = re.compile(r"\bwho\b|\bwhose\b|\bwhich (?:company|companies|organi[sz]ations?|firms?|person|people|"
                        r"ministers?|officials?|countr(?:y|ies)|cit(?:y|ies)|schools?|universit(?:y|ies)|groups?|"
                        r"agenc(?:y|ies)|banks?|museums?|ngos?|bodies|body)\b|\bname(?:d|s)?\b", re.I)


@dataclass(frozen=True)
class Decision:
    outcome: str  # ANSWER, CANDIDATES or NOT_ADDRESSED
    answerable: float  # P(something searched answers the question)
    answer: float  # P(the best quote is the answer)
    label: str = ""  # what the reader is told (`bot.labels`); the outcome's own label when not graded

    def __post_init__(self):
        if not self.label:
            object.__setattr__(self, "label", labels.for_outcome(self.outcome))

    @property
    def confidence(self) -> str | None:
        return {ANSWER: "high", CANDIDATES: "low"}.get(self.outcome)


def unknown_names(question: str, known: frozenset[str]) -> float:
    """How many capitalised words inside the question (names: "China", "Kallas") the searched
    transcripts never use; a question about someone or somewhere never mentioned is rarely answered."""
    names = (re.findall(r"[^\W\d_]{3,}", m.group().lower()) for m in _NAME.finditer(question))
    return float(sum(1 for parts in names if parts and any(stem(part) not in known for part in parts)))


def evidence(query: Query, hits: list[Hit], sentences: list[Sentence], index: LexicalView,
             known: frozenset[str]) -> tuple[float, ...]:
    """Feature values for `QUESTION_FEATURES`; `known` holds the searched transcripts' terms."""
    words = query.terms + query.context_terms  # a follow-up means its context too
    weights = [index.idf(t) for t in words]
    unknown = sum(w for t, w in zip(words, weights) if t not in known) / sum(weights) if weights else 1.0
    names = unknown_names(query.question.focus, known)
    shape = (unknown, names, math.log1p(len(query.terms)), float(query.question.context is not None),
             float(query.about is not None))
    if not hits or not sentences:
        return (0.0,) * 19 + shape
    best = sentences[0]
    other = next((s.probability for s in sentences if s.hit.passage.id != best.hit.passage.id), 0.0)
    passages = sorted({s.hit.passage.id: s.passage_probability for s in sentences}.values(), reverse=True) + [0.0]
    top = hits[0]
    score_gap = top.score - hits[1].score if len(hits) > 1 else 0.5
    best_words = max(s.features[2] for s in sentences)
    best_meaning = max(s.meaning for s in sentences)
    best_hit = best.hit
    agreement = (float(best_hit.dense >= max(h.dense for h in hits)) + float(best_hit.lexical >= max(h.lexical for h in hits))
                 + float(best_hit.question_dense >= max(h.question_dense for h in hits))) / 3
    shown = " ".join(h.passage.text + " " + (h.passage.question.text if h.passage.question else "") for h in hits[:3])
    shown_terms = set(_terms(shown))
    missing = [(t, w) for t, w in zip(words, weights) if t not in shown_terms]
    top_idf = max(weights) if weights else 1.0
    question = query.question.focus
    new_names = {m.group() for m in _NAME.finditer(best_hit.passage.text)} - set(question.split())
    return (best.probability, passages[0], passages[0] - passages[1], best.within_probability,
            best.probability - other, best_meaning, top.dense, top.question_dense, score_gap,
            top.coverage, best_words, (best_meaning - query.dense_mean) / query.dense_spread,
            (top.dense - query.dense_mean) / query.dense_spread, math.log1p(top.lexical_raw), agreement,
            sum(w for _, w in missing) / sum(weights) if weights else 1.0,
            max((w for _, w in missing), default=0.0) / top_idf,
            float(bool(_ASKS_NUMBER.search(question)) and not _NUMBER.search(best_hit.passage.text)),
            float(bool(_ASKS_NAME.search(question)) and not new_names)) + shape


def decide(features: tuple[float, ...], calibrated: calibration.Calibration | None = None) -> Decision:
    """The outcome for a question's evidence, by the calibrated models and thresholds."""
    calibrated = calibrated or calibration.load()
    answerable = calibrated.answerable.probability(features)
    answer = calibrated.answer.probability(features)
    if answerable < calibrated.answerable.threshold:
        return Decision(NOT_ADDRESSED, answerable, answer)
    if answer >= calibrated.answer.threshold:
        return Decision(ANSWER, answerable, answer)
    return Decision(CANDIDATES, answerable, answer,
                    labels.LIKELY if answer >= calibrated.likely_threshold else labels.CLOSEST)
