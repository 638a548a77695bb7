"""Evaluation reports: a terminal table, `report.json`, `report.md` and `chart.png`.

`report.md` and `chart.png` are made from the same dict that becomes `report.json`, so the three
always agree.
"""

from __future__ import annotations

import json
from pathlib import Path

COLUMNS = [
    ("hit_rate", "hit rate"), ("hit_at_2", "hit@2"), ("highlight_hit_rate", "answer in highlight"),
    ("citation_precision", "citation precision"), ("answer_precision", "answer precision"),
    ("answer_coverage", "answer coverage"), ("likely_precision", "likely precision"),
    ("likely_coverage", "answer or likely coverage"), ("candidates_hit_rate", "candidates hit"), ("verbatim_rate", "verbatim"),
    ("cited_chars_per_answer", "cited chars/answer"), ("abstention_recall", "abstention recall"),
    ("false_abstention_rate", "false abstention"), ("mrr", "MRR"), ("recall_at_3", "recall@3"),
    ("latency_p50_ms", "p50 ms"), ("latency_p95_ms", "p95 ms"),
]


# One line per column of COLUMNS: what it measures and which way is better.
EXPLAINED = {
    "hit_rate": "share of answerable questions with a citation overlapping the gold (abstentions count as "
                "misses); higher is better",
    "hit_at_2": "share of answerable questions whose first two citations hold the gold; higher is better",
    "highlight_hit_rate": "share of answerable questions whose first citation's highlighted span (not its passage) "
                          "holds a whole gold quote; higher is better",
    "citation_precision": "share of citations inside a gold passage; higher is better",
    "answer_precision": "of the stated answers (`confidence: high`), the share whose first quote is the answer",
    "answer_coverage": "share of answerable questions that got a stated answer (`confidence: high`)",
    "likely_precision": "of the answers labelled “Likely answer”, the share whose first quote is the answer",
    "likely_coverage": "share of answerable questions labelled “Answer” or “Likely answer”",
    "candidates_hit_rate": "of the answerable questions answered with the closest passages (`confidence: low`), "
                           "the share whose passages hold the answer",
    "verbatim_rate": "share of citations whose offsets give back their quote; must be 1.000",
    "cited_chars_per_answer": "characters quoted per answer; smaller is more exact",
    "abstention_recall": "share of unanswerable questions declined; higher is better (baselines never abstain)",
    "false_abstention_rate": "share of answerable questions wrongly declined; lower is better",
    "mrr": "mean reciprocal rank of the first retrieved passage that holds the gold; higher is better",
    "recall_at_3": "share of answerable questions with the gold in the first three passages retrieved",
    "latency_p50_ms": "median time to answer one question, in milliseconds",
    "latency_p95_ms": "time within which 95% of the questions were answered, in milliseconds",
}

GLOSSARY = [f"- **{label}**: {EXPLAINED[key]};" for key, label in COLUMNS] + [
    "- baselines cite whole paragraphs or chunks and never abstain.",
]

# How a sentence names each baseline of `bot.evaluation.baselines`.
BASELINE_NAMES = {
    "bm25-top3": "BM25 top 3", "bm25-top1": "BM25 top 1", "dense-top3": "dense top 3", "dense-top1": "dense top 1",
    "rcts-chroma-top4": "the 1000/200 splitter + Chroma top 4",
}


def comparison(report: dict) -> str | None:
    """The bot against the baselines in words (None without baselines or a hit rate).

    >>> comparison({"systems": {"bot": {"hit_rate": 0.62, "citation_precision": 0.5, "cited_chars_per_answer": 300.0},
    ...             "bm25-top3": {"hit_rate": 0.48, "citation_precision": 0.2, "cited_chars_per_answer": 1500.0},
    ...             "dense-top3": {"hit_rate": 0.7, "citation_precision": 0.3, "cited_chars_per_answer": 1400.0}}})
    "The bot's hit rate is 0.620, above BM25 top 3 (0.480) and below dense top 3 (0.700). It cites 300 characters per answer against 1,400–1,500 for the baselines, with citation precision 0.500 against 0.200–0.300."
    """
    systems = report.get("systems", {})
    bot = systems.get("bot") or {}
    baselines = {name: m for name, m in systems.items() if name in BASELINE_NAMES and m.get("hit_rate") is not None}
    if bot.get("hit_rate") is None or not baselines:
        return None
    groups: dict[str, list[str]] = {"above": [], "level with": [], "below": []}
    for name, m in baselines.items():
        side = "above" if bot["hit_rate"] > m["hit_rate"] else "below" if bot["hit_rate"] < m["hit_rate"] else "level with"
        groups[side].append(f"{BASELINE_NAMES[name]} ({cell(m['hit_rate'])})")
    said = " and ".join(f"{side} {_listed(names)}" for side, names in groups.items() if names)
    out = f"The bot's hit rate is {cell(bot['hit_rate'])}, {said}."
    chars = [m["cited_chars_per_answer"] for m in baselines.values() if m.get("cited_chars_per_answer") is not None]
    precision = [m["citation_precision"] for m in baselines.values() if m.get("citation_precision") is not None]
    if bot.get("cited_chars_per_answer") is not None and chars:
        out += f" It cites {_number(bot['cited_chars_per_answer'])} characters per answer against {_span(chars)} for the baselines"
        if bot.get("citation_precision") is not None and precision:
            out += f", with citation precision {cell(bot['citation_precision'])} against {_span(precision)}"
        out += "."
    return out


def _number(value: float) -> str:
    """A cell for prose: thousands separated ("3,320"), rates as in the table ("0.455")."""
    return f"{value:,.0f}" if value >= 10 else cell(value)


def _listed(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _span(values: list[float]) -> str:
    low, high = _number(min(values)), _number(max(values))
    return low if low == high else f"{low}–{high}"


def cell(value) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.0f}" if value >= 10 else f"{value:.3f}"
    return str(value)


def table_rows(report: dict) -> list[list[str]]:
    """Header and one row per system, as strings."""
    rows = [["system", *[label for _, label in COLUMNS]]]
    for name, metrics in report["systems"].items():
        rows.append([name, *[cell(metrics.get(key)) for key, _ in COLUMNS]])
    return rows


def text_table(report: dict) -> str:
    rows = table_rows(report)
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(r, widths)))
             for r in rows]
    lines.insert(1, "-" * len(lines[0]))
    return "\n".join(lines)


def markdown(report: dict, title: str = "Evaluation") -> str:
    rows = table_rows(report)
    said = comparison(report)
    out = [f"# {title}", "", f"{report['questions']} questions; answerer: {report['mode']}.", "",
           *([said, ""] if said else []), *GLOSSARY, "",
           "| " + " | ".join(rows[0]) + " |", "|" + "---|" * len(rows[0])]
    out += ["| " + " | ".join(r) + " |" for r in rows[1:]]
    if report.get("labels"):
        out += ["", "## What the labels promised and what they got", "",
                "Each label states the rate measured when leaving each development transcript out (`make calibrate`); "
                "observed is the share of this test set's answers with that label that were right.", "",
                "| label | answers | stated | observed |", "|---|---|---|---|"]
        for label, m in report["labels"].items():
            out.append(f"| {label} | {m['answers']} | {cell(m['stated'])} | {cell(m['rate'])} |")
    categories = report.get("categories", {}).get("bot") or {}
    if categories:
        out += ["", "## The bot by category", "", "| category | questions | hit rate | citation precision | abstention recall | false abstention |",
                "|---|---|---|---|---|---|"]
        for cat, m in categories.items():
            out.append(f"| {cat} | {m['questions']} | {cell(m['hit_rate'])} | {cell(m['citation_precision'])} | "
                       f"{cell(m['abstention_recall'])} | {cell(m['false_abstention_rate'])} |")
    out += ["", f"## Failures of the bot ({len(report['failures'])})", ""]
    for f in report["failures"]:
        expected = "abstain" if not f["answerable"] else "; ".join(f"“{q}”" for q in f["gold_quotes"]) or f"spans {f['gold_spans']}"
        got = "abstained" if f["abstained"] else f"({f.get('outcome') or 'cited'}) " + "; ".join(f"“{c['quote']}”" for c in f["cited"])
        out.append(f"- **{f['id']}** ({f['category'] or 'no category'}): {f['question']}  \n  expected: {expected}  \n  cited: {got}")
    return "\n".join(out) + "\n"


def chart(report: dict, path: Path) -> None:
    """Hit rate against citation precision per system (marker size: cited characters per answer)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 5), dpi=110)
    for name, m in report["systems"].items():
        if m.get("hit_rate") is None or m.get("citation_precision") is None:
            continue
        size = 30 + (m.get("cited_chars_per_answer") or 0) / 6
        ax.scatter(m["citation_precision"], m["hit_rate"], s=size, alpha=0.6,
                   color="#c0392b" if name == "bot" else "#34495e")
        ax.annotate(f"{name}\n{m.get('cited_chars_per_answer') or 0:.0f} chars/answer", (m["citation_precision"], m["hit_rate"]),
                    textcoords="offset points", xytext=(6, 4), fontsize=8)
    ax.set_xlim(0, 1.05)
    ax.set_ylim(0, 1.05)
    ax.set_xlabel("citation precision (share of citations in a gold passage)")
    ax.set_ylabel("hit rate (a citation overlaps the gold span)")
    ax.set_title(f"{report['questions']} questions — marker size: cited characters per answer", fontsize=9)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def risk_chart(curves: dict[str, list], path: Path, title: str) -> None:
    """Precision of the answers kept against the share of answerable questions kept, most confident first."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 5), dpi=110)
    for name, curve in curves.items():
        if curve:
            xs, ys = zip(*curve)
            ax.plot(xs, ys, label=f"{name} ({len(curve)} answered)")
    ax.axhline(0.9, color="#999", ls="--", lw=0.8)
    ax.axvline(0.5, color="#999", ls="--", lw=0.8)
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("coverage (share of answerable questions kept, most confident first)")
    ax.set_ylabel("precision of kept answers (first quote is the answer)")
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def reliability_figure(labels: dict[str, dict], title: str = ""):
    """A reliability diagram: for each label, the rate it states against the rate observed (bars),
    with how many answers had it; a Matplotlib figure (the caller saves or shows it)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = [k for k, m in labels.items() if m.get("answers")]
    fig, ax = plt.subplots(figsize=(7, 4), dpi=110)
    xs = range(len(names))
    stated = [labels[k].get("stated") for k in names]
    observed = [labels[k]["rate"] for k in names]
    ax.bar([x - 0.2 for x in xs], [v or 0 for v in stated], 0.4, label="stated (left-out transcripts)", color="#7f8c8d")
    ax.bar([x + 0.2 for x in xs], observed, 0.4, label="observed here", color="#c0392b")
    for x, k, s in zip(xs, names, stated):
        if s is not None:  # the band a stated rate should hold to
            ax.plot([x - 0.4, x + 0.4], [s - 0.1, s - 0.1], color="#555", lw=0.8, ls=":")
            ax.plot([x - 0.4, x + 0.4], [s + 0.1, s + 0.1], color="#555", lw=0.8, ls=":")
        n = labels[k]["answers"]
        ax.annotate(f"{n} answer{'s' * (n != 1)}", (x, 1.02), ha="center", fontsize=8)
    ax.set_xticks(list(xs), [k.replace("_", " ") for k in names])
    ax.set_ylim(0, 1.1)
    ax.set_ylabel("share right")
    ax.set_title(title or "What each label promised (stated) and got (observed); dotted: ±0.1", fontsize=9)
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=2, frameon=False)
    ax.grid(alpha=0.3, axis="y")
    fig.tight_layout()
    return fig


def write(report: dict, folder: Path, title: str = "Evaluation") -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / "report.json", folder / "report.md", folder / "chart.png", folder / "risk-coverage.png"]
    paths[0].write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    paths[1].write_text(markdown(report, title), encoding="utf-8")
    chart(report, paths[2])
    risk_chart(report.get("risk_coverage") or {}, paths[3], f"Risk–coverage: {title}")
    if report.get("labels"):
        import matplotlib.pyplot as plt

        fig = reliability_figure(report["labels"], f"Labels, stated and observed: {title}")
        paths.append(folder / "reliability.png")
        fig.savefig(paths[-1])
        plt.close(fig)
    return paths
