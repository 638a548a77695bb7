"""Briefings: answers as Markdown (footnotes) or a Word document (endnotes), quotes verbatim.

Every quote shows exactly as the transcript has it (`text[start:end]`, no "fixing"). In Word the
quote is the run's text itself. In Markdown every character with a meaning in Markdown or HTML is
backslash-escaped (`markdown_escape`), so the rendered quote is the transcript's text, character
for character, and nothing in it can become markup: a transcript's (or a model's) `<script>`,
`<img>`, `![image](url)` or link stays text and fetches nothing. A quote spanning several lines
becomes a blockquote with `> ` before each line. Each
note names the speaker, the interviewer's question it answers, the interview's title and date,
the paragraph and the character range; the source list gives each cited transcript's SHA-256 so
a reader can check the version. In notes (not in quotes) line breaks are shown as spaces; in
Word, which has one kind of line break, a CRLF inside a quote becomes that break.

    briefing_markdown([exchange, ...])   # str
    briefing_docx([exchange, ...])       # bytes of a .docx file
"""

from __future__ import annotations

import io
import re
from datetime import datetime, timezone

from bot.errors import InputError
from bot.evidence import Evidence, Exchange

_MARKER = re.compile(r"\[(\d+)\]")
_ESCAPED_MARKER = re.compile(r"\\\[(\d+)\\\]")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()!|<>~:$&#])")
_MARKDOWN_LINE_START = re.compile(r"^(\s*)([+\-=]|\d+(?=[.)]))", re.M)


def markdown_escape(text: str) -> str:
    r"""Text that a Markdown renderer (CommonMark, GitHub's, Streamlit's) shows as itself: every
    ASCII character with a meaning there is backslash-escaped, and so is a line start that would
    make a list or a heading.

    >>> print(markdown_escape("![x](http://h/a.png) <b>:red[hi]</b>"))
    \!\[x\]\(http\://h/a.png\) \<b\>\:red\[hi\]\</b\>
    >>> print(markdown_escape("# 1. - no list"))
    \# 1. - no list
    >>> print(markdown_escape("1. First\n- item"))
    \1. First
    \- item
    """
    return _MARKDOWN_LINE_START.sub(r"\1\\\2", _MARKDOWN_SPECIAL.sub(r"\\\1", text))


INTRO = ("Every quotation is verbatim from the transcript named in its note. Character ranges index the "
         "transcript's text; the SHA-256 in the source list identifies the exact version cited.")


def _flat(text: str) -> str:
    return " ".join(text.split())


def note_text(ev: Evidence) -> str:
    """One note: speaker, the question answered, interview, date, paragraph, character range.

    >>> from bot.answer import Citation
    >>> c = Citation(1, "a.txt", 10, 20, "0123456789", "Jane", None, "p", "answer")
    >>> note_text(Evidence(c, "Talk", "2024-01-02", "ab", 3, 10, "0123456789"))
    'Jane. Talk, 2024-01-02, paragraph 3, characters 10–20 of a.txt.'
    """
    c = ev.citation
    who = c.speaker
    if c.role == "question":
        who = f"{c.speaker}, asking (the interviewer's own words)"
    elif c.question is not None:
        who = f"{c.speaker}, answering {c.question.speaker}'s question “{_flat(c.question.text)}”"
    when = f", {ev.date}" if ev.date else ""
    timing = f", at {ev.timing}" if ev.timing else ""
    return f"{who}. {ev.title}{when}, paragraph {ev.paragraph}, characters {c.start}–{c.end}{timing} of {c.source}."


def _sources(exchanges: list[Exchange]) -> list[Evidence]:
    seen: dict[str, Evidence] = {}
    for ex in exchanges:
        for ev in ex.evidence:
            seen.setdefault(ev.citation.source, ev)
    return list(seen.values())


def _caveat(ex: Exchange) -> str | None:
    a = ex.answer
    if a.abstained:
        return a.text
    if a.outcome == "candidates":
        return ("Closest passages, not a confirmed answer: the interview may not address this question directly; "
                "check the quotes below.")
    return None


def briefing_markdown(exchanges: list[Exchange], title: str = "Briefing", now: datetime | None = None) -> str:
    """The exchanges as one Markdown document, with footnotes `[^k-n]` (answer k, citation n).
    Everything from a transcript, a model or the user is escaped (`markdown_escape`)."""
    now = now or datetime.now(timezone.utc)
    out = [f"# {markdown_escape(title)}", "", f"_Exported from Verbatim on {now:%Y-%m-%d %H:%M} UTC. {INTRO}_", ""]
    notes: list[str] = []
    for k, ex in enumerate(exchanges, 1):
        a = ex.answer
        out += [f"## {k}. {markdown_escape(_flat(a.question))}", ""]
        if caveat := _caveat(ex):
            out += [f"*{markdown_escape(_flat(caveat))}*", ""]
        if a.mode == "llm" and not a.abstained:
            out += [_ESCAPED_MARKER.sub(lambda m: f"[^{k}-{m.group(1)}]", markdown_escape(_flat(a.text))), ""]
        for ev in ex.evidence:
            c = ev.citation
            lines = [markdown_escape(line) for line in c.quote.split("\n")]
            lines[-1] += f" [^{k}-{c.n}]"
            out += ["> " + line if line else ">" for line in lines]
            out += [f"> — {markdown_escape(c.speaker)}", ""]
            notes.append(f"[^{k}-{c.n}]: {markdown_escape(note_text(ev))}")
    out += ["## Sources", ""]
    cited = _sources(exchanges)
    out += [f"- {markdown_escape(ev.title)}" + (f" ({markdown_escape(ev.date)})" if ev.date else "")
            + f": {markdown_escape(ev.citation.source)}, SHA-256 {ev.sha256}" for ev in cited] or ["No transcript passage was cited."]
    return "\n".join(out + [""] + notes) + "\n"


def briefing_docx(exchanges: list[Exchange], title: str = "Briefing", now: datetime | None = None) -> bytes:
    """The exchanges as a Word document: quotes with superscript note numbers, then Notes and Sources."""
    from docx import Document
    from docx.shared import Pt

    now = now or datetime.now(timezone.utc)
    doc = Document()
    doc.add_heading(title, level=0)
    doc.add_paragraph(f"Exported from Verbatim on {now:%Y-%m-%d %H:%M} UTC. {INTRO}").runs[0].italic = True
    notes: list[str] = []
    try:
        for k, ex in enumerate(exchanges, 1):
            a = ex.answer
            doc.add_heading(f"{k}. {_flat(a.question)}", level=2)
            if caveat := _caveat(ex):
                doc.add_paragraph().add_run(caveat).italic = True
            first = len(notes) + 1
            if a.mode == "llm" and not a.abstained:
                para, cursor = doc.add_paragraph(), 0
                for m in _MARKER.finditer(a.text):
                    para.add_run(a.text[cursor:m.start()])
                    para.add_run(str(first + int(m.group(1)) - 1)).font.superscript = True
                    cursor = m.end()
                para.add_run(a.text[cursor:])
            for ev in ex.evidence:
                para = doc.add_paragraph(style="Quote")
                para.add_run(ev.citation.quote.replace("\r\n", "\n"))  # one line break, not two
                para.add_run(str(len(notes) + 1)).font.superscript = True
                para.add_run(f" — {ev.citation.speaker}")
                notes.append(note_text(ev))
        doc.add_heading("Notes", level=1)
        for i, note in enumerate(notes, 1):
            doc.add_paragraph(f"{i}. {note}").paragraph_format.space_after = Pt(2)
        doc.add_heading("Sources", level=1)
        for ev in _sources(exchanges):
            date = f" ({ev.date})" if ev.date else ""
            doc.add_paragraph(f"{ev.title}{date}: {ev.citation.source}, SHA-256 {ev.sha256}", style="List Bullet")
        if not _sources(exchanges):
            doc.add_paragraph("No transcript passage was cited.")
    except ValueError as exc:  # lxml refuses control characters that XML cannot hold
        raise InputError(f"a quote holds characters a Word document cannot store ({exc}); export as Markdown instead") from None
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def file_stem(exchanges: list[Exchange]) -> str:
    """A file name for a briefing: `verbatim-` and the first question's first words.

    >>> from bot.answer import Answer
    >>> file_stem([Exchange(Answer("What values matter to the EU?", "", "", (), True, "extractive"))])
    'verbatim-what-values-matter-to-the-eu'
    """
    words = re.findall(r"[a-z0-9]+", exchanges[0].answer.question.lower())[:6] if exchanges else []
    return "-".join(["verbatim", *words]) if words else "verbatim-briefing"
