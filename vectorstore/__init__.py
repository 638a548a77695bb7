"""Embeddings and the Chroma store; plain parameters in, `StoreError`s out (nothing here knows the bot).

    store = open_store("store", MiniLMEmbeddings())               # raises StoreMissingError if nothing ingested
    store = open_store("store", MiniLMEmbeddings(), create=True)  # for ingestion
    store = open_store(None, embeddings, chroma_url="http://127.0.0.1:8000")
"""

from __future__ import annotations

from pathlib import Path

from vectorstore.client import make_client, server_address, shown, write_lock
from vectorstore.embeddings import MiniLMEmbeddings, OpenAIEmbeddingModel
from vectorstore.errors import EmbeddingMismatchError, StoreBusyError, StoreError, StoreMissingError
from vectorstore.store import Corpus, IngestResult, SourceInfo, Store


def open_store(store_dir: Path | str | None, embeddings, collection: str = "verbatim", chroma_url: str | None = None,
               create: bool = False) -> Store:
    """The store in `store_dir` (or on the server at `chroma_url`), searched with `embeddings`."""
    reopen = None if chroma_url else (lambda: make_client(store_dir, None))  # a server sees every write itself
    where = f"the Chroma server at {chroma_url}" if chroma_url else f"the store at {shown(Path(store_dir or 'store'))}"
    client = make_client(store_dir, chroma_url, create=create)
    return Store(client, embeddings, collection, reopen, where, lexicon_path(store_dir, collection, chroma_url))


def lexicon_path(store_dir: Path | str | None, collection: str, chroma_url: str | None = None) -> Path:
    """Where the lexicon of a store lives: in its folder; for a Chroma server, in the store folder
    of the machine asking (like saved conversations), one file per server and collection.

    >>> str(lexicon_path("store", "verbatim")), str(lexicon_path("store", "verbatim", "http://10.0.0.5:8000"))
    ('store/lexicon-verbatim.sqlite3', 'store/lexicon-10.0.0.5-8000-verbatim.sqlite3')
    """
    folder = Path(store_dir or "store")
    if not chroma_url:
        return folder / f"lexicon-{collection}.sqlite3"
    host, port, _ = server_address(chroma_url)
    return folder / f"lexicon-{host}-{port}-{collection}.sqlite3"


__all__ = ["Corpus", "EmbeddingMismatchError", "IngestResult", "MiniLMEmbeddings", "OpenAIEmbeddingModel", "SourceInfo",
           "Store", "StoreBusyError", "StoreError", "StoreMissingError", "lexicon_path", "make_client", "open_store", "write_lock"]
