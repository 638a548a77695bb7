"""The LLM answerer: numbered passages in, an answer with `[n]` markers and verbatim quotes out.

The model is any OpenAI-compatible chat endpoint, reached through `langchain-openai`'s
`ChatOpenAI` with the timeout and retries of `Settings`. Its answer is never trusted as is:
`check_model_answer` maps every quote back to its exact source span (or drops it, and says so),
drops markers that point to no passage, and renumbers what is left.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, replace
from typing import Callable

from bot import prompts
from bot.answer import Citation
from bot.cite import locate
from bot.errors import ModelError
from bot.retrieve import Hit
from ingest.spans import sentence_spans
from vectorstore.lexical import terms

log = logging.getLogger(__name__)
# A quoted stretch and the markers right after it, or markers alone: [2], [1, 3], [1][2]. Curly
# quotes may hold straight ones and straight quotes curly ones (a quote that quotes).
_QUOTED = r"(?:“(?P<curly>[^”]{2,}?)”|\"(?P<straight>[^\"]{2,}?)\")"
_QUOTE_OR_MARKER = re.compile(
    rf"{_QUOTED}?(?P<markers>(?:\s*\[\d+(?:\s*,\s*\d+)*\])+)|{_QUOTED.replace('curly', 'bare_curly').replace('straight', 'bare_straight')}"
)
_NUMBER = re.compile(r"\d+")
_REMOVED = "\x00"


def make_chat_model(settings):
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(
        model=settings.chat_model, api_key=settings.openai_api_key or "not-needed", base_url=settings.openai_base_url,
        timeout=settings.llm_timeout, max_retries=settings.llm_retries, temperature=0,
    )


def _call(chat_model, messages: list[tuple[str, str]], on_token: Callable[[str], None] | None) -> str:
    try:
        if on_token is None:
            return str(chat_model.invoke(messages).content)
        pieces = []
        for chunk in chat_model.stream(messages):
            piece = str(chunk.content)
            pieces.append(piece)
            on_token(piece)
        return "".join(pieces)
    except Exception as exc:  # openai/httpx raise many kinds; all mean "no usable answer"
        raise ModelError(f"the model {getattr(chat_model, 'model_name', '')!r} failed: {type(exc).__name__}: {exc}"[:300]) from exc


def rewrite_question(chat_model, question: str, history: list[dict]) -> str:
    """The model's standalone version of a follow-up question."""
    lines = "\n".join(f"{t['role']}: {t['content'][:600]}" for t in history[-6:])
    text = _call(chat_model, [("system", prompts.REWRITE_SYSTEM),
                              ("human", prompts.REWRITE_USER.format(history=lines, question=question))], None)
    text = " ".join(text.split()).strip().strip('"')
    if not text or len(text) > 4 * len(question) + 200:
        raise ModelError("the model gave no usable rewrite of the question")
    return text


def generate(chat_model, question: str, hits: list[Hit], on_token: Callable[[str], None] | None = None) -> str:
    passages = "\n\n".join(
        prompts.PASSAGE.format(n=n, speaker=h.passage.speaker, role=h.passage.role, text=h.passage.text)
        for n, h in enumerate(hits, 1)
    )
    return _call(chat_model, [("system", prompts.ANSWER_SYSTEM),
                              ("human", prompts.ANSWER_USER.format(passages=passages, question=question))], on_token)


@dataclass(frozen=True)
class CheckedAnswer:
    text: str
    citations: list[Citation]
    dropped: list[str]
    abstained: bool


def _claim_span(hit: Hit, claim: str) -> tuple[int, int]:
    """For a marker without a quote: the passage sentence sharing most words with the claim."""
    p = hit.passage
    claim_terms = set(terms(claim))
    best = max(sentence_spans(p.text), key=lambda se: len(claim_terms & set(terms(p.text[se[0]:se[1]]))))
    return p.start + best[0], p.start + best[1]


def check_model_answer(raw: str, hits: list[Hit]) -> CheckedAnswer:
    """Verify and renumber a model's answer against the passages it was given."""
    if not raw.strip():
        raise ModelError("the model gave an empty answer")
    if prompts.NOT_ADDRESSED in raw:
        return CheckedAnswer("", [], [], abstained=True)
    numbers: dict[tuple[str, int, int], int] = {}
    citations: list[Citation] = []
    dropped: list[str] = []
    out, cursor = [], 0

    def cite(hit: Hit, start: int, end: int) -> int:
        key = (hit.passage.id, start, end)
        if key not in numbers:
            numbers[key] = len(numbers) + 1
            citations.append(Citation.from_passage(numbers[key], hit.passage, start, end))
        return numbers[key]

    for m in _QUOTE_OR_MARKER.finditer(raw):
        out.append(raw[cursor : m.start()])
        cursor = m.end()
        words = m.group("curly") or m.group("straight") or m.group("bare_curly") or m.group("bare_straight")
        marked = [int(n) for n in _NUMBER.findall(m.group("markers") or "")]
        valid = [n for n in marked if 1 <= n <= len(hits)]
        for n in sorted(set(marked) - set(valid)):
            dropped.append(f"marker [{n}] pointed to no passage; the claim it marked was removed")
        if marked and not valid:
            out.append(_REMOVED)
            continue
        if words is None:  # markers alone: cite the sentence of that passage closest to the claim
            claim = raw[max(0, raw.rfind(".", 0, m.start()) + 1) : m.start()]
            out.append("".join(f" [{cite(hits[n - 1], *_claim_span(hits[n - 1], claim))}]" for n in dict.fromkeys(valid)))
            continue
        order = list(dict.fromkeys(valid)) + [n for n in range(1, len(hits) + 1) if n not in valid]
        for n in order:  # the marked passage first, then any other (a wrong marker is corrected)
            p = hits[n - 1].passage
            span = locate(words, p.text)
            if span:
                start, end = p.start + span[0], p.start + span[1]
                if valid and n not in valid:
                    dropped.append(f"a quote marked {marked} is from passage [{n}]; its marker was corrected")
                out.append(f"“{p.text[span[0]:span[1]]}” [{cite(hits[n - 1], start, end)}]")
                break
        else:
            out.append(_REMOVED)
            dropped.append(f"quote not found verbatim in the transcript; its sentence was removed: “{words[:200]}”")
    out.append(raw[cursor:])
    text = _without_removed_sentences("".join(out))
    kept = {int(n) for n in re.findall(r"\[(\d+)\]", text)}
    citations = [c for c in citations if c.n in kept]
    renumber = {c.n: i for i, c in enumerate(citations, 1)}
    text = re.sub(r"\[(\d+)\]", lambda m: f"[{renumber.get(int(m.group(1)), m.group(1))}]", text)
    citations = [replace(c, n=renumber[c.n]) for c in citations]
    return CheckedAnswer(text, citations, dropped, abstained=False)


def _without_removed_sentences(text: str) -> str:
    """Drop every sentence that held a removed quote or claim: what is left is all verifiable.

    >>> _without_removed_sentences("Fine [1]. They said " + _REMOVED + ". Good [2].")
    'Fine [1]. Good [2].'
    """
    sentences = re.split(r"(?<=[.!?])\s+", text)
    kept = [s for s in sentences if _REMOVED not in s]
    return re.sub(r"[ \t]{2,}", " ", " ".join(kept)).strip()
