"""Embeddings and the Chroma store.

    store = open_store(Settings.from_env())       # raises StoreMissingError if nothing ingested
    store = open_store(settings, create=True)     # for ingestion
"""

from __future__ import annotations

from vectorstore.client import make_client, write_lock
from vectorstore.embeddings import MiniLMEmbeddings, make_embeddings
from vectorstore.store import Corpus, IngestResult, SourceInfo, Store


def open_store(settings, create: bool = False, embeddings=None) -> Store:
    """The configured store, with the configured (or given) embedding model."""
    return Store(make_client(settings, create=create), embeddings or make_embeddings(settings), settings.collection)


__all__ = ["Corpus", "IngestResult", "MiniLMEmbeddings", "SourceInfo", "Store", "make_client", "make_embeddings", "open_store",
           "write_lock"]
