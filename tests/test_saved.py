"""The SQLite store of saved conversations: round trips, owners kept apart, concurrent writers, damage."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
from dataclasses import replace

import pytest

from bot.answer import Answer, Citation, Related
from bot.errors import USER_ERRORS, ConversationsError
from bot.evidence import Exchange, gather
from bot.saved import PURGE_AFTER, SCHEMA_VERSION, Conversations
from bot.settings import Settings
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def exchange(interview_bot) -> Exchange:
    """A real answer of the offline bot, with its citations and evidence."""
    answer = interview_bot.ask("Which values does the EU base its relationship with Kazakhstan on?")
    assert answer.citations and all(c.question is not None for c in answer.citations)
    return Exchange(answer, gather(answer, interview_bot.store))


def _abstention() -> Exchange:
    related = (Related("s.txt", 3, 9, "Interviewee", "nearby", 0.41),)
    return Exchange(Answer("Gas?", "Gas?", "The interview does not address this question.", (), True, "extractive",
                           {"total": 0.123456789}, related, searched=("s.txt",)))


def test_an_exchange_comes_back_exactly_as_it_was_saved(tmp_path, exchange):
    store = Conversations(tmp_path / "c.sqlite3")
    cid = store.start("owner-a", exchange)
    store.append(cid, _abstention())
    reopened = Conversations(tmp_path / "c.sqlite3")  # another "process" reading the file
    info, exchanges = reopened.load(cid)
    assert exchanges == [exchange, _abstention()]
    assert exchanges[0].evidence[0].citation == exchanges[0].answer.citations[0]
    assert (info.owner, info.answers, info.deleted) == ("owner-a", 2, None)
    assert info.title == exchange.answer.question
    assert len(cid) >= 20 and cid != store.start("owner-a", exchange), "ids are random and long"


def test_a_citation_keeps_its_question_turn_and_passage(exchange):
    c = exchange.answer.citations[0]
    assert Citation.from_json(c.to_json()) == c
    assert Answer.from_json(exchange.answer.to_json()).citations == exchange.answer.citations


def test_rename_delete_and_restore_belong_to_the_owner(tmp_path, exchange):
    store = Conversations(tmp_path / "c.sqlite3")
    mine, theirs = store.start("me", exchange), store.start("them", exchange)
    assert [c.id for c in store.list("me")] == [mine] and [c.id for c in store.list("them")] == [theirs]
    assert not store.rename(theirs, "me", "Mine now") and not store.delete(theirs, "me")
    assert store.rename(mine, "me", "  Values\nof the EU ") and store.list("me")[0].title == "Values of the EU"
    assert not store.rename(mine, "me", "   "), "an empty title is refused"
    assert store.delete(mine, "me") and store.list("me") == []
    assert store.load(mine)[0].deleted is not None, "deleted, but restorable"
    assert store.restore(mine, "me") and [c.id for c in store.list("me")] == [mine]
    assert store.load("no-such-id") is None


def test_deleted_conversations_are_purged_after_a_day(tmp_path, exchange):
    path = tmp_path / "c.sqlite3"
    store = Conversations(path)
    old, new = store.start("me", exchange), store.start("me", exchange)
    store.delete(old, "me")
    with sqlite3.connect(path) as db:
        db.execute("UPDATE conversations SET deleted = deleted - ? WHERE id = ?", (PURGE_AFTER + 1, old))
    store.delete(new, "me")
    assert store.load(old) is None and not store.restore(old, "me")
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT COUNT(*) FROM exchanges WHERE conversation = ?", (old,)).fetchone() == (0,)
    assert store.restore(new, "me")


def test_the_list_is_newest_answer_first(tmp_path, exchange):
    store = Conversations(tmp_path / "c.sqlite3")
    first, second = store.start("me", exchange), store.start("me", exchange)
    assert [c.id for c in store.list("me")] == [second, first]
    store.append(first, _abstention())
    assert [(c.id, c.answers) for c in store.list("me")] == [(first, 2), (second, 1)]


def test_two_threads_appending_to_one_conversation_lose_nothing(tmp_path):
    store = Conversations(tmp_path / "c.sqlite3")
    cid = store.start("me", _abstention())

    def write(tag: str) -> None:
        mine = Conversations(tmp_path / "c.sqlite3")
        for k in range(40):
            mine.append(cid, Exchange(replace(_abstention().answer, question=f"{tag}-{k}")))

    threads = [threading.Thread(target=write, args=(tag,)) for tag in "ab"]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    questions = [ex.answer.question for ex in store.load(cid)[1]]
    assert len(questions) == 81
    assert {q for q in questions if q != "Gas?"} == {f"{t}-{k}" for t in "ab" for k in range(40)}
    for tag in "ab":  # each writer's answers in the order it gave them
        assert [q for q in questions if q.startswith(tag)] == [f"{tag}-{k}" for k in range(40)]


def _write_in_another_process(path: str, owner: str, count: int) -> None:
    store = Conversations(path)
    for k in range(count):
        store.start(owner, Exchange(replace(_abstention().answer, question=f"{owner}-{k}")))


def test_two_processes_writing_at_once_lose_nothing(tmp_path):
    path = str(tmp_path / "fresh" / "c.sqlite3")  # both race to create the schema too
    # plain interpreters, not multiprocessing's spawn: that re-runs the parent's __main__, which
    # after an AppTest in the same session is app.py
    code = "import sys; from tests.test_saved import _write_in_another_process as w; w(sys.argv[1], sys.argv[2], 25)"
    procs = [subprocess.Popen([sys.executable, "-c", code, path, owner], cwd=ROOT) for owner in ("p1", "p2")]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    store = Conversations(path)
    for owner in ("p1", "p2"):
        assert sorted(c.title for c in store.list(owner)) == sorted(f"{owner}-{k}" for k in range(25))
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert db.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)


def test_a_damaged_or_newer_file_is_one_line(tmp_path):
    damaged = tmp_path / "damaged.sqlite3"
    damaged.write_bytes(b"this is not a database, just text" * 100)
    with pytest.raises(ConversationsError) as caught:
        Conversations(damaged)
    assert isinstance(caught.value, USER_ERRORS) and "\n" not in str(caught.value)
    assert str(damaged) in str(caught.value) and "VERBATIM_CONVERSATIONS" in str(caught.value)
    newer = tmp_path / "newer.sqlite3"
    with sqlite3.connect(newer) as db:
        db.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    with pytest.raises(ConversationsError, match="newer Verbatim"):
        Conversations(newer)
    folder = tmp_path / "a-folder.sqlite3"
    folder.mkdir()
    with pytest.raises(ConversationsError, match="cannot be used"):
        Conversations(folder)


def test_the_file_sits_in_the_store_folder_unless_set(tmp_path):
    assert Settings(store_dir=tmp_path).conversations_path == tmp_path / "conversations.sqlite3"
    env = {"VERBATIM_STORE": str(tmp_path), "VERBATIM_CONVERSATIONS": str(tmp_path / "x.db")}
    assert Settings.from_env(env, dotenv=None).conversations_path == tmp_path / "x.db"
    server = Settings.from_env({"VERBATIM_CHROMA_URL": "http://127.0.0.1:8000"}, dotenv=None)
    assert server.conversations_path.name == "conversations.sqlite3"


def test_a_conversation_saved_before_speakers_had_names_still_loads(tmp_path, exchange):
    """A row written by an earlier version: citations without `speaker_name`/`speaker_role`, an
    answer without `reason`. It loads, and its briefing names the speaker by the transcript's label."""
    import json

    from bot.export import attribution
    from ingest.speakers import Speaker

    store = Conversations(tmp_path / "c.sqlite3")
    cid = store.start("me", exchange)
    old = exchange.to_json()
    del old["answer"]["reason"]
    for c in old["answer"]["citations"]:
        del c["speaker_name"], c["speaker_role"]
    with sqlite3.connect(tmp_path / "c.sqlite3") as db:
        db.execute("UPDATE exchanges SET exchange = ? WHERE conversation = ?", (json.dumps(old), cid))
    _, [loaded] = store.load(cid)
    assert loaded == exchange and loaded.answer.citations[0].speaker_name is None
    assert attribution(loaded.evidence[0]).startswith("— Interviewee, in the interview “Interview EU Kazakhstan”")
    named = exchange.answer.citations[0].credited(Speaker("Interviewee", "Jane Doe", "EU official"))
    assert Citation.from_json(named.to_json()) == named and named.to_json()["speaker_name"] == "Jane Doe"
