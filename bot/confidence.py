"""Which of the three outcomes a question gets: an answer, the closest passages, or "not addressed".

Logistic models over question-level evidence, fitted across transcripts by
`bot.evaluation.calibrate` with thresholds chosen on transcripts the fit did not see:

- `on_topic`: is the question about anything the searched transcripts discuss at all ("What is
  the capital of France?" is not)? Below its threshold: not addressed. Its evidence means the same
  with one interview searched or twenty (`ON_TOPIC_FEATURES`).
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

from bot import calibration, facts, labels
from bot.extractive import Sentence
from bot.retrieve import Hit, Query
from vectorstore.corpus import LexicalView
from vectorstore.lexical import stem
from vectorstore.lexical import terms as _terms

QUESTION_FEATURES = ("best_sentence", "best_passage", "passage_gap", "best_within", "sentence_gap", "best_meaning",
                     "passage_dense", "lead_dense", "score_gap", "coverage", "best_words", "meaning_z", "dense_z",
                     "lexical_raw", "agreement", "missing_share", "missing_key", "number_missing", "name_missing",
                     "unknown_share", "unknown_names", "query_terms", "follow_up", "about_someone", "log_passages")
# Is the question about anything the transcripts discuss? Evidence that means the same with one
# interview searched or twenty: how close the best words come, and how many passages were there to
# come close by chance ("the capital of France" finds closer words among 5,000 passages than among 12).
ON_TOPIC_FEATURES = ("best_meaning", "passage_dense", "lead_dense", "coverage", "best_words", "missing_share",
                     "missing_key", "log_passages")
# Does anything searched answer it? Everything but what shifts with how many interviews are searched:
# a score relative to the neighbours' spread, and the words none of the searched transcripts use
# (with twenty interviews, "capital" and "France" are someone's words; counting them in the best
# passages' transcripts only was tried, and abstained on more answerable questions out of fold).
ANSWERABLE_FEATURES = tuple(f for f in QUESTION_FEATURES
                            if f not in ("meaning_z", "dense_z", "unknown_share", "unknown_names"))
ANSWER, CANDIDATES, NOT_ADDRESSED = "answer", "candidates", "not_addressed"
_NAME = facts.NAME


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
             float(query.about is not None), math.log1p(query.passages_searched))
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
            float(bool(facts.ASKS_NUMBER.search(question)) and not facts.NUMBER.search(best_hit.passage.text)),
            float(bool(facts.ASKS_NAME.search(question)) and not new_names)) + shape


def decide(features: tuple[float, ...], calibrated: calibration.Calibration | None = None) -> Decision:
    """The outcome for a question's evidence (`QUESTION_FEATURES`), by the calibrated models and
    thresholds: not addressed when off every searched topic or when nothing searched answers."""
    calibrated = calibrated or calibration.load()
    named = dict(zip(QUESTION_FEATURES, features))
    answerable = calibrated.answerable.probability_of(named)
    answer = calibrated.answer.probability_of(named)
    on_topic = calibrated.on_topic.probability_of(named) if calibrated.on_topic else 1.0
    if on_topic < (calibrated.on_topic.threshold if calibrated.on_topic else 0.0):
        return Decision(NOT_ADDRESSED, min(answerable, on_topic), answer)
    if answerable < calibrated.answerable.threshold:
        return Decision(NOT_ADDRESSED, answerable, answer)
    if answer >= calibrated.answer.threshold:
        return Decision(ANSWER, answerable, answer)
    return Decision(CANDIDATES, answerable, answer,
                    labels.LIKELY if answer >= calibrated.likely_threshold else labels.CLOSEST)
