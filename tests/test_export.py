"""Briefings (Markdown, Word, clipboard) and the evidence behind them: quotes byte-for-byte, notes complete.

The Markdown is rendered with a real CommonMark renderer (markdown-it); the Word document is read
part by part (`word/document.xml`, `word/footnotes.xml`, `docProps/core.xml`) with zipfile and lxml.
"""

from __future__ import annotations

import hashlib
import html
import io
import re
import zipfile
from datetime import datetime, timezone

import pytest
from lxml import etree
from lxml import html as lxml_html
from markdown_it import MarkdownIt

from bot.answer import Answer, Citation
from bot.errors import InputError
from bot.evidence import Evidence, Exchange, build_evidence, gather, history_of, paragraph_number, transcript_segments
from bot.labels import TITLES
from bot.export import (NOTE_QUESTION_CHARS, briefing_docx, briefing_markdown, clipboard_html, clipboard_text,
                        file_stem, note_text)
from ingest import load_transcript, parse_transcript
from ingest.transcript import Turn
from tests.conftest import FIXTURES, INTERVIEW, INTERVIEW_SOURCE

TEXT = INTERVIEW.read_bytes().decode("utf-8")
SHA = hashlib.sha256(INTERVIEW.read_bytes()).hexdigest()
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
NOW = datetime(2025, 3, 4, 5, 6, tzinfo=timezone.utc)
CREDIT = "Interviewee, in the interview “Interview EU Kazakhstan” on 27 November 2024"  # who said it, as articles cite
# A quote that is everything pandoc's or CommonMark's readers would turn into something else.
HOSTILE = ('It is *fine* _really_ [x](y) ^sup^ ~sub~ @smith2020 <b>bold</b> \\ `code` "double" \'single\' -- and --- '
           "$x^2$ ... & &amp; | a | b |\r\n    four spaces   and a tab\t\n===\n- not a list \n"
           "1. nor this\n# nor a heading \\begin{x} <!-- c --> «Zürich» — naïve 中文 “curly” ’ 🙂")


def normalized(quote: str) -> str:
    """A quote as a renderer shows it: CRLF and CR are line breaks like LF."""
    return re.sub(r"\r\n?", "\n", quote)


def rendered_quotes(markdown: str) -> list[tuple[str, str]]:
    """(text of each blockquote, text of the paragraph after it), as CommonMark renders them; the
    footnote marker ending a quote (a footnote to CommonMark's core, which does not know them) left out."""
    root = lxml_html.fromstring(f"<div>{MarkdownIt('commonmark').render(markdown)}</div>")
    out = []
    for quote in root.iter("blockquote"):
        after = quote.getnext()
        text = "\n\n".join(p.text_content() for p in quote.iter("p"))
        out.append((re.sub(r" \[\^\d+-\d+\]$", "", text), after.text_content() if after is not None else ""))
    return out


def quote_sources(markdown: str) -> list[str]:
    """Each blockquote as the Markdown file holds it, `> `, escapes, character references and the note
    marker taken away: the file itself keeps the quote byte for byte (CRLF stays CRLF)."""
    quotes, lines = [], []
    for line in markdown.split("\n") + [""]:
        if line.startswith(">"):
            lines.append(line[2:] if line.startswith("> ") else line[1:])
        elif lines:
            body = re.sub(r" \[\^\d+-\d+\]$", "", "\n".join(lines))
            body = re.sub(r"&#(\d+);", lambda m: chr(int(m.group(1))), re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", body))
            quotes.append(body)
            lines = []
    return quotes


def exchange_for(text: str, question: str = "Why?", **answer) -> Exchange:
    t = parse_transcript(text, "t.txt")
    p = next(x for x in t.passages if x.role == "answer")
    c = Citation.from_passage(1, p, p.start, p.end)
    a = Answer(question, answer.pop("standalone", question), f"“{c.quote}” [1]", (c,), False, "extractive", **answer)
    return Exchange(a, (build_evidence(c, text, t.title, "2020-01-01", "abc", p),))


def word_parts(docx: bytes) -> tuple[etree._Element, dict[str, etree._Element], etree._Element]:
    """document.xml's body, footnotes.xml's notes by id, core.xml."""
    with zipfile.ZipFile(io.BytesIO(docx)) as z:
        body = etree.fromstring(z.read("word/document.xml")).find(f"{W}body")
        notes = {n.get(f"{W}id"): n for n in etree.fromstring(z.read("word/footnotes.xml")).iter(f"{W}footnote")}
        return body, notes, etree.fromstring(z.read("docProps/core.xml"))


def run_text(element) -> str:
    """The text Word shows for a paragraph: its runs' text, `w:br` as a line break, footnote marks left out."""
    shown = {f"{W}br": "\n", f"{W}tab": "\t"}
    out = []
    for run in element.iter(f"{W}r"):
        if run.find(f"{W}footnoteReference") is None:
            out += [part.text or "" if part.tag == f"{W}t" else shown.get(part.tag, "") for part in run]
    return "".join(out)


def word_quotes(docx: bytes) -> list[tuple[str, str, str]]:
    """(quote text, its footnote's text, the next paragraph's text) for each quote paragraph."""
    body, notes, _ = word_parts(docx)
    out = []
    for p in body.iter(f"{W}p"):
        style = p.find(f"{W}pPr/{W}pStyle")
        if style is not None and style.get(f"{W}val") == "BlockText":
            refs = p.findall(f".//{W}footnoteReference")
            assert len(refs) == 1, "each quote carries exactly one real footnote"
            out.append((run_text(p), run_text(notes[refs[0].get(f"{W}id")]).strip(), run_text(p.getnext())))
    return out


@pytest.fixture(scope="module")
def conversation(interview_bot):
    asked: list[Exchange] = []
    for question in ("Which values does the EU base its relationship with Kazakhstan on?", "would they be happy about that?",
                     "What did Kaja Kallas say about Chinese gas pipelines?"):
        a = interview_bot.ask(question, history=history_of(asked))
        asked.append(Exchange(a, gather(a, interview_bot.store)))
    return asked


def test_evidence_is_the_passage_around_the_quote(conversation):
    for ex in conversation:
        for ev in ex.evidence:
            c = ev.citation
            assert TEXT[ev.context_start:ev.context_start + len(ev.context)] == ev.context
            before, quote, after = ev.split()
            assert quote == c.quote == TEXT[c.start:c.end]
            assert (ev.title, ev.date, ev.sha256) == ("Interview EU Kazakhstan", "2024-11-27", SHA)
            assert ev.paragraph == paragraph_number(TEXT, c.start) > 1


def test_markdown_briefing_reads_well_and_quotes_verbatim(conversation):
    md = briefing_markdown(conversation)
    cited = [ev for ex in conversation for ev in ex.evidence]
    slices = [TEXT[ev.citation.start:ev.citation.end] for ev in cited]
    assert cited and quote_sources(md) == slices
    assert rendered_quotes(md) == [(normalized(s), f"— {CREDIT}") for s in slices], \
        "each quote is its own block, the speaker, interview and date on their own line after it"
    follow_up = conversation[1].answer
    assert follow_up.standalone_question != follow_up.question, "the follow-up was rewritten to stand alone"
    for k, ex in enumerate(conversation, 1):
        standalone = " ".join(ex.answer.standalone_question.split())
        assert f"\n## {k}. {standalone[0].upper()}{standalone[1:]}\n" in unescaped(md)
        for ev in ex.evidence:
            c = ev.citation
            note = unescaped(re.search(rf"^\[\^{k}-{c.n}\]: (.+)$", md, re.M).group(1))
            assert f"[^{k}-{c.n}]" in md.split("## Sources")[0], "the quote carries its footnote marker"
            asked = re.match(rf"{CREDIT}, answering Interviewer's question “(.+?)”\. ", note).group(1)
            full = " ".join(c.question.text.split())
            assert len(full) > NOTE_QUESTION_CHARS and len(asked) <= NOTE_QUESTION_CHARS + 1
            assert asked.endswith("…") and full.startswith(asked[:-1]) and full[len(asked) - 1] == " ", "cut at a word"
            assert note.endswith(f"”. Paragraph {ev.paragraph}, characters {c.start}–{c.end} of {INTERVIEW_SOURCE}.")
    assert not re.search(r"^## 2\. would they be happy about that\?$", md, re.M | re.I), "a follow-up's heading stands alone"
    assert "*Asked as “would they be happy about that?”*" in md
    assert "**Not addressed**: The interview does not address this question" in unescaped(md)
    labelled = {ex.answer.label for ex in conversation if not ex.answer.abstained}
    assert labelled and all(f"**{TITLES[label]}**" in md for label in labelled), "each answer says its label"
    assert any(label in ("likely", "closest") for label in labelled)
    assert f"{INTERVIEW_SOURCE}, SHA-256 {SHA}" in unescaped(md)


def unescaped(markdown_text: str) -> str:
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown_text)


def test_each_outcome_is_said_as_on_screen():
    answered = exchange_for("Host: Why?\n\nGuest: Because.\n", confidence="high")
    candidates = exchange_for("Host: Why?\n\nGuest: Because.\n", confidence="low")
    assert "**Answer**\n" in briefing_markdown([answered])
    assert "**Closest passages, not a confirmed answer**: " in briefing_markdown([candidates])
    assert clipboard_text(answered).split("\n")[1] == "Answer"


def test_word_briefing_has_real_footnotes_and_properties(conversation):
    docx = briefing_docx(conversation, title="EU–Kazakhstan briefing", now=NOW)
    cited = [ev for ex in conversation for ev in ex.evidence]
    quotes = word_quotes(docx)
    assert [q for q, _, _ in quotes] == [normalized(TEXT[ev.citation.start:ev.citation.end]) for ev in cited]
    assert [n for _, n, _ in quotes] == [note_text(ev) for ev in cited], "each note is a footnote of its quote"
    assert all(after == f"— {CREDIT}" for _, _, after in quotes)
    body, notes, core = word_parts(docx)
    texts = [run_text(p) for p in body.iter(f"{W}p")]
    assert "2. W" + " ".join(conversation[1].answer.standalone_question.split())[1:] in texts
    assert any(t.startswith("Not addressed: The interview does not address this question") for t in texts)
    assert any(SHA in t and INTERVIEW_SOURCE in t for t in texts[texts.index("Sources"):])
    dc, dcterms = "{http://purl.org/dc/elements/1.1/}", "{http://purl.org/dc/terms/}"
    assert core.find(f"{dc}title").text == "EU–Kazakhstan briefing"
    assert core.find(f"{dc}creator").text == "Verbatim"
    assert core.find(f"{dcterms}created").text == "2025-03-04T05:06:00Z"


def test_a_hostile_quote_stays_verbatim_everywhere():
    text = f"What is it?\n\n{HOSTILE}\n"
    ex = exchange_for(text, "What is it?")
    quote = ex.evidence[0].citation.quote
    assert quote == HOSTILE
    md = briefing_markdown([ex])
    assert quote_sources(md) == [quote]
    # CommonMark shows a blank-line paragraph break as one; this quote has none, so the text is exact
    assert rendered_quotes(md)[0][0] == normalized(quote)
    assert word_quotes(briefing_docx([ex]))[0][0] == normalized(quote)
    page = lxml_html.fromstring(f"<div>{clipboard_html(ex)}</div>")
    shown = page.find(".//blockquote/p")
    for br in shown.iter("br"):
        br.tail = "\n" + (br.tail or "")
    assert shown.text_content() == normalized(quote)
    assert page.find(".//b") is None and not page.xpath("//comment()"), "nothing in a quote becomes markup"
    assert quote in clipboard_text(ex)


def test_every_passage_of_the_hostile_fixture_stays_verbatim():
    t = load_transcript(FIXTURES / "hostile.txt")
    answers = [p for p in t.passages if p.role == "answer"]
    exchanges = [Exchange(Answer("Q?", "Q?", "“x” [1]", (c,), False, "extractive"),
                          (build_evidence(c, t.text, t.title, t.date, "abc", p),))
                 for p in answers for c in [Citation.from_passage(1, p, p.start, p.end)]]
    slices = [t.text[p.start:p.end] for p in answers]
    assert any("<script>" in s for s in slices)
    md = briefing_markdown(exchanges)
    assert quote_sources(md) == slices and [q for q, _ in rendered_quotes(md)] == [normalized(s) for s in slices]
    assert [q for q, _, _ in word_quotes(briefing_docx(exchanges))] == [normalized(s) for s in slices]


def test_a_multiline_quote_keeps_its_line_endings():
    text = "Q?\r\n\r\nfirst line\r\nsecond “line” — it’s ok &amp; <b>\r\n"
    quote = text[6:-2]
    c = Citation(1, "x.txt", 6, len(text) - 2, quote, "Ann", None, "p")
    ex = Exchange(Answer("Q?", "Q?", f"“{quote}” [1]", (c,), False, "extractive"),
                  (build_evidence(c, text, "Other", "2020-01-01", "def", None),))
    assert ex.evidence[0].context == quote
    assert quote_sources(briefing_markdown([ex])) == [quote], "CRLF stays CRLF in the Markdown file"
    assert word_quotes(briefing_docx([ex]))[0][0] == "first line\nsecond “line” — it’s ok &amp; <b>"


def test_model_answer_keeps_its_words_and_links_markers_to_notes():
    q = Turn(0, "Host", "question", "Why?", 0, 4)
    c = Citation(1, "t.txt", 5, 13, "Because.", "Guest", q, "p")
    ev = Evidence(c, "Talk", None, "ff", 2, 5, "Because. Yes.")
    ex = Exchange(Answer("Why?", "Why?", "The guest says “Because.” [1]", (c,), False, "llm", model="m"), (ev,))
    md = briefing_markdown([ex])
    assert "The guest says “Because.” [^1-1]" in md
    assert "[^1-1]: Guest, in the interview “Talk”, answering Host's question “Why?”. Paragraph 2, characters 5–13 of t.txt." in md
    body, notes, _ = word_parts(briefing_docx([ex]))
    model_words = next(p for p in body.iter(f"{W}p") if run_text(p).startswith("The guest says"))
    assert run_text(model_words) == "The guest says “Because.”"
    ref = model_words.find(f".//{W}footnoteReference").get(f"{W}id")
    assert run_text(notes[ref]).strip() == note_text(ev)


def test_interviewer_words_are_noted_as_the_interviewer_s():
    c = Citation(1, "t.txt", 0, 4, "Why?", "Host", None, "p", role="question")
    assert note_text(Evidence(c, "Talk", None, "ff", 1, 0, "Why?")).startswith(
        "Host, in the interview “Talk”, asking (the interviewer's own words)")


@pytest.mark.parametrize("bad", ["\x01", "\x0b", "\ufffe"])
def test_word_refuses_characters_it_cannot_store(bad):
    c = Citation(1, "t.txt", 0, 3, f"a{bad}b", "Ann", None, "p")
    ex = Exchange(Answer("Q?", "Q?", f"“a{bad}b” [1]", (c,), False, "extractive"),
                  (Evidence(c, "T", None, "x", 1, 0, f"a{bad}b"),))
    assert bad in briefing_markdown([ex])
    with pytest.raises(InputError, match="export as Markdown"):
        briefing_docx([ex])


def test_clipboard_holds_quote_speaker_interview_and_short_note(conversation):
    ex = conversation[0]
    rich, plain = clipboard_html(ex), clipboard_text(ex)
    page = lxml_html.fromstring(f"<div>{rich}</div>")
    assert [q.text_content() for q in page.iter("blockquote")] == [ev.citation.quote for ev in ex.evidence]
    for ev in ex.evidence:
        assert f"{ev.citation.quote}\n— {CREDIT} [{ev.citation.n}]" in plain
        assert f"[{ev.citation.n}] {note_text(ev)}" in plain
        assert html.escape(note_text(ev)) in rich
    assert "#" not in plain and "[^" not in plain, "no Markdown syntax on the clipboard"
    assert len(max(plain.split("\n"), key=len)) < 400, "the note's question is shortened"


def test_file_stem_follows_the_standalone_question(conversation):
    assert file_stem(conversation) == "verbatim-which-values-does-the-eu-base"
    assert file_stem([]) == "verbatim-briefing"


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


def test_a_named_speaker_is_cited_as_articles_cite_in_every_export(tmp_path, minilm):
    """Copy, Markdown and Word say who said it first: name, role, the interview's title and its date
    written out; the character range and file stay in the note's tail and the sources list."""
    from bot.backends import open_store
    from bot.pipeline import Bot
    from bot.settings import Settings
    from ingest.speakers import Speaker

    store = open_store(replace_settings(Settings(), tmp_path), create=True, embeddings=minilm)
    store.add(load_transcript(INTERVIEW, source=INTERVIEW_SOURCE))
    store.describe(INTERVIEW_SOURCE, (Speaker("Interviewee", "Jane Doe", "EU official"), Speaker("Interviewer", "Ann Lee")))
    answer = Bot(replace_settings(Settings(), tmp_path), store, minilm).ask("Is water a human right?")
    ex = Exchange(answer, gather(answer, store))
    credit = "Jane Doe, EU official, in the interview “Interview EU Kazakhstan” on 27 November 2024"
    md, plain, rich = briefing_markdown([ex]), clipboard_text(ex), clipboard_html(ex)
    assert Exchange.from_json(ex.to_json()) == ex, "a saved conversation keeps who asked"
    assert [after for _, after in rendered_quotes(md)] == [f"— {credit}"] * len(ex.evidence)
    for ev in ex.evidence:
        c = ev.citation
        note = note_text(ev)
        assert note.startswith(f"{credit}, answering Ann Lee's question “")
        assert note.endswith(f". Paragraph {ev.paragraph}, characters {c.start}–{c.end} of {INTERVIEW_SOURCE}.")
        assert f"[^1-{c.n}]: {note}" in md, "the note reads as said: nothing in it needed escaping"
        assert f"{c.quote}\n— {credit} [{c.n}]" in plain and html.escape(f"— {credit} [{c.n}]") in rich
    assert [(n.split(",")[0], after) for _, n, after in word_quotes(briefing_docx([ex]))] == \
        [("Jane Doe", f"— {credit}")] * len(ex.evidence)
    assert f"{INTERVIEW_SOURCE}, SHA-256 {SHA}" in md, "the file stays in the sources list"


def replace_settings(settings, tmp_path):
    from dataclasses import replace

    return replace(settings, store_dir=tmp_path / "store")


@pytest.mark.parametrize("start_end", [(3321, 3484), (1143, 1185)])
def test_a_quote_in_the_markdown_file_reads_as_said(start_end):
    """“…we are fighting for equal rights for all: People, women, and children.”, “We have a
    political desire [to cooperate].”: nothing in them can become markup, so nothing is escaped."""
    start, end = start_end
    quote = TEXT[start:end]
    assert ": " in quote or "[to cooperate]" in quote
    c = Citation(1, INTERVIEW_SOURCE, start, end, quote, "Interviewee", None, "p")
    ex = Exchange(Answer("Q?", "Q?", f"“{quote}” [1]", (c,), False, "extractive"),
                  (build_evidence(c, TEXT, "Interview EU Kazakhstan", "2024-11-27", SHA, None),))
    md = briefing_markdown([ex])
    assert f"\n> {quote} [^1-1]\n" in md and "\\" not in md
    assert rendered_quotes(md)[0][0] == quote


def test_a_model_answer_s_marker_never_makes_a_link():
    c = Citation(1, "t.txt", 0, 8, "Because.", "Guest", None, "p")
    ex = Exchange(Answer("Why?", "Why?", "The guest says “Because.” [1](http://127.0.0.1:9/x) and [1]: x", (c,), False,
                         "llm", model="m"), (Evidence(c, "Talk", None, "ff", 1, 0, "Because."),))
    md = briefing_markdown([ex])
    rendered = MarkdownIt("commonmark").render(md)
    assert "<a " not in rendered and "127.0.0.1:9/x" in rendered
