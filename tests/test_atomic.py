"""A kill at any moment of a re-ingest leaves each transcript wholly old or wholly new.

Twenty rounds: a child process re-ingests an edited hearing (every passage changes) and is killed
with SIGKILL at a random moment of its writing; a fresh child process then opens the store and
says which version it sees. "mixed" (old and new passages side by side, or passages that do not
match the stored text) fails the test.
"""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import time

from tests.conftest import HEARINGS, ROOT

WRITER = """
import sys
from pathlib import Path
from ingest import parse_transcript
from tests.conftest import HashEmbeddings
from vectorstore import open_store
store = open_store(sys.argv[1], HashEmbeddings(), create=True)
text = Path(sys.argv[2]).read_text(encoding="utf-8")
print("writing", flush=True)
store.add(parse_transcript(text, "hearing.txt"), batch=16)
print("done", flush=True)
"""

CHECKER = """
import json, sys
from pathlib import Path
from ingest import parse_transcript
from tests.conftest import HashEmbeddings
from vectorstore import open_store
store = open_store(sys.argv[1], HashEmbeddings())
versions = {name: parse_transcript(Path(path).read_text(encoding="utf-8"), "hearing.txt")
            for name, path in (("old", sys.argv[2]), ("new", sys.argv[3]))}
passages = [p for p in store.corpus().passages if p.source == "hearing.txt"]
text = store.source_text("hearing.txt")
ids = {p.id for p in passages}
seen = [name for name, t in versions.items() if ids == {p.id for p in t.passages} and text == t.text]
whole = all(text[p.start:p.end] == p.text for p in passages)
print(json.dumps(seen[0] if len(seen) == 1 and whole else "mixed"))
"""


def python(code: str, *args: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", code, *args], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, **kwargs)


def test_twenty_kills_during_reingest_leave_no_file_half_updated(tmp_path):
    old = tmp_path / "old.txt"
    new = tmp_path / "new.txt"
    text = HEARINGS[0].read_text(encoding="utf-8")
    old.write_text(text, encoding="utf-8")
    new.write_text("(Edited.) " + text.replace(" the ", " the  "), encoding="utf-8")  # every offset moves
    store = tmp_path / "store"
    first = python(WRITER, str(store), str(old))
    assert first.stdout.readline().strip() == "writing", first.stderr.read()
    began = time.perf_counter()
    assert first.wait(timeout=120) == 0, first.stderr.read()
    writing = time.perf_counter() - began  # kills land within a write as long as this machine takes for one now
    rng = random.Random(8)
    seen, current, interrupted = [], "old", 0
    for round_ in range(20):
        target = new if current == "old" else old
        writer = python(WRITER, str(store), str(target))
        assert writer.stdout.readline().strip() == "writing", writer.stderr.read()
        time.sleep(rng.uniform(0.0, 0.9 * writing))  # somewhere in embedding and writing 400-odd passages
        writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=30)
        interrupted += "done" not in writer.stdout.read()
        checker = python(CHECKER, str(store), str(old), str(new))
        out, err = checker.communicate(timeout=120)
        assert checker.returncode == 0, err
        state = json.loads(out)
        assert state in ("old", "new"), f"round {round_}: the store holds a half-updated transcript"
        seen.append(state)
        current = state
    assert interrupted >= 10, f"only {interrupted} of 20 kills landed before the write finished: the test proves little"
