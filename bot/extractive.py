"""The offline answerer: score the sentences that may answer, quote the best verbatim, or offer candidates.

Every sentence of the best passages is described by features that mean the same in any transcript
(its meaning's closeness to the question, absolute and relative to the best; the question's words
it holds; its passage's rank and retrieval evidence; where it sits in its answer) and scored by a
logistic model fitted across transcripts (`bot.calibration`). `choose_quotes` makes the answer: the
best sentence, grown by a neighbour when it is short or the neighbour scores nearly as well, and
other passages' sentences above a calibrated probability. `choose_candidates` makes the "closest
passages" outcome: the best sentence of each of the best passages. Which outcome is given is
`bot.confidence`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace

import numpy as np

from bot import calibration, facts
from bot.answer import Citation
from ingest.transcript import Passage
from bot.retrieve import Hit, Query, coverage
from ingest.spans import sentence_spans
from vectorstore.corpus import LexicalView
from vectorstore.lexical import terms

PASSAGE_FEATURES = ("dense", "lead_dense", "lexical", "score_rel", "rank", "coverage", "best_meaning",
                    "best_meaning_rel", "best_words", "opens_turn", "interviewer_asked", "interviewer_unasked",
                    "log_length", "holds_fact", "fact_only_here")
SENTENCE_FEATURES = ("meaning", "meaning_rel", "words", "words_rel", "first_sentence", "position", "log_length",
                     "log_sentences")
UNASKED = PASSAGE_FEATURES.index("interviewer_unasked")
FACT_ONLY = PASSAGE_FEATURES.index("fact_only_here")
FACT_FIRST = 2.0  # how far the interviewer's words holding the fact asked for are put ahead
UNASKED_QUESTION_SHARE = 0.5  # tests/test_answers.py: "What did they talk about with the Ombudsperson Lastayev?"
CANDIDATE_PASSAGES = 6
# what opens a sentence that leans on the one before it: a pronoun pointing back, or a turn ("But…")
_LEANS_BACK = re.compile(r"^[\"“‘'(]?(?:but|however|yet|so|and|also|that|this|these|those|it|they|such|because|"
                         r"therefore|instead|still|then)\b|\b(?:of|with|about|on|for|like|support(?:ive)?) "
                         r"(?:those|these|that|this|it|them)\b(?![ -]\w+(?:s|ing|ed|ion)\b)", re.I)
MIN_QUOTE_CHARS = 180  # a shorter quote takes the next (or previous) sentence along
NEIGHBOUR_SHARE = 0.85  # a neighbour this close to the best sentence's probability joins the quote
MAX_CITED_CHARS = 450
MAX_CANDIDATE_CHARS = 520  # all candidates together
CANDIDATE_MIN_CHARS = 150  # a shorter candidate takes a neighbouring sentence along
CANDIDATE_MAX_CHARS = 240  # ... up to this length (fewer candidates fit then)
# The first candidate is the likeliest answer and is read first: it is given room for the sentence
# that answers and the one around it (leaving one transcript out: the first citation held the
# answer for 0.649 of answerable questions at 250–330 characters, 0.630 at 150–240).
FIRST_CANDIDATE_MIN_CHARS, FIRST_CANDIDATE_MAX_CHARS = 250, 330


@dataclass(frozen=True)
class Sentence:
    """A sentence of a retrieved passage: P(its passage holds the answer) × P(it is the answer there)."""

    hit: Hit
    start: int
    end: int
    meaning: float
    features: tuple[float, ...]  # SENTENCE_FEATURES: the sentence among its passage's sentences
    passage_features: tuple[float, ...]  # PASSAGE_FEATURES: its passage among the retrieved ones
    passage_probability: float = 0.0
    within_probability: float = 0.0
    holds_fact: bool = False  # it holds the kind of fact the question asks for (`bot.facts`)

    @property
    def probability(self) -> float:
        return self.passage_probability * self.within_probability


def _softmax(values: list[float]) -> list[float]:
    top = max(values)
    exps = [math.exp(v - top) for v in values]
    total = sum(exps)
    return [e / total for e in exps]


def score(sentences: list[Sentence], passage_model: calibration.LogisticModel,
          sentence_model: calibration.LogisticModel) -> list[Sentence]:
    """The sentences with their probabilities, most probable first: a softmax of the passage
    model's scores over the passages, times a softmax of the sentence model's scores over each
    passage's sentences."""
    if not sentences:
        return []
    passages = list(dict.fromkeys(s.hit.passage.id for s in sentences))
    first = {s.hit.passage.id: s for s in reversed(sentences)}
    passage_p = dict(zip(passages, _softmax([passage_model.logit(first[pid].passage_features) for pid in passages])))
    for pid in passages:  # an interviewer's question the user did not ask about comes after the answers
        if first[pid].passage_features[UNASKED] > 0:
            passage_p[pid] *= UNASKED_QUESTION_SHARE
    # The fact asked for ("On what date…?"), held by the interviewer's words and by no answer among
    # the best: those words come first, and in them the sentence that holds it (tests/test_answers.py,
    # "On what date was the petition discussed?", "Who said the partnership is limited by the countries' desire?")
    stated = [pid for pid in passages if first[pid].passage_features[FACT_ONLY] > 0 and first[pid].hit.passage.role == "question"]
    if stated:
        top = max(passage_p.values())
        for pid in stated:
            passage_p[pid] = max(passage_p[pid], top * FACT_FIRST)
        total = sum(passage_p.values())
        passage_p = {pid: v / total for pid, v in passage_p.items()}
    within: dict[int, float] = {}
    for pid in passages:
        members = [i for i, s in enumerate(sentences) if s.hit.passage.id == pid]
        shares = _softmax([sentence_model.logit(sentences[i].features) for i in members])
        if pid in stated:
            shares = [v * (FACT_FIRST if sentences[i].holds_fact else 1.0) for i, v in zip(members, shares)]
            shares = [v / sum(shares) for v in shares]
        for i, p in zip(members, shares):
            within[i] = p
    out = [replace(s, passage_probability=passage_p[s.hit.passage.id], within_probability=within[i])
           for i, s in enumerate(sentences)]
    out.sort(key=lambda s: -s.probability)
    return out


class SentenceScorer:
    """Scores sentences against a query; sentence embeddings are cached across questions."""

    def __init__(self, embeddings, calibrated: calibration.Calibration | None = None):
        self.embeddings = embeddings
        self.calibrated = calibrated
        self._vectors: dict[tuple[str, int, int], np.ndarray] = {}

    def _embed(self, keys: list[tuple[str, int, int]], texts: list[str]) -> list[np.ndarray]:
        missing = [(k, t) for k, t in zip(keys, texts) if k not in self._vectors]
        if missing:
            vectors = self.embeddings.embed_documents([t for _, t in missing])
            for (key, _), vector in zip(missing, vectors):
                self._vectors[key] = np.asarray(vector, dtype=np.float32)
        return [self._vectors[k] for k in keys]

    def features(self, query: Query, hits: list[Hit], index: LexicalView, first_passages: set[str]) -> list[Sentence]:
        """Every sentence of the top passages with its features (probabilities not yet set).

        `first_passages` holds the ids of passages that open their turn (their first sentence is
        where an answer usually makes its point).
        """
        if not hits:
            return []
        top = hits[0].score
        kind = facts.asks(query.question.focus)
        rows, keys, texts = [], [], []
        for rank, hit in enumerate(hits[:CANDIDATE_PASSAGES]):
            p = hit.passage
            pieces = sentence_spans(p.text)
            for k, (s, e) in enumerate(pieces):
                rows.append((hit, rank, k, len(pieces), p.start + s, p.start + e))
                keys.append((p.id, s, e))
                texts.append(p.text[s:e])
        # does any answer among the top passages hold the fact asked for? If none does, a passage that holds it stands out
        answers_hold = any(facts.holds(kind, h.passage.text, query.question.focus)
                           for h in hits[:CANDIDATE_PASSAGES] if h.passage.role == "answer")
        vectors = self._embed(keys, texts)
        text_of = dict(zip(keys, texts))
        meanings = [float(v @ query.vector) for v in vectors]
        words = [coverage(query.terms, set(terms(text)), index) for text in texts]
        best_meaning = max(meanings)
        in_passage: dict[str, tuple[float, float]] = {}
        for (hit, *_), meaning, covered in zip(rows, meanings, words):
            m, w = in_passage.get(hit.passage.id, (-1.0, 0.0))
            in_passage[hit.passage.id] = (max(m, meaning), max(w, covered))
        out = []
        for (hit, rank, k, count, start, end), meaning, covered in zip(rows, meanings, words):
            p = hit.passage
            passage_meaning, passage_words = in_passage[p.id]
            asked = p.role == "question"
            # the fact asked for (a date, a name) in the interviewer's words makes them evidence, not a question
            holds_fact = facts.holds(kind, p.text, query.question.focus)
            passage_features = (
                hit.dense, hit.question_dense, hit.lexical, hit.score - top, math.log1p(rank), hit.coverage,
                passage_meaning, passage_meaning - best_meaning, passage_words, float(p.id in first_passages),
                float(asked and query.about_interviewer), float(asked and not query.about_interviewer and not holds_fact),
                math.log(p.end - p.start), float(holds_fact), float(holds_fact and not answers_hold),
            )
            features = (meaning, meaning - passage_meaning, covered, covered - passage_words, float(k == 0),
                        k / (count - 1) if count > 1 else 0.0, math.log(end - start), math.log(count))
            out.append(Sentence(hit, start, end, meaning, features, passage_features,
                                holds_fact=facts.holds(kind, text_of[(p.id, start - p.start, end - p.start)],
                                                       query.question.focus)))
        return out

    def sentences(self, query: Query, hits: list[Hit], index: LexicalView, first_passages: set[str]) -> list[Sentence]:
        """Scored sentences of the top passages, most probable answer first."""
        calibrated = self.calibrated or calibration.load()
        return score(self.features(query, hits, index, first_passages), calibrated.passage, calibrated.sentence)


def leans_back(sentence: str) -> bool:
    """Whether a sentence leans on the one before it ("We are very supportive of those", "But during
    my last meeting…"): without that one, a reader cannot tell what it answers.

    >>> leans_back("We are very supportive of those, because…"), leans_back("But we met."), leans_back("We met.")
    (True, True, False)
    """
    return bool(_LEANS_BACK.search(sentence[:40]))


def _grow(best: Sentence, siblings: list[Sentence], min_chars: int = MIN_QUOTE_CHARS,
          max_chars: int = MAX_CITED_CHARS) -> tuple[int, int]:
    """The quote around the best sentence: first the sentence it leans on and the one that leans on
    it (`leans_back`), then neighbours while the quote is short (the better scoring neighbour first),
    or when they score nearly as well as the best sentence. Whole sentences only."""
    ordered = sorted(siblings, key=lambda s: s.start)
    lo = hi = next(k for k, s in enumerate(ordered) if s.start == best.start)

    def fits(a: int, b: int) -> bool:
        return ordered[b].end - ordered[a].start <= max_chars

    if lo > 0 and leans_back(_text(ordered[lo])) and fits(lo - 1, hi):
        lo -= 1
    if hi + 1 < len(ordered) and leans_back(_text(ordered[hi + 1])) and fits(lo, hi + 1):
        hi += 1
    while True:
        options = [j for j in (hi + 1, lo - 1) if 0 <= j < len(ordered)]
        if not options:
            break
        j = max(options, key=lambda k: ordered[k].probability)
        short = ordered[hi].end - ordered[lo].start < min_chars
        close = ordered[j].probability >= NEIGHBOUR_SHARE * best.probability
        if not (short or close) or not fits(min(lo, j), max(hi, j)):
            break
        lo, hi = min(lo, j), max(hi, j)
    # a sentence that leans on the quote ("But during my last meeting…") is not left outside it
    if hi + 1 < len(ordered) and leans_back(_text(ordered[hi + 1])) and ordered[hi + 1].end - ordered[lo].start <= MAX_CITED_CHARS:
        hi += 1
    return ordered[lo].start, ordered[hi].end


def across_paragraphs(passage: Passage, start: int, end: int, before: Passage | None, after: Passage | None,
                      min_chars: int = 0, max_chars: int = MAX_CITED_CHARS) -> tuple[int, int]:
    """A quote of `passage` grown into the passages beside it in the same turn: by the next one's
    first sentences when they lean on the quote ("We are very supportive of those"), or, when the
    next passage goes on in the same paragraph (a long paragraph cut in two), while the quote is
    shorter than `min_chars`; and by the previous one's last sentence when the quote's first
    sentence leans on it.

    >>> a = Passage("a", "s", 0, 20, "The reforms started.", "E", "answer", None, 1)
    >>> b = Passage("b", "s", 22, 48, "We support those. We left.", "E", "answer", None, 1)
    >>> across_paragraphs(a, 0, 20, None, b)
    (0, 39)
    >>> c = Passage("c", "s", 21, 48, "We met. We spoke of rights.", "E", "answer", None, 1)
    >>> across_paragraphs(a, 0, 20, None, c, min_chars=40)
    (0, 48)
    """
    if after is not None and end == passage.end:
        same_paragraph = after.start - passage.end < 2  # only a space between: one paragraph, cut for length
        for s, e in sentence_spans(after.text):
            if after.start + e - start > max_chars:
                break
            if not (leans_back(after.text[s:e]) or (same_paragraph and end - start < min_chars)):
                break
            end = after.start + e
    if before is not None and start == passage.start:
        own = sentence_spans(passage.text)[0]
        last = sentence_spans(before.text)[-1]
        if leans_back(passage.text[own[0]:own[1]]) and end - (before.start + last[0]) <= max_chars:
            start = before.start + last[0]
    return start, end


def _text(s: Sentence) -> str:
    return s.hit.passage.text[s.start - s.hit.passage.start : s.end - s.hit.passage.start]


def _by_passage(sentences: list[Sentence]) -> dict[str, list[Sentence]]:
    grouped: dict[str, list[Sentence]] = {}
    for s in sentences:
        grouped.setdefault(s.hit.passage.id, []).append(s)
    return grouped


def choose_quotes(sentences: list[Sentence], max_citations: int, second_threshold: float) -> list[tuple[Hit, int, int]]:
    """(hit, start, end) of each quote, in answer order: the best first, then other passages'
    best sentences whose probability reaches `second_threshold`."""
    if not sentences:
        return []
    best = sentences[0]
    by_passage = _by_passage(sentences)
    chosen = [(best.hit, *_grow(best, by_passage[best.hit.passage.id]))]
    used = chosen[0][2] - chosen[0][1]
    for s in sentences[1:]:
        if len(chosen) >= max_citations or s.probability < second_threshold:
            break
        if any(h.passage.id == s.hit.passage.id for h, _, _ in chosen):
            continue  # one quote per passage: a close sentence of the same passage joined the first
        if used + (s.end - s.start) > MAX_CITED_CHARS:
            continue
        chosen.append((s.hit, s.start, s.end))
        used += s.end - s.start
    return chosen


def choose_candidates(sentences: list[Sentence], max_citations: int) -> list[tuple[Hit, int, int]]:
    """The "closest passages" outcome: the best sentence of each of the best passages (at most
    `max_citations`, at most `MAX_CANDIDATE_CHARS` in all), most probable first, each grown to a
    readable length."""
    chosen: list[tuple[Hit, int, int]] = []
    used = 0
    # the interviewer's words the user did not ask about are candidates only when nothing else is
    asked = [s for s in sentences if not s.passage_features[UNASKED]]
    sentences = asked or sentences
    by_passage = _by_passage(sentences)
    share = max(CANDIDATE_MAX_CHARS, MAX_CANDIDATE_CHARS // max(1, min(max_citations, len(by_passage))))
    for s in sentences:
        if len(chosen) >= max_citations:
            break
        if any(h.passage.id == s.hit.passage.id for h, _, _ in chosen):
            continue
        low, high = ((FIRST_CANDIDATE_MIN_CHARS, max(FIRST_CANDIDATE_MAX_CHARS, share)) if not chosen
                     else (min(CANDIDATE_MIN_CHARS, share), share))
        start, end = _grow(s, by_passage[s.hit.passage.id], low, high)
        if chosen and used + (end - start) > MAX_CANDIDATE_CHARS:
            continue
        chosen.append((s.hit, start, end))
        used += end - start
    return chosen


def compose(citations: list[Citation], titles: dict[str, str] | None = None) -> str:
    """The answer text: who said it (and in which interview, when `titles` names several), then each
    quote verbatim with its marker.

    >>> from ingest.transcript import Passage
    >>> p = Passage("p-1", "a.txt", 0, 9, "We agree.", "Interviewee", "answer", None, 1)
    >>> compose([Citation.from_passage(1, p, 0, 9)])
    'The interviewee says: “We agree.” [1]'
    >>> compose([Citation.from_passage(1, p, 0, 9)], {"a.txt": "Talk A", "b.txt": "Talk B"})
    'In “Talk A”, the interviewee says: “We agree.” [1]'
    >>> compose([replace(Citation.from_passage(1, p, 0, 9), speaker_name="Jane Doe")])
    'Jane Doe says: “We agree.” [1]'
    """
    parts, previous = [], None
    for c in citations:
        who = _speaker_phrase(c)
        if previous is None or c.source != previous[0]:
            where = f"In “{titles[c.source]}”, " if titles and len(titles) > 1 and c.source in titles else ""
            who = who[0].lower() + who[1:] if where and who.startswith("The ") else who
            lead = f"{where}{who} {'asks' if c.role == 'question' and c.quote.rstrip().endswith('?') else 'says'}:"
        elif c.speaker == previous[1]:
            lead = "And:" if len(citations) > 2 else "They add:"
        else:
            lead = f"{who} says:"
        parts.append(f"{lead} “{c.quote}” [{c.n}]")
        previous = (c.source, c.speaker)
    return " ".join(parts)


def compose_candidates(citations: list[Citation], titles: dict[str, str] | None = None, likely: bool = False) -> str:
    """The candidates outcome, said as such: not a confirmed answer, the passages closest to the
    question; with `likely`, the first of them as the likely answer.

    >>> from ingest.transcript import Passage
    >>> p = Passage("p-1", "a.txt", 0, 9, "We agree.", "Interviewee", "answer", None, 1)
    >>> compose_candidates([Citation.from_passage(1, p, 0, 9)])
    'The interview may not answer this directly. The passages closest to your question: [1] the interviewee: “We agree.”'
    >>> compose_candidates([Citation.from_passage(1, p, 0, 9), Citation.from_passage(2, p, 3, 9)], likely=True)
    'Likely answer: [1] the interviewee: “We agree.” Also close to your question: [2] the interviewee: “agree.”'
    """
    several = titles is not None and len(titles) > 1
    items = []
    for c in citations:
        who = _speaker_phrase(c)
        who = who[0].lower() + who[1:] if who.startswith("The ") else who
        where = f" in “{titles[c.source]}”" if several and c.source in titles else ""
        items.append(f"[{c.n}] {who}{where}: “{c.quote}”")
    if likely:
        rest = f" Also close to your question: {'; '.join(items[1:])}" if len(items) > 1 else ""
        return f"Likely answer: {items[0]}{rest}"
    subject = "interviews searched" if several else "interview"
    return f"The {subject} may not answer this directly. The passages closest to your question: " + "; ".join(items)


def _speaker_phrase(c: Citation) -> str:
    """Who said it, as the answer names them: their name, else "The" and their role, else their label.

    >>> from ingest.transcript import Passage
    >>> c = Citation.from_passage(1, Passage("p-1", "a.txt", 0, 9, "We agree.", "Interviewee", "answer", None, 1), 0, 9)
    >>> _speaker_phrase(c), _speaker_phrase(replace(c, speaker_role="EU official")), _speaker_phrase(replace(c, speaker_name="Jane Doe"))
    ('The interviewee', 'The EU official', 'Jane Doe')
    """
    if c.speaker_name:
        return c.speaker_name
    if c.speaker in ("Interviewer", "Interviewee"):
        return f"The {c.speaker_role or c.speaker.lower()}"
    return c.speaker
