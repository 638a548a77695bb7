"""`Lexicon(path)`: the store's passages, lead-ins and BM25 postings in SQLite, kept beside the store
and updated one transcript at a time, so that no process reads or indexes the whole corpus.

    lexicon = Lexicon(Path("store/lexicon-verbatim.sqlite3"))
    lexicon.put("hearing.txt", key, passages)      # one transcript: its rows, terms and postings
    lexicon.keys()                                 # {source: key}: what it holds, to compare with the store
    lexicon.postings(["valu", "eu"])               # (term, rows, term frequencies) for a question's terms

A document is an answer's own terms and its lead-in's (the question it answers); a term's postings
are one record per transcript holding it (the rows as offsets from the transcript's first row, and
the term's frequency in each, as arrays), so a common term costs a read per transcript, not per
passage. Scores are BM25
(Lucene's variant, k1 1.5, b 0.75: the same figures as `bm25s`, which a test checks). Each
transcript's rows are contiguous, so its per-row facts (length, role, speaker, lead-in, turn
opening) are one array blob, and a reader's in-memory view is the concatenation of those blobs.
Several processes may read and update one file: SQLite's WAL mode and a write transaction per
transcript keep it whole; a process killed mid-update leaves the transcript's previous rows.
"""

from __future__ import annotations

import io
import json
import sqlite3
import threading
from collections import Counter
from pathlib import Path

import numpy as np

from ingest.transcript import ROLES, Passage, Turn
from vectorstore.errors import StoreError
from vectorstore.lexical import terms

SCHEMA = 2
K1, B = 1.5, 0.75
ROW = np.dtype([("length", "<i4"), ("role", "u1"), ("speaker", "<u2"), ("led", "?"), ("opening", "?")])
NO_ROLE = 255  # a row no transcript holds (left by a re-ingest)

_TABLES = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sources(source TEXT PRIMARY KEY, key TEXT NOT NULL, first INTEGER NOT NULL,
    count INTEGER NOT NULL, speakers TEXT NOT NULL, rows BLOB NOT NULL, counts BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS passages(row INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, source TEXT NOT NULL,
    start INTEGER NOT NULL, "end" INTEGER NOT NULL, text TEXT NOT NULL, speaker TEXT NOT NULL, role TEXT NOT NULL,
    turn_index INTEGER NOT NULL, timing TEXT, question TEXT);
CREATE TABLE IF NOT EXISTS terms(id INTEGER PRIMARY KEY, term TEXT NOT NULL UNIQUE, df INTEGER NOT NULL DEFAULT 0,
    in_questions INTEGER NOT NULL DEFAULT 0, elsewhere INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS postings(term INTEGER NOT NULL, first INTEGER NOT NULL, rows BLOB NOT NULL, tfs BLOB NOT NULL,
    PRIMARY KEY(term, first)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS leads(lead INTEGER NOT NULL, answer INTEGER NOT NULL, PRIMARY KEY(lead, answer)) WITHOUT ROWID;
"""


def lead_ins(passages: list[Passage], limit: int = 3) -> list[tuple[int, ...]]:
    """For each answer passage of one transcript, the last `limit` non-answer passages before its
    turn (a chair's topic, the member's question); an answer right after another answer shares
    that one's lead-in.

    >>> from ingest.transcript import Passage as P
    >>> ps = [P("a", "s", 0, 1, "Q", "X", "question", None, 0), P("b", "s", 2, 3, "A", "Y", "answer", None, 1),
    ...       P("c", "s", 4, 5, "A2", "Z", "answer", None, 2)]
    >>> lead_ins(ps)
    [(), (0,), (0,)]
    """
    result: list[tuple[int, ...]] = []
    pending: list[int] = []
    current: tuple[int, ...] = ()
    for i, p in enumerate(passages):
        if p.role != "answer":
            pending.append(i)
            result.append(())
        else:
            if pending:
                current, pending = tuple(pending[-limit:]), []
            result.append(current)
    return result


def _blob(array: np.ndarray) -> bytes:
    out = io.BytesIO()
    np.save(out, array, allow_pickle=False)
    return out.getvalue()


def _array(blob: bytes) -> np.ndarray:
    return np.load(io.BytesIO(blob), allow_pickle=False)


class Lexicon:
    """The SQLite file at `path` (":memory:" for a store that keeps none on disk)."""

    def __init__(self, path: Path | str = ":memory:", collection_id: str | None = None):
        self.path, self.collection = str(path), collection_id
        self._lock = threading.RLock()  # one connection, shared by a Streamlit server's threads
        try:
            self._db = sqlite3.connect(self.path, timeout=600, isolation_level=None, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            if self._meta("schema") not in (None, str(SCHEMA)):  # another layout: built again from the store
                self._db.executescript("BEGIN IMMEDIATE; DROP TABLE IF EXISTS sources; DROP TABLE IF EXISTS passages; "
                                       "DROP TABLE IF EXISTS terms; DROP TABLE IF EXISTS postings; "
                                       "DROP TABLE IF EXISTS leads; COMMIT;")
            self._db.executescript(_TABLES)
            if collection_id and self._meta("collection") not in (None, collection_id):
                self._clear()  # a store dropped and made again: start afresh
            self._set_meta("schema", str(SCHEMA))
            if collection_id:
                self._set_meta("collection", collection_id)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot use the search index {self.path} ({exc}): delete it, and it is built "
                             f"again from the store at the next question") from None

    # -- bookkeeping --------------------------------------------------------------------------
    def _meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def _set_meta(self, key: str, value: str) -> None:
        self._db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def _clear(self) -> None:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            for table in ("sources", "passages", "terms", "postings", "leads"):
                self._db.execute(f"DELETE FROM {table}")
            self._db.execute("COMMIT")

    def close(self) -> None:
        self._db.close()

    def keys(self) -> dict[str, str]:
        """The key (text hash, ingest time, passage ids) of each transcript held, by source."""
        with self._lock:
            return dict(self._db.execute("SELECT source, key FROM sources"))

    # -- writing -------------------------------------------------------------------------------
    def put(self, source: str, key: str, passages: list[Passage]) -> None:
        """Hold `passages` (one transcript's, in order) as `source`'s rows under `key`, replacing
        what it held before; nothing when it already holds that key."""
        passages = sorted(passages, key=lambda p: p.start)
        own = [terms(p.text) for p in passages]
        leads = lead_ins(passages)
        documents = [Counter(t + [term for j in lead for term in own[j]]) for t, lead in zip(own, leads)]
        speakers = list(dict.fromkeys(p.speaker for p in passages))
        df, in_questions, elsewhere = Counter(), Counter(), Counter()
        for p, t, document in zip(passages, own, documents):
            df.update(document.keys())
            (in_questions if p.role == "question" else elsewhere).update(set(t))
        rows = np.zeros(len(passages), dtype=ROW)
        rows["length"] = [sum(d.values()) for d in documents]
        rows["role"] = [ROLES.index(p.role) for p in passages]
        rows["speaker"] = [speakers.index(p.speaker) for p in passages]
        rows["led"] = [bool(lead) for lead in leads]
        rows["opening"] = [i == 0 or passages[i - 1].turn_index != p.turn_index for i, p in enumerate(passages)]
        vocabulary = sorted(df)  # a passage's own terms are among its document's
        with self._lock:
            db = self._db
            db.execute("BEGIN IMMEDIATE")
            try:
                if db.execute("SELECT 1 FROM sources WHERE source = ? AND key = ?", (source, key)).fetchone():
                    db.execute("ROLLBACK")
                    return
                self._drop(source)
                first = db.execute("SELECT coalesce(max(row), -1) + 1 FROM passages").fetchone()[0]
                db.executemany("INSERT OR IGNORE INTO terms(term) VALUES (?)", ((t,) for t in vocabulary))
                ids = self._term_ids(vocabulary)
                db.executemany(
                    "INSERT INTO passages VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    ((first + i, p.id, p.source, p.start, p.end, p.text, p.speaker, p.role, p.turn_index, p.timing,
                      json.dumps([q.index, q.speaker, q.text, q.start, q.end]) if (q := p.question) else None)
                     for i, p in enumerate(passages)))
                db.executemany("INSERT INTO postings VALUES (?, ?, ?, ?)",
                               ((ids[t], first, *held) for t, held in _postings(documents).items()))
                db.executemany("INSERT INTO leads VALUES (?, ?)",
                               {(first + j, first + i) for i, lead in enumerate(leads) for j in lead})
                counts = np.array([(ids[t], df[t], in_questions[t], elsewhere[t]) for t in vocabulary],
                                  dtype=np.int64).reshape(-1, 4)
                db.executemany("UPDATE terms SET df = df + ?, in_questions = in_questions + ?, "
                               "elsewhere = elsewhere + ? WHERE id = ?", ((int(a), int(b), int(c), int(i))
                                                                          for i, a, b, c in counts))
                db.execute("INSERT INTO sources VALUES (?, ?, ?, ?, ?, ?, ?)",
                           (source, key, first, len(passages), json.dumps(speakers), _blob(rows), _blob(counts)))
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise

    def drop(self, source: str) -> None:
        """Forget one transcript (nothing if it is not held)."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._drop(source)
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def _drop(self, source: str) -> None:
        db = self._db
        held = db.execute("SELECT first, count, counts FROM sources WHERE source = ?", (source,)).fetchone()
        if not held:
            return
        first, count, counts = held
        last = first + count - 1
        counts = _array(counts)
        db.executemany("UPDATE terms SET df = df - ?, in_questions = in_questions - ?, elsewhere = elsewhere - ? "
                       "WHERE id = ?", ((int(a), int(b), int(c), int(i)) for i, a, b, c in counts))
        db.executemany("DELETE FROM postings WHERE term = ? AND first = ?", ((int(i), first) for i in counts[:, 0]))
        db.execute("DELETE FROM leads WHERE lead BETWEEN ? AND ?", (first, last))
        db.execute("DELETE FROM passages WHERE row BETWEEN ? AND ?", (first, last))
        db.execute("DELETE FROM sources WHERE source = ?", (source,))

    def _term_ids(self, words: list[str]) -> dict[str, int]:
        out: dict[str, int] = {}
        for i in range(0, len(words), 500):
            group = words[i : i + 500]
            out |= dict(self._db.execute(f"SELECT term, id FROM terms WHERE term IN ({','.join('?' * len(group))})",
                                         group))
        return out

    # -- reading -------------------------------------------------------------------------------
    def rows(self) -> tuple[list[tuple[str, int, int, list[str]]], np.ndarray]:
        """Each transcript's (source, first row, count, speakers), in row order, and every row's facts
        (`ROW`; rows no transcript holds have role `NO_ROLE`)."""
        with self._lock:
            held = self._db.execute("SELECT source, first, count, speakers, rows FROM sources ORDER BY first").fetchall()
        size = max((first + count for _, first, count, _, _ in held), default=0)
        out = np.zeros(size, dtype=ROW)
        out["role"] = NO_ROLE
        for _, first, count, _, blob in held:
            out[first : first + count] = _array(blob)
        return [(source, first, count, json.loads(speakers)) for source, first, count, speakers, _ in held], out

    def term_stats(self, words: list[str]) -> dict[str, tuple[int, int, int]]:
        """(documents holding it, question passages using it, other passages using it) per known term."""
        words = list(dict.fromkeys(words))
        if not words:
            return {}
        with self._lock:
            got = self._db.execute(f"SELECT term, df, in_questions, elsewhere FROM terms WHERE term IN "
                                   f"({','.join('?' * len(words))}) AND df > 0", words).fetchall()
        return {term: (df, q, e) for term, df, q, e in got}

    def postings(self, words: list[str]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """The rows holding each term, and how often (rows ascending)."""
        out = {}
        with self._lock:
            for word in dict.fromkeys(words):
                got = self._db.execute("SELECT p.first, p.rows, p.tfs FROM terms t JOIN postings p ON p.term = t.id "
                                       "WHERE t.term = ? ORDER BY p.first", (word,)).fetchall()
                if got:
                    out[word] = _decode(got)
        return out

    def followers(self, rows: list[int]) -> list[tuple[int, int]]:
        """(lead-in row, answer row) for each answer that one of `rows` leads into."""
        with self._lock:
            return self._select("SELECT lead, answer FROM leads WHERE lead IN ({})", rows)

    def row_of(self, ids: list[str]) -> dict[str, int]:
        with self._lock:
            return dict(self._select("SELECT id, row FROM passages WHERE id IN ({})", ids))

    def passages(self, rows: list[int]) -> dict[int, Passage]:
        with self._lock:
            got = self._select("SELECT * FROM passages WHERE row IN ({})", rows)
        return {row[0]: _passage(row) for row in got}

    def passages_between(self, first: int, last: int, role: str | None = None) -> list[Passage]:
        """The passages of rows first..last (of `role`), in order."""
        with self._lock:
            got = self._db.execute("SELECT * FROM passages WHERE row BETWEEN ? AND ?" + (" AND role = ?" if role else "")
                                   + " ORDER BY row", (first, last, *([role] if role else []))).fetchall()
        return [_passage(row) for row in got]

    def ids_between(self, first: int, last: int, speakers: list[str] | None = None) -> list[str]:
        """The passage ids of rows first..last (by `speakers`), in order."""
        sql = "SELECT id FROM passages WHERE row BETWEEN ? AND ?"
        if speakers:
            sql += f" AND speaker IN ({','.join('?' * len(speakers))})"
        with self._lock:
            return [pid for (pid,) in self._db.execute(sql + " ORDER BY row", (first, last, *(speakers or [])))]

    def _select(self, sql: str, values: list) -> list[tuple]:
        out: list[tuple] = []
        values = list(values)
        for i in range(0, len(values), 500):
            group = values[i : i + 500]
            out += self._db.execute(sql.format(",".join("?" * len(group))), group).fetchall()
        return out


def _postings(documents: list[Counter]) -> dict[str, tuple[bytes, bytes]]:
    """Each term's postings in one transcript's `documents`: offsets of the documents holding it (two
    bytes each, four in a transcript of more than 65,535 passages) and its frequency in each.

    >>> _postings([Counter(["eu", "eu", "valu"]), Counter(["eu"])])["eu"]
    (b'\\x00\\x00\\x01\\x00', b'\\x02\\x00\\x01\\x00')
    """
    offsets: dict[str, list[int]] = {}
    counts: dict[str, list[int]] = {}
    for i, document in enumerate(documents):
        for term, tf in document.items():
            offsets.setdefault(term, []).append(i)
            counts.setdefault(term, []).append(min(tf, 65535))
    wide = "<u4" if len(documents) > 65535 else "<u2"
    return {term: (np.array(offsets[term], dtype=wide).tobytes(), np.array(counts[term], dtype="<u2").tobytes())
            for term in offsets}


def _decode(got: list[tuple[int, bytes, bytes]]) -> tuple[np.ndarray, np.ndarray]:
    """Rows and frequencies from (first row, offsets, frequencies) records, decoded at once."""
    tfs = np.frombuffer(b"".join(t for _, _, t in got), "<u2")
    firsts = np.repeat(np.array([first for first, _, _ in got], dtype=np.int64), [len(t) // 2 for _, _, t in got])
    if all(len(offsets) == len(t) for _, offsets, t in got):  # two-byte offsets: every transcript but a huge one
        return firsts + np.frombuffer(b"".join(o for _, o, _ in got), "<u2"), tfs
    return firsts + np.concatenate([np.frombuffer(o, "<u2" if len(o) == len(t) else "<u4") for _, o, t in got]), tfs


def _passage(row: tuple) -> Passage:
    _, pid, source, start, end, text, speaker, role, turn_index, timing, question = row
    turn = Turn(*json.loads(question)[:2], "question", *json.loads(question)[2:]) if question else None
    return Passage(pid, source, start, end, text, speaker, role, turn, turn_index, timing)


def bm25(idf: float, tf: np.ndarray, length: np.ndarray, average: float) -> np.ndarray:
    """One term's BM25 score (Lucene's variant) for documents of `length` holding it `tf` times."""
    return (idf * tf / (K1 * ((1 - B) + B * length / average) + tf)).astype(np.float32)


def idf(df: int, size: int) -> float:
    """Smoothed inverse document frequency (Lucene's); a term no document holds gets the highest."""
    return float(np.log(1 + (size - df + 0.5) / (df + 0.5)))
