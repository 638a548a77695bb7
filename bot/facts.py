"""What kind of fact a question asks for (a number or date, a name), and whether a text holds one.

An answer of the right kind is evidence: "When did the board vote?" is answered by a sentence with
a day or a date in it, "Who said …?" by one naming someone the question does not. The answer is
sometimes in the interviewer's words ("On August 1, … a working group was discussing the
petition"), which is why `bot.retrieve` lets a question asking for a fact find them.

    >>> asks("On what date was the petition discussed?"), asks("Who said the partnership is limited?")
    ('number', 'person')
    >>> asks("Why do you say so?") is None
    True
    >>> holds("number", "On August 1, a working group met.", "When did it meet?")
    True
    >>> holds("person", "The spokesperson Peter Stano said so.", "Who said so?"), holds("person", "With Lastayev, we spoke.", "Who?")
    (True, False)
"""

from __future__ import annotations

import re

NAME = re.compile(r"(?<![.?!]\s)(?<!^)\b[A-Z][a-zA-Z\-]{2,}")  # a capitalised word inside a sentence
PERSON = re.compile(r"\b[A-Z][a-z]+(?:[ \-][A-Z][a-z]+)+\b")  # two or more capitalised words: "Peter Stano"
ASKS_NUMBER = re.compile(r"\bhow (?:many|much|long|often|old|big|large|far|high|low)\b|\bwhat (?:percentage|proportion|"
                         r"share|number|amount|figure|sum|budget|cost|price|year|date|day|month)\b|\bwhen\b|"
                         r"\bwhich (?:year|date|day|month)\b|\bon which (?:day|date)\b|\bsince when\b|\bexact(?:ly)?\b", re.I)
# digits and number words in any case; months and weekdays capitalised ("in May", not "it may")
NUMBER = re.compile(r"\d|\b(?i:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|"
                    r"fifty|hundred|thousand|million|billion|percent|half|dozen)\b|\b(?:January|February|March|April|May|"
                    r"June|July|August|September|October|November|December|Monday|Tuesday|Wednesday|Thursday|Friday|"
                    r"Saturday|Sunday)\b")
ASKS_PERSON = re.compile(r"\bwho\b|\bwhose\b|\bwhich (?:person|people|ministers?|officials?|spokesperson)\b", re.I)
ASKS_NAME = re.compile(r"\bwho\b|\bwhose\b|\bwhich (?:company|companies|organi[sz]ations?|firms?|person|people|"
                       r"ministers?|officials?|countr(?:y|ies)|cit(?:y|ies)|schools?|universit(?:y|ies)|groups?|"
                       r"agenc(?:y|ies)|banks?|museums?|ngos?|bodies|body|law|laws|treaty|exhibition)\b|"
                       r"\bname(?:d|s)?\b|\bwhere\b", re.I)


_OPENERS = frozenset("the a an and but or so in on at of to for with by from as if when while after before since "
                     "during under over we i you he she it they this that these those our my your mr mrs ms dr".split())


def asks(question: str) -> str | None:
    """"number" (a count, an amount, a date or time), "person", "name" (a body, a place, a title) or None."""
    if ASKS_NUMBER.search(question):
        return "number"
    if ASKS_PERSON.search(question):
        return "person"
    if ASKS_NAME.search(question):
        return "name"
    return None


def holds(kind: str | None, text: str, question: str) -> bool:
    """Whether `text` holds a fact of `kind`: a number or date, a person's full name, or a name, that
    the question does not already give."""
    if kind == "number":
        return bool(NUMBER.search(text))
    asked = set(re.findall(r"\w+", question.lower()))
    if kind == "person":
        names = (m.group().split(" ") for m in PERSON.finditer(text))
        names = (words[1:] if words[0].lower() in _OPENERS else words for words in names)  # "With Lastayev"
        return any(len(words) > 1 and not {w.lower() for w in words} <= asked for words in names)
    if kind == "name":
        return any(m.group().lower() not in asked for m in NAME.finditer(text))
    return False
