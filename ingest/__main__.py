"""`python -m ingest PATH_OR_DIR [...] [--store DIR] [--reset] [--format FORMAT] [--if-empty]`,
`python -m ingest FILE --speaker "LABEL=NAME, ROLE" [...]`, `python -m ingest --list [--store DIR]`,
`python -m ingest --remove SOURCE [--store DIR]`, `python -m ingest --retitle SOURCE TITLE [--store DIR]`,
`python -m ingest --source SOURCE --speaker "LABEL=NAME, ROLE" [...] [--store DIR]`.

Parses every file first, then embeds and stores each one, printing one summary line per file and a
total. A bad file named on the command line stops the run before anything is written; a file
found inside a folder that is not a transcript (a README, say) is skipped with a line saying why.

    data/interviews/interview-eu-kazakhstan-2024-11-27.txt: paragraphs, 10 turns, 5 questions, 12 passages (12 new, 0 removed, 0 kept), 0.12 s

`--list` shows what the store holds, a line per transcript; `--remove SOURCE` deletes one
transcript (its passages and its text) and nothing else; `--retitle SOURCE TITLE` renames one
(its title only: text, passages and offsets stay). The app's sidebar does both the same way.

`--speaker "Interviewee=Jane Doe, EU official"` (repeatable; `ingest.speakers` says how it reads)
names and describes a speaker of the one file ingested, or, with `--source SOURCE` and no file, of a
transcript already in the store, without reading its file again. A re-ingest keeps what was said of
the speakers; a speaker the edited file no longer has is dropped, with a line saying so.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from bot.cli import printable
from bot.errors import InputError
from bot.settings import Settings
from ingest.errors import TranscriptError
from ingest.formats import FORMATS
from ingest.loader import load_transcript, transcript_files
from ingest.speakers import check_labels, parse_speaker


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m ingest", description="Ingest interview transcripts into the store.")
    parser.add_argument("paths", nargs="*", metavar="PATH_OR_DIR",
                        help="transcript files (.txt, .md, .vtt, .srt), or folders holding them")
    parser.add_argument("--list", action="store_true", help="list the transcripts the store holds")
    parser.add_argument("--remove", metavar="SOURCE", action="append", default=[],
                        help="remove a transcript (its source as --list shows it); repeatable")
    parser.add_argument("--retitle", nargs=2, metavar=("SOURCE", "TITLE"),
                        help="give a transcript a new title (its source as --list shows it)")
    parser.add_argument("--speaker", metavar='"LABEL=NAME, ROLE"', action="append", default=[],
                        help="who a speaker is: the label as the transcript has it (\"Interviewee\", \"Aigerim Bekova\"), "
                             "a name and, after a comma, a role (\"Interviewee=, EU official\": a role only; "
                             "\"Interviewee=\": forget both); repeatable; with one FILE, or with --source")
    parser.add_argument("--source", metavar="SOURCE",
                        help="with --speaker and no FILE: the transcript already in the store (as --list shows it)")
    parser.add_argument("--store", type=Path, help="store folder (default: $VERBATIM_STORE or ./store)")
    parser.add_argument("--reset", action="store_true", help="empty the store before ingesting")
    parser.add_argument("--format", choices=FORMATS, help="transcript shape (default: detected per file)")
    parser.add_argument("--if-empty", action="store_true", help="do nothing when the store already holds transcripts")
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    return parser


def _progress_bar(label: str):
    """A tqdm bar on stderr that appears only when embedding takes more than half a second."""
    from tqdm import tqdm

    bar = None

    def update(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = tqdm(total=total, desc=f"embedding {label}", unit="passage", delay=0.5, leave=False, file=sys.stderr, disable=None)
        bar.update(done - bar.n)
        if done >= total:
            bar.close()

    return update


def _load_all(paths: list[str], fmt: str | None):
    """Every transcript named or found in a folder; files named on the command line must all be
    good (one bad file stops the run), files found in folders are skipped, with a line, if not."""
    transcripts = []
    for path in paths:
        if not Path(path).is_dir():
            transcripts.append(load_transcript(path, fmt))
            continue
        found = transcript_files(path)
        if not found:
            raise TranscriptError(f"{path}: no transcript files (.txt, .md, .text, .vtt, .srt) in this folder")
        for file in found:
            try:
                transcripts.append(load_transcript(file, fmt))
            except TranscriptError as exc:
                print(f"skipped {exc}", file=sys.stderr)
    return transcripts


def run(args: argparse.Namespace, settings: Settings) -> int:
    from bot.backends import open_store, write_lock

    if args.list:
        return _list(open_store(settings))
    if args.remove:
        with write_lock(settings):
            store = open_store(settings)
            for source in args.remove:
                removed = store.remove(source)
                print(f"{source}: removed ({removed} passages)")
        return 0
    given = tuple(parse_speaker(spec) for spec in args.speaker)
    if args.source and not args.paths:
        if not given:
            raise InputError("--source SOURCE says whose speakers --speaker describes: add --speaker \"LABEL=NAME, ROLE\"")
        with write_lock(settings):
            info = open_store(settings).describe(args.source, given)
        print(printable(f"{args.source}: speakers {_speakers(info)}"))
        return 0
    if args.retitle:
        source, title = args.retitle
        with write_lock(settings):
            old = open_store(settings).retitle(source, title)
        print(printable(f"{source}: retitled “{' '.join(title.split())}” (was “{old}”)"))
        return 0
    if not args.paths:
        raise InputError("give transcript files or folders to ingest, or --list, --remove SOURCE or --retitle SOURCE TITLE")
    if args.source:
        raise InputError("--source names a transcript already in the store: give it without a FILE, or drop it")
    transcripts = _load_all(args.paths, args.format)  # all checked before any write
    if not transcripts:
        raise TranscriptError("no transcript could be read: nothing was ingested")
    if given and len(transcripts) > 1:
        raise InputError(f"--speaker describes the speakers of one transcript, and {len(transcripts)} were given: "
                         f"ingest them first, then run `python -m ingest --source SOURCE --speaker ...` for each")
    for transcript in transcripts if given else ():
        check_labels(given, transcript.speakers, transcript.source)
    with write_lock(settings):
        store = open_store(settings, create=True)
        if args.if_empty and not store.is_empty():
            print(f"store {settings.chroma_url or settings.store_dir} already holds transcripts: nothing to do")
            return 0
        if args.reset:
            store.reset()
        started_all, passages, added = time.perf_counter(), 0, 0
        held = {} if store.is_empty() else {info.sha256: info.source for info in store.sources()}
        for transcript in transcripts:
            twin = held.get(transcript.sha256)
            if twin and twin != transcript.source:  # the same file under another spelling, or a copy
                print(f"note: {transcript.source} has the same text as {twin}, already in the store; "
                      f"it is stored under both names (`python -m ingest --remove` takes one away)", file=sys.stderr)
            started = time.perf_counter()
            result = store.add(transcript, progress=_progress_bar(Path(transcript.source).name), speakers=given)
            passages, added = passages + len(transcript.passages), added + result.added
            print(
                f"{transcript.source}: {transcript.format}, {len(transcript.turns)} turns, "
                f"{len(transcript.questions)} questions, {len(transcript.passages)} passages "
                f"({result.added} new{f', {result.reused} of them moved text not embedded again' if result.reused else ''}, "
                f"{result.removed} removed, {result.kept} kept), "
                f"{time.perf_counter() - started:.2f} s"
            )
            for gone in result.dropped:
                print(printable(f"note: {transcript.source} no longer has a speaker labelled “{gone.label}”: what was "
                                f"said of them ({gone.described}) is dropped"),
                      file=sys.stderr)
            if given:
                info = next(info for info in store.sources() if info.source == transcript.source)
                print(printable(f"{transcript.source}: speakers {_speakers(info)}"))
        if len(transcripts) > 1:
            print(f"total: {len(transcripts)} transcripts, {passages} passages ({added} new), "
                  f"{time.perf_counter() - started_all:.2f} s")
    return 0


def _list(store) -> int:
    """A line per transcript: source, title, date, speakers, passages, SHA-256, when ingested."""
    sources = store.sources()
    for info in sources:
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(info.ingested_at)) if info.ingested_at else "-"
        print(printable("\t".join([info.source, info.title, info.date or "-", _speakers(info, 4), f"{info.passages} passages",
                                   info.sha256, f"ingested {when}"])))
    print(f"{len(sources)} transcripts" if sources else "the store holds no transcripts yet")
    return 0


def _speakers(info, most: int | None = None) -> str:
    """The transcript's speakers, each with the name and role known of them: "Interviewer, Interviewee (Jane Doe, EU official)"."""
    shown = [info.person(label).said() for label in info.speakers[:most]]
    hidden = len(info.speakers) - len(shown)
    return ", ".join(shown) + (f" and {hidden} more" if hidden else "")


def main(argv: list[str] | None = None) -> int:
    from bot.cli import guarded

    args = _parser().parse_args(argv)
    return guarded(args, lambda settings: run(args, settings))


if __name__ == "__main__":
    sys.exit(main())
