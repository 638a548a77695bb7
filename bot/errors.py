"""The exceptions Verbatim raises on purpose; each message says what to do next.

    VerbatimError                 base: the CLI and the app catch only this one
    ├── InputError                a file, question, test set or upload we cannot use
    │   └── TranscriptError       a transcript that is empty, binary, too big, not UTF-8, unknown
    ├── SettingsError             an environment variable with a value we do not understand
    ├── StoreError                the Chroma store cannot serve this request
    │   ├── StoreMissingError     nothing ingested yet (or the wrong --store)
    │   ├── StoreBusyError        another process is writing to the same embedded store
    │   └── EmbeddingMismatchError  the store was built with another embedding model
    └── ModelError                the configured chat model failed (timeout, refusal, HTTP error)

Library code raises these; `python -m bot`, `python -m ingest` and `app.py` turn them into one
line for the user. Tests see the real exception.
"""


class VerbatimError(Exception):
    """Base class: a problem the user can act on, described in one line."""


class InputError(VerbatimError):
    """Input we cannot use: a file, a question, a test-set line or an upload."""


class TranscriptError(InputError):
    """A transcript file that cannot be read as a transcript."""


class SettingsError(VerbatimError):
    """A setting (environment variable or `.env` line) with an invalid value."""


class StoreError(VerbatimError):
    """The vector store cannot serve the request."""


class StoreMissingError(StoreError):
    """No transcript has been ingested into the store yet."""


class StoreBusyError(StoreError):
    """Another process holds the write lock of an embedded store."""


class EmbeddingMismatchError(StoreError):
    """The store was built with a different embedding model than the configured one."""


class ModelError(VerbatimError):
    """The configured chat model did not give a usable answer."""
