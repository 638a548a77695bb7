"""`Bot`: question (+ history) → standalone question → hybrid retrieval → answer → citation check.

    bot = Bot.from_settings(Settings.from_env())
    answer = bot.ask("What values matter to the EU?")
    answer = bot.ask("Would the member states be happy about that?", history=[...])

The answerer is the offline extractive one unless a chat model is configured; when the model
fails (timeout, HTTP error, no verifiable quote), the answer falls back to the extractive one and
its `notice` says so. Every citation passes `bot.cite.verify` against the stored transcript text.
"""

from __future__ import annotations

import logging
import time
from typing import Callable

from bot import calibration, confidence, labels, llm, speakers
from bot.answer import Answer, Citation, Related
from bot.cite import verify
from bot.confidence import ANSWER, CANDIDATES, NOT_ADDRESSED, Decision
from bot.conversation import StandaloneQuestion, is_follow_up, standalone_question
from bot.errors import InputError, ModelError
from bot.extractive import (FIRST_CANDIDATE_MIN_CHARS, MAX_CANDIDATE_CHARS, MAX_CITED_CHARS, SentenceScorer, across_paragraphs,
                            choose_candidates, choose_quotes, compose, compose_candidates)
from bot.retrieve import Hit, Retriever
from bot.settings import Settings

log = logging.getLogger(__name__)
MAX_QUESTION_CHARS = 2000
MAX_HISTORY_TURNS = 20  # earlier turns than these do not shape a follow-up
LLM_PASSAGES = 6


class Bot:
    """The answering path over one store; `calibration` defaults to the shipped `calibration.json`
    (the evaluation passes one fitted without the transcript it scores)."""

    def __init__(self, settings: Settings, store, embeddings, chat_model=None,
                 calibrated: calibration.Calibration | None = None):
        self.settings, self.store, self.embeddings, self.chat_model = settings, store, embeddings, chat_model
        self.calibrated = calibrated or calibration.load()
        self.retriever = Retriever(store, embeddings)
        self.scorer = SentenceScorer(embeddings, self.calibrated)

    @classmethod
    def from_settings(cls, settings: Settings) -> Bot:
        from bot.backends import open_store

        store = open_store(settings)
        chat_model = llm.make_chat_model(settings) if settings.uses_llm else None
        return cls(settings, store, store.embeddings, chat_model)

    @property
    def model_name(self) -> str | None:
        return self.settings.chat_model if self.chat_model is not None else None

    def ask(self, question: str, history: list[dict] | None = None, sources: list[str] | None = None,
            max_citations: int | None = None, on_token: Callable[[str], None] | None = None) -> Answer:
        """Answer one question; `on_token` receives the model's text as it streams (LLM mode only)."""
        question = " ".join(str(question).split())
        if not question:
            raise InputError("the question is empty: type a question about the interview")
        if len(question) > MAX_QUESTION_CHARS:
            raise InputError(f"the question is {len(question)} characters long; keep it under {MAX_QUESTION_CHARS}")
        # the conversation so far, bounded: its last turns, each no longer than a question may be
        history = [{"role": turn.get("role"), "content": str(turn.get("content", ""))[:MAX_QUESTION_CHARS]}
                   for turn in list(history or [])[-MAX_HISTORY_TURNS:] if isinstance(turn, dict)]
        max_citations = max_citations or self.settings.max_citations
        timings: dict[str, float] = {}
        started = time.perf_counter()
        deadline = llm.Deadline(self.settings.llm_timeout, self.settings.llm_retries)  # for all model calls
        standalone, notice = self._standalone(question, history, deadline)
        timings["rewrite"] = time.perf_counter() - started

        t = time.perf_counter()
        corpus = self.store.corpus()
        query, hits = self.retriever.search(standalone, k=8, sources=sources, corpus=corpus)
        sentences = self.scorer.sentences(query, hits, corpus.index, corpus.opening)
        evidence = confidence.evidence(query, hits, sentences, corpus.index, corpus.known_terms(sources))
        decision = confidence.decide(evidence, self.calibrated) if hits else Decision(NOT_ADDRESSED, 0.0, 0.0)
        timings["retrieve"] = time.perf_counter() - t

        t = time.perf_counter()
        titles = {info.source: info.title for info in corpus.searched(sources)}
        mode, model, dropped = "extractive", None, []
        citations: list[Citation] = []
        text = ""
        if self.chat_model is not None and hits:
            try:
                raw = llm.generate(self.chat_model, standalone.text, hits[:LLM_PASSAGES], deadline, on_token)
                checked = llm.check_model_answer(raw, hits[:LLM_PASSAGES], standalone.text)
                dropped = checked.dropped
                if checked.abstained:
                    decision, mode, model = Decision(NOT_ADDRESSED, 0.0, 0.0), "llm", self.model_name
                elif not checked.citations:
                    raise ModelError("the model's answer held no quote that could be verified in the transcript")
                else:
                    # The model's verified answer decides: every quote found verbatim is an answer;
                    # an answer that lost quotes to verification is offered with less confidence.
                    text, mode, model = checked.text, "llm", self.model_name
                    citations = speakers.credited(checked.citations, corpus.searched(sources))
                    decision = Decision(CANDIDATES if dropped else ANSWER, 1.0, 0.5 if dropped else 1.0)
            except ModelError as exc:
                log.warning("%s", exc)
                failed = f"The model failed ({exc}); this is the offline answer."
                notice = f"{notice} {failed}" if notice else failed  # every notice is kept
        if mode == "extractive" and decision.outcome != NOT_ADDRESSED:
            if decision.outcome == ANSWER:
                quotes = choose_quotes(sentences, max_citations, self.calibrated.second_threshold)
            else:
                quotes = choose_candidates(sentences, max_citations)
            budget = MAX_CITED_CHARS if decision.outcome == ANSWER else MAX_CANDIDATE_CHARS
            citations = speakers.credited(self._cite(quotes, corpus, budget), corpus.searched(sources))
            text = (compose(citations, titles) if decision.outcome == ANSWER
                    else compose_candidates(citations, titles, likely=decision.label == labels.LIKELY))
        citations, problems = verify(citations, {c.source: self.store.source_text(c.source) for c in citations})
        dropped += problems
        timings["answer"] = time.perf_counter() - t
        timings["total"] = time.perf_counter() - started
        retrieved = tuple((h.passage.source, h.passage.start, h.passage.end) for h in hits)
        scores = {"answerable": round(decision.answerable, 4), "answer": round(decision.answer, 4)}
        searched_sources = tuple(titles)
        if not citations:
            label = labels.NOT_ADDRESSED
            return Answer(question, standalone.text, self._abstention(standalone, titles, query.nobody), (), True, mode,
                          timings, tuple(self._related(hits)), tuple(dropped), notice, model, retrieved, None, scores,
                          searched_sources, reason="nobody_described" if query.nobody else None, label=label,
                          stated_rate=self._stated_rate(label, mode))
        return Answer(question, standalone.text, text, tuple(citations), False, mode, timings, (), tuple(dropped),
                      notice, model, retrieved, decision.confidence, scores, searched_sources, label=decision.label,
                      stated_rate=self._stated_rate(decision.label, mode))

    def _cite(self, quotes: list, corpus, budget: int) -> list[Citation]:
        """The citations of the chosen quotes. The first reaches into the passages beside it in the same
        turn when the sentence that answers is there (`across_paragraphs`); later quotes it now holds, or
        that no longer fit in `budget` characters in all, are left out (the first is read first)."""
        (hit, start, end), rest = quotes[0], quotes[1:]
        passage = hit.passage
        start, end = across_paragraphs(passage, start, end, *corpus.beside(passage), min_chars=FIRST_CANDIDATE_MIN_CHARS)
        first = (Citation.from_passage(1, passage, start, end) if passage.start <= start and end <= passage.end
                 else Citation.across(1, passage, start, end, self.store.source_text(passage.source)))
        out, used = [first], end - start
        for hit, s, e in rest:
            inside = hit.passage.source == passage.source and start < e and s < end
            if inside or used + e - s > budget:
                continue
            out.append(Citation.from_passage(len(out) + 1, hit.passage, s, e))
            used += e - s
        return out

    def _stated_rate(self, label: str, mode: str) -> float | None:
        """The label's rate measured out of fold; a model's answers were not measured so."""
        return self.calibrated.stated_rate(label) if mode == "extractive" else None

    def _standalone(self, question: str, history: list[dict],
                    deadline: llm.Deadline) -> tuple[StandaloneQuestion, str | None]:
        offline = standalone_question(question, history)
        if self.chat_model is None or offline.context is None or not is_follow_up(question):
            return offline, None
        try:
            return StandaloneQuestion(llm.rewrite_question(self.chat_model, question, history, deadline)), None
        except ModelError as exc:
            log.warning("%s", exc)
            return offline, f"The model could not rewrite the follow-up ({exc}); the offline rewrite was used."

    @staticmethod
    def _abstention(standalone: StandaloneQuestion, titles: dict[str, str], nobody: str | None = None) -> str:
        if nobody:
            where = f"the {len(titles)} interviews searched" if len(titles) > 1 else "the interview searched"
            return (f"Nobody in {where} is described as “{nobody}”. If a speaker is, say who they are with "
                    f"`python -m ingest --source SOURCE --speaker \"LABEL=NAME, ROLE\"` (or on the interview's "
                    f"card in the app) and ask again.")
        if len(titles) > 1:
            return (f"None of the {len(titles)} interviews searched addresses this question: nothing in them "
                    f"answers “{standalone.focus}”.")
        return f"The interview does not address this question: nothing in it answers “{standalone.focus}”."

    @staticmethod
    def _related(hits: list[Hit]) -> list[Related]:
        return [Related(h.passage.source, h.passage.start, h.passage.end, h.passage.speaker, h.passage.text, h.score)
                for h in hits[:2]]
