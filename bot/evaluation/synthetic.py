"""Deterministic synthetic interviews made of real speech, for the benchmark at corpus scale.

Every exchange (an interviewer's question and the answer turns after it) of the bundled interview
and the hearings goes into one pool; interview `i` draws exchanges from it with a generator seeded
by `(seed, i)`, so interview 7 is the same in a corpus of 10 and of 10,000. Question and answer stay
together and keep their words exactly (only new speaker names, a title and a date are made up), so
a question of a shipped test set is answerable from every interview that holds its gold turns.
The files are `Name: text` transcripts with a `date` and `title:` header, as `python -m ingest` reads.

    pool = load_pool()
    interviews = [make_interview(pool, i) for i in range(100)]
    write_corpus(Path("/tmp/corpus"), interviews)
    asks = contained_questions(pool, interviews, limit=40)
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

from bot.evaluation.evaluate import load_testset
from ingest import load_transcript
from ingest.formats import ends_with_question
from ingest.spans import paragraph_spans

ROOT = Path(__file__).resolve().parents[2]
ORIGINS = ("data/interviews", "data/hearings", "data/hearings-train")
TESTSETS = ("eval/interview-eu-kazakhstan.testset.jsonl", "data/hearings/*.testset.jsonl",
            "data/hearings-train/*.testset.jsonl")
FIRST = ("Amara", "Bernd", "Chiara", "Dmitri", "Elena", "Farid", "Greta", "Hiro", "Ines", "Jonas", "Kalina",
         "Lars", "Maya", "Nuno", "Olga", "Pavel", "Rania", "Soren", "Tamsin", "Umar", "Vera", "Wiktor", "Yara", "Zoltan")
LAST = ("Achterberg", "Baptiste", "Castellanos", "Dimitrov", "Eriksen", "Fontaine", "Galloway", "Haddad",
        "Iversen", "Jovanovic", "Kowalczyk", "Lindqvist", "Moreau", "Nakamura", "Okafor", "Petrova", "Quist",
        "Rahman", "Sandoval", "Tanaka", "Ulrich", "Varga", "Whitfield", "Zielinski")
TOPICS = {"covid": "the COVID-19 response", "education": "schools and education"}
ROLES = ("senior official", "policy adviser", "committee witness", "regional director", "researcher", "minister")


@dataclass(frozen=True)
class Exchange:
    """A question turn and the answer paragraphs after it, as spoken in a real transcript."""

    origin: str                # the real transcript it comes from
    question: str
    answers: tuple[str, ...]   # paragraphs, exactly as in the origin
    span: tuple[int, int]      # question start .. last answer end, in the origin's text
    passages: int              # how many passages the origin cut these turns into


@dataclass(frozen=True)
class Interview:
    """One synthetic interview: its file name and text, and which real exchanges it holds."""

    name: str
    text: str
    exchanges: tuple[Exchange, ...]
    passages: int              # estimated from the origins (the bench counts the parsed ones)


def exchanges_of(path: Path) -> list[Exchange]:
    """The question-and-answer exchanges of one real transcript (questions that end with '?')."""
    transcript = load_transcript(path, source=str(path.relative_to(ROOT)))
    found, turns = [], transcript.turns
    for i, turn in enumerate(turns):
        if turn.role != "question" or not ends_with_question(turn.text) or "\n" in turn.text:
            continue
        answers = []
        for later in turns[i + 1:]:
            if later.role != "answer":
                break
            answers += [" ".join(transcript.text[s:e].split("\n")) for s, e in paragraph_spans(transcript.text, later.start, later.end)]
            end = later.end
        if answers:
            count = sum(turn.start <= p.start < end for p in transcript.passages)
            found.append(Exchange(transcript.source, turn.text, tuple(answers), (turn.start, end), count))
    return found


def load_pool() -> list[Exchange]:
    """Every exchange of the bundled interview and the hearings, in a fixed order."""
    return [x for folder in ORIGINS for path in sorted((ROOT / folder).glob("*.txt")) for x in exchanges_of(path)]


def make_interview(pool: list[Exchange], index: int, seed: int = 0) -> Interview:
    """Interview `index`: 100-300 passages, mostly from one origin, with made-up people and date."""
    rng = random.Random(f"{seed}:{index}")
    origins = sorted({x.origin for x in pool})
    home = rng.choice(origins)
    own = [x for x in pool if x.origin == home]
    other = [x for x in pool if x.origin != home]
    target, chosen, passages = rng.randint(100, 300), [], 0
    while passages < target:
        bucket = own if own and rng.random() < 0.7 else other
        exchange = bucket.pop(rng.randrange(len(bucket)))
        chosen.append(exchange)
        passages += exchange.passages
    asker, speaker = [f"{rng.choice(FIRST)} {rng.choice(LAST)}" for _ in range(2)]
    while speaker == asker:
        speaker = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    date = f"{rng.randint(2015, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    topic = TOPICS.get(Path(home).stem.split("_")[0], "EU–Kazakhstan relations")
    lines = [f"date {date}", f"title: {speaker} on {topic} (synthetic interview {index})",
             f"speakers: {asker} = interviewer; {speaker} = {rng.choice(ROLES)}", ""]
    for exchange in chosen:
        lines += [f"{asker}: {exchange.question}", ""]
        for paragraph in exchange.answers:
            lines += [f"{speaker}: {paragraph}", ""]
    return Interview(f"interview-{index:05d}-{date}.txt", "\n".join(lines), tuple(chosen), passages)


def write_corpus(folder: Path, interviews: list[Interview]) -> list[Path]:
    """Write the interviews as UTF-8 files into `folder` (made if missing); their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for interview in interviews:
        path = folder / interview.name
        path.write_text(interview.text, encoding="utf-8", newline="")
        paths.append(path)
    return paths


def _gold_spans(case, origin_text: str) -> list[tuple[int, int]]:
    spans = list(case.gold_spans)
    for quote in case.gold_quotes:
        if (at := origin_text.find(quote)) >= 0:
            spans.append((at, at + len(quote)))
    return spans


def contained_questions(pool: list[Exchange], interviews: list[Interview], limit: int = 40) -> list[dict]:
    """Questions of the shipped test sets that the interviews answer: `{"id", "question",
    "file"}` with the first interview holding a gold turn; at most `limit`, spread over test sets."""
    holders: dict[tuple[str, tuple[int, int]], str] = {}
    for interview in interviews:
        for x in interview.exchanges:
            holders.setdefault((x.origin, x.span), interview.name)
    by_origin: dict[str, list[tuple[int, int]]] = {}
    for origin, span in holders:
        by_origin.setdefault(origin, []).append(span)
    found: list[dict] = []
    for pattern in TESTSETS:
        for path in sorted(ROOT.glob(pattern)):
            for case in load_testset(path):
                origin = case.source or str(path.relative_to(ROOT)).replace(".testset.jsonl", ".txt")
                if case.history or not case.answerable or origin not in by_origin:
                    continue
                spans = _gold_spans(case, (ROOT / origin).read_text(encoding="utf-8"))
                hit = next((s for s in by_origin[origin] for g in spans if s[0] < g[1] and g[0] < s[1]), None)
                if hit:
                    found.append({"id": case.id, "question": case.question, "file": holders[(origin, hit)]})
    step = max(1, len(found) / limit)
    return [found[int(i * step)] for i in range(min(limit, len(found)))]
