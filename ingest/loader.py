"""The one place that reads transcript files: size, type and encoding checks, then parsing.

Every failure is a `TranscriptError` whose message names the file and says what to do; nothing is
half-read. The text is decoded as strict UTF-8 and kept byte-for-byte (newlines included) apart
from a leading BOM, so offsets match `open(path, encoding="utf-8", newline="")` minus the BOM.
"""

from __future__ import annotations

import os
from pathlib import Path

from ingest.errors import TranscriptError
from ingest.parse import parse_transcript
from ingest.transcript import Transcript

SUFFIXES = (".txt", ".md", ".text", ".vtt", ".srt")
MAX_BYTES = 20 * 1024 * 1024


def decode_transcript(data: bytes, name: str) -> str:
    """Bytes of a transcript file → its text, or a `TranscriptError` saying what is wrong.

    >>> decode_transcript("\\ufeffHi".encode("utf-8"), "a.txt")
    'Hi'
    """
    if len(data) > MAX_BYTES:
        raise TranscriptError(
            f"{name} is too large ({len(data) / 2**20:.1f} MiB; the limit is {MAX_BYTES // 2**20} MiB): split it into parts"
        )
    if not data.strip():
        raise TranscriptError(f"{name} is empty: nothing to ingest")
    head = data[:8192]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or (len(head) >= 4 and head[1::2].count(0) > len(head) // 4):
        raise TranscriptError(f"{name} is UTF-16 text: re-save it as UTF-8 (in most editors: Save as, Encoding UTF-8)")
    if b"\0" in head or sum(b < 9 or 13 < b < 32 for b in head) > len(head) // 20:
        raise TranscriptError(f"{name} looks like a binary file, not a transcript: give a .txt, .md, .vtt or .srt file")
    if b"\0" in data:
        at = data.index(b"\0")
        raise TranscriptError(f"{name} holds a NUL byte at position {at}: it is not plain text; re-save it as UTF-8 text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise TranscriptError(
            f"{name} is not UTF-8 text (byte 0x{data[exc.start]:02x} at position {exc.start}): re-save it as UTF-8"
        ) from None
    text = text.removeprefix("\ufeff")
    if "\r" in text and "\n" not in text:
        raise TranscriptError(f"{name} ends its lines with a lone carriage return (old Mac style): re-save it with "
                              f"LF or CRLF line endings")
    return text


def check_suffix(name: str) -> None:
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        raise TranscriptError(
            f"{name}: unsupported file type {suffix or '(none)'!r}; use one of {', '.join(SUFFIXES)}"
        )


def transcript_files(folder: str | os.PathLike) -> list[Path]:
    """The transcript files inside `folder` and its sub-folders (supported suffixes; hidden files
    and folders left out), in a stable order."""
    root = Path(folder)
    found = [p for p in root.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES
             and not any(part.startswith(".") for part in p.relative_to(root).parts)]
    return sorted(found)


def read_transcript_text(path: str | os.PathLike) -> str:
    """The exact text of a transcript file (BOM stripped), after the checks above."""
    path = Path(path)
    if not path.exists():
        raise TranscriptError(f"{path}: no such file")
    if path.is_dir():
        raise TranscriptError(f"{path} is a directory: give the transcript files inside it")
    check_suffix(str(path))
    if not path.is_file():  # a FIFO would hang the read, /dev/zero would never end
        raise TranscriptError(f"{path} is not a regular file (a pipe, a device?): give a transcript file")
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)  # bounded, whatever the file claims to be
    except OSError as exc:
        raise TranscriptError(f"{path}: cannot read it ({exc.strerror})") from None
    if len(data) > MAX_BYTES:
        raise TranscriptError(f"{path} is too large ({path.stat().st_size / 2**20:.1f} MiB; the limit is "
                              f"{MAX_BYTES // 2**20} MiB): split it into parts")
    return decode_transcript(data, str(path))


def load_transcript(path: str | os.PathLike, fmt: str | None = None, source: str | None = None) -> Transcript:
    """Read and parse a transcript; `source` (default: the path as given, normalised: "./a.txt"
    and "a.txt" are one source) names it."""
    source = source or os.path.normpath(str(path))
    return parse_transcript(read_transcript_text(path), source, fmt)


def load_upload(data: bytes, name: str, fmt: str | None = None) -> Transcript:
    """Parse an uploaded file's bytes; `name` (the file's name) becomes its source."""
    name = os.path.basename(name.replace("\\", "/")) or "upload.txt"
    check_suffix(name)
    return parse_transcript(decode_transcript(data, name), name, fmt)
