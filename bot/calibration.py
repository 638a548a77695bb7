"""Small logistic models fitted on development data, stored as JSON beside the code.

Two of them steer the offline answerer: which sentence answers a question (`sentence`) and
whether anything does (`answerable`). `bot.evaluation.calibrate` (`make calibrate`) fits both on
the development sets of several transcripts and writes `calibration.json` with the figures it
reached; this module only loads and applies them.

    >>> m = LogisticModel(("x",), (2.0,), -1.0, 0.5)
    >>> round(m.probability([0.5]), 3), m.decide([1.0])
    (0.5, True)
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

CALIBRATION_FILE = Path(__file__).with_name("calibration.json")


@dataclass(frozen=True)
class LogisticModel:
    features: tuple[str, ...]
    weights: tuple[float, ...]
    bias: float
    threshold: float = 0.5

    def probability(self, values) -> float:
        z = self.bias + sum(w * v for w, v in zip(self.weights, values))
        return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z))))

    def decide(self, values) -> bool:
        return self.probability(values) >= self.threshold

    def to_json(self) -> dict:
        return {"features": list(self.features), "weights": [round(w, 6) for w in self.weights],
                "bias": round(self.bias, 6), "threshold": round(self.threshold, 6)}

    @classmethod
    def from_json(cls, data: dict) -> LogisticModel:
        return cls(tuple(data["features"]), tuple(data["weights"]), data["bias"], data.get("threshold", 0.5))


@dataclass(frozen=True)
class Calibration:
    sentence: LogisticModel  # P(this sentence answers the question)
    answerable: LogisticModel  # P(the transcript answers the question at all), with its threshold
    second_threshold: float  # sentence probability that earns a further citation
    confident_threshold: float  # P(answerable) above which an answer is stated without a caveat


@lru_cache(maxsize=4)
def load(path: Path = CALIBRATION_FILE) -> Calibration:
    data = json.loads(path.read_text(encoding="utf-8"))
    return Calibration(LogisticModel.from_json(data["sentence"]), LogisticModel.from_json(data["answerable"]),
                       float(data["second_threshold"]), float(data["confident_threshold"]))
