"""The Evaluate page: run a shipped or uploaded test set against the current store.

The same code as `python -m bot eval` (`bot.evaluation.evaluate.evaluate`, `bot.evaluation.report`),
so the page and the command give the same figures on the same store: each question searches only
its test set's interviews, never an upload that happens to sit beside them. `bot.ui.eval_results`
draws the report (metrics explained, baselines in a sentence, charts, failures as cards); the
report files can be downloaded. Test sets are JSON lines in the format of DESIGN.md.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import streamlit as st

from bot.evaluation import report as reports
from bot.ui import eval_results, state
from bot.evaluation.baselines import BASELINES
from bot.errors import USER_ERRORS
from bot.evaluation.evaluate import evaluate, load_testset
from bot.export import markdown_escape

EVAL_DIR = Path(__file__).resolve().parents[2] / "eval"


def shipped_testsets() -> list[Path]:
    return sorted(EVAL_DIR.glob("*.jsonl"))


def missing_sources(path: Path, ingested: set[str]) -> list[str]:
    """The transcripts a test set names (`"source"`) that the store does not hold."""
    named = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            source = json.loads(line).get("source") if line.strip() else None
        except (json.JSONDecodeError, AttributeError):
            continue
        if source:
            named.add(os.path.normpath(source))
    return sorted(named - ingested)


def command(path: str, baselines: bool, offline: bool) -> str:
    """The command line that gives the page's figures on the same store.

    >>> command("eval/a.testset.jsonl", True, False)
    'python -m bot eval eval/a.testset.jsonl --baselines'
    """
    return f"python -m bot eval {path}" + (" --baselines" if baselines else "") + (" --mode extractive" if offline else "")


def _run(bot, path: Path, name: str, baselines: bool, shown_path: str) -> None:
    bar = st.progress(0.0, text="Loading the test set…")
    try:
        cases = load_testset(path)

        def progress(done: int, total: int) -> None:
            bar.progress(done / total, text=f"Answering question {done} of {total}")

        result = evaluate(bot, cases, list(BASELINES) if baselines else [], progress)
    except USER_ERRORS as exc:
        bar.empty()
        st.error(markdown_escape(str(exc)))
        return
    bar.empty()
    offline = bot.chat_model is None and state.current_bot().chat_model is not None
    st.session_state[state.EVAL_REPORT] = (name, result, command(shown_path, baselines, offline))
    st.session_state[eval_results.FAILURE_PAGE] = 0


def _show(name: str, result: dict, command: str | None = None) -> None:
    bot = state.current_bot()
    try:
        titles = {info.source: info.title for info in bot.store.sources()}
    except USER_ERRORS:
        titles = {}
    eval_results.show(name, result, titles, command)
    with st.container(horizontal=True, gap="small"):
        st.download_button("report.json", json.dumps(result, indent=2, ensure_ascii=False), file_name="report.json",
                           mime="application/json", on_click="ignore", icon=":material/download:")
        st.download_button("report.md", reports.markdown(result, f"Evaluation of {name}"), file_name="report.md",
                           mime="text/markdown", on_click="ignore", icon=":material/download:")


def page() -> None:
    bot = state.answering_bot(state.current_bot())
    st.markdown("#### Evaluate")
    st.caption("Score the bot on a test set: questions with gold passages, unanswerable questions and follow-up "
               "chains. As with `python -m bot eval`, each question searches only the interviews its test set is "
               "about, not other uploads in the store. Deterministic metrics, no model as judge.")
    kind = st.radio("Test set", ["shipped", "upload"], horizontal=True, label_visibility="collapsed",
                    format_func={"shipped": "A shipped test set", "upload": "Upload a test set"}.get)
    path = name = None
    if kind == "shipped":
        shipped = shipped_testsets()
        try:
            ingested = {s.source for s in bot.store.sources()}
        except USER_ERRORS:
            ingested = set()
        missing = {p: missing_sources(p, ingested) for p in shipped}
        runnable = [p for p in shipped if not missing[p]]
        picked = st.selectbox(
            "Shipped test set (eval/)", runnable + [p for p in shipped if missing[p]],
            format_func=lambda p: p.name + (f" (needs {', '.join(Path(m).name for m in missing[p])})" if missing[p] else ""))
        path, name = picked, picked.name if picked else None
    else:
        upload = st.file_uploader("Test set (JSON lines)", type=["jsonl"], key="testset-upload",
                                  help='One object a line: {"id", "question", "history"?, "answerable"?, '
                                       '"gold_quotes"?, "gold_spans"?, "source"?, "category"?}')
        if upload is not None:
            name = Path(upload.name.replace("\\", "/")).name
    baselines = st.checkbox("Compare with the baselines (BM25, dense, the 1000/200 splitter + Chroma top-4)")
    if st.button("Run the evaluation", type="primary", disabled=name is None, icon=":material/play_arrow:"):
        if kind == "upload":
            with tempfile.TemporaryDirectory() as folder:
                path = Path(folder) / name  # the file name says which transcript a test set is about
                path.write_bytes(upload.getvalue())
                _run(bot, path, name, baselines, name)
        else:
            _run(bot, path, name, baselines, os.path.relpath(path, EVAL_DIR.parent))
    if saved := st.session_state.get(state.EVAL_REPORT):
        _show(*saved)
