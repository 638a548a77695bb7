"""The command-line contract of DESIGN.md, run as a user runs it: real processes, real store."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import INTERVIEW, ROOT

TEXT = INTERVIEW.read_bytes().decode("utf-8")
SOURCE = "data/interviews/interview-eu-kazakhstan-2024-11-27.txt"


def run(*args, cwd=ROOT, **env):
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("VERBATIM_", "OPENAI_"))}
    return subprocess.run([sys.executable, *args], cwd=cwd, capture_output=True, text=True, timeout=120,
                          env=environ | env)


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cli") / "store"
    first = run("-m", "ingest", SOURCE, "--store", str(folder))
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith(f"{SOURCE}: paragraphs, 10 turns, 5 questions, 12 passages (12 new, 0 removed, 0 kept), ")
    again = run("-m", "ingest", SOURCE, "--store", str(folder))
    assert "(0 new, 0 removed, 12 kept)" in again.stdout, "ingesting twice changes nothing"
    return folder


def test_ask_json_contract(store):
    result = run("-m", "bot", "ask", "Is water a human right?", "--store", str(store), "--json")
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert {"question", "standalone_question", "answer", "abstained", "mode", "citations", "timings"} <= answer.keys()
    assert answer["mode"] == "extractive" and answer["abstained"] is False
    assert answer["outcome"] in ("answer", "candidates") and answer["confidence"] in ("high", "low")
    assert set(answer["scores"]) == {"answerable", "answer"} and answer["searched"] == [SOURCE]
    for c in answer["citations"]:
        assert {"n", "source", "start", "end", "quote", "speaker", "question"} <= c.keys()
        assert c["source"] == SOURCE, "source is the path as given to ingest"
        assert TEXT[c["start"] : c["end"]] == c["quote"]
        assert f"[{c['n']}]" in answer["answer"]
        assert {"text", "speaker", "start", "end"} <= c["question"].keys()
    first = answer["citations"][0]
    assert "Water is also a human right." in first["quote"]
    assert first["question"]["text"] == "What do you mean by big picture?"
    assert answer["timings"]["total"] > 0


def test_ask_plain_text_shows_citations(store):
    result = run("-m", "bot", "ask", "Is water a human right?", "--store", str(store))
    assert result.returncode == 0
    assert "Water is also a human right." in result.stdout
    assert f"[1] Interviewee, {SOURCE}" in result.stdout


def test_batch_keeps_order_and_ids(store, tmp_path):
    questions = tmp_path / "q.jsonl"
    items = [
        {"id": "b", "question": "What does the official think about the petition against LGBT propaganda?"},
        {"id": "a", "question": "Would the member states be happy about that?",
         "history": [{"role": "user", "content": "What does the official think about the petition against LGBT propaganda?"},
                     {"role": "assistant", "content": "..."}]},
        {"id": "c", "question": "What is the capital of France?"},
    ]
    questions.write_text("\n".join(json.dumps(i) for i in items) + "\n", encoding="utf-8")
    result = run("-m", "bot", "ask", "--batch", str(questions), "--store", str(store), "--json")
    assert result.returncode == 0, result.stderr
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert [a["id"] for a in answers] == ["b", "a", "c"]
    assert "would not be happy" in " ".join(c["quote"] for c in answers[1]["citations"])
    assert answers[2]["abstained"] is True


def test_bad_batch_line_is_one_line_error(store, tmp_path):
    questions = tmp_path / "bad.jsonl"
    questions.write_text('{"id": 1, "question": "ok?"}\n{not json\n', encoding="utf-8")
    result = run("-m", "bot", "ask", "--batch", str(questions), "--store", str(store), "--json")
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0 and "bad.jsonl:2: not valid JSON" in result.stderr
    first, second = [json.loads(line) for line in result.stdout.splitlines()]
    assert first["id"] == "1" and "answer" in first, "the good line is answered: a bad one does not abort the batch"
    assert second == {"id": "2", "error": second["error"]} and "not valid JSON" in second["error"]


def test_a_batch_line_may_hold_any_character_and_a_too_long_question_is_its_own_error(store, tmp_path):
    questions = tmp_path / "odd.jsonl"
    questions.write_text(json.dumps({"id": "sep", "question": "Is water\u2028a human right?"}, ensure_ascii=False) + "\n"
                         + json.dumps({"id": "long", "question": "why " * 1000}) + "\n", encoding="utf-8")
    result = run("-m", "bot", "ask", "--batch", str(questions), "--store", str(store), "--json")
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert [a["id"] for a in answers] == ["sep", "long"]
    assert "answer" in answers[0], "U+2028 inside a JSON string does not split the line"
    assert "characters long" in answers[1]["error"] and result.returncode == 1


def test_missing_store_says_what_to_do(tmp_path):
    result = run("-m", "bot", "ask", "Anything?", "--store", str(tmp_path / "none"))
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.startswith("error: no store at") and "python -m ingest" in result.stderr
    assert "Traceback" not in result.stderr and result.stderr.count("\n") == 1


@pytest.mark.parametrize(("name", "data", "message"), [
    ("empty.txt", b"", "is empty"),
    ("binary.txt", bytes(range(256)) * 4, "binary"),
    ("latin1.txt", "Ça va? Très bien.".encode("latin-1"), "not UTF-8"),
])
def test_bad_files_leave_the_store_unchanged(store, tmp_path, name, data, message):
    bad = tmp_path / name
    bad.write_bytes(data)
    result = run("-m", "ingest", SOURCE, str(bad), "--store", str(store))
    assert result.returncode == 1
    assert message in result.stderr and "Traceback" not in result.stderr and result.stderr.count("\n") == 1
    assert result.stdout == "", "a bad file stops the run before anything is written"
    check = run("-m", "bot", "ask", "Is water a human right?", "--store", str(store), "--json")
    assert json.loads(check.stdout)["citations"], "the store still answers"


def test_debug_shows_the_traceback(tmp_path):
    result = run("-m", "bot", "ask", "Anything?", "--store", str(tmp_path / "none"), "--debug")
    assert result.returncode != 0 and "Traceback" in result.stderr and "StoreMissingError" in result.stderr


def test_wrong_embedding_model_is_refused(store):
    result = run("-m", "bot", "ask", "Is water a human right?", "--store", str(store), VERBATIM_EMBEDDINGS="openai",
                 OPENAI_BASE_URL="http://127.0.0.1:9/v1")
    assert result.returncode == 1
    assert "built with the embedding model 'all-MiniLM-L6-v2-onnx-int8'" in result.stderr


def test_bad_setting_is_one_line(store):
    result = run("-m", "bot", "ask", "x?", "--store", str(store), VERBATIM_ANSWERER="magic")
    assert result.returncode == 1 and "VERBATIM_ANSWERER='magic': choose one of" in result.stderr


def test_a_corpus_from_folders_listed_scoped_and_pruned(tmp_path):
    """`python -m ingest DIR`, `--list`, `--remove SOURCE`, and `--source` on `ask`: one transcript
    goes and nothing else does; a README inside a folder is skipped with a line, not fatal."""
    folder = tmp_path / "store"
    result = run("-m", "ingest", "eval/transcripts", "data/interviews", "--store", str(folder))
    assert result.returncode == 0, result.stderr
    files = ["data/interviews/interview-eu-kazakhstan-2024-11-27.txt", "eval/transcripts/interview-activist-almaty-2024-12-05.txt",
             "eval/transcripts/museum-podcast-2025-06-02.vtt", "eval/transcripts/water-utility-qa-2025-03-14.txt"]
    for f in files:
        assert any(line.startswith(f"{f}: ") for line in result.stdout.splitlines())
    assert result.stdout.splitlines()[-1].startswith("total: 4 transcripts, ")
    listed = run("-m", "ingest", "--list", "--store", str(folder))
    rows = [line.split("\t") for line in listed.stdout.splitlines()[:-1]]
    assert [r[0] for r in rows] == sorted(files) and listed.stdout.splitlines()[-1] == "4 transcripts"
    activist = next(r for r in rows if "activist" in r[0])
    assert activist[1].startswith("Interview with activist") and activist[2] == "2024-12-05" and len(activist[5]) == 64
    scoped = run("-m", "bot", "ask", "What does she think of quiet diplomacy?", "--store", str(folder), "--json",
                 "--source", "eval/transcripts/interview-activist-almaty-2024-12-05.txt")
    answer = json.loads(scoped.stdout)
    assert answer["searched"] == ["eval/transcripts/interview-activist-almaty-2024-12-05.txt"]
    assert {c["source"] for c in answer["citations"]} <= {"eval/transcripts/interview-activist-almaty-2024-12-05.txt"}
    removed = run("-m", "ingest", "--remove", "eval/transcripts/museum-podcast-2025-06-02.vtt", "--store", str(folder))
    assert removed.returncode == 0 and "removed (70 passages)" in removed.stdout
    after = run("-m", "ingest", "--list", "--store", str(folder)).stdout
    assert "museum-podcast" not in after and after.splitlines()[-1] == "3 transcripts"
    again = run("-m", "ingest", "--remove", "eval/transcripts/museum-podcast-2025-06-02.vtt", "--store", str(folder))
    assert again.returncode == 1 and again.stderr.count("\n") == 1 and "--list" in again.stderr
    unknown = run("-m", "bot", "ask", "Anything?", "--store", str(folder), "--source", "nope.txt")
    assert unknown.returncode == 1 and "not in the store" in unknown.stderr and "Traceback" not in unknown.stderr
    readme = tmp_path / "corpus"
    readme.mkdir()
    (readme / "README.md").write_text("A folder of interviews.\n", encoding="utf-8")
    (readme / "talk.txt").write_text("Q: Why?\nA: Because it rains.\n", encoding="utf-8")
    mixed = run("-m", "ingest", str(readme), "--store", str(folder))
    assert mixed.returncode == 0 and "skipped" in mixed.stderr and "README.md" in mixed.stderr
    assert "talk.txt: qa" in mixed.stdout


def test_the_same_file_under_another_spelling_is_pointed_out(tmp_path):
    folder = tmp_path / "store"
    assert run("-m", "ingest", SOURCE, "--store", str(folder)).returncode == 0
    again = run("-m", "ingest", str(ROOT / SOURCE), "--store", str(folder))
    assert again.returncode == 0 and f"has the same text as {SOURCE}" in again.stderr


def test_a_transcripts_escape_sequences_are_shown_not_obeyed(tmp_path):
    talk = tmp_path / "escape.txt"
    talk.write_text("title: Ti\x1b]0;pwned\x07tle\n\nQ: What colour is the sky?\nA: The sky is \x1b[31mred\x1b[0m today.\n",
                    encoding="utf-8")
    folder = tmp_path / "store"
    assert run("-m", "ingest", str(talk), "--store", str(folder)).returncode == 0
    asked = run("-m", "bot", "ask", "What colour is the sky?", "--store", str(folder))
    listed = run("-m", "ingest", "--list", "--store", str(folder))
    for out in (asked.stdout, listed.stdout):
        assert "\x1b" not in out and "\x07" not in out
    assert "\\x1b[31mred" in asked.stdout and "\\x1b]0;pwned\\x07" in listed.stdout


@pytest.mark.parametrize("problem", ["a file", "under /proc", "a damaged database"])
def test_a_store_that_cannot_be_one_is_one_line(tmp_path, problem):
    if problem == "a file":
        store = tmp_path / "file"
        store.write_text("not a store", encoding="utf-8")
    elif problem == "under /proc":
        store = "/proc/verbatim-store"
    else:
        store = tmp_path / "damaged"
        store.mkdir()
        (store / "chroma.sqlite3").write_bytes(bytes(range(256)) * 200)
    for args in (["-m", "ingest", SOURCE], ["-m", "bot", "ask", "Anything?"], ["-m", "ingest", "--list"]):
        result = run(*args, "--store", str(store))
        assert result.returncode == 1 and result.stderr.startswith("error: ") and "Traceback" not in result.stderr, args
        assert result.stderr.count("\n") == 1
