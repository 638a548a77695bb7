"""The lexicon (`vectorstore.lexicon`): BM25 equal to bm25s's over the same documents, and updates one
transcript at a time that leave it as if it had been built afresh."""

from __future__ import annotations

import numpy as np

from ingest import load_transcript, parse_transcript
from tests.conftest import HEARINGS, INTERVIEW
from vectorstore.corpus import LexicalView
from vectorstore.lexical import LexicalIndex, terms
from vectorstore.lexicon import Lexicon, lead_ins


def documents(passages):
    """What `LexicalIndex` would index: each passage's terms and its lead-in's."""
    own = [terms(p.text) for p in passages]
    return [t + [term for j in lead for term in own[j]] for t, lead in zip(own, lead_ins(passages))]


def view(lexicon: Lexicon) -> LexicalView:
    _, rows = lexicon.rows()
    return LexicalView(lexicon, rows["length"], int((rows["role"] != 255).sum()))


def snapshot(lexicon: Lexicon, words: list[str]) -> tuple:
    """What a search can see: per source its passages in order, and each word's statistics and postings
    (by passage id, since rows move when a transcript is written again)."""
    spans, _ = lexicon.rows()
    passages = {source: [(p.id, p.text, p.role) for p in lexicon.passages_between(first, first + count - 1)]
                for source, first, count, _ in spans}
    ids = {row: p.id for row, p in lexicon.passages(list(range(max(f + c for _, f, c, _ in spans)))).items()}
    postings = {w: sorted((ids[int(r)], int(tf)) for r, tf in zip(*held)) for w, held in lexicon.postings(words).items()}
    return passages, lexicon.term_stats(words), postings


def test_bm25_from_the_lexicon_equals_bm25s_over_the_same_documents():
    transcripts = [load_transcript(INTERVIEW), *(load_transcript(path) for path in HEARINGS[:2])]
    lexicon = Lexicon()
    for t in transcripts:
        lexicon.put(t.source, "v1", list(t.passages))
    reference = LexicalIndex([d for t in transcripts for d in documents(sorted(t.passages, key=lambda p: p.start))])
    index = view(lexicon)
    assert index.size == reference.size
    for question in ["Which values does the EU build its agreements on?", "human rights petition Kazakhstan",
                     "water water budget", "zzzunknown words only"]:
        words = terms(question)
        expected = reference.scores(words)
        got = index.scores(words)
        assert np.allclose(got[: len(expected)], expected, rtol=1e-5, atol=1e-6), question
        assert all(abs(index.idf(w) - reference.idf(w)) < 1e-9 for w in words)


def test_updates_one_transcript_at_a_time_equal_a_fresh_build():
    talk = parse_transcript(INTERVIEW.read_text(encoding="utf-8"), "talk.txt")
    edited = parse_transcript("(Edited.) " + INTERVIEW.read_text(encoding="utf-8").replace(" EU ", " European Union "),
                              "talk.txt")
    other = parse_transcript("What about bees?\n\nBees pollinate the values of the EU.", "other.txt")
    words = sorted(set(terms(talk.text)) | set(terms(edited.text)) | set(terms(other.text)))

    updated = Lexicon()
    updated.put("talk.txt", "v1", list(talk.passages))
    updated.put("other.txt", "v1", list(other.passages))
    updated.put("talk.txt", "v2", list(edited.passages))
    updated.put("talk.txt", "v2", [])  # the same key again: nothing happens
    updated.drop("other.txt")
    fresh = Lexicon()
    fresh.put("talk.txt", "v2", list(edited.passages))

    assert updated.keys() == fresh.keys() == {"talk.txt": "v2"}
    assert snapshot(updated, words) == snapshot(fresh, words)
    assert updated.term_stats(["union"])["union"][0] > 0, "the edit's new words are held"
    assert "bee" not in updated.term_stats(["bee"]), "a dropped transcript's terms are gone"


def test_a_lexicon_of_another_layout_is_emptied_and_rebuilt(tmp_path):
    """An older release's file (its tables shaped otherwise) is dropped, so the store rebuilds it."""
    import sqlite3

    path = tmp_path / "lexicon.sqlite3"
    db = sqlite3.connect(path)
    db.executescript("CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL); INSERT INTO meta VALUES ('schema', '1');"
                     "CREATE TABLE postings(term INTEGER, row INTEGER, tf INTEGER, PRIMARY KEY(term, row)) WITHOUT ROWID;"
                     "CREATE TABLE sources(source TEXT PRIMARY KEY, key TEXT);"
                     "INSERT INTO sources VALUES ('talk.txt', 'v1');")
    db.commit()
    db.close()
    lexicon = Lexicon(path)
    assert lexicon.keys() == {}
    talk = parse_transcript(INTERVIEW.read_text(encoding="utf-8"), "talk.txt")
    lexicon.put("talk.txt", "v1", list(talk.passages))
    assert lexicon.postings(["eu"])["eu"][0].size > 0
