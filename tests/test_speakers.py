"""Naming and describing speakers: `python -m ingest FILE --speaker "LABEL=NAME, ROLE"`, the same
for a transcript already in the store (`--source SOURCE`), re-ingests, `--list`, the store's record."""

from __future__ import annotations

import json

import pytest

from bot.errors import SpeakerError, StoreError
from bot.backends import open_store
from ingest import parse_transcript
from ingest.speakers import Speaker, parse_speaker
from tests.conftest import INTERVIEW, HashEmbeddings
from tests.test_cli import SOURCE, run
from vectorstore.lexical import terms

ACTIVIST = "eval/transcripts/interview-activist-almaty-2024-12-05.txt"


def listed(store) -> dict[str, str]:
    """`--list`'s speakers column, by source."""
    out = run("-m", "ingest", "--list", "--store", str(store)).stdout
    return {row[0]: row[3] for row in (line.split("\t") for line in out.splitlines()[:-1])}


def test_a_speaker_is_named_and_described_when_ingested_and_the_answer_says_so(tmp_path):
    store = tmp_path / "store"
    done = run("-m", "ingest", SOURCE, "--store", str(store), "--speaker", "Interviewee=Jane Doe, EU official")
    assert done.returncode == 0, done.stderr
    assert f"{SOURCE}: speakers Interviewer, Interviewee (Jane Doe, EU official)" in done.stdout
    assert listed(store)[SOURCE] == "Interviewer, Interviewee (Jane Doe, EU official)"
    asked = run("-m", "bot", "ask", "Is water a human right?", "--store", str(store), "--json")
    answer = json.loads(asked.stdout)
    assert answer["answer"].startswith("The interview may not answer this directly. The passages closest to your "
                                       "question: [1] Jane Doe: “"), "the offline answer names her"
    for c in answer["citations"]:
        assert (c["speaker"], c["speaker_name"], c["speaker_role"]) == ("Interviewee", "Jane Doe", "EU official")
    plain = run("-m", "bot", "ask", "Is water a human right?", "--store", str(store)).stdout
    assert f"  [1] Jane Doe, EU official (Interviewee), {SOURCE} " in plain


def test_speakers_of_an_ingested_transcript_are_described_without_reading_it_again(tmp_path):
    store = tmp_path / "store"
    assert run("-m", "ingest", SOURCE, "--store", str(store)).returncode == 0
    asked = run("-m", "bot", "ask", "Is water a human right?", "--store", str(store), "--json")
    assert {c["speaker_name"] for c in json.loads(asked.stdout)["citations"]} == {None}, "unknown is null"
    done = run("-m", "ingest", "--source", SOURCE, "--speaker", "Interviewee=, EU official",
               "--speaker", "Interviewer=Ann Lee", "--store", str(store))
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"{SOURCE}: speakers Interviewer (Ann Lee), Interviewee (EU official)\n"
    answer = json.loads(run("-m", "bot", "ask", "Is water a human right?", "--store", str(store), "--json").stdout)
    assert "[1] the EU official: “" in answer["answer"], "a role without a name: “the EU official”"
    assert (answer["citations"][0]["speaker_name"], answer["citations"][0]["speaker_role"]) == (None, "EU official")
    again = run("-m", "ingest", SOURCE, "--store", str(store))
    assert "(0 new, 0 removed, 12 kept)" in again.stdout and again.stderr == ""
    assert listed(store)[SOURCE] == "Interviewer (Ann Lee), Interviewee (EU official)", "a re-ingest keeps them"
    forget = run("-m", "ingest", "--source", SOURCE, "--speaker", "Interviewer=", "--store", str(store))
    assert forget.returncode == 0 and listed(store)[SOURCE] == "Interviewer, Interviewee (EU official)"


@pytest.mark.parametrize("args", [
    [SOURCE, "--speaker", "Guest=Jane Doe"],
    ["--source", SOURCE, "--speaker", "Guest=Jane Doe"],
    ["--source", SOURCE, "--speaker", "Interviewee Jane Doe"],
    ["--source", "nope.txt", "--speaker", "Interviewee=Jane Doe"],
    [SOURCE, ACTIVIST, "--speaker", "Interviewee=Jane Doe"],
    ["--source", SOURCE],
])
def test_a_speaker_the_transcript_does_not_have_is_one_line_and_nothing_is_written(tmp_path, args):
    store = tmp_path / "store"
    assert run("-m", "ingest", SOURCE, "--store", str(store), "--speaker", "Interviewee=Jane Doe").returncode == 0
    before = run("-m", "ingest", "--list", "--store", str(store)).stdout
    result = run("-m", "ingest", *args, "--store", str(store))
    assert result.returncode == 1 and result.stderr.startswith("error: ") and result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert run("-m", "ingest", "--list", "--store", str(store)).stdout == before, "nothing was written"
    if "Guest=Jane Doe" in args:
        assert "no speaker labelled “Guest”: its speakers are “Interviewer”, “Interviewee”" in result.stderr


def test_a_header_description_and_a_given_role_combine_the_given_one_winning(tmp_path):
    store = tmp_path / "store"
    done = run("-m", "ingest", ACTIVIST, "--store", str(store), "--speaker", "Aigerim Bekova=, director of an NGO")
    assert done.returncode == 0, done.stderr
    assert listed(store)[ACTIVIST] == ("Daniyar Seitkali (journalist), Aigerim Bekova (director of an NGO)")


def test_the_record_keeps_speakers_across_an_edit_and_drops_a_label_that_is_gone(settings):
    store = open_store(settings, create=True, embeddings=HashEmbeddings())
    text = "Ann: What is it?\n\nBo: It is rain.\n\nAnn: And then?\n\nBo: Then sun."
    store.add(parse_transcript(text, "talk.txt"), speakers=(Speaker("Bo", "Bo Berg", "farmer"), Speaker("Ann", "Ann Lee")))
    info = store.sources()[0]
    assert info.people == (Speaker("Ann", "Ann Lee"), Speaker("Bo", "Bo Berg", "farmer"))
    edited = store.add(parse_transcript(text.replace("Ann:", "Cy:"), "talk.txt"))
    assert edited.dropped == (Speaker("Ann", "Ann Lee"),), "Ann is no longer in the transcript"
    assert store.sources()[0].people == (Speaker("Bo", "Bo Berg", "farmer"),)
    assert [p.speaker for p in store.corpus().passages][:2] == ["Cy", "Bo"]


def test_describing_changes_the_record_only(settings):
    store = open_store(settings, create=True, embeddings=HashEmbeddings())
    store.add(parse_transcript(INTERVIEW.read_text(encoding="utf-8"), "talk.txt"))
    before = [(p.id, p.start, p.end) for p in store.corpus().passages]
    info = store.describe("talk.txt", (parse_speaker("Interviewee=Jane Doe, EU official"),))
    assert info.person("Interviewee") == Speaker("Interviewee", "Jane Doe", "EU official")
    assert store.sources()[0] == info and [(p.id, p.start, p.end) for p in store.corpus().passages] == before
    known = store.corpus().known_terms()
    assert all(term in known for term in terms("Jane Doe")), "her name is not a word the interview never used"
    with pytest.raises(SpeakerError, match="no speaker labelled “Host”"):
        store.describe("talk.txt", (Speaker("Host", "Ann"),))
    with pytest.raises(StoreError, match="--list"):
        store.describe("other.txt", (Speaker("Interviewee", "Ann"),))
    assert store.sources()[0] == info


@pytest.mark.parametrize(("spec", "speaker"), [
    ("Interviewee=Jane Doe, EU official", Speaker("Interviewee", "Jane Doe", "EU official")),
    ("Interviewee=Jane Doe", Speaker("Interviewee", "Jane Doe")),
    (" Interviewee = , head of the EU delegation, Astana ", Speaker("Interviewee", None, "head of the EU delegation, Astana")),
    ("Dr. Lena Park=", Speaker("Dr. Lena Park")),
])
def test_a_speaker_is_read_as_label_name_and_role(spec, speaker):
    assert parse_speaker(spec) == speaker
