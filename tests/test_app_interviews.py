"""Interviews managed from the sidebar and the CLI (remove, rename, a picker that scales), the chat's
wording with one or several interviews, the scope each answer states, and the transcript view of
`Name:` transcripts (each speaker once, the highlight still exactly `text[start:end]`)."""

from __future__ import annotations

import re
from html import escape

import pytest

from bot.pipeline import Bot
from ingest import load_transcript, parse_transcript
from tests.conftest import FIXTURES, INTERVIEW, INTERVIEW_SOURCE, HashEmbeddings
from tests.test_app import ask, html, plain, run_app, texts
from tests.test_cli import run

SPEAKERS = "tests/fixtures/speakers.txt"


@pytest.fixture
def two_bot(settings, minilm):
    """A writable store holding the bundled interview and the `Name:` fixture."""
    from bot.backends import open_store

    store = open_store(settings, create=True, embeddings=minilm)
    store.add(load_transcript(INTERVIEW, source=INTERVIEW_SOURCE))
    store.add(load_transcript(FIXTURES / "speakers.txt", source=SPEAKERS))
    return Bot(settings, store, minilm)


def snapshot(store, source: str):
    """What the store holds of one interview: its record (less its title), text and passages."""
    info = next(i for i in store.sources() if i.source == source)
    passages = [p for p in store.corpus().passages if p.source == source]
    return (info.sha256, info.passages, info.speakers, info.ingested_at), store.source_text(source), passages


def test_the_cli_retitles_one_interview_and_nothing_else(tmp_path):
    folder = str(tmp_path / "store")
    assert run("-m", "ingest", INTERVIEW_SOURCE, SPEAKERS, "--store", folder).returncode == 0
    before = run("-m", "ingest", "--list", "--store", folder).stdout.splitlines()
    done = run("-m", "ingest", "--retitle", SPEAKERS, "  Winter   on the rails ", "--store", folder)
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"{SPEAKERS}: retitled “Winter on the rails” (was “Speakers”)\n"
    after = run("-m", "ingest", "--list", "--store", folder).stdout.splitlines()
    assert after[0] == before[0], "the other interview is untouched"
    assert after[1].split("\t")[1] == "Winter on the rails"
    assert after[1].split("\t")[2:] == before[1].split("\t")[2:], "date, speakers, passages, SHA-256 stay"
    for bad in (["nope.txt", "X"], [SPEAKERS, "   "]):
        failed = run("-m", "ingest", "--retitle", *bad, "--store", folder)
        assert failed.returncode == 1 and failed.stderr.count("\n") == 1 and "Traceback" not in failed.stderr
    assert run("-m", "ingest", "--list", "--store", folder).stdout.splitlines() == after


def test_removing_an_interview_asks_first_and_takes_only_that_one(two_bot):
    store = two_bot.store
    kept = snapshot(store, INTERVIEW_SOURCE)
    at = run_app(two_bot)
    at.sidebar.selectbox(key="interview-picked").set_value(SPEAKERS).run()
    assert any("tests/fixtures/speakers.txt" in h and 'class="vb-source"' in h for h in html(at))
    at.sidebar.button(key="interview-remove").click().run()
    assert "Remove “Speakers” and its 5 passages" in plain(at.sidebar.warning[0].value)
    at.sidebar.button(key="interview-remove-no").click().run()
    assert {s.source for s in store.sources()} == {INTERVIEW_SOURCE, SPEAKERS}, "“Keep it” keeps it"
    assert not at.sidebar.warning
    at.sidebar.button(key="interview-remove").click().run()
    at.sidebar.button(key="interview-remove-yes").click().run()
    assert not at.exception
    assert [s.source for s in store.sources()] == [INTERVIEW_SOURCE]
    assert [plain(s.value) for s in at.sidebar.success] == ["Removed “Speakers” (5 passages)."]
    assert snapshot(store, INTERVIEW_SOURCE) == kept, "nothing else in the store changed"
    assert at.chat_input[0].placeholder == "Ask about the interview…"


def test_renaming_an_interview_changes_its_title_only(two_bot):
    store = two_bot.store
    before = [snapshot(store, s) for s in (INTERVIEW_SOURCE, SPEAKERS)]
    at = run_app(two_bot)
    at.sidebar.selectbox(key="interview-picked").set_value(SPEAKERS).run()
    at.sidebar.text_input(key=f"title-{SPEAKERS}").set_value("Winter on the rails").run()
    at.sidebar.button(key="interview-save-title").click().run()
    assert not at.exception
    assert [plain(s.value) for s in at.sidebar.success] == ["Renamed “Speakers” to “Winter on the rails”."]
    titles = {s.source: s.title for s in store.sources()}
    assert titles[SPEAKERS] == "Winter on the rails" and titles[INTERVIEW_SOURCE] == "Interview EU Kazakhstan"
    assert [snapshot(store, s) for s in (INTERVIEW_SOURCE, SPEAKERS)] == before
    assert any("<b>Winter on the rails</b>" in h for h in html(at))
    at.sidebar.text_input(key=f"title-{SPEAKERS}").set_value("  ").run()
    at.sidebar.button(key="interview-save-title").click().run()
    assert "a title cannot be empty" in plain(at.sidebar.error[0].value)
    assert {s.source: s.title for s in store.sources()} == titles


def test_hundreds_of_interviews_get_a_picker_not_hundreds_of_cards(settings):
    from bot.backends import open_store

    embeddings = HashEmbeddings()
    store = open_store(settings, create=True, embeddings=embeddings)
    for i in range(150):
        store.add(parse_transcript(f"Q: What happened in year {i}?\nA: Year {i} was quiet.", f"talks/talk-{i:03}.txt"))
    at = run_app(Bot(settings, store, embeddings))
    picker = at.sidebar.selectbox(key="interview-picked")
    assert len(picker.options) == 150 and picker.label == "150 interviews"
    assert sum('class="vb-source"' in h for h in html(at)) == 1, "one card: the chosen interview's"
    picker.set_value("talks/talk-149.txt").run()
    assert any("talks/talk-149.txt" in h and 'class="vb-source"' in h for h in html(at))
    assert at.chat_input[0].placeholder == "Ask about the 150 interviews…"
    # searching all is a switch, not 150 chips in a box; off, it offers a picker that starts empty
    assert at.sidebar.toggle[0].value and not at.sidebar.multiselect
    at.sidebar.toggle[0].set_value(False).run()
    assert at.sidebar.multiselect[0].value == [] and len(at.sidebar.multiselect[0].options) == 150
    at.sidebar.multiselect[0].set_value(["talks/talk-007.txt"]).run()
    assert at.chat_input[0].placeholder == "Ask about the interview…"
    at.sidebar.toggle[0].set_value(True).run()
    assert at.chat_input[0].placeholder == "Ask about the 150 interviews…"


def test_the_placeholder_and_each_answer_say_what_is_searched(two_bot):
    at = run_app(two_bot)
    assert at.chat_input[0].placeholder == "Ask about the 2 interviews…"
    ask(at, "Does the official see access to water as a human right?")
    assert set(at.session_state["exchanges"][0].answer.searched) == {INTERVIEW_SOURCE, SPEAKERS}
    assert "Searched: Interview EU Kazakhstan, Speakers" in texts(at)
    at.sidebar.toggle[0].set_value(False).run()
    at.sidebar.multiselect[0].set_value([SPEAKERS]).run()
    assert at.chat_input[0].placeholder == "Ask about the interview…"
    ask(at, "How do the crews prepare for ice?")
    assert at.session_state["exchanges"][1].answer.searched == (SPEAKERS,)
    assert "Searched: Speakers" in texts(at).splitlines()


def test_a_name_transcript_shows_each_speaker_once_and_the_quote_verbatim(two_bot):
    text = two_bot.store.source_text(SPEAKERS)
    at = run_app(two_bot)
    at.sidebar.toggle[0].set_value(False).run()
    at.sidebar.multiselect[0].set_value([SPEAKERS]).run()
    ask(at, "How do the crews prepare for ice?")
    c = at.session_state["exchanges"][0].answer.citations[0]
    at.button(key="show-0-1").click().run()
    view = next(h for h in html(at) if 'class="vb-transcript"' in h)
    assert f'<mark id="verbatim-focus">{escape(text[c.start:c.end])}</mark>' in view
    shown = re.sub(r"<[^>]+>", "", view)
    assert shown.count("Dr. Lena Park") == text.count("Dr. Lena Park:") == 2, "each turn names its speaker once"
    assert shown.count("Interviewer") == text.count("Interviewer:") == 2


def test_the_interview_card_names_and_describes_its_speakers_as_the_cli_does(two_bot):
    """The card's "Speakers" sets each speaker's name and role through the store operation of
    `python -m ingest --source SOURCE --speaker ...`; the next answer's cards name her."""
    store = two_bot.store
    before = snapshot(store, INTERVIEW_SOURCE)
    at = run_app(two_bot)
    at.sidebar.selectbox(key="interview-picked").set_value(INTERVIEW_SOURCE).run()
    at.sidebar.text_input(key=f"speaker-name-{INTERVIEW_SOURCE}-1").set_value("  Jane   Doe ").run()
    at.sidebar.text_input(key=f"speaker-role-{INTERVIEW_SOURCE}-1").set_value("EU official").run()
    at.sidebar.button(key="interview-save-speakers").click().run()
    assert not at.exception
    assert [plain(s.value) for s in at.sidebar.success] == [
        "Saved who speaks in “Interview EU Kazakhstan”: Interviewer, Interviewee (Jane Doe, EU official)."]
    info = next(i for i in store.sources() if i.source == INTERVIEW_SOURCE)
    assert info.person("Interviewee").described == "Jane Doe, EU official"
    assert snapshot(store, INTERVIEW_SOURCE) == before, "text, passages and offsets stay"
    assert any("Interviewee (Jane Doe, EU official)" in h and 'class="vb-source"' in h for h in html(at))
    ask(at, "What does Jane Doe think about water as a human right?")
    answer = at.session_state["exchanges"][0].answer
    assert answer.citations and {(c.source, c.speaker_name) for c in answer.citations} == {(INTERVIEW_SOURCE, "Jane Doe")}
    assert any("<b>Jane Doe</b>, EU official" in h and "vb-card" in h for h in html(at))
    at.sidebar.text_input(key=f"speaker-name-{INTERVIEW_SOURCE}-1").set_value("").run()
    at.sidebar.text_input(key=f"speaker-role-{INTERVIEW_SOURCE}-1").set_value("").run()
    at.sidebar.button(key="interview-save-speakers").click().run()
    assert next(i for i in store.sources() if i.source == INTERVIEW_SOURCE).people == (), "blank fields forget them"
