"""What the reader is told an answer is (issue: "labels that mean something"), the sentence that
answers inside the highlight, the interviewer's words as evidence, and "not addressed" that holds
with many interviews in the store. Real offline bot, real Chroma, the shipped calibration."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from bot import calibration, labels
from bot.cli import render
from bot.evaluation import calibrate
from bot.evaluation.metrics import Cited, first_holds_answer, label_rates
from bot.pipeline import Bot
from tests.conftest import INTERVIEW_SOURCE, ROOT, open_bot

TEXT = (ROOT / INTERVIEW_SOURCE).read_bytes().decode("utf-8")
UNION_SOURCE = "tests/fixtures/union-leader.txt"
MORE = ["eval/transcripts/interview-activist-almaty-2024-12-05.txt", "eval/transcripts/water-utility-qa-2025-03-14.txt",
        "eval/transcripts/museum-podcast-2025-06-02.vtt", "data/hearings/covid_0.txt", "data/hearings/education_1.txt",
        "data/hearings/education_2.txt"]


def test_every_label_says_what_it_was_measured_to_mean():
    shipped = calibration.load()
    assert set(shipped.rates) == set(labels.LABELS), "make calibrate states a rate for every label"
    for label in labels.LABELS:
        rate, measured = shipped.rates[label]
        assert measured == 0 or 0.0 <= rate <= 1.0
    said = labels.explain(labels.LIKELY, 0.76)
    assert said.startswith("About 3 in 4 answers labelled like this were right on interviews")


@pytest.mark.parametrize("label", [labels.LIKELY, labels.CLOSEST])
def test_an_answer_carries_its_label_and_stated_rate_in_json_and_the_terminal(interview_bot, label):
    """"and who would decide that?" was read as "Closest passages" like every other answer: the label
    now follows the calibrated probability that its first citation answers."""
    shipped = interview_bot.calibrated
    forced = replace(shipped, answerable=replace(shipped.answerable, threshold=0.0), answer=replace(shipped.answer, threshold=1.01),
                     on_topic=replace(shipped.on_topic, threshold=0.0) if shipped.on_topic else None,
                     likely_threshold=0.0 if label == labels.LIKELY else 1.01)
    bot = Bot(interview_bot.settings, interview_bot.store, interview_bot.embeddings, calibrated=forced)
    answer = bot.ask("Would the member states be happy about the petition against LGBT propaganda?")
    data = json.loads(json.dumps(answer.to_json()))
    assert (data["label"], data["outcome"], data["confidence"]) == (label, "candidates", "low")
    assert data["stated_rate"] == shipped.stated_rate(label)
    shown = render(answer)
    assert shown.splitlines()[0] == {labels.LIKELY: "Likely answer (not confirmed):",
                                     labels.CLOSEST: "Closest passages (low confidence: not a confirmed answer):"}[label]
    if shipped.stated_rate(label) is not None:
        assert labels.explain(label, shipped.stated_rate(label)) in shown
    assert answer.text.startswith("Likely answer: [1]") == (label == labels.LIKELY)


def test_an_abstention_is_labelled_not_addressed(interview_bot):
    answer = interview_bot.ask("What is the capital of France?")
    assert (answer.label, answer.abstained) == (labels.NOT_ADDRESSED, True)
    assert answer.stated_rate == interview_bot.calibrated.stated_rate(labels.NOT_ADDRESSED)


def test_label_rates_count_a_not_addressed_unanswerable_question_as_right():
    results = [Cited("a", True, False, [("s", 0, 5, True)], [(0, 9)], [], "s", label="likely"),
               Cited("b", True, False, [("s", 20, 25, True)], [(0, 9)], [], "s", label="likely"),
               Cited("c", False, True, [], [], [], "s", label="not_addressed"),
               Cited("d", True, True, [], [(0, 9)], [], "s", label="not_addressed")]
    rates = label_rates(results, labels.LABELS)
    assert rates["likely"] == {"answers": 2, "rate": 0.5}
    assert rates["not_addressed"] == {"answers": 2, "rate": 0.5}
    assert rates["answer"] == {"answers": 0, "rate": None}


def test_the_highlight_holds_the_sentence_that_answers_when_it_leans_on_the_one_before(interview_bot):
    """"Does the EU back the reforms?" highlighted the sentence before "We are very supportive of
    those", the first sentence of the next paragraph of the same answer: the quote now reaches it."""
    answer = interview_bot.ask("Does the EU back the reforms?")
    first = answer.citations[0]
    assert "We are very supportive of those" in first.quote and "reforms your president has now launched" in first.quote
    assert TEXT[first.start:first.end] == first.quote and "\n\n" in first.quote


def test_the_highlight_is_scored_apart_from_the_passage():
    inside = Cited("a", True, False, [("s", 10, 60, True)], [(20, 40)], [], "s")
    partly = Cited("b", True, False, [("s", 10, 30, True)], [(20, 40)], [], "s")
    assert first_holds_answer(inside) and not first_holds_answer(partly)


@pytest.mark.parametrize(("question", "stated"), [
    ("On what date was the petition discussed?", "On August 1, while the EU High Representative"),
    ("Who said the partnership is limited by the countries' desire?", "Peter Stano said that the partnership"),
])
def test_a_fact_only_the_interviewer_states_is_cited_as_the_interviewers_words(interview_bot, question, stated):
    answer = interview_bot.ask(question)
    first = answer.citations[0]
    assert stated in first.quote and first.role == "question" and first.speaker == "Interviewer"
    assert TEXT[first.start:first.end] == first.quote
    assert "the interviewer:" in answer.text.lower() or "the interviewer says" in answer.text.lower()
    assert all(c.role == "answer" for c in answer.citations[1:]), "the interviewee's words are never the interviewer's"


@pytest.fixture(scope="module")
def nine(tmp_path_factory, minilm):
    """Nine transcripts: the bundled interview, the union leader's, the activist's, two written for
    evaluation and three public hearings."""
    return open_bot(tmp_path_factory.mktemp("nine"), minilm, INTERVIEW_SOURCE, UNION_SOURCE, *MORE)


@pytest.mark.parametrize("sources", [[INTERVIEW_SOURCE], [INTERVIEW_SOURCE, UNION_SOURCE], None])
@pytest.mark.parametrize("question", ["Who won the FIFA World Cup in 2018?", "How do I bake sourdough bread?",
                                      "What is the boiling point of ethanol in Fahrenheit?"])
def test_an_off_topic_question_is_not_addressed_with_one_two_or_nine_interviews(nine, sources, question):
    """With a second interview in the store "What is the capital of France?" got two of the union
    leader's quotes as closest passages: more passages searched make a chance match closer, which
    the on-topic model now weighs (`log_passages`)."""
    answer = nine.ask(question, sources=sources)
    assert answer.abstained and answer.label == labels.NOT_ADDRESSED, [c.quote for c in answer.citations]


def test_a_question_on_a_word_one_interview_uses_is_at_most_the_closest_passages(nine):
    """The union leader mentions France ("A European company would never refuse to meet a union in
    France."): "What is the capital of France?" is then a near miss, not off every topic. It is not
    always recognised as unanswered, but it is never labelled an answer."""
    answer = nine.ask("What is the capital of France?", sources=[INTERVIEW_SOURCE, UNION_SOURCE])
    assert answer.label in (labels.CLOSEST, labels.NOT_ADDRESSED)


def test_development_questions_are_asked_again_over_two_and_twenty_transcripts():
    cases = [calibrate.EvalCase("q1", "Why?", [], True, ["x"], [(0, 1)], "a.txt", None),
             calibrate.EvalCase("q2", "Who?", [], True, ["x"], [(0, 1)], "a.txt", None, scope=("a.txt", "b.txt"))]
    sources = [f"{k}.txt" for k in "abcdefghijklmnopqrstuvwxyz"]
    wide = calibrate.widened(cases, sources)
    assert [(c.id, len(c.scope)) for c in wide] == [("q1@2", 2), ("q1@20", 20)], "a question already scoped stays as it is"
    assert wide == calibrate.widened(cases, sources), "the same transcripts are drawn every run"
    assert all("a.txt" in c.scope for c in wide)
