"""What a reader needs to check a citation: the interview it comes from and the paragraph around it.

An `Exchange` is one question of a conversation with its `Answer` and one `Evidence` per
citation, gathered from the store when the answer is given (so a briefing made later still names
the transcript version that was cited). `transcript_segments` cuts a whole transcript into the
blocks the transcript view shows: each passage with its speaker and role, and the text between
passages (metadata lines, caption timings) as plain gaps.

    >>> paragraph_number("One.\\n\\nTwo.\\n\\nThree.", 7)
    2
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date as Date

from bot.answer import Answer, Citation
from ingest.spans import paragraph_spans
from ingest.transcript import Passage


@dataclass(frozen=True)
class Evidence:
    """A citation, its interview (title, date, SHA-256) and the passage it sits in, verbatim."""

    citation: Citation
    title: str
    date: str | None
    sha256: str
    paragraph: int  # 1-based number of the transcript's blank-line paragraph holding the quote
    context_start: int  # where `context` starts in the transcript text
    context: str  # the passage around the quote: text[context_start:context_start + len(context)]
    timing: str | None = None  # caption cue timing, for .vtt/.srt transcripts
    asker: str | None = None  # the name of whoever asked the question the quote answers, when known

    @property
    def asked_by(self) -> str:
        """Who asked the question the quote answers: their name, else the transcript's label."""
        q = self.citation.question
        return self.asker or (q.speaker if q is not None else "")

    def split(self) -> tuple[str, str, str]:
        """The context as (before, quote, after); the middle is the quote itself.

        >>> from bot.answer import Citation
        >>> c = Citation(1, "s", 4, 7, "two", "A", None, "p")
        >>> Evidence(c, "T", None, "x", 1, 0, "one two three").split()
        ('one ', 'two', ' three')
        """
        a, b = self.citation.start - self.context_start, self.citation.end - self.context_start
        return self.context[:a], self.context[a:b], self.context[b:]

    def credit(self) -> str:
        """Who said it first, then where and when, as an article cites it: the speaker's name (else
        their role, else the transcript's label), their role, the interview's title and date.

        >>> from bot.answer import Citation
        >>> c = Citation(1, "s", 0, 2, "Hi", "Interviewee", None, "p", speaker_name="Jane Doe", speaker_role="EU official")
        >>> Evidence(c, "Interview EU Kazakhstan", "2024-11-27", "x", 1, 0, "Hi").credit()
        'Jane Doe, EU official, in the interview “Interview EU Kazakhstan” on 27 November 2024'
        >>> from dataclasses import replace
        >>> Evidence(replace(c, speaker_name=None, speaker_role="human rights activist"), "Talk", None, "x", 1, 0, "Hi").credit()
        'Human rights activist, in the interview “Talk”'
        """
        c = self.citation
        who = [part for part in (c.speaker_name or c.speaker_role or c.speaker, c.speaker_name and c.speaker_role) if part]
        when = f" on {long_date(self.date)}" if self.date else ""
        lead = ", ".join(" ".join(part.split()) for part in who)
        return f"{lead[:1].upper()}{lead[1:]}, in the interview “{' '.join(self.title.split())}”{when}"


@dataclass(frozen=True)
class Exchange:
    """One question of the conversation and what was cited for it."""

    answer: Answer
    evidence: tuple[Evidence, ...] = ()

    def to_json(self) -> dict:
        """Everything needed to redraw the answer and its cards and to rebuild a briefing, as JSON."""
        answer = self.answer.to_json() | {"timings": dict(self.answer.timings),
                                          "retrieved": [list(r) for r in self.answer.retrieved]}
        return {"answer": answer, "evidence": [
            {"citation": ev.citation.n, "title": ev.title, "date": ev.date, "sha256": ev.sha256,
             "paragraph": ev.paragraph, "context_start": ev.context_start, "context": ev.context,
             "timing": ev.timing, "asker": ev.asker} for ev in self.evidence]}

    @classmethod
    def from_json(cls, data: dict) -> Exchange:
        """The exchange `to_json()` gave; each evidence finds its citation by marker number."""
        answer = Answer.from_json(data["answer"])
        by_n = {c.n: c for c in answer.citations}
        return cls(answer, tuple(
            Evidence(by_n[ev["citation"]], ev["title"], ev["date"], ev["sha256"], ev["paragraph"], ev["context_start"],
                     ev["context"], ev.get("timing"), ev.get("asker")) for ev in data["evidence"]))


@dataclass(frozen=True)
class Segment:
    """A stretch of a transcript in the transcript view: a passage (with `role`) or a gap (`role` None)."""

    start: int
    end: int
    text: str
    role: str | None = None
    speaker: str | None = None
    opens_turn: bool = False
    timing: str | None = None


MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")  # English whatever the machine's locale, as the rest of the briefing


def long_date(iso: str) -> str:
    """A date written out, as an article gives it; anything but YYYY-MM-DD as it is.

    >>> long_date("2024-11-27"), long_date("2024-06-02"), long_date("spring 2024")
    ('27 November 2024', '2 June 2024', 'spring 2024')
    """
    try:
        day = Date.fromisoformat(iso)
    except ValueError:
        return iso
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def paragraph_number(text: str, offset: int) -> int:
    """The 1-based number of the blank-line paragraph of `text` that holds `offset`."""
    spans = paragraph_spans(text)
    return next((i for i, (s, e) in enumerate(spans, 1) if offset < e), max(len(spans), 1))


def build_evidence(citation: Citation, text: str, title: str, date: str | None, sha256: str,
                   passage: Passage | None) -> Evidence:
    """Evidence for one citation; the context is its passage, or else its paragraph of `text`."""
    if passage is not None and passage.start <= citation.start and citation.end <= passage.end:
        start, end, timing = passage.start, passage.end, passage.timing
    else:
        start, end = next(((s, e) for s, e in paragraph_spans(text) if s <= citation.start and citation.end <= e),
                          (citation.start, citation.end))
        timing = None
    return Evidence(citation, title, date, sha256, paragraph_number(text, citation.start), start, text[start:end], timing)


def gather(answer: Answer, store) -> tuple[Evidence, ...]:
    """Evidence for every citation of `answer`, read from `store` (the I/O edge of this module)."""
    if not answer.citations:
        return ()
    infos = {s.source: s for s in store.sources()}
    corpus = store.corpus()
    out = []
    for c in answer.citations:
        info = infos.get(c.source)
        title, date, sha = (info.title, info.date, info.sha256) if info else (c.source, None, "")
        passage = corpus.passage(c.passage_id)
        evidence = build_evidence(c, store.source_text(c.source), title, date, sha, passage)
        asker = info.person(c.question.speaker).person_name if info and c.question else None
        out.append(replace(evidence, asker=asker) if asker else evidence)
    return tuple(out)


def history_of(exchanges: list[Exchange]) -> list[dict]:
    """The conversation so far in `Bot.ask`'s `history` format.

    >>> from bot.answer import Answer
    >>> history_of([Exchange(Answer("Q?", "Q?", "A [1]", (), False, "extractive"))])
    [{'role': 'user', 'content': 'Q?'}, {'role': 'assistant', 'content': 'A [1]'}]
    """
    out: list[dict] = []
    for ex in exchanges:
        out += [{"role": "user", "content": ex.answer.question}, {"role": "assistant", "content": ex.answer.text}]
    return out


def transcript_segments(text: str, passages: list[Passage]) -> list[Segment]:
    """`text` cut into passages (in order) and the gaps between them; together they cover it all.

    >>> from ingest.transcript import Passage as P
    >>> segs = transcript_segments("Q? A.", [P("a", "s", 0, 2, "Q?", "I", "question", None, 0),
    ...                                      P("b", "s", 3, 5, "A.", "E", "answer", None, 1)])
    >>> [(s.text, s.role) for s in segs]
    [('Q?', 'question'), (' ', None), ('A.', 'answer')]
    """
    out: list[Segment] = []
    cursor, turn = 0, None
    for p in sorted(passages, key=lambda p: p.start):
        if p.start < cursor or p.end > len(text):  # overlapping or foreign passage: keep the text whole
            continue
        if p.start > cursor:
            out.append(Segment(cursor, p.start, text[cursor:p.start]))
        out.append(Segment(p.start, p.end, text[p.start:p.end], p.role, p.speaker, p.turn_index != turn, p.timing))
        cursor, turn = p.end, p.turn_index
    if cursor < len(text):
        out.append(Segment(cursor, len(text), text[cursor:]))
    return out
