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


def read_json_lines(path: Path) -> Iterator[tuple[str, dict]]:
    """(`file:line`, object) for each non-blank line; each must be a JSON object with a "question"."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read {path}: {exc}") from None
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
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
        yield where, item
