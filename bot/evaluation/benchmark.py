"""`make bench`: speed and memory at corpus scale, printed as a table and written to benchmarks/results/.

    python scripts/benchmark.py                      # 1, 100 and 1,000 interviews (the lead's full run)
    python scripts/benchmark.py --sizes 1,10 --label "development run"   # a few minutes
    python scripts/benchmark.py --large              # adds 10,000 interviews
    python scripts/benchmark.py --sizes 1 --embeddings hash --no-server  # the store alone, seconds

For each size, deterministic synthetic interviews made of real speech (`bot.evaluation.synthetic`)
are written as transcript files, then measured, each measured process fresh (peak RSS its own):
- ingest: `python -m ingest FOLDER` end to end (passages/s, peak RSS) and the raw model on the
  same passages in the same run, their ratio. Sizes above `--model-limit` interviews are ingested
  with vectors looked up by exact text (the model's own vectors, byte-identical on a checked
  sample): that rate is the store's, without the model, and the output says so;
- the store on disk per passage, and beyond the vectors (passages × dimension × 4 bytes);
- questions: warm `Bot.ask` p50/p95 in one process after a warm-up, scoped to the interview that
  holds the question and unscoped, over test-set questions the corpus answers; cold
  `python -m bot ask` wall time (median of `--cold-runs`) and peak RSS; embedded, and through
  `chroma run` with `VERBATIM_CHROMA_URL` (`--server`, on when the venv has `chroma`);
- the tutorial recipe (`RecursiveCharacterTextSplitter(1000, 200)` + Chroma top-4) on the same
  corpus, up to `--tutorial-limit` interviews: its ingest rate and query latency.
Before this, the bench measured the bundled interview and three hearings only; the same figures
(model and ingest throughput, warm and cold ask, peak RSS) are now taken at every size.
"""

from __future__ import annotations

import argparse
import os
import platform
import shlex
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bot.evaluation import bench_report
from bot.evaluation.bench_process import CHROMA, ROOT, BenchError, chroma_server, clean_env, disk_bytes, measured, worker
from bot.evaluation.synthetic import contained_questions, load_pool, make_interview, write_corpus

DIMENSIONS = {"minilm": 384, "hash": 64}


def say(text: str) -> None:
    """Progress on stderr, so a long run shows where it is (the results go to stdout)."""
    print(f"{time.strftime('%H:%M:%S')} {text}", file=sys.stderr, flush=True)


def _ints(text: str) -> list[int]:
    try:
        sizes = sorted({int(x.replace("_", "")) for x in text.split(",") if x.strip()})
    except ValueError:
        sizes = []
    if not sizes or sizes[0] < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: give numbers of interviews (1 or more) separated by commas, "
                                         f"e.g. 1,100,1000")
    return sizes


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python scripts/benchmark.py", description="Verbatim benchmark at corpus scale")
    parser.add_argument("--sizes", type=_ints, default=[1, 100, 1000], help="numbers of interviews (default 1,100,1000)")
    parser.add_argument("--large", action="store_true", help="add 10,000 interviews")
    parser.add_argument("--asks", type=int, default=100, help="timed warm asks per size and mode (default 100)")
    parser.add_argument("--questions", type=int, default=20, help="test-set questions per size (default 20)")
    parser.add_argument("--cold-runs", type=int, default=3, help="cold `bot ask` runs per size and mode (default 3)")
    parser.add_argument("--server", action=argparse.BooleanOptionalAction, default=CHROMA.exists(),
                        help="also measure through `chroma run` (default: on when the venv has `chroma`)")
    parser.add_argument("--embeddings", choices=("minilm", "hash"), default="minilm",
                        help="`hash`: hashed words instead of the model (the store's cost alone; no cold asks)")
    parser.add_argument("--model-limit", type=int, default=100, help="sizes up to this many interviews are embedded by "
                        "the model; larger ones use the vector cache (default 100)")
    parser.add_argument("--tutorial-limit", type=int, default=100, help="largest size for the tutorial recipe (default 100)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--label", default="full run", help="what kind of run this is, written into the results")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results")
    parser.add_argument("--work", type=Path, help="keep corpora and stores here (default: a temporary folder)")
    return parser


def _ingest(n: int, folder: Path, store: Path, cache: Path, args, notes: list[str]) -> dict:
    """Ingest `folder` into `store`: by the model end to end when it is small enough, else cached."""
    row: dict = {}
    if args.embeddings == "hash":
        result, run = worker("ingest", {"folder": str(folder), "store": str(store), "embeddings": "hash"})
        return {"vectors": "hash", "ingest_pps": result["passages_per_s"], "ingest_rss_mb": run.rss_mb}
    if n <= args.model_limit:
        say("raw model on every passage, then `python -m ingest FOLDER`")
        raw, _ = worker("embed", {"folder": str(folder), "cache": str(cache), "measure": True})
        run = measured([sys.executable, "-m", "ingest", str(folder), "--store", str(store)])
        row |= {"vectors": "model", "raw_pps": raw["passages_per_s"], "ingest_rss_mb": run.rss_mb}
        row["ingest_pps"] = raw["passages"] / run.seconds
        row["ingest_ratio"] = row["ingest_pps"] / row["raw_pps"]
    else:
        say("vector cache for texts not seen yet, then Store.add with cached vectors")
        raw, _ = worker("embed", {"folder": str(folder), "cache": str(cache)})
        result, run = worker("ingest", {"folder": str(folder), "store": str(store), "embeddings": "cache",
                                        "cache": str(cache)})
        row |= {"vectors": "cache", "ingest_pps": result["passages_per_s"], "ingest_rss_mb": run.rss_mb,
                "cache_misses": result["cache_misses"]}
        notes.append(f"{n:,} interviews: vectors from the cache ({raw['passages']:,} new texts embedded first, "
                     f"{result['cache_misses']} misses during ingest); its ingest rate and RSS are the store's alone, without the model")
    row["cache_check"] = f"{raw['cache_identical']}/{raw['cache_sample']} byte-identical"
    return row


def _questions(args, env: dict, questions: list[dict]) -> dict:
    """Warm asks in one process, then cold `python -m bot ask` runs, against the store `env` names."""
    target = {"chroma_url": env["VERBATIM_CHROMA_URL"]} if "VERBATIM_CHROMA_URL" in env else {"store": env["VERBATIM_STORE"]}
    say(f"warm asks ({next(iter(target))}), then cold `python -m bot ask`")
    result, run = worker("warm", {**target, "embeddings": args.embeddings, "questions": questions, "asks": args.asks})
    row = {"warm_p50_ms": result["p50_ms"], "warm_p95_ms": result["p95_ms"], "scoped_p50_ms": result["scoped_p50_ms"],
           "unscoped_p50_ms": result["unscoped_p50_ms"], "first_ask_s": result["first_ask_s"],
           "abstained_share": result["abstained_share"], "warm_rss_mb": run.rss_mb}
    if args.embeddings == "minilm":
        runs = [measured([sys.executable, "-m", "bot", "ask", questions[i % len(questions)]["question"], "--json"], env)
                for i in range(args.cold_runs)]
        row |= {"cold_s": statistics.median(r.seconds for r in runs), "cold_rss_mb": max(r.rss_mb for r in runs)}
    return row


def bench_size(n: int, pool, work: Path, args, notes: list[str]) -> list[dict]:
    """Rows (embedded, server, tutorial) for a corpus of `n` interviews."""
    say(f"{n:,} interview{'s' * (n != 1)}: writing the corpus")
    interviews = [make_interview(pool, i, args.seed) for i in range(n)]
    folder, store = work / f"corpus-{n}", work / f"store-{n}"
    shutil.rmtree(store, ignore_errors=True)
    write_corpus(folder, interviews)
    questions = [q | {"source": str(folder / q["file"])} for q in contained_questions(pool, interviews, args.questions)]
    if not questions:
        raise BenchError(f"the {n:,} interviews hold no test-set question to ask: try another --seed")
    passages = sum(i.passages for i in interviews)
    base = {"interviews": n, "passages": passages, "questions": len(questions)}
    embedded = base | {"mode": "embedded"} | _ingest(n, folder, store, work / "vector-cache", args, notes)
    size = disk_bytes(store)
    embedded |= {"store_bytes_per_passage": size / passages,
                 "beyond_vectors_bytes_per_passage": (size - passages * DIMENSIONS[args.embeddings] * 4) / passages}
    embedded |= _questions(args, clean_env(VERBATIM_STORE=str(store)), questions)
    rows = [embedded]
    if args.server:
        # the asking side is a machine of its own: its lexicon is built from the server at its first question
        client = work / f"client-{n}"
        shutil.rmtree(client, ignore_errors=True)
        with chroma_server(store) as server:
            rows.append(base | {"mode": "server", "vectors": embedded["vectors"]}
                        | _questions(args, clean_env(VERBATIM_CHROMA_URL=server.url, VERBATIM_STORE=str(client)),
                                     questions))
        rows[-1]["server_rss_mb"] = server.rss_mb
    if n <= args.tutorial_limit:
        say("the tutorial recipe on the same corpus")
        result, run = worker("tutorial", {"folder": str(folder), "embeddings": args.embeddings,
                                          "questions": questions, "asks": args.asks})
        rows.append(base | {"mode": "tutorial", "vectors": "model" if args.embeddings == "minilm" else "hash",
                            "ingest_pps": result["passages_per_s"], "chunks": result["chunks"],
                            "warm_p50_ms": result["p50_ms"], "warm_p95_ms": result["p95_ms"], "warm_rss_mb": run.rss_mb})
        notes.append(f"tutorial at {n:,}: {result['chunks']:,} chunks of up to 1,000 characters at "
                     f"{result['chunks_per_s']:.0f} chunks/s (its `ingest p/s` is the corpus's passages per second); "
                     f"in-memory Chroma, top-4 by the same embedder")
    print("\n".join(bench_report.table(rows)), file=sys.stderr, flush=True)
    return rows


def vectors_note(embeddings: str, embedded: list[dict]) -> str:
    """Which sizes the model embedded and which used the vector cache, with the cache's check."""
    if embeddings == "hash":
        return "hashed words at every size (no model: the store's cost alone)."
    sizes = {kind: ", ".join(f"{r['interviews']:,}" for r in embedded if r["vectors"] == kind) for kind in ("model", "cache")}
    checks = "; ".join(sorted({r["cache_check"] for r in embedded if r.get("cache_check")}))
    return (f"the model embedded every passage at {sizes['model'] or 'no size'} interviews; "
            f"{'the vector cache at ' + sizes['cache'] if sizes['cache'] else 'no size used the vector cache'} "
            f"(cache check on a sample: {checks or 'not run'}).")


def run(args, argv: list[str]) -> dict:
    """Every size, in one run; the results as `bench_report.write` takes them."""
    sizes = sorted(set(args.sizes) | ({10000} if args.large else set()))
    started, pool, notes, rows = time.perf_counter(), load_pool(), [], []
    load_before = os.getloadavg()[0]  # other work on the machine skews every figure: say how busy it was
    with tempfile.TemporaryDirectory(prefix="verbatim-bench-") as scratch:
        work = args.work or Path(scratch)
        work.mkdir(parents=True, exist_ok=True)
        for n in sizes:
            rows += bench_size(n, pool, work, args, notes)
    embedded = [r for r in rows if r["mode"] == "embedded"]
    return {"label": args.label, "date": time.strftime("%Y-%m-%d"), "arguments": shlex.join(argv),
            "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
            "minutes": (time.perf_counter() - started) / 60, "load_average": [load_before, os.getloadavg()[0]],
            "sizes": sizes, "embeddings": args.embeddings,
            "mean_passages": sum(r["passages"] for r in embedded) / sum(r["interviews"] for r in embedded),
            "vectors_note": vectors_note(args.embeddings, embedded), "rows": rows, "growth": bench_report.growth(rows),
            "targets": bench_report.targets(rows), "notes": notes}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = _parser().parse_args(argv)
    try:
        results = run(args, argv)
    except BenchError as exc:
        print(f"benchmark failed: {exc}", file=sys.stderr)
        return 1
    print("\n".join(bench_report.table(results["rows"]) + [""] + bench_report.summary(results)))
    bench_report.write(results, args.out)
    print(f"written to {args.out}/bench.json, bench.md and bench.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
