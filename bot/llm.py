"""The LLM answerer: numbered passages in, an answer with `[n]` markers and verbatim quotes out.

The model is any OpenAI-compatible chat endpoint, reached through `langchain-openai`'s
`ChatOpenAI` with the timeout and retries of `Settings`. Its answer is never trusted as is: `check_model_answer` checks it sentence by sentence. A sentence
stays only if it rests on quotes found verbatim in the passages (in any quotation style: “…”, "…",
'…', ‘…’, «…», „…“, 「…」), every marker belongs to such a quote, and its words outside the quotes
say nothing the cited passages (or the user's question) do not: framing ("the official says"),
not new claims. Every other sentence is dropped and reported; each quote is mapped back to its
exact source span; what is left is renumbered. An empty, cut-off or oversized reply is a failure.
"""

from __future__ import annotations

import logging
import queue
import re
import threading
import time
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
# Quotations in any common style; an outer quote may hold inner ones of another style. A straight
# or curly single quote counts only at a word boundary, so that "don't" and "it’s" are not quotes.
_QUOTATION = re.compile(
    r"“(?P<a>[^”]{2,}?)”|\"(?P<b>[^\"]{2,}?)\"|«\s?(?P<c>[^»]{2,}?)\s?»|„(?P<d>[^“”]{2,}?)[“”]|「(?P<e>[^」]{2,}?)」"
    r"|‹(?P<f>[^›]{2,}?)›|(?<![\w’'])‘(?P<g>[^‘’]{2,}?)’(?!\w)|(?<![\w’'])'(?P<h>[^']{2,}?)'(?!\w)"
)
_OPENERS = "“\"«„「"  # left over once the quotations are taken out: a quote the reply never closed
_MARKERS = re.compile(r"\s*(?:\[\d+(?:\s*,\s*\d+)*\])+")
_NUMBER = re.compile(r"\d+")
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’»)\]]*\s+")
MAX_REPLY_CHARS = 20_000
# Words that frame a quote rather than claim anything: who speaks and how.
FRAMING = frozenset(terms(
    "says said adds added notes noted explains explained argues argued describes described calls called answers "
    "answered replies replied states stated stresses stressed insists insisted puts put words remarks remarked "
    "according official officials interviewee interviewer journalist speaker guest host asked asking question "
    "answer response responded recalls recalled continues continued adds also further before later first then "
    "points pointed out refers referred observes observed concludes concluded acknowledges acknowledged"
))


def make_chat_model(settings):
    """The configured chat model. Retries are ours (`call`), inside the question's deadline."""
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(
        model=settings.chat_model, api_key=settings.openai_api_key or "not-needed", base_url=settings.openai_base_url,
        timeout=settings.llm_timeout, max_retries=0, temperature=0,
    )


class Deadline:
    """The time a question's model work may take, all calls, retries and waits included.

    >>> d = Deadline(5.0, retries=1); 0 < d.left() <= 5.0
    True
    """

    def __init__(self, seconds: float, retries: int = 1):
        self.seconds, self.retries = seconds, retries
        self.ends = time.monotonic() + seconds

    def left(self) -> float:
        return self.ends - time.monotonic()


def _retry_after(exc: Exception) -> float | None:
    """Seconds a 429/503 asks us to wait (`Retry-After`, `retry-after-ms`), if it says."""
    headers = getattr(getattr(exc, "response", None), "headers", None) or {}
    try:
        if headers.get("retry-after-ms"):
            return float(headers["retry-after-ms"]) / 1000
        if headers.get("retry-after"):
            return float(headers["retry-after"])
    except ValueError:
        return None
    return None


def _retryable(exc: Exception) -> bool:
    import openai

    if isinstance(exc, (openai.APIConnectionError, openai.APITimeoutError, openai.RateLimitError)):
        return True
    return isinstance(exc, openai.APIStatusError) and exc.status_code >= 500


def call(chat_model, messages: list[tuple[str, str]], on_token: Callable[[str], None] | None,
         deadline: Deadline) -> str:
    """The model's reply, within `deadline`: retries on 429, 5xx and lost connections while time
    and retries are left (a `Retry-After` longer than the time left ends them at once); a reply
    still coming at the deadline (a server trickling bytes) is abandoned."""
    name = getattr(chat_model, "model_name", "")
    attempt = 0
    while True:
        try:
            return _attempt(chat_model, messages, on_token, deadline)
        except ModelError:
            raise
        except Exception as exc:  # openai/httpx raise many kinds; all mean "no usable answer"
            wait = _retry_after(exc) or min(0.25 * 2 ** attempt, 2.0)
            attempt += 1
            if not _retryable(exc) or attempt > deadline.retries or wait >= deadline.left():
                raise ModelError(f"the model {name!r} failed: {type(exc).__name__}: {exc}"[:300]) from exc
            time.sleep(wait)


def _attempt(chat_model, messages, on_token, deadline: Deadline) -> str:
    """One call, in a worker thread, so that the deadline holds however slowly bytes arrive; the
    tokens reach `on_token` in the caller's thread."""
    events: queue.Queue = queue.Queue()

    def work() -> None:
        try:
            if on_token is None:
                reply = chat_model.invoke(messages)
                events.put(("piece", str(reply.content), reply.response_metadata.get("finish_reason")))
            else:
                for chunk in chat_model.stream(messages):
                    events.put(("piece", str(chunk.content), chunk.response_metadata.get("finish_reason")))
            events.put(("done", None, None))
        except Exception as exc:  # handed to the caller's thread
            events.put(("error", exc, None))

    threading.Thread(target=work, daemon=True, name="verbatim-model-call").start()
    pieces, finish, size = [], None, 0
    while True:
        left = deadline.left()
        try:
            if left <= 0:
                raise queue.Empty
            kind, value, reason = events.get(timeout=left)
        except queue.Empty:
            raise ModelError(f"the model did not answer within {deadline.seconds:g} s (VERBATIM_LLM_TIMEOUT)") from None
        if kind == "error":
            raise value
        if kind == "done":
            break
        pieces.append(value)
        size += len(value)
        finish = reason or finish
        if on_token is not None and value:
            on_token(value)
        if size > MAX_REPLY_CHARS:
            break  # read no further than the check would
    if finish == "length":
        raise ModelError("the model's answer was cut off (it reached its length limit)")
    return "".join(pieces)


def rewrite_question(chat_model, question: str, history: list[dict], deadline: Deadline) -> str:
    """The model's standalone version of a follow-up question."""
    lines = "\n".join(f"{t['role']}: {t['content'][:600]}" for t in history[-6:])
    text = call(chat_model, [("system", prompts.REWRITE_SYSTEM),
                             ("human", prompts.REWRITE_USER.format(history=lines, question=question))], None, deadline)
    text = " ".join(text.split()).strip().strip('"')
    if not text or len(text) > 4 * len(question) + 200:
        raise ModelError("the model gave no usable rewrite of the question")
    return text


def generate(chat_model, question: str, hits: list[Hit], deadline: Deadline,
             on_token: Callable[[str], None] | None = None) -> str:
    passages = "\n\n".join(
        prompts.PASSAGE.format(n=n, speaker=h.passage.speaker, role=h.passage.role, text=h.passage.text)
        for n, h in enumerate(hits, 1)
    )
    return call(chat_model, [("system", prompts.ANSWER_SYSTEM),
                             ("human", prompts.ANSWER_USER.format(passages=passages, question=question))],
                on_token, deadline)


@dataclass(frozen=True)
class CheckedAnswer:
    text: str
    citations: list[Citation]
    dropped: list[str]
    abstained: bool


@dataclass(frozen=True)
class _Quotation:
    start: int  # in the reply, the opening quotation mark
    end: int  # after the closing mark
    words: str  # what is inside the marks


def quotations(raw: str) -> list[_Quotation]:
    """The quotations of a reply, outermost first, left to right.

    >>> [q.words for q in quotations("He said 'we agree' and «nous aussi», but didn't add “more ‘words’”.")]
    ['we agree', 'nous aussi', 'more ‘words’']
    """
    return [_Quotation(m.start(), m.end(), next(g for g in m.groups() if g is not None))
            for m in _QUOTATION.finditer(raw)]


def _sentences(raw: str, quoted: list[_Quotation]) -> list[tuple[int, int]]:
    """Sentence spans of the reply; a sentence never ends inside a quotation."""
    inside = [(q.start, q.end) for q in quoted]
    spans, start = [], 0
    for m in _SENTENCE_END.finditer(raw):
        if any(a < m.start() < b for a, b in inside):
            continue
        spans.append((start, m.start()))
        start = m.end()
    spans.append((start, len(raw)))
    return [(a, b) for a, b in spans if raw[a:b].strip()]


def check_model_answer(raw: str, hits: list[Hit], question: str = "") -> CheckedAnswer:
    """Verify and renumber a model's answer against the passages it was given, sentence by sentence."""
    if not raw.strip():
        raise ModelError("the model gave an empty answer")
    if len(raw) > MAX_REPLY_CHARS:
        raise ModelError(f"the model's answer is {len(raw):,} characters long (at most {MAX_REPLY_CHARS:,} are read)")
    if prompts.NOT_ADDRESSED in raw:
        return CheckedAnswer("", [], [], abstained=True)
    quoted = quotations(raw)
    outside = _QUOTATION.sub(" ", raw)
    if any(ch in outside for ch in _OPENERS):
        raise ModelError("the model's answer holds a quotation it never closed: it was cut off")
    numbers: dict[tuple[str, int, int], int] = {}
    citations: list[Citation] = []
    dropped: list[str] = []
    kept: list[str] = []
    for a, b in _sentences(raw, quoted):
        rebuilt, problem, cited = _check_sentence(raw, a, b, [q for q in quoted if a <= q.start < b], hits, dropped)
        if problem:
            dropped.append(f"{problem}; the sentence was removed: “{' '.join(raw[a:b].split())[:200]}”")
            continue
        if not _only_framing(raw, a, b, [q for q in quoted if a <= q.start < b], cited, question):
            dropped.append(f"the sentence says more than its quotes and was removed: “{' '.join(raw[a:b].split())[:200]}”")
            continue
        text = rebuilt
        for hit, start, end, placeholder in cited:
            key = (hit.passage.id, start, end)
            if key not in numbers:
                numbers[key] = len(numbers) + 1
                citations.append(Citation.from_passage(numbers[key], hit.passage, start, end))
            text = text.replace(placeholder, f"“{hit.passage.text[start - hit.passage.start:end - hit.passage.start]}” [{numbers[key]}]")
        kept.append(text)
    return CheckedAnswer(re.sub(r"[ \t]{2,}", " ", " ".join(kept)).strip(), citations, dropped, abstained=False)


def _check_sentence(raw: str, a: int, b: int, quoted: list[_Quotation], hits: list[Hit], dropped: list[str]):
    """The sentence with each quotation (and its markers) replaced by a placeholder, a problem that
    removes it (or None), and the verified spans behind the placeholders."""
    if not quoted:
        return "", "a claim without a verbatim quote", []
    pieces, cursor, cited = [], a, []
    for k, q in enumerate(quoted):
        pieces.append(raw[cursor:q.start])
        markers = _MARKERS.match(raw, q.end, b)
        cursor = markers.end() if markers else q.end
        marked = [int(n) for n in _NUMBER.findall(markers.group())] if markers else []
        valid = [n for n in marked if 1 <= n <= len(hits)]
        if marked and not valid:
            return "", f"marker [{marked[0]}] pointed to no passage", []
        for n in sorted(set(marked) - set(valid)):
            dropped.append(f"marker [{n}] pointed to no passage and was removed")
        order = list(dict.fromkeys(valid)) + [n for n in range(1, len(hits) + 1) if n not in valid]
        for n in order:  # the marked passage first, then any other (a wrong marker is corrected)
            p = hits[n - 1].passage
            span = locate(q.words, p.text)
            if span:
                if valid and n not in valid:
                    dropped.append(f"a quote marked {marked} is from passage [{n}]; its marker was corrected")
                placeholder = f"\x00{k}\x00"
                cited.append((hits[n - 1], p.start + span[0], p.start + span[1], placeholder))
                pieces.append(placeholder)
                break
        else:
            return "", f"quote not found verbatim in the transcript: “{q.words[:200]}”", []
    rest = raw[cursor:b]
    if _MARKERS.search(rest) or any(_MARKERS.search(piece) for piece in pieces if "\x00" not in piece):
        return "", "a marker that no quote goes with (a claim without a verbatim quote)", []
    return "".join(pieces) + rest, None, cited


def _only_framing(raw: str, a: int, b: int, quoted: list[_Quotation], cited, question: str) -> bool:
    """True when the sentence's words outside its quotes frame them ("the official says") or repeat
    words of the cited passages, their questions or the user's question: no claim of their own."""
    prose = raw[a:b]
    for q in sorted(quoted, key=lambda q: -q.start):
        prose = prose[: q.start - a] + " " + prose[q.end - a :]
    allowed = set(FRAMING) | set(terms(question))
    for hit, *_ in cited:
        p = hit.passage
        allowed |= set(terms(p.text)) | set(terms(p.speaker))
        if p.question is not None:
            allowed |= set(terms(p.question.text)) | set(terms(p.question.speaker))
    return set(terms(_MARKERS.sub(" ", prose))) <= allowed
