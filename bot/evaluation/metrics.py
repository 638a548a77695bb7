"""Deterministic scores of cited answers against gold spans; no model as judge.

Each function works on plain spans so it can be checked by hand:

    >>> overlaps((10, 20), [(15, 30)]), overlaps((10, 20), [(20, 30)])
    (True, False)
    >>> percentile([0.1, 0.2, 0.3, 0.4], 50)
    0.25
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

Span = tuple[int, int]


def overlaps(span: Span, gold: list[Span]) -> bool:
    """True when `span` shares at least one character with any gold span."""
    return any(span[0] < g[1] and g[0] < span[1] for g in gold)


def percentile(values: list[float], q: float) -> float:
    """Linear-interpolated percentile (like numpy's default); 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass(frozen=True)
class Cited:
    """One system's output for one test question, reduced to what is scored."""

    question_id: str
    answerable: bool
    abstained: bool
    citations: list[tuple[str, int, int, bool]]  # (source, start, end, verbatim)
    gold_spans: list[Span]
    gold_passages: list[Span]
    source: str | None
    retrieved: list[tuple[str, int, int]] = field(default_factory=list)
    seconds: float = 0.0
    category: str | None = None
    outcome: str | None = None  # "answer", "candidates", "not_addressed"; None for a baseline
    score: float | None = None  # the system's confidence that its first citation is the answer
    label: str | None = None  # what the reader was told (`bot.labels`); None for a baseline


def first_is_hit(c: Cited) -> bool:
    """The first citation (the answer's own quote) overlaps the gold."""
    return c.answerable and not c.abstained and bool(c.citations) and _on_source(c, c.citations[0][0]) and overlaps(
        (c.citations[0][1], c.citations[0][2]), c.gold_spans)


def contains(span: Span, gold: list[Span]) -> bool:
    """True when `span` holds a whole gold span, or lies inside one (a gold span longer than a quote
    can be, such as a hearing's whole turn).

    >>> contains((0, 30), [(5, 20)]), contains((10, 15), [(5, 20)]), contains((10, 25), [(5, 20)])
    (True, True, False)
    """
    return any((span[0] <= g[0] and g[1] <= span[1]) or (g[0] <= span[0] and span[1] <= g[1]) for g in gold)


def first_holds_answer(c: Cited) -> bool:
    """The first citation's highlighted span (not its passage) holds the answer: a whole gold span."""
    return c.answerable and not c.abstained and bool(c.citations) and _on_source(c, c.citations[0][0]) and contains(
        (c.citations[0][1], c.citations[0][2]), c.gold_spans)


def label_right(c: Cited) -> bool:
    """Whether the label the reader saw held: "not addressed" is right when nothing answers; any
    other label when its first citation is the answer."""
    return not c.answerable if c.abstained else first_is_hit(c)


def label_rates(results: list[Cited], labels: tuple[str, ...]) -> dict[str, dict[str, float | int | None]]:
    """For each label: how many answers had it and the share of them that were right.

    >>> r = [Cited("a", True, False, [("s", 0, 5, True)], [(0, 9)], [], "s", label="likely"),
    ...      Cited("b", False, True, [], [], [], "s", label="not_addressed")]
    >>> label_rates(r, ("likely", "not_addressed"))
    {'likely': {'answers': 1, 'rate': 1.0}, 'not_addressed': {'answers': 1, 'rate': 1.0}}
    """
    out = {}
    for label in labels:
        chosen = [c for c in results if c.label == label]
        out[label] = {"answers": len(chosen),
                      "rate": round(sum(map(label_right, chosen)) / len(chosen), 4) if chosen else None}
    return out


def risk_coverage(results: list[Cited]) -> list[tuple[float, float]]:
    """(coverage, precision) as answers are kept from the most confident down: coverage is the
    share of answerable questions kept, precision the share of kept answers whose first citation
    is the answer (a kept unanswerable question is a wrong answer).

    >>> r = [Cited("a", True, False, [("s", 0, 5, True)], [(0, 9)], [], "s", score=0.9),
    ...      Cited("b", False, False, [("s", 0, 5, True)], [], [], "s", score=0.5)]
    >>> risk_coverage(r)
    [(1.0, 1.0), (1.0, 0.5)]
    """
    answered = sorted((c for c in results if not c.abstained and c.score is not None), key=lambda c: -c.score)
    total = sum(c.answerable for c in results) or 1
    curve, right, kept_answerable = [], 0, 0
    for k, c in enumerate(answered, 1):
        right += first_is_hit(c)
        kept_answerable += c.answerable
        curve.append((round(kept_answerable / total, 4), round(right / k, 4)))
    return curve


def _on_source(c: Cited, source: str) -> bool:
    return c.source is None or source == c.source


def is_hit(c: Cited, first: int | None = None) -> bool:
    """A citation (of the `first` few, when given) overlaps the gold."""
    return c.answerable and not c.abstained and any(
        _on_source(c, s) and overlaps((a, b), c.gold_spans) for s, a, b, _ in c.citations[:first]
    )


def reciprocal_rank(c: Cited) -> float:
    for rank, (s, a, b) in enumerate(c.retrieved, 1):
        if _on_source(c, s) and overlaps((a, b), c.gold_spans):
            return 1.0 / rank
    return 0.0


def recall_at(c: Cited, k: int) -> float:
    return float(any(_on_source(c, s) and overlaps((a, b), c.gold_spans) for s, a, b in c.retrieved[:k]))


def summarize(results: list[Cited]) -> dict[str, float | int | None]:
    """The headline numbers over a list of scored questions (None where undefined)."""
    answerable = [c for c in results if c.answerable]
    unanswerable = [c for c in results if not c.answerable]
    answered = [c for c in results if not c.abstained]
    cites = [(c, cit) for c in answerable if not c.abstained for cit in c.citations]
    all_cites = [cit for c in results for cit in c.citations]
    seconds = [c.seconds for c in results]

    def share(numerator: float, denominator: int) -> float | None:
        return round(numerator / denominator, 4) if denominator else None

    answers = [c for c in results if c.outcome == "answer"]
    likely = [c for c in results if c.label == "likely"]
    candidates = [c for c in answerable if c.outcome == "candidates"]
    shown = [c for c in answerable if not c.abstained]
    return {
        "questions": len(results),
        "answerable": len(answerable),
        "hit_rate": share(sum(map(is_hit, answerable)), len(answerable)),
        "hit_at_2": share(sum(is_hit(c, 2) for c in answerable), len(answerable)),
        "highlight_hit_rate": share(sum(map(first_holds_answer, answerable)), len(answerable)),
        "answer_precision": share(sum(map(first_is_hit, answers)), len(answers)),
        "answer_coverage": share(sum(c.answerable for c in answers), len(answerable)) if answers or candidates else None,
        "likely_precision": share(sum(map(first_is_hit, likely)), len(likely)),
        "likely_coverage": share(sum(c.answerable and c.label in ("answer", "likely") for c in results), len(answerable))
        if any(c.label for c in results) else None,
        "candidates_hit_rate": share(sum(map(is_hit, candidates)), len(candidates)),
        "shown_hit_rate": share(sum(map(is_hit, shown)), len(shown)),
        "citation_precision": share(
            sum(_on_source(c, s) and overlaps((a, b), c.gold_passages) for c, (s, a, b, _) in cites), len(cites)
        ),
        "verbatim_rate": share(sum(v for *_, v in all_cites), len(all_cites)),
        "cited_chars_per_answer": share(sum(b - a for c in answered for _, a, b, _ in c.citations), len(answered)),
        "citations_per_answer": share(sum(len(c.citations) for c in answered), len(answered)),
        "abstention_recall": share(sum(c.abstained for c in unanswerable), len(unanswerable)),
        "false_abstention_rate": share(sum(c.abstained for c in answerable), len(answerable)),
        "mrr": share(sum(map(reciprocal_rank, answerable)), len(answerable)) if any(c.retrieved for c in results) else None,
        "recall_at_3": share(sum(recall_at(c, 3) for c in answerable), len(answerable)) if any(c.retrieved for c in results) else None,
        "latency_p50_ms": round(percentile(seconds, 50) * 1000, 1),
        "latency_p95_ms": round(percentile(seconds, 95) * 1000, 1),
    }
