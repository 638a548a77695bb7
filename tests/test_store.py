"""The Chroma store: idempotent ingestion, replacement of edited files, model checks, the server."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from bot.errors import EmbeddingMismatchError, StoreBusyError, StoreMissingError
from ingest import load_transcript, parse_transcript
from tests.conftest import HEARINGS, INTERVIEW, ROOT, HashEmbeddings, skip_or_fail
from bot.backends import open_store, write_lock
from vectorstore import Store


def test_ingesting_twice_changes_nothing(settings, interview_transcript):
    store = open_store(settings, create=True, embeddings=HashEmbeddings())
    first = store.add(interview_transcript)
    second = store.add(interview_transcript)
    assert (first.added, first.removed) == (12, 0)
    assert (second.added, second.removed, second.kept) == (0, 0, 12)
    assert len(store.corpus().passages) == 12


def test_reingesting_an_edited_file_replaces_its_passages(settings):
    store = open_store(settings, create=True, embeddings=HashEmbeddings())
    text = INTERVIEW.read_text(encoding="utf-8")
    store.add(parse_transcript(text, "talk.txt"))
    store.add(parse_transcript("Other talk?\n\nOther answer.", "other.txt"))
    edited = text.replace("What do you mean by big picture?", "What is the big picture?")
    result = store.add(parse_transcript(edited, "talk.txt"))
    assert result.removed == 2 and result.added == 2  # the question and its answer moved
    passages = store.corpus().passages
    assert all(store.source_text(p.source)[p.start : p.end] == p.text for p in passages)
    assert sum(p.source == "talk.txt" for p in passages) == 12
    assert sum(p.source == "other.txt" for p in passages) == 2, "other transcripts are untouched"
    assert store.source_text("talk.txt") == edited


def test_store_records_and_enforces_its_embedding_model(settings, interview_transcript):
    open_store(settings, create=True, embeddings=HashEmbeddings("hash-64")).add(interview_transcript)
    other = open_store(settings, embeddings=HashEmbeddings("another-model", 32))
    with pytest.raises(EmbeddingMismatchError, match="'hash-64'.*--reset"):
        other.corpus()
    with pytest.raises(EmbeddingMismatchError):
        other.add(interview_transcript)


def test_missing_store_says_to_ingest(settings):
    with pytest.raises(StoreMissingError, match="python -m ingest"):
        open_store(settings, embeddings=HashEmbeddings())
    assert not settings.store_dir.exists(), "reading never creates a store"


def test_sources_list_metadata(settings, interview_transcript):
    store = open_store(settings, create=True, embeddings=HashEmbeddings())
    store.add(interview_transcript)
    [info] = store.sources()
    assert (info.title, info.date, info.format, info.questions, info.passages) == (
        "Interview EU Kazakhstan", "2024-11-27", "paragraphs", 5, 12)
    assert info.speakers == ("Interviewer", "Interviewee")
    assert info.sha256 == interview_transcript.sha256


def test_a_second_writer_is_refused_while_one_writes(settings):
    with write_lock(settings):
        with pytest.raises(StoreBusyError, match="another process is writing"):
            with write_lock(settings):
                pass


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def chroma_server(tmp_path):
    chroma = shutil.which("chroma", path=os.path.dirname(sys.executable))
    if chroma is None:
        skip_or_fail("the `chroma` command (from the chromadb package) is not installed")
    port = _free_port()
    proc = subprocess.Popen([chroma, "run", "--host", "127.0.0.1", "--port", str(port), "--path", str(tmp_path / "server")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            time.sleep(0.2)
    else:
        proc.kill()
        skip_or_fail("`chroma run` did not start within 60 s")
    yield f"http://127.0.0.1:{port}"
    proc.terminate()
    proc.wait(timeout=20)


@pytest.mark.server
def test_chroma_server_backend(settings, chroma_server, minilm):
    from bot.pipeline import Bot

    server_settings = replace(settings, chroma_url=chroma_server)
    store = open_store(server_settings, create=True, embeddings=minilm)
    store.add(load_transcript(INTERVIEW))
    bot = Bot(server_settings, open_store(server_settings, embeddings=minilm), minilm)
    answer = bot.ask("Which values does the EU build its agreements on?")
    assert not answer.abstained
    text = INTERVIEW.read_text(encoding="utf-8")
    assert all(text[c.start : c.end] == c.quote for c in answer.citations)
    # the server holds the store; this machine keeps only the lexicon it searches with
    assert sorted(f.name for f in settings.store_dir.iterdir() if not f.name.endswith(("-wal", "-shm"))) == [
        f"lexicon-127.0.0.1-{chroma_server.rsplit(':', 1)[1]}-{settings.collection}.sqlite3"]


def test_a_store_beyond_sqlites_variable_limit_answers(settings):
    """Every read is paged: one unpaged `get` of more than 32,766 records fails in SQLite ("too many
    SQL variables"), which stopped the bot answering at all above about 107 hearing-sized transcripts."""
    from bot.pipeline import Bot

    embeddings = HashEmbeddings()
    store = open_store(settings, create=True, embeddings=embeddings)
    pairs = 425
    for k in range(40):  # 40 transcripts × 425 questions and answers = 34,000 passages
        text = "\n\n".join(f"Q: What about topic {k}-{i} in district {i % 7}?\nA: Topic {k}-{i} is handled by team "
                           f"{i % 13} and reviewed yearly." for i in range(pairs))
        store.add(parse_transcript(text, f"talk-{k:02d}.txt"))
    corpus = store.corpus()
    assert len(corpus.passages) == 40 * pairs * 2 > 32_766
    assert len(store.sources()) == 40
    answer = Bot(settings, store, embeddings).ask("Which team handles topic 17-300?")
    assert answer.outcome in ("answer", "candidates", "not_addressed")
    assert all(store.source_text(c.source)[c.start:c.end] == c.quote for c in answer.citations)


def test_a_long_running_reader_finds_what_another_process_ingested(settings):
    """An embedded client keeps the vectors it loaded: the app from `make run` did not find passages
    another process ingested until it restarted. The store reopens when the store changed, also
    when it wrote something itself in between."""
    from tests.conftest import ROOT

    embeddings = HashEmbeddings()
    store = open_store(settings, create=True, embeddings=embeddings)
    store.add(parse_transcript("Q: Why?\nA: Because of apples.", "a.txt"))
    store.corpus()
    code = ("import sys; from tests.conftest import HashEmbeddings; from vectorstore import open_store; "
            "from ingest import parse_transcript; s = open_store(sys.argv[1], HashEmbeddings(), sys.argv[2]); "
            "s.add(parse_transcript(f'Q: What grows?\\nA: {sys.argv[3]} grow here.', sys.argv[3] + '.txt'))")

    def elsewhere(fruit: str) -> None:
        subprocess.run([sys.executable, "-c", code, str(settings.store_dir), settings.collection, fruit], cwd=ROOT,
                       check=True, timeout=120)

    def found(fruit: str) -> bool:
        passage = next(p for p in store.corpus().passages if fruit in p.text)
        return passage.id in store.dense_search(np.asarray(embeddings.embed_query(f"{fruit} grow here.")), 10)

    elsewhere("Bananas")
    assert found("Bananas")
    store.add(parse_transcript("Q: And?\nA: Pears, too.", "c.txt"))  # our own write, then another's
    elsewhere("Mangoes")
    assert found("Mangoes")


def test_a_reader_rereads_only_what_another_writer_changed(settings):
    """A change to one transcript costs a reader that transcript only; a new title or a removal is
    seen at the next question; while nothing changes the reader keeps what it holds."""
    writer = open_store(settings, create=True, embeddings=HashEmbeddings())
    text = INTERVIEW.read_text(encoding="utf-8")
    writer.add(parse_transcript(text, "talk.txt"))
    writer.add(parse_transcript("Other talk?\n\nOther answer.", "other.txt"))
    # a reader on another machine than the store keeps its own lexicon, built from the store
    reader = Store(open_store(settings, embeddings=HashEmbeddings()).client, HashEmbeddings(), settings.collection,
                   lexicon=settings.store_dir.parent / "elsewhere" / "lexicon.sqlite3")
    first = reader.corpus()
    assert reader.corpus() is first, "nothing changed: the same corpus, not a reload"
    spans = {source: (start, count) for source, start, count, _ in first.spans}

    writer.add(parse_transcript("Other talk, edited?\n\nOther answer.", "other.txt"))
    second = reader.corpus()
    assert second is not first
    assert [p for p in second.passages if p.source == "other.txt"][0].text == "Other talk, edited?"
    again = {source: (start, count) for source, start, count, _ in second.spans}
    assert again["talk.txt"] == spans["talk.txt"], "the unchanged transcript was indexed again"
    assert again["other.txt"] != spans["other.txt"]

    writer.retitle("talk.txt", "A new title")
    assert {s.source: s.title for s in reader.sources()}["talk.txt"] == "A new title"
    assert {s.source: s.title for s in reader.corpus().sources}["talk.txt"] == "A new title"

    writer.remove("other.txt")
    assert {p.source for p in reader.corpus().passages} == {"talk.txt"}


class CountingEmbeddings(HashEmbeddings):
    """The hash embedder, counting the texts it is asked to embed."""

    def __init__(self):
        super().__init__()
        self.embedded = 0

    def embed_documents(self, texts):
        self.embedded += len(texts)
        return super().embed_documents(texts)


def test_an_edit_embeds_only_the_passages_whose_text_changed(settings):
    embeddings = CountingEmbeddings()
    store = open_store(settings, create=True, embeddings=embeddings)
    text = INTERVIEW.read_text(encoding="utf-8")
    store.add(parse_transcript(text, "talk.txt"))
    before, first = embeddings.embedded, store.corpus().passages
    edited = text.replace("before the EU parliamentary elections", "before the European elections", 1)  # early: later offsets move
    assert edited != text
    result = store.add(parse_transcript(edited, "talk.txt"))
    after = store.corpus().passages
    changed = {p.text for p in after} - {p.text for p in first}
    assert result.added > len(changed) and result.reused == result.added - len(changed)
    assert embeddings.embedded - before == len(changed)
    assert all(store.source_text("talk.txt")[p.start : p.end] == p.text for p in after)
    fresh = open_store(replace(settings, store_dir=settings.store_dir.parent / "fresh"), create=True,
                       embeddings=HashEmbeddings())
    fresh.add(parse_transcript(edited, "talk.txt"))
    ids = [p.id for p in after]
    assert np.allclose(store._collection(False).get(ids=ids, include=["embeddings"])["embeddings"],
                       fresh._collection(False).get(ids=ids, include=["embeddings"])["embeddings"])


def test_a_store_without_the_collection_says_where_it_looked(settings, interview_transcript):
    """A user's first question on a folder Chroma made but nothing was ingested into (or another
    collection's name): one line naming the folder and the collection, not a bare "nothing ingested"."""
    open_store(settings, create=True, embeddings=HashEmbeddings()).add(interview_transcript)
    other = open_store(replace(settings, collection="other"), embeddings=HashEmbeddings())
    with pytest.raises(StoreMissingError) as caught:
        other.corpus()
    message = str(caught.value)
    assert str(settings.store_dir) in message and "'other'" in message and "VERBATIM_COLLECTION" in message
    assert repr(settings.collection) in message, "the collection the store does hold is named"
    assert "\n" not in message


def test_a_first_question_on_an_empty_store_folder_says_to_ingest(settings, tmp_path, monkeypatch):
    """The app's first run makes the folder before anything is ingested: the line says the store at
    ./store holds nothing yet (as the user would type the folder) and how to ingest the bundled interview."""
    monkeypatch.chdir(tmp_path)
    open_store(replace(settings, store_dir=Path("store")), create=True, embeddings=HashEmbeddings())
    with pytest.raises(StoreMissingError) as caught:
        open_store(replace(settings, store_dir=Path("store")), embeddings=HashEmbeddings()).corpus()
    message = str(caught.value)
    assert message.startswith("nothing ingested yet in the store at ./store: ")
    assert "python -m ingest data/interviews/*.txt" in message and "\n" not in message


def test_a_lexicon_built_from_the_store_holds_every_passage_as_ingested(settings, tmp_path):
    """Chroma keeps no passage words (they are the transcript's text between the offsets), and a
    question's words only when they are not that span (a captions turn joins its cues): a lexicon
    built from the store alone, as on another machine than a Chroma server, gets them all back."""
    writer = open_store(settings, create=True, embeddings=HashEmbeddings())
    transcripts = [load_transcript(path) for path in (INTERVIEW, ROOT / "eval/transcripts/museum-podcast-2025-06-02.vtt")]
    for t in transcripts:
        writer.add(t)
    assert any(p.question and t.text[p.question.start : p.question.end] != p.question.text
               for t in transcripts for p in t.passages), "a captions question whose words are not its span"
    reader = Store(writer.client, HashEmbeddings(), settings.collection, lexicon=tmp_path / "elsewhere.sqlite3")
    corpus = reader.corpus()
    for t in transcripts:
        assert corpus.of_source(t.source) == sorted(t.passages, key=lambda p: p.start)


def test_a_reader_follows_a_store_dropped_and_made_again(settings):
    """`ingest --reset` drops the collections and the lexicon file while an app holds them open: the
    app's next question sees only what was ingested since."""
    writer = open_store(settings, create=True, embeddings=HashEmbeddings())
    writer.add(parse_transcript("Old talk?\n\nOld answer about apples.", "old.txt"))
    reader = open_store(settings, embeddings=HashEmbeddings())
    assert reader.corpus().source_names == ("old.txt",)
    writer.reset()
    writer = open_store(settings, create=True, embeddings=HashEmbeddings())
    writer.add(parse_transcript("New talk?\n\nNew answer about pears.", "new.txt"))
    corpus = reader.corpus()
    assert corpus.source_names == ("new.txt",)
    assert [p.text for p in corpus.passages] == ["New talk?", "New answer about pears."]
    assert corpus.index.stats("appl") == (0, 0, 0)


def test_a_search_scoped_to_a_few_transcripts_finds_chromas_neighbours(settings, monkeypatch):
    """A scoped search compares the scope's vectors itself (Chroma's filtered search over one interview
    of 1,000 took 116 ms); it finds the neighbours Chroma's filtered search finds."""
    import vectorstore.store as store_module

    store = open_store(settings, create=True, embeddings=HashEmbeddings())
    for path in HEARINGS[:2]:
        store.add(load_transcript(path))
    corpus = store.corpus()
    source = corpus.source_names[0]
    speaker = next(s for (src, s) in corpus.respondents if src == source)
    for question in ["What about the budget for schools?", "Who is responsible for the water?"]:
        vector = np.asarray(HashEmbeddings().embed_query(question))
        for speakers in (None, [speaker]):
            ours = store.dense_search(vector, 12, [source], speakers)
            monkeypatch.setattr(store_module, "EXACT_MAX", -1)  # Chroma's own filtered search
            chromas = store.dense_search(vector, 12, [source], speakers)
            monkeypatch.setattr(store_module, "EXACT_MAX", 4000)
            assert list(ours) == list(chromas) and ours
            assert all(abs(ours[pid] - chromas[pid]) < 1e-5 for pid in ours)
