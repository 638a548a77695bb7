"""Bad transcript files get one clear error and nothing is read half-way."""

from __future__ import annotations

import pytest

from bot.errors import TranscriptError
from ingest import load_transcript
from ingest.loader import MAX_BYTES, decode_transcript


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.txt", b"", "is empty"),
        ("blank.txt", b" \n\n\t\n", "is empty"),
        ("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary"),
        ("latin1.txt", "Was it “fair”? Ça va.".encode("cp1252"), "not UTF-8"),
        ("slides.pdf", b"%PDF-1.4 hello", "unsupported file type '.pdf'"),
        ("noext", b"What?\n\nThat.", "unsupported file type"),
    ],
)
def test_bad_files_fail_with_one_line(tmp_path, name, data, message):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(TranscriptError, match=message) as info:
        load_transcript(path)
    assert "\n" not in str(info.value) and str(path) in str(info.value)


def test_huge_file_is_refused_before_reading(tmp_path):
    path = tmp_path / "huge.txt"
    with open(path, "wb") as handle:
        handle.truncate(MAX_BYTES + 1)
    with pytest.raises(TranscriptError, match="too large"):
        load_transcript(path)


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(TranscriptError, match="no such file"):
        load_transcript(tmp_path / "nope.txt")
    with pytest.raises(TranscriptError, match="is a directory"):
        load_transcript(tmp_path)


def test_decoding_keeps_newlines_exactly():
    assert decode_transcript(b"A?\r\n\r\nB.\r\n", "x.txt") == "A?\r\n\r\nB.\r\n"
