"""Transcript ingestion: parse a transcript into turns and passages, then store them in Chroma.

    python -m ingest PATH [PATH ...] [--store DIR] [--reset] [--format FORMAT]

The parsing is pure (`parse_transcript(text, source)`); only `load_transcript` reads files.
"""

from ingest.loader import load_transcript, load_upload, read_transcript_text
from ingest.parse import parse_transcript
from ingest.transcript import Passage, Transcript, Turn

__all__ = ["Passage", "Transcript", "Turn", "load_transcript", "load_upload", "parse_transcript", "read_transcript_text"]
