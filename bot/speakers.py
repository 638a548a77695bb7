"""Who a question is about: "the official", "the activist", "Bekova", "Jane Doe" → speakers.

A question that names a person, or refers to one by role ("the minister", "the EU official"), is
about that speaker's words: the answer may cite only them. Names come from the transcripts'
speaker labels and the names the user gave (`--speaker "Interviewee=Jane Doe, EU official"`);
roles from the roles the user gave, an optional `speakers: Jane Doe = EU official` header, the
interview's title ("Interview with activist Aigerim Bekova") and the roles the parser inferred
(who answers).

A role that no speaker's description or title mentions ("the official", when only an activist is
described) rules out the speakers described with a role of another kind (an activist is not an
official), and points to the other answering speakers: the bundled interview's "Interviewee" is
the official of that question. Roles that fit anyone ("the head", "the director") rule nobody out.

    >>> from vectorstore.store import SourceInfo
    >>> official = SourceInfo("kz.txt", "Interview EU Kazakhstan", None, "paragraphs", "", ("Interviewer", "Interviewee"), 0, 0, 0)
    >>> activist = SourceInfo("act.txt", "Interview with activist Aigerim Bekova", None, "speakers", "",
    ...                       ("Daniyar Seitkali", "Aigerim Bekova"), 0, 0, 0,
    ...                       (("Aigerim Bekova", "human rights activist"), ("Daniyar Seitkali", "journalist")))
    >>> answering = {("kz.txt", "Interviewee"), ("act.txt", "Aigerim Bekova")}
    >>> sorted(about("What does the official think of quiet diplomacy?", [official, activist], answering))
    [('kz.txt', 'Interviewee')]
    >>> sorted(about("What does Bekova think of quiet diplomacy?", [official, activist], answering))
    [('act.txt', 'Aigerim Bekova')]
    >>> about("What is quiet diplomacy?", [official, activist], answering) is None
    True
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterable

from ingest.speakers import GENERIC
from vectorstore.lexical import stem

# Nouns that name a person by role, in kinds: a speaker described by a noun of one kind is not who
# a question means by a noun of another kind. "The interviewee" and "the guest" mean whoever
# answers; the interviewer's side is `bot.conversation.asks_about_interviewer`.
ROLE_KINDS = {
    "government": ("official", "diplomat", "ambassador", "spokesperson", "spokesman", "spokeswoman", "envoy",
                   "representative", "minister", "secretary", "commissioner", "senator", "mayor", "governor", "officer",
                   "politician", "bureaucrat"),
    "civil society": ("activist", "campaigner", "advocate", "lawyer", "dissident", "organiser", "organizer"),
    "expertise": ("expert", "researcher", "scientist", "professor", "economist", "doctor", "teacher", "curator",
                  "historian", "analyst", "academic"),
    "any": ("head", "chief", "director", "manager", "chair", "ceo", "founder", "president", "witness", "leader"),
}
ROLE_NOUNS = tuple(noun for nouns in ROLE_KINDS.values() for noun in nouns)
KIND_OF = {noun: kind for kind, nouns in ROLE_KINDS.items() for noun in nouns}
ANY_RESPONDENT = ("interviewee", "guest", "respondent")
_ROLE_STEMS = frozenset(stem(n) for n in ROLE_NOUNS)
_DETERMINER = r"\b(?:the|this|that|our|your)\s+(?:[\w’'\-]+\s+){0,3}?"
_ROLE = re.compile(_DETERMINER + r"(?P<role>" + "|".join(ROLE_NOUNS + ANY_RESPONDENT) + r")s?\b", re.I)
_HONORIFICS = {"mr", "mrs", "ms", "dr", "prof", "hon", "the", "am", "mp", "mla", "sir", "dame", "lord", "lady",
               "minister", "senator", "rep", "acting", "speaker"}


@lru_cache(maxsize=65536)
def name_parts(speaker: str) -> frozenset[str]:
    """The words that name a speaker, without titles: 'Hon. Chrystia Freeland' → {'chrystia', 'freeland'}.

    >>> sorted(name_parts("Kirsty Williams AM"))
    ['kirsty', 'williams']
    """
    words = re.findall(r"[^\W\d_][\w'’\-]*", speaker.lower())
    return frozenset(w for w in words if w.rstrip(".") not in _HONORIFICS and len(w) >= 3)


def named_speakers(question: str, speakers: Iterable[str]) -> tuple[str, ...]:
    """Speakers the question names by first or last name ('What did Freeland say ...')."""
    words = _words(question)
    return tuple(s for s in speakers if s not in GENERIC and name_parts(s) & words)


@lru_cache(maxsize=256)  # a question is matched against every transcript's speakers
def _words(question: str) -> frozenset[str]:
    return frozenset(re.findall(r"[\w'’\-]+", question.lower()))


def role_nouns(question: str) -> list[str]:
    """Role nouns the question uses for a person: 'What does the EU official think?' → ['official'].

    >>> role_nouns("Did the head of the NGO or the minister reply?"), role_nouns("What are EU officials paid?")
    (['head', 'minister'], [])
    """
    return [m.group("role").lower() for m in _ROLE.finditer(question)]


def _mentions(text: str, noun: str) -> bool:
    return stem(noun) in _stems(text)


@lru_cache(maxsize=65536)  # titles and descriptions recur in every question: stem them once
def _stems(text: str) -> frozenset[str]:
    return frozenset(stem(w) for w in re.findall(r"[\w’'\-]+", text.lower()))


def about(question: str, sources, answering: set[tuple[str, str]]) -> frozenset[tuple[str, str]] | None:
    """The (source, speaker) pairs a question is about, or None when it names nobody.

    `sources` are the searched transcripts' `SourceInfo`s (speakers, names, roles, title);
    `answering` the (source, speaker) pairs that give answers in them.
    """
    named = {(info.source, s) for info in sources
             for s in named_speakers(question, info.speakers) + _given_names(question, info)}
    if named:
        return frozenset(named)
    nouns = [n for n in role_nouns(question) if n not in ANY_RESPONDENT]
    if not nouns:
        return None
    described = {(info.source, label): role for info in sources for label, role in info.roles}
    titles = {info.source: info.title for info in sources}
    for key in answering:  # a title such as "Interview with activist Aigerim Bekova" describes who answers
        title = titles.get(key[0], "")
        if key not in described and _stems(title) & _ROLE_STEMS:
            described[key] = title
    chosen: set[tuple[str, str]] = set()
    for noun in nouns:
        by_name = {key for key, text in described.items() if _mentions(text, noun)}
        if by_name:
            chosen |= by_name
        elif KIND_OF[noun] != "any":  # nobody is described so: rule out those described as another kind
            chosen |= {key for key in answering if not _other_kind(described.get(key, ""), KIND_OF[noun])}
        else:
            return None
    if not chosen or chosen >= answering:
        return None
    return frozenset(chosen)


def _given_names(question: str, info) -> tuple[str, ...]:
    """The labels of `info` whose speaker the user named, when the question uses that name ("Doe")."""
    words = _words(question)
    return tuple(s.label for s in info.people if s.name and name_parts(s.name) & words)


def _other_kind(description: str, kind: str) -> bool:
    """True when `description` names a role of a kind other than `kind` (and none of `kind`)."""
    kinds = _kinds(description)
    return bool(kinds) and kind not in kinds


@lru_cache(maxsize=65536)
def _kinds(description: str) -> frozenset[str]:
    """The kinds of role `description` names ("any" aside)."""
    return frozenset(KIND_OF[n] for n in ROLE_NOUNS if KIND_OF[n] != "any" and _mentions(description, n))


def credited(citations, sources) -> list:
    """`citations` with who said each, as the store knows the speaker (`SourceInfo.person`)."""
    infos = {info.source: info for info in sources}
    return [c.credited(infos[c.source].person(c.speaker)) if c.source in infos else c for c in citations]
