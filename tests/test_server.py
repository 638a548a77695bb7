"""A store shared through a Chroma server, end to end: the real CLIs (`python -m ingest`, `python -m
bot ask/chat/eval`) against a real `chroma run` on a free loopback port, pointed at by
VERBATIM_CHROMA_URL, and the same answers as an embedded store built from the same files.

    .venv/bin/python -m pytest tests/test_server.py -q

Outside CI the module skips, with the reason printed, when `chroma run` cannot start; under CI=true
that is a failure. On a failure, the server's log is printed after the test's own output.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import ROOT, skip_or_fail

pytestmark = pytest.mark.server

EU = "data/interviews/interview-eu-kazakhstan-2024-11-27.txt"
ACTIVIST = "eval/transcripts/interview-activist-almaty-2024-12-05.txt"
MUSEUM = "eval/transcripts/museum-podcast-2025-06-02.vtt"
WATER = "eval/transcripts/water-utility-qa-2025-03-14.txt"
FOLDERS = ("data/interviews", "eval/transcripts")  # four small interviews, two of them about Kazakhstan
ABOUT_ONE = {"lake": WATER, "zharyq": ACTIVIST, "petition": EU}  # unscoped questions about one interview
QUESTIONS = [
    {"id": "water", "question": "Is water a human right?"},  # both Kazakhstan interviews speak of water
    {"id": "zharyq", "question": "What does the Zharyq Rights Initiative do?"},
    {"id": "lake", "question": "How full is Lake Corran?"},
    {"id": "petition", "question": "What does the official think about the petition against LGBT propaganda?"},
    {"id": "follow-up", "question": "Would the member states be happy about that?",
     "history": [{"role": "user", "content": "What does the official think about the petition against LGBT propaganda?"},
                 {"role": "assistant", "content": "..."}]},
    {"id": "france", "question": "What is the capital of France?"},
]
VARIES = ("timings",)  # the only fields of an answer that may differ between two runs
ANSI = re.compile(r"\x1b\[[0-9;]*m")


@dataclass(frozen=True)
class Server:
    url: str
    log: Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def clean_env(**extra: str) -> dict[str, str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("VERBATIM_", "OPENAI_", "AZURE_OPENAI"))}
    return environ | {"ANONYMIZED_TELEMETRY": "False"} | extra


def cli(*args: str, stdin: str | None = None, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=180,
                          input=stdin, env=clean_env(**env))


def ok(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 0, f"exit {result.returncode}: {result.stderr[-2000:]}"
    return result.stdout


@contextlib.contextmanager
def chroma_run(folder: Path):
    """`chroma run` on a free loopback port, storing in `folder`, up once its heartbeat answers;
    its process group is killed on the way out."""
    chroma = Path(sys.executable).parent / "chroma"
    if not chroma.exists():
        skip_or_fail(f"{chroma} is missing: `pip install -r requirements.txt` installs chromadb's `chroma` command")
    url, log = f"http://127.0.0.1:{free_port()}", folder / "server.log"
    with open(log, "w") as out:
        process = subprocess.Popen([str(chroma), "run", "--host", "127.0.0.1", "--port", url.rsplit(":", 1)[1],
                                    "--path", str(folder / "data")], cwd=folder, env=clean_env(), stdout=out,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=1) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                skip_or_fail(f"`chroma run` did not answer its heartbeat (exit {process.poll()}): {log.read_text()[-1500:]}")
            time.sleep(0.2)
        yield Server(url, log)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with chroma_run(tmp_path_factory.mktemp("chroma-server")) as running:
        yield running


@pytest.fixture(autouse=True)
def server_log_on_failure(request, server):
    failed = request.session.testsfailed  # counts a test's failure before its teardown runs
    yield
    if request.session.testsfailed > failed:
        print(f"--- chroma server log ({server.log}) ---\n{ANSI.sub('', server.log.read_text())[-4000:]}")


def comparable(answer):
    """An answer without its timings, and its scores to 6 places: a server sends distances as
    32-bit floats, so a score may differ from the embedded one in its 8th decimal."""
    if isinstance(answer, dict):
        return {k: comparable(v) for k, v in answer.items() if k not in VARIES}
    if isinstance(answer, list):
        return [comparable(v) for v in answer]
    return round(answer, 6) if isinstance(answer, float) else answer


def through(server: Server, collection: str) -> dict[str, str]:
    return {"VERBATIM_CHROMA_URL": server.url, "VERBATIM_COLLECTION": collection}


def passage_ids(server: Server, collection: str, source: str) -> set[str]:
    """The passage ids the server holds for `source`, read through the server itself."""
    from vectorstore import make_client

    client = make_client(None, server.url)
    return set(client.get_collection(collection).get(where={"source": source}, include=[])["ids"])


def parsed(source: str):
    from ingest import load_transcript

    return load_transcript(ROOT / source, source=source)


def ask_batch(questions_file: Path, *scope: str, **env: str) -> dict[str, dict]:
    args = [a for source in scope for a in ("--source", source)]
    out = ok(cli("-m", "bot", "ask", "--batch", str(questions_file), "--json", *args, **env))
    return {a["id"]: a for a in map(json.loads, out.splitlines())}


@pytest.fixture(scope="module")
def questions_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("questions") / "questions.jsonl"
    path.write_text("".join(json.dumps(q) + "\n" for q in QUESTIONS), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def shared(server):
    """The four interviews, ingested as two folders through the server: the ingest's output."""
    return ok(cli("-m", "ingest", *FOLDERS, **through(server, "shared")))


@pytest.fixture(scope="module")
def served(shared, server, questions_file):
    """The questions' answers through the server: unscoped, and scoped to each Kazakhstan interview."""
    env = through(server, "shared")
    return {scope: ask_batch(questions_file, *scope, **env) for scope in ((), (ACTIVIST,), (EU,))}


def test_folder_ingest_and_list_through_the_server(shared, server):
    transcripts = [parsed(s) for s in (EU, ACTIVIST, MUSEUM, WATER)]
    for t in transcripts:
        assert f"{t.source}: {t.format}, {len(t.turns)} turns, {len(t.questions)} questions, {len(t.passages)} passages " \
               f"({len(t.passages)} new, 0 removed, 0 kept)" in shared
        assert passage_ids(server, "shared", t.source) == {p.id for p in t.passages}
    assert f"total: 4 transcripts, {sum(len(t.passages) for t in transcripts)} passages" in shared
    listed = ok(cli("-m", "ingest", "--list", **through(server, "shared"))).splitlines()
    assert listed[-1] == "4 transcripts"
    rows = {row.split("\t")[0]: row.split("\t") for row in listed[:-1]}
    assert sorted(rows) == sorted(t.source for t in transcripts)
    for t in transcripts:
        assert f"{len(t.passages)} passages" in rows[t.source] and t.sha256 in rows[t.source]
    again = ok(cli("-m", "ingest", EU, **through(server, "shared")))
    assert f"(0 new, 0 removed, {len(parsed(EU).passages)} kept)" in again, "an unchanged file is not embedded twice"


def test_scoped_questions_cite_only_their_interview(served):
    for scope, answers in served.items():
        assert list(answers) == [q["id"] for q in QUESTIONS]
        for answer in answers.values():
            for c in answer["citations"]:
                assert not scope or c["source"] in scope, f"{answer['id']} scoped to {scope} cites {c['source']}"
                text = (ROOT / c["source"]).read_bytes().decode("utf-8")
                assert text[c["start"] : c["end"]] == c["quote"]
    for scope in ((ACTIVIST,), (EU,)):
        assert served[scope]["water"]["citations"], f"water is spoken of in {scope[0]}"
        assert served[scope]["water"]["searched"] == list(scope)
    for qid, source in ABOUT_ONE.items():
        cited = {c["source"] for c in served[()][qid]["citations"]}
        assert cited == {source}, f"{qid}: an unscoped question about one interview cites {cited}"
    assert served[()]["france"]["abstained"] is True
    assert served[(EU,)]["lake"]["abstained"] is True, "the reservoir is another interview's subject"


def test_same_answers_embedded_and_through_the_server(served, questions_file, tmp_path):
    """Same files, same questions: the same answers, citations, offsets and outcomes in both modes
    (the lexical index must not depend on where the vectors live)."""
    env = {"VERBATIM_STORE": str(tmp_path / "store")}
    ok(cli("-m", "ingest", *FOLDERS, **env))
    for scope in ((), (ACTIVIST,)):
        embedded = ask_batch(questions_file, *scope, **env)
        for qid, answer in served[scope].items():
            assert comparable(embedded[qid]) == comparable(answer), f"{qid} (scope {scope}) differs between the modes"


def test_chat_and_eval_through_the_server(shared, server, tmp_path):
    env = through(server, "shared")
    chat = ok(cli("-m", "bot", "chat", "--source", EU, stdin="What does the official think about the petition against "
                  "LGBT propaganda?\nWould the member states be happy about that?\n\n", **env))
    assert chat.count(f"[1] Interviewee, {EU} ") == 2, chat
    assert "would not be happy" in chat, "the follow-up is answered from the conversation"
    report = tmp_path / "report"
    out = ok(cli("-m", "bot", "eval", "eval/water-utility-qa.testset.jsonl", "--report", str(report), **env))
    assert out.lstrip().startswith("system") and "\nbot " in out
    figures = json.loads((report / "report.json").read_text(encoding="utf-8"))["systems"]["bot"]
    assert figures["questions"] == 20 and figures["verbatim_rate"] == 1.0
    assert figures["hit_rate"] >= 0.6 and figures["mrr"] >= 0.6, figures


def test_remove_deletes_one_transcript_and_nothing_else(server):
    env = through(server, "removal")
    ok(cli("-m", "ingest", "data/interviews", WATER, **env))
    before = {s: passage_ids(server, "removal", s) for s in (EU, WATER)}
    assert before == {s: {p.id for p in parsed(s).passages} for s in (EU, WATER)}
    assert ok(cli("-m", "ingest", "--remove", EU, **env)) == f"{EU}: removed ({len(before[EU])} passages)\n"
    assert passage_ids(server, "removal", EU) == set()
    assert passage_ids(server, "removal", WATER) == before[WATER], "the other transcript keeps every passage"
    listed = ok(cli("-m", "ingest", "--list", **env)).splitlines()
    assert [row.split("\t")[0] for row in listed[:-1]] == [WATER] and listed[-1].startswith("1 transcript")
    scoped = cli("-m", "bot", "ask", "Is water a human right?", "--source", EU, **env)
    assert scoped.returncode == 1 and scoped.stderr.count("\n") == 1 and f"--source {EU}: not in the store" in scoped.stderr
    again = cli("-m", "ingest", "--remove", EU, **env)
    assert again.returncode == 1 and again.stderr.count("\n") == 1 and "--list" in again.stderr


def test_two_writers_at_once_lose_nothing(server):
    """Two processes ingest different files through the server at the same time (an embedded store
    would refuse the second writer): every passage of both arrives, once."""
    env = clean_env(**through(server, "concurrent"))
    files = (MUSEUM, "data/hearings/education_1.txt")
    writers = [subprocess.Popen([sys.executable, "-m", "ingest", f], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True) for f in files]
    results = [(w.communicate(timeout=180), w.returncode) for w in writers]
    for (out, err), code in results:
        assert code == 0, err[-2000:]
    for source in files:
        assert passage_ids(server, "concurrent", source) == {p.id for p in parsed(source).passages}
    from vectorstore import make_client

    collection = make_client(None, server.url).get_collection("concurrent")
    assert collection.count() == sum(len(parsed(s).passages) for s in files), "no passage stored twice"
    listed = ok(cli("-m", "ingest", "--list", **through(server, "concurrent"))).splitlines()
    assert sorted(row.split("\t")[0] for row in listed[:-1]) == sorted(files)


def test_no_server_at_the_url_is_one_line():
    result = cli("-m", "bot", "ask", "Is water a human right?", VERBATIM_CHROMA_URL=f"http://127.0.0.1:{free_port()}")
    assert result.returncode == 1 and result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith("error: cannot reach the Chroma server at http://127.0.0.1:")


def test_a_server_that_goes_away_mid_chat_is_named(tmp_path):
    """The user asks, the server stops, the user asks again: one line naming the server, not a
    misleading 'nothing ingested yet' (which sends them to re-ingest)."""
    with chroma_run(tmp_path) as gone:
        ok(cli("-m", "ingest", EU, **through(gone, "gone")))
        chat = subprocess.Popen([sys.executable, "-m", "bot", "chat"], cwd=ROOT, env=clean_env(**through(gone, "gone")),
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        chat.stdin.write("Is water a human right?\n")
        chat.stdin.flush()
        while not chat.stdout.readline().lstrip().startswith("[1]"):  # the first answer is in
            assert chat.poll() is None, chat.stderr.read()
    out, err = chat.communicate("And who decides that?\n\n", timeout=60)
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert "Chroma server" in err, err


def test_a_running_app_sees_what_another_process_ingests(server, monkeypatch):
    """The app (as `make run` starts it, its bot built from the environment) on the server; a CLI
    ingests another interview meanwhile; the app's next question finds it."""
    from streamlit.testing.v1 import AppTest

    from bot.ui.state import _shared_bot

    env = through(server, "app")
    ok(cli("-m", "ingest", "data/interviews", **env))
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    _shared_bot.clear()  # no bot cached by another test: this one is built from the environment
    try:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90).run()
        assert not at.exception and not at.error, [e.value for e in at.exception or at.error]
        ok(cli("-m", "ingest", WATER, **env))
        at.chat_input[0].set_value("How full is Lake Corran?").run()
        assert not at.exception, [e.value for e in at.exception]
        answer = at.session_state["exchanges"][-1].answer
        assert answer.citations and {c.source for c in answer.citations} == {WATER}
        assert "Lake Corran, is at 41 percent" in answer.citations[0].quote
    finally:
        _shared_bot.clear()
