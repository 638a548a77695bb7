"""The interviews behind the app: open the store (empty on a first run), add, remove and rename
an interview, warm the embedding model up, suggest questions.

    bot = open_bot(Settings.from_env())            # an empty store is created if there is none yet
    transcript, result = add_upload(bot, data, "talk.vtt", progress=lambda done, total: ...)
    remove_interview(bot, "talk.vtt")              # as `python -m ingest --remove talk.vtt`
    retitle_interview(bot, "talk.vtt", "Bees")     # as `python -m ingest --retitle talk.vtt Bees`
    describe_interview(bot, "talk.vtt", [Speaker("Host", "Ann Lee", "curator")])   # as `--source … --speaker …`
    example_questions(bot.store.sources(), bot.store.corpus().questions())

`add_upload` parses the whole file before it takes the write lock, so a bad file raises
`TranscriptError` and leaves the store as it was.
"""

from __future__ import annotations

import threading
from pathlib import Path

from bot.conversation import is_follow_up
from bot.errors import StoreMissingError
from bot.pipeline import Bot
from ingest.loader import SUFFIXES, load_upload
from ingest.spans import sentence_spans
from vectorstore import MiniLMEmbeddings, SourceInfo

UPLOAD_TYPES = [s.lstrip(".") for s in SUFFIXES]

# Questions the bundled interview answers (tests/test_app.py checks each gets a cited answer).
KNOWN_EXAMPLES = {
    "interview-eu-kazakhstan-2024-11-27.txt": (
        "Which values does the EU base its relationship with Kazakhstan on?",
        "Which human rights issues did the official raise with the Ombudsperson?",
        "Does the official see access to water as a human right?",
    ),
}


def open_bot(settings) -> Bot:
    """The configured bot; with no embedded store yet, an empty one is made so a transcript can be uploaded."""
    try:
        bot = Bot.from_settings(settings)
    except StoreMissingError:
        if settings.chroma_url:
            raise
        from bot.backends import open_store

        open_store(settings, create=True).client.close()  # made; the bot opens its own
        bot = Bot.from_settings(settings)
    return bot


_warming, _warmed = threading.Lock(), set()  # ids of the models warmed (or warming) in this process


def warm_up(bot: Bot) -> None:
    """Load the offline embedding model (a second or so), once per process: the app calls this at
    the end of its run, after the page is drawn and usable, so the user reads and types while the
    model loads; a question asked sooner waits for it. Not in a thread of its own: an onnxruntime
    session first used from a background thread made the interpreter abort at exit. A remote
    embedding model is left alone (warming it would cost a request)."""
    embeddings = bot.embeddings
    if not isinstance(embeddings, MiniLMEmbeddings):
        return
    with _warming:
        if id(embeddings) in _warmed:
            return
        _warmed.add(id(embeddings))
    embeddings.embed_query("warm up")


def offline_twin(bot: Bot) -> Bot:
    """The same store and embeddings, answering offline (extractive) even when a model is configured."""
    return Bot(bot.settings, bot.store, bot.embeddings, None)


def add_upload(bot: Bot, data: bytes, name: str, progress=None):
    """Parse an uploaded transcript, then add it to the bot's store under the write lock. An upload
    named like a stored interview with other text is stored beside it ("talk (2).txt"), never over it;
    the same file uploaded again changes nothing."""
    from bot.backends import write_lock

    transcript = load_upload(data, name)  # raises TranscriptError before anything is written
    with write_lock(bot.settings):
        held = {} if bot.store.is_empty() else {info.source: info.sha256 for info in bot.store.sources()}
        if held.get(transcript.source, transcript.sha256) != transcript.sha256:
            transcript = load_upload(data, free_name(transcript.source, held))
        result = bot.store.add(transcript, progress=progress)
    return transcript, result


def remove_interview(bot: Bot, source: str) -> int:
    """Remove one interview under the write lock, through the store operation the CLI uses; the
    number of passages removed. Nothing else in the store changes."""
    from bot.backends import write_lock

    with write_lock(bot.settings):
        return bot.store.remove(source)


def retitle_interview(bot: Bot, source: str, title: str) -> str:
    """Rename one interview (its title only) under the write lock, as the CLI does; the old title."""
    from bot.backends import write_lock

    with write_lock(bot.settings):
        return bot.store.retitle(source, title)


def describe_interview(bot: Bot, source: str, speakers) -> SourceInfo:
    """Say who an interview's speakers are (names and roles) under the write lock, through the store
    operation `python -m ingest --source SOURCE --speaker ...` uses; the interview as now known."""
    from bot.backends import write_lock

    with write_lock(bot.settings):
        return bot.store.describe(source, tuple(speakers))


def label(info) -> str:
    """How an interview is named in a list: title, date and file name (so that a search finds either).

    >>> from vectorstore.store import SourceInfo
    >>> label(SourceInfo("data/talk.txt", "Bees", "2025-06-02", "vtt", "0", (), 1, 1, 1))
    'Bees (2025-06-02) · talk.txt'
    """
    when = f" ({info.date})" if info.date else ""
    return f"{info.title}{when} · {Path(info.source).name}"


def free_name(name: str, taken) -> str:
    """`name`, or `name (2)`, `name (3)` … before its suffix: the first not in `taken`.

    >>> free_name("talk.txt", {"talk.txt", "talk (2).txt"})
    'talk (3).txt'
    """
    stem, dot, suffix = name.rpartition(".")
    n = 2
    while f"{stem} ({n}).{suffix}" in taken:
        n += 1
    return f"{stem} ({n}).{suffix}"


def _short_questions(passages):
    """Interviewer sentences that are questions of at most 100 characters and make sense on their
    own (no "Why was that so important?"), in transcript order, found as they are needed (a store
    of a thousand interviews is not scanned for three examples)."""
    found = set()
    for p in passages:
        if p.role != "question":
            continue
        for s, e in sentence_spans(p.text):
            sentence = " ".join(p.text[s:e].split())
            if (sentence.endswith("?") and 12 <= len(sentence) <= 100 and not is_follow_up(sentence)
                    and sentence not in found):
                found.add(sentence)
                yield sentence


def example_questions(sources, passages, limit: int = 3) -> list[str]:
    """Three questions to start with: known ones for the bundled interview, else the interviewer's own.

    >>> from ingest.transcript import Passage as P
    >>> example_questions([], [P("a", "s", 0, 9, "Hi. Why did you leave the board?", "I", "question", None, 0)])
    ['Why did you leave the board?']
    """
    out: list[str] = []
    for info in sources:
        out += [q for q in KNOWN_EXAMPLES.get(Path(info.source).name, ()) if q not in out]
    for q in _short_questions(passages):
        if len(out) >= limit:
            break
        if q not in out:
            out.append(q)
    return out[:limit]
