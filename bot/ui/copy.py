"""The "Copy answer" button: one answer onto the clipboard in one click (or Tab and Enter), as rich
text and plain text at once.

The button is a real `<button>` in the page (not in an iframe), so it sits in the answer's button
row, takes keyboard focus like Streamlit's own, and can use the clipboard (127.0.0.1 and HTTPS are
secure contexts). What it copies is data, never code: `clipboard_html` and `clipboard_text` from
`bot.export` go, as JSON, into the `data-clipboard` attribute of the button's box (HTML-escaped,
and with `<`, `>` and `&` written as JSON escapes, so that no sanitizer sees markup in it and no
transcript can end the attribute); the one script, `COPY_JS`, is a constant that reads that data
when the button is pressed and writes both flavours with
`navigator.clipboard.write([new ClipboardItem({...})])`. "Copied" (or why it failed) shows beside
the button and is read out by screen readers.

    from bot.ui.copy import copy_button
    copy_button(exchange)   # inside the answer's st.container(horizontal=True)
"""

from __future__ import annotations

import html
import json

import streamlit as st

from bot.evidence import Exchange
from bot.export import clipboard_html, clipboard_text

# One delegated listener for every Copy button on the page, installed once per page load.
COPY_JS = """(() => {
  if (window.verbatimCopy) return;
  window.verbatimCopy = true;
  document.addEventListener("click", async (event) => {
    const button = event.target.closest && event.target.closest("button.vb-copy");
    if (!button) return;
    const box = button.closest(".vb-copy-box");
    const status = box.querySelector(".vb-copy-status");
    const data = JSON.parse(box.dataset.clipboard);
    try {
      if (window.ClipboardItem && navigator.clipboard.write) {
        await navigator.clipboard.write([new ClipboardItem({
          "text/html": new Blob([data.html], {type: "text/html"}),
          "text/plain": new Blob([data.text], {type: "text/plain"})})]);
      } else {
        await navigator.clipboard.writeText(data.text);
      }
      status.textContent = "Copied";
    } catch (error) {
      status.textContent = "Not copied: the browser refused the clipboard (" + error.name + ")";
    }
    clearTimeout(box.verbatimTimer);
    box.verbatimTimer = setTimeout(() => { status.textContent = ""; }, 4000);
  });
})();"""

CSS = """<style>
.vb-copy-box { display: inline-flex; align-items: center; gap: .5rem; }
.vb-copy { display: inline-flex; align-items: center; gap: .4rem; min-height: 2.5rem; padding: .25rem .75rem;
  border: 1px solid rgba(128, 128, 128, .45); border-radius: .5rem; background: transparent; color: inherit;
  font: inherit; font-size: .875rem; line-height: 1.6; cursor: pointer; }
.vb-copy:hover { border-color: #ff4b4b; color: #ff4b4b; }
.vb-copy:focus-visible { outline: 2px solid #ff4b4b; outline-offset: 2px; }
.vb-copy .vb-icon { font-family: "Material Symbols Rounded"; font-size: 1.125rem; line-height: 1; font-weight: 400; }
.vb-copy-status { font-size: .875rem; opacity: .8; }
</style>"""


def payload_json(ex: Exchange) -> str:
    """The clipboard's two flavours as JSON in which no `<`, `>` or `&` appears literally, so that
    nothing in it reads as markup to an HTML sanitizer (`</script>` in a quote stays data).

    >>> from bot.answer import Answer
    >>> raw = payload_json(Exchange(Answer("</script>?", "</script>?", "No.", (), True, "extractive")))
    >>> "<" in raw or json.loads(raw)["text"]
    '</script>?\\nNot addressed: No.'
    """
    raw = json.dumps({"html": clipboard_html(ex), "text": clipboard_text(ex)}, ensure_ascii=False)
    return raw.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def copy_html(ex: Exchange) -> str:
    """The button, its status line and its data (the markup `copy_button` renders)."""
    return (f'{CSS}<div class="vb-copy-box" data-clipboard="{html.escape(payload_json(ex), quote=True)}">'
            '<button type="button" class="vb-copy" title="Copy this answer (quotes, speaker, interview, notes) '
            'as rich text and plain text"><span class="vb-icon" aria-hidden="true">content_copy</span>'
            'Copy answer</button><span class="vb-copy-status" role="status" aria-live="polite"></span>'
            f"<script>{COPY_JS}</script></div>")


def copy_button(ex: Exchange) -> None:
    """Render the Copy answer button for `ex` where it is called (e.g. in a horizontal container)."""
    st.html(copy_html(ex), width="content", unsafe_allow_javascript=True)
