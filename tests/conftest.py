"""Shared fixtures: a clean environment, no network but loopback, real Chroma stores under
tmp_path, the real offline embedding model, a deterministic embedder and a fake OpenAI server."""

from __future__ import annotations

import hashlib
import os
import socket
import uuid
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from langchain_core.embeddings import Embeddings

ROOT = Path(__file__).resolve().parent.parent
INTERVIEW = ROOT / "data" / "interviews" / "interview-eu-kazakhstan-2024-11-27.txt"
INTERVIEW_SOURCE = "data/interviews/interview-eu-kazakhstan-2024-11-27.txt"


def open_bot(folder, embeddings, *sources):
    """A bot over a new embedded store in `folder` holding `sources` (paths relative to the repository)."""
    from bot.backends import open_store
    from bot.pipeline import Bot
    from bot.settings import Settings
    from ingest import load_transcript

    settings = replace(Settings(), store_dir=folder)
    store = open_store(settings, create=True, embeddings=embeddings)
    for source in sources:
        store.add(load_transcript(ROOT / source, source=source))
    return Bot(settings, store, embeddings)
HEARINGS = sorted((ROOT / "data" / "hearings").glob("*.txt"))
FIXTURES = ROOT / "tests" / "fixtures"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def skip_or_fail(reason: str):
    """Skip with the reason on a laptop that lacks something; in CI a missing piece is a failure."""
    if IN_CI:
        pytest.fail(f"CI must not skip: {reason}")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def clean_environ(monkeypatch):
    """Every test starts without Verbatim or OpenAI settings from the developer's shell."""
    for key in list(os.environ):
        if key.startswith(("VERBATIM_", "OPENAI_", "AZURE_OPENAI")):
            monkeypatch.delenv(key)
    monkeypatch.setenv("ANONYMIZED_TELEMETRY", "False")


_real_connect = socket.socket.connect


def _loopback_only(self, address):
    host = address[0] if isinstance(address, tuple) else address
    if self.family == socket.AF_UNIX or host in ("127.0.0.1", "::1", "localhost"):
        return _real_connect(self, address)
    raise OSError(f"network access blocked in tests: {address!r}")


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Real calls are blocked: only loopback connections (fake servers, Chroma, Streamlit) work."""
    monkeypatch.setattr(socket.socket, "connect", _loopback_only)


class HashEmbeddings(Embeddings):
    """A deterministic embedder for tests of the store: hashed word counts, unit length."""

    def __init__(self, name: str = "hash-64", dimension: int = 64):
        self.name, self.dimension = name, dimension

    def embed_documents(self, texts):
        out = []
        for text in texts:
            v = np.zeros(self.dimension, dtype=np.float32)
            for word in text.lower().split():
                v[int(hashlib.md5(word.encode()).hexdigest(), 16) % self.dimension] += 1
            out.append((v / (np.linalg.norm(v) or 1)).tolist())
        return out

    def embed_query(self, text):
        return self.embed_documents([text])[0]


@pytest.fixture(scope="session")
def minilm():
    from vectorstore import MiniLMEmbeddings

    return MiniLMEmbeddings()


@pytest.fixture
def settings(tmp_path):
    from bot.settings import Settings

    return replace(Settings(), store_dir=tmp_path / "store", collection=f"t-{uuid.uuid4().hex[:10]}")


@pytest.fixture
def interview_transcript():
    from ingest import load_transcript

    return load_transcript(INTERVIEW, source=INTERVIEW_SOURCE)


@pytest.fixture(scope="session")
def interview_store(tmp_path_factory, minilm):
    """A real embedded Chroma store holding the bundled interview, shared read-only by tests."""
    from bot.settings import Settings
    from ingest import load_transcript
    from bot.backends import open_store

    settings = replace(Settings(), store_dir=tmp_path_factory.mktemp("interview-store"))
    store = open_store(settings, create=True, embeddings=minilm)
    store.add(load_transcript(INTERVIEW, source=INTERVIEW_SOURCE))
    return settings, store


@pytest.fixture(scope="session")
def interview_bot(interview_store, minilm):
    from bot.pipeline import Bot

    settings, store = interview_store
    return Bot(settings, store, minilm)


@pytest.fixture
def fake_openai():
    from tests.fake_openai import FakeOpenAI

    server = FakeOpenAI().start()
    yield server
    server.stop()


@pytest.fixture
def model_bot(interview_store, minilm, fake_openai):
    """The real bot on the bundled interview, answering through the fake OpenAI-compatible server."""
    from bot import llm
    from bot.pipeline import Bot

    settings, store = interview_store
    settings = replace(settings, openai_base_url=fake_openai.base_url, openai_api_key="test-key",
                       chat_model="fake-model", llm_timeout=1.5, llm_retries=1)
    return Bot(settings, store, minilm, llm.make_chat_model(settings))
