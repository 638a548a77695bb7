"""Fit the offline answerer's two logistic models on development data and write bot/calibration.json.

    python scripts/calibrate.py            # fit, report, write bot/calibration.json
    python scripts/calibrate.py --sweep    # also print retrieval MRR over a grid of fusion weights

Development data (never the held-out set in eval/heldout/): the bundled interview's development
test set, the Q/A and caption transcripts written for evaluation, and the three hearings with their
gold spans and unanswerable questions. The sentence model learns which sentence answers; the
answerable model learns when nothing does. Abstention precision/recall are reported by
leave-one-transcript-out cross-validation, so the figures are not measured on the data they were
fitted to.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

import numpy as np

from bot import abstain, calibration, extractive, retrieve
from bot.conversation import standalone_question
from bot.evaluation.evaluate import load_testset, resolve_gold
from bot.evaluation.metrics import overlaps
from bot.settings import Settings
from ingest import load_transcript
from bot.backends import open_store
from vectorstore import MiniLMEmbeddings

ROOT = Path(__file__).resolve().parents[2]

HEARINGS = ROOT / "data" / "hearings"
TRANSCRIPTS = [ROOT / "data/interviews/interview-eu-kazakhstan-2024-11-27.txt",
               ROOT / "eval/transcripts/water-utility-qa-2025-03-14.txt",
               ROOT / "eval/transcripts/museum-podcast-2025-06-02.vtt", *sorted(HEARINGS.glob("*.txt"))]
TESTSETS = [ROOT / "eval/interview-eu-kazakhstan.testset.jsonl", ROOT / "eval/water-utility-qa.testset.jsonl",
            ROOT / "eval/museum-podcast.testset.jsonl", *sorted(HEARINGS.glob("*.testset.jsonl")),
            ROOT / "eval/hearings-unanswerable.testset.jsonl"]
HEARINGS_GROUPS = ("covid_0", "education_1", "education_2")
HEARING_WEIGHT = 0.5  # hearing gold spans cover whole exchanges: coarse labels for single sentences


def fit_logistic(x: np.ndarray, y: np.ndarray, features: tuple[str, ...], l2: float = 1.0,
                 sample_weight: np.ndarray | None = None, iterations: int = 50) -> calibration.LogisticModel:
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
    return calibration.LogisticModel(tuple(features), tuple(float(w) for w in weights), float(bias))


def relative(path: Path) -> str:
    return os.path.normpath(os.path.relpath(path, ROOT))


def collect(store, embeddings):
    """Per case: its transcript, gold spans, answerability, hits and sentence features."""
    corpus = store.corpus()
    texts = {s: store.source_text(s) for s in {p.source for p in corpus.passages}}
    retriever = retrieve.Retriever(store, embeddings)
    zero = calibration.LogisticModel(extractive.SENTENCE_FEATURES, (0.0,) * len(extractive.SENTENCE_FEATURES), 0.0)
    scorer = extractive.SentenceScorer(embeddings, zero)
    cases = []
    for path in TESTSETS:
        for case in load_testset(path):
            case = resolve_gold(case, texts, {})
            query, hits = retriever.search(standalone_question(case.question, case.history), k=8, sources=[case.source])
            sentences = scorer.sentences(query, hits, corpus.index, corpus.opening)
            cases.append({"case": case, "query": query, "hits": hits, "sentences": sentences,
                          "group": Path(case.source).stem})
    return cases, corpus


def fit_sentence_model(cases, l2: float = 2.0) -> calibration.LogisticModel:
    x, y, w = [], [], []
    for c in cases:
        if not c["case"].answerable or not c["sentences"]:
            continue
        weight = (HEARING_WEIGHT if c["group"] in HEARINGS_GROUPS else 1.0) / len(c["sentences"])
        for s in c["sentences"]:
            x.append(s.features)
            y.append(overlaps((s.start, s.end), c["case"].gold_spans))
            w.append(weight)
    return fit_logistic(np.array(x), np.array(y), extractive.SENTENCE_FEATURES, l2=l2, sample_weight=np.array(w))


def rescore(cases, model):
    for c in cases:
        c["sentences"] = sorted(
            (replace(s, probability=extractive.sentence_probability(model, s.features, s.hit, c["query"]))
             for s in c["sentences"]), key=lambda s: -s.probability)


def answerable_rows(cases, corpus):
    x = np.array([abstain.evidence(c["query"], c["hits"], c["sentences"], corpus.index,
                                   corpus.known_terms([c["case"].source])) for c in cases])
    y = np.array([c["case"].answerable for c in cases], dtype=float)
    return x, y


MAX_FALSE_ABSTENTION = 0.05  # abstaining on an answerable question costs the user an answer


def choose_threshold(p: np.ndarray, y: np.ndarray) -> float:
    """The highest threshold that still answers all but MAX_FALSE_ABSTENTION of the answerable
    questions: it abstains as often as that allows."""
    answerable = np.sort(p[y == 1])
    if not len(answerable):
        return 0.5
    return float(answerable[int(np.floor(MAX_FALSE_ABSTENTION * len(answerable)))] - 1e-6)


def choose_confident(p: np.ndarray, y: np.ndarray) -> float:
    """Above this probability an answer is stated plainly; below it (but above the abstention
    threshold) it is offered as the closest passage. The balanced-accuracy optimum."""
    best, best_t = -1.0, 0.5
    for t in np.linspace(0.05, 0.95, 91):
        answered = p >= t
        tpr = (answered & (y == 1)).sum() / max(1, (y == 1).sum())
        tnr = (~answered & (y == 0)).sum() / max(1, (y == 0).sum())
        if (tpr + tnr) / 2 > best + 1e-9:
            best, best_t = (tpr + tnr) / 2, float(t)
    return best_t


def abstention_figures(decided_answer: np.ndarray, y: np.ndarray) -> dict:
    abstained = ~decided_answer
    unanswerable = y == 0
    return {
        "abstention_precision": round(float((abstained & unanswerable).sum() / max(1, abstained.sum())), 3),
        "abstention_recall": round(float((abstained & unanswerable).sum() / max(1, unanswerable.sum())), 3),
        "false_abstention_rate": round(float((abstained & ~unanswerable).sum() / max(1, (~unanswerable).sum())), 3),
        "questions": int(len(y)), "unanswerable": int(unanswerable.sum()),
    }


def quote_hits(cases, second_threshold: float = 1.1) -> dict[str, float]:
    """Share of answerable questions whose chosen quotes overlap the gold, per transcript (abstention aside)."""
    hits: dict[str, list[bool]] = defaultdict(list)
    for c in cases:
        if c["case"].answerable:
            quotes = extractive.choose_quotes(c["sentences"], 3, second_threshold)
            hits[c["group"]].append(any(overlaps((s, e), c["case"].gold_spans) for _, s, e in quotes))
    return {g: round(float(np.mean(v)), 3) for g, v in sorted(hits.items())}


def cross_validated(cases, corpus) -> dict:
    """Leave one transcript out: fit both models on the others, decide on the one left out."""
    decided, labels = [], []
    quote = {}
    for group in sorted({c["group"] for c in cases}):
        train = [c for c in cases if c["group"] != group]
        test = [c for c in cases if c["group"] == group]
        sentence_model = fit_sentence_model(train)
        rescore(train, sentence_model)
        rescore(test, sentence_model)
        quote |= quote_hits(test)
        x, y = answerable_rows(train, corpus)
        model = fit_logistic(x, y, abstain.ANSWERABLE_FEATURES, l2=1.0)
        model = replace(model, threshold=choose_threshold(np.array([model.probability(r) for r in x]), y))
        tx, ty = answerable_rows(test, corpus)
        decided += [model.decide(r) for r in tx]
        labels += list(ty)
    return abstention_figures(np.array(decided), np.array(labels)) | {"first_quote_hit_rate": quote}


def choose_second_threshold(cases) -> float:
    """The sentence probability above which a further citation is more often right than wrong."""
    best, best_t = -1e9, 0.95
    for t in np.linspace(0.2, 0.95, 16):
        gain = 0.0
        for c in cases:
            if not c["case"].answerable:
                continue
            for hit, s, e in extractive.choose_quotes(c["sentences"], 3, float(t))[1:]:
                gold_passage = overlaps((hit.passage.start, hit.passage.end), c["case"].gold_spans)
                gain += 1.0 if gold_passage else -1.5
        if gain > best:
            best, best_t = gain, float(t)
    return round(best_t, 3)


def sweep(store, embeddings, cases):
    """Retrieval MRR of the gold passage over fusion weights (printed; constants live in bot/retrieve.py)."""
    retriever = retrieve.Retriever(store, embeddings)
    for qw in (0.0, 0.2, 0.3, 0.4):
        for lw in (0.0, 0.2, 0.35, 0.5):
            retrieve.QUESTION_WEIGHT, retrieve.LEXICAL_WEIGHT = qw, lw
            rr = []
            for c in cases:
                if c["case"].answerable:
                    _, hits = retriever.search(standalone_question(c["case"].question, c["case"].history), 8, [c["case"].source])
                    ranks = [i for i, h in enumerate(hits, 1) if overlaps((h.passage.start, h.passage.end), c["case"].gold_spans)]
                    rr.append(1 / ranks[0] if ranks else 0.0)
            print(f"  question_weight={qw:.2f} lexical_weight={lw:.2f}  MRR={np.mean(rr):.3f}")


def main(argv: list[str] | None = None) -> int:
    os.chdir(ROOT)  # sources are stored as paths relative to the repository, as a user gives them
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sweep", action="store_true")
    parser.add_argument("--dry-run", action="store_true", help="report without writing bot/calibration.json")
    args = parser.parse_args(argv)
    embeddings = MiniLMEmbeddings()
    with tempfile.TemporaryDirectory() as folder:
        settings = replace(Settings(), store_dir=Path(folder))
        store = open_store(settings, create=True, embeddings=embeddings)
        for path in TRANSCRIPTS:
            store.add(load_transcript(relative(path)))
        cases, corpus = collect(store, embeddings)
        if args.sweep:
            sweep(store, embeddings, cases)
        report = {"cross_validated": cross_validated(cases, corpus)}
        sentence_model = fit_sentence_model(cases)
        rescore(cases, sentence_model)
        x, y = answerable_rows(cases, corpus)
        answerable = fit_logistic(x, y, abstain.ANSWERABLE_FEATURES, l2=1.0)
        probabilities = np.array([answerable.probability(r) for r in x])
        answerable = replace(answerable, threshold=choose_threshold(probabilities, y))
        confident = max(answerable.threshold, choose_confident(probabilities, y))
        report["fitted_on_all"] = abstention_figures(np.array([answerable.decide(r) for r in x]), y)
        second = choose_second_threshold(cases)
    counts = defaultdict(int)
    for c in cases:
        counts[c["group"]] += 1
    data = {
        "note": "written by scripts/calibrate.py; do not edit by hand",
        "development_questions": dict(sorted(counts.items())),
        "sentence": sentence_model.to_json(), "answerable": answerable.to_json(), "second_threshold": second,
        "confident_threshold": round(confident, 6),
        "abstention": report,
    }
    print(json.dumps(data, indent=2))
    if not args.dry_run:
        calibration.CALIBRATION_FILE.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {calibration.CALIBRATION_FILE.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
