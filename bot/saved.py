"""Saved conversations: every exchange kept in SQLite as it is answered, listed per owner.

    conversations = Conversations(settings.conversations_path)
    cid = conversations.start(owner, exchange)          # a new conversation, titled by its question
    conversations.append(cid, exchange)                 # the next answer of it
    conversations.list(owner)                           # newest first, deleted ones left out
    conversations.load(cid)                             # (Conversation, [Exchange, ...]) or None

An owner is an opaque token (the app keeps one per browser in a cookie); a conversation id is
unguessable (`secrets.token_urlsafe`), so knowing it is what lets someone open a conversation,
and an owner's list shows only its own. Deleting marks a conversation deleted, so that it can be
restored; deleted ones are purged a day later.

SQLite in WAL mode, so readers never wait for a writer; one connection per operation, because
Streamlit runs each rerun on its own thread and `sqlite3` connections must not cross threads.
`PRAGMA user_version` is the schema's version. Any `sqlite3` failure becomes one
`ConversationsError` line that names the file and what to do.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import time
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from bot.errors import ConversationsError
from bot.evidence import Exchange

SCHEMA_VERSION = 1
PURGE_AFTER = 24 * 3600.0  # seconds a deleted conversation can still be restored
TITLE_LENGTH = 80

_SCHEMA = """
CREATE TABLE conversations (
    id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    title TEXT NOT NULL,
    created REAL NOT NULL,
    updated REAL NOT NULL,
    deleted REAL
);
CREATE INDEX conversations_by_owner ON conversations (owner, updated);
CREATE TABLE exchanges (
    conversation TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    exchange TEXT NOT NULL,
    PRIMARY KEY (conversation, position)
);
"""


@dataclass(frozen=True)
class Conversation:
    """One saved conversation, as its list entry shows it."""

    id: str
    owner: str
    title: str
    created: float
    updated: float
    answers: int
    deleted: float | None = None


def title_of(question: str) -> str:
    """A list title from a first question: one line, at most `TITLE_LENGTH` characters.

    >>> title_of("  What does the\\nofficial think?  ")
    'What does the official think?'
    """
    flat = " ".join(question.split()) or "Untitled conversation"
    return flat if len(flat) <= TITLE_LENGTH else flat[: TITLE_LENGTH - 1].rstrip() + "…"


class Conversations:
    """The saved conversations in one SQLite file (created, with its folder, on first use)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise self._error(exc) from None
        with self._db() as db:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise ConversationsError(f"Saved conversations are unavailable: {self.path} was written by a newer "
                                         f"Verbatim (schema {version}); upgrade, or set VERBATIM_CONVERSATIONS to "
                                         "another file.")
            if version == 0:
                db.execute("PRAGMA journal_mode=WAL")  # persistent: set once, kept in the file
                with _transaction(db):
                    if db.execute("PRAGMA user_version").fetchone()[0] == 0:  # another process may have won
                        for statement in filter(str.strip, _SCHEMA.split(";")):
                            db.execute(statement)
                        db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")

    def _error(self, exc: Exception) -> ConversationsError:
        return ConversationsError(f"Saved conversations are unavailable: {self.path} cannot be used ({exc}); move it "
                                  "aside or set VERBATIM_CONVERSATIONS to another file. This conversation is kept only "
                                  "until the page is closed.")

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        try:
            with closing(sqlite3.connect(self.path, timeout=10, isolation_level=None)) as db:
                db.execute("PRAGMA foreign_keys=ON")
                db.execute("PRAGMA synchronous=NORMAL")  # with WAL: durable at checkpoints, fast commits
                yield db
        except sqlite3.Error as exc:
            raise self._error(exc) from None

    def start(self, owner: str, exchange: Exchange, title: str | None = None) -> str:
        """Save `exchange` as the first answer of a new conversation of `owner`; its id."""
        cid, now = secrets.token_urlsafe(16), time.time()
        with self._db() as db, _transaction(db):
            db.execute("INSERT INTO conversations VALUES (?, ?, ?, ?, ?, NULL)",
                       (cid, owner, title or title_of(exchange.answer.question), now, now))
            db.execute("INSERT INTO exchanges VALUES (?, 0, ?)", (cid, _dump(exchange)))
        return cid

    def append(self, cid: str, exchange: Exchange) -> int:
        """Save `exchange` as the next answer of conversation `cid`; its position (0-based)."""
        with self._db() as db, _transaction(db):
            position = db.execute("SELECT COALESCE(MAX(position) + 1, 0) FROM exchanges WHERE conversation = ?",
                                  (cid,)).fetchone()[0]
            db.execute("INSERT INTO exchanges VALUES (?, ?, ?)", (cid, position, _dump(exchange)))
            db.execute("UPDATE conversations SET updated = ? WHERE id = ?", (time.time(), cid))
        return position

    def list(self, owner: str, limit: int = 50) -> list[Conversation]:
        """The owner's conversations, the most recently answered first (deleted ones left out)."""
        with self._db() as db:
            rows = db.execute(
                "SELECT c.id, c.owner, c.title, c.created, c.updated, COUNT(e.position), c.deleted "
                "FROM conversations c LEFT JOIN exchanges e ON e.conversation = c.id "
                "WHERE c.owner = ? AND c.deleted IS NULL GROUP BY c.id ORDER BY c.updated DESC LIMIT ?",
                (owner, limit)).fetchall()
        return [Conversation(*row) for row in rows]

    def load(self, cid: str) -> tuple[Conversation, list[Exchange]] | None:
        """The conversation `cid` with its exchanges in order, or None if there is none (or it was purged)."""
        with self._db() as db:
            row = db.execute("SELECT id, owner, title, created, updated, 0, deleted FROM conversations WHERE id = ?",
                             (cid,)).fetchone()
            if row is None:
                return None
            payloads = [p for (p,) in db.execute(
                "SELECT exchange FROM exchanges WHERE conversation = ? ORDER BY position", (cid,))]
        try:
            exchanges = [Exchange.from_json(json.loads(p)) for p in payloads]
        except (ValueError, KeyError, TypeError) as exc:
            raise ConversationsError(f"The saved conversation {cid} cannot be read back ({exc!r}); it was written by "
                                     "another version of Verbatim.") from None
        info = Conversation(*row[:5], len(exchanges), row[6])
        return info, exchanges

    def rename(self, cid: str, owner: str, title: str) -> bool:
        """Give the owner's conversation `cid` a new title; False if it is not theirs or not there."""
        title = " ".join(title.split())[:200]
        if not title:
            return False
        with self._db() as db:
            return db.execute("UPDATE conversations SET title = ? WHERE id = ? AND owner = ?",
                              (title, cid, owner)).rowcount == 1

    def delete(self, cid: str, owner: str) -> bool:
        """Mark the owner's conversation deleted (restorable for a day) and purge those deleted earlier."""
        now = time.time()
        with self._db() as db, _transaction(db):
            db.execute("DELETE FROM conversations WHERE deleted IS NOT NULL AND deleted < ?", (now - PURGE_AFTER,))
            return db.execute("UPDATE conversations SET deleted = ? WHERE id = ? AND owner = ? AND deleted IS NULL",
                              (now, cid, owner)).rowcount == 1

    def restore(self, cid: str, owner: str) -> bool:
        """Undo `delete`; False if the conversation was purged meanwhile or is not the owner's."""
        with self._db() as db:
            return db.execute("UPDATE conversations SET deleted = NULL WHERE id = ? AND owner = ?",
                              (cid, owner)).rowcount == 1


@contextmanager
def _transaction(db: sqlite3.Connection) -> Iterator[None]:
    """BEGIN IMMEDIATE: take the write lock first, so two writers queue instead of failing mid-way."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def _dump(exchange: Exchange) -> str:
    return json.dumps(exchange.to_json(), ensure_ascii=False, separators=(",", ":"))
