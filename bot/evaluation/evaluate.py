"""`python -m bot eval TESTSET.jsonl [--report DIR] [--baselines] [--mode extractive|llm]`

Runs every test question through `Bot.ask` (the same path as `ask`), scores it with
`bot.evaluation.metrics`, and optionally scores the baselines of `bot.evaluation.baselines` on the same questions.
Test-set lines (DESIGN.md): `{"id", "question", "history"?, "answerable"?, "gold_quotes"?,
"gold_spans"?, "source"?, "category"?}`; gold quotes are located in the stored transcript text.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, replace
from pathlib import Path

from bot.errors import InputError
from bot.jsonl import read_json_lines
from bot.evaluation.metrics import Cited, label_rates, risk_coverage, summarize
from bot.labels import LABELS


@dataclass(frozen=True)
class EvalCase:
    id: str
    question: str
    history: list[dict]
    answerable: bool
    gold_quotes: list[str]
    gold_spans: list[tuple[int, int]]
    source: str | None
    category: str | None
    origin: str = ""  # the test-set file, whose name can say which transcript it is about
    scope: tuple[str, ...] = ()  # the transcripts to search; empty: the case's own source

    @property
    def searched(self) -> list[str] | None:
        return list(self.scope) if self.scope else [self.source] if self.source else None


def load_testset(path: Path) -> list[EvalCase]:
    """Validated test cases; a bad line raises `InputError` naming the file and line."""
    cases = []
    for where, item in read_json_lines(path):
        answerable = item.get("answerable", True)
        quotes, spans = item.get("gold_quotes") or [], item.get("gold_spans") or []
        if not isinstance(answerable, bool):
            raise InputError(f"{where}: \"answerable\" must be true or false")
        if not all(isinstance(q, str) and q for q in quotes) or not all(
            isinstance(s, list) and len(s) == 2 and all(isinstance(x, int) for x in s) and s[0] < s[1] for s in spans
        ):
            raise InputError(f"{where}: gold_quotes must be strings and gold_spans [start, end] pairs")
        if answerable and not (quotes or spans):
            raise InputError(f"{where}: an answerable question needs gold_quotes or gold_spans")
        source = item.get("source")
        scope = item.get("scope") or []
        if not isinstance(scope, list) or not all(isinstance(x, str) and x for x in scope):
            raise InputError(f"{where}: \"scope\" must be a list of transcript paths")
        cases.append(EvalCase(
            id=str(item.get("id", where.rsplit(":", 1)[1])), question=item["question"], history=item.get("history") or [],
            answerable=answerable, gold_quotes=quotes, gold_spans=[tuple(s) for s in spans],
            source=os.path.normpath(source) if source else None, category=item.get("category"), origin=str(path),
            scope=tuple(os.path.normpath(x) for x in scope),
        ))
    if not cases:
        raise InputError(f"{path} holds no test questions")
    return cases


def resolve_gold(case: EvalCase, texts: dict[str, str], passages_by_source: dict[str, list[tuple[int, int]]]) -> EvalCase:
    """Fill in `source` and `gold_spans` (from gold quotes), checking both against the store.

    Without a `source`, a case is about the store's only transcript, or the one named like its
    test-set file (`covid_0.testset.jsonl` → `covid_0.txt`), or the one holding its gold quotes.
    """
    source = case.source
    if source is None:
        # `covid_0.testset.jsonl` is about `covid_0.txt` (the hearings' convention)
        stem = Path(case.origin).name.split(".")[0]
        named = [s for s in texts if Path(s).stem == stem]
        if len(texts) == 1:
            source = next(iter(texts))
        elif len(named) == 1:
            source = named[0]
        elif case.gold_quotes:
            source = next((s for s, t in texts.items() if all(q in t for q in case.gold_quotes)), None)
    for needed in ([source] if source else []) + list(case.scope):
        if needed not in texts:
            raise InputError(f"test case {case.id}: {needed} is not in the store; ingest it first")
    if case.answerable and source is None:
        raise InputError(f"test case {case.id}: say which transcript it is about (\"source\")")
    spans = list(case.gold_spans)
    for quote in case.gold_quotes:
        at = texts[source].find(quote)
        if at < 0:
            raise InputError(f"test case {case.id}: gold quote not found verbatim in {source}: {quote[:80]!r}")
        spans.append((at, at + len(quote)))
    return replace(case, source=source, gold_spans=spans)


def within_testset(cases: list[EvalCase]) -> list[EvalCase]:
    """A case with no transcript of its own (an unanswerable question without `source`) searches
    the test set's transcripts, not whatever else the store holds; with none named, the whole store.

    >>> a = EvalCase("a", "q", [], True, ["x"], [], "a.txt", None)
    >>> u = EvalCase("u", "q", [], False, [], [], None, None)
    >>> [c.searched for c in within_testset([a, u])]
    [['a.txt'], ['a.txt']]
    """
    named = tuple(sorted({s for c in cases for s in c.searched or ()}))
    return [c if c.searched or not named else replace(c, scope=named) for c in cases]


def gold_passages(case: EvalCase, passages: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The passages a gold span touches: a citation anywhere in them counts for precision."""
    touched = [p for p in passages if any(p[0] < g[1] and g[0] < p[1] for g in case.gold_spans)]
    return touched + list(case.gold_spans)


def run_bot(bot, cases: list[EvalCase], texts: dict[str, str], passages_by_source, progress=None) -> list[Cited]:
    results = []
    for i, case in enumerate(cases):
        started = time.perf_counter()
        answer = bot.ask(case.question, case.history, sources=case.searched)
        seconds = time.perf_counter() - started
        results.append(cited_answer(case, answer, texts, passages_by_source, seconds))
        if progress:
            progress(i + 1, len(cases))
    return results


def cited_answer(case: EvalCase, answer, texts: dict[str, str], passages_by_source, seconds: float) -> Cited:
    """One bot answer reduced to what is scored."""
    citations = [(c.source, c.start, c.end, texts[c.source][c.start : c.end] == c.quote) for c in answer.citations]
    return Cited(
        case.id, case.answerable, answer.abstained, citations, case.gold_spans,
        gold_passages(case, passages_by_source.get(case.source, [])), case.source,
        [(r[0], r[1], r[2]) for r in answer.retrieved], seconds, case.category, answer.outcome,
        answer.scores.get("answer"), answer.label,
    )


def run_baseline(search, cases: list[EvalCase], passages_by_source) -> list[Cited]:
    results = []
    for case in cases:
        started = time.perf_counter()
        spans = search(case.question, case.searched)
        seconds = time.perf_counter() - started
        results.append(Cited(
            case.id, case.answerable, False, [(s, a, b, True) for s, a, b in spans], case.gold_spans,
            gold_passages(case, passages_by_source.get(case.source, [])), case.source, list(spans), seconds, case.category,
        ))
    return results


def evaluate(bot, cases: list[EvalCase], baselines: list[str] = (), progress=None, others: dict | None = None) -> dict:
    """Score the bot (and baselines, and `others`: more bots by name, such as the offline answerer
    beside a model) on `cases`; returns the report as a plain dict."""
    from bot.evaluation.baselines import make_baselines

    passages = bot.store.corpus().passages
    sources = sorted({p.source for p in passages})
    texts = {s: bot.store.source_text(s) for s in sources}
    passages_by_source: dict[str, list[tuple[int, int]]] = {}
    for p in passages:
        passages_by_source.setdefault(p.source, []).append((p.start, p.end))
    cases = within_testset([resolve_gold(c, texts, passages_by_source) for c in cases])
    systems = {"bot": run_bot(bot, cases, texts, passages_by_source, progress)}
    for name, other in (others or {}).items():
        systems[name] = run_bot(other, cases, texts, passages_by_source)
    for name, search in make_baselines(list(baselines), texts, bot.embeddings).items():
        systems[name] = run_baseline(search, cases, passages_by_source)
    return build_report(cases, systems, bot.model_name or "extractive", texts, bot.calibrated.rates)


def build_report(cases: list[EvalCase], systems: dict[str, list[Cited]], mode: str, texts: dict[str, str],
                 stated: dict[str, tuple[float | None, int]] | None = None) -> dict:
    """The report; with `stated` (each label's stated rate), how each label held on these questions."""
    categories = sorted({c.category for c in cases if c.category})
    by_id = {c.id: c for c in cases}
    report = {"questions": len(cases), "mode": mode, "systems": {}, "categories": {}, "failures": [],
              "risk_coverage": {}, "searched": sorted({s for c in cases for s in c.searched or texts})}
    if stated is not None:
        report["labels"] = {label: m | {"stated": stated.get(label, (None, 0))[0]}
                            for label, m in label_rates(systems["bot"], LABELS).items()}
    for name, results in systems.items():
        report["systems"][name] = summarize(results)
        if any(r.score is not None for r in results):
            report["risk_coverage"][name] = risk_coverage(results)
        report["categories"][name] = {
            cat: summarize([r for r in results if r.category == cat]) for cat in categories
        }
    from bot.evaluation.metrics import is_hit

    for r in systems["bot"]:
        case = by_id[r.question_id]
        failed = (r.answerable and not is_hit(r)) or (not r.answerable and not r.abstained)
        if failed:
            report["failures"].append({
                "id": case.id, "category": case.category, "question": case.question, "history": case.history,
                "answerable": case.answerable, "searched": case.searched or sorted(texts),
                "abstained": r.abstained, "outcome": r.outcome, "gold_spans": case.gold_spans, "gold_quotes": case.gold_quotes,
                "cited": [{"source": s, "start": a, "end": b, "quote": texts[s][a:b]} for s, a, b, _ in r.citations],
            })
    return report


def run_eval_command(args, settings) -> int:
    """`python -m bot eval`: score, print the table, write the report files if asked."""
    import sys

    from bot.evaluation import report as reports
    from bot.evaluation.baselines import BASELINES
    from bot.pipeline import Bot

    if args.mode:
        settings = replace(settings, answerer=args.mode)
    bot = Bot.from_settings(settings)
    if settings.uses_llm and bot.chat_model is not None:  # the model's answers beside the offline ones
        others = {"extractive": Bot(settings, bot.store, bot.embeddings, None, bot.calibrated)}
    else:
        others = {}
    cases = load_testset(args.testset)
    if args.source:  # every question searches these transcripts, whatever else the store holds
        from bot.cli import checked_sources

        scope = tuple(checked_sources(bot, args.source))
        cases = [replace(c, scope=scope) for c in cases]
    result = evaluate(bot, cases, list(BASELINES) if args.baselines else [], others=others)
    print(reports.text_table(result))
    bad = result["systems"]["bot"]["verbatim_rate"]
    if bad is not None and bad < 1.0:
        print(f"warning: verbatim rate {bad} < 1.0: a citation does not match its transcript (a bug)", file=sys.stderr)
    if args.report:
        for path in reports.write(result, args.report, title=f"Evaluation of {args.testset.name}"):
            print(f"wrote {path}")
    return 0
