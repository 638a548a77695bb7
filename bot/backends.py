"""The factories that turn `Settings` into the lower layers' parts: the embedding model and the store.

    store = open_store(Settings.from_env())               # StoreMissingError if nothing is ingested
    store = open_store(settings, create=True)             # for ingestion
    with write_lock(settings): store.add(transcript)      # one writer at a time (embedded stores)

`vectorstore/` takes plain parameters (a folder or a server URL, an embedder); this is the only
place that reads them off the bot's settings. The chat model's factory is `bot.llm.make_chat_model`.
"""

from __future__ import annotations

from langchain_core.embeddings import Embeddings

import vectorstore
from bot.errors import SettingsError
from bot.settings import Settings


def make_embeddings(settings: Settings) -> Embeddings:
    """The embedding model named by `settings.embeddings`: `minilm` or `openai[:MODEL]`."""
    kind, _, model = settings.embeddings.partition(":")
    match kind.strip().lower():
        case "minilm":
            return vectorstore.MiniLMEmbeddings()
        case "openai":
            if not settings.model_configured:
                raise SettingsError("VERBATIM_EMBEDDINGS=openai needs OPENAI_API_KEY or OPENAI_BASE_URL")
            return vectorstore.OpenAIEmbeddingModel(
                model or "text-embedding-3-small", settings.openai_api_key, settings.openai_base_url,
                settings.llm_timeout, settings.llm_retries,
            )
        case _:
            raise SettingsError(f"VERBATIM_EMBEDDINGS={settings.embeddings!r}: choose `minilm` or `openai[:MODEL]`")


def open_store(settings: Settings, create: bool = False, embeddings: Embeddings | None = None) -> vectorstore.Store:
    """The configured store, searched with the configured (or given) embedding model."""
    return vectorstore.open_store(settings.store_dir, embeddings or make_embeddings(settings), settings.collection,
                                  settings.chroma_url, create=create)


def write_lock(settings: Settings, wait: bool = False):
    """The configured store's write lock (a no-op for a Chroma server)."""
    return vectorstore.write_lock(settings.store_dir, settings.chroma_url, wait=wait)
