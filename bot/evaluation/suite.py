"""`make eval`: score the bot and the baselines on every shipped test set; rewrite eval/results/.

    python scripts/eval_all.py [--heldout]

Ingests the bundled interview, the hearings and the evaluation transcripts into a fresh store, runs
`bot.evaluation.evaluate` (the same code path as `python -m bot eval --baselines`) on each test set and writes
`eval/results/<set>/report.{json,md}`, `chart.png`, `risk-coverage.png` and a summary
`eval/results/README.md`.

The development sets are the data `make calibrate` fits the offline answerer on: their reports are
in-sample, for reading failures, not a measure of quality. The measures are the leave-one-transcript-out
report (`eval/results/loto/`, made by `make calibrate`) and the held-out sets (`eval/heldout-2/`,
and `eval/heldout-3/` with three interviews of its own), scored only with `--heldout`: once, at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

from bot.evaluation import report as reports
from bot.evaluation.baselines import BASELINES
from bot.evaluation.evaluate import evaluate, load_testset
from bot.labels import LABELS
from bot.pipeline import Bot
from bot.settings import Settings
from ingest import load_transcript
from bot.backends import open_store
from vectorstore import MiniLMEmbeddings

ROOT = Path(__file__).resolve().parents[2]

HEARINGS = Path("data/hearings")
TRANSCRIPTS = ["data/interviews/interview-eu-kazakhstan-2024-11-27.txt",
               "eval/transcripts/interview-activist-almaty-2024-12-05.txt",
               "eval/transcripts/water-utility-qa-2025-03-14.txt", "eval/transcripts/museum-podcast-2025-06-02.vtt",
               *(str(p) for p in sorted(HEARINGS.glob("*.txt")))]
SETS = {  # development sets: in-sample
    "interview-eu-kazakhstan": ["eval/interview-eu-kazakhstan.testset.jsonl",
                                "eval/unanswerable/interview-eu-kazakhstan.jsonl"],
    "who-said": ["eval/who-said.testset.jsonl", "eval/unanswerable/interview-activist-almaty.jsonl"],
    "hearings": [str(p) for p in sorted(HEARINGS.glob("*.testset.jsonl"))],
    "hearings-unanswerable": ["eval/hearings-unanswerable.testset.jsonl",
                              *(f"eval/unanswerable/{p.stem}.jsonl" for p in sorted(HEARINGS.glob("*.txt")))],
    "water-utility-qa": ["eval/water-utility-qa.testset.jsonl", "eval/unanswerable/water-utility-qa.jsonl"],
    "museum-podcast": ["eval/museum-podcast.testset.jsonl", "eval/unanswerable/museum-podcast.jsonl"],
}
HELD_OUT = {  # written before the answerer changed; scored once, at the end
    "heldout-2-interview-eu-kazakhstan": ["eval/heldout-2/interview-eu-kazakhstan.jsonl"],
    "heldout-2-who-said": ["eval/heldout-2/who-said.jsonl"],
    "heldout-3": ["eval/heldout-3/questions.jsonl"],
}
HELD_OUT_TRANSCRIPTS = "eval/heldout-3/transcripts/*.txt"  # interviews no model was fitted on
HEADLINE = ("hit_rate", "hit_at_2", "highlight_hit_rate", "citation_precision", "likely_precision", "likely_coverage",
            "candidates_hit_rate", "verbatim_rate", "cited_chars_per_answer", "abstention_recall", "false_abstention_rate",
            "mrr", "latency_p50_ms")


def main(argv: list[str] | None = None) -> int:
    os.chdir(ROOT)  # sources are stored as paths relative to the repository, as a user gives them
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--heldout", action="store_true", help="also score eval/heldout-2/ (once, at the end)")
    parser.add_argument("--out", type=Path, default=ROOT / "eval" / "results")
    args = parser.parse_args(argv)
    sets = dict(SETS)
    if args.heldout:
        sets |= HELD_OUT
    embeddings = MiniLMEmbeddings()
    summary = []
    with tempfile.TemporaryDirectory() as folder:
        settings = replace(Settings.from_env(dotenv=None), store_dir=Path(folder), answerer="extractive")
        store = open_store(settings, create=True, embeddings=embeddings)
        unseen = sorted(str(p.relative_to(ROOT)) for p in ROOT.glob(HELD_OUT_TRANSCRIPTS)) if args.heldout else []
        for path in TRANSCRIPTS + unseen:
            store.add(load_transcript(path))
        bot = Bot(settings, store, embeddings)
        for name, files in sets.items():
            cases = [case for f in files for case in load_testset(Path(f))]
            result = evaluate(bot, cases, list(BASELINES))
            reports.write(result, args.out / name, title=f"Evaluation: {name}")
            print(f"\n== {name} ({len(cases)} questions)\n{reports.text_table(result)}")
            summary.append((name, len(cases), result))
    lines = ["# Evaluation results", "", "Made by `make eval` (`python scripts/eval_all.py`), offline extractive answerer, "
             "all-MiniLM-L6-v2 (int8 ONNX) embeddings. Each folder holds report.json, report.md (with every failure), "
             "chart.png and risk-coverage.png.", "",
             "**Which figures measure quality.** The offline answerer's models are fitted on the development sets "
             "(`make calibrate`), so their rows below are in-sample: read them for failures, not as scores. The "
             "figures on transcripts the models never saw are in `loto/` (leave one transcript out, made by "
             "`make calibrate`); the questions nobody tuned for are the `heldout-*` rows, written before the "
             "answerer changed and run once (`heldout-3` on three interviews of its own, which no model saw).", ""]
    lines += ["| test set | questions | system | " + " | ".join(HEADLINE) + " |", "|---|---|---|" + "---|" * len(HEADLINE)]
    for name, count, result in summary:
        for system in ("bot", "bm25-top3", "rcts-chroma-top4"):
            m = result["systems"][system]
            lines.append(f"| {name} | {count} | {system} | " + " | ".join(reports.cell(m.get(k)) for k in HEADLINE) + " |")
    lines += ["", "**What each label promised and got** (stated: measured leaving one development transcript out; "
              "observed: on the test set). A label's rate is the share of its answers whose first citation is the answer "
              "(for not addressed: that nothing answers).", "",
              "| test set | " + " | ".join(f"{label} (answers, stated, observed)" for label in LABELS) + " |",
              "|---|" + "---|" * len(LABELS)]
    for name, count, result in summary:
        cells = [f"{m['answers']}, {reports.cell(m['stated'])}, {reports.cell(m['rate'])}" for m in result["labels"].values()]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    (args.out / "README.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (args.out / "summary.json").write_text(json.dumps({n: r["systems"] for n, _, r in summary}, indent=2) + "\n",
                                           encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
