"""The exceptions Verbatim raises on purpose; each message says what to do next.

Each layer owns its errors; this module re-exports the lower layers' so that one import names them
all, and `USER_ERRORS` is what the CLIs and the app catch:

    USER_ERRORS = (VerbatimError, TranscriptError, StoreError)
    VerbatimError                 the bot's own errors
    ├── InputError                a file, question, test set or upload we cannot use
    ├── SettingsError             an environment variable with a value we do not understand
    ├── ModelError                the configured chat model failed (timeout, refusal, HTTP error)
    └── ConversationsError        the saved-conversations database cannot be read or written
    TranscriptError (ingest)      a transcript that is empty, binary, too big, not UTF-8, unknown
    └── SpeakerError              a --speaker naming a label the transcript does not have
    StoreError (vectorstore)      the Chroma store cannot serve this request
    ├── StoreMissingError         nothing ingested yet (or the wrong --store)
    ├── StoreBusyError            another process is writing to the same embedded store
    └── EmbeddingMismatchError    the store was built with another embedding model

Library code raises these; `python -m bot`, `python -m ingest` and `app.py` turn them into one
line for the user. Tests see the real exception.
"""

from ingest.errors import SpeakerError, TranscriptError
from vectorstore.errors import EmbeddingMismatchError, StoreBusyError, StoreError, StoreMissingError


class VerbatimError(Exception):
    """Base class of the bot's own errors: a problem the user can act on, described in one line."""


class InputError(VerbatimError):
    """Input we cannot use: a file, a question, a test-set line or an upload."""


class SettingsError(VerbatimError):
    """A setting (environment variable or `.env` line) with an invalid value."""


class ModelError(VerbatimError):
    """The configured chat model did not give a usable answer."""


class ConversationsError(VerbatimError):
    """The SQLite file of saved conversations is unreadable, damaged, newer than this code or not writable."""


USER_ERRORS = (VerbatimError, TranscriptError, StoreError)

__all__ = ["USER_ERRORS", "ConversationsError", "EmbeddingMismatchError", "InputError", "ModelError", "SettingsError",
           "SpeakerError", "StoreBusyError", "StoreError", "StoreMissingError", "TranscriptError", "VerbatimError"]
