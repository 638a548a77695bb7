"""`python -m ingest PATH [PATH ...] [--store DIR] [--reset] [--format FORMAT] [--if-empty]`

Parses every file first (a bad file stops the run before anything is written), then embeds and
stores each one, printing one summary line per file:

    data/interviews/interview-eu-kazakhstan-2024-11-27.txt: paragraphs, 10 turns, 5 questions, 12 passages (12 new, 0 removed, 0 kept), 0.12 s
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from bot.settings import Settings
from ingest.formats import FORMATS
from ingest.loader import load_transcript


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m ingest", description="Ingest interview transcripts into the store.")
    parser.add_argument("paths", nargs="+", metavar="PATH", help="transcript files (.txt, .md, .vtt, .srt)")
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


def run(args: argparse.Namespace, settings: Settings) -> int:
    from bot.backends import open_store, write_lock

    transcripts = [load_transcript(path, args.format) for path in args.paths]  # all checked before any write
    with write_lock(settings):
        store = open_store(settings, create=True)
        if args.if_empty and not store.is_empty():
            print(f"store {settings.chroma_url or settings.store_dir} already holds transcripts: nothing to do")
            return 0
        if args.reset:
            store.reset()
        for transcript in transcripts:
            started = time.perf_counter()
            result = store.add(transcript, progress=_progress_bar(Path(transcript.source).name))
            print(
                f"{transcript.source}: {transcript.format}, {len(transcript.turns)} turns, "
                f"{len(transcript.questions)} questions, {len(transcript.passages)} passages "
                f"({result.added} new, {result.removed} removed, {result.kept} kept), "
                f"{time.perf_counter() - started:.2f} s"
            )
    return 0


def main(argv: list[str] | None = None) -> int:
    from bot.cli import guarded

    args = _parser().parse_args(argv)
    return guarded(args, lambda settings: run(args, settings))


if __name__ == "__main__":
    sys.exit(main())
