"""The app's Evaluate page through `AppTest`: a shipped test set, an uploaded one with baselines, a bad
one; retrieval scoped to the test set's interviews as `python -m bot eval` scopes it; failures as
cards that page and ask their question in the chat; metrics explained; the charts."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from html import unescape

import pytest

from bot.evaluation import report as reports
from bot.evaluation.evaluate import evaluate, load_testset
from bot.ui.chat import PENDING
from bot.ui.eval_results import FAILURES_PER_PAGE
from bot.ui.evaluate import EVAL_DIR
from tests.conftest import INTERVIEW, INTERVIEW_SOURCE, ROOT
from tests.test_app import html, plain, run_app, texts

ACTIVIST_SOURCE = "eval/transcripts/interview-activist-almaty-2024-12-05.txt"
# No "source": the page must find the test set's interview itself, and search only it.
SCOPED_SET = [
    {"id": "w", "question": "Is water a human right?", "gold_quotes": ["Water is also a human right."]},
    {"id": "s", "question": "What does Aigerim Bekova say about shelters for women who leave violent homes?",
     "answerable": False},
    {"id": "z", "question": "What does the Zharyq Rights Initiative do?", "answerable": False},
    {"id": "j", "question": "What happened to the journalists charged with spreading false information?",
     "answerable": False},
]
SCORED = [key for key, _ in reports.COLUMNS if not key.startswith("latency")]


def upload(at, name: str, lines: list[dict]):
    at.radio[0].set_value("upload").run()
    at.file_uploader[0].set_value((name, "\n".join(map(json.dumps, lines)).encode(), "application/json")).run()
    return at


def metrics_table(at) -> dict[str, dict[str, str]]:
    """The metrics table as the reader sees it: {measure: {system: cell}}."""
    table = next(h for h in html(at) if 'class="vb-metrics"' in h)
    head = [unescape(h) for h in re.findall(r"<th>(.*?)</th>", table)]
    out = {}
    for row in re.findall(r"<tr><td><b>(.*?)</tr>", table):
        label = unescape(row.split("</b>", 1)[0])
        out[label] = dict(zip(head[1:], re.findall(r'<td class="vb-num">(.*?)</td>', row)))
    return out


def failure_cards(at) -> list[str]:
    return [h for h in html(at) if 'class="vb-fail"' in h]


@pytest.fixture(scope="module")
def two_interview_bot(tmp_path_factory, minilm):
    """The bundled interview and the activist's, whose topics overlap it, in one store."""
    from bot.backends import open_store
    from bot.pipeline import Bot
    from bot.settings import Settings
    from ingest import load_transcript

    settings = replace(Settings(), store_dir=tmp_path_factory.mktemp("two-interviews"))
    store = open_store(settings, create=True, embeddings=minilm)
    store.add(load_transcript(INTERVIEW, source=INTERVIEW_SOURCE))
    store.add(load_transcript(ROOT / ACTIVIST_SOURCE, source=ACTIVIST_SOURCE))
    return Bot(settings, store, minilm)


def test_the_evaluate_page_runs_a_shipped_test_set(interview_bot):
    at = run_app(interview_bot, "app_pages/evaluate.py")
    at.selectbox[0].set_value(EVAL_DIR / "interview-eu-kazakhstan.testset.jsonl").run()
    at.button[0].click().run(timeout=120)
    assert not at.exception and not at.error
    bot = metrics_table(at)
    report = at.session_state["eval_report"][1]["systems"]["bot"]
    assert bot["verbatim"]["bot"] == "1.000" == f"{report['verbatim_rate']:.3f}"
    assert bot["hit rate"]["bot"] == f"{report['hit_rate']:.3f}" and report["questions"] >= 50
    # the charts: hit rate against precision, risk–coverage from the bot's confidence scores, and the
    # labels' reliability: what each label states against what it got on this test set
    assert [t.label for t in at.tabs] == ["Hit rate and precision", "Risk–coverage", "Labels: stated and observed"]
    assert len(at.get("image")) == 3 and at.session_state["eval_report"][1]["risk_coverage"]["bot"]
    labels = at.session_state["eval_report"][1]["labels"]
    shown = at.dataframe[0].value
    assert list(shown["label"]) == ["Answer", "Likely answer", "Closest passages, not a confirmed answer", "Not addressed"]
    assert list(shown["answers"]) == [m["answers"] for m in labels.values()]
    assert sum(m["answers"] for m in labels.values()) == report["questions"]
    assert labels["not_addressed"]["stated"] == interview_bot.calibrated.stated_rate("not_addressed")
    assert "Searched only the test set’s interview: Interview EU Kazakhstan." in texts(at)
    assert at.code[0].value == "python -m bot eval eval/interview-eu-kazakhstan.testset.jsonl"


def test_the_page_searches_only_the_test_sets_interview_as_the_command_does(two_interview_bot, tmp_path):
    at = upload(run_app(two_interview_bot, "app_pages/evaluate.py"), "mine.jsonl", SCOPED_SET)
    at.button[0].click().run(timeout=120)
    assert not at.exception and not at.error, [e.value for e in at.error]
    shown = metrics_table(at)
    path = tmp_path / "mine.jsonl"
    path.write_text("\n".join(map(json.dumps, SCOPED_SET)), encoding="utf-8")
    cases = load_testset(path)

    def figures(scope):  # what `python -m bot eval mine.jsonl --source …` reports
        metrics = evaluate(two_interview_bot, [replace(c, scope=scope) for c in cases])["systems"]["bot"]
        return {label: reports.cell(metrics.get(key)) for key, label in reports.COLUMNS if key in SCORED}

    on_page = {label: cells["bot"] for label, cells in shown.items() if label in figures((INTERVIEW_SOURCE,))}
    assert on_page == figures((INTERVIEW_SOURCE,))
    assert on_page != figures((INTERVIEW_SOURCE, ACTIVIST_SOURCE)), "unscoped, the activist's words would count"
    said = texts(at)
    assert ("Searched only the test set’s interview: Interview EU Kazakhstan (the other interview in the store "
            "was not searched).") in said
    assert at.session_state["eval_report"][1]["searched"] == [INTERVIEW_SOURCE]
    # asked in the chat, the failed question searches what the evaluation searched, and says so
    failures = at.session_state["eval_report"][1]["failures"]
    assert failures, "the page shows what failed as cards, each with a button that asks it in the chat"
    failed = failures[0]
    at.button(key="eval-ask-0").click().run()
    assert not at.exception and at.session_state["choices"].sources == (INTERVIEW_SOURCE,)
    said = texts(at)
    assert "Interviews to search: Interview EU Kazakhstan, as in the evaluation." in said
    assert failed["question"] in said + "".join(html(at)) and "Searched: Interview EU Kazakhstan\n" in said


def test_the_evaluate_page_takes_an_uploaded_test_set_with_baselines(interview_bot):
    lines = [
        {"id": "w", "question": "Is water a human right?", "gold_quotes": ["Water is also a human right."]},
        {"id": "u", "question": "What about visas for students?", "answerable": False},
    ]
    at = upload(run_app(interview_bot, "app_pages/evaluate.py"), "mine.jsonl", lines)
    at.checkbox[0].check().run()
    at.button[0].click().run(timeout=120)
    assert not at.error, [e.value for e in at.error]
    table = metrics_table(at)
    systems = list(table["hit rate"])
    assert systems[0] == "bot" and "bm25-top3" in systems and "rcts-chroma-top4" in systems
    # every measure with its one-line meaning beside it
    page = "".join(html(at))
    for key, label in reports.COLUMNS:
        assert f"<b>{label}</b><small>{reports.EXPLAINED[key].replace('`', '')}</small>" in unescape(page)
    report = at.session_state["eval_report"][1]
    sentence = reports.comparison(report)
    assert sentence.startswith(f"The bot's hit rate is {table['hit rate']['bot']}, ")
    assert "BM25 top 3 (" in sentence and sentence in texts(at)
    assert at.code[0].value == "python -m bot eval mine.jsonl --baselines"
    at.file_uploader[0].set_value(("bad.jsonl", b'{"question": "no gold"}\n', "application/json")).run()
    at.button[0].click().run()
    assert "bad.jsonl:1: an answerable question needs gold" in plain(at.error[0].value)


def test_failures_are_cards_a_page_at_a_time_that_ask_in_the_chat(interview_bot):
    # Questions the interview answers, marked unanswerable: each is a failure; one is hostile text.
    asked = ["Is water a human right?", "Which values does the EU base its relationship with Kazakhstan on?",
             "Which human rights issues did the official raise with the Ombudsperson?"]
    lines = [{"id": f"f{i}", "question": asked[i % 3] + f" ({i})", "answerable": False, "category": "trap"}
             for i in range(FAILURES_PER_PAGE + 2)]
    lines[0]["question"] = 'Is water a human right? <img src=x onerror="alert(1)">'
    lines.append({"id": "fu", "question": "And why is that?", "answerable": True,  # gold elsewhere: a miss
                  "gold_quotes": ["First of all, I want to say that we actually are against any discrimination in society."],
                  "history": [{"role": "user", "content": "Is water a human right?"}]})
    at = upload(run_app(interview_bot, "app_pages/evaluate.py"), "traps.jsonl", lines)
    at.button[0].click().run(timeout=120)
    failures = at.session_state["eval_report"][1]["failures"]
    assert len(failures) > FAILURES_PER_PAGE
    cards = failure_cards(at)
    assert len(cards) == FAILURES_PER_PAGE, "a page of cards, not every failure at once"
    first = cards[0]
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in first and "<img" not in first
    assert "to decline: the interview does not address this question" in first
    assert "Answered, but the interview does not address this question." in unescape(first) or "Offered" in first
    cited = failures[0]["cited"][0]
    assert f"characters {cited['start']}–{cited['end']}" in first
    assert f"Failures of the bot: {len(failures)}" in texts(at)
    at.button(key="eval-failures-next").click().run()
    rest = failure_cards(at)
    assert len(rest) == len(failures) - FAILURES_PER_PAGE and rest[0] != first
    follow_up = next(c for c in rest if "And why is that?" in c)
    assert "follow-up to <q>Is water a human right?</q>" in follow_up
    at.button(key=f"eval-ask-{len(failures) - 1}").click().run()
    assert not at.exception
    # the chat asked it (the pending question was taken) as the bot searched it: on its own
    assert PENDING not in at.session_state
    assert "And why is that? (context: Is water a human right?)" in texts(at) + "".join(html(at))
