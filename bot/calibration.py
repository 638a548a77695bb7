"""Small logistic models fitted on development data, stored as JSON beside the code.

Two of them steer the offline answerer: which sentence answers a question (`sentence`) and
whether anything does (`answerable`). `scripts/calibrate.py` fits both on the development sets of
several transcripts and writes `calibration.json` with the figures it reached; this module only
loads and applies them (and holds the fitting routine, so it can be tested).

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

import numpy as np

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


def fit_logistic(x: np.ndarray, y: np.ndarray, features: tuple[str, ...], l2: float = 1.0,
                 sample_weight: np.ndarray | None = None, iterations: int = 50) -> LogisticModel:
    """L2-regularised logistic regression by Newton's method (features are standardised inside).

    >>> x = np.array([[0.0], [0.2], [0.8], [1.0]]); y = np.array([0, 0, 1, 1])
    >>> m = fit_logistic(x, y, ("x",), l2=0.1)
    >>> m.decide([0.1]), m.decide([0.9])
    (False, True)
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    sw = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, dtype=float)
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    z = np.hstack([np.ones((len(x), 1)), (x - mean) / scale])
    beta = np.zeros(z.shape[1])
    penalty = np.full(z.shape[1], l2)
    penalty[0] = 0.0
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-np.clip(z @ beta, -60, 60)))
        gradient = z.T @ (sw * (p - y)) + penalty * beta
        hessian = (z * (sw * p * (1 - p))[:, None]).T @ z + np.diag(penalty + 1e-9)
        step = np.linalg.solve(hessian, gradient)
        beta -= step
        if np.abs(step).max() < 1e-8:
            break
    weights = beta[1:] / scale
    bias = beta[0] - float((beta[1:] * mean / scale).sum())
    return LogisticModel(tuple(features), tuple(float(w) for w in weights), float(bias))


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
