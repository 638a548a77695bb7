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

# Every colour is a variable with a light and a dark value: Streamlit follows the system's colour
# scheme (no `base` in .streamlit/config.toml), and so do these. Each text colour is at least 4.5:1
# against its background in both (tests/test_browser_access.py measures it in Chromium).
CSS = """<style>
:root{--vb-muted:#4b5563;--vb-faint:#5b6472;--vb-strong:#1f2937;--vb-accent:#3730a3;--vb-accent-bg:#eef2ff;
--vb-hl:#fff1a8;--vb-hl-text:#111827;--vb-focus-hl:#fde68a;--vb-q-bg:#eff6ff;--vb-rule:#d1d5db}
@media (prefers-color-scheme: dark){:root{--vb-muted:#b4bac4;--vb-faint:#a3a9b4;--vb-strong:#e5e7eb;
--vb-accent:#c7d2fe;--vb-accent-bg:#312e81;--vb-hl:#854d0e;--vb-hl-text:#fefce8;--vb-focus-hl:#92400e;
--vb-q-bg:#172554;--vb-rule:#4b5563}}
.vb-answer{line-height:1.6;overflow-wrap:anywhere}
.vb-answer.vb-low{border-left:4px solid #e67e22;padding-left:.6rem}
.vb-user{white-space:pre-wrap;overflow-wrap:anywhere}
a.vb-marker{font-size:.8em;font-weight:600;text-decoration:none;padding:0 .15em;border-radius:.25em;background:var(--vb-accent-bg);color:var(--vb-accent)}
a.vb-marker:focus{outline:2px solid var(--vb-accent)}
.vb-card-head{font-size:.9rem;margin-bottom:.3rem}
.vb-n{font-weight:700;color:var(--vb-accent);margin-right:.3rem}
.vb-label{color:var(--vb-muted);font-size:.85em}
.vb-context{white-space:pre-wrap;overflow-wrap:anywhere;color:var(--vb-muted);line-height:1.55;font-size:.95rem}
.vb-context mark{background:var(--vb-hl);color:var(--vb-hl-text);padding:0 .1em;border-radius:.15em}
.vb-asked{font-size:.85rem;color:var(--vb-strong);margin-top:.4rem;overflow-wrap:anywhere}
.vb-asked summary{cursor:pointer}
.vb-asked q{font-style:italic;quotes:"“" "”";display:-webkit-box;-webkit-line-clamp:2;-webkit-box-orient:vertical;overflow:hidden}
.vb-asked[open] q{display:block;-webkit-line-clamp:unset}
.vb-meta{font-size:.8rem;color:var(--vb-muted);margin-top:.3rem}
.vb-related{font-size:.9rem;color:var(--vb-muted);white-space:pre-wrap;overflow-wrap:anywhere;border-left:3px solid var(--vb-rule);padding-left:.6rem}
.vb-source{margin-bottom:.6rem;font-size:.9rem;line-height:1.35}
.vb-source small{color:var(--vb-muted);overflow-wrap:anywhere}
.vb-transcript{font-size:.95rem;line-height:1.55;max-height:60vh;overflow-y:auto;padding:.5rem;border:1px solid var(--vb-rule);border-radius:.5rem}
.vb-transcript:focus-visible{outline:2px solid var(--vb-accent);outline-offset:2px}
.vb-seg{white-space:pre-wrap;overflow-wrap:anywhere;margin:0 0 .2rem 0;padding:.35rem .6rem;border-radius:.3rem}
.vb-seg.vb-question{background:var(--vb-q-bg);border-left:4px solid #3b82f6}
.vb-seg.vb-answer{border-left:4px solid #10b981}
.vb-seg.vb-other{border-left:4px solid var(--vb-rule)}
.vb-seg.vb-gap{color:var(--vb-faint);font-size:.8rem;padding:.1rem .6rem}
.vb-who{display:block;font-size:.75rem;font-weight:700;letter-spacing:.03em;text-transform:uppercase;color:var(--vb-muted)}
.vb-who.vb-said{font-size:.85rem;letter-spacing:0;text-transform:none}
.vb-role{font-weight:400;margin-left:.3em}
.vb-transcript mark{background:var(--vb-focus-hl);color:var(--vb-hl-text);border-bottom:2px solid #f59e0b;scroll-margin:4rem}
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
        asked = (f'<details class="vb-asked"><summary>Answering {escape(ev.asked_by)}\'s question '
                 f'<q>{escape(" ".join(c.question.text.split()))}</q></summary></details>')
    else:
        asked = '<div class="vb-asked">These are the interviewer\'s own words, not the interviewee\'s.</div>' \
            if c.role == "question" else ""
    date = f" · {escape(ev.date)}" if ev.date else ""
    timing = f" · {escape(ev.timing)}" if ev.timing else ""
    return (
        f'<div class="vb-card" id="{anchor}-{c.n}">'
        f'<div class="vb-card-head"><span class="vb-n">[{c.n}]</span>{speaker_html(c)} · {escape(role)}</div>'
        f'<div class="vb-context">{escape(before)}<mark>{escape(quote)}</mark>{escape(after)}</div>{asked}'
        f'<div class="vb-meta"><b>{escape(ev.title)}</b>{date} · paragraph {ev.paragraph} · '
        f'characters {c.start}–{c.end}{timing}</div></div>'
    )


def speaker_html(c) -> str:
    """Who said it: their name (else the transcript's label), their role, and the label they have in
    the transcript when it is not their name.

    >>> from bot.answer import Citation
    >>> speaker_html(Citation(1, "a.txt", 0, 2, "Hi", "Interviewee", None, "p", speaker_name="Jane <Doe>", speaker_role="EU official"))
    '<b>Jane &lt;Doe&gt;</b>, EU official <span class="vb-label">(“Interviewee” in the transcript)</span>'
    """
    role = f", {escape(c.speaker_role)}" if c.speaker_role else ""
    label = (f' <span class="vb-label">(“{escape(c.speaker)}” in the transcript)</span>'
             if c.speaker_name and c.speaker_name != c.speaker else "")
    return f"<b>{escape(c.speaker_name or c.speaker)}</b>{role}{label}"


def related_html(speaker: str, text: str) -> str:
    """A passage near an unanswered question, plainly marked as not a citation."""
    return f'<div class="vb-related"><span class="vb-who">{escape(speaker)} · related, not cited</span>{escape(text)}</div>'


def source_html(title: str, date: str | None, speakers, passages: int, source: str) -> str:
    """One interview in the sidebar list; `speakers` as they are known ("Interviewee (Jane Doe, EU official)")."""
    when = f" · {escape(date)}" if date else ""
    who = escape(", ".join(speakers)) or "unknown speakers"
    return (f'<div class="vb-source"><b>{escape(title)}</b>{when}<br><small>{who} · {passages} passages<br>'
            f'{escape(source)}</small></div>')


def transcript_html(segments: list[Segment], focus: tuple[int, int] | None, title: str = "",
                    opener: str | None = None) -> str:
    """The whole transcript in a keyboard-scrollable region, questions and answers marked, the `focus`
    span in `<mark id=…>`; `opener` is the key of the button that opened it (focus goes back there).

    A turn whose text opens with the speaker's own label (`Ann: …`) shows that label, from the
    transcript, as its heading; other turns get a drawn one (`Ann · Answer`). Either way each
    speaker is named once.

    >>> transcript_html([Segment(0, 5, "a<b>c", "answer", "Ann", True)], (1, 4))
    '<div class="vb-transcript" tabindex="0" role="region" aria-label="Transcript"><div class="vb-seg vb-answer"><span class="vb-who">Ann · Answer</span>a<mark id="verbatim-focus">&lt;b&gt;</mark>c</div></div>'
    >>> transcript_html([Segment(0, 5, "Ann: ", None), Segment(5, 8, "Yes", "answer", "Ann", True)], None)[-90:]
    '<span class="vb-who vb-said">Ann:<span class="vb-role">answer</span></span>Yes</div></div>'
    """
    parts, focused, said = [], False, None
    for seg, after in zip(segments, [*segments[1:], None]):
        body = escape(seg.text)
        if focus and seg.start < focus[1] and focus[0] < seg.end:
            a, b = max(focus[0], seg.start) - seg.start, min(focus[1], seg.end) - seg.start
            mark_id = "" if focused else f' id="{FOCUS_ID}"'
            body = f"{escape(seg.text[:a])}<mark{mark_id}>{escape(seg.text[a:b])}</mark>{escape(seg.text[b:])}"
            focused = True
        if seg.role is None:
            cut = _label_start(seg, after, focus)
            if cut is not None:  # the next turn's own "Name:" becomes its heading
                body, said = escape(seg.text[:cut]), seg.text[cut:].strip()
            if body.strip():
                parts.append(f'<div class="vb-seg vb-gap">{body.strip()}</div>')
            continue
        label = ""
        if seg.opens_turn:
            timing = f" · {escape(seg.timing)}" if seg.timing else ""
            role = ROLE_LABELS.get(seg.role, seg.role)
            label = (f'<span class="vb-who vb-said">{escape(said)}<span class="vb-role">{role.lower()}{timing}</span></span>'
                     if said else f'<span class="vb-who">{escape(seg.speaker or "")} · {role}{timing}</span>')
        said = None
        parts.append(f'<div class="vb-seg vb-{seg.role}">{label}{body}</div>')
    name = escape(f"Transcript of {title}" if title else "Transcript")
    back = f' data-opener="{escape(opener)}"' if opener else ""
    return f'<div class="vb-transcript" tabindex="0" role="region" aria-label="{name}"{back}>{"".join(parts)}</div>'


def _label_start(gap: Segment, turn: Segment | None, focus: tuple[int, int] | None) -> int | None:
    """Where, in `gap`, the label `Speaker:` of the turn that follows starts (None: no such label,
    or the focus span touches it, which must then show as the plain text it is)."""
    if turn is None or turn.role is None or not turn.opens_turn or not turn.speaker:
        return None
    line = gap.text.rstrip()
    if not line.endswith(f"{turn.speaker}:"):
        return None
    cut = len(line) - len(turn.speaker) - 1
    if cut > 0 and not gap.text[cut - 1].isspace():
        return None  # "Mr. Ann:" is not "Ann:"
    if focus and gap.start + cut < focus[1] and focus[0] < gap.end:
        return None
    return cut


# Runs in the page (st.html with JavaScript): a constant, nothing from a transcript in it. It
# scrolls the highlighted passage into the middle of the transcript's scroll box and puts the
# keyboard focus on that box (arrow keys and Page Down then scroll it). When the dialog closes,
# focus goes back to the button that opened it (its key is the box's `data-opener`), not to <body>.
SCROLL_TO_FOCUS = f"""<script>
(function () {{
  let tries = 0;
  function go() {{
    const el = document.getElementById("{FOCUS_ID}");
    if (!el) {{ if (tries++ < 50) setTimeout(go, 60); return; }}
    const box = el.closest(".vb-transcript");
    el.scrollIntoView({{block: "center"}});
    box.focus({{preventScroll: true}});
    const opener = box.dataset.opener;
    if (!opener) return;
    const watch = setInterval(function () {{
      if (box.isConnected && box.getClientRects().length) return;
      clearInterval(watch);
      // Streamlit also keeps a hidden copy of a button that has a tooltip: the visible one
      const button = [...document.querySelectorAll(".st-key-" + CSS.escape(opener) + " button")]
        .find(b => b.getClientRects().length);
      if (button && !document.querySelector("[role=dialog] .vb-transcript")) button.focus();
    }}, 100);
  }}
  setTimeout(go, 60);
}})();
</script>"""
