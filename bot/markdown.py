"""Text as Markdown that shows it character for character and turns nothing into markup.

Two renderers, two needs:

- `markdown_literal` for the Markdown files Verbatim writes (briefings): a CommonMark or GitHub
  renderer shows the text as itself, and the file itself reads as said, so a quote pasted from it
  reads "all: People", not "all\\: People". Only what could become markup is escaped, where it
  could: an emphasis or code mark, a tag, an entity, a link or image (`](`), a footnote (`[^`),
  a bare URL or e-mail address (which GitHub would link), a math pair (`$…$`), a line start that
  makes a heading, a quote or a list.
- `markdown_escape` for text that Streamlit renders (labels, captions, messages): every ASCII
  character with a meaning there is escaped, Streamlit's own `:red[…]` and `:material/icon:`
  directives included; it is never seen as a file.

    >>> print(markdown_literal("in Europe we fight for all: People, [to cooperate] & 5 $."))
    in Europe we fight for all: People, [to cooperate] & 5 $.
    >>> print(markdown_literal("![x](http://h/a.png) <b>*hi*</b> &amp; snake_case _em_"))
    ![x\\](http\\://h/a.png) \\<b>\\*hi\\*\\</b> \\&amp; snake_case \\_em\\_
"""

from __future__ import annotations

import re

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()!|<>~:$&#])")
_LINE_START = re.compile(r"^(\s*)([+\-=]|\d+(?=[.)]))", re.M)
# a line start that makes a quote, a heading, a list item, a heading's underline or a numbered item
_BLOCK_START = re.compile(r"^([ \t]*)(>|#{1,6}(?=[ \t\r]|$)|[+\-](?=[ \t\r]|$)|(?:=+|-+)(?=[ \t\r]*$)"
                          r"|\d{1,9}(?=[.)](?:[ \t\r]|$)))", re.M)
_LITERAL = re.compile(
    r"\\(?=[!-/:-@\[-`{-~]|\r|\n|\Z)"  # a backslash that would escape what follows, or break the line
    r"|[*`~|]"  # emphasis, code, strikethrough, table cells: rare in speech, always escaped
    r"|_(?![^\W_])|(?<![^\W_])_"  # an underscore at a word's edge (snake_case never makes emphasis)
    r"|<(?=[A-Za-z/!?])"  # a tag, comment or autolink
    r"|&(?=#[0-9]+;|#[xX][0-9a-fA-F]+;|[A-Za-z][A-Za-z0-9]*;)"  # an entity
    r"|\](?=[(\[:])|\[(?=\^)"  # a link, image, reference or footnote
    r"|(?<=[A-Za-z]):(?=//)|(?<=\bwww)\.|(?<=\w)@(?=\w)", re.M)  # what GitHub links by itself: URLs, www., e-mail


def markdown_literal(text: str, dollars: bool | None = None) -> str:
    r"""`text` as Markdown a renderer shows as itself, escaped only where markup could start (see above);
    `dollars` says whether "$" is escaped when `text` is a piece of a longer paragraph.

    >>> print(markdown_literal("# 1. - no list\n1) nor this\n> nor a quote\nC# is ok, 2 * 3 is not"))
    \# 1. - no list
    1\) nor this
    \> nor a quote
    C# is ok, 2 \* 3 is not
    """
    escaped = _LITERAL.sub(r"\\\g<0>", text)
    escaped = re.sub(r"(?m)(?<= )(#+[ \t\r]*)$", r"\\\1", escaped)  # what a heading would take as its closing #s
    if escaped.count("$") >= 2 if dollars is None else dollars:  # a pair could be math on GitHub; one dollar is money
        escaped = escaped.replace("$", "\\$")
    return _start_of_lines(escaped, _BLOCK_START)


def _start_of_lines(text: str, pattern: re.Pattern = _LINE_START) -> str:
    # a digit cannot be escaped (CommonMark would show "\1"): the dot or parenthesis after it is
    return pattern.sub(lambda m: m[1] + (m[2] + "\\" if m[2][0].isdigit() else "\\" + m[2]), text)


def markdown_escape(text: str) -> str:
    r"""Text that Streamlit's Markdown shows as itself: every ASCII character with a meaning there is
    backslash-escaped (its `:red[…]` directives too), and so is a line start that would make a list
    or a heading.

    >>> print(markdown_escape("![x](http://h/a.png) <b>:red[hi]</b>"))
    \!\[x\]\(http\://h/a.png\) \<b\>\:red\[hi\]\</b\>
    >>> print(markdown_escape("# 1. - no list"))
    \# 1. - no list
    >>> print(markdown_escape("1. First\n- item"))
    1\. First
    \- item
    """
    return _start_of_lines(_MARKDOWN_SPECIAL.sub(r"\\\1", text))
