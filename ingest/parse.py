"""Text → `Transcript`: header metadata, shape detection, turns with roles, passages.

    >>> t = parse_transcript("Q: Why?\\nA: Because it rains. We stay in.", "x.txt")
    >>> [(turn.role, turn.text) for turn in t.turns]
    [('question', 'Why?'), ('answer', 'Because it rains. We stay in.')]
    >>> p = t.answer_passages[0]
    >>> t.text[p.start:p.end] == p.text, p.question.text
    (True, 'Why?')
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace
from pathlib import PurePath

from ingest.errors import TranscriptError
from ingest import captions, formats
from ingest.formats import FORMATS, Segment, ends_with_question
from ingest.spans import cap_span, chunk_spans, paragraph_spans
from ingest.transcript import Passage, Transcript, Turn, passage_id, text_sha256

_DATE = r"(?P<date>\d{4}-\d{2}-\d{2})"
_HEADER_LINE = re.compile(
    rf"[ \t]*(?:(?i:date)[ \t]*[:=]?[ \t]*{_DATE}[ \t]*(?:\r?\n|\Z)?"
    rf"|(?i:title)[ \t]*:[ \t]*(?P<title>[^\r\n]*\S)[ \t]*(?:\r?\n|\Z)"
    rf"|(?i:speakers)[ \t]*:[ \t]*(?P<speakers>[^\r\n]*=[^\r\n]*\S)[ \t]*(?:\r?\n|\Z))"
)
_QUESTIONER_NAMES = re.compile(
    r"\b(?:interviewer|host|moderator|chair|chairman|chairwoman|presenter|anchor|journalist|reporter|q)\b", re.I
)
_MAX_PASSAGE_CHARS, _TARGET_PASSAGE_CHARS = 600, 400


def parse_header(text: str) -> tuple[dict[str, str], int]:
    """Leading `date YYYY-MM-DD` / `title: ...` / `speakers: Name = role; ...` items: metadata, not speech.

    >>> parse_header(" date 2024-11-27 In June, ...")
    ({'date': '2024-11-27'}, 17)
    >>> parse_header("speakers: Jane Doe = EU official; Ann Lee = journalist\\nJane Doe: Hello.")[0]
    {'speakers': 'Jane Doe = EU official; Ann Lee = journalist'}
    """
    meta: dict[str, str] = {}
    position = 0
    while match := _HEADER_LINE.match(text, position):
        key = next(k for k in ("date", "title", "speakers") if match.group(k))
        if key in meta:
            break
        meta[key] = match.group(key)
        position = match.end()
    return meta, position


def speaker_descriptions(header: str) -> tuple[tuple[str, str], ...]:
    """`Name = description` pairs of a `speakers:` header, separated by `;`.

    >>> speaker_descriptions("Jane Doe = EU official; Ann Lee=journalist; nonsense")
    (('Jane Doe', 'EU official'), ('Ann Lee', 'journalist'))
    """
    pairs = []
    for item in header.split(";"):
        name, sep, description = item.partition("=")
        if sep and name.strip() and description.strip():
            pairs.append((" ".join(name.split()), " ".join(description.split())))
    return tuple(pairs)


def title_from_source(source: str) -> str:
    """A readable title from a file name; short words are taken as acronyms.

    >>> title_from_source("data/interview-eu-kazakhstan-2024-11-27.txt")
    'Interview EU Kazakhstan'
    """
    stem = re.sub(r"[-_ ]?\d{4}-\d{2}-\d{2}", "", PurePath(source).stem)
    words = [w for w in re.split(r"[-_\s]+", stem) if w]
    words = [w.upper() if len(w) <= 2 and w.isalpha() else w[:1].upper() + w[1:] for w in words]
    return " ".join(words) or "Untitled transcript"


def infer_speaker_roles(turns: list[tuple[str, bool, int]]) -> dict[str, str]:
    """Who asks and who answers, from `(speaker, ends with a question, length)` per turn.

    A respondent mostly speaks right after someone else's question, or at length without ever
    asking; a questioner ends turns with questions. Speakers who do neither (a chair calling the
    next member) are moderators: their question turns are questions, the rest "other".

    >>> infer_speaker_roles([("Ann", True, 40), ("Bo", False, 300), ("Ann", True, 30), ("Bo", False, 90)])
    {'Ann': 'questioner', 'Bo': 'respondent'}
    """
    asks, follows, counts, chars = Counter(), Counter(), Counter(), Counter()
    for i, (speaker, asked, length) in enumerate(turns):
        counts[speaker] += 1
        asks[speaker] += asked
        chars[speaker] += length
        if i and turns[i - 1][1] and turns[i - 1][0] != speaker:
            follows[speaker] += 1
    kinds = {}
    for speaker, n in counts.items():
        answering = follows[speaker] / n >= 0.3
        holds_forth = chars[speaker] / n >= 250
        if _QUESTIONER_NAMES.search(speaker):
            kinds[speaker] = "moderator"
        elif (asks[speaker] == 0 and (answering or holds_forth or n <= 3)) or (
            answering and follows[speaker] >= 2 * asks[speaker]
        ):
            kinds[speaker] = "respondent"
        elif asks[speaker] > 0:
            kinds[speaker] = "questioner"
        else:
            kinds[speaker] = "moderator"
    return kinds


def _segments(text: str, fmt: str, start: int) -> list[Segment]:
    match fmt:
        case "paragraphs":
            return formats.paragraph_segments(text, start)
        case "speakers":
            return formats.speaker_segments(text, start)
        case "qa":
            return formats.qa_segments(text, start)
        case "vtt" | "srt":
            return captions.caption_segments(text, start)
        case _:
            raise TranscriptError(f"unknown format {fmt!r}: choose one of {', '.join(FORMATS)}")


def _with_roles(text: str, segments: list[Segment]) -> list[Segment]:
    """Fill in inferred roles: a respondent's speech is an answer, anyone else's question a question.

    A speaker's consecutive segments (caption cues) are judged together, as one turn.
    """
    if all(seg.role for seg in segments):
        return segments
    runs: list[list[Segment]] = []
    for seg in segments:
        if runs and runs[-1][-1].speaker == seg.speaker and not seg.role and not runs[-1][-1].role:
            runs[-1].append(seg)
        else:
            runs.append([seg])
    spoken = [" ".join(text[s.start : s.end] for s in run) for run in runs]
    kinds = infer_speaker_roles([(run[0].speaker, ends_with_question(said), len(said)) for run, said in zip(runs, spoken)])
    out = []
    for run, said in zip(runs, spoken):
        if run[0].role:
            role = run[0].role
        elif kinds[run[0].speaker] == "respondent":
            role = "answer"
        else:
            role = "question" if "?" in said else "other"
        out.extend(replace(seg, role=seg.role or role) for seg in run)
    return out


def _turns(text: str, segments: list[Segment], joined: bool) -> list[tuple[Turn, list[Segment]]]:
    """Consecutive segments of one speaker in one role make a turn."""
    groups: list[list[Segment]] = []
    for seg in segments:
        if groups and groups[-1][-1].speaker == seg.speaker and groups[-1][-1].role == seg.role:
            groups[-1].append(seg)
        else:
            groups.append([seg])
    turns = []
    for index, group in enumerate(groups):
        start, end = group[0].start, group[-1].end
        turn_text = " ".join(text[s.start : s.end] for s in group) if joined else text[start:end]
        turns.append((Turn(index, group[0].speaker, group[0].role, turn_text, start, end), group))
    return turns


def parse_transcript(text: str, source: str, fmt: str | None = None, title: str | None = None) -> Transcript:
    """Parse the exact text of a transcript file into turns and passages (offsets into `text`)."""
    if not text.strip():
        raise TranscriptError(f"{source} is empty: nothing to ingest")
    meta, body_start = ({}, 0) if fmt in ("vtt", "srt") else parse_header(text)
    fmt = fmt or formats.detect_format(text, source)
    if fmt in ("vtt", "srt"):
        meta, body_start = {}, 0
    segments = _with_roles(text, _segments(text, fmt, body_start))
    is_captions = fmt in ("vtt", "srt")
    passages: list[Passage] = []
    turns: list[Turn] = []
    question: Turn | None = None
    for turn, group in _turns(text, segments, joined=is_captions):
        turns.append(turn)
        if turn.role == "question":
            question = turn
        for seg in group:
            pieces = cap_span(text, seg.start, seg.end) if is_captions else [
                chunk for s, e in paragraph_spans(text, seg.start, seg.end)
                for chunk in chunk_spans(text, s, e, _MAX_PASSAGE_CHARS, _TARGET_PASSAGE_CHARS)
            ]
            for s, e in pieces:
                passages.append(Passage(
                    id=passage_id(source, s, e, text[s:e]), source=source, start=s, end=e, text=text[s:e],
                    speaker=turn.speaker, role=turn.role, question=question if turn.role == "answer" else None,
                    turn_index=turn.index, timing=seg.timing,
                ))
    if not any(p.role == "answer" for p in passages):
        raise TranscriptError(f"{source}: found no answers in this {fmt} transcript; try another --format")
    date = meta.get("date") or (m.group(0) if (m := re.search(r"\d{4}-\d{2}-\d{2}", PurePath(source).name)) else None)
    return Transcript(
        source=source, text=text, format=fmt, title=title or meta.get("title") or title_from_source(source),
        date=date, turns=tuple(turns), passages=tuple(passages), sha256=text_sha256(text),
        descriptions=speaker_descriptions(meta.get("speakers", "")),
    )
