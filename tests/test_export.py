"""Briefings (Markdown and Word) and the evidence behind them: quotes byte-for-byte, notes complete."""

from __future__ import annotations

import hashlib
import io
import re

import pytest
from docx import Document

from bot.answer import Answer, Citation
from bot.errors import InputError
from bot.evidence import Evidence, Exchange, build_evidence, gather, history_of, paragraph_number, transcript_segments
from bot.export import briefing_docx, briefing_markdown, note_text
from ingest import load_transcript
from ingest.transcript import Turn
from tests.conftest import FIXTURES, INTERVIEW, INTERVIEW_SOURCE

TEXT = INTERVIEW.read_bytes().decode("utf-8")
SHA = hashlib.sha256(INTERVIEW.read_bytes()).hexdigest()


_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


def shown(markdown_text: str) -> str:
    """What a CommonMark renderer shows for text: backslash escapes of ASCII punctuation undone."""
    return _ESCAPE.sub(r"\1", markdown_text)


def blockquotes(markdown: str) -> list[str]:
    """The quotes of a briefing as a reader sees them: each blockquote's lines joined, without its
    note marker and attribution, escapes undone."""
    quotes, lines = [], []
    for line in markdown.split("\n") + [""]:
        if line.startswith(">"):
            lines.append(line[2:])
        elif lines:
            body = [ln for ln in lines if not ln.startswith("— ")]
            quotes.append(shown(re.sub(r" \[\^\d+-\d+\]$", "", "\n".join(body))))
            lines = []
    return quotes


@pytest.fixture(scope="module")
def conversation(interview_bot):
    first = interview_bot.ask("Which values does the EU base its relationship with Kazakhstan on?")
    second = interview_bot.ask("What did Kaja Kallas say about Chinese gas pipelines?")
    third = interview_bot.ask("Does the official see access to water as a human right?", history=[
        {"role": "user", "content": first.question}, {"role": "assistant", "content": first.text}])
    return [Exchange(a, gather(a, interview_bot.store)) for a in (first, second, third)]


def test_evidence_is_the_passage_around_the_quote(conversation):
    for ex in conversation:
        for ev in ex.evidence:
            c = ev.citation
            assert TEXT[ev.context_start:ev.context_start + len(ev.context)] == ev.context
            before, quote, after = ev.split()
            assert quote == c.quote == TEXT[c.start:c.end]
            assert (ev.title, ev.date, ev.sha256) == ("Interview EU Kazakhstan", "2024-11-27", SHA)
            assert ev.paragraph == paragraph_number(TEXT, c.start) > 1


def test_markdown_briefing_quotes_verbatim_with_footnotes(conversation):
    md = briefing_markdown(conversation)
    cited = [ev for ex in conversation for ev in ex.evidence]
    assert cited and blockquotes(md) == [TEXT[ev.citation.start:ev.citation.end] for ev in cited]
    for k, ex in enumerate(conversation, 1):
        assert f"## {k}. {ex.answer.question}" in md
        for ev in ex.evidence:
            c = ev.citation
            note = re.search(rf"^\[\^{k}-{c.n}\]: (.+)$", md, re.M).group(1)
            assert f"[^{k}-{c.n}]" in md.split("## Sources")[0], "the quote carries its footnote marker"
            assert note.startswith("Interviewee, answering Interviewer's question “")
            assert " ".join(c.question.text.split()) in note
            assert f"Interview EU Kazakhstan, 2024-11-27, paragraph {ev.paragraph}, characters {c.start}–{c.end}" in note
    assert "The interview does not address this question" in md, "the abstention is reported, not hidden"
    assert f"{INTERVIEW_SOURCE}, SHA-256 {SHA}" in shown(md)


def test_word_briefing_quotes_verbatim_with_notes_and_sources(conversation):
    doc = Document(io.BytesIO(briefing_docx(conversation)))
    paragraphs = [p for p in doc.paragraphs]
    quotes = [p for p in paragraphs if p.style.name == "Quote"]
    cited = [ev for ex in conversation for ev in ex.evidence]
    assert len(quotes) == len(cited)
    for number, (para, ev) in enumerate(zip(quotes, cited), 1):
        runs = para.runs
        assert runs[0].text == TEXT[ev.citation.start:ev.citation.end]
        assert runs[1].text == str(number) and runs[1].font.superscript
    texts = [p.text for p in paragraphs]
    notes = texts[texts.index("Notes") + 1: texts.index("Sources")]
    assert [n.split(". ", 1)[0] for n in notes] == [str(i) for i in range(1, len(cited) + 1)]
    assert all(f"characters {ev.citation.start}–{ev.citation.end}" in n for n, ev in zip(notes, cited))
    assert any(SHA in t for t in texts[texts.index("Sources"):])


def test_multiline_quote_is_kept_byte_for_byte():
    text = "Q?\r\n\r\nfirst line\r\nsecond “line” — it’s ok &amp; <b>\r\n"
    quote = text[6:-2]
    c = Citation(1, "x.txt", 6, len(text) - 2, quote, "Ann", None, "p")
    ex = Exchange(Answer("Q?", "Q?", f"“{quote}” [1]", (c,), False, "extractive"),
                  (build_evidence(c, text, "Other", "2020-01-01", "def", None),))
    assert ex.evidence[0].context == quote
    assert blockquotes(briefing_markdown([ex])) == [quote]
    # Word has one kind of line break: CRLF and LF inside a quote both become a break
    doc = Document(io.BytesIO(briefing_docx([ex])))
    assert [q.runs[0].text for q in doc.paragraphs if q.style.name == "Quote"] == [quote.replace("\r\n", "\n")]


def test_model_answer_keeps_its_words_and_links_markers_to_notes():
    q = Turn(0, "Host", "question", "Why?", 0, 4)
    c = Citation(1, "t.txt", 5, 13, "Because.", "Guest", q, "p")
    ev = Evidence(c, "Talk", None, "ff", 2, 5, "Because. Yes.")
    md = briefing_markdown([Exchange(Answer("Why?", "Why?", "The guest says “Because.” [1]", (c,), False, "llm",
                                            model="m"), (ev,))])
    assert "The guest says “Because.” [^1-1]" in md
    assert "[^1-1]: Guest, answering Host's question “Why?”. Talk, paragraph 2, characters 5–13 of t.txt." in md


def test_interviewer_words_are_noted_as_the_interviewer_s():
    c = Citation(1, "t.txt", 0, 4, "Why?", "Host", None, "p", role="question")
    assert note_text(Evidence(c, "Talk", None, "ff", 1, 0, "Why?")).startswith("Host, asking (the interviewer's own words)")


def test_word_refuses_characters_it_cannot_store():
    c = Citation(1, "t.txt", 0, 3, "a\x01b", "Ann", None, "p")
    ex = Exchange(Answer("Q?", "Q?", "“a\x01b” [1]", (c,), False, "extractive"), (Evidence(c, "T", None, "x", 1, 0, "a\x01b"),))
    assert "\x01" in briefing_markdown([ex])
    with pytest.raises(InputError, match="export as Markdown"):
        briefing_docx([ex])


@pytest.mark.parametrize("name", ["hostile.txt", "bom-crlf.txt", "captions.vtt", "captions.srt", "qa.txt", "speakers.txt"])
def test_transcript_view_covers_every_character(name):
    t = load_transcript(FIXTURES / name)
    segments = transcript_segments(t.text, list(t.passages))
    assert "".join(s.text for s in segments) == t.text
    assert all(t.text[s.start:s.end] == s.text for s in segments)
    assert {s.role for s in segments if s.role} <= {"question", "answer", "other"}


def test_history_is_the_conversation_in_order(conversation):
    history = history_of(conversation)
    assert [h["role"] for h in history] == ["user", "assistant"] * 3
    assert history[0]["content"] == conversation[0].answer.question
    assert history[3]["content"] == conversation[1].answer.text
