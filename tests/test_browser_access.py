"""What only a browser shows, in a real headless Chromium: the first paint of a fresh server (cold)
and of a second visit (warm), the transcript scrolled by the keyboard with focus given back to the
button that opened it, and every custom colour readable (WCAG contrast at least 4.5:1, from
`getComputedStyle`) with the system in light and in dark mode.

    CI=true .venv/bin/python -m pytest tests/test_browser_access.py -q -s   # -s prints the timings

Timings are printed, not asserted tightly (`make bench` measures speed): a busy machine is slow.
This module starts its own server, not under strace (unlike tests/test_browser.py's, which checks
the app's connections and is slower for it), so its first test sees a cold start of the app itself.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time

import pytest

from tests.conftest import INTERVIEW_SOURCE, ROOT
from tests.test_browser import CHROMIUM, ask, browser, free_port, shots, skip_or_fail, wait_for_health, wait_until_idle  # noqa: F401

pytestmark = pytest.mark.browser
QUESTION = "Does the official see access to water as a human right?"  # answered near the end: the view must scroll
BOX = re.compile(r"^Ask about the (interview|\d+ interviews)…$")

# Milliseconds since navigation start: first contentful paint, the product's name, the chat box enabled.
MILESTONES = """async () => {
  const until = (test) => new Promise(done => { const poll = () => test() ? done(performance.now())
                                                                         : setTimeout(poll, 20); poll(); });
  const name = await until(() => [...document.querySelectorAll("h1,h2,h3")].some(h => h.innerText.includes("Verbatim")));
  const ready = await until(() => { const box = document.querySelector("[data-testid=stChatInputTextArea]");
                                    return box && !box.disabled; });
  const paint = performance.getEntriesByName("first-contentful-paint")[0];
  return {paint: paint ? paint.startTime : null, name, ready};
}"""

# The contrast of an element's text against what is painted behind it (translucent layers composited).
CONTRAST = """(selector) => {
  const parse = c => { const m = c.match(/rgba?\\(([^)]+)\\)/); if (!m) return null;
                       const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number); return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1]; };
  const over = (top, under) => top.slice(0, 3).map((v, i) => v * top[3] + under[i] * (1 - top[3]));
  const behind = el => { const layers = [];
    for (let e = el; e; e = e.parentElement) { const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; } }
    let colour = [255, 255, 255];
    for (const layer of layers.reverse()) colour = over(layer, colour);
    return colour; };
  const lum = rgb => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
                       return 0.2126 * f(rgb[0]) + 0.7152 * f(rgb[1]) + 0.0722 * f(rgb[2]); };
  return [...document.querySelectorAll(selector)].filter(el => el.getClientRects().length && el.innerText.trim()).map(el => {
    const back = behind(el), fore = over(parse(getComputedStyle(el).color), back);
    const [a, b] = [lum(fore), lum(back)].sort((x, y) => y - x);
    return {ratio: (a + 0.05) / (b + 0.05), fore, back, text: el.innerText.slice(0, 40)}; });
}"""

CHECKED = {  # what must be readable: the answer, the citation cards, the sidebar's card, the transcript view
    "answer text": ".vb-answer", "citation marker": "a.vb-marker", "card number": ".vb-card .vb-n",
    "card speaker": ".vb-card-head", "card passage": ".vb-card .vb-context", "card quote": ".vb-card .vb-context mark",
    "card question": ".vb-card .vb-asked", "card source": ".vb-card .vb-meta", "sidebar interview": ".vb-source small",
    "transcript question": ".vb-transcript .vb-seg.vb-question", "transcript answer": ".vb-transcript .vb-seg.vb-answer",
    "transcript speaker": ".vb-transcript .vb-who", "transcript highlight": ".vb-transcript mark",
}


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    """A fresh Streamlit server on a free loopback port, its store holding the bundled interview
    (tests/test_browser.py's `browser` fixture opens Chromium on it)."""
    if not CHROMIUM.exists():
        skip_or_fail(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium) to run browser tests")
    store = tmp_path_factory.mktemp("access-store")
    (store / "home").mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VERBATIM_", "OPENAI_", "AZURE_OPENAI"))}
    env |= {"VERBATIM_STORE": str(store), "ANONYMIZED_TELEMETRY": "False", "HOME": str(store / "home")}
    subprocess.run([sys.executable, "-m", "ingest", INTERVIEW_SOURCE, "--store", str(store)], cwd=ROOT, env=env,
                   check=True, capture_output=True, timeout=120)
    port, started = free_port(), time.perf_counter()
    with open(store / "streamlit.log", "w") as log:
        server = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port)],
                                  cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        url = f"http://127.0.0.1:{port}"
        try:
            wait_for_health(url, server, store / "streamlit.log")
            yield url, started, store
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=20)


def show_button(page):
    """The first citation's "Show in transcript" button."""
    wait_until_idle(page)
    return page.locator(".st-key-show-0-1 button:visible")  # Streamlit keeps a hidden copy too


def visit(browser, url: str, scheme: str = "light"):  # noqa: F811
    page = browser.new_page()
    page.emulate_media(color_scheme=scheme)
    page.goto(url)
    return page


def test_first_paint_cold_and_warm(browser, app_url):  # noqa: F811  (runs first: the server is fresh)
    url, _, _ = app_url
    figures = {}
    for visit_kind in ("cold", "warm"):
        page = visit(browser, url)
        figures[visit_kind] = page.evaluate(MILESTONES)
        page.close()
    for kind, f in figures.items():
        paint = f"{f['paint'] / 1000:.2f} s" if f["paint"] is not None else "not reported"
        print(f"\n{kind}: navigation start → first contentful paint {paint}, → “Verbatim” on the page "
              f"{f['name'] / 1000:.2f} s, → chat box enabled {f['ready'] / 1000:.2f} s")
    for f in figures.values():
        assert f["name"] <= f["ready"], "the product's name shows before (or with) the chat box"
        assert f["ready"] < 60_000, "generous: a benchmark, not this test, measures speed"


def test_the_transcript_scrolls_by_keyboard_and_gives_focus_back(browser, app_url, shots):  # noqa: F811
    url, _, _ = app_url
    page = visit(browser, url)
    page.get_by_placeholder(BOX).wait_for(timeout=60_000)
    ask(page, QUESTION)
    show_button(page).focus()
    page.keyboard.press("Enter")
    page.locator("#verbatim-focus").wait_for(timeout=10_000)
    view = page.locator(".vb-transcript")
    assert (view.get_attribute("tabindex"), view.get_attribute("role")) == ("0", "region")
    assert view.get_attribute("aria-label") == "Transcript of Interview EU Kazakhstan"
    page.wait_for_function("document.activeElement && document.activeElement.classList.contains('vb-transcript')",
                           timeout=5_000)
    scrolled = view.evaluate("v => v.scrollTop")
    assert scrolled > 0 and view.evaluate("v => v.scrollHeight > v.clientHeight"), "the passage is far down"
    page.keyboard.press("Home")
    page.wait_for_function("document.querySelector('.vb-transcript').scrollTop === 0", timeout=5_000)
    page.keyboard.press("PageDown")
    page.wait_for_function("document.querySelector('.vb-transcript').scrollTop > 0", timeout=5_000)
    page.keyboard.press("End")
    page.wait_for_function("""() => { const v = document.querySelector('.vb-transcript');
                                      return v.scrollTop + v.clientHeight >= v.scrollHeight - 2; }""", timeout=5_000)
    page.screenshot(path=shots / "access-transcript.png")
    page.keyboard.press("Escape")
    view.wait_for(state="detached", timeout=10_000)
    page.wait_for_function("document.activeElement && document.activeElement.closest('.st-key-show-0-1') !== null",
                           timeout=5_000)
    assert page.evaluate("document.activeElement.innerText").strip().endswith("Show in transcript")
    page.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_colour_is_readable_in_light_and_dark(browser, app_url, shots, scheme):  # noqa: F811
    url, _, _ = app_url
    page = visit(browser, url, scheme)
    page.get_by_placeholder(BOX).wait_for(timeout=60_000)
    background = page.evaluate("getComputedStyle(document.querySelector('.stApp')).backgroundColor")
    level = sum(map(int, re.findall(r"\d+", background)[:3])) / 3
    assert (level < 60) if scheme == "dark" else (level > 200), f"the theme follows the system: {background}"
    ask(page, QUESTION)
    page.screenshot(path=shots / f"access-answer-{scheme}.png", full_page=True)
    found = {name: page.evaluate(CONTRAST, selector) for name, selector in CHECKED.items()
             if not name.startswith("transcript")}
    show_button(page).click()
    page.locator("#verbatim-focus").wait_for(timeout=10_000)
    wait_until_idle(page)
    page.screenshot(path=shots / f"access-transcript-{scheme}.png")
    found |= {name: page.evaluate(CONTRAST, selector) for name, selector in CHECKED.items() if name.startswith("transcript")}
    for name, measured in found.items():
        assert measured, f"{name}: nothing matched {CHECKED[name]!r}"
        worst = min(measured, key=lambda m: m["ratio"])
        print(f"\n{scheme}: {name}: contrast {worst['ratio']:.1f}:1 ({worst['text']!r})")
        assert worst["ratio"] >= 4.5, f"{scheme}: {name} {worst}"
    page.close()
