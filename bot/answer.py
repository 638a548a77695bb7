"""What the bot gives back: an `Answer` whose `[n]` markers point at verbatim `Citation`s.

For every citation `transcript_text[c.start:c.end] == c.quote`; `bot.cite` guarantees it before an
answer leaves the bot. `to_json()` is the `--json` contract of DESIGN.md (plus `related`, `dropped`
and `notice`, which say what was not cited and why); `from_json()` reads it back, so a saved
conversation redraws its answers without asking again.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from bot import labels
from ingest.speakers import Speaker
from ingest.transcript import Passage, Turn


@dataclass(frozen=True)
class Citation:
    """A verbatim quote: `n` is its marker, `[start, end)` its place in `source`."""

    n: int
    source: str
    start: int
    end: int
    quote: str
    speaker: str
    question: Turn | None
    passage_id: str
    role: str = "answer"
    speaker_name: str | None = None  # who `speaker` (the transcript's label) is, when known
    speaker_role: str | None = None  # "EU official": given with `--speaker`, or the `speakers:` header's

    @classmethod
    def from_passage(cls, n: int, passage: Passage, start: int, end: int) -> Citation:
        """Cite `[start, end)` of `passage` (offsets into the source text, inside the passage)."""
        if not passage.start <= start < end <= passage.end:
            raise ValueError(f"span {start}-{end} is outside passage {passage.start}-{passage.end}")
        quote = passage.text[start - passage.start : end - passage.start]
        return cls(n, passage.source, start, end, quote, passage.speaker, passage.question, passage.id, passage.role)

    def credited(self, person: Speaker) -> Citation:
        """This citation with who its speaker is (`SourceInfo.person`): their name and role."""
        return replace(self, speaker_name=person.person_name, speaker_role=person.role)

    @classmethod
    def across(cls, n: int, passage: Passage, start: int, end: int, text: str) -> Citation:
        """Cite `[start, end)` of the transcript `text`, starting or ending in `passage` and reaching
        into the paragraph beside it in the same turn (a sentence that leans on the one before)."""
        if not (passage.start <= start < passage.end or passage.start < end <= passage.end):
            raise ValueError(f"span {start}-{end} does not touch passage {passage.start}-{passage.end}")
        return cls(n, passage.source, start, end, text[start:end], passage.speaker, passage.question, passage.id,
                   passage.role)

    def to_json(self) -> dict:
        q = self.question
        return {
            "n": self.n, "source": self.source, "start": self.start, "end": self.end, "quote": self.quote,
            "speaker": self.speaker, "speaker_name": self.speaker_name, "speaker_role": self.speaker_role,
            "role": self.role, "passage_id": self.passage_id,
            "question": None if q is None else {"text": q.text, "speaker": q.speaker, "start": q.start, "end": q.end,
                                                "index": q.index, "role": q.role},
        }

    @classmethod
    def from_json(cls, data: dict) -> Citation:
        """The citation `to_json()` gave (a question saved before `index`/`role` were kept gets -1, "question";
        one saved before speakers had names, no name or role)."""
        q = data.get("question")
        question = None if q is None else Turn(q.get("index", -1), q["speaker"], q.get("role", "question"), q["text"],
                                               q["start"], q["end"])
        return cls(data["n"], data["source"], data["start"], data["end"], data["quote"], data["speaker"], question,
                   data.get("passage_id", ""), data.get("role", "answer"), data.get("speaker_name"),
                   data.get("speaker_role"))


@dataclass(frozen=True)
class Related:
    """A passage close to an unanswered question, offered as "related", never as a citation."""

    source: str
    start: int
    end: int
    speaker: str
    text: str
    score: float


@dataclass(frozen=True)
class Answer:
    question: str
    standalone_question: str
    text: str
    citations: tuple[Citation, ...]
    abstained: bool
    mode: str
    timings: dict[str, float] = field(default_factory=dict)
    related: tuple[Related, ...] = ()
    dropped: tuple[str, ...] = ()
    notice: str | None = None
    model: str | None = None
    retrieved: tuple[tuple[str, int, int], ...] = ()  # (source, start, end) of the passages searched, best first
    confidence: str | None = None  # "high" (an answer), "low" (the closest passages), None when abstained
    scores: dict[str, float] = field(default_factory=dict)  # the calibrated probabilities behind the outcome
    searched: tuple[str, ...] = ()  # the sources searched
    reason: str | None = None  # why not addressed, when not the usual "nothing answers it": "nobody_described"
    label: str = ""  # what the reader is told: "answer", "likely", "closest", "not_addressed" (`bot.labels`)
    stated_rate: float | None = None  # the share of answers so labelled that were right out of fold; None: not measured

    def __post_init__(self):
        if not self.label:  # an answer made before labels: its outcome's own label
            object.__setattr__(self, "label", labels.for_outcome(self.outcome))

    @property
    def outcome(self) -> str:
        """"answer", "candidates" (the passages closest to the question) or "not_addressed"."""
        if self.abstained:
            return "not_addressed"
        return "candidates" if self.confidence == "low" else "answer"

    def to_json(self, id: str | None = None) -> dict:
        out = {} if id is None else {"id": id}
        out |= {
            "question": self.question, "standalone_question": self.standalone_question, "answer": self.text,
            "abstained": self.abstained, "mode": self.mode, "citations": [c.to_json() for c in self.citations],
            "timings": {k: round(v, 4) for k, v in self.timings.items()},
            "related": [{"source": r.source, "start": r.start, "end": r.end, "speaker": r.speaker, "text": r.text,
                         "score": r.score} for r in self.related],
            "confidence": self.confidence, "dropped": list(self.dropped), "notice": self.notice, "model": self.model,
            "outcome": self.outcome, "scores": dict(self.scores), "searched": list(self.searched), "reason": self.reason,
            "label": self.label, "stated_rate": self.stated_rate,
        }
        return out

    @classmethod
    def from_json(cls, data: dict) -> Answer:
        """The answer `to_json()` gave; `retrieved`, when present, is read too (`to_json` leaves it out).

        >>> a = Answer("Q?", "Q?", "No.", (), True, "extractive", timings={"total": 0.5})
        >>> Answer.from_json(a.to_json()) == a
        True
        """
        return cls(
            data["question"], data["standalone_question"], data["answer"],
            tuple(Citation.from_json(c) for c in data["citations"]), data["abstained"], data["mode"],
            dict(data.get("timings", {})),
            tuple(Related(r["source"], r["start"], r["end"], r["speaker"], r["text"], r.get("score", 0.0))
                  for r in data.get("related", [])),
            tuple(data.get("dropped", [])), data.get("notice"), data.get("model"),
            tuple((s, start, end) for s, start, end in data.get("retrieved", [])), data.get("confidence"),
            dict(data.get("scores", {})), tuple(data.get("searched", [])), data.get("reason"), data.get("label", ""),
            data.get("stated_rate"),
        )
