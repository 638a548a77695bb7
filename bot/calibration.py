"""Small logistic models fitted across transcripts, stored as JSON beside the code.

Four of them steer the offline answerer:

- `passage` and `sentence`: linear scores whose softmax over the retrieved passages, and over a
  passage's sentences, gives P(this passage holds the answer) and P(this sentence is the answer,
  given its passage does); their product ranks the quotes;
- `on_topic`: P(the question is about what the searched transcripts discuss): below its
  threshold the bot says the interview does not address it;
- `answerable`: P(the searched transcripts answer the question at all): below its threshold, too;
- `answer`: P(the best quote answers the question): at or above its threshold the quote is stated
  as the answer (`confidence: "high"`); below it the best passages are offered as candidates,
  labelled "likely" at or above `likely_threshold` and "closest" below it (`bot.labels`).

`rates` holds each label's stated rate: the share of answers given that label that were right when
leaving each transcript out, and how many answers it was measured on.

`bot.evaluation.calibrate` (`make calibrate`) fits them on development questions of many
transcripts, chooses the thresholds on transcripts each fit did not see, and writes
`calibration.json` with the leave-one-transcript-out figures it reached; this module only loads
and applies them.

    >>> m = LogisticModel(("x",), (2.0,), -1.0, 0.5)
    >>> round(m.probability([0.5]), 3), m.decide([1.0])
    (0.5, True)
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

CALIBRATION_FILE = Path(__file__).with_name("calibration.json")


@dataclass(frozen=True)
class LogisticModel:
    features: tuple[str, ...]
    weights: tuple[float, ...]
    bias: float
    threshold: float = 0.5

    def logit(self, values) -> float:
        return self.bias + sum(w * v for w, v in zip(self.weights, values))

    def probability(self, values) -> float:
        z = self.logit(values)
        return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z))))

    def decide(self, values) -> bool:
        return self.probability(values) >= self.threshold

    def probability_of(self, named: dict[str, float]) -> float:
        """The probability for feature values given by name (a model may use a few of them)."""
        return self.probability([named[f] for f in self.features])

    def to_json(self) -> dict:
        return {"features": list(self.features), "weights": [round(w, 6) for w in self.weights],
                "bias": round(self.bias, 6), "threshold": round(self.threshold, 6)}

    @classmethod
    def from_json(cls, data: dict) -> LogisticModel:
        return cls(tuple(data["features"]), tuple(data["weights"]), data["bias"], data.get("threshold", 0.5))


@dataclass(frozen=True)
class Calibration:
    passage: LogisticModel  # P(this passage holds the answer)
    sentence: LogisticModel  # P(this sentence is the answer, given its passage holds it)
    answerable: LogisticModel  # P(the transcript answers the question at all); its threshold abstains
    answer: LogisticModel  # P(the best quote is the answer); its threshold earns "high"
    second_threshold: float  # sentence probability that earns a further citation in an answer
    likely_threshold: float = 1.0  # P(answer) from which the closest passages are labelled a likely answer
    on_topic: LogisticModel | None = None  # P(the question is about what the transcripts discuss); its threshold abstains
    rates: dict[str, tuple[float | None, int]] = field(default_factory=dict)  # label: (stated rate, answers measured)

    def stated_rate(self, label: str) -> float | None:
        return self.rates.get(label, (None, 0))[0]

    def to_json(self) -> dict:
        return {"passage": self.passage.to_json(), "sentence": self.sentence.to_json(), "answerable": self.answerable.to_json(),
                "answer": self.answer.to_json(), "second_threshold": round(self.second_threshold, 6),
                "likely_threshold": round(self.likely_threshold, 6),
                **({"on_topic": self.on_topic.to_json()} if self.on_topic else {}),
                "labels": {k: {"stated_rate": rate, "measured": n} for k, (rate, n) in self.rates.items()}}

    @classmethod
    def from_json(cls, data: dict) -> Calibration:
        rates = {k: (v["stated_rate"], v["measured"]) for k, v in data.get("labels", {}).items()}
        return cls(LogisticModel.from_json(data["passage"]), LogisticModel.from_json(data["sentence"]), LogisticModel.from_json(data["answerable"]),
                   LogisticModel.from_json(data["answer"]), float(data["second_threshold"]),
                   float(data.get("likely_threshold", 1.0)), LogisticModel.from_json(data["on_topic"]) if "on_topic" in data else None,
                   rates)


@lru_cache(maxsize=4)
def load(path: Path = CALIBRATION_FILE) -> Calibration:
    return Calibration.from_json(json.loads(path.read_text(encoding="utf-8")))
