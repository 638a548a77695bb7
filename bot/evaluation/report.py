"""Evaluation reports: a terminal table, `report.json`, `report.md` and `chart.png`.

`report.md` and `chart.png` are made from the same dict that becomes `report.json`, so the three
always agree.
"""

from __future__ import annotations

import json
from pathlib import Path

COLUMNS = [
    ("hit_rate", "hit rate"), ("citation_precision", "citation precision"), ("verbatim_rate", "verbatim"),
    ("cited_chars_per_answer", "cited chars/answer"), ("abstention_recall", "abstention recall"),
    ("false_abstention_rate", "false abstention"), ("mrr", "MRR"), ("recall_at_3", "recall@3"),
    ("latency_p50_ms", "p50 ms"), ("latency_p95_ms", "p95 ms"),
]


def _cell(value) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.0f}" if value >= 10 else f"{value:.3f}"
    return str(value)


def table_rows(report: dict) -> list[list[str]]:
    """Header and one row per system, as strings."""
    rows = [["system", *[label for _, label in COLUMNS]]]
    for name, metrics in report["systems"].items():
        rows.append([name, *[_cell(metrics.get(key)) for key, _ in COLUMNS]])
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
    out = [f"# {title}", "", f"{report['questions']} questions; answerer: {report['mode']}.", "",
           "| " + " | ".join(rows[0]) + " |", "|" + "---|" * len(rows[0])]
    out += ["| " + " | ".join(r) + " |" for r in rows[1:]]
    categories = report.get("categories", {}).get("bot") or {}
    if categories:
        out += ["", "## The bot by category", "", "| category | questions | hit rate | citation precision | abstention recall | false abstention |",
                "|---|---|---|---|---|---|"]
        for cat, m in categories.items():
            out.append(f"| {cat} | {m['questions']} | {_cell(m['hit_rate'])} | {_cell(m['citation_precision'])} | "
                       f"{_cell(m['abstention_recall'])} | {_cell(m['false_abstention_rate'])} |")
    out += ["", f"## Failures of the bot ({len(report['failures'])})", ""]
    for f in report["failures"]:
        expected = "abstain" if not f["answerable"] else "; ".join(f"“{q}”" for q in f["gold_quotes"]) or f"spans {f['gold_spans']}"
        got = "abstained" if f["abstained"] else "; ".join(f"“{c['quote']}”" for c in f["cited"])
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


def write(report: dict, folder: Path, title: str = "Evaluation") -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / "report.json", folder / "report.md", folder / "chart.png"]
    paths[0].write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    paths[1].write_text(markdown(report, title), encoding="utf-8")
    chart(report, paths[2])
    return paths
