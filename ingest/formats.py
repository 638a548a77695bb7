"""Transcript shapes: detect which one a text is, and cut it into speaker segments.

A segment is one stretch of speech with exact offsets: a paragraph of a plain interview, the text
after a `Name:` label, after a `Q:`/`A:` marker, or one caption cue. `ingest.parse` turns
segments into turns and passages; the caption formats live in `ingest.captions`.

Shapes (`FORMATS`):
- "paragraphs": blank-line paragraphs; a paragraph ending in "?" is the interviewer's question,
  the paragraphs after it are the answer (the bundled interview);
- "speakers": `Speaker Name: text` turns (hearings, named interviews);
- "qa": `Q:` / `A:` markers (also `Question:` / `Answer:`);
- "vtt" and "srt": captions, with cue timings kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePath

from ingest.errors import TranscriptError
from ingest.spans import paragraph_spans, strip_span

FORMATS = ("paragraphs", "speakers", "qa", "vtt", "srt")
INTERVIEWER, INTERVIEWEE = "Interviewer", "Interviewee"


@dataclass(frozen=True)
class Segment:
    """A stretch of one speaker's speech; `role` is None when it has to be inferred."""

    speaker: str
    start: int
    end: int
    role: str | None = None
    timing: str | None = None


_QA_MARKER = re.compile(r"(?im)^[ \t]*(?P<marker>q|a|question|answer)[ \t]*[:.)][ \t]+")
_SPEAKER_LABEL = re.compile(
    r"(?m)^[ \t]*(?P<label>[A-Z][\w.'’\-]*(?:[ \t]+[\w.'’\-()&]+){0,6}?)[ \t]*:[ \t]+(?=\S)"
)
_HONORIFIC = re.compile(r"^(?:mr|mrs|ms|dr|prof|hon|sir|dame|lord|lady|sen|rep)\.?$", re.I)
_QUESTION_END = re.compile(r"\?[\"'”’)\]]*$")


def ends_with_question(text: str) -> bool:
    """True when the text's last sentence is a question.

    >>> ends_with_question('Is it “fair”?'), ends_with_question("It is.")
    (True, False)
    """
    return bool(_QUESTION_END.search(text.rstrip()))


def detect_format(text: str, source: str = "") -> str:
    """The transcript shape of `text` (one of FORMATS); the file extension decides captions.

    >>> detect_format("Q: Why?\\nA: Because.")
    'qa'
    """
    suffix = PurePath(source).suffix.lower()
    if suffix == ".vtt" or text.lstrip().startswith("WEBVTT"):
        return "vtt"
    if suffix == ".srt" or re.search(r"(?m)^\d+[ \t]*\r?\n\d{1,2}:\d{2}:\d{2},\d{3}[ \t]*-->", text):
        return "srt"
    paragraphs = max(1, len(paragraph_spans(text)))
    markers = [m.group("marker").lower()[0] for m in _QA_MARKER.finditer(text)]
    if "q" in markers and "a" in markers and len(markers) >= 0.5 * paragraphs:
        return "qa"
    labels = [m.group("label") for m in _speaker_labels(text)]
    if len(set(labels)) >= 2 and len(labels) >= 0.5 * paragraphs:
        return "speakers"
    return "paragraphs"


def _looks_like_name(label: str) -> bool:
    """'Mr. Dave Epp', 'Kirsty Williams AM' or 'Interviewer' yes; 'Point one' or 'Note' no."""
    words = label.split()
    if _HONORIFIC.match(words[0]) and len(words) > 1:
        return True
    return len(words) >= 2 and all(w[0].isupper() or w[0] in "('’" for w in words)


def _speaker_labels(text: str) -> list[re.Match]:
    """Label matches that are speakers: seen at least twice, or shaped like a person's name."""
    matches = list(_SPEAKER_LABEL.finditer(text))
    counts: dict[str, int] = {}
    for m in matches:
        counts[m.group("label")] = counts.get(m.group("label"), 0) + 1
    return [m for m in matches if counts[m.group("label")] >= 2 or _looks_like_name(m.group("label"))]


def _labelled_segments(text: str, start: int, labels: list[tuple[re.Match, str, str | None]]) -> list[Segment]:
    """Segments from label matches: each runs from after its label to the next label."""
    segments = []
    for i, (match, speaker, role) in enumerate(labels):
        end = labels[i + 1][0].start() if i + 1 < len(labels) else len(text)
        s, e = strip_span(text, match.end(), end)
        if e > s:
            segments.append(Segment(speaker, s, e, role))
    if labels and labels[0][0].start() > start:
        s, e = strip_span(text, start, labels[0][0].start())
        if e > s:  # text before the first label: an untitled preamble, said by nobody we know
            segments.insert(0, Segment("Unlabelled", s, e, "other"))
    return segments


def speaker_segments(text: str, start: int = 0) -> list[Segment]:
    """`Name: text` turns; roles are inferred later from who asks and who answers."""
    labels = [(m, m.group("label").strip(), None) for m in _speaker_labels(text) if m.start() >= start]
    if not labels:
        raise TranscriptError("no `Speaker Name:` labels found: try --format paragraphs")
    return _labelled_segments(text, start, labels)


def qa_segments(text: str, start: int = 0) -> list[Segment]:
    """`Q:` / `A:` turns: Q is the interviewer's question, A the interviewee's answer."""
    labels = []
    for m in _QA_MARKER.finditer(text, start):
        is_question = m.group("marker").lower().startswith("q")
        labels.append((m, INTERVIEWER if is_question else INTERVIEWEE, "question" if is_question else "answer"))
    if not labels:
        raise TranscriptError("no `Q:` / `A:` markers found: try --format paragraphs")
    return _labelled_segments(text, start, labels)


def paragraph_segments(text: str, start: int = 0) -> list[Segment]:
    """Plain paragraphs: one ending in '?' is a question, the others answer the last question."""
    segments, asked = [], False
    for s, e in paragraph_spans(text, start):
        if ends_with_question(text[s:e]):
            segments.append(Segment(INTERVIEWER, s, e, "question"))
            asked = True
        elif asked:
            segments.append(Segment(INTERVIEWEE, s, e, "answer"))
        else:  # an introduction before the first question is nobody's answer
            segments.append(Segment(INTERVIEWER, s, e, "other"))
    return segments
