"""WebVTT and SRT captions: one segment per cue, with the cue's timing kept.

A cue's segment is the span of its text lines, after a `<v Speaker>` voice tag or a `Speaker:`
prefix (which name the speaker) and before a closing `</v>`. Cues without a speaker keep the
previous cue's speaker; captions that name nobody get roles from punctuation instead.
"""

from __future__ import annotations

import re

from ingest.errors import TranscriptError
from ingest.formats import INTERVIEWEE, INTERVIEWER, Segment
from ingest.spans import paragraph_spans, strip_span

_TIMING = re.compile(
    r"(?P<start>(?:\d+:)?\d{1,2}:\d{2}[.,]\d{3})[ \t]+-->[ \t]+(?P<end>(?:\d+:)?\d{1,2}:\d{2}[.,]\d{3})[^\r\n]*"
)
_VOICE = re.compile(r"<v(?:\.[\w.-]+)?[ \t]+(?P<speaker>[^>]+)>[ \t]*")
_NAME_PREFIX = re.compile(r"(?P<speaker>[A-Z][\w.'’\-]*(?:[ \t]+[A-Z][\w.'’\-]*){0,3})[ \t]*:[ \t]+")
_SKIPPED_BLOCKS = ("NOTE", "STYLE", "REGION", "WEBVTT")


def _cue_text_span(text: str, block_start: int, block_end: int) -> tuple[str, int, int] | None:
    """The timing line of a cue block and the span of its text lines, or None for other blocks."""
    timing = _TIMING.search(text, block_start, block_end)
    if timing is None:
        return None
    line_end = text.find("\n", timing.end(), block_end)
    if line_end < 0:
        return None  # a timing with no text
    s, e = strip_span(text, line_end + 1, block_end)
    label = f"{timing.group('start')} --> {timing.group('end')}"
    return label, s, e


def caption_segments(text: str, start: int = 0) -> list[Segment]:
    """Cue segments of a WebVTT or SRT file (`start` skips a header)."""
    cues: list[tuple[str | None, int, int, str]] = []
    for block_start, block_end in paragraph_spans(text, start):
        if text.startswith(_SKIPPED_BLOCKS, block_start) and not _TIMING.search(text, block_start, block_end):
            continue
        cue = _cue_text_span(text, block_start, block_end)
        if cue is None:
            continue
        timing, s, e = cue
        speaker = None
        if voice := _VOICE.match(text, s, e):
            speaker, s = voice.group("speaker").strip(), voice.end()
        elif prefix := _NAME_PREFIX.match(text, s, e):
            speaker, s = prefix.group("speaker"), prefix.end()
        if text.endswith("</v>", s, e):
            e -= len("</v>")
        s, e = strip_span(text, s, e)
        if e > s:
            cues.append((speaker, s, e, timing))
    if not cues:
        raise TranscriptError("no caption cues found (expected lines like `00:00:01.000 --> 00:00:04.000`)")
    if any(speaker for speaker, *_ in cues):
        return _named_cues(cues)
    return _unnamed_cues(text, cues)


def _named_cues(cues: list[tuple[str | None, int, int, str]]) -> list[Segment]:
    segments, speaker = [], "Unknown speaker"
    for name, s, e, timing in cues:
        speaker = name or speaker
        segments.append(Segment(speaker, s, e, None, timing))
    return segments


def _unnamed_cues(text: str, cues: list[tuple[str | None, int, int, str]]) -> list[Segment]:
    """Without names, a cue belongs to a question when its sentence ends in '?'.

    A cue that stops mid-sentence takes the role of the cue that finishes the sentence.
    """
    roles: list[str] = []
    following = "answer"
    for _, s, e, _ in reversed(cues):
        last = text[e - 1]
        if last == "?" or text[s:e].rstrip("\"'”’)]").endswith("?"):
            following = "question"
        elif last in ".!…\"”":
            following = "answer"
        roles.append(following)
    roles.reverse()
    segments, asked = [], False
    for (_, s, e, timing), role in zip(cues, roles):
        asked = asked or role == "question"
        if role == "answer" and not asked:
            role = "other"
        speaker = INTERVIEWER if role != "answer" else INTERVIEWEE
        segments.append(Segment(speaker, s, e, role, timing))
    return segments
