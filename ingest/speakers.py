"""Who a transcript's speakers are, as the user says it: `--speaker "Interviewee=Jane Doe, EU official"`.

A transcript labels its speakers (`Aigerim Bekova:`, or "Interviewer"/"Interviewee" in a plain
one); the user may give a label a name and a role. A `Speaker` states the whole of what is known
of one label: `Interviewee=Jane Doe` is a name and no role, `Interviewee=, EU official` a role and
no name, `Interviewee=` forgets both (a `speakers:` header's description then applies again). The
name runs to the first comma; the rest is the role.

    >>> parse_speaker("Interviewee=Jane Doe, EU official")
    Speaker(label='Interviewee', name='Jane Doe', role='EU official')
    >>> merged((Speaker("Interviewee", "Jane Doe"),), (Speaker("Interviewer", "Ann Lee"),), ("Interviewer",))
    ((Speaker(label='Interviewer', name='Ann Lee', role=None),), (Speaker(label='Interviewee', name='Jane Doe', role=None),))
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from ingest.errors import SpeakerError
from ingest.formats import INTERVIEWEE, INTERVIEWER

SPEC = '"LABEL=NAME, ROLE"'
GENERIC = INTERVIEWER, INTERVIEWEE  # the labels of a transcript that does not name its speakers


@dataclass(frozen=True)
class Speaker:
    """A speaker label of a transcript and who it stands for (None: not known)."""

    label: str
    name: str | None = None
    role: str | None = None

    @property
    def known(self) -> bool:
        return bool(self.name or self.role)

    @property
    def person_name(self) -> str | None:
        """The speaker's name: the one given, else the label, unless it is only "Interviewer" or "Interviewee".

        >>> Speaker("Interviewee").person_name, Speaker("Interviewee", "Jane Doe").person_name, Speaker("Ann Lee").person_name
        (None, 'Jane Doe', 'Ann Lee')
        """
        return self.name or (None if self.label in GENERIC else self.label)

    @property
    def described(self) -> str:
        """The name and role, as `--speaker` takes them: "Jane Doe, EU official"."""
        return ", ".join(part for part in (self.name, self.role) if part)

    def said(self) -> str:
        """How `--list` and messages show it.

        >>> Speaker("Interviewee", "Jane Doe", "EU official").said(), Speaker("Ann", role="host").said()
        ('Interviewee (Jane Doe, EU official)', 'Ann (host)')
        """
        return f"{self.label} ({self.described})" if self.known else self.label


def _flat(text: str) -> str | None:
    return " ".join(text.split()) or None


def parse_speaker(spec: str) -> Speaker:
    """A `--speaker` value as a `Speaker`, or a `SpeakerError` saying how to write it."""
    label, sep, rest = spec.partition("=")
    label = _flat(label)
    if not sep or not label:
        raise SpeakerError(f"--speaker {spec!r}: write it as {SPEC} (the label as the transcript has it, "
                           f"e.g. \"Interviewee=Jane Doe, EU official\"; the role may be left out)")
    name, _, role = rest.partition(",")
    return Speaker(label, _flat(name), _flat(role))


def speaker(label: str, name: str | None, role: str | None) -> Speaker:
    """A `Speaker` from form fields, blanks squeezed (the app's interview card)."""
    return Speaker(label, _flat(name or ""), _flat(role or ""))


def check_labels(given, labels, source: str) -> None:
    """A `SpeakerError` for the first speaker of `given` whose label `source` does not have."""
    for s in given:
        if s.label not in labels:
            listed = ", ".join(f"“{label}”" for label in labels)
            raise SpeakerError(f"{source} has no speaker labelled “{s.label}”: its speakers are {listed} "
                               f"(write --speaker with one of those labels); nothing was changed")


def merged(held, given, labels) -> tuple[tuple[Speaker, ...], tuple[Speaker, ...]]:
    """What is known of a transcript's speakers after `given` (which replace `held` label by label), in
    the order of `labels` (the transcript's speakers now), and the held ones dropped because it no
    longer has them."""
    by_label = {s.label: s for s in held}
    by_label.update({s.label: s for s in given})
    kept = tuple(by_label[label] for label in labels if label in by_label and by_label[label].known)
    dropped = tuple(s for label, s in by_label.items() if label not in labels and s.known)
    return kept, dropped


def speakers_json(speakers) -> str:
    return json.dumps([[s.label, s.name, s.role] for s in speakers], ensure_ascii=False)


def speakers_of_json(text: str | None) -> tuple[Speaker, ...]:
    return tuple(Speaker(label, name, role) for label, name, role in json.loads(text or "[]"))
