"""The errors the store raises on purpose; each message says what to do next.

    StoreError                    the Chroma store cannot serve this request (bad server URL, server down)
    ├── StoreMissingError         nothing ingested yet (or the wrong store folder)
    ├── StoreBusyError            another process is writing to the same embedded store
    └── EmbeddingMismatchError    the store was built with another embedding model

`bot.errors` re-exports them, so the CLIs and the app print each as one line.
"""


class StoreError(Exception):
    """The vector store cannot serve the request."""


class StoreMissingError(StoreError):
    """No transcript has been ingested into the store yet."""


class StoreBusyError(StoreError):
    """Another process holds the write lock of an embedded store."""


class EmbeddingMismatchError(StoreError):
    """The store was built with a different embedding model than the configured one."""
