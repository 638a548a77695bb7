"""Citation checks: find a quote's exact span in the source, or refuse it.

A model may re-punctuate a quote (straight for curly quotes, "-" for "—", other spacing or case) or
elide the middle with "...". `locate` maps such a quote back to the exact source span; a quote with
changed words is not found and must be dropped. `verify` is the last gate before an answer leaves
the bot: every citation must satisfy `text[start:end] == quote`.

    >>> text = "He said: “we are not happy” — and left."
    >>> locate('we are NOT happy" - and', text)
    (10, 33)
    >>> text[10:33]
    'we are not happy” — and'
"""

from __future__ import annotations

import re
import unicodedata

from bot.answer import Citation

_EQUIVALENT = str.maketrans({
    "“": '"', "”": '"', "„": '"', "‟": '"', "«": '"', "»": '"', "‘": "'", "’": "'", "‚": "'", "‛": "'", "`": "'",
    "—": "-", "–": "-", "‐": "-", "‑": "-", "‒": "-", "−": "-", "\u00a0": " ",
})
_ELLIPSIS = re.compile(r"\s*(?:\.\s?\.\s?\.|…|\[\s*(?:\.\.\.|…)\s*\])\s*")
MAX_ELIDED_CHARS = 300


def normalise(text: str) -> tuple[str, list[int]]:
    """A comparison form of `text` (quotes, dashes, spaces, case unified) and, for each of its
    characters, the offset of the original character it came from."""
    out, origin = [], []
    previous_space = True
    for i, ch in enumerate(text):
        ch = unicodedata.normalize("NFKC", ch).translate(_EQUIVALENT).lower()
        for c in ch:
            if c.isspace() or unicodedata.category(c) == "Cf":
                if previous_space:
                    continue
                c = " "
            out.append(c)
            origin.append(i)
            previous_space = c == " "
    return "".join(out), origin


def locate(quote: str, text: str, start: int = 0, end: int | None = None) -> tuple[int, int] | None:
    """The exact span of `text[start:end]` that `quote` reproduces, or None if its words differ."""
    end = len(text) if end is None else end
    window = text[start:end]
    quote = quote.strip()
    if not quote:
        return None
    found = window.find(quote)
    if found >= 0:
        return start + found, start + found + len(quote)
    normal_window, origin = normalise(window)
    fragments = [f.strip() for f in _ELLIPSIS.split(quote)]
    fragments = [normalise(f)[0].strip() for f in fragments if f]
    if not fragments or not all(fragments):
        return None
    spans, cursor = [], 0
    for fragment in fragments:
        at = normal_window.find(fragment, cursor)
        if at < 0:
            return None
        spans.append((at, at + len(fragment)))
        cursor = at + len(fragment)
    first, last = spans[0][0], spans[-1][1]
    if len(spans) > 1 and any(b[0] - a[1] > MAX_ELIDED_CHARS for a, b in zip(spans, spans[1:])):
        return None
    return start + origin[first], start + origin[last - 1] + 1


def verify(citations: list[Citation], texts: dict[str, str]) -> tuple[list[Citation], list[str]]:
    """Keep the citations whose offsets give back their quote; describe the others."""
    kept, problems = [], []
    for c in citations:
        text = texts.get(c.source)
        if text is not None and 0 <= c.start < c.end <= len(text) and text[c.start : c.end] == c.quote:
            kept.append(c)
        else:
            problems.append(f"citation [{c.n}] did not match {c.source} at {c.start}-{c.end} and was removed")
    return kept, problems
