"""Saved conversations in a real headless Chromium: what only a browser has, the owner cookie.

One browser asks a question: the URL names the conversation (`?c=ID`), a reload redraws it, a new
tab lists it. A second browser (its own cookie jar) lists nothing, and opens the conversation only
through its link.
"""

from __future__ import annotations

import pytest

from tests.conftest import skip_or_fail
from tests.test_browser import ARGS, CHROMIUM, QUESTION, app_url, ask, open_app, wait_until_idle  # noqa: F401

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def chromium(app_url):  # noqa: F811
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        skip_or_fail("the Python package playwright is not installed")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        yield browser
        browser.close()


def listed(page) -> list[str]:
    """The titles in the sidebar's conversation list."""
    wait_until_idle(page)
    keys = page.evaluate("""() => [...new Set([...document.querySelectorAll(
        '[data-testid=stSidebar] [class*="st-key-conv-open-"]')].map(
        e => [...e.classList].find(c => c.startsWith('st-key-conv-open-'))))]""")
    return [page.locator(f".{key} button [data-testid=stMarkdownContainer]").first.inner_text().strip() for key in keys]


def test_a_browser_keeps_its_conversations_and_another_does_not_see_them(app_url, chromium):  # noqa: F811
    url, _, _ = app_url
    mine = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = open_app(mine, url)
    ask(page, QUESTION)
    page.wait_for_url("**/?c=*", timeout=30_000)
    link = page.url
    cards = page.locator(".vb-card").count()
    assert cards and listed(page) == [QUESTION]
    owner = [c for c in mine.cookies() if c["name"] == "verbatim_owner"]
    assert owner and len(owner[0]["value"]) >= 30, "the owner token is kept in a cookie"

    page.reload()
    page.locator(".vb-card").first.wait_for(timeout=60_000)
    assert page.locator(".vb-card").count() == cards and page.url == link, "a reload redraws the conversation"
    assert listed(page) == [QUESTION]
    again = open_app(mine, url)  # a new tab of the same browser, without the link
    assert listed(again) == [QUESTION] and again.locator(".vb-card").count() == 0

    stranger = chromium.new_context(viewport={"width": 1280, "height": 900})
    theirs = open_app(stranger, url)
    assert listed(theirs) == [], "another browser does not see the conversation"
    shared = stranger.new_page()
    shared.goto(link)
    shared.locator(".vb-card").first.wait_for(timeout=60_000)
    assert shared.locator(".vb-card").count() == cards and listed(shared) == [], "the link opens it, unlisted"
    mine.close()
    stranger.close()
