"""HTML for the app's answers, citation cards and transcript view: every outside string escaped.

Text from a transcript, a model or the user goes through `html.escape` here and nowhere else is
it put into HTML; the only markup is this module's own (`<mark>`, `<a href="#…">` to a card).
So `<script>`, `<img onerror>`, Markdown images and `javascript:` links in a transcript or an
answer show as the characters they are.

    >>> answer_html("They said “<b>no</b>” [1].", "vb-0")
    '<div class="vb-answer">They said “&lt;b&gt;no&lt;/b&gt;” <a class="vb-marker" href="#vb-0-1" title="Go to citation 1">[1]</a>.</div>'
"""

from __future__ import annotations

import re
from html import escape

from bot.evidence import Evidence, Segment

FOCUS_ID = "verbatim-focus"
_MARKER = re.compile(r"\[(\d+)\]")
ROLE_LABELS = {"question": "Question", "answer": "Answer", "other": "Other"}

CSS = """<style>
.vb-answer{line-height:1.6;overflow-wrap:anywhere}
.vb-answer.vb-low{border-left:4px solid #e67e22;padding-left:.6rem}
.vb-user{white-space:pre-wrap;overflow-wrap:anywhere}
a.vb-marker{font-size:.8em;font-weight:600;text-decoration:none;padding:0 .15em;border-radius:.25em;background:#eef2ff;color:#3730a3}
a.vb-marker:focus{outline:2px solid #3730a3}
.vb-card-head{font-size:.9rem;margin-bottom:.3rem}
.vb-n{font-weight:700;color:#3730a3;margin-right:.3rem}
.vb-context{white-space:pre-wrap;overflow-wrap:anywhere;color:#6b7280;line-height:1.55;font-size:.95rem}
.vb-context mark{background:#fff1a8;color:#111827;padding:0 .1em;border-radius:.15em}
.vb-asked{font-size:.85rem;color:#374151;margin-top:.4rem;overflow-wrap:anywhere}
.vb-asked summary{cursor:pointer}
.vb-asked q{font-style:italic;quotes:"“" "”";display:-webkit-box;-webkit-line-clamp:2;-webkit-box-orient:vertical;overflow:hidden}
.vb-asked[open] q{display:block;-webkit-line-clamp:unset}
.vb-meta{font-size:.8rem;color:#6b7280;margin-top:.3rem}
.vb-related{font-size:.9rem;color:#4b5563;white-space:pre-wrap;overflow-wrap:anywhere;border-left:3px solid #d1d5db;padding-left:.6rem}
.vb-source{margin-bottom:.6rem;font-size:.9rem;line-height:1.35}
.vb-source small{color:#6b7280;overflow-wrap:anywhere}
.vb-transcript{font-size:.95rem;line-height:1.55}
.vb-seg{white-space:pre-wrap;overflow-wrap:anywhere;margin:0 0 .2rem 0;padding:.35rem .6rem;border-radius:.3rem}
.vb-seg.vb-question{background:#eff6ff;border-left:4px solid #3b82f6}
.vb-seg.vb-answer{border-left:4px solid #10b981}
.vb-seg.vb-other{border-left:4px solid #d1d5db}
.vb-seg.vb-gap{color:#9ca3af;font-size:.8rem;padding:.1rem .6rem}
.vb-who{display:block;font-size:.75rem;font-weight:700;letter-spacing:.03em;text-transform:uppercase;color:#4b5563}
.vb-transcript mark{background:#fde68a;color:#111827;border-bottom:2px solid #f59e0b;scroll-margin:4rem}
</style>"""


def answer_html(text: str, anchor: str, low_confidence: bool = False) -> str:
    """The answer text, escaped, its `[n]` markers turned into links to the cards `#{anchor}-{n}`."""
    body = _MARKER.sub(lambda m: f'<a class="vb-marker" href="#{anchor}-{m.group(1)}" title="Go to citation '
                                 f'{m.group(1)}">[{m.group(1)}]</a>', escape(text, quote=False))
    return f'<div class="vb-answer{" vb-low" if low_confidence else ""}">{body}</div>'


def user_html(question: str) -> str:
    """The user's question, as text.

    >>> user_html("<img src=x>")
    '<div class="vb-user">&lt;img src=x&gt;</div>'
    """
    return f'<div class="vb-user">{escape(question)}</div>'


def card_html(ev: Evidence, anchor: str) -> str:
    """A citation card: the quote highlighted in its passage, who said it, what it answers, where."""
    c = ev.citation
    before, quote, after = ev.split()
    role = "interviewer's question" if c.role == "question" else ("answer" if c.role == "answer" else c.role)
    if c.question is not None and c.role != "question":
        asked = (f'<details class="vb-asked"><summary>Answering {escape(c.question.speaker)}\'s question '
                 f'<q>{escape(" ".join(c.question.text.split()))}</q></summary></details>')
    else:
        asked = '<div class="vb-asked">These are the interviewer\'s own words, not the interviewee\'s.</div>' \
            if c.role == "question" else ""
    date = f" · {escape(ev.date)}" if ev.date else ""
    timing = f" · {escape(ev.timing)}" if ev.timing else ""
    return (
        f'<div class="vb-card" id="{anchor}-{c.n}">'
        f'<div class="vb-card-head"><span class="vb-n">[{c.n}]</span><b>{escape(c.speaker)}</b> · {escape(role)}</div>'
        f'<div class="vb-context">{escape(before)}<mark>{escape(quote)}</mark>{escape(after)}</div>{asked}'
        f'<div class="vb-meta"><b>{escape(ev.title)}</b>{date} · paragraph {ev.paragraph} · '
        f'characters {c.start}–{c.end}{timing}</div></div>'
    )


def related_html(speaker: str, text: str) -> str:
    """A passage near an unanswered question, plainly marked as not a citation."""
    return f'<div class="vb-related"><span class="vb-who">{escape(speaker)} · related, not cited</span>{escape(text)}</div>'


def source_html(title: str, date: str | None, speakers: tuple[str, ...], passages: int, source: str) -> str:
    """One interview in the sidebar list."""
    when = f" · {escape(date)}" if date else ""
    who = escape(", ".join(speakers)) or "unknown speakers"
    return (f'<div class="vb-source"><b>{escape(title)}</b>{when}<br><small>{who} · {passages} passages<br>'
            f'{escape(source)}</small></div>')


def transcript_html(segments: list[Segment], focus: tuple[int, int] | None) -> str:
    """The whole transcript, questions and answers marked, the `focus` span in `<mark id=…>`.

    >>> transcript_html([Segment(0, 5, "a<b>c", "answer", "Ann", True)], (1, 4))
    '<div class="vb-transcript"><div class="vb-seg vb-answer"><span class="vb-who">Ann · Answer</span>a<mark id="verbatim-focus">&lt;b&gt;</mark>c</div></div>'
    """
    parts, focused = [], False
    for seg in segments:
        body = escape(seg.text)
        if focus and seg.start < focus[1] and focus[0] < seg.end:
            a, b = max(focus[0], seg.start) - seg.start, min(focus[1], seg.end) - seg.start
            mark_id = "" if focused else f' id="{FOCUS_ID}"'
            body = f"{escape(seg.text[:a])}<mark{mark_id}>{escape(seg.text[a:b])}</mark>{escape(seg.text[b:])}"
            focused = True
        if seg.role is None:
            if seg.text.strip():
                parts.append(f'<div class="vb-seg vb-gap">{body.strip()}</div>')
            continue
        label = ""
        if seg.opens_turn:
            timing = f" · {escape(seg.timing)}" if seg.timing else ""
            label = f'<span class="vb-who">{escape(seg.speaker or "")} · {ROLE_LABELS.get(seg.role, seg.role)}{timing}</span>'
        parts.append(f'<div class="vb-seg vb-{seg.role}">{label}{body}</div>')
    return f'<div class="vb-transcript">{"".join(parts)}</div>'


# Runs in the page (st.html with JavaScript): a constant, nothing from a transcript in it. It
# scrolls the highlighted passage of the transcript view into the middle of its scroll box.
SCROLL_TO_FOCUS = f"""<script>
(function () {{
  let tries = 0;
  function go() {{
    const el = document.getElementById("{FOCUS_ID}");
    if (el) {{ el.scrollIntoView({{block: "center"}}); }} else if (tries++ < 50) {{ setTimeout(go, 60); }}
  }}
  setTimeout(go, 60);
}})();
</script>"""
