"""Whether the transcript answers a question at all: a logistic model over the retrieval evidence.

The features describe the best sentence and passage (the sentence model's probability, meaning,
words) and how much of the question the transcript's vocabulary knows at all. The model is fitted
by `bot.evaluation.calibrate` (`make calibrate`) on development questions from several transcripts, answerable and not,
and its threshold is chosen there; `calibration.json` records the precision and recall it reached.
"""

from __future__ import annotations

import re

from bot import calibration
from bot.extractive import Sentence
from bot.retrieve import Hit, Query
from vectorstore.lexical import LexicalIndex, stem

ANSWERABLE_FEATURES = ("best_sentence", "best_meaning", "passage_dense", "lead_dense", "coverage", "unknown_share",
                       "unknown_names")
_NAME = re.compile(r"(?<![.?!]\s)(?<!^)\b[A-Z][a-zA-Z\-]{2,}")


def unknown_names(question: str, known: frozenset[str]) -> float:
    """How many capitalised words inside the question (names: "China", "Kallas") the transcripts
    never use; a question about someone or somewhere never mentioned is rarely answered.

    >>> unknown_names("What did Kaja Kallas say about Kazakhstan?", frozenset({"kazakhs"}))
    2.0
    """
    return float(sum(1 for m in _NAME.finditer(question) if stem(m.group().lower()) not in known))


def evidence(query: Query, hits: list[Hit], sentences: list[Sentence], index: LexicalIndex,
             known: frozenset[str]) -> tuple[float, ...]:
    """Feature values for `ANSWERABLE_FEATURES`; a query whose words the searched transcripts
    (`known`: their terms) never use has `unknown_share` near 1."""
    words = query.terms + query.context_terms  # a follow-up means its context too
    weights = [index.idf(t) for t in words]
    unknown = sum(w for t, w in zip(words, weights) if t not in known) / sum(weights) if weights else 1.0
    names = unknown_names(query.question.focus, known)
    if not hits or not sentences:
        return (0.0, 0.0, 0.0, 0.0, 0.0, unknown, names)
    top, best = hits[0], sentences[0]
    return (best.probability, max(s.meaning for s in sentences), top.dense, top.question_dense, top.coverage, unknown,
            names)


def confidence(features: tuple[float, ...], calibrated: calibration.Calibration | None = None) -> str | None:
    """"high" (answer plainly), "low" (offer the closest passage with a caveat) or None (abstain)."""
    calibrated = calibrated or calibration.load()
    p = calibrated.answerable.probability(features)
    if p < calibrated.answerable.threshold:
        return None
    return "high" if p >= calibrated.confident_threshold else "low"
