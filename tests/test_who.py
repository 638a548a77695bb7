"""The right person across the store: who a question means by a name or a role, in every interview
searched, and "not addressed" when nobody searched is described so. Each rule of `bot.speakers` is
named here by the user question that needs it; the store is real (Chroma, the offline model) and
holds the bundled interview (unlabelled, undescribed), the activist's and a trade union leader's."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.speakers import about
from ingest import load_transcript
from ingest.speakers import Speaker
from tests.conftest import FIXTURES, INTERVIEW_SOURCE, open_bot

ACTIVIST_SOURCE = "eval/transcripts/interview-activist-almaty-2024-12-05.txt"
UNION_SOURCE = "tests/fixtures/union-leader.txt"


@pytest.fixture(scope="module")
def three(tmp_path_factory, minilm):
    """The EU official's interview, the activist's and the trade union leader's."""
    return open_bot(tmp_path_factory.mktemp("three"), minilm, INTERVIEW_SOURCE, ACTIVIST_SOURCE, UNION_SOURCE)


@pytest.fixture(scope="module")
def two(tmp_path_factory, minilm):
    """The same store after the union leader's interview is removed."""
    bot = open_bot(tmp_path_factory.mktemp("two"), minilm, INTERVIEW_SOURCE, ACTIVIST_SOURCE, UNION_SOURCE)
    bot.store.remove(UNION_SOURCE)
    return bot


def cited(answer) -> set[tuple[str, str]]:
    return {(c.source, c.speaker) for c in answer.citations}


def test_the_union_leaders_interview_is_described_by_its_header():
    t = load_transcript(FIXTURES / "union-leader.txt")
    assert t.descriptions == (("Serik Abenov", "trade union leader"), ("Madina Ospanova", "journalist"))
    assert t.date == "2024-12-12" and t.title.startswith("Interview with trade union leader")


def test_the_eu_official_is_not_the_union_leader(three):
    """The bug: his description's noun ("leader") fits anyone, so he was never ruled out, and a
    question about the EU official cited the union leader first."""
    answer = three.ask("What does the EU official think about the high-level dialogue?")
    assert answer.citations and cited(answer) == {(INTERVIEW_SOURCE, "Interviewee")}


@pytest.mark.parametrize("question", ["What does the union leader think about wages?",
                                      "What does the leader of the union say about the high-level dialogue?"])
def test_the_union_leader_is_found_by_his_role(three, question):
    answer = three.ask(question)
    assert answer.citations and cited(answer) == {(UNION_SOURCE, "Serik Abenov")}


@pytest.mark.parametrize(("question", "phrase"), [("What does the union leader think about wages?", "the union leader"),
                                                ("What does the union's leader think about wages?", "the union's leader")])
def test_without_his_interview_nobody_is_the_union_leader_and_the_answer_says_so(two, question, phrase):
    """After his interview was removed, the question quoted the EU official instead of saying that
    nobody of that description is in the store."""
    answer = two.ask(question)
    assert (answer.outcome, answer.citations, answer.reason) == ("not_addressed", (), "nobody_described")
    assert answer.text.startswith(f"Nobody in the 2 interviews searched is described as “{phrase}”.")
    assert "--speaker" in answer.text
    json = answer.to_json()
    assert json["reason"] == "nobody_described" and json["abstained"] is True


@pytest.mark.parametrize(("question", "who"), [
    ("What does the official think about the petition against LGBT propaganda?", (INTERVIEW_SOURCE, "Interviewee")),
    ("According to the EU diplomat, is water a human right?", (INTERVIEW_SOURCE, "Interviewee")),
    ("What does the activist say about the big picture?", (ACTIVIST_SOURCE, "Aigerim Bekova")),
    ("What does Bekova say about the Ombudsperson?", (ACTIVIST_SOURCE, "Aigerim Bekova")),
    ("What does the NGO head say about the Ombudsperson?", (ACTIVIST_SOURCE, "Aigerim Bekova")),
    ("What does the head of the Zharyq Rights Initiative say about freedom of assembly in practice?",
     (ACTIVIST_SOURCE, "Aigerim Bekova")),
])
def test_the_official_the_activist_and_the_ngo_head_are_who_they_were(three, question, who):
    """Today's behaviours with a third interview in the store; "the NGO head" (a role that fits
    anyone, qualified) used to cite the EU official too: its qualifier names a kind of body (an NGO
    is civil society), which rules out the union leader and the interviewee of "Interview EU Kazakhstan"."""
    assert cited(three.ask(question)) == {who}


def test_a_qualified_role_of_a_kind_nobody_searched_is_is_not_addressed(three):
    answer = three.ask("What does the university director say about wages?")
    assert answer.reason == "nobody_described" and "“the university director”" in answer.text


def test_an_unqualified_role_that_fits_anyone_rules_nobody_out(three):
    assert three.ask("What does the head say about wages?").reason is None


def test_a_named_and_described_speaker_is_found_by_name_and_by_role(tmp_path, minilm):
    bot = open_bot(tmp_path / "store", minilm, INTERVIEW_SOURCE, UNION_SOURCE)
    bot.store.describe(INTERVIEW_SOURCE, (Speaker("Interviewee", "Jane Doe", "head of the EU delegation"),))
    for question in ("What does Jane Doe think about the high-level dialogue?", "What does Doe think about human rights?",
                     "What does the head of the delegation think about equal rights?"):
        answer = bot.ask(question)
        assert cited(answer) == {(INTERVIEW_SOURCE, "Interviewee")}, question
        assert {(c.speaker_name, c.speaker_role) for c in answer.citations} == {("Jane Doe", "head of the EU delegation")}
        assert "[1] Jane Doe in “Interview EU Kazakhstan”: “" in answer.text, "the answer names her"
    assert cited(bot.ask("What does the union leader think about the high-level dialogue?")) == {
        (UNION_SOURCE, "Serik Abenov")}, "her role is of another kind than his"


def test_a_role_given_on_the_command_line_wins_over_the_header(tmp_path, minilm):
    bot = open_bot(tmp_path / "store", minilm, INTERVIEW_SOURCE, UNION_SOURCE)
    bot.store.describe(UNION_SOURCE, (Speaker("Serik Abenov", role="EU official"),))
    assert cited(bot.ask("What does the union leader think about wages?")) == set(), "nobody is, now"
    assert (UNION_SOURCE, "Serik Abenov") in cited(bot.ask("What does the EU official think about wages?"))


def test_resolution_reads_only_what_the_store_knows():
    """`about` over records alone: roles from the user and the header, names the user gave."""
    from vectorstore.records import SourceInfo

    kz = SourceInfo("kz.txt", "Interview EU Kazakhstan", None, "paragraphs", "", ("Interviewer", "Interviewee"), 0, 0, 0)
    union = SourceInfo("u.txt", "Wages", None, "speakers", "", ("Ann", "Serik Abenov"), 0, 0, 0,
                       (("Serik Abenov", "trade union leader"),))
    answering = {("kz.txt", "Interviewee"), ("u.txt", "Serik Abenov")}
    assert about("What does the EU official think?", [kz, union], answering) == {("kz.txt", "Interviewee")}
    assert about("What does the union leader think?", [kz], {("kz.txt", "Interviewee")}) == frozenset()
    assert about("What does the official think?", [kz], {("kz.txt", "Interviewee")}) is None, "the one who answers"
    named = replace(kz, people=(Speaker("Interviewee", "Jane Doe"),))
    assert about("What does Jane think?", [named, union], answering) == {("kz.txt", "Interviewee")}
    assert about("What does Jane think?", [kz, union], answering) is None
