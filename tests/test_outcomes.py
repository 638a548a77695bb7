"""The three outcomes and who a question is about: answers, closest passages, "not addressed";
several interviews searched at once; the calibration's thresholds and its metrics."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest

from bot import calibration, confidence, extractive
from bot.evaluation import calibrate
from bot.evaluation.metrics import Cited, risk_coverage, summarize
from bot.pipeline import Bot
from bot.settings import Settings
from ingest import load_transcript, parse_transcript
from tests.conftest import INTERVIEW, INTERVIEW_SOURCE, ROOT

ACTIVIST_SOURCE = "eval/transcripts/interview-activist-almaty-2024-12-05.txt"
ACTIVIST = ROOT / ACTIVIST_SOURCE


@pytest.fixture(scope="module")
def two_interviews(tmp_path_factory, minilm):
    """The bundled interview (an EU official, no speaker header) and an activist's (described by its header)."""
    from bot.backends import open_store

    settings = replace(Settings(), store_dir=tmp_path_factory.mktemp("two-interviews"))
    store = open_store(settings, create=True, embeddings=minilm)
    store.add(load_transcript(INTERVIEW, source=INTERVIEW_SOURCE))
    store.add(load_transcript(ACTIVIST, source=ACTIVIST_SOURCE))
    return Bot(settings, store, minilm)


def speakers_cited(answer) -> set[str]:
    return {c.speaker for c in answer.citations if c.role == "answer"}


def test_a_speakers_header_is_metadata_and_describes_who_speaks():
    t = parse_transcript("speakers: Jane Doe = EU official; Ann Lee = journalist\n\nAnn Lee: Why?\n\nJane Doe: Because.",
                         "talk.txt")
    assert t.descriptions == (("Jane Doe", "EU official"), ("Ann Lee", "journalist"))
    assert "speakers:" not in " ".join(p.text for p in t.passages)
    assert [(turn.speaker, turn.role) for turn in t.turns] == [("Ann Lee", "question"), ("Jane Doe", "answer")]


def test_the_store_keeps_the_descriptions(two_interviews):
    info = {s.source: s for s in two_interviews.store.sources()}
    assert info[ACTIVIST_SOURCE].descriptions == (("Aigerim Bekova", "human rights activist"),
                                                  ("Daniyar Seitkali", "journalist"))
    assert info[INTERVIEW_SOURCE].descriptions == ()


@pytest.mark.parametrize("question", [
    "What does the official think about the petition against LGBT propaganda?",
    "What does the EU diplomat say about freedom of assembly?",
])
def test_asked_about_the_official_the_activist_is_never_cited(two_interviews, question):
    """The bug this answers: with the activist's interview loaded, a question about what "the
    official" thinks was answered with the activist's words."""
    answer = two_interviews.ask(question)
    assert answer.citations, "the official's interview addresses both"
    assert "Aigerim Bekova" not in speakers_cited(answer)
    assert all(c.source == INTERVIEW_SOURCE for c in answer.citations)
    assert "“Interview EU Kazakhstan”" in answer.text, "with several interviews the answer names its interview"


@pytest.mark.parametrize("question", [
    "What does Bekova think about quiet diplomacy?",
    "What does the activist say about the petition against LGBT propaganda?",
])
def test_asked_about_the_activist_only_she_is_cited(two_interviews, question):
    answer = two_interviews.ask(question)
    assert not answer.abstained
    assert speakers_cited(answer) == {"Aigerim Bekova"}
    assert "Interview with activist Aigerim Bekova" in answer.text


def test_a_topic_only_the_other_speaker_raised_is_not_answered_with_her_words(two_interviews):
    answer = two_interviews.ask("What does the official say about the akimat choosing a square on the edge of the city?")
    assert "Aigerim Bekova" not in speakers_cited(answer)


def test_candidates_are_said_to_be_candidates(interview_bot):
    shipped = interview_bot.calibrated
    unsure = replace(shipped, answerable=replace(shipped.answerable, threshold=0.0),
                     answer=replace(shipped.answer, threshold=1.01))  # never abstain, never "high"
    bot = Bot(interview_bot.settings, interview_bot.store, interview_bot.embeddings, calibrated=unsure)
    answer = bot.ask("Would the member states be happy about the petition against LGBT propaganda?")
    assert (answer.outcome, answer.confidence) == ("candidates", "low")
    assert "closest to your question" in answer.text
    assert len(answer.citations) > 1 and len({c.passage_id for c in answer.citations}) == len(answer.citations), \
        "one candidate per passage"
    assert sum(c.end - c.start for c in answer.citations) <= extractive.MAX_CANDIDATE_CHARS
    assert answer.to_json()["outcome"] == "candidates"


def test_a_confident_answer_is_stated_as_the_answer(interview_bot):
    shipped = interview_bot.calibrated
    sure = replace(shipped, answerable=replace(shipped.answerable, threshold=0.0),
                   answer=replace(shipped.answer, threshold=0.0))  # every answer earns "high"
    bot = Bot(interview_bot.settings, interview_bot.store, interview_bot.embeddings, calibrated=sure)
    answer = bot.ask("Is water a human right?")
    assert (answer.outcome, answer.confidence) == ("answer", "high")
    assert answer.text.startswith("The interviewee says: “") and "Water is also a human right." in answer.citations[0].quote


def test_an_off_topic_question_is_not_addressed(interview_bot):
    answer = interview_bot.ask("Who won the FIFA World Cup in 2018?")
    assert (answer.outcome, answer.abstained, answer.citations, answer.confidence) == ("not_addressed", True, (), None)


def test_the_shipped_calibration_fits_the_code():
    data = json.loads(calibration.CALIBRATION_FILE.read_text(encoding="utf-8"))
    loaded = calibration.load()
    assert loaded.passage.features == extractive.PASSAGE_FEATURES
    assert loaded.sentence.features == extractive.SENTENCE_FEATURES
    assert loaded.answerable.features == loaded.answer.features == confidence.ANSWERABLE_FEATURES
    assert loaded.on_topic.features == confidence.ON_TOPIC_FEATURES
    assert set(loaded.answerable.features) | set(loaded.on_topic.features) <= set(confidence.QUESTION_FEATURES)
    assert "leave_one_transcript_out" in data, "the file carries the figures measured on transcripts it did not see"


def test_the_abstention_threshold_keeps_false_abstention_under_its_target():
    p = np.linspace(0.01, 0.99, 200)
    answerable = p > 0.3
    threshold = calibrate.choose_abstention_threshold(p, answerable)
    assert (p[answerable] < threshold).mean() <= calibrate.FALSE_ABSTENTION_TARGET


def test_high_confidence_is_earned_or_never_given():
    p = np.linspace(1.0, 0.0, 100)
    hits = np.arange(100) < 60  # the 60 most confident answers are right
    kept = np.ones(100, dtype=bool)
    threshold = calibrate.choose_answer_threshold(p, hits, kept)
    stated = p >= threshold
    assert stated.sum() >= calibrate.MIN_ANSWERS and hits[stated].mean() >= calibrate.ANSWER_PRECISION_TARGET
    noisy = np.arange(100) % 2 == 0  # half right at every level: nothing earns "high"
    assert calibrate.choose_answer_threshold(p, noisy, kept) == 1.0


def test_answer_precision_coverage_and_candidates_are_scored_apart():
    def cited(qid, answerable, outcome, first_right, score):
        spans = [("s", 0, 5, True)] if first_right else [("s", 50, 60, True), ("s", 0, 5, True)]
        return Cited(qid, answerable, outcome == "not_addressed", [] if outcome == "not_addressed" else spans,
                     [(0, 9)] if answerable else [], [], "s", outcome=outcome, score=score)
    results = [cited("a", True, "answer", True, 0.9), cited("b", True, "answer", False, 0.8),
               cited("c", True, "candidates", False, 0.4), cited("d", False, "answer", True, 0.7),
               cited("e", True, "not_addressed", False, 0.1)]
    m = summarize(results)
    assert m["answer_precision"] == round(1 / 3, 4), "b's first quote misses; d answers an unanswerable question"
    assert m["answer_coverage"] == 0.5 and m["candidates_hit_rate"] == 1.0
    assert m["shown_hit_rate"] == 1.0 and m["false_abstention_rate"] == 0.25
    curve = risk_coverage(results)
    assert curve[0] == (0.25, 1.0) and curve[-1][0] == 0.75


def test_the_official_of_a_hundred_interviews_is_found_without_a_filter_naming_them_all(tmp_path):
    """"What does the official say about the reservoir?" over 100 interviews, each with its own
    official: the question is about 100 speakers, more than a filtered vector search should name
    (`ABOUT_FILTER_MAX`), so a wider unfiltered search is used; the answer is still the official's
    words in the one interview that speaks of the reservoir."""
    from dataclasses import replace as with_

    from bot.backends import open_store
    from bot.pipeline import Bot
    from bot.retrieve import ABOUT_FILTER_MAX
    from bot.settings import Settings
    from ingest import parse_transcript
    from tests.conftest import HashEmbeddings

    settings = with_(Settings(), store_dir=tmp_path / "store")
    embeddings = HashEmbeddings()
    store = open_store(settings, create=True, embeddings=embeddings)
    topics = ["school meals", "bus lanes", "park benches", "street lights", "library hours"]
    for i in range(100):
        topic = "the reservoir levels this summer" if i == 37 else topics[i % len(topics)]
        text = (f"title: Briefing {i}\nspeakers: Official{i} Mayfield = city official; Reporter{i} Stone = journalist\n\n"
                f"Reporter{i} Stone: What is the plan for {topic}?\n\n"
                f"Official{i} Mayfield: We are reviewing {topic} with the council and will decide in spring.\n")
        store.add(parse_transcript(text, f"briefing-{i:03d}.txt"))
    assert 100 > ABOUT_FILTER_MAX
    answer = Bot(settings, store, embeddings).ask("What does the official say about the reservoir levels?")
    assert answer.citations, answer.text
    first = answer.citations[0]
    assert (first.source, first.speaker) == ("briefing-037.txt", "Official37 Mayfield")
