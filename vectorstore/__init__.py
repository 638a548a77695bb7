"""Embeddings and the Chroma store; plain parameters in, `StoreError`s out (nothing here knows the bot).

    store = open_store("store", MiniLMEmbeddings())               # raises StoreMissingError if nothing ingested
    store = open_store("store", MiniLMEmbeddings(), create=True)  # for ingestion
    store = open_store(None, embeddings, chroma_url="http://127.0.0.1:8000")
"""

from __future__ import annotations

from pathlib import Path

from vectorstore.client import make_client, write_lock
from vectorstore.embeddings import MiniLMEmbeddings, OpenAIEmbeddingModel
from vectorstore.errors import EmbeddingMismatchError, StoreBusyError, StoreError, StoreMissingError
from vectorstore.store import Corpus, IngestResult, SourceInfo, Store


def open_store(store_dir: Path | str | None, embeddings, collection: str = "verbatim", chroma_url: str | None = None,
               create: bool = False) -> Store:
    """The store in `store_dir` (or on the server at `chroma_url`), searched with `embeddings`."""
    reopen = None if chroma_url else (lambda: make_client(store_dir, None))  # a server sees every write itself
    where = f"the Chroma server at {chroma_url}" if chroma_url else f"the store at {Path(store_dir or 'store')}"
    return Store(make_client(store_dir, chroma_url, create=create), embeddings, collection, reopen, where)


__all__ = ["Corpus", "EmbeddingMismatchError", "IngestResult", "MiniLMEmbeddings", "OpenAIEmbeddingModel", "SourceInfo",
           "Store", "StoreBusyError", "StoreError", "StoreMissingError", "make_client", "open_store", "write_lock"]
