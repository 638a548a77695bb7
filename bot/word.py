"""Word briefings through pandoc: real footnotes (`word/footnotes.xml`) that Word renumbers and moves
with their quote, and document properties (title, author "Verbatim", date).

Pandoc is given its JSON syntax tree, not Markdown text: every quote, name and note is a `Str`, so
nothing in a transcript can become markup, and no reader extension (`smart` quotes and dashes,
`^superscript^`, `~sub~`, `@citations`, `$math$`, raw HTML or TeX, line blocks) ever sees it. A
quote's text in `word/document.xml` is the transcript's slice character for character; a line
break inside a quote (CRLF, CR or LF) becomes Word's one kind of line break. The pandoc binary is
the one the `pypandoc-binary` wheel ships.

    from bot.word import briefing_docx
    open("briefing.docx", "wb").write(briefing_docx(exchanges, title="Briefing", now=now))
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from datetime import datetime

from bot.errors import InputError
from bot.evidence import Exchange
from bot.export import LINE_BREAK, attribution, exported_line, heading_question, note_text, outcome, source_line, sources

PANDOC_API_VERSION = [1, 23, 1, 1]  # what the bundled pandoc 3.9 reads and writes
# What XML 1.0 cannot hold (a .docx is XML): C0 controls other than tab, CR and LF; surrogates; U+FFFE/F.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def inlines(text: str) -> list[dict]:
    """`text` as pandoc inlines, character for character: line breaks as `LineBreak`, the rest one `Str`
    per line (a `Str` may hold spaces; `Space` would collapse a run of them).

    >>> inlines("a  b\\r\\nc")
    [{'t': 'Str', 'c': 'a  b'}, {'t': 'LineBreak'}, {'t': 'Str', 'c': 'c'}]
    """
    out: list[dict] = []
    for i, line in enumerate(LINE_BREAK.split(text)):
        if i:
            out.append({"t": "LineBreak"})
        if line:
            out.append({"t": "Str", "c": line})
    return out


def _para(text: str) -> dict:
    return {"t": "Para", "c": inlines(text)}


def _emph(text: str) -> dict:
    return {"t": "Para", "c": [{"t": "Emph", "c": inlines(text)}]}


def _header(level: int, text: str) -> dict:
    return {"t": "Header", "c": [level, ["", [], []], inlines(text)]}


def _note(text: str) -> dict:
    return {"t": "Note", "c": [_para(text)]}


def _meta(text: str) -> dict:
    return {"t": "MetaInlines", "c": inlines(text)}


def briefing_ast(exchanges: list[Exchange], title: str, now: datetime) -> dict:
    """The briefing as a pandoc JSON document: title, author and date in `meta`; each answer a heading
    (its standalone question), its outcome, the model's words with their notes, then each quote as
    a block quote ending in its footnote, and the speaker and interview on the line after it."""
    blocks = [_emph(exported_line(now))]
    for k, ex in enumerate(exchanges, 1):
        a = ex.answer
        blocks.append(_header(2, f"{k}. {heading_question(ex)}"))
        if " ".join(a.question.split()) != heading_question(ex):
            blocks.append(_emph(f"Asked as “{' '.join(a.question.split())}”"))
        label, statement = outcome(ex)
        blocks.append({"t": "Para", "c": [{"t": "Strong", "c": inlines(label)}]
                       + (inlines(f": {statement}") if statement else [])})
        notes = {ev.citation.n: note_text(ev) for ev in ex.evidence}
        if a.mode == "llm" and not a.abstained:
            blocks.append({"t": "Para", "c": _with_notes(" ".join(a.text.split()), notes)})
        for ev in ex.evidence:
            quote = inlines(ev.citation.quote) + [_note(note_text(ev))]
            blocks += [{"t": "BlockQuote", "c": [{"t": "Para", "c": quote}]}, _para(attribution(ev))]
    blocks.append(_header(1, "Sources"))
    cited = sources(exchanges)
    blocks.append({"t": "BulletList", "c": [[_para(source_line(ev))] for ev in cited]} if cited
                  else _para("No transcript passage was cited."))
    meta = {"title": _meta(title), "author": {"t": "MetaList", "c": [_meta("Verbatim")]},
            "date": _meta(f"{now:%Y-%m-%d}")}
    return {"pandoc-api-version": PANDOC_API_VERSION, "meta": meta, "blocks": blocks}


def _with_notes(text: str, notes: dict[int, str]) -> list[dict]:
    """A model's answer with each `[n]` marker turned into a footnote holding citation n's note."""
    out: list[dict] = []
    cursor = 0
    for m in re.finditer(r"\[(\d+)\]", text):
        if int(m.group(1)) in notes:
            out += inlines(text[cursor:m.start()].rstrip(" ")) + [_note(notes[int(m.group(1))])]
            cursor = m.end()
    return out + inlines(text[cursor:])


def _all_text(node) -> str:
    if isinstance(node, dict):
        return "".join(_all_text(v) for v in node.values())
    if isinstance(node, list):
        return "".join(_all_text(v) for v in node)
    return node if isinstance(node, str) else ""


def briefing_docx(exchanges: list[Exchange], title: str, now: datetime) -> bytes:
    """Bytes of a .docx made by pandoc from `briefing_ast`; dated `now` (also in `docProps/core.xml`)."""
    import pypandoc  # the I/O edge: runs the pandoc binary that ships in the pypandoc-binary wheel

    ast = briefing_ast(exchanges, title, now)
    if bad := _NOT_XML.search(_all_text(ast)):
        raise InputError(f"a quote holds a character a Word document cannot store (U+{ord(bad.group()):04X}); "
                         "export as Markdown instead")
    # SOURCE_DATE_EPOCH is pandoc's way to set the document's created and modified dates
    env = os.environ | {"SOURCE_DATE_EPOCH": str(int(now.timestamp()))}
    done = subprocess.run([pypandoc.get_pandoc_path(), "--from=json", "--to=docx", "--output=-"],
                          input=json.dumps(ast).encode("utf-8"), capture_output=True, env=env, timeout=120)
    if done.returncode != 0:
        raise InputError(f"pandoc could not write the Word document ({done.stderr.decode(errors='replace').strip()}); "
                         "export as Markdown instead")
    return done.stdout
