"""`python -m bot`: ask, chat and evaluate from the command line (the contract of DESIGN.md).

    python -m bot ask "QUESTION" [--store DIR] [--source SOURCE ...] [--json]
    python -m bot ask --batch QUESTIONS.jsonl [--store DIR] [--source SOURCE ...] --json
    python -m bot chat [--store DIR] [--source SOURCE ...]
    python -m bot eval TESTSET.jsonl [--store DIR] [--source SOURCE ...] [--report DIR]

Errors: one line on stderr and exit status 1 (2 for bad arguments); `--debug` shows the traceback.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
from dataclasses import replace
from pathlib import Path

from bot import labels
from bot.answer import Answer
from bot.errors import USER_ERRORS, InputError
from bot.jsonl import lines_of, parse_question_line
from bot.settings import Settings


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Ask an interview transcript; get verbatim, cited answers.")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--store", type=Path, help="store folder (default: $VERBATIM_STORE or ./store)")
    common.add_argument("--debug", action="store_true", help="show tracebacks and debug logs")
    common.add_argument("--source", action="append", default=[], metavar="SOURCE",
                        help="search only this transcript (as `python -m ingest --list` shows it); repeatable")
    sub = parser.add_subparsers(dest="command", required=True)
    ask = sub.add_parser("ask", parents=[common], help="answer one question, or a batch")
    ask.add_argument("question", nargs="?", help="the question (omit with --batch)")
    ask.add_argument("--batch", type=Path, help="JSON lines: {id, question, history}")
    ask.add_argument("--json", action="store_true", help="print the answer object as JSON")
    sub.add_parser("chat", parents=[common], help="a conversation in the terminal")
    ev = sub.add_parser("eval", parents=[common], help="score the bot against a test set")
    ev.add_argument("testset", type=Path)
    ev.add_argument("--report", type=Path, help="write report.json, report.md and chart.png here")
    ev.add_argument("--baselines", action="store_true", help="score the baselines in the same run")
    ev.add_argument("--mode", choices=("extractive", "llm"), help="answerer to evaluate (default: as configured)")
    return parser


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """Text for a terminal: control characters from a transcript (an escape sequence could recolour
    or rewrite the screen) are shown as `\\x1b`, not obeyed.

    >>> printable("ok \\x1b[2J\\x07 done")
    'ok \\\\x1b[2J\\\\x07 done'
    """
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


LABEL_LINES = {
    labels.ANSWER: "Answer (high confidence):",
    labels.LIKELY: "Likely answer (not confirmed):",
    labels.CLOSEST: "Closest passages (low confidence: not a confirmed answer):",
    labels.NOT_ADDRESSED: "Not addressed:",
}


def render(answer: Answer) -> str:
    """An answer for the terminal: its label and what the label was measured to mean, the text,
    then one line per citation."""
    lines = [LABEL_LINES.get(answer.label, answer.label)]
    if said := labels.explain(answer.label, answer.stated_rate):
        lines.append(f"({said})")
    lines.append(answer.text)
    if answer.notice:
        lines.append(f"(note: {answer.notice})")
    for c in answer.citations:
        asked = f' — answering: "{c.question.text[:120]}{"…" if len(c.question.text) > 120 else ""}"' if c.question else ""
        who = ", ".join(part for part in (c.speaker_name, c.speaker_role) if part)
        who = f"{who} ({c.speaker})" if who else c.speaker  # the transcript's label, as --list and --speaker say it
        lines.append(f"  [{c.n}] {who}, {c.source} {c.start}-{c.end}{asked}")
    for r in answer.related:
        lines.append(f"  related: {r.speaker}, {r.source} {r.start}-{r.end}: {r.text[:100]}…")
    return printable("\n".join(lines))


def read_batch(path: Path) -> list[dict]:
    """`--batch` lines: each needs a `question`; `id` defaults to the line number. A bad line is
    kept as `{"id", "error"}`, so that it is answered with its error in its place."""
    items = []
    for where, line in lines_of(path):
        number = where.rsplit(":", 1)[1]
        try:
            item = parse_question_line(line, where)
        except InputError as exc:
            items.append({"id": _id_of(line) or number, "error": str(exc)})
            continue
        items.append({"id": str(item.get("id", number)), "question": item["question"], "history": item.get("history") or []})
    return items


def _id_of(line: str) -> str | None:
    try:
        item = json.loads(line)
    except json.JSONDecodeError:
        return None
    return str(item["id"]) if isinstance(item, dict) and item.get("id") is not None else None


def checked_sources(bot, sources: list[str]) -> list[str] | None:
    """The `--source` values, each checked against the store (one clear line if one is not there)."""
    if not sources:
        return None
    known = {info.source for info in bot.store.sources()}
    for source in sources:
        if source not in known:
            raise InputError(f"--source {source}: not in the store; `python -m ingest --list` shows what it holds")
    return sources


def _ask(args, bot) -> int:
    sources = checked_sources(bot, args.source)
    if args.batch:
        items, failed = read_batch(args.batch), []
        for item in items:
            try:
                if "error" in item:
                    raise InputError(item["error"])
                out = bot.ask(item["question"], item["history"], sources=sources).to_json(item["id"])
            except InputError as exc:  # this line's problem, answered in its place; the batch goes on
                out = {"id": item["id"], "error": str(exc)}
                failed.append(str(exc))
            print(json.dumps(out, ensure_ascii=False), flush=True)
        if failed:
            print(f"error: {len(failed)} of {len(items)} questions could not be answered (first: {failed[0]}); "
                  f"each has an \"error\" in its place", file=sys.stderr)
            return 1
        return 0
    if not args.question:
        raise InputError("give a question, or --batch FILE")
    answer = bot.ask(args.question, sources=sources)
    print(json.dumps(answer.to_json(), ensure_ascii=False, indent=2) if args.json else render(answer))
    return 0


def _chat(bot, sources: list[str] | None) -> int:
    history: list[dict] = []
    print("Ask about the interview (empty line or Ctrl-D to quit).")
    while True:
        try:
            question = input("> ").strip()
        except EOFError:
            print()
            return 0
        if not question:
            return 0
        try:
            answer = bot.ask(question, history, sources=sources)
        except InputError as exc:
            print(f"error: {exc}", file=sys.stderr)
            continue
        print(render(answer))
        history += [{"role": "user", "content": question}, {"role": "assistant", "content": answer.text}]


def guarded(args: argparse.Namespace, work) -> int:
    """Run `work(settings)` as a command: settings from the environment (and `--store`), logging,
    and every error in `USER_ERRORS` as one line on stderr with exit status 1 (`--debug`: the traceback)."""
    logging.basicConfig(level=logging.DEBUG if args.debug else logging.ERROR, format="%(levelname)s %(name)s: %(message)s")
    try:
        settings = Settings.from_env()
        if args.store:
            settings = replace(settings, store_dir=args.store, chroma_url=None)
        return work(settings)
    except USER_ERRORS as exc:
        if args.debug:
            raise
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted: the store keeps what was fully written", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


def _run(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "eval":
        from bot.evaluation.evaluate import run_eval_command

        return run_eval_command(args, settings)
    from bot.pipeline import Bot

    bot = Bot.from_settings(settings)
    return _ask(args, bot) if args.command == "ask" else _chat(bot, checked_sources(bot, args.source))


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    return guarded(args, lambda settings: _run(args, settings))
