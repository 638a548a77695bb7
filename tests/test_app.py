"""The Streamlit app through `AppTest`: the bot injected as `session_state["bot"]` (the real offline
bot on the bundled interview, a bot on a fake OpenAI server, or a scripted bot at the `Bot` seam)."""

from __future__ import annotations

import re
from dataclasses import replace
from html import escape
from html.parser import HTMLParser

import pytest
from streamlit.testing.v1 import AppTest

from bot.answer import Answer, Citation
from bot.export import briefing_markdown
from bot.markdown import markdown_literal
from bot.ui.copy import copy_html
from bot.ui.interviews import example_questions
from bot.pipeline import Bot
from bot.ui.markup import CSS, SCROLL_TO_FOCUS
from ingest import load_transcript
from tests.conftest import FIXTURES, INTERVIEW, INTERVIEW_SOURCE, ROOT

TEXT = INTERVIEW.read_bytes().decode("utf-8")
HOSTILE = ['<script>alert("x")</script>', "<img src=x onerror=alert(1)>", "![pixel](http://127.0.0.1:9/track.png)",
           "[click](javascript:alert(1))"]


def run_app(bot, page: str | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.session_state["bot"] = bot
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def ask(at: AppTest, question: str) -> AppTest:
    at.chat_input[0].set_value(question).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def html(at: AppTest) -> list[str]:
    return [h.value for h in at.get("html")]


def cards(at: AppTest) -> list[str]:
    return [h for h in html(at) if 'class="vb-card"' in h]


def plain(markdown: str) -> str:
    """Markdown as the reader sees it (backslash escapes removed)."""
    return re.sub(r"\\(.)", r"\1", markdown)


def texts(at: AppTest) -> str:
    """Everything shown through Streamlit's Markdown elements (badges, captions, alerts), as read."""
    return "\n".join(plain(e.value) for kind in ("markdown", "caption", "warning", "error", "success", "info")
                     for e in at.get(kind))


class Tags(HTMLParser):
    """The elements and attributes of an HTML string, as a browser would parse them."""

    def __init__(self):
        super().__init__()
        self.found: list[tuple[str, list[tuple[str, str]]]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, attrs))


class ScriptedBot:
    """A bot at the `Bot.ask` seam: returns scripted answers in order and records every call."""

    def __init__(self, interview_store, answers: list[Answer]):
        self.settings, self.store = interview_store
        self.answers, self.calls = list(answers), []
        self.embeddings, self.chat_model, self.model_name = None, None, None

    def ask(self, question, history=None, sources=None, max_citations=None, on_token=None):
        self.calls.append({"question": question, "history": list(history or []), "sources": sources,
                           "max_citations": max_citations})
        return replace(self.answers.pop(0), question=question)


def cited(store, words: str, n: int = 1) -> Citation:
    passage = next(p for p in store.corpus().passages if words in p.text)
    start = passage.start + passage.text.index(words)
    return Citation.from_passage(n, passage, start, start + len(words))


def test_first_run_offers_three_questions_the_interview_answers(interview_bot):
    at = run_app(interview_bot)
    examples = [plain(b.label) for b in at.button if (b.key or "").startswith("example-")]
    assert examples == example_questions(interview_bot.store.sources(), interview_bot.store.corpus().passages)
    assert len(examples) == 3
    for question in examples:
        answer = interview_bot.ask(question)
        assert not answer.abstained and answer.citations and answer.outcome in ("answer", "candidates"), question
    at.button(key="example-0").click().run()
    assert len(at.session_state["exchanges"]) == 1 and cards(at)


def test_a_question_gets_an_answer_with_verbatim_citation_cards(interview_bot):
    at = ask(run_app(interview_bot), "Does the official see access to water as a human right?")
    answer = at.session_state["exchanges"][0].answer
    assert not answer.abstained and answer.citations
    assert "Offline · extractive" in texts(at)
    shown = cards(at)
    assert len(shown) == len(answer.citations)
    for card, c in zip(shown, answer.citations):
        assert TEXT[c.start:c.end] == c.quote
        assert f"<mark>{escape(c.quote)}</mark>" in card
        assert f"characters {c.start}–{c.end}" in card and "Interview EU Kazakhstan" in card and "2024-11-27" in card
        assert escape(" ".join(c.question.text.split())) in card, "the card shows the question it answers"
        assert f'href="#vb-0-{c.n}"' in html(at)[[i for i, h in enumerate(html(at)) if "vb-answer" in h][0]]
    at.button(key="show-0-1").click().run()
    transcript = next(h for h in html(at) if 'class="vb-transcript"' in h)
    c = answer.citations[0]
    assert f'<mark id="verbatim-focus">{escape(c.quote)}</mark>' in transcript
    assert transcript.count("vb-question") == 5 and "Interviewer · Question" in transcript
    assert SCROLL_TO_FOCUS in html(at)


def test_a_follow_up_is_answered_in_the_context_of_the_conversation(interview_bot):
    at = ask(run_app(interview_bot), "What does the official think about the petition against so-called LGBT propaganda?")
    ask(at, "Would the member states be happy about that?")
    follow_up = at.session_state["exchanges"][1].answer
    assert "LGBT propaganda" in follow_up.standalone_question
    assert "I know that they would not be happy" in " ".join(c.quote for c in follow_up.citations)
    assert any(escape("(context: What does the official think") in h for h in html(at)), "the search is visible"


def test_the_conversation_is_passed_as_history(interview_store):
    _, store = interview_store
    water = cited(store, "Water is also a human right.")
    answer = Answer("", "", "“Water is also a human right.” [1]", (water,), False, "extractive", confidence="high")
    bot = ScriptedBot(interview_store, [answer, answer, answer])
    at = ask(ask(run_app(bot), "Is water a right?"), "And who said so?")
    assert bot.calls[0]["history"] == []
    assert bot.calls[1]["history"] == [{"role": "user", "content": "Is water a right?"},
                                       {"role": "assistant", "content": answer.text}]
    at.sidebar.slider[0].set_value(2).run()
    ask(at, "Anything else?")
    assert bot.calls[2]["max_citations"] == 2 and bot.calls[2]["sources"] is None


def test_an_abstention_reads_as_such_with_related_passages_not_citations(interview_bot):
    at = ask(run_app(interview_bot), "What did Kaja Kallas say about Chinese gas pipelines?")
    answer = at.session_state["exchanges"][0].answer
    assert answer.abstained and answer.related
    assert "Not addressed in the interview" in texts(at)
    assert not cards(at), "no citation card for an abstention"
    related = [h for h in html(at) if "related, not cited" in h]
    assert len(related) == len(answer.related)
    assert [b.key for b in at.button if (b.key or "").startswith("rel-")] == ["rel-0-0", "rel-0-1"]
    assert "The interview does not address this question" in next(h for h in html(at) if "vb-answer" in h)
    at.button(key="rel-0-0").click().run()
    transcript = next(h for h in html(at) if 'class="vb-transcript"' in h)
    assert f'<mark id="verbatim-focus">{escape(answer.related[0].text)}</mark>' in transcript
    at.sidebar.button(key="conv-new").click().run()  # "New conversation"
    assert at.session_state["exchanges"] == [] and at.button(key="example-0")


def test_closest_passages_and_model_failure_are_visible(interview_store):
    _, store = interview_store
    low = Answer("", "", "The interview may not answer this directly. The passages closest to your question: [1] the "
                 "interviewee: “Water is also a human right.”", (cited(store, "Water is also a human right."),), False,
                 "extractive", notice="The model failed (timeout); this is the offline answer.", confidence="low")
    at = ask(run_app(ScriptedBot(interview_store, [low])), "Is there a right to clean air?")
    assert "Closest passages, not a confirmed answer · 1 verbatim" in texts(at)
    assert any('class="vb-answer vb-low"' in h for h in html(at))
    assert "The model failed (timeout); this is the offline answer." in texts(at)


def test_with_a_model_the_answer_streams_and_is_checked(model_bot, fake_openai):
    fake_openai.enqueue(content="The official says “Water is also a human right.” [1]")
    at = ask(run_app(model_bot), "Does the official see access to water as a human right?")
    answer = at.session_state["exchanges"][0].answer
    assert (answer.mode, answer.model) == ("llm", "fake-model")
    assert [c.quote for c in answer.citations] == ["Water is also a human right."]
    assert fake_openai.chat_requests()[-1].get("stream") is True, "the app asks the model to stream"
    assert "Model · fake-model" in texts(at)
    fake_openai.enqueue(status=500)
    ask(at, "Which values does the EU base its relationship with Kazakhstan on?")
    fallback = at.session_state["exchanges"][1].answer
    assert fallback.mode == "extractive" and fallback.citations
    assert "The model failed" in texts(at)
    at.sidebar.radio[0].set_value("offline").run()
    calls = len(fake_openai.chat_requests())
    ask(at, "Does the official see access to water as a human right?")
    assert at.session_state["exchanges"][2].answer.mode == "extractive"
    assert len(fake_openai.chat_requests()) == calls, "offline answers never call the model"


def test_exports_hold_verbatim_quotes_and_footnotes(interview_bot):
    at = ask(run_app(interview_bot), "Which values does the EU base its relationship with Kazakhstan on?")
    answer = at.session_state["exchanges"][0].answer
    markdown = briefing_markdown(at.session_state["exchanges"][:1], title="Answer from Verbatim")  # what "Download .md" holds
    for c in answer.citations:
        assert f"> {markdown_literal(TEXT[c.start:c.end])} [^1-{c.n}]" in markdown, "quotes are escaped, to show as they are"
        assert re.search(rf"^\[\^1-{c.n}\]: Interviewee, in the interview “Interview EU Kazakhstan” on 27 November 2024, "
                         rf"answering .* characters {c.start}–{c.end} of {INTERVIEW_SOURCE}\.$",
                         re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown), re.M)
    assert at.download_button(key="dl-0").proto.url
    assert {b.label for b in at.sidebar.download_button} == {"Markdown", "Word"}
    assert at.sidebar.checkbox(key="brief-0-0").value, "the briefing holds the answer"


@pytest.fixture
def writable_bot(settings, minilm):
    from bot.backends import open_store

    store = open_store(settings, create=True, embeddings=minilm)
    store.add(load_transcript(INTERVIEW, source=INTERVIEW_SOURCE))
    return Bot(settings, store, minilm)


@pytest.mark.parametrize(("name", "data", "message"), [
    ("binary.txt", bytes(range(256)) * 4, "looks like a binary file"),
    ("latin1.txt", "Qué?\n\nSí, señor.".encode("latin-1"), "is not UTF-8 text"),
    ("empty.vtt", b"   \n", "is empty"),
])
def test_a_bad_upload_shows_one_line_and_changes_nothing(writable_bot, name, data, message):
    store = writable_bot.store
    before = (store.sources(), len(store.corpus().passages))
    at = run_app(writable_bot)
    at.sidebar.file_uploader[0].set_value((name, data, "text/plain")).run()
    at.sidebar.button(key="ingest").click().run()
    assert [e.value for e in at.error] and message in plain(at.error[0].value)
    assert "Traceback" not in at.error[0].value and not at.exception
    assert (store.sources(), len(store.corpus().passages)) == before


def test_a_hostile_transcript_is_shown_as_text(writable_bot):
    at = run_app(writable_bot)
    at.sidebar.file_uploader[0].set_value(("hostile.txt", (FIXTURES / "hostile.txt").read_bytes(), "text/plain")).run()
    at.sidebar.button(key="ingest").click().run()
    assert "hostile.txt" in {s.source for s in writable_bot.store.sources()}
    assert "Added “Hostile”" in texts(at)
    at.sidebar.toggle[0].set_value(False).run()
    at.sidebar.multiselect[0].set_value(["hostile.txt"]).run()
    ask(at, "Are the rules fine? <img src=x onerror=alert(2)>")
    answer = at.session_state["exchanges"][0].answer
    assert answer.citations and all(c.source == "hostile.txt" for c in answer.citations)
    assert any('They are <script>alert("x")</script> fine.' in c.quote for c in answer.citations)
    at.button(key="show-0-1").click().run()
    copy = copy_html(at.session_state["exchanges"][0])  # the Copy button: its data is JSON (tests/test_copy.py)
    assert copy in html(at)
    shown = [h for h in html(at) if h not in (SCROLL_TO_FOCUS, CSS, copy)]  # the app's own constants
    card = next(h for h in shown if 'class="vb-card"' in h)
    transcript = next(h for h in shown if 'class="vb-transcript"' in h)
    for part in (card, transcript):  # the transcript's markup is text: escaped HTML, Markdown left as is
        assert escape('<script>alert("x")</script>') in part and escape("<img src=x onerror=alert(1)>") in part
        assert "![pixel](http://127.0.0.1:9/track.png) or [click](javascript:alert(1))" in part
    assert escape("<img src=x onerror=alert(2)>") in "".join(shown), "the user's question is text too"
    for h in shown:  # only the app's own elements and attributes; links only to the page's cards
        tags = Tags()
        tags.feed(h)
        assert {t for t, _ in tags.found} <= {"div", "span", "b", "mark", "a", "q", "details", "summary", "br", "small"}
        assert {k for _, attrs in tags.found for k, _ in attrs} <= {"class", "id", "href", "title", "tabindex", "role",
                                                                   "aria-label", "data-opener"}
        assert all(v.startswith("#vb-") for _, attrs in tags.found for k, v in attrs if k == "href")
    for element in [e for kind in ("markdown", "caption", "warning", "error", "success", "info") for e in at.get(kind)]:
        assert "![" not in element.value and "](javascript:" not in element.value and "<img" not in element.value


@pytest.fixture
def uncached():
    """The app builds its own bot from the environment (no injection, no bot cached by another test)."""
    from bot.ui.state import _shared_bot

    _shared_bot.clear()
    yield
    _shared_bot.clear()


def test_a_bad_setting_is_one_line_not_a_traceback(monkeypatch, uncached):
    monkeypatch.setenv("VERBATIM_ANSWERER", "oracle")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception
    assert [plain(e.value) for e in at.error] == ["VERBATIM_ANSWERER='oracle': choose one of auto, extractive, llm"]


def test_a_first_run_without_a_store_asks_for_a_transcript(monkeypatch, tmp_path, uncached):
    monkeypatch.setenv("VERBATIM_STORE", str(tmp_path / "new-store"))
    monkeypatch.setenv("VERBATIM_COLLECTION", "first-run")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception and not at.error
    assert "No interview yet" in texts(at)
    assert at.chat_input[0].disabled and at.sidebar.file_uploader[0]


def test_two_uploads_with_one_name_are_both_kept(writable_bot):
    from bot.ui.interviews import add_upload

    first, _ = add_upload(writable_bot, b"Q: Why?\nA: Because it rains.", "talk.txt")
    again, result = add_upload(writable_bot, b"Q: Why?\nA: Because it rains.", "talk.txt")
    other, _ = add_upload(writable_bot, b"Q: Why?\nA: Because it snows.", "talk.txt")
    assert (first.source, again.source, result.added) == ("talk.txt", "talk.txt", 0), "the same file: nothing new"
    assert other.source == "talk (2).txt"
    sources = {s.source for s in writable_bot.store.sources()}
    assert {"talk.txt", "talk (2).txt"} <= sources
    texts = {writable_bot.store.source_text(s) for s in ("talk.txt", "talk (2).txt")}
    assert texts == {"Q: Why?\nA: Because it rains.", "Q: Why?\nA: Because it snows."}
