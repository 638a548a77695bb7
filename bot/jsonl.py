"""JSON-lines input (`--batch` questions, test sets), validated at the edge with file:line errors.

    >>> from pathlib import Path; import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "q.jsonl"; _ = p.write_text('{"question": "Why?"}\\n\\n', encoding="utf-8")
    >>> [(where[-9:], item) for where, item in read_json_lines(p)]
    [('q.jsonl:1', {'question': 'Why?'})]
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterator

from bot.errors import InputError


def lines_of(path: Path) -> Iterator[tuple[str, str]]:
    """(`file:line`, text) for each non-blank line. Lines end at "\\n" only: U+2028 and the other
    characters `str.splitlines` also splits on may stand inside a JSON string."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read {path}: {exc}") from None
    for number, line in enumerate(text.split("\n"), 1):
        if line.strip():
            yield f"{path}:{number}", line.removesuffix("\r")


def parse_question_line(line: str, where: str) -> dict:
    """One JSON object with a non-empty "question" (and, if any, a valid "history"), or `InputError`."""
    try:
        item = json.loads(line)
    except json.JSONDecodeError as exc:
        raise InputError(f"{where}: not valid JSON ({exc.msg})") from None
    if not isinstance(item, dict) or not isinstance(item.get("question"), str) or not item["question"].strip():
        raise InputError(f"{where}: each line needs a non-empty \"question\" string")
    history = item.get("history") or []
    if not isinstance(history, list) or not all(
        isinstance(t, dict) and t.get("role") in ("user", "assistant") and isinstance(t.get("content"), str)
        for t in history
    ):
        raise InputError(f"{where}: \"history\" must be a list of {{role: user|assistant, content}}")
    return item


def read_json_lines(path: Path) -> Iterator[tuple[str, dict]]:
    """(`file:line`, object) for each non-blank line; a bad line stops the reading with `InputError`."""
    for where, line in lines_of(path):
        yield where, parse_question_line(line, where)
