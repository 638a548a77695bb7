"""Evaluation: metric functions on hand-made cases, test-set validation, the eval command end to end."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from bot.errors import InputError
from bot.evaluation.evaluate import EvalCase, build_report, gold_passages, load_testset, resolve_gold
from bot.evaluation.metrics import Cited, is_hit, overlaps, percentile, reciprocal_rank, summarize
from tests.conftest import ROOT


def cited(answerable=True, abstained=False, citations=(), gold=((10, 20),), passages=((0, 30),), source="a.txt",
          retrieved=(), seconds=0.01, category=None):
    return Cited("q", answerable, abstained, list(citations), list(gold), list(passages), source, list(retrieved),
                 seconds, category)


def test_overlap_is_at_least_one_shared_character():
    assert overlaps((0, 11), [(10, 20)]) and not overlaps((0, 10), [(10, 20)]) and not overlaps((20, 25), [(10, 20)])
    assert overlaps((12, 14), [(10, 20)]) and overlaps((5, 50), [(10, 20)])


def test_hit_precision_and_chars_on_known_cases():
    results = [
        cited(citations=[("a.txt", 12, 18, True)]),                               # hit, precise
        cited(citations=[("a.txt", 25, 29, True), ("a.txt", 40, 60, True)]),      # miss; one citation in the gold passage
        cited(citations=[("b.txt", 12, 18, True)]),                               # right offsets, wrong transcript
        cited(abstained=True),                                                    # false abstention
        cited(answerable=False, abstained=True, gold=()),                         # right abstention
        cited(answerable=False, citations=[("a.txt", 0, 5, False)], gold=()),     # should have abstained; not verbatim
    ]
    m = summarize(results)
    assert m["hit_rate"] == 0.25
    assert m["citation_precision"] == 0.5  # 2 of the 4 citations of answered answerable questions
    assert m["verbatim_rate"] == 0.8
    assert m["abstention_recall"] == 0.5 and m["false_abstention_rate"] == 0.25
    assert m["cited_chars_per_answer"] == pytest.approx((6 + 4 + 20 + 6 + 5) / 4)


def test_empty_citations_and_undefined_rates():
    m = summarize([cited(answerable=False, gold=(), abstained=True)])
    assert m["hit_rate"] is None and m["citation_precision"] is None and m["verbatim_rate"] is None
    assert m["abstention_recall"] == 1.0
    assert not is_hit(cited(citations=[]))


def test_mrr_and_recall_from_the_retrieved_list():
    c = cited(retrieved=[("a.txt", 40, 50), ("b.txt", 10, 20), ("a.txt", 15, 25)])
    assert reciprocal_rank(c) == pytest.approx(1 / 3)
    assert summarize([c])["recall_at_3"] == 1.0 and summarize([c])["mrr"] == pytest.approx(0.3333, abs=1e-4)


def test_percentiles():
    assert percentile([], 50) == 0.0
    assert percentile([5.0], 95) == 5.0
    assert percentile([1, 2, 3, 4, 5], 95) == pytest.approx(4.8)


def test_gold_quotes_become_spans_and_gold_passages():
    texts = {"a.txt": "Q? We agree. Fully.", "b.txt": "Other text."}
    case = EvalCase("1", "q", [], True, ["We agree."], [], None, None, origin="x.jsonl")
    resolved = resolve_gold(case, texts, {})
    assert (resolved.source, resolved.gold_spans) == ("a.txt", [(3, 12)])
    assert gold_passages(resolved, [(0, 2), (3, 19)]) == [(3, 19), (3, 12)]
    with pytest.raises(InputError, match="not found verbatim"):
        resolve_gold(EvalCase("2", "q", [], True, ["We disagree."], [], "a.txt", None), texts, {})
    with pytest.raises(InputError, match="not in the store"):
        resolve_gold(EvalCase("3", "q", [], True, ["x"], [], "c.txt", None), texts, {})


def test_source_from_the_test_set_name_when_the_store_holds_several(tmp_path):
    texts = {"h/covid_0.txt": "abc", "h/education_1.txt": "def"}
    case = EvalCase("1", "q", [], True, [], [(0, 2)], None, None, origin=str(tmp_path / "covid_0.testset.jsonl"))
    assert resolve_gold(case, texts, {}).source == "h/covid_0.txt"


@pytest.mark.parametrize(("line", "message"), [
    ("{not json", "not valid JSON"),
    ('{"id": 1}', "needs a non-empty"),
    ('{"question": "q?", "answerable": "yes"}', "true or false"),
    ('{"question": "q?"}', "needs gold_quotes or gold_spans"),
    ('{"question": "q?", "gold_spans": [[5, 2]]}', "pairs"),
])
def test_bad_test_set_lines_are_named(tmp_path, line, message):
    path = tmp_path / "t.jsonl"
    path.write_text(line + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=message) as info:
        load_testset(path)
    assert "t.jsonl:1" in str(info.value)


def test_categories_and_failures_in_the_report():
    cases = [EvalCase("a", "qa", [], True, ["x"], [(10, 20)], "a.txt", "paraphrase"),
             EvalCase("b", "qb", [], False, [], [], "a.txt", "unanswerable")]
    bot = [Cited("a", True, False, [("a.txt", 0, 5, True)], [(10, 20)], [(0, 30)], "a.txt", category="paraphrase"),
           Cited("b", False, False, [("a.txt", 0, 5, True)], [], [], "a.txt", category="unanswerable")]
    report = build_report(cases, {"bot": bot}, "extractive", {"a.txt": "Hello world and more text here."})
    assert report["categories"]["bot"]["paraphrase"]["hit_rate"] == 0.0
    assert report["categories"]["bot"]["unanswerable"]["abstention_recall"] == 0.0
    assert [f["id"] for f in report["failures"]] == ["a", "b"]
    assert report["failures"][0]["cited"][0]["quote"] == "Hello"


def test_eval_command_end_to_end(tmp_path):
    store = tmp_path / "store"
    source = "data/interviews/interview-eu-kazakhstan-2024-11-27.txt"
    assert subprocess.run([sys.executable, "-m", "ingest", source, "--store", str(store)], cwd=ROOT,
                          capture_output=True).returncode == 0
    testset = tmp_path / "tiny.jsonl"
    testset.write_text("\n".join(json.dumps(x) for x in [
        {"id": "w", "question": "Is water a human right?", "gold_quotes": ["Water is also a human right."], "category": "paraphrase"},
        {"id": "f", "question": "What is the capital of France?", "answerable": False, "category": "unanswerable"},
    ]) + "\n", encoding="utf-8")
    report_dir = tmp_path / "report"
    result = subprocess.run([sys.executable, "-m", "bot", "eval", str(testset), "--store", str(store), "--report",
                             str(report_dir), "--baselines"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0].split()[:3] == ["system", "hit", "rate"]
    report = json.loads((report_dir / "report.json").read_text(encoding="utf-8"))
    bot = report["systems"]["bot"]
    assert (bot["hit_rate"], bot["abstention_recall"], bot["verbatim_rate"]) == (1.0, 1.0, 1.0)
    assert set(report["systems"]) == {"bot", "bm25-top3", "bm25-top1", "dense-top3", "dense-top1", "rcts-chroma-top4"}
    assert report["systems"]["bm25-top3"]["abstention_recall"] == 0.0, "baselines never abstain"
    markdown = (report_dir / "report.md").read_text(encoding="utf-8")
    for name, metrics in report["systems"].items():
        row = next(line for line in markdown.splitlines() if line.startswith(f"| {name} |"))
        assert f"{metrics['hit_rate']:.3f}" in row, "report.md agrees with report.json"
    assert (report_dir / "chart.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
