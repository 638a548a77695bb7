"""Parsing: shapes, roles and the offset contract over every fixture, the bundled interview and the hearings."""

from __future__ import annotations

import pytest

from bot.errors import TranscriptError
from ingest import load_transcript, parse_transcript
from ingest.formats import detect_format
from tests.conftest import FIXTURES, HEARINGS, INTERVIEW, ROOT

ALL_FILES = [INTERVIEW, *HEARINGS, *sorted(FIXTURES.glob("*.*")), *sorted((ROOT / "eval" / "transcripts").glob("*.*"))]


@pytest.mark.parametrize("path", ALL_FILES, ids=lambda p: p.name)
def test_offsets_give_back_every_passage_and_turn(path):
    raw = path.read_bytes().decode("utf-8").removeprefix("\ufeff")
    with open(path, encoding="utf-8", newline="") as handle:
        assert handle.read().removeprefix("\ufeff") == raw
    t = load_transcript(path)
    assert t.text == raw
    assert t.passages, "every transcript yields passages"
    for p in t.passages:
        assert raw[p.start : p.end] == p.text
        assert p.text == p.text.strip() and p.text
        if p.question is not None:
            assert p.role == "answer" and p.question.role == "question"
            if t.format not in ("vtt", "srt"):
                assert raw[p.question.start : p.question.end] == p.question.text
    for turn in t.turns:
        if t.format not in ("vtt", "srt"):
            assert raw[turn.start : turn.end] == turn.text


@pytest.mark.parametrize("path", ALL_FILES, ids=lambda p: p.name)
def test_no_question_turn_is_an_answer_passage(path):
    t = load_transcript(path)
    question_turns = {turn.index for turn in t.turns if turn.role == "question"}
    for p in t.answer_passages:
        assert p.turn_index not in question_turns
        assert p.speaker != "Interviewer"


def test_bundled_interview_has_its_five_questions_and_seven_answer_paragraphs():
    t = load_transcript(INTERVIEW)
    assert t.format == "paragraphs"
    assert t.date == "2024-11-27"
    assert len(t.questions) == 5
    assert len(t.answer_passages) == 7
    assert t.questions[0].text.startswith("In June, before the EU parliamentary elections")
    assert t.questions[0].text.endswith("in its relationship with Kazakhstan?")
    assert "date 2024-11-27" not in " ".join(p.text for p in t.passages), "the header is metadata, not content"
    assert [q.text for q in t.questions][1:] == [
        "Are there any differences in values that limit the partnership?",
        t.questions[2].text,
        t.questions[3].text,
        "What do you mean by big picture?",
    ]
    # the answer to the petition question runs over two paragraphs; both know their question
    petition = [p for p in t.answer_passages if p.question.index == t.questions[3].index]
    assert len(petition) == 2 and "would not be happy" in petition[1].text


def test_hearings_are_speaker_turns_with_witnesses_answering():
    t = load_transcript(next(p for p in HEARINGS if p.name == "education_1.txt"))
    assert t.format == "speakers"
    roles = {turn.speaker: set() for turn in t.turns}
    for turn in t.turns:
        roles[turn.speaker].add(turn.role)
    assert roles["Kirsty Williams AM"] == {"answer"}
    assert "answer" not in roles["Suzy Davies AM"]
    assert "answer" not in roles["Lynne Neagle AM"]  # the chair asks and calls speakers; she does not answer
    witness = next(p for p in t.answer_passages if p.speaker == "Kirsty Williams AM")
    assert witness.question is not None and witness.question.speaker != "Kirsty Williams AM"


def test_qa_markers_with_header_and_continuation_paragraphs():
    t = load_transcript(FIXTURES / "qa.txt")
    assert (t.format, t.title, t.date) == ("qa", "Harbour expansion briefing", "2025-02-03")
    assert [turn.role for turn in t.turns] == ["question", "answer", "question", "answer"]
    assert [p.text for p in t.answer_passages][:2] == [
        "The port handles twice the cargo it was built for. We need deeper berths.", "The ships are bigger, too."]


def test_webvtt_voices_merge_split_questions_and_keep_timings():
    t = load_transcript(FIXTURES / "captions.vtt")
    assert t.format == "vtt"
    assert t.turns[0].role == "question" and t.turns[0].text == "Welcome back. What got you into beekeeping?"
    answer = t.answer_passages[0]
    assert (answer.speaker, answer.text, answer.timing) == (
        "Mira Jensen", "My grandmother kept bees in the orchard.", "00:00:07.000 --> 00:00:10.000")
    assert t.answer_passages[1].text == "I helped her every summer."  # the closing </v> is not speech


def test_srt_without_names_uses_punctuation_and_crlf_offsets():
    t = load_transcript(FIXTURES / "captions.srt")
    assert t.format == "srt"
    assert t.questions[0].text == "What did the council decide about the bridge?"
    assert [p.text for p in t.answer_passages] == ["It voted to repair it, not replace it.", "The repair costs a third as much."]


def test_bom_is_stripped_and_curly_quotes_kept():
    t = load_transcript(FIXTURES / "bom-crlf.txt")
    assert not t.text.startswith("\ufeff")
    assert t.answer_passages[0].text == "We will keep it open “every day” — even Sundays."


def test_named_speakers_format_detected():
    t = load_transcript(FIXTURES / "speakers.txt")
    assert t.format == "speakers"
    assert {p.speaker for p in t.answer_passages} == {"Dr. Lena Park"}
    assert t.answer_passages[-1].question.text == "And how do you prepare?"


def test_format_override_and_unknown_format():
    text = (FIXTURES / "qa.txt").read_text(encoding="utf-8")
    assert parse_transcript(text, "x.txt", fmt="qa").format == "qa"
    with pytest.raises(TranscriptError, match="unknown format"):
        parse_transcript(text, "x.txt", fmt="pdf")


def test_detect_format_by_shape():
    assert detect_format("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nHi") == "vtt"
    assert detect_format("Q: Why?\nA: Because.") == "qa"
    assert detect_format("Ann Lee: Why?\n\nBo Kim: Because.\n\nAnn Lee: Sure?") == "speakers"
    assert detect_format("Why?\n\nBecause.") == "paragraphs"


def test_a_transcript_without_answers_is_refused():
    with pytest.raises(TranscriptError, match="no answers"):
        parse_transcript("Why?\n\nReally?", "q.txt")


def test_passage_ids_are_stable_and_depend_on_source():
    text = INTERVIEW.read_text(encoding="utf-8")
    a, b = parse_transcript(text, "a.txt"), parse_transcript(text, "a.txt")
    assert [p.id for p in a.passages] == [p.id for p in b.passages]
    assert not {p.id for p in a.passages} & {p.id for p in parse_transcript(text, "b.txt").passages}


def test_hostile_text_is_kept_verbatim_as_data():
    t = load_transcript(FIXTURES / "hostile.txt")
    assert '<script>alert("x")</script>' in t.answer_passages[0].text
