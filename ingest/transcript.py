"""The domain objects of a transcript: `Turn`, `Passage` and the parsed `Transcript`.

Offsets are the contract (see DESIGN.md): `start`/`end` index the source file's text as read with
`open(path, encoding="utf-8", newline="")` after a leading BOM is stripped, and for every passage
`transcript.text[p.start:p.end] == p.text`. The same holds for turns, except in captions, where a
turn gathers several cues and its `text` is their cue texts joined by single spaces (the span
between them holds cue timings, which are not speech).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

ROLES = ("question", "answer", "other")


@dataclass(frozen=True)
class Turn:
    """One speaker's uninterrupted contribution: a question, an answer or something else."""

    index: int
    speaker: str
    role: str
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Passage:
    """The unit that is retrieved and cited: an answer turn, or one paragraph or chunk of one.

    Question turns and other turns are passages too (with their `role`), so that what an
    interviewer said can be found and cited as the interviewer's words; they are never cited as
    an answer. `question` is the question turn an answer passage answers, or None.
    """

    id: str
    source: str
    start: int
    end: int
    text: str
    speaker: str
    role: str
    question: Turn | None
    turn_index: int
    timing: str | None = None

    @property
    def is_answer(self) -> bool:
        return self.role == "answer"


@dataclass(frozen=True)
class Transcript:
    """A parsed transcript: its exact text, metadata, turns and passages."""

    source: str
    text: str
    format: str
    title: str
    date: str | None
    turns: tuple[Turn, ...]
    passages: tuple[Passage, ...]
    sha256: str = field(default="")
    descriptions: tuple[tuple[str, str], ...] = ()  # (speaker, "EU official") from a `speakers:` header

    @property
    def questions(self) -> tuple[Turn, ...]:
        return tuple(t for t in self.turns if t.role == "question")

    @property
    def answer_passages(self) -> tuple[Passage, ...]:
        return tuple(p for p in self.passages if p.role == "answer")

    @property
    def speakers(self) -> tuple[str, ...]:
        """Speakers in order of first appearance."""
        return tuple(dict.fromkeys(t.speaker for t in self.turns))


def passage_id(source: str, start: int, end: int, text: str) -> str:
    """A stable id: the same source, offsets and text always give the same id.

    >>> passage_id("a.txt", 0, 5, "Hello")
    'p-66f9b6236f0087a38df9'
    """
    digest = hashlib.sha256(f"{source}\0{start}\0{end}\0{text}".encode("utf-8")).hexdigest()
    return "p-" + digest[:20]


def text_sha256(text: str) -> str:
    """SHA-256 of the transcript text as UTF-8, so a reader can check which version was cited."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
