"""Span arithmetic over the exact transcript text: paragraphs, sentences and chunks as offsets.

Every function takes the whole text plus a `[start, end)` window and returns `(start, end)` pairs
into that same text, trimmed of surrounding whitespace, so `text[s:e]` is always the span itself.
"""

from __future__ import annotations

import re

Span = tuple[int, int]

_BLANK_LINE = re.compile(r"\r?\n[ \t\f\v]*\r?\n(?:[ \t\f\v]*\r?\n)*")
# A sentence ends at . ! ? or … followed by closing quotes/brackets, then whitespace.
_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s)")
_ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "prof", "hon", "st", "sr", "jr", "vs", "etc", "e.g", "i.e", "no",
    "gen", "gov", "sen", "rep", "rev", "col", "lt", "sgt", "capt", "mt", "u.s", "u.k", "e.u",
    "inc", "ltd", "co", "corp", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept",
    "oct", "nov", "dec", "art", "para", "fig", "approx", "dept",
}


def strip_span(text: str, start: int, end: int) -> Span:
    """Shrink `[start, end)` so it neither starts nor ends with whitespace.

    >>> strip_span("  hi there \\n", 0, 12)
    (2, 10)
    """
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def paragraph_spans(text: str, start: int = 0, end: int | None = None) -> list[Span]:
    """Blank-line separated paragraphs of `text[start:end]`, as trimmed, non-empty spans.

    >>> paragraph_spans("One.\\n\\nTwo\\nlines.\\n")
    [(0, 4), (6, 16)]
    """
    end = len(text) if end is None else end
    spans, cursor = [], start
    for gap in _BLANK_LINE.finditer(text, start, end):
        spans.append(strip_span(text, cursor, gap.start()))
        cursor = gap.end()
    spans.append(strip_span(text, cursor, end))
    return [(s, e) for s, e in spans if e > s]


def _ends_with_abbreviation(text: str, dot: int) -> bool:
    """True when the '.' at `dot` closes an abbreviation ("Mr.", "e.g.") or an initial ("J.")."""
    word_start = dot
    while word_start > 0 and (text[word_start - 1].isalpha() or text[word_start - 1] == "."):
        word_start -= 1
    word = text[word_start:dot].lower()
    return word in _ABBREVIATIONS or (len(word) == 1 and text[dot - 1].isupper())


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[Span]:
    """Sentences of `text[start:end]` as trimmed spans; abbreviations do not end a sentence.

    >>> t = "Mr. Smith agreed. Did he? Yes."
    >>> [t[s:e] for s, e in sentence_spans(t)]
    ['Mr. Smith agreed.', 'Did he?', 'Yes.']
    """
    end = len(text) if end is None else end
    spans, cursor = [], start
    for match in _SENTENCE_END.finditer(text, start, end):
        punct = match.group()
        if punct[0] == "." and len(punct.rstrip("\"'”’)]")) == 1 and _ends_with_abbreviation(
            text, match.start()
        ):
            continue
        spans.append(strip_span(text, cursor, match.end()))
        cursor = match.end()
    spans.append(strip_span(text, cursor, end))
    return [(s, e) for s, e in spans if e > s]


HARD_MAX_CHARS = 3000  # no passage is longer, whatever the punctuation (a sentence this long is not one)


def cap_span(text: str, start: int, end: int, limit: int = HARD_MAX_CHARS) -> list[Span]:
    """`[start, end)` in pieces of at most `limit` characters, cut at the last space before the
    limit (or at the limit, in a run without spaces).

    >>> cap_span("aaa bbb ccc", 0, 11, limit=8)
    [(0, 7), (8, 11)]
    >>> cap_span("abcdefghij", 0, 10, limit=4)
    [(0, 4), (4, 8), (8, 10)]
    """
    pieces = []
    while end - start > limit:
        cut = text.rfind(" ", start + 1, start + limit + 1)
        cut = cut if cut > start else start + limit
        pieces.append(strip_span(text, start, cut))
        start = cut
        while start < end and text[start].isspace():
            start += 1
    pieces.append(strip_span(text, start, end))
    return [(s, e) for s, e in pieces if e > s]


def chunk_spans(text: str, start: int, end: int, max_chars: int = 900, target: int = 600) -> list[Span]:
    """Split a long span into runs of whole sentences of about `target` characters.

    Spans no longer than `max_chars` come back whole; a single sentence longer than `max_chars`
    stays whole too (a quote is never cut mid-sentence), unless it is longer than `HARD_MAX_CHARS`:
    then it is cut at spaces (`cap_span`), so that a file without punctuation cannot become one
    passage of megabytes.

    >>> chunk_spans("One. Two. Six.", 0, 14, max_chars=8, target=5)
    [(0, 4), (5, 9), (10, 14)]
    """
    start, end = strip_span(text, start, end)
    if end - start <= max_chars:
        return [(start, end)]
    chunks: list[Span] = []
    chunk_start = chunk_end = None
    for s, e in sentence_spans(text, start, end):
        if chunk_start is not None and e - chunk_start > target:
            chunks.append((chunk_start, chunk_end))
            chunk_start = None
        if chunk_start is None:
            chunk_start = s
        chunk_end = e
    if chunk_start is not None:
        # A short tail joins the chunk before it rather than standing alone.
        if chunks and chunk_end - chunk_start < target // 3 and chunk_end - chunks[-1][0] <= max_chars:
            chunks[-1] = (chunks[-1][0], chunk_end)
        else:
            chunks.append((chunk_start, chunk_end))
    return [piece for s, e in chunks for piece in cap_span(text, s, e)]
