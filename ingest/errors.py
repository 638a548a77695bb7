"""The one error ingestion raises on purpose: a file that cannot be read as a transcript.

Its message names the file and says what to do ("… is not UTF-8: save it as UTF-8 and ingest it
again"); the CLIs print it as one line (`bot.errors` re-exports it).
"""


class TranscriptError(ValueError):
    """A transcript that is empty, binary, too big, not UTF-8 or of an unknown shape."""
