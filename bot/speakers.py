"""Who a question is about: "the official", "the union leader", "Bekova", "Jane Doe" → speakers.

A question that names a person, or refers to one by role ("the minister", "the EU official"), is
about that speaker's words: the answer may cite only them. Names come from the transcripts'
speaker labels and the names the user gave (`--speaker "Interviewee=Jane Doe, EU official"`);
roles from the roles the user gave, an optional `speakers: Jane Doe = EU official` header, the
interview's title ("Interview with activist Aigerim Bekova") and the roles the parser inferred
(who answers). Across every interview searched:

- a speaker described with the role asked ("the activist": "human rights activist") is who is meant;
- otherwise a speaker described as another kind of person is ruled out ("the official" is not the
  "human rights activist", nor the "trade union leader"), and an undescribed one who answers is
  not (the bundled interview's "Interviewee" is the official of that question);
- a role that fits anyone ("the head", "the leader") rules nobody out, unless the question says of
  what ("the union leader", "the NGO head", "the head of the Zharyq Rights Initiative"): the words
  around it then name a kind of body, which rules out speakers described as another kind and
  undescribed ones whose interview's title names another kind ("Interview EU Kazakhstan");
- when every speaker is ruled out, nobody searched is who the question means (an empty set).

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
    >>> about("What does the union leader think about wages?", [official, activist], answering)
    frozenset()
"""

from __future__ import annotations

import re
from dataclasses import dataclass
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
    "labour": ("unionist",),
    "any": ("head", "chief", "director", "manager", "chair", "ceo", "founder", "president", "witness", "leader"),
}
# Words that say what kind of body a person speaks for: they give a role that fits anyone its kind
# ("the union leader", "the NGO head"), and so does a description or title naming no role noun.
BODY_KINDS = {
    "government": ("eu", "government", "ministry", "embassy", "delegation", "commission", "parliament", "cabinet"),
    "civil society": ("ngo", "charity", "rights", "initiative", "foundation", "campaign", "nonprofit"),
    "labour": ("union", "labour", "labor", "workers"),
    "expertise": ("university", "institute", "academy"),
}
ROLE_NOUNS = tuple(noun for nouns in ROLE_KINDS.values() for noun in nouns)
KIND_OF = {noun: kind for kind, nouns in ROLE_KINDS.items() for noun in nouns}
ANY_RESPONDENT = ("interviewee", "guest", "respondent")
_ROLE_STEMS = frozenset(stem(n) for n in ROLE_NOUNS)
_BODY_OF = {stem(word): kind for kind, words in BODY_KINDS.items() for word in words}
_ROLE = re.compile(r"\b(?:the|this|that|our|your)\s+(?P<before>(?:[\w’'\-]+\s+){0,3}?)(?P<role>"
                   + "|".join(ROLE_NOUNS + ANY_RESPONDENT) + r")s?\b", re.I)
_OF = re.compile(r"\s+(?:of|at|for|from)\s+(?:the\s+)?((?:[\w’'\-]+\s*){1,4})", re.I)
_NOT_QUALIFIERS = re.compile(r"(?i)^(?:.*\b(?:the|this|that|our|your|a|an|with|of|in|for|to)\s+)?(.*)$")
_HONORIFICS = {"mr", "mrs", "ms", "dr", "prof", "hon", "the", "am", "mp", "mla", "sir", "dame", "lord", "lady",
               "minister", "senator", "rep", "acting", "speaker"}


@dataclass(frozen=True)
class Reference:
    """A person a question refers to by role: "the union leader" is `leader`, qualified by `union`."""

    phrase: str  # as the question says it: "the union leader"
    noun: str
    qualifiers: tuple[str, ...] = ()

    @property
    def kinds(self) -> frozenset[str]:
        """The kinds of person meant: the noun's, or for a noun that fits anyone, its qualifiers' ("union": labour)."""
        if KIND_OF.get(self.noun, "any") != "any":
            return frozenset({KIND_OF[self.noun]})
        return _kinds(" ".join(self.qualifiers))


def references(question: str) -> list[Reference]:
    """The people a question refers to by role, with the words that qualify each.

    >>> [(r.phrase, r.noun, r.qualifiers) for r in references("Did the NGO head or the head of the Zharyq Rights Initiative reply?")]
    [('the NGO head', 'head', ('NGO',)), ('the head of the Zharyq Rights Initiative', 'head', ('Zharyq', 'Rights', 'Initiative'))]
    >>> [r.noun for r in references("In the interview with the EU official, what are EU officials paid?")]
    ['official']
    >>> [(r.noun, r.qualifiers) for r in references("Did the head of the NGO or the minister reply?")]
    [('head', ('NGO',)), ('minister', ())]
    """
    out = []
    for m in _ROLE.finditer(question):
        kept = _NOT_QUALIFIERS.match(m.group("before"))  # "the interview with the EU official": "EU"
        before, start = kept.group(1).split(), m.start("before") + kept.start(1)
        after, end = [], m.end()
        if of := _OF.match(question, m.end()):  # "the head of the Zharyq Rights Initiative": capitals and bodies
            for word in re.findall(r"[\w’'\-]+", of.group(1)):
                if not (word[:1].isupper() or stem(word.lower()) in _BODY_OF):
                    break
                after.append(word)
            if after:
                end = of.start(1) + of.group(1).find(after[-1]) + len(after[-1])
        lead = question[m.start() : m.start("before")].strip()
        phrase = f"{lead} {question[start:end]}"
        out.append(Reference(" ".join(phrase.split()), m.group("role").lower(), tuple(before + after)))
    return out


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


def _mentions(text: str, word: str) -> bool:
    return stem(word.lower()) in _stems(text)


@lru_cache(maxsize=65536)  # titles and descriptions recur in every question: stem them once
def _stems(text: str) -> frozenset[str]:
    """The stems of `text`'s words, a possessive's "'s" off ("the union's leader" is a union's)."""
    return frozenset(stem(re.sub(r"['’]s$", "", w)) for w in re.findall(r"[\w’'\-]+", text.lower()))


def about(question: str, sources, answering: set[tuple[str, str]]) -> frozenset[tuple[str, str]] | None:
    """The (source, speaker) pairs a question is about; None when it names nobody (or nobody can be
    ruled out); empty when it refers to a role that nobody searched is (`role_asked` says which).

    `sources` are the searched transcripts' `SourceInfo`s (speakers, names, roles, title);
    `answering` the (source, speaker) pairs that give answers in them.
    """
    named = {(info.source, s) for info in sources
             for s in named_speakers(question, info.speakers) + _given_names(question, info)}
    if named:
        return frozenset(named)
    asked = [r for r in references(question) if r.noun not in ANY_RESPONDENT]
    if not asked:
        return None
    described = {(info.source, label): role for info in sources for label, role in info.roles}
    titles = {info.source: info.title for info in sources}
    for key in answering:  # a title such as "Interview with activist Aigerim Bekova" describes who answers
        title = titles.get(key[0], "")
        if key not in described and _stems(title) & _ROLE_STEMS:
            described[key] = title
    chosen: set[tuple[str, str]] = set()
    for reference in asked:
        fitting = _fitting(reference, described, answering, titles)
        if fitting is None:
            return None
        chosen |= fitting
    if chosen and chosen >= answering:
        return None
    return frozenset(chosen)


def role_asked(question: str) -> str | None:
    """The first role a question refers to a person by, as it says it ("the union leader")."""
    return next((r.phrase for r in references(question) if r.noun not in ANY_RESPONDENT), None)


def _given_names(question: str, info) -> tuple[str, ...]:
    """The labels of `info` whose speaker the user named, when the question uses that name ("Doe")."""
    words = _words(question)
    return tuple(s.label for s in info.people if s.name and name_parts(s.name) & words)


def _fitting(reference: Reference, described: dict, answering: set, titles: dict) -> set | None:
    """Who can be `reference` (None: anyone; a role that fits anyone and says of what nobody knows)."""
    kinds = reference.kinds
    by_role = {key for key, text in described.items()
               if _mentions(text, reference.noun) and not _other_kind(text, kinds)}
    if by_role:
        return by_role
    if not kinds:
        return None
    qualified = KIND_OF.get(reference.noun, "any") == "any"  # "the union leader": its kind is in its qualifiers
    return {key for key in answering
            if (not _other_kind(described[key], kinds) if key in described
                else not (qualified and _other_kind(titles.get(key[0], ""), kinds)))}


def _other_kind(description: str, kinds: frozenset[str]) -> bool:
    """True when `description` names a kind of person, and none of `kinds`."""
    named = _kinds(description)
    return bool(named) and bool(kinds) and not named & kinds


@lru_cache(maxsize=65536)
def _kinds(description: str) -> frozenset[str]:
    """The kinds of person `description` names: by its role nouns ("any" aside), or else by its bodies.

    >>> sorted(_kinds("trade union leader")), sorted(_kinds("EU human rights envoy")), sorted(_kinds("head"))
    (['labour'], ['government'], [])
    """
    stems = _stems(description)
    by_role = frozenset(KIND_OF[n] for n in ROLE_NOUNS if KIND_OF[n] != "any" and stem(n) in stems)
    return by_role or frozenset(kind for s, kind in _BODY_OF.items() if s in stems)


def credited(citations, sources) -> list:
    """`citations` with who said each, as the store knows the speaker (`SourceInfo.person`)."""
    infos = {info.source: info for info in sources}
    return [c.credited(infos[c.source].person(c.speaker)) if c.source in infos else c for c in citations]
