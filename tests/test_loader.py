"""Bad transcript files get one clear error and nothing is read half-way."""

from __future__ import annotations

import os

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


def test_a_pipe_or_a_device_named_like_a_transcript_is_refused_at_once(tmp_path):
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    with pytest.raises(TranscriptError, match="not a regular file"):
        load_transcript(fifo)  # a FIFO would hang the read forever
    zero = tmp_path / "zero.txt"
    zero.symlink_to("/dev/zero")
    with pytest.raises(TranscriptError, match="not a regular file"):
        load_transcript(zero)  # /dev/zero would be read until memory runs out


def test_a_file_without_punctuation_becomes_passages_of_bounded_length(tmp_path):
    from ingest.spans import HARD_MAX_CHARS

    words = " ".join(f"word{i}" for i in range(200_000))  # about 1.3 MB, one line, no sentence end
    path = tmp_path / "run-on.txt"
    path.write_text(f"Q: What did you say?\nA: {words}\n", encoding="utf-8")
    t = load_transcript(path)
    assert max(len(p.text) for p in t.passages) <= HARD_MAX_CHARS
    assert all(t.text[p.start:p.end] == p.text for p in t.passages)
    assert " ".join(p.text for p in t.answer_passages) == words, "nothing is lost between the pieces"


@pytest.mark.parametrize(("data", "message"), [
    ("Q: Hi?\nA: Yes.".encode("utf-16"), "UTF-16 text: re-save it as UTF-8"),
    (("Q: Hi?\nA: Yes." + "x" * 9000 + "\0 more").encode("utf-8"), "NUL byte at position 9014"),
    (b"Q: Hi?\rA: Yes, it rains.\r", "lone carriage return"),
])
def test_text_that_is_not_utf8_lines_says_what_to_do(data, message):
    with pytest.raises(TranscriptError, match=message):
        decode_transcript(data, "t.txt")


def test_the_over_limit_message_states_the_file_size(tmp_path):
    big = tmp_path / "big.txt"
    big.write_bytes(b"a" * (MAX_BYTES + 5 * 2**20))
    with pytest.raises(TranscriptError, match=r"\(25\.0 MiB; the limit is 20 MiB\)"):
        load_transcript(big)
