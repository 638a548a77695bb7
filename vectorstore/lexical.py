"""The lexical side of hybrid retrieval: word terms and a BM25 index (bm25s) over passages.

Terms are lower-cased words without stop words, lightly stemmed (suffixes off, then at most seven
letters), so "cooperation" and "cooperate" meet and "values" finds "value".

    >>> terms("What values does the EU base its agreements on?")
    ['valu', 'eu', 'base', 'agre']
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache

import numpy as np

STOP_WORDS = frozenset("""
a about above after again against all also am an and any are as at be because been before being
below between both but by can could did do does doing down during each else even ever few for from
further had has have having he her here hers herself him himself his how i if in into is it its
itself just let me more most my myself no nor not now of off on once only or other our ours
ourselves out over own same she should so some such than that the their theirs them themselves then
there these they this those through to too under until up very was we were what when where which
while who whom whose why will with would you your yours yourself yourselves s t don ll ve re d m
o y ain isn aren wasn weren hasn haven hadn doesn didn won wouldn shan shouldn mustn mightn needn
may might must shall us one ones get got say says said tell told think thinks mention mentioned
speaker interviewee interviewer interview official anything something everything thing things
according view views opinion talk talked discuss discussed regarding kind like well really journalist
reporter quote quoted quotes ask asked asks
""".split())
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_SUFFIXES = ("ational", "atory", "ations", "ation", "ative", "ating", "ated", "ates", "ate", "ingly",
             "ments", "ment", "ness", "ities", "ity", "ings", "ing", "ies", "ive", "edly", "ed", "ly",
             "al", "es", "s")


@lru_cache(maxsize=1 << 18)  # a corpus has far fewer distinct words than words
def stem(word: str) -> str:
    """A crude, fast stemmer: one suffix off, then cut to seven letters.

    >>> [stem(w) for w in ["cooperation", "cooperate", "values", "value", "discriminatory"]]
    ['cooper', 'cooper', 'valu', 'valu', 'discrim']
    """
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    if word.endswith("e") and len(word) > 4:
        word = word[:-1]
    return word[:7]


def terms(text: str) -> list[str]:
    """Index terms of `text`, in order, stop words removed."""
    return [stem(w) for w in _WORD.findall(text.lower().replace("’", "'")) if w not in STOP_WORDS and len(w) > 1]


class LexicalIndex:
    """BM25 over a fixed list of documents (each a list of terms); scores for every document."""

    def __init__(self, documents: list[list[str]]):
        import bm25s

        logging.getLogger("bm25s").setLevel(logging.WARNING)  # it sets DEBUG on import
        self.size = len(documents)
        self.term_sets = [frozenset(doc) for doc in documents]
        self._bm25 = bm25s.BM25()
        vocabulary: dict[str, int] = {}
        ids = [[vocabulary.setdefault(t, len(vocabulary)) for t in doc] for doc in documents]
        self._vocabulary = vocabulary
        self.document_frequency = np.zeros(len(vocabulary), dtype=np.int32)
        for doc in ids:
            for term_id in set(doc):
                self.document_frequency[term_id] += 1
        if documents:
            self._bm25.index(bm25s.tokenization.Tokenized(ids=ids, vocab=vocabulary), show_progress=False)

    def idf(self, term: str) -> float:
        """Smoothed inverse document frequency; unknown terms get the highest value."""
        df = self.document_frequency[self._vocabulary[term]] if term in self._vocabulary else 0
        return float(np.log(1 + (self.size - df + 0.5) / (df + 0.5)))

    def scores(self, query_terms: list[str]) -> np.ndarray:
        """BM25 score of every document for `query_terms` (zeros when none is known)."""
        known = [t for t in query_terms if t in self._vocabulary]
        if not known or not self.size:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self._bm25.get_scores(known), dtype=np.float32)
