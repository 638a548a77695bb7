"""The benchmark's measured processes: each job runs in a fresh process so its peak RSS is its own.

    python -m bot.evaluation.bench_worker JOB '{"folder": ..., ...}'    # prints one JSON line

Jobs (called by `bot.evaluation.benchmark`, which holds the arguments' meaning):
- `embed`: the raw model on every passage of a corpus (batches of 128, as `Store.add` sends them):
  passages/s; its vectors go into the vector cache, and a sample is re-embedded alone to check
  that a cached vector is byte-identical to the model's;
- `ingest`: `Store.add` of every transcript with cached (or hashed) vectors: the store's own cost;
- `warm`: `Bot.ask` latency in one process after a warm-up, scoped to the interview holding the
  question and unscoped, on an embedded store or a Chroma server;
- `tutorial`: `RecursiveCharacterTextSplitter(1000, 200)` + Chroma top-4 on the same corpus.
"""

from __future__ import annotations

import hashlib
import json
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from bot.evaluation.metrics import percentile
from ingest import load_transcript
from ingest.loader import transcript_files

BATCH = 128  # what Store.add hands the embedder at once


class HashedWords(Embeddings):
    """A deterministic stand-in for a model (hashed word counts), for a bench of the store alone."""

    name, dimension = "hash-64", 64

    def embed(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in text.lower().split():
                out[row, int(hashlib.md5(word.encode()).hexdigest(), 16) % self.dimension] += 1
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)

    def embed_documents(self, texts):
        return self.embed(list(texts)).tolist()

    def embed_query(self, text):
        return self.embed([text])[0].tolist()


class CachedEmbeddings(Embeddings):
    """The model's vectors looked up by exact text; a text not in the cache is embedded (and counted).

    Recombined interviews repeat their passages' texts, and the model gives byte-identical vectors
    for identical text whatever the batch (the `embed` job checks a sample), so the store receives
    exactly what the model would have sent, without the model's time."""

    def __init__(self, model, cache: dict[str, np.ndarray]):
        self.model, self.cache, self.misses = model, cache, 0
        self.name, self.dimension = model.name, model.dimension

    def embed_documents(self, texts):
        missing = list(dict.fromkeys(t for t in texts if t not in self.cache))
        if missing:
            self.misses += len(missing)
            self.cache.update(zip(missing, self.model.embed(missing)))
        return [self.cache[t].tolist() for t in texts]

    def embed_query(self, text):
        return self.model.embed_query(text)


def load_cache(prefix: Path) -> dict[str, np.ndarray]:
    texts_file, vectors_file = prefix.with_suffix(".json"), prefix.with_suffix(".npy")
    if not texts_file.exists():
        return {}
    return dict(zip(json.loads(texts_file.read_text(encoding="utf-8")), np.load(vectors_file)))


def save_cache(prefix: Path, cache: dict[str, np.ndarray]) -> None:
    prefix.with_suffix(".json").write_text(json.dumps(list(cache)), encoding="utf-8")
    np.save(prefix.with_suffix(".npy"), np.stack(list(cache.values())).astype(np.float32))


def make_embeddings(kind: str):
    from vectorstore import MiniLMEmbeddings

    return HashedWords() if kind == "hash" else MiniLMEmbeddings()


def transcripts(folder: str):
    return [load_transcript(path) for path in transcript_files(folder)]


def embed(args: dict) -> dict:
    model, prefix = make_embeddings("minilm"), Path(args["cache"])
    cache = load_cache(prefix)
    texts = [p.text for t in transcripts(args["folder"]) for p in t.passages]
    if not args.get("measure"):  # only fill the cache
        texts = list(dict.fromkeys(t for t in texts if t not in cache))
    model.embed(["warm up the session"])
    started = time.perf_counter()
    vectors = [model.embed(texts[i:i + BATCH]) for i in range(0, len(texts), BATCH)]
    seconds = time.perf_counter() - started
    if texts:
        cache.update(zip(texts, np.concatenate(vectors)))
    rng = np.random.default_rng(0)
    known = list(cache)
    sample = [known[i] for i in rng.choice(len(known), min(args.get("sample", 32), len(known)), replace=False)]
    identical = sum(model.embed([t])[0].tobytes() == cache[t].tobytes() for t in sample)
    save_cache(prefix, cache)
    return {"passages": len(texts), "seconds": seconds, "passages_per_s": len(texts) / seconds if seconds else None,
            "cache_texts": len(cache), "cache_sample": len(sample), "cache_identical": identical}


def ingest(args: dict) -> dict:
    from bot.backends import open_store
    from bot.settings import Settings

    found = transcripts(args["folder"])
    kind = args["embeddings"]
    emb = HashedWords() if kind == "hash" else CachedEmbeddings(make_embeddings("minilm"), load_cache(Path(args["cache"])))
    store = open_store(replace(Settings(), store_dir=Path(args["store"])), create=True, embeddings=emb)
    started = time.perf_counter()
    for transcript in found:
        store.add(transcript)
    seconds = time.perf_counter() - started
    passages = sum(len(t.passages) for t in found)
    return {"passages": passages, "seconds": seconds, "passages_per_s": passages / seconds,
            "cache_misses": getattr(emb, "misses", None)}


def _latencies(prefix: str, seconds: list[float]) -> dict:
    return {f"{prefix}p50_ms": percentile(seconds, 50) * 1000, f"{prefix}p95_ms": percentile(seconds, 95) * 1000}


def _timed(asks: list[tuple[str, list[str] | None]], count: int, call, warm_up: bool = True) -> dict:
    """Each (question, sources) once to warm up, then `count` timed calls cycling through them."""
    for question, sources in asks if warm_up else ():
        call(question, sources)
    scoped, unscoped = [], []
    for i in range(count):
        question, sources = asks[i % len(asks)]
        started = time.perf_counter()
        call(question, sources)
        (scoped if sources else unscoped).append(time.perf_counter() - started)
    return {**_latencies("", scoped + unscoped), **_latencies("scoped_", scoped), **_latencies("unscoped_", unscoped),
            "asks": count}


def _asks(questions: list[dict]) -> list[tuple[str, list[str] | None]]:
    return [pair for q in questions for pair in ((q["question"], None), (q["question"], [q["source"]]))]


def warm(args: dict) -> dict:
    from bot.backends import open_store
    from bot.pipeline import Bot
    from bot.settings import Settings

    emb = make_embeddings(args["embeddings"])
    started = time.perf_counter()
    settings = replace(Settings(), store_dir=Path(args.get("store") or "store"), chroma_url=args.get("chroma_url"))
    bot = Bot(settings, open_store(settings, embeddings=emb), emb)
    asks = _asks(args["questions"])
    first = bot.ask(*asks[0])
    first_s = time.perf_counter() - started
    abstained = sum(bot.ask(q, sources=s).abstained for q, s in asks)  # also the warm-up
    return {"first_ask_s": first_s, "first_abstained": first.abstained, "abstained_share": abstained / len(asks),
            **_timed(asks, args["asks"], lambda q, s: bot.ask(q, sources=s), warm_up=False)}


def tutorial(args: dict) -> dict:
    from bot.evaluation.baselines import RecursiveSplitterBaseline

    emb = make_embeddings(args["embeddings"])
    found = transcripts(args["folder"])
    emb.embed_documents(["warm up the session"])
    started = time.perf_counter()
    recipe = RecursiveSplitterBaseline({t.source: t.text for t in found}, emb)
    seconds = time.perf_counter() - started
    chunks = len(recipe.db.get(include=[])["ids"])
    passages = sum(len(t.passages) for t in found)
    timed = _timed(_asks(args["questions"]), args["asks"], lambda q, s: recipe.search(q, 4, s))
    return {"chunks": chunks, "seconds": seconds, "chunks_per_s": chunks / seconds, "passages_per_s": passages / seconds,
            **timed}


JOBS = {"embed": embed, "ingest": ingest, "warm": warm, "tutorial": tutorial}

if __name__ == "__main__":
    result = JOBS[sys.argv[1]](json.loads(sys.argv[2]))
    print(json.dumps(result))
