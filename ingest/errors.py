"""The errors ingestion raises on purpose: a file that cannot be read as a transcript, and a
`--speaker` that names no speaker of it.

Each message names the file and says what to do ("… is not UTF-8: save it as UTF-8 and ingest it
again"); the CLIs print it as one line (`bot.errors` re-exports them).
"""


class TranscriptError(ValueError):
    """A transcript that is empty, binary, too big, not UTF-8 or of an unknown shape."""


class SpeakerError(TranscriptError):
    """A `--speaker` that cannot be read, or names a label the transcript does not have."""
