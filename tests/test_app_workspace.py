"""The app as a workspace, through `AppTest`: a briefing keeps every answer, settings stay across
pages, conversations are saved as they are answered and reopen from their link (`?c=ID`), and
one browser session never sees another's list."""

from __future__ import annotations

from dataclasses import replace

import pytest
from streamlit.testing.v1 import AppTest

from bot.answer import Answer
from bot.export import markdown_escape
from bot.saved import Conversations
from ingest import load_transcript
from tests.conftest import INTERVIEW, INTERVIEW_SOURCE, ROOT
from tests.test_app import ScriptedBot, ask, cards, cited, plain, run_app, texts

EVALUATE, CHAT = "app_pages/evaluate.py", "app_pages/chat.py"


@pytest.fixture
def saved_store(interview_store, tmp_path):
    """The shared interview store, with a conversations file of this test's own."""
    settings, store = interview_store
    return replace(settings, conversations=tmp_path / "conversations.sqlite3"), store


def scripted(saved_store, n: int) -> ScriptedBot:
    """A bot that gives `n` answers: cited ones and, every third, an abstention."""
    _, store = saved_store
    water = cited(store, "Water is also a human right.")
    answer = Answer("", "", "“Water is also a human right.” [1]", (water,), False, "extractive", confidence="high")
    abstained = Answer("", "", "The interview does not address this question.", (), True, "extractive")
    return ScriptedBot(saved_store, [abstained if k % 3 == 2 else answer for k in range(n)])


def briefed(at: AppTest) -> list[str]:
    """The questions the briefing holds, in its order (the checked rows of the picker, labelled "n. question")."""
    exchanges = at.session_state["exchanges"]
    rows = [c for c in at.sidebar.checkbox if (c.key or "").startswith("brief-") and c.value]
    for row in rows:
        n, question = plain(row.label).split(". ", 1)
        assert exchanges[int(n) - 1].answer.question.startswith(question.rstrip("…"))
    return [exchanges[int(plain(row.label).split(".")[0]) - 1].answer.question for row in rows]


def saved_file(at: AppTest):
    return at.session_state["bot"].settings.conversations_path


def test_the_briefing_holds_every_answer_and_follows_new_ones(saved_store):
    at = run_app(scripted(saved_store, 7))
    for k in range(7):
        ask(at, f"Question {k + 1}?")
    assert briefed(at) == [f"Question {k + 1}?" for k in range(7)]
    assert "7 of 7 answers" in texts(at)
    markdown = at.sidebar.download_button(key="briefing-md")
    assert not markdown.disabled


def test_the_briefing_can_drop_and_reorder_answers(saved_store):
    at = run_app(scripted(saved_store, 4))
    for k in range(3):
        ask(at, f"Question {k + 1}?")
    at.sidebar.checkbox(key="brief-0-1").uncheck().run()
    at.sidebar.button(key="brief-up-0-2").click().run()
    at.sidebar.button(key="brief-up-0-2").click().run()
    assert at.sidebar.button(key="brief-up-0-2").disabled, "the first row cannot move up"
    assert briefed(at) == ["Question 3?", "Question 1?"]
    ask(at, "Question 4?")
    assert briefed(at) == ["Question 3?", "Question 1?", "Question 4?"], "a new answer joins at the end"
    at.switch_page(EVALUATE).run()
    at.switch_page(CHAT).run()
    assert briefed(at) == ["Question 3?", "Question 1?", "Question 4?"], "the choice outlives a page switch"
    assert "3 of 4 answers" in texts(at)


def test_a_real_conversation_of_seven_answers_is_briefed_whole(interview_bot):
    at = run_app(interview_bot)  # its conversations file sits in the shared store's folder, this session's own list
    questions = ["Which values does the EU base its relationship with Kazakhstan on?",
                 "Does the official see access to water as a human right?",
                 "What did Kaja Kallas say about Chinese gas pipelines?",
                 "What does the official think about the petition against so-called LGBT propaganda?",
                 "Would the member states be happy about that?",
                 "Is the EU worried about Russia?",
                 "What about critical raw materials?"]
    for q in questions:
        ask(at, q)
    assert briefed(at) == questions
    exchanges = at.session_state["exchanges"]
    assert any(ex.answer.abstained for ex in exchanges), "abstentions are in the briefing too"
    _, saved = Conversations(saved_file(at)).load(at.query_params["c"])
    assert saved == exchanges, "every exchange was saved as it was answered"


@pytest.fixture
def two_interviews(settings, minilm, tmp_path):
    """A store of its own with the bundled interview and a short second one."""
    from bot.backends import open_store

    store = open_store(settings, create=True, embeddings=minilm)
    store.add(load_transcript(INTERVIEW, source=INTERVIEW_SOURCE))
    (tmp_path / "rain.txt").write_text("Q: Why?\nA: Because it rains.", encoding="utf-8")
    store.add(load_transcript(tmp_path / "rain.txt", source="rain.txt"))
    return settings, store


def test_settings_stay_across_a_page_switch(two_interviews):
    bot = scripted(two_interviews, 2)
    at = run_app(bot)
    at.sidebar.toggle[0].set_value(False).run()
    at.sidebar.multiselect[0].set_value([INTERVIEW_SOURCE]).run()
    at.sidebar.slider[0].set_value(6).run()
    ask(at, "Is water a right?")
    at.switch_page(EVALUATE).run()
    assert at.sidebar.multiselect[0].value == [INTERVIEW_SOURCE] and at.sidebar.slider[0].value == 6
    at.switch_page(CHAT).run()
    assert at.sidebar.multiselect[0].value == [INTERVIEW_SOURCE] and at.sidebar.slider[0].value == 6
    ask(at, "And who said so?")
    assert [(c["sources"], c["max_citations"]) for c in bot.calls] == [([INTERVIEW_SOURCE], 6)] * 2


def conversation_buttons(at: AppTest) -> list[str]:
    """The titles of the sidebar's conversation list, newest first."""
    return [plain(b.label) for b in at.sidebar.button if (b.key or "").startswith("conv-open-")]


def new_session(bot, cid: str | None = None) -> AppTest:
    """Another browser (no cookie, so another owner), opening the link `?c=cid` if given."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.session_state["bot"] = bot
    if cid:
        at.query_params["c"] = cid
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_a_conversation_reopens_from_its_link_in_a_new_session(saved_store):
    bot = scripted(saved_store, 4)
    first = run_app(bot)
    ask(ask(first, "Is water a right?"), "And gas?")
    cid = first.query_params["c"]
    assert conversation_buttons(first) == ["Is water a right?"]
    other = new_session(bot)
    assert conversation_buttons(other) == [] and other.session_state["exchanges"] == [], "another browser sees nothing"
    opened = new_session(bot, cid)  # a reload, or the link shared
    assert [ex.answer.question for ex in opened.session_state["exchanges"]] == ["Is water a right?", "And gas?"]
    assert opened.session_state["exchanges"] == first.session_state["exchanges"]
    assert len(cards(opened)) == len(cards(first)) == 2, "the cards are redrawn without asking again"
    assert briefed(opened) == ["Is water a right?", "And gas?"]
    assert len(bot.calls) == 2, "nothing was asked again"
    assert conversation_buttons(opened) == [], "a link opens the conversation, it does not join the owner's list"
    assert "saved to a copy of your own" in texts(opened)
    ask(opened, "A follow-up from a stranger?")
    copy = opened.query_params["c"]
    assert copy != cid and conversation_buttons(opened) == ["Is water a right?"]
    db = Conversations(saved_file(first))
    assert db.load(cid)[0].answers == 2, "the owner's conversation is untouched by the stranger's question"
    assert db.load(copy)[0].answers == 3


def test_rename_delete_undo_and_new_conversation(saved_store):
    at = run_app(scripted(saved_store, 3))
    ask(at, "Is water a right?")
    cid = at.query_params["c"]
    at.sidebar.text_input(key=f"conv-title-{cid}").set_value("Water").run()
    at.sidebar.button(key=f"conv-rename-{cid}").click().run()
    assert conversation_buttons(at) == ["Water"]
    hostile = "![x](javascript:alert(1)) <b>:red[Water]</b>"
    at.sidebar.text_input(key=f"conv-title-{cid}").set_value(hostile).run()
    at.sidebar.button(key=f"conv-rename-{cid}").click().run()
    assert at.sidebar.button(key=f"conv-open-{cid}").label == markdown_escape(hostile), "a title is text, not markup"
    at.sidebar.text_input(key=f"conv-title-{cid}").set_value("Water").run()
    at.sidebar.button(key=f"conv-rename-{cid}").click().run()
    at.sidebar.button(key="conv-new").click().run()
    assert at.session_state["exchanges"] == [] and "c" not in at.query_params and at.button(key="example-0")
    ask(at, "Second?")
    assert conversation_buttons(at) == ["Second?", "Water"]
    at.sidebar.button(key=f"conv-open-{cid}").click().run()
    assert at.query_params["c"] == cid and [ex.answer.question for ex in at.session_state["exchanges"]] == \
        ["Is water a right?"]
    at.sidebar.button(key=f"conv-delete-{cid}").click().run()
    assert conversation_buttons(at) == ["Second?"] and at.session_state["exchanges"] == []
    assert "Deleted “Water”." in texts(at)
    assert new_session(at.session_state["bot"], cid).error, "a deleted conversation's link says so"
    at.sidebar.button(key="conv-undo").click().run()
    assert conversation_buttons(at) == ["Second?", "Water"]
    assert at.query_params["c"] == cid and len(at.session_state["exchanges"]) == 1


def test_a_damaged_conversations_file_is_one_line_and_the_chat_still_works(saved_store):
    settings, _ = saved_store
    settings.conversations_path.write_bytes(b"not a database " * 200)
    at = ask(run_app(scripted(saved_store, 2)), "Is water a right?")
    warnings = [plain(w.value) for w in at.sidebar.warning]
    assert len(warnings) == 1 and "Saved conversations are unavailable" in warnings[0] and "\n" not in warnings[0]
    assert len(at.session_state["exchanges"]) == 1 and cards(at) and not at.exception
    at.sidebar.button(key="conv-new").click().run()
    assert len(at.session_state["exchanges"]) == 1, "an unsaved conversation is not dropped without asking"
    at.sidebar.button(key="conv-new-confirm").click().run()
    assert at.session_state["exchanges"] == []


def test_a_link_to_no_conversation_is_one_line(saved_store):
    at = new_session(scripted(saved_store, 1), "no-such-conversation-id")
    assert [plain(e.value) for e in at.error] == [
        "No saved conversation at this link: it was deleted, or the link is incomplete."]
    assert "c" not in at.query_params
