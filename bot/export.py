"""Briefings: answers as Markdown (footnotes), a Word document (real footnotes) or one answer for the
clipboard, quotes verbatim.

Every quote shows exactly as the transcript has it (`text[start:end]`, no "fixing"). Each answer
is headed by its standalone question (so a follow-up such as "would they be happy about that?"
reads on its own), says its outcome as the app does ("Answer", "Closest passages, not a confirmed
answer", "Not addressed", an abstention in words), then gives each quote as its own block with
who said it on the line after it, as an article cites it ("— Jane Doe, EU official, in the
interview “Interview EU Kazakhstan” on 27 November 2024": `Evidence.credit`). Each note leads with
the same words, then the question answered (shortened), paragraph, character range and file; the
source list gives each cited transcript's SHA-256 so a reader can check the version.

In Markdown, text is escaped only where it could become markup (`bot.markdown.markdown_literal`)
and a quote line's edge blanks are character references: a renderer shows the quote character for
character, the file reads as said, and a transcript's `<script>` or `![image](url)` stays text.
Word is made by pandoc from its JSON syntax tree (`bot.word`): no text is parsed as markup there.
On the clipboard (`clipboard_html`, `clipboard_text`) everything is HTML-escaped.

    briefing_markdown([exchange, ...])   # str
    briefing_docx([exchange, ...])       # bytes of a .docx file (pandoc)
    clipboard_html(exchange), clipboard_text(exchange)
"""

from __future__ import annotations

import html
import re
from datetime import datetime, timezone

from bot import labels
from bot.evidence import Evidence, Exchange
from bot.markdown import markdown_escape, markdown_literal  # noqa: F401 (the UI's escape, long imported from here)

_MARKER = re.compile(r"\[(\d+)\]")
LINE_BREAK = re.compile(r"\r\n|\r|\n")  # what CommonMark, HTML and Word take as a line break
_EDGE_BLANKS = re.compile(r"^[ \t]+|[ \t]+$")
NOTE_QUESTION_CHARS = 120  # a note quotes at most this much of the interviewer's question

OUTCOME_LABELS = labels.TITLES  # what each label is called, as the app calls it


INTRO = ("Every quotation is verbatim from the transcript named in its note. Character ranges index the "
         "transcript's text; the SHA-256 in the source list identifies the exact version cited.")


def _flat(text: str) -> str:
    return " ".join(text.split())


def shorten(text: str, limit: int = NOTE_QUESTION_CHARS) -> str:
    """`text` on one line, cut at a word to at most `limit` characters, "…" marking the cut.

    >>> shorten("What do you think of the new rules on water and energy?", 30)
    'What do you think of the new…'
    >>> shorten("Short enough?", 30)
    'Short enough?'
    """
    flat = _flat(text)
    if len(flat) <= limit:
        return flat
    cut = flat[:limit]
    head = cut.rsplit(" ", 1)[0] if " " in cut else cut[:-1]
    return head.rstrip(",;:.-–— ") + "…"


def heading_question(ex: Exchange) -> str:
    """The question as a heading: the standalone question (a follow-up rewritten to stand alone),
    its first letter a capital.

    >>> from bot.answer import Answer
    >>> heading_question(Exchange(Answer("and that?", "and the price? (context: Why?)", "", (), True, "extractive")))
    'And the price? (context: Why?)'
    """
    text = _flat(ex.answer.standalone_question or ex.answer.question)
    return text[:1].upper() + text[1:]


def note_text(ev: Evidence) -> str:
    """One note: who said it, in which interview and when (`Evidence.credit`), the question answered
    (shortened), then where: paragraph, character range, file.

    >>> from bot.answer import Citation
    >>> c = Citation(1, "a.txt", 10, 20, "0123456789", "Jane", None, "p")
    >>> note_text(Evidence(c, "Talk", "2024-01-02", "ab", 3, 10, "0123456789"))
    'Jane, in the interview “Talk” on 2 January 2024. Paragraph 3, characters 10–20 of a.txt.'
    """
    c = ev.citation
    said = ""
    if c.role == "question":
        said = ", asking (the interviewer's own words)"
    elif c.question is not None:
        said = f", answering {ev.asked_by}'s question “{shorten(c.question.text)}”"
    timing = f", at {ev.timing}" if ev.timing else ""
    return f"{ev.credit()}{said}. Paragraph {ev.paragraph}, characters {c.start}–{c.end}{timing} of {c.source}."


def attribution(ev: Evidence) -> str:
    """The line under a quote: who said it, in which interview, when.

    >>> from bot.answer import Citation
    >>> attribution(Evidence(Citation(1, "a.txt", 0, 2, "Hi", "Jane", None, "p"), "Talk", None, "ab", 1, 0, "Hi"))
    '— Jane, in the interview “Talk”'
    """
    return f"— {ev.credit()}"


def outcome(ex: Exchange) -> tuple[str, str | None]:
    """The answer's label as the app shows it, and what it means and was measured to mean (or None).

    >>> from bot.answer import Answer
    >>> outcome(Exchange(Answer("Q?", "Q?", "x", (), False, "extractive", confidence="low", label="likely",
    ...                         stated_rate=0.76)))
    ('Likely answer', 'The first quote is probably the answer: check it. About 3 in 4 answers labelled like this were right on interviews the bot was not fitted on.')
    """
    a = ex.answer
    measured = labels.explain(a.label, a.stated_rate)
    if a.abstained:
        said = _flat(a.text) or "The interview does not address this question."
    elif a.label == labels.LIKELY:
        said = "The first quote is probably the answer: check it."
    elif a.outcome == "candidates":
        said = "The interview may not address this question directly: these are the passages closest to it; check the quotes below."
    else:
        said = None
    statement = " ".join(part for part in (said, measured) if part) or None
    return OUTCOME_LABELS.get(a.label, a.label), statement


def sources(exchanges: list[Exchange]) -> list[Evidence]:
    """One evidence per cited transcript, in order of first citation."""
    seen: dict[str, Evidence] = {}
    for ex in exchanges:
        for ev in ex.evidence:
            seen.setdefault(ev.citation.source, ev)
    return list(seen.values())


def source_line(ev: Evidence) -> str:
    date = f" ({ev.date})" if ev.date else ""
    return f"{ev.title}{date}: {ev.citation.source}, SHA-256 {ev.sha256}"


def exported_line(now: datetime) -> str:
    return f"Exported from Verbatim on {now:%Y-%m-%d %H:%M} UTC. {INTRO}"


def _quote_lines(quote: str) -> list[str]:
    """A quote as blockquote lines: escaped, each line's own ending kept (CRLF stays CRLF), and the
    blanks at a line's edges written as character references, which CommonMark would otherwise drop
    (or read as a code block or a hard break)."""
    escaped = markdown_literal(quote)  # as a whole: a pair of marks on two lines is one paragraph's
    parts = LINE_BREAK.split(escaped)
    endings = LINE_BREAK.findall(escaped)
    out = []
    for part, ending in zip(parts, endings + [""]):
        line = _EDGE_BLANKS.sub(lambda m: "".join(f"&#{ord(ch)};" for ch in m.group()), part)
        line += "\r" if ending in ("\r\n", "\r") else ""
        out.append("> " + line if line.strip("\r") else ">" + line)
    return out


def briefing_markdown(exchanges: list[Exchange], title: str = "Briefing", now: datetime | None = None) -> str:
    """The exchanges as one Markdown document, with footnotes `[^k-n]` (answer k, citation n).
    Everything from a transcript, a model or the user is escaped (`markdown_literal`)."""
    now = now or datetime.now(timezone.utc)
    out = [f"# {markdown_literal(title)}", "", f"_{markdown_literal(exported_line(now))}_", ""]
    notes: list[str] = []
    for k, ex in enumerate(exchanges, 1):
        a = ex.answer
        out += [f"## {k}. {markdown_literal(heading_question(ex))}", ""]
        if _flat(a.question) != heading_question(ex):
            out += [f"*Asked as “{markdown_literal(_flat(a.question))}”*", ""]
        label, statement = outcome(ex)
        out += [f"**{markdown_literal(label)}**" + (f": {markdown_literal(statement)}" if statement else ""), ""]
        if a.mode == "llm" and not a.abstained:
            out += [_with_notes(_flat(a.text), k), ""]
        for ev in ex.evidence:
            c = ev.citation
            lines = _quote_lines(c.quote)
            lines[-1] += f" [^{k}-{c.n}]"
            out += [*lines, "", markdown_literal(attribution(ev)), ""]  # the blank line ends the quote
            notes.append(f"[^{k}-{c.n}]: {markdown_literal(note_text(ev))}")
    out += ["## Sources", ""]
    out += [f"- {markdown_literal(source_line(ev))}" for ev in sources(exchanges)] or ["No transcript passage was cited."]
    return "\n".join(out + [""] + notes) + "\n"


def _with_notes(text: str, k: int) -> str:
    """A model's answer, escaped, each `[n]` marker a footnote reference `[^k-n]`: the words between
    markers are escaped apart, so no marker is taken for a link and no link for a marker."""
    pieces = _MARKER.split(text)  # words, marker number, words, ...
    out = []
    for i, piece in enumerate(pieces):
        if i % 2:
            out.append(f"[^{k}-{piece}]")
            continue
        escaped = markdown_literal(piece, dollars=text.count("$") >= 2)
        out.append("\\" + escaped if i and escaped[:1] in ("(", "[", ":") else escaped)  # "[^1-1](x)" is a link
    return "".join(out)


def briefing_docx(exchanges: list[Exchange], title: str = "Briefing", now: datetime | None = None) -> bytes:
    """The exchanges as a Word document with real footnotes and document properties (`bot.word`)."""
    from bot.word import briefing_docx as docx  # pandoc's syntax tree lives beside, not in, the text formats

    return docx(exchanges, title=title, now=now or datetime.now(timezone.utc))


def _html_lines(text: str) -> str:
    return "<br>".join(html.escape(part) for part in LINE_BREAK.split(text))


def clipboard_html(ex: Exchange) -> str:
    """One answer as rich text for the clipboard: question, outcome, each quote in a blockquote (as
    the transcript has it: blanks kept, line breaks as `<br>`), speaker and interview, the notes.

    >>> from bot.answer import Answer
    >>> clipboard_html(Exchange(Answer("<b>?", "<b>?", "No.", (), True, "extractive")))
    '<p><strong>&lt;b&gt;?</strong><br><em>Not addressed: No.</em></p>'
    """
    a, (label, statement) = ex.answer, outcome(ex)
    head = f"{label}: {statement}" if statement else label
    out = [f"<p><strong>{html.escape(heading_question(ex))}</strong><br><em>{html.escape(head)}</em></p>"]
    if a.mode == "llm" and not a.abstained:
        out.append(f"<p>{html.escape(_flat(a.text))}</p>")
    for ev in ex.evidence:
        out.append(f'<blockquote style="white-space:pre-wrap"><p>{_html_lines(ev.citation.quote)}</p></blockquote>'
                   f"<p>{html.escape(attribution(ev))} [{ev.citation.n}]</p>")
    if ex.evidence:
        out.append("".join(f"<p><small>[{ev.citation.n}] {html.escape(note_text(ev))}</small></p>" for ev in ex.evidence))
    return "".join(out)


def clipboard_text(ex: Exchange) -> str:
    """One answer as plain text for the clipboard: the same blocks as `clipboard_html`, quotes verbatim.

    >>> from bot.answer import Answer
    >>> print(clipboard_text(Exchange(Answer("Why?", "Why?", "No.", (), True, "extractive"))))
    Why?
    Not addressed: No.
    """
    a, (label, statement) = ex.answer, outcome(ex)
    out = [heading_question(ex), f"{label}: {statement}" if statement else label]
    if a.mode == "llm" and not a.abstained:
        out += ["", _flat(a.text)]
    for ev in ex.evidence:
        out += ["", ev.citation.quote, f"{attribution(ev)} [{ev.citation.n}]"]
    if ex.evidence:
        out += [""] + [f"[{ev.citation.n}] {note_text(ev)}" for ev in ex.evidence]
    return "\n".join(out)


def file_stem(exchanges: list[Exchange]) -> str:
    """A file name for a briefing: `verbatim-` and the first question's first words.

    >>> from bot.answer import Answer
    >>> file_stem([Exchange(Answer("What values matter to the EU?", "", "", (), True, "extractive"))])
    'verbatim-what-values-matter-to-the-eu'
    """
    words = re.findall(r"[a-z0-9]+", heading_question(exchanges[0]).lower())[:6] if exchanges else []
    return "-".join(["verbatim", *words]) if words else "verbatim-briefing"
