"""Copy one answer in a real headless Chromium: Tab to "Copy answer", press Enter, and read the
clipboard back in the page: its rich text and its plain text both hold every quote byte for byte,
the speaker and the interview. A screenshot of the answer with "Copied" goes to a temporary folder
(printed). Uses the server and browser of test_browser.py (started afresh for this module).
"""

from __future__ import annotations

import pytest
from lxml import html as lxml_html

from tests.test_browser import CHROMIUM, TEXT, app_url, ask, browser, card_quotes, open_app, tab_to, wait_until_idle  # noqa: F401

pytestmark = pytest.mark.browser

CREDIT = "Interviewee, in the interview “Interview EU Kazakhstan” on 27 November 2024"  # the line under each quote
READ_CLIPBOARD = """async () => {
  const out = {};
  for (const item of await navigator.clipboard.read())
    for (const type of item.types) out[type] = await (await item.getType(type)).text();
  return out;
}"""


def test_copy_an_answer_with_the_keyboard(browser, app_url, tmp_path_factory):  # noqa: F811
    url, _, _ = app_url
    browser.grant_permissions(["clipboard-read", "clipboard-write"], origin=url)
    page = open_app(browser, url)
    ask(page, "Which values does the EU base its relationship with Kazakhstan on?")
    quotes = card_quotes(page)
    assert quotes and all(TEXT[start:end] == quote for quote, start, end in quotes)

    tab_to(page, "Copy answer")
    page.keyboard.press("Enter")
    status = page.locator(".vb-copy-status")
    page.wait_for_function("document.querySelector('.vb-copy-status').textContent !== ''", timeout=10_000)
    assert status.text_content() == "Copied"
    shots = tmp_path_factory.mktemp("copy-screenshots")
    page.screenshot(path=shots / "copied.png")
    print(f"\nscreenshot: {shots / 'copied.png'}")

    clipboard = page.evaluate(READ_CLIPBOARD)
    assert set(clipboard) == {"text/html", "text/plain"}
    plain = clipboard["text/plain"]
    rich = lxml_html.fromstring(f"<div>{clipboard['text/html']}</div>")
    assert [q.text_content() for q in rich.iter("blockquote")] == [q for q, _, _ in quotes]
    for n, (quote, start, end) in enumerate(quotes, 1):
        assert f"{quote}\n— {CREDIT} [{n}]" in plain
        assert f"characters {start}–{end} of " in plain and f"characters {start}–{end} of " in rich.text_content()
    assert f"— {CREDIT}" in rich.text_content()
    page.wait_for_function("document.querySelector('.vb-copy-status').textContent === ''", timeout=10_000)
    wait_until_idle(page)
    page.close()
