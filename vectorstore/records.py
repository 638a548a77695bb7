"""How passages and transcripts are written as Chroma records, and read back.

A passage's record holds where it is in its transcript and who said it (`passage_record`), not its
words: they are the transcript's text between its offsets (`passage_of`). A transcript's record
holds its text as the document and its metadata, with the ids of its passages (`source_record`);
`SourceInfo` is what such a record says of its transcript.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

from ingest.speakers import Speaker, speakers_json, speakers_of_json
from ingest.transcript import Passage, Transcript, Turn, text_sha256


@dataclass(frozen=True)
class SourceInfo:
    """What the store knows of one ingested transcript."""

    source: str
    title: str
    date: str | None
    format: str
    sha256: str
    speakers: tuple[str, ...]
    turns: int
    questions: int
    passages: int
    descriptions: tuple[tuple[str, str], ...] = ()  # (speaker, "EU official"), from the transcript's header
    ingested_at: float | None = None  # seconds since the epoch
    people: tuple[Speaker, ...] = ()  # names and roles the user gave (`--speaker`, the app's interview card)

    def person(self, label: str) -> Speaker:
        """Who `label` is: the name the user gave, and the role they gave or else the header's description.

        >>> info = SourceInfo("a.txt", "T", None, "speakers", "", ("Ann", "Bo"), 0, 0, 0, (("Ann", "host"),),
        ...                   people=(Speaker("Ann", "Ann Lee"),))
        >>> info.person("Ann"), info.person("Bo")
        (Speaker(label='Ann', name='Ann Lee', role='host'), Speaker(label='Bo', name=None, role=None))
        """
        given = next((s for s in self.people if s.label == label), Speaker(label))
        header = dict(self.descriptions).get(label)
        return Speaker(label, given.name, given.role or header)

    @property
    def roles(self) -> tuple[tuple[str, str], ...]:
        """(speaker, role) for every described speaker: a role the user gave wins over the header's description."""
        labels = dict.fromkeys([label for label, _ in self.descriptions] + [s.label for s in self.people])
        return tuple((label, role) for label in labels if (role := self.person(label).role))


PAGE = 5000  # records per read: SQLite refuses statements with more than 32,766 variables


def read_all(collection, include: list[str], where: dict | None = None, page: int = PAGE) -> dict[str, list]:
    """Every record of `collection` (matching `where`), read a page at a time, as one `get` result."""
    out: dict[str, list] = {"ids": [], **{key: [] for key in include}}
    offset = 0
    while True:
        got = collection.get(where=where, include=include, limit=page, offset=offset)
        for key in out:
            out[key] += [] if got[key] is None else list(got[key])  # embeddings come as one array
        if len(got["ids"]) < page:
            return out
        offset += page


def passage_record(p: Passage, text: str) -> dict:
    """A passage's record: where it is in the transcript's `text` and who said it. Its words are
    not stored again (they are `text[start:end]`; Chroma would also index them in full text), nor
    its question's, unless they differ from the span (a captions turn joins its cues' texts)."""
    meta = {"source": p.source, "start": p.start, "end": p.end, "speaker": p.speaker, "role": p.role,
            "turn_index": p.turn_index}
    if p.timing:
        meta["timing"] = p.timing
    if q := p.question:
        meta |= {"q_index": q.index, "q_speaker": q.speaker, "q_start": q.start, "q_end": q.end}
        if text[q.start : q.end] != q.text:
            meta["q_text"] = q.text
    return meta


def passage_of(pid: str, document: str | None, meta: dict, text: str) -> Passage:
    """The passage of a record, its words from `text` (its transcript's) where the record holds none."""
    question = None
    if "q_index" in meta:
        q_text = meta.get("q_text", text[meta["q_start"] : meta["q_end"]])
        question = Turn(meta["q_index"], meta["q_speaker"], "question", q_text, meta["q_start"], meta["q_end"])
    return Passage(pid, meta["source"], meta["start"], meta["end"], text[meta["start"] : meta["end"]]
                   if document is None else document, meta["speaker"], meta["role"], question, meta["turn_index"],
                   meta.get("timing"))


def version_of(metas: list[dict]) -> tuple:
    """What identifies the store's state: each transcript's source, text hash and ingest time."""
    return tuple(sorted((m["source"], m["sha256"], m.get("ingested_at", 0)) for m in metas))


def lexicon_key(meta: dict) -> str:
    """What names one version of a transcript in the lexicon: its record's text hash, ingest time and passages."""
    return json.dumps([meta["sha256"], meta.get("ingested_at", 0), text_sha256(meta.get("passage_ids") or "")])


def is_current(pid: str, source: str, current: dict[str, set[str] | None]) -> bool:
    """A passage of the version its transcript's record names (any passage, for a record written
    before records named their passages); none of a transcript with no record."""
    if source not in current:
        return False
    ids = current[source]
    return ids is None or pid in ids


def source_record(t: Transcript, people=()) -> dict:
    """A transcript's record: its metadata, who its speakers are (`people`, as the user said) and the ids of
    its passages (its text is the record's document)."""
    meta = {"source": t.source, "title": t.title, "format": t.format, "sha256": t.sha256,
            "speakers": json.dumps(list(t.speakers)), "turns": len(t.turns), "questions": len(t.questions),
            "passages": len(t.passages), "ingested_at": time.time(),
            "descriptions": json.dumps([list(pair) for pair in t.descriptions]),
            "passage_ids": json.dumps([p.id for p in t.passages]), "people": speakers_json(people)}
    if t.date:
        meta["date"] = t.date
    return meta


def source_infos(metas: list[dict]) -> list[SourceInfo]:
    """What the records say of each transcript, by source."""
    infos = [
        SourceInfo(m["source"], m["title"], m.get("date"), m["format"], m["sha256"], tuple(json.loads(m["speakers"])),
                   m["turns"], m["questions"], m["passages"],
                   tuple(tuple(pair) for pair in json.loads(m.get("descriptions", "[]"))), m.get("ingested_at"),
                   speakers_of_json(m.get("people")))
        for m in metas
    ]
    return sorted(infos, key=lambda s: s.source)
