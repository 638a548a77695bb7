"""The app's Evaluate page through `AppTest`: a shipped test set, an uploaded one with baselines, a bad one."""

from __future__ import annotations

import json

from bot.ui.evaluate import EVAL_DIR
from tests.test_app import plain, run_app


def test_the_evaluate_page_runs_a_shipped_test_set(interview_bot):
    at = run_app(interview_bot, "app_pages/evaluate.py")
    at.selectbox[0].set_value(EVAL_DIR / "interview-eu-kazakhstan.testset.jsonl").run()
    at.button[0].click().run(timeout=120)
    assert not at.exception and not at.error
    table = at.dataframe[0].value
    bot_row = table[table["system"] == "bot"].iloc[0]
    report = at.session_state["eval_report"][1]["systems"]["bot"]
    assert bot_row["verbatim"] == "1.000" == f"{report['verbatim_rate']:.3f}"
    assert bot_row["hit rate"] == f"{report['hit_rate']:.3f}" and report["questions"] >= 50
    assert at.get("imgs") or at.get("image"), "the chart is shown"
    assert any("Failures of the bot" in m.value for m in at.markdown)


def test_the_evaluate_page_takes_an_uploaded_test_set_with_baselines(interview_bot, tmp_path):
    lines = [
        {"id": "w", "question": "Is water a human right?", "gold_quotes": ["Water is also a human right."]},
        {"id": "u", "question": "What about visas for students?", "answerable": False},
    ]
    at = run_app(interview_bot, "app_pages/evaluate.py")
    at.radio[0].set_value("upload").run()
    at.file_uploader[0].set_value(("mine.jsonl", "\n".join(map(json.dumps, lines)).encode(), "application/json")).run()
    at.checkbox[0].check().run()
    at.button[0].click().run(timeout=120)
    assert not at.error, [e.value for e in at.error]
    systems = list(at.dataframe[0].value["system"])
    assert systems[0] == "bot" and "bm25-top3" in systems and "rcts-chroma-top4" in systems
    at.file_uploader[0].set_value(("bad.jsonl", b'{"question": "no gold"}\n', "application/json")).run()
    at.button[0].click().run()
    assert "bad.jsonl:1: an answerable question needs gold" in plain(at.error[0].value)
