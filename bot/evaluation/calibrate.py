"""Fit the offline answerer's three models across transcripts; measure them on transcripts they never saw.

    python scripts/calibrate.py                 # fit, write bot/calibration.json and eval/results/loto/
    python scripts/calibrate.py --dry-run       # the leave-one-transcript-out report only
    python scripts/calibrate.py --store DIR     # keep the ingested development store in DIR (faster reruns)

Development data (never `eval/heldout-2/`): every transcript with questions in `DEVELOPMENT` — the
bundled interview (its development set and the older, already seen held-out set), the activist
interview (who-said questions across both interviews), the Q/A and caption transcripts written for
evaluation, the 3 + 21 public hearings with their gold spans — and the on-topic unanswerable
questions of `eval/unanswerable/`.

How it is fitted (`fit`), with scikit-learn's logistic regression:

1. the sentence model learns which sentence overlaps the gold (answerable questions);
2. with sentence probabilities cross-fitted (each question scored by a sentence model that did not
   see its transcript), the `answerable` and `answer` models learn from question-level evidence
   whether anything answers and whether the best quote is the answer;
3. their thresholds are chosen on out-of-fold predictions: the abstention threshold keeps false
   abstention under `FALSE_ABSTENTION_TARGET`, the "high" threshold keeps the precision of stated
   answers over `ANSWER_PRECISION_TARGET`.

How it is measured (`leave_one_transcript_out`): for each transcript, everything is fitted on the
others, then its questions go through the real `Bot.ask` with that calibration and are scored by
`bot.evaluation.metrics`, the same code as `python -m bot eval`. The figures in
`eval/results/loto/` and in `calibration.json` are those, never figures on fitted data.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from bot import calibration, confidence, extractive, labels, retrieve
from bot.backends import open_store
from bot.conversation import standalone_question
from bot.evaluation import report as reports
from bot.evaluation.evaluate import EvalCase, cited_answer, load_testset, resolve_gold
from bot.evaluation.metrics import Cited, label_rates, overlaps, risk_coverage, summarize
from bot.pipeline import Bot
from bot.settings import Settings
from ingest import load_transcript
from vectorstore import MiniLMEmbeddings

ROOT = Path(__file__).resolve().parents[2]
log = logging.getLogger(__name__)

TRANSCRIPTS = ["data/interviews/interview-eu-kazakhstan-2024-11-27.txt",
               "eval/transcripts/interview-activist-almaty-2024-12-05.txt",
               "eval/transcripts/water-utility-qa-2025-03-14.txt", "eval/transcripts/museum-podcast-2025-06-02.vtt",
               "data/hearings/*.txt", "data/hearings-train/*.txt"]
DEVELOPMENT = ["eval/interview-eu-kazakhstan.testset.jsonl", "eval/heldout/interview-eu-kazakhstan.heldout.jsonl",
               "eval/who-said.testset.jsonl", "eval/water-utility-qa.testset.jsonl", "eval/museum-podcast.testset.jsonl",
               "data/hearings/*.testset.jsonl", "data/hearings-train/*.testset.jsonl",
               "eval/hearings-unanswerable.testset.jsonl", "eval/unanswerable/*.jsonl"]
FALSE_ABSTENTION_TARGET = 0.03  # on out-of-fold predictions, below the 0.05 promised on new transcripts
ANSWER_PRECISION_TARGET = 0.92  # likewise, above the 0.9 promised
LIKELY_PRECISION_TARGET = 0.8  # "likely answer": right at least 0.75 of the time on new transcripts
MIN_ANSWERS = 20  # a "high" threshold needs this many out-of-fold answers above it
INNER_FOLDS = 5
TRANSCRIPT_BALANCE = 0.0
C_PASSAGE, C_SENTENCE, C_QUESTION = 0.1, 0.01, 0.1  # inverse L2 strength of the fits (features standardised)


def expand(patterns: list[str]) -> list[str]:
    """Repository-relative paths, globs expanded, in a stable order."""
    out = []
    for pattern in patterns:
        out += sorted(str(p.relative_to(ROOT)) for p in ROOT.glob(pattern)) if "*" in pattern else [pattern]
    return out


@dataclass
class Example:
    """One development question with what the answerer sees of it (features fixed; probabilities not)."""

    case: EvalCase
    group: str  # the transcript it is about: the unit left out
    query: retrieve.Query
    hits: list[retrieve.Hit]
    sentences: list[extractive.Sentence]
    known: frozenset[str]


def collect(store, embeddings, cases: list[EvalCase]) -> list[Example]:
    """Retrieval and sentence features of every case, by the answerer's own code."""
    corpus = store.corpus()
    retriever = retrieve.Retriever(store, embeddings)
    scorer = extractive.SentenceScorer(embeddings)
    examples = []
    for case in cases:
        question = " ".join(case.question.split())
        query, hits = retriever.search(standalone_question(question, case.history), k=8, sources=case.searched,
                                       corpus=corpus)
        sentences = scorer.features(query, hits, corpus.index, corpus.opening)
        examples.append(Example(case, Path(case.source).stem, query, hits, sentences, corpus.known_terms(case.searched)))
    return examples


# -- fitting ------------------------------------------------------------------------------------
def fit_logistic(x: np.ndarray, y: np.ndarray, features: tuple[str, ...], c: float = 1.0,
                 sample_weight: np.ndarray | None = None) -> calibration.LogisticModel:
    """L2-regularised logistic regression on standardised features, returned in raw units.

    >>> x = np.array([[0.0], [0.2], [0.8], [1.0]]); y = np.array([0, 0, 1, 1])
    >>> m = fit_logistic(x, y, ("x",), c=10.0)
    >>> m.decide([0.1]), m.decide([0.9])
    (False, True)
    """
    from sklearn.linear_model import LogisticRegression

    x = np.asarray(x, dtype=float)
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=c, max_iter=2000).fit((x - mean) / scale, np.asarray(y, dtype=int),
                                                        sample_weight=sample_weight)
    coef = model.coef_[0]
    weights = coef / scale
    bias = float(model.intercept_[0] - (coef * mean / scale).sum())
    return calibration.LogisticModel(tuple(features), tuple(float(w) for w in weights), bias)


def transcript_weights(examples: list[Example]) -> dict[str, float]:
    """A weight per question of each transcript, so that every transcript counts as much as
    `TRANSCRIPT_BALANCE` of its questions allow: 0 weighs questions alike, 1 transcripts alike."""
    counts: dict[str, int] = defaultdict(int)
    for e in examples:
        counts[e.group] += 1
    mean = len(examples) / len(counts)
    return {g: (mean / n) ** TRANSCRIPT_BALANCE for g, n in counts.items()}


def fit_ranker(groups: list[tuple[list[tuple[float, ...]], list[bool]]], features: tuple[str, ...], c: float,
               weights: list[float] | None = None) -> calibration.LogisticModel:
    """A linear score that puts the right item of each group above the others: logistic regression
    on the feature differences of (right, wrong) pairs, so its softmax within a group is a
    conditional logit (the bias is 0: only differences within a group matter).

    >>> m = fit_ranker([([(0.9,), (0.1,)], [True, False]), ([(0.2,), (0.7,)], [False, True])], ("x",), 10.0)
    >>> m.logit((0.8,)) > m.logit((0.3,))
    True
    """
    x, y, w = [], [], []
    for (rows, labels), weight in zip(groups, weights or [1.0] * len(groups)):
        right = [r for r, ok in zip(rows, labels) if ok]
        wrong = [r for r, ok in zip(rows, labels) if not ok]
        if not right or not wrong:
            continue
        share = weight / (len(right) * len(wrong))
        for a in right:
            for b in wrong:
                d = np.subtract(a, b)
                x += [d, -d]
                y += [1, 0]
                w += [share, share]
    from sklearn.linear_model import LogisticRegression

    if not x:  # no group with a right and a wrong item: nothing to rank by
        return calibration.LogisticModel(tuple(features), (0.0,) * len(features), 0.0)
    x = np.array(x)
    scale = np.abs(x).std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=c, fit_intercept=False, max_iter=2000).fit(x / scale, np.array(y), sample_weight=np.array(w))
    return calibration.LogisticModel(tuple(features), tuple(float(v) for v in model.coef_[0] / scale), 0.0)


def fit_sentence_models(examples: list[Example]) -> tuple[calibration.LogisticModel, calibration.LogisticModel]:
    """The passage ranker (which retrieved passage holds the answer?) on every answerable question,
    and the sentence ranker (which of its sentences?) on the passages where the gold holds some
    sentences and not others: hearing gold spans cover whole turns and so teach it nothing, as
    they should."""
    passage_groups, sentence_groups, weights = [], [], []
    balance = transcript_weights(examples)
    for e in examples:
        if not e.case.answerable or not e.sentences:
            continue
        by_passage: dict[str, list[extractive.Sentence]] = defaultdict(list)
        for s in e.sentences:
            by_passage[s.hit.passage.id].append(s)
        rows, labels = [], []
        for group in by_passage.values():
            p = group[0].hit.passage
            rows.append(group[0].passage_features)
            # an interviewer's question holds the answer only when the user asks about the interviewer
            # (hearing gold spans take in the member's question along with the answer)
            answers = p.role == "answer" or e.query.about_interviewer or (e.query.about and (p.source, p.speaker) in e.query.about)
            labels.append(bool(answers) and overlaps((p.start, p.end), e.case.gold_spans))
            sentence_labels = [overlaps((s.start, s.end), e.case.gold_spans) for s in group]
            sentence_groups.append(([s.features for s in group], sentence_labels))
        passage_groups.append((rows, labels))
        weights.append(balance[e.group])
    passage = fit_ranker(passage_groups, extractive.PASSAGE_FEATURES, C_PASSAGE, weights)
    sentence = fit_ranker(sentence_groups, extractive.SENTENCE_FEATURES, C_SENTENCE)
    return passage, sentence


def rescored(e: Example, models: tuple[calibration.LogisticModel, calibration.LogisticModel]) -> list[extractive.Sentence]:
    return extractive.score(e.sentences, *models)


@dataclass(frozen=True)
class Row:
    """Question-level evidence under one sentence model, with its labels."""

    features: tuple[float, ...]
    answerable: bool
    answer_hit: bool  # the answer's first quote overlaps the gold
    example: Example
    sentences: list[extractive.Sentence]


def question_row(e: Example, models, corpus_index) -> Row:
    sentences = rescored(e, models)
    features = confidence.evidence(e.query, e.hits, sentences, corpus_index, e.known)
    quotes = extractive.choose_quotes(sentences, 1, 1.1)
    hit = bool(e.case.answerable and quotes and overlaps((quotes[0][1], quotes[0][2]), e.case.gold_spans))
    return Row(features, e.case.answerable, hit, e, sentences)


def folds(groups: list[str], k: int) -> list[set[str]]:
    """`k` sets of groups of similar question counts (greedy: largest group into the smallest fold)."""
    counts = defaultdict(int)
    for g in groups:
        counts[g] += 1
    out: list[set[str]] = [set() for _ in range(min(k, len(counts)))]
    sizes = [0] * len(out)
    for g, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        i = sizes.index(min(sizes))
        out[i].add(g)
        sizes[i] += n
    return out


def cross_fitted_rows(examples: list[Example], corpus_index) -> list[Row]:
    """Question rows whose sentence probabilities come from a model fitted without their transcript."""
    rows: dict[int, Row] = {}
    for held in folds([e.group for e in examples], INNER_FOLDS):
        models = fit_sentence_models([e for e in examples if e.group not in held])
        for i, e in enumerate(examples):
            if e.group in held:
                rows[i] = question_row(e, models, corpus_index)
    return [rows[i] for i in range(len(examples))]


def fit_question_models(rows: list[Row]) -> tuple[calibration.LogisticModel, calibration.LogisticModel]:
    x = np.array([r.features for r in rows])
    answerable = fit_logistic(x, np.array([r.answerable for r in rows]), confidence.QUESTION_FEATURES, C_QUESTION)
    answer = fit_logistic(x, np.array([r.answer_hit for r in rows]), confidence.QUESTION_FEATURES, C_QUESTION)
    return answerable, answer


def choose_abstention_threshold(p: np.ndarray, answerable: np.ndarray) -> float:
    """The highest threshold that still answers all but FALSE_ABSTENTION_TARGET of the answerable."""
    ordered = np.sort(p[answerable])
    if not len(ordered):
        return 0.5
    return float(ordered[int(np.floor(FALSE_ABSTENTION_TARGET * len(ordered)))] - 1e-6)


def choose_answer_threshold(p: np.ndarray, hit: np.ndarray, kept: np.ndarray,
                            target: float = ANSWER_PRECISION_TARGET, above: float = 1.0) -> float:
    """The lowest threshold above which answers (among questions not abstained on, below `above`)
    reach `target` precision, with at least MIN_ANSWERS of them; `above` (no such label) if none does.

    >>> p = np.linspace(1, 0, 40); hit = np.arange(40) < 25
    >>> round(choose_answer_threshold(p, hit, np.ones(40, bool), 0.9), 3)
    0.333
    """
    band = kept & (p < above)
    order = np.argsort(-p[band])
    right = np.cumsum(hit[band][order])
    count = np.arange(1, len(order) + 1)
    good = [i for i in range(len(order)) if count[i] >= MIN_ANSWERS and right[i] / count[i] >= target]
    # the deepest cut whose precision still holds, among cuts where it holds from there up to the top
    best = None
    for i in good:
        if all(right[j] / count[j] >= target for j in range(MIN_ANSWERS - 1, i + 1)):
            best = i
    return float(p[band][order][best]) if best is not None else above


def choose_second_threshold(rows: list[Row]) -> float:
    """The sentence probability above which a further citation is more often right than wrong."""
    best, best_t = -1e9, 0.95
    for t in np.linspace(0.2, 0.95, 16):
        gain = 0.0
        for r in rows:
            if not r.answerable:
                continue
            for hit, s, e in extractive.choose_quotes(r.sentences, 3, float(t))[1:]:
                gain += 1.0 if overlaps((s, e), r.example.case.gold_spans) else -1.5
        if gain > best:
            best, best_t = gain, float(t)
    return round(best_t, 3)


def fit(examples: list[Example], corpus_index) -> calibration.Calibration:
    """All three models and their thresholds, from `examples` alone."""
    passage, sentence = fit_sentence_models(examples)
    rows = cross_fitted_rows(examples, corpus_index)
    answerable_model, answer_model = fit_question_models(rows)
    # thresholds on out-of-fold predictions of the question models
    p_answerable, p_answer = np.zeros(len(rows)), np.zeros(len(rows))
    for held in folds([r.example.group for r in rows], INNER_FOLDS):
        a, h = fit_question_models([r for r in rows if r.example.group not in held])
        for i, r in enumerate(rows):
            if r.example.group in held:
                p_answerable[i], p_answer[i] = a.probability(r.features), h.probability(r.features)
    labels = np.array([r.answerable for r in rows])
    hits = np.array([r.answer_hit for r in rows])
    abstain_at = choose_abstention_threshold(p_answerable, labels)
    kept = p_answerable >= abstain_at
    answer_at = choose_answer_threshold(p_answer, hits, kept)
    likely_at = choose_answer_threshold(p_answer, hits, kept, LIKELY_PRECISION_TARGET, answer_at)
    return calibration.Calibration(passage, sentence, replace(answerable_model, threshold=abstain_at),
                                   replace(answer_model, threshold=answer_at), choose_second_threshold(rows), likely_at)


# -- measuring ----------------------------------------------------------------------------------
def leave_one_transcript_out(examples: list[Example], store, embeddings, texts, passages_by_source,
                             settings: Settings) -> dict[str, list[Cited]]:
    """For each transcript: fit on the others, answer its questions with the real `Bot.ask`."""
    index = store.corpus().index
    results: dict[str, list[Cited]] = {}
    for group in sorted({e.group for e in examples}):
        started = time.perf_counter()
        calibrated = fit([e for e in examples if e.group != group], index)
        bot = Bot(settings, store, embeddings, calibrated=calibrated)
        results[group] = []
        for e in (e for e in examples if e.group == group):
            t = time.perf_counter()
            answer = bot.ask(e.case.question, e.case.history, sources=e.case.searched)
            results[group].append(cited_answer(e.case, answer, texts, passages_by_source, time.perf_counter() - t))
        log.info("%s: %d questions, %.1f s", group, len(results[group]), time.perf_counter() - started)
    return results


HEADLINE = ("questions", "answerable", "hit_rate", "hit_at_2", "highlight_hit_rate", "citation_precision",
            "answer_precision", "answer_coverage", "candidates_hit_rate", "shown_hit_rate", "abstention_recall",
            "false_abstention_rate", "cited_chars_per_answer", "verbatim_rate")
TARGETS = {"answer_precision": (">=", 0.9), "answer_coverage": (">=", 0.5), "shown_hit_rate": (">=", 0.85),
           "abstention_recall": (">=", 0.8), "false_abstention_rate": ("<=", 0.05), "cited_chars_per_answer": ("<=", 500),
           "verbatim_rate": (">=", 1.0)}


def kind(source: str) -> str:
    """"hearings" for a transcript under a hearings folder (data/hearings*/), else "interviews"."""
    return "hearings" if Path(source).parent.name.startswith("hearings") else "interviews"


def loto_report(results: dict[str, list[Cited]]) -> dict:
    pooled = [c for cs in results.values() for c in cs]
    by_kind = defaultdict(list)
    for c in pooled:
        by_kind[kind(c.source)].append(c)
    on_topic = [c for c in pooled if c.category != "off-topic"]
    report = {
        "note": "leave one transcript out: every figure is measured on a transcript the models were not fitted on",
        "targets": {k: f"{op} {v}" for k, (op, v) in TARGETS.items()},
        "pooled": summarize(pooled),
        "pooled_on_topic": summarize(on_topic),
        "off_topic": summarize([c for c in pooled if c.category == "off-topic"]),
        "by_kind": {k: summarize(v) for k, v in sorted(by_kind.items())},
        "by_transcript": {g: summarize(cs) for g, cs in results.items()},
        "labels": label_rates(pooled, labels.LABELS),
        "risk_coverage": {"all": risk_coverage(pooled), **{k: risk_coverage(v) for k, v in sorted(by_kind.items())}},
    }
    return report


def feature_separation(examples: list[Example], corpus_index) -> dict[str, dict[str, float]]:
    """For each transcript, how well each question-level feature alone separates answerable from
    unanswerable questions: the area under the ROC curve (0.5: not at all; below 0.5: the feature is
    lower for answerable ones). Sentence probabilities are cross-fitted, as in `fit`."""
    from sklearn.metrics import roc_auc_score

    rows = cross_fitted_rows(examples, corpus_index)
    out: dict[str, dict[str, float]] = {}
    for group in sorted({r.example.group for r in rows}) + ["all"]:
        chosen = [r for r in rows if group == "all" or r.example.group == group]
        labels = [r.answerable for r in chosen]
        if len(set(labels)) < 2:
            continue
        out[group] = {name: round(float(roc_auc_score(labels, [r.features[j] for r in chosen])), 3)
                      for j, name in enumerate(confidence.QUESTION_FEATURES)}
    return out


def loto_markdown(report: dict) -> str:
    cols = HEADLINE
    head = "| transcripts | " + " | ".join(cols) + " |"
    out = ["# Leave-one-transcript-out evaluation", "",
           "Made by `make calibrate` (`bot/evaluation/calibrate.py`). For each transcript the three models and "
           "their thresholds were fitted on all the other transcripts, then its questions went through `Bot.ask` "
           "and were scored like `python -m bot eval`. Targets: " +
           ", ".join(f"{k} {v}" for k, v in report["targets"].items()) + ".", "",
           "- `answer_precision`: share of stated answers (`confidence: high`) whose first quote is the answer; "
           "`answer_coverage`: share of answerable questions that got one;",
           "- `candidates_hit_rate`: share of answerable questions offered the closest passages whose passages hold the answer;",
           "- `shown_hit_rate`: share of answerable questions not abstained on whose citations hold the answer.", "",
           head, "|---" * (len(cols) + 1) + "|"]
    rows = [("all", report["pooled"]), ("all but off-topic questions", report["pooled_on_topic"]),
            ("off-topic questions only", report["off_topic"])]
    rows += [(f"all {k}", v) for k, v in report["by_kind"].items()]
    rows += list(report["by_transcript"].items())
    for name, m in rows:
        out.append(f"| {name} | " + " | ".join(reports.cell(m.get(c)) for c in cols) + " |")
    out += ["", "## What each label was measured to mean", "",
            "Each question was labelled by models fitted without its transcript. The rate is the share of answers "
            "with that label that were right (the first citation is the answer; for not addressed, nothing answers): "
            "it is the rate the app states.", "", "| label | answers | rate |", "|---|---|---|"]
    for label, m in report.get("labels", {}).items():
        out.append(f"| {label} | {m['answers']} | {reports.cell(m['rate'])} |")
    separation = report.get("feature_separation") or {}
    if separation:
        out += ["", "## How well each feature alone separates answerable from unanswerable questions", "",
                "Area under the ROC curve per transcript (0.5: not at all; far below 0.5: the feature is lower for "
                "answerable questions, which separates as well). Transcripts without unanswerable questions are left out.",
                "", "| feature | " + " | ".join(separation) + " |", "|---" * (len(separation) + 1) + "|"]
        for feature in confidence.QUESTION_FEATURES:
            out.append(f"| {feature} | " + " | ".join(f"{aucs[feature]:.2f}" for aucs in separation.values()) + " |")
    return "\n".join(out) + "\n"


def write_loto(report: dict, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "report.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    (folder / "report.md").write_text(loto_markdown(report), encoding="utf-8")
    reports.risk_chart(report["risk_coverage"], folder / "risk-coverage.png", "Risk–coverage, leave one transcript out")


def development_store(folder: Path, embeddings):
    settings = replace(Settings(), store_dir=folder, collection="development")
    store = open_store(settings, create=True, embeddings=embeddings)
    for path in expand(TRANSCRIPTS):
        store.add(load_transcript(path))
    return settings, store


def development_cases(store) -> tuple[list[EvalCase], dict[str, str], dict]:
    passages = store.corpus().passages
    texts = {s: store.source_text(s) for s in sorted({p.source for p in passages})}
    passages_by_source: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for p in passages:
        passages_by_source[p.source].append((p.start, p.end))
    cases = [c for path in expand(DEVELOPMENT) for c in load_testset(ROOT / path)]
    # questions about no transcript at all ("What is the capital of France?") are spread over the
    # transcripts, a different few for each, so that leaving one transcript out leaves its own out too
    spread = sorted(texts)
    unplaced = [i for i, c in enumerate(cases) if c.source is None and not c.answerable]
    for k, i in enumerate(unplaced):
        cases[i] = replace(cases[i], source=spread[k % len(spread)])
    return [resolve_gold(c, texts, passages_by_source) for c in cases], texts, passages_by_source


def _without_timings(summary: dict) -> dict:
    """A summary without latencies, which vary from run to run (the file changes only when the fit does)."""
    return {k: _without_timings(v) if isinstance(v, dict) else v for k, v in summary.items() if not k.startswith("latency")}


def main(argv: list[str] | None = None) -> int:
    os.chdir(ROOT)  # sources are stored as paths relative to the repository, as a user gives them
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dry-run", action="store_true", help="report without writing bot/calibration.json")
    parser.add_argument("--store", type=Path, help="keep (or reuse) the development store in this folder")
    parser.add_argument("--out", type=Path, default=ROOT / "eval" / "results" / "loto")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    embeddings = MiniLMEmbeddings()
    with tempfile.TemporaryDirectory() as scratch:
        settings, store = development_store(args.store or Path(scratch), embeddings)
        cases, texts, passages_by_source = development_cases(store)
        examples = collect(store, embeddings, cases)
        log.info("%d development questions over %d transcripts", len(examples), len({e.group for e in examples}))
        results = leave_one_transcript_out(examples, store, embeddings, texts, passages_by_source, settings)
        report = loto_report(results)
        report["feature_separation"] = feature_separation(examples, store.corpus().index)
        write_loto(report, args.out)
        print(loto_markdown(report))
        final = fit(examples, store.corpus().index)
    counts = defaultdict(int)
    for e in examples:
        counts[e.group] += 1
    data = {"note": "written by `make calibrate` (bot/evaluation/calibrate.py); do not edit by hand",
            "development_questions": dict(sorted(counts.items())),
            **replace(final, rates={k: (v["rate"], v["answers"]) for k, v in report["labels"].items()}).to_json(),
            "leave_one_transcript_out": {k: _without_timings(report[k])
                                         for k in ("pooled", "pooled_on_topic", "off_topic", "by_kind")}}
    if not args.dry_run:
        calibration.CALIBRATION_FILE.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {calibration.CALIBRATION_FILE.relative_to(ROOT)}", file=sys.stderr)
    return 0
