"""`make bench`: the synthetic corpus, the vector cache, the targets, and a tiny bench end to end.

The tiny bench is one interview with hashed-word vectors (`--embeddings hash`) and no server, so
it takes seconds; the real sizes are the lead's full run (`make bench`).
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from bot.evaluation import bench_report, benchmark
from bot.evaluation.bench_worker import CachedEmbeddings
from bot.evaluation.synthetic import ROOT, contained_questions, load_pool, make_interview
from ingest import parse_transcript


@pytest.fixture(scope="module")
def pool():
    return load_pool()


def test_synthetic_interviews_are_real_speech_recombined_deterministically(pool):
    first, again, other = make_interview(pool, 3), make_interview(pool, 3), make_interview(pool, 4)
    assert first == again and first.text != other.text
    transcript = parse_transcript(first.text, first.name)
    assert transcript.format == "speakers" and transcript.date and "synthetic interview 3" in transcript.title
    assert len(transcript.passages) == first.passages and 100 <= first.passages <= 400
    asker, speaker = transcript.speakers
    questions, answers = transcript.questions, transcript.answer_passages
    assert {t.speaker for t in questions} == {asker} and {p.speaker for p in answers} == {speaker}
    assert len(questions) == len(first.exchanges)
    for exchange, question in zip(first.exchanges, questions):  # question and answer kept together, verbatim
        origin = (ROOT / exchange.origin).read_text(encoding="utf-8")
        assert question.text == exchange.question and exchange.question in origin
        assert all(paragraph in origin.replace("\n", " ") for paragraph in exchange.answers)
        assert asker not in origin and speaker not in origin


def test_contained_questions_name_the_interview_holding_their_gold_turns(pool):
    interviews = [make_interview(pool, i) for i in range(5)]
    asks = contained_questions(pool, interviews, limit=12)
    names = {i.name for i in interviews}
    assert 5 <= len(asks) <= 12 and all(a["file"] in names for a in asks)
    assert len({a["id"] for a in asks}) == len(asks)


def test_the_vector_cache_gives_the_models_bytes(minilm):
    texts = ["We always base our work on European values.", "Schools reopen in September?", "A third, longer text " * 9]
    cached = CachedEmbeddings(minilm, dict(zip(texts[:2], minilm.embed(texts[:2]))))
    vectors = cached.embed_documents(texts + texts[:1])
    assert cached.misses == 1 and cached.name == minilm.name
    for text, vector in zip(texts + texts[:1], vectors):
        assert np.asarray(vector, dtype=np.float32).tobytes() == minilm.embed([text])[0].tobytes()


def test_targets_are_met_missed_or_not_measured():
    rows = [{"interviews": 100, "mode": "embedded", "vectors": "model", "ingest_pps": 150.0, "ingest_ratio": 0.8},
            {"interviews": 1000, "mode": "embedded", "vectors": "cache", "warm_p50_ms": 40.0, "warm_p95_ms": 120.0,
             "cold_s": 2.5, "cold_rss_mb": 700.0, "beyond_vectors_bytes_per_passage": 2900.0}]
    checked = bench_report.targets(rows)
    assert [t["met"] for t in checked] == [False, True, True, False, True, False, True, None]
    assert checked[0]["where"] == "100 interviews, model vectors" and checked[-1]["shown"] == "not measured"


def test_a_tiny_bench_measures_and_writes_its_results(tmp_path, capsys):
    out = tmp_path / "results"
    code = benchmark.main(["--sizes", "1", "--embeddings", "hash", "--no-server", "--asks", "4", "--questions", "3",
                           "--label", "test run", "--out", str(out), "--work", str(tmp_path / "work")])
    assert code == 0
    results = json.loads((out / "bench.json").read_text(encoding="utf-8"))
    embedded, tutorial = results["rows"]
    corpus = sorted((tmp_path / "work" / "corpus-1").glob("*.txt"))
    assert len(corpus) == 1
    parsed = parse_transcript(corpus[0].read_text(encoding="utf-8"), "x.txt")
    assert embedded["mode"] == "embedded" and embedded["passages"] == len(parsed.passages) == results["mean_passages"]
    assert embedded["vectors"] == "hash" and embedded["ingest_pps"] > 0 and embedded["ingest_rss_mb"] > 50
    assert 0 < embedded["warm_p50_ms"] <= embedded["warm_p95_ms"] and embedded["questions"] == 3
    assert embedded["store_bytes_per_passage"] > embedded["beyond_vectors_bytes_per_passage"] > 0
    assert tutorial["mode"] == "tutorial" and tutorial["chunks"] > 0 and tutorial["warm_p50_ms"] > 0
    assert len(results["targets"]) == 8 and all(t["met"] is None for t in results["targets"])
    assert "hashed words" in results["vectors_note"] and results["label"] == "test run"
    assert results["arguments"].startswith("--sizes 1 --embeddings hash") and "'test run'" in results["arguments"]
    printed = capsys.readouterr().out
    assert "warm p50 ms" in printed and "Mean passages per interview: " in printed
    markdown = (out / "bench.md").read_text(encoding="utf-8")
    assert markdown.startswith("# Benchmark: test run") and "| 1 | " in markdown and "bench.png" in markdown
    assert (out / "bench.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_sizes_that_are_not_counts_of_interviews_are_one_line(capsys):
    for sizes in ("0", "ten", ""):
        with pytest.raises(SystemExit) as exited:
            benchmark.main(["--sizes", sizes])
        assert exited.value.code == 2
        assert "give numbers of interviews (1 or more)" in capsys.readouterr().err
