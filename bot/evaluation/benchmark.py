"""Speed and memory, measured and printed (`make bench`); results go to benchmarks/results.{json,md}.

    python scripts/benchmark.py [--asks 200] [--cold-runs 5]

- ingest: embedding throughput (passages/s, model only) and end-to-end ingest throughput into a
  fresh embedded Chroma store (parse + embed + write), on the bundled interview and the hearings;
- warm `ask` latency p50/p95 on the bundled interview (one process, model and store loaded);
- cold `python -m bot ask` wall time (a new process each time, as a user runs it);
- peak resident memory of the benchmark process and of a cold `ask` process.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from bot.evaluation.evaluate import load_testset
from bot.evaluation.metrics import percentile
from bot.pipeline import Bot
from bot.settings import Settings
from ingest import load_transcript
from bot.backends import open_store
from vectorstore import MiniLMEmbeddings

ROOT = Path(__file__).resolve().parents[2]

INTERVIEW = "data/interviews/interview-eu-kazakhstan-2024-11-27.txt"
HEARINGS = sorted(os.path.relpath(p, ROOT) for p in (ROOT / "data/hearings").glob("*.txt"))


def measure_ingest(folder: Path, embeddings) -> dict:
    transcripts = [load_transcript(p) for p in [INTERVIEW, *HEARINGS]]
    passages = [p.text for t in transcripts for p in t.passages]
    embeddings.embed(["warm up"])
    started = time.perf_counter()
    embeddings.embed(passages)
    embed_seconds = time.perf_counter() - started
    store = open_store(replace(Settings(), store_dir=folder), create=True, embeddings=embeddings)
    started = time.perf_counter()
    for t in transcripts:
        store.add(t)
    ingest_seconds = time.perf_counter() - started
    chars = sum(map(len, passages))
    return {
        "transcripts": len(transcripts), "passages": len(passages), "mean_passage_chars": round(chars / len(passages)),
        "embedding_passages_per_s": round(len(passages) / embed_seconds, 1),
        "embedding_chars_per_s": round(chars / embed_seconds),
        "ingest_passages_per_s": round(len(passages) / ingest_seconds, 1),
        "ingest_seconds": round(ingest_seconds, 2),
    }


def measure_warm(folder: Path, embeddings, asks: int) -> dict:
    settings = replace(Settings(), store_dir=folder)
    bot = Bot(settings, open_store(settings, embeddings=embeddings), embeddings)
    questions = [c.question for c in load_testset(ROOT / "eval/interview-eu-kazakhstan.testset.jsonl") if not c.history]
    for q in questions:  # warm: model loaded, sentence vectors cached
        bot.ask(q, sources=[INTERVIEW])
    seconds = []
    for i in range(asks):
        started = time.perf_counter()
        bot.ask(questions[i % len(questions)], sources=[INTERVIEW])
        seconds.append(time.perf_counter() - started)
    return {"asks": asks, "warm_ask_p50_ms": round(percentile(seconds, 50) * 1000, 1),
            "warm_ask_p95_ms": round(percentile(seconds, 95) * 1000, 1)}


def measure_cold(folder: Path, runs: int) -> dict:
    walls, rss = [], []
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VERBATIM_", "OPENAI_"))}
    for _ in range(runs):
        started = time.perf_counter()
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        result = subprocess.run([sys.executable, "-m", "bot", "ask", "What values does the EU base its agreements on?",
                                 "--store", str(folder), "--json"], capture_output=True, text=True, env=env, timeout=120)
        walls.append(time.perf_counter() - started)
        rss.append(max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
        if result.returncode != 0:
            raise SystemExit(f"cold ask failed: {result.stderr}")
    return {"cold_ask_runs": runs, "cold_ask_median_s": round(statistics.median(walls), 2),
            "cold_ask_max_s": round(max(walls), 2), "cold_ask_peak_rss_mb": round(max(rss) / 1024)}


def main(argv: list[str] | None = None) -> int:
    os.chdir(ROOT)  # sources are stored as paths relative to the repository, as a user gives them
    parser = argparse.ArgumentParser(description="Verbatim benchmark")
    parser.add_argument("--asks", type=int, default=200)
    parser.add_argument("--cold-runs", type=int, default=5)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks")
    args = parser.parse_args(argv)
    embeddings = MiniLMEmbeddings()
    results = {"machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
               "date": time.strftime("%Y-%m-%d")}
    with tempfile.TemporaryDirectory() as folder:
        store = Path(folder) / "store"
        results |= measure_ingest(store, embeddings)
        results |= measure_warm(store, embeddings, args.asks)
        results["benchmark_peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
        results |= measure_cold(store, args.cold_runs)
    width = max(map(len, results))
    lines = [f"{k.ljust(width)}  {v}" for k, v in results.items()]
    print("\n".join(lines))
    args.out.mkdir(exist_ok=True)
    (args.out / "results.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    (args.out / "results.md").write_text(
        "# Benchmark results\n\nMade by `make bench` (`python scripts/benchmark.py`).\n\n```\n" + "\n".join(lines) + "\n```\n",
        encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
