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
from bot.evaluation.metrics import Cited, first_is_hit, label_rates, overlaps, risk_coverage, summarize
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
DEVELOPMENT = ["eval/interview-eu-kazakhstan.testset.jsonl", "eval/interviewer-facts.testset.jsonl", "eval/heldout/interview-eu-kazakhstan.heldout.jsonl",
               "eval/who-said.testset.jsonl", "eval/water-utility-qa.testset.jsonl", "eval/museum-podcast.testset.jsonl",
               "data/hearings/*.testset.jsonl", "data/hearings-train/*.testset.jsonl",
               "eval/hearings-unanswerable.testset.jsonl", "eval/unanswerable/*.jsonl"]
FALSE_ABSTENTION_TARGET = 0.03  # on out-of-fold predictions, below the 0.05 promised on new transcripts
ON_TOPIC_FALSE_ABSTENTION = 0.015  # the share of that taken by questions judged off every topic
ANSWER_PRECISION_TARGET = 0.92  # likewise, above the 0.9 promised
LIKELY_PRECISION_TARGET = 0.78  # "likely answer": right at least 0.75 of the time on new transcripts
MIN_ANSWERS = 20  # a "high" threshold needs this many out-of-fold answers above it
SCOPE_SIZES = (2, 20)  # each question is also asked with this many transcripts searched (its own among them)
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
    quotes = extractive.choose_candidates(sentences, 3)  # the first quote as the reader sees it
    hit = bool(e.case.answerable and quotes and quotes[0][0].passage.source == e.case.source
               and overlaps((quotes[0][1], quotes[0][2]), e.case.gold_spans))
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


def columns(x: np.ndarray, features: tuple[str, ...]) -> np.ndarray:
    """The columns of question rows `x` (in `QUESTION_FEATURES` order) that `features` names."""
    return x[:, [confidence.QUESTION_FEATURES.index(f) for f in features]]


@dataclass(frozen=True)
class QuestionModels:
    on_topic: calibration.LogisticModel
    answerable: calibration.LogisticModel
    answer: calibration.LogisticModel

    def probabilities(self, rows: list[Row]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        named = [dict(zip(confidence.QUESTION_FEATURES, r.features)) for r in rows]
        return tuple(np.array([m.probability_of(n) for n in named]) for m in (self.on_topic, self.answerable, self.answer))


def fit_question_models(rows: list[Row]) -> QuestionModels:
    """`on_topic` learns answerable against off-topic questions only (the on-topic unanswerable ones
    are about the transcripts' topics); `answerable` and `answer` learn from every question."""
    x = np.array([r.features for r in rows])
    topical = np.array([r.answerable or r.example.case.category == "off-topic" for r in rows])
    on_topic = fit_logistic(columns(x[topical], confidence.ON_TOPIC_FEATURES),
                            np.array([r.answerable for r in rows])[topical], confidence.ON_TOPIC_FEATURES, C_QUESTION)
    answerable = fit_logistic(columns(x, confidence.ANSWERABLE_FEATURES), np.array([r.answerable for r in rows]),
                              confidence.ANSWERABLE_FEATURES, C_QUESTION)
    answer = fit_logistic(columns(x, confidence.ANSWERABLE_FEATURES), np.array([r.answer_hit for r in rows]),
                          confidence.ANSWERABLE_FEATURES, C_QUESTION)
    return QuestionModels(on_topic, answerable, answer)


def choose_abstention_threshold(p: np.ndarray, answerable: np.ndarray, share: float = FALSE_ABSTENTION_TARGET) -> float:
    """The highest threshold that still answers all but `share` of the answerable.

    >>> choose_abstention_threshold(np.array([0.1, 0.5, 0.9, 0.2]), np.array([True, True, True, False]), 0.0) < 0.1
    True
    """
    ordered = np.sort(p[answerable])
    if not len(ordered):
        return 0.5
    return float(ordered[int(np.floor(share * len(ordered)))] - 1e-6)


def choose_answer_threshold(p: np.ndarray, hit: np.ndarray, kept: np.ndarray,
                            target: float = ANSWER_PRECISION_TARGET, above: float = 1.0, everywhere: bool = True) -> float:
    """The lowest threshold above which answers (among questions not abstained on, below `above`)
    reach `target` precision, with at least MIN_ANSWERS of them; `above` (no such label) if none does.
    With `everywhere`, every cut from MIN_ANSWERS down to the chosen one must reach it too (a label
    that promises "the answer"); without, the answers of the band together (a label that states a rate).

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
        if not everywhere or all(right[j] / count[j] >= target for j in range(MIN_ANSWERS - 1, i + 1)):
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
    models = fit_question_models(rows)
    # thresholds on out-of-fold predictions of the question models
    p_topic, p_answerable, p_answer = np.zeros(len(rows)), np.zeros(len(rows)), np.zeros(len(rows))
    for held in folds([r.example.group for r in rows], INNER_FOLDS):
        inner = fit_question_models([r for r in rows if r.example.group not in held])
        chosen = [i for i, r in enumerate(rows) if r.example.group in held]
        p_topic[chosen], p_answerable[chosen], p_answer[chosen] = inner.probabilities([rows[i] for i in chosen])
    labels = np.array([r.answerable for r in rows])
    hits = np.array([r.answer_hit for r in rows])
    # off-topic first, with part of the false abstentions allowed; the rest for the unanswered on-topic
    topic_at = choose_abstention_threshold(p_topic, labels, ON_TOPIC_FALSE_ABSTENTION)
    on_topic = p_topic >= topic_at
    left = max(0.0, FALSE_ABSTENTION_TARGET - float(np.mean(~on_topic[labels])))
    abstain_at = choose_abstention_threshold(p_answerable, labels & on_topic, left * labels.sum() / max(1, (labels & on_topic).sum()))
    kept = on_topic & (p_answerable >= abstain_at)
    answer_at = choose_answer_threshold(p_answer, hits, kept)
    likely_at = choose_answer_threshold(p_answer, hits, kept, LIKELY_PRECISION_TARGET, answer_at, everywhere=False)
    return calibration.Calibration(passage, sentence, replace(models.answerable, threshold=abstain_at),
                                   replace(models.answer, threshold=answer_at), choose_second_threshold(rows), likely_at,
                                   replace(models.on_topic, threshold=topic_at))


# -- measuring ----------------------------------------------------------------------------------
def leave_one_transcript_out(examples: list[Example], store, embeddings, texts, passages_by_source,
                             settings: Settings) -> dict[str, list[Cited]]:
    """For each transcript: fit on the others, answer its questions with the real `Bot.ask`."""
    index = store.corpus().index
    results: dict[str, list[Cited]] = {}
    for group in sorted({e.group for e in examples}):
        started = time.perf_counter()
        # nothing of the left-out transcript is fitted on: not its questions, nor other questions
        # that searched it beside their own
        calibrated = fit([e for e in examples if e.group != group and group not in searched_groups(e)], index)
        bot = Bot(settings, store, embeddings, calibrated=calibrated)
        results[group] = []
        for e in (e for e in examples if e.group == group):
            t = time.perf_counter()
            answer = bot.ask(e.case.question, e.case.history, sources=e.case.searched)
            results[group].append(cited_answer(e.case, answer, texts, passages_by_source, time.perf_counter() - t))
        log.info("%s: %d questions, %.1f s", group, len(results[group]), time.perf_counter() - started)
    return results


HEADLINE = ("questions", "answerable", "hit_rate", "hit_at_2", "highlight_hit_rate", "citation_precision",
            "answer_precision", "answer_coverage", "likely_precision", "likely_coverage", "candidates_hit_rate", "shown_hit_rate", "abstention_recall",
            "false_abstention_rate", "cited_chars_per_answer", "verbatim_rate")
TARGETS = {"answer_precision": (">=", 0.9), "answer_coverage": (">=", 0.5), "shown_hit_rate": (">=", 0.85),
           "abstention_recall": (">=", 0.8), "false_abstention_rate": ("<=", 0.05), "cited_chars_per_answer": ("<=", 500),
           "verbatim_rate": (">=", 1.0)}


def kind(source: str) -> str:
    """"hearings" for a transcript under a hearings folder (data/hearings*/), else "interviews"."""
    return "hearings" if Path(source).parent.name.startswith("hearings") else "interviews"


def label_thresholds(results: dict[str, list[Cited]]) -> tuple[float, float]:
    """The P(answer) thresholds of the "answer" and "likely" labels, chosen on the probabilities that
    models fitted without each question's transcript gave it: what a label promises is what it held
    on transcripts the models never saw (ANSWER_PRECISION_TARGET, LIKELY_PRECISION_TARGET), not what
    the inner folds of one fit suggested."""
    answers = [c for cs in results.values() for c in cs]
    p = np.array([c.score or 0.0 for c in answers])
    hit = np.array([first_is_hit(c) for c in answers])
    kept = np.array([not c.abstained for c in answers])
    answer_at = choose_answer_threshold(p, hit, kept)
    return answer_at, choose_answer_threshold(p, hit, kept, LIKELY_PRECISION_TARGET, answer_at, everywhere=False)


def relabelled(c: Cited, answer_at: float, likely_at: float) -> Cited:
    """A left-out answer labelled by the chosen thresholds (its probability came from models that
    never saw its transcript)."""
    if c.abstained:
        return replace(c, label=labels.NOT_ADDRESSED)
    score = c.score or 0.0
    label = labels.ANSWER if score >= answer_at else labels.LIKELY if score >= likely_at else labels.CLOSEST
    return replace(c, label=label, outcome="answer" if label == labels.ANSWER else "candidates")


def searched_groups(e: Example) -> set[str]:
    """The transcripts (as groups) a development question searches."""
    return {Path(s).stem for s in e.case.searched or [e.case.source]}


def scope_size(c: Cited) -> int:
    """How many transcripts a development question searched: 1, or the size its id says (`kz-001@20`)."""
    return int(c.question_id.rsplit("@", 1)[1]) if "@" in c.question_id else 1


def widened(cases: list[EvalCase], sources: list[str], sizes: tuple[int, ...] = SCOPE_SIZES) -> list[EvalCase]:
    """Each question about one transcript asked again with others searched beside it (`sizes`
    transcripts in all, the others drawn at random but always the same for a question), so that the
    models learn, and the report shows, what many interviews in a store do to "not addressed".

    >>> c = EvalCase("q1", "Why?", [], True, ["x"], [(0, 1)], "a.txt", None)
    >>> [(w.id, len(w.scope), "a.txt" in w.scope) for w in widened([c], ["a.txt", "b.txt", "c.txt"], (2, 3))]
    [('q1@2', 2, True), ('q1@3', 3, True)]
    """
    import random

    out = []
    for case in cases:
        if case.scope or case.source is None:  # already asked over several transcripts, or about none
            continue
        others = [s for s in sources if s != case.source]
        for n in sizes:
            if n - 1 <= len(others):
                drawn = random.Random(f"{case.id}@{n}").sample(others, n - 1)
                out.append(replace(case, id=f"{case.id}@{n}", scope=tuple(sorted([case.source, *drawn]))))
    return out


def loto_report(results: dict[str, list[Cited]]) -> dict:
    everything = [c for cs in results.values() for c in cs]
    sizes = defaultdict(list)
    for c in everything:
        sizes[scope_size(c)].append(c)
    pooled = sizes[1]  # each question over its own transcript; other sizes are reported apart
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
        "by_transcript": {g: summarize([c for c in cs if scope_size(c) == 1]) for g, cs in results.items()},
        "by_size": {str(n): {"all": summarize(cs), "on_topic": summarize([c for c in cs if c.category != "off-topic"]),
                        "off_topic": summarize([c for c in cs if c.category == "off-topic"])}
                    for n, cs in sorted(sizes.items())},
        # what a label states is measured over stores of one, two and twenty interviews alike
        "labels": label_rates(everything, labels.LABELS),
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
    out += ["", "## Not addressed with one, two and twenty interviews searched", "",
            "Each development question asked again with other transcripts searched beside its own (drawn at random, "
            "the same for every run), fitted and measured leaving its transcript out.", "",
            "| transcripts searched | questions | hit rate | hit@2 | off-topic abstention | on-topic unanswerable abstention | "
            "false abstention |", "|---|---|---|---|---|---|---|"]
    for n, m in report.get("by_size", {}).items():
        out.append(f"| {n} | {m['all']['questions']} | {reports.cell(m['all']['hit_rate'])} | "
                   f"{reports.cell(m['all']['hit_at_2'])} | {reports.cell(m['off_topic']['abstention_recall'])} | "
                   f"{reports.cell(m['on_topic']['abstention_recall'])} | {reports.cell(m['all']['false_abstention_rate'])} |")
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
    cases = [resolve_gold(c, texts, passages_by_source) for c in cases]
    return cases + widened(cases, spread), texts, passages_by_source


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
        answer_at, likely_at = label_thresholds(results)
        results = {g: [relabelled(c, answer_at, likely_at) for c in cs] for g, cs in results.items()}
        report = loto_report(results)
        report["label_thresholds"] = {"answer": answer_at, "likely": likely_at}
        report["feature_separation"] = feature_separation(examples, store.corpus().index)
        write_loto(report, args.out)
        print(loto_markdown(report))
        final = fit(examples, store.corpus().index)
    counts = defaultdict(int)
    for e in examples:
        counts[e.group] += 1
    data = {"note": "written by `make calibrate` (bot/evaluation/calibrate.py); do not edit by hand",
            "development_questions": dict(sorted(counts.items())),
            **replace(final, answer=replace(final.answer, threshold=answer_at), likely_threshold=likely_at,
                      rates={k: (v["rate"], v["answers"]) for k, v in report["labels"].items()}).to_json(),
            "leave_one_transcript_out": {k: _without_timings(report[k])
                                         for k in ("pooled", "pooled_on_topic", "off_topic", "by_kind", "by_size")}}
    if not args.dry_run:
        calibration.CALIBRATION_FILE.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {calibration.CALIBRATION_FILE.relative_to(ROOT)}", file=sys.stderr)
    return 0
