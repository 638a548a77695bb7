"""The benchmark's results as a table, the issue's targets met or missed, JSON, Markdown and a chart.

    rows = [{"interviews": 1, "mode": "embedded", "warm_p50_ms": 9.6, ...}, ...]
    targets(rows)          # [{"target": "warm ask p50 <= 50 ms at 1,000 interviews", "met": True, ...}]
    write(results, Path("benchmarks/results"))   # bench.json, bench.md, bench.png
"""

from __future__ import annotations

import json
from pathlib import Path

COLUMNS = (  # (key, heading, format)
    ("interviews", "interviews", "{:,}"), ("passages", "passages", "{:,}"), ("mode", "mode", "{}"),
    ("vectors", "vectors", "{}"), ("ingest_pps", "ingest p/s", "{:.0f}"), ("raw_pps", "model p/s", "{:.0f}"),
    ("ingest_ratio", "ratio", "{:.0%}"), ("ingest_rss_mb", "ingest RSS MB", "{:.0f}"),
    ("store_bytes_per_passage", "store B/p", "{:,.0f}"), ("beyond_vectors_bytes_per_passage", "beyond vec B/p", "{:,.0f}"),
    ("warm_p50_ms", "warm p50 ms", "{:.1f}"), ("warm_p95_ms", "warm p95 ms", "{:.1f}"),
    ("first_ask_s", "first ask s", "{:.2f}"), ("warm_rss_mb", "warm RSS MB", "{:.0f}"),
    ("cold_s", "cold ask s", "{:.2f}"), ("cold_rss_mb", "cold RSS MB", "{:.0f}"), ("server_rss_mb", "server RSS MB", "{:.0f}"),
)


def cell(row: dict, key: str, fmt: str) -> str:
    value = row.get(key)
    return "–" if value is None else fmt.format(value)


def table(rows: list[dict]) -> list[str]:
    """Aligned text lines, one row per size × mode (– where a mode does not measure a column)."""
    keys = [c for c in COLUMNS if any(r.get(c[0]) is not None for r in rows)]
    cells = [[heading for _, heading, _ in keys]] + [[cell(r, key, fmt) for key, _, fmt in keys] for r in rows]
    widths = [max(len(line[i]) for line in cells) for i in range(len(keys))]
    return ["  ".join(c.rjust(w) for c, w in zip(line, widths)) for line in cells]


def markdown_table(rows: list[dict]) -> list[str]:
    keys = [c for c in COLUMNS if any(r.get(c[0]) is not None for r in rows)]
    return ["| " + " | ".join(h for _, h, _ in keys) + " |", "|" + "---:|" * len(keys)] + [
        "| " + " | ".join(cell(r, key, fmt) for key, _, fmt in keys) + " |" for r in rows]


def _row(rows: list[dict], interviews: int | None, mode: str = "embedded") -> dict | None:
    found = [r for r in rows if r["mode"] == mode and (interviews is None or r["interviews"] == interviews)]
    return found[-1] if found else None


def targets(rows: list[dict]) -> list[dict]:
    """The issue's targets, each with the measured value and met (True/False) or None (not measured)."""
    model = [r for r in rows if r["mode"] == "embedded" and r.get("vectors") == "model"]
    ingest = model[-1] if model else None  # the largest size whose every passage the model embedded
    at1k, at10k = _row(rows, 1000), _row(rows, 10000)
    checks = [
        ("ingest >= 200 passages/s end to end", ingest, "ingest_pps", lambda v: v >= 200, "{:.0f} passages/s"),
        ("ingest >= 75% of the raw model's throughput", ingest, "ingest_ratio", lambda v: v >= 0.75, "{:.0%}"),
        ("warm ask p50 <= 50 ms at 1,000 interviews", at1k, "warm_p50_ms", lambda v: v <= 50, "{:.1f} ms"),
        ("warm ask p95 <= 100 ms at 1,000 interviews", at1k, "warm_p95_ms", lambda v: v <= 100, "{:.1f} ms"),
        ("cold ask <= 3 s at 1,000 interviews", at1k, "cold_s", lambda v: v <= 3, "{:.2f} s"),
        ("query RSS <= 600 MB at 1,000 interviews (cold ask)", at1k, "cold_rss_mb", lambda v: v <= 600, "{:.0f} MB"),
        ("store <= 3 KB per passage beyond the vectors at 1,000", at1k, "beyond_vectors_bytes_per_passage",
         lambda v: v <= 3000, "{:,.0f} B"),
        ("warm ask p50 <= 150 ms at 10,000 interviews", at10k, "warm_p50_ms", lambda v: v <= 150, "{:.1f} ms"),
    ]
    out = []
    for name, row, key, test, fmt in checks:
        value = row.get(key) if row else None
        where = f"{row['interviews']:,} interviews, {row['vectors']} vectors" if row else "size not run"
        out.append({"target": name, "value": value, "shown": "not measured" if value is None else fmt.format(value),
                    "met": None if value is None else bool(test(value)), "where": where})
    return out


def growth(rows: list[dict]) -> dict | None:
    """How warm and cold latency grow from the smallest to the largest size run (1 → 1,000 by default)."""
    embedded = [r for r in rows if r["mode"] == "embedded" and r.get("warm_p50_ms")]
    if len(embedded) < 2:
        return None
    low, high = embedded[0], embedded[-1]
    out = {"from": low["interviews"], "to": high["interviews"], "warm_p50": high["warm_p50_ms"] / low["warm_p50_ms"]}
    if low.get("cold_s") and high.get("cold_s"):
        out["cold"] = high["cold_s"] / low["cold_s"]
    return out


def summary(results: dict) -> list[str]:
    """The lines printed after the table and written under it in bench.md."""
    lines = [f"Mean passages per interview: {results['mean_passages']:.0f}.",
             f"Vectors: {results['vectors_note']}"]
    if g := results.get("growth"):
        cold = f", cold ask ×{g['cold']:.2f}" if "cold" in g else ""
        lines.append(f"Latency growth {g['from']:,} → {g['to']:,} interviews: warm ask p50 ×{g['warm_p50']:.2f}{cold}.")
    lines += [f"{'met   ' if t['met'] else 'MISSED' if t['met'] is False else '  –   '} {t['target']}: {t['shown']} "
              f"({t['where']})" for t in results["targets"]]
    return lines + results.get("notes", [])


def chart(rows: list[dict], path: Path) -> None:
    """Latency and RSS against the number of interviews, both axes logarithmic."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    series = {
        "latency (ms)": [("embedded", "warm_p50_ms", "warm ask p50"), ("embedded", "warm_p95_ms", "warm ask p95"),
                         ("server", "warm_p50_ms", "warm ask p50, server"), ("tutorial", "warm_p50_ms", "tutorial top-4 p50"),
                         ("embedded", "cold_ms", "cold `bot ask`"), ("server", "cold_ms", "cold `bot ask`, server")],
        "peak RSS (MB)": [("embedded", "ingest_rss_mb", "ingest"), ("embedded", "warm_rss_mb", "warm asker"),
                          ("embedded", "cold_rss_mb", "cold `bot ask`"), ("server", "server_rss_mb", "chroma server")],
    }
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    for ax, (ylabel, lines) in zip(axes, series.items()):
        for mode, key, label in lines:
            points = [(r["interviews"], r[key] if key != "cold_ms" else (r.get("cold_s") or 0) * 1000)
                      for r in rows if r["mode"] == mode and (r.get(key) or (key == "cold_ms" and r.get("cold_s")))]
            if points:
                ax.plot(*zip(*points), marker="o", label=label)
        ax.set_xscale("log"), ax.set_yscale("log")
        ax.set_xlabel("interviews"), ax.set_ylabel(ylabel)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle("Verbatim at corpus scale (make bench)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write(results: dict, folder: Path) -> None:
    """bench.json, bench.md and bench.png in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "bench.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    md = [f"# Benchmark: {results['label']}", "",
          f"Made by `python scripts/benchmark.py {results['arguments']}` on {results['date']} "
          f"({results['machine']}, load average {results['load_average'][0]:.1f} at the start and "
          f"{results['load_average'][1]:.1f} at the end); {results['minutes']:.1f} min.", "", *markdown_table(results["rows"]), "",
          *[f"- {line}" for line in summary(results)], "", "![latency and RSS](bench.png)", ""]
    (folder / "bench.md").write_text("\n".join(md), encoding="utf-8")
    chart(results["rows"], folder / "bench.png")
