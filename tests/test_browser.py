"""End to end in a real headless Chromium: `streamlit run app.py` on 127.0.0.1 with the bundled interview.

Asks a question, waits for the cited answer (and prints how long that took from pressing Enter),
opens the citation in the transcript with the keyboard only, downloads the Markdown briefing and
checks its quotes against the transcript; then uploads the hostile fixture and checks that none
of its markup becomes an element. Screenshots go to a temporary folder (printed).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from tests.conftest import FIXTURES, INTERVIEW, INTERVIEW_SOURCE, ROOT, skip_or_fail

pytestmark = pytest.mark.browser
CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TEXT = INTERVIEW.read_bytes().decode("utf-8")
QUESTION = "Does the official see access to water as a human right?"  # answered near the end: the view must scroll


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_health(url: str, server, log: Path) -> None:
    """Until the Streamlit server at `url` answers its health check (fails if it exits or takes 30 s)."""
    for _ in range(300):
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
        if server.poll() is not None:
            pytest.fail(f"streamlit exited: {log.read_text()[-2000:]}")
    pytest.fail("streamlit did not answer its health check within 30 s")


def tab_to(page, label: str) -> None:
    """Press Tab from the question box until the focused element's text ends with `label`."""
    page.get_by_placeholder(re.compile(r"Ask about the .*…")).focus()
    for _ in range(80):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.innerText || ''").strip().endswith(label):
            return
    pytest.fail(f"Tab never reached a “{label}” button")


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    """A Streamlit server on a free loopback port, its store holding the bundled interview."""
    if not CHROMIUM.exists():
        skip_or_fail(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium) to run browser tests")
    store = tmp_path_factory.mktemp("browser-store")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VERBATIM_", "OPENAI_", "AZURE_OPENAI"))}
    (store / "home").mkdir()
    env |= {"VERBATIM_STORE": str(store), "ANONYMIZED_TELEMETRY": "False", "HOME": str(store / "home")}
    subprocess.run([sys.executable, "-m", "ingest", INTERVIEW_SOURCE, "--store", str(store)], cwd=ROOT, env=env,
                   check=True, capture_output=True, timeout=120)
    port = free_port()
    log = open(store / "streamlit.log", "w")
    started = time.perf_counter()
    # the server runs under strace, so that the last test can check that nothing left the machine
    trace = ["strace", "-f", "-qq", "--seccomp-bpf", "-e", "trace=connect", "-o", str(store / "connect.log")] if shutil.which("strace") else []
    server = subprocess.Popen([*trace, sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
                               "--server.address", "127.0.0.1", "--server.headless", "true"],
                              cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_health(url, server, store / "streamlit.log")
        yield url, started, store
    finally:
        os.killpg(server.pid, signal.SIGTERM)  # strace and the app it runs
        server.wait(timeout=20)
        log.close()


@pytest.fixture(scope="module")
def browser(app_url, tmp_path_factory):
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        skip_or_fail("the Python package playwright is not installed")
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(profile), executable_path=str(CHROMIUM), headless=True, args=ARGS,
            viewport={"width": 1280, "height": 900}, accept_downloads=True)
        yield context
        context.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory):
    folder = tmp_path_factory.mktemp("screenshots")
    yield folder
    print(f"\nscreenshots: {folder}")


def open_app(browser, url: str):
    page = browser.new_page()
    page.goto(url)
    page.get_by_placeholder("Ask about the interview…").wait_for(timeout=60_000)
    return page


def ask(page, question: str) -> float:
    """Type the question, press Enter; seconds until the answer's citation cards are rendered."""
    before = page.locator(".vb-card").count()
    box = page.get_by_placeholder(re.compile(r"^Ask about the (interview|\d+ interviews)…$"))  # one, or several
    box.fill(question)
    started = time.perf_counter()
    box.press("Enter")
    page.wait_for_function(f"document.querySelectorAll('.vb-card').length > {before}", timeout=60_000)
    seconds = time.perf_counter() - started
    wait_until_idle(page)
    return seconds


def wait_until_idle(page) -> None:
    """Until Streamlit has finished the run (its "Running…" status widget is gone)."""
    page.wait_for_timeout(100)
    page.wait_for_function("!document.querySelector('[data-testid=stStatusWidget]')", timeout=60_000)


def card_quotes(page) -> list[tuple[str, int, int]]:
    out = []
    for card in page.locator(".vb-card").all():
        start, end = map(int, re.search(r"characters (\d+)–(\d+)", card.text_content()).groups())
        out.append((card.locator("mark").text_content(), start, end))
    return out


def test_ask_open_the_citation_in_the_transcript_and_download_the_briefing(browser, app_url, shots):
    url, server_started, _ = app_url
    page = open_app(browser, url)
    print(f"\nstreamlit start → usable page: {time.perf_counter() - server_started:.2f} s")
    example = page.get_by_role("button", name=re.compile("Which values does the EU"))
    example.wait_for(timeout=60_000)  # the welcome appears once the interviews and the model are loaded
    assert example.is_visible()
    page.screenshot(path=shots / "1-welcome.png")

    seconds = ask(page, QUESTION)
    print(f"Enter → rendered cited answer: {seconds:.2f} s (offline)")
    quotes = card_quotes(page)
    assert quotes and all(TEXT[start:end] == quote for quote, start, end in quotes)
    assert page.get_by_text("Offline · extractive").is_visible()
    page.screenshot(path=shots / "2-answer.png")

    # keyboard only: Tab from the question box to the first "Show in transcript", Enter opens it
    tab_to(page, "Show in transcript")
    page.keyboard.press("Enter")
    focus = page.locator("#verbatim-focus")
    focus.wait_for(timeout=10_000)
    assert focus.text_content() == quotes[0][0]
    page.wait_for_function("""() => {
        const r = document.getElementById('verbatim-focus').getBoundingClientRect();
        return r.top >= 0 && r.bottom <= window.innerHeight && r.height > 0; }""", timeout=5_000)
    assert page.locator(".vb-seg.vb-question").count() == 5
    page.screenshot(path=shots / "3-transcript.png")
    page.keyboard.press("Escape")
    focus.wait_for(state="detached", timeout=10_000)

    with page.expect_download() as download:
        page.get_by_test_id("stSidebar").get_by_role("button", name="Markdown", exact=True).click()
    markdown = Path(download.value.path()).read_text(encoding="utf-8")
    for n, (quote, start, end) in enumerate(quotes, 1):
        assert f"> {quote} [^1-{n}]" in markdown
        assert re.search(rf"^\[\^1-{n}\]: Interviewee, in the interview “Interview EU Kazakhstan” on 27 November 2024, "
                         rf"answering .*characters {start}–{end} of ", markdown, re.M)
    assert hashlib.sha256(INTERVIEW.read_bytes()).hexdigest() in markdown

    # the Word briefing as the browser saves it: real footnotes, one per quote, the quotes verbatim
    with page.expect_download() as download:
        page.get_by_test_id("stSidebar").get_by_role("button", name="Word", exact=True).click()
    assert download.value.suggested_filename.endswith(".docx")
    with zipfile.ZipFile(download.value.path()) as docx:
        body, notes = (etree.fromstring(docx.read(f"word/{part}.xml")) for part in ("document", "footnotes"))
        core = docx.read("docProps/core.xml").decode("utf-8")
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    assert len(body.findall(f".//{w}footnoteReference")) == len(quotes)
    shown = "".join(t.text or "" for t in body.iter(f"{w}t"))
    assert all(quote in shown for quote, _, _ in quotes)
    assert len([n for n in notes.findall(f"{w}footnote") if n.get(f"{w}type") is None]) == len(quotes)
    assert "<dc:creator>Verbatim</dc:creator>" in core
    page.close()


def test_a_hostile_transcript_renders_inert(browser, app_url, shots):
    url, _, _ = app_url
    page = open_app(browser, url)
    dialogs, requests = [], []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("request", lambda r: requests.append(r.url))
    page.get_by_text("Add a transcript").click()
    page.locator("input[type=file]").set_input_files(str(FIXTURES / "hostile.txt"))
    page.get_by_role("button", name="Ingest").click()
    page.get_by_text("Added “Hostile”").wait_for(timeout=60_000)
    ask(page, "Are the rules fine? <img src=x onerror=alert(2)>")
    cards = page.locator(".vb-card")  # both interviews are searched: the hostile one's card among them
    texts = [cards.nth(i).locator("mark").text_content() for i in range(cards.count())]
    hostile = next(i for i, t in enumerate(texts) if '<script>alert("x")</script>' in t)
    page.get_by_role("button", name="Show in transcript").nth(hostile).click()
    page.locator("#verbatim-focus").wait_for(timeout=10_000)
    page.wait_for_timeout(500)
    page.screenshot(path=shots / "4-hostile.png")
    assert "![pixel](http://127.0.0.1:9/track.png)" in page.locator(".vb-transcript").text_content()
    counts = page.evaluate("""() => ({
        scripts: [...document.scripts].filter(s => s.text.includes('alert(')).length,
        images: document.querySelectorAll('img[src="x"], img[src*="track.png"]').length,
        links: document.querySelectorAll('a[href^="javascript"]').length,
        handlers: document.querySelectorAll('[onerror]').length })""")
    assert counts == {"scripts": 0, "images": 0, "links": 0, "handlers": 0}
    assert dialogs == [] and not [r for r in requests if "track.png" in r]
    page.close()


def test_a_markdown_briefing_rendered_in_a_browser_fetches_nothing(browser, tmp_path):
    """The Markdown export is not an exfiltration channel: quotes, titles, speaker names and a
    model's prose planted with images, scripts, frames and links are escaped, so the export
    rendered by a Markdown renderer that passes raw HTML through (the worst case) and opened in
    Chromium shows them as text, and a loopback listener receives no request."""
    from markdown_it import MarkdownIt

    from bot.answer import Answer, Citation
    from bot.evidence import Exchange, build_evidence
    from bot.export import briefing_markdown
    from ingest import parse_transcript
    from tests.loopback import Listener

    with Listener() as listener:
        leak = listener.url
        text = (f"title: Leaky <img src={leak}/title>\n\nHost: What do you make of it?\n\n"
                f"Guest <img src={leak}/speaker>: It is <img src={leak}/html> fine ![pixel]({leak}/markdown) "
                f"<script>fetch('{leak}/script')</script> [click](javascript:fetch('{leak}/js')) <{leak}/autolink> "
                f"<iframe src={leak}/frame></iframe> <style>@import url({leak}/css);</style> &lt;b&gt; **bold**.")
        t = parse_transcript(text, "leaky.txt")
        p = next(x for x in t.passages if x.role == "answer")
        c = Citation.from_passage(1, p, p.start, p.end)
        planted = f"The guest says “{c.quote}” [1] ![x]({leak}/model) <img src={leak}/model-html>"
        exchanges = [Exchange(a, (build_evidence(c, text, t.title, None, "abc", None),))
                     for a in (Answer("Is it fine?", "Is it fine?", planted, (c,), False, "llm", model="m"),
                               Answer(f"<img src={leak}/question>", "", "“x” [1]", (c,), False, "extractive"))]
        markdown = briefing_markdown(exchanges, title=f"Brief <img src={leak}/doc-title>")
        page = browser.new_page()
        dialogs = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.set_content(MarkdownIt("commonmark", {"html": True}).render(markdown))
        page.wait_for_timeout(1500)
        assert listener.hits == [] and dialogs == []
        counts = page.evaluate("""() => ({images: document.images.length, scripts: document.scripts.length,
            frames: document.querySelectorAll('iframe').length, links: [...document.links].map(a => a.href)})""")
        assert counts == {"images": 0, "scripts": 0, "frames": 0, "links": []}
        quotes = page.locator("blockquote p").all_text_contents()
        assert " ".join(c.quote.split()) in " ".join(" ".join(quotes).split()), "the quote reads as itself"
        page.close()


def test_the_app_stays_on_the_machine(app_url, browser):
    """Run last: the app served every test above; nothing it did left the machine (no telemetry,
    no DNS lookups) and nothing was left in its home cache."""
    from tests.test_offline import outside_connections

    _, _, store = app_url
    if not (store / "connect.log").exists():
        skip_or_fail("strace is missing: install Debian's strace (apt-get install strace) to check the app's connections")
    assert outside_connections((store / "connect.log").read_text()) == []
    home = store / "home"
    assert not [p for p in home.rglob("*") if p.is_file() and ("Microsoft" in str(p) or "onnxruntime" in str(p))]
