"""The "Copy answer" button as the app renders it (AppTest): one per answer, in the answer's button row,
its clipboard data exactly `clipboard_html` / `clipboard_text` of that answer, carried as JSON in an
attribute, which no transcript can turn into markup or script. What the browser does with it is in test_copy_browser.py.
"""

from __future__ import annotations

import html
import json
import re

import pytest
from streamlit.testing.v1 import AppTest

from bot.export import clipboard_html, clipboard_text
from bot.ui.copy import COPY_JS
from ingest import load_transcript
from tests.conftest import FIXTURES, INTERVIEW, ROOT

TEXT = INTERVIEW.read_bytes().decode("utf-8")
DATA = re.compile(r'<div class="vb-copy-box" data-clipboard="([^"]*)">')


def run(bot, *questions: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.session_state["bot"] = bot
    at.run()
    for question in questions:
        at.chat_input[0].set_value(question).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def copy_elements(at: AppTest) -> list:
    return [h for h in at.get("html") if 'class="vb-copy-box"' in h.value]


def test_each_answer_has_a_copy_button_with_its_own_clipboard(interview_bot):
    at = run(interview_bot, "Which values does the EU base its relationship with Kazakhstan on?",
             "Does the official see access to water as a human right?")
    exchanges = at.session_state["exchanges"]
    elements = copy_elements(at)
    assert len(elements) == len(exchanges) == 2
    for ex, element in zip(exchanges, elements):
        assert element.proto.unsafe_allow_javascript
        assert '<button type="button" class="vb-copy"' in element.value and "Copy answer</button>" in element.value
        data = json.loads(html.unescape(DATA.search(element.value).group(1)))
        assert data == {"html": clipboard_html(ex), "text": clipboard_text(ex)}
        assert ex.evidence and all(TEXT[c.start:c.end] in data["text"] for c in ex.answer.citations)
        assert all(f"— Interviewee, in the interview “Interview EU Kazakhstan” on 27 November 2024 [{c.n}]" in data["text"] for c in ex.answer.citations)
    popovers = [p.proto.popover.label for p in at.get("popover")]
    assert "How it was found" in popovers and "Copy as Markdown" not in popovers, "one click, not a popover"
    assert {b.label for b in at.download_button} >= {"Download .md"}


@pytest.fixture
def hostile_bot(settings, minilm):
    from bot.backends import open_store
    from bot.pipeline import Bot

    store = open_store(settings, create=True, embeddings=minilm)
    store.add(load_transcript(FIXTURES / "hostile.txt", source="hostile.txt"))
    return Bot(settings, store, minilm)


def test_a_hostile_transcript_is_data_on_the_clipboard_never_script(hostile_bot):
    at = run(hostile_bot, "Are the rules fine?")
    [element] = copy_elements(at)
    body = element.value
    attribute = DATA.search(body).group(1)
    data_text = html.unescape(attribute)
    assert not set('<>"') & set(attribute) and not set("<>&") & set(data_text), "the data reads as no markup"
    data = json.loads(data_text)
    assert '<script>alert("x")</script>' in data["text"], "the quote is copied as it is"
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in data["html"] and "<script>" not in data["html"]
    scripts = re.findall(r"<script\b[^>]*>", body)
    assert scripts == ["<script>"]
    assert body.count(COPY_JS) == 1 and "alert" not in body.split("<script>")[-1], "the only code is the constant one"
