"""An evaluation report as the Evaluate page shows it: the searched interviews, the baselines in a
sentence, the metrics with one line each on what they mean, the charts, and the failures as cards.

    show("mine.jsonl", report, titles={"a.txt": "Water"}, command="python -m bot eval mine.jsonl")

The HTML is built by the pure functions here, every string from a test set or a transcript passed
through `html.escape` (Markdown through `markdown_escape`); `bot.ui.evaluate` runs the test set.
"""

from __future__ import annotations

import tempfile
from dataclasses import replace
from html import escape
from pathlib import Path

import streamlit as st

from bot.conversation import standalone_question
from bot.evaluation import report as reports
from bot.export import markdown_escape
from bot.labels import TITLES
from bot.ui import state

FAILURES_PER_PAGE = 10
FAILURE_PAGE = "eval-failures-page"  # session key: which page of failure cards is shown
LABELS = dict(reports.COLUMNS)
CATEGORY_KEYS = ("hit_rate", "citation_precision", "abstention_recall", "false_abstention_rate")

# Colours inherit the theme; greys are the text colour at lower opacity, so light and dark both read.
CSS = """<style>
.vb-metrics{width:100%;border-collapse:collapse;font-size:.85rem}
.vb-metrics th,.vb-metrics td{padding:.3rem .4rem;border-bottom:1px solid rgba(128,128,128,.25);vertical-align:top}
.vb-metrics th{text-align:right;font-weight:600;overflow-wrap:anywhere}
.vb-metrics th:first-child,.vb-metrics td:first-child{text-align:left}
.vb-metrics td.vb-num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.vb-metrics small{display:block;opacity:.7;line-height:1.3}
.vb-fail{overflow-wrap:anywhere;line-height:1.45}
.vb-fail-q{font-weight:600}
.vb-fail-meta,.vb-fail small{font-size:.8rem;opacity:.7}
.vb-fail small{white-space:nowrap}
.vb-fail-row{margin-top:.35rem}
.vb-fail-label{display:inline-block;min-width:4.5rem;font-size:.75rem;font-weight:700;text-transform:uppercase;letter-spacing:.03em;opacity:.75}
.vb-fail q{quotes:"“" "”"}
.vb-fail-verdict{margin-top:.4rem;font-size:.9rem;border-left:3px solid #e67e22;padding-left:.5rem}
</style>"""


def metrics_html(report: dict) -> str:
    """The metrics as rows, one column per system, each metric with its one-line meaning.

    >>> "<small>characters quoted per answer" in metrics_html({"systems": {"bot": {"cited_chars_per_answer": 90.0}}})
    True
    """
    systems = list(report["systems"])
    head = "".join(f"<th>{escape(name)}</th>" for name in systems)
    rows = []
    for key, label in reports.COLUMNS:
        values = "".join(f'<td class="vb-num">{_cell(key, report["systems"][name].get(key))}</td>' for name in systems)
        rows.append(f"<tr><td><b>{escape(label)}</b><small>{escape(reports.EXPLAINED[key].replace('`', ''))}</small>"
                    f"</td>{values}</tr>")
    return f'<table class="vb-metrics"><thead><tr><th>measure</th>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def _cell(key: str, value) -> str:
    """A table cell; milliseconds as whole numbers (a baseline's 0.1 ms is not "0.100")."""
    if key.startswith("latency") and value is not None:
        return f"{value:.0f}" if value >= 1 else "<1"
    return reports.cell(value)


def verdict(failure: dict) -> str:
    """Why a question counts as a failure, in words.

    >>> verdict({"answerable": True, "abstained": True, "outcome": "not_addressed"})
    'Declined as not addressed, but the interview answers it.'
    >>> verdict({"answerable": False, "abstained": False, "outcome": "candidates"})
    'Offered the closest passages, but the interview does not address this question.'
    """
    if failure["answerable"]:
        if failure["abstained"]:
            return "Declined as not addressed, but the interview answers it."
        if failure.get("outcome") == "candidates":
            return "Offered the closest passages; none of them overlaps the expected quote."
        return "Answered, but no citation overlaps the expected quote."
    if failure.get("outcome") == "candidates":
        return "Offered the closest passages, but the interview does not address this question."
    return "Answered, but the interview does not address this question."


def chat_question(failure: dict) -> str:
    """What to ask in the chat: a follow-up made to stand on its own, as the bot searched it.

    >>> chat_question({"question": "And why?", "history": [{"role": "user", "content": "Is water a right?"}]})
    'And why? (context: Is water a right?)'
    """
    return standalone_question(failure["question"], failure.get("history") or []).text


def failure_html(failure: dict, titles: dict[str, str]) -> str:
    """One failure as a card: the question, what was expected, what was cited, the verdict.

    >>> html = failure_html({"id": "u1", "category": None, "question": "<b>Visas?</b>", "answerable": False,
    ...     "abstained": False, "outcome": "answer", "cited": [{"source": "a.txt", "start": 3, "end": 9, "quote": "Yes <i>"}]},
    ...     {"a.txt": "Water"})
    >>> "&lt;b&gt;Visas?&lt;/b&gt;" in html and "<q>Yes &lt;i&gt;</q>" in html and "Water · characters 3–9" in html
    True
    """
    earlier = [t.get("content", "") for t in failure.get("history") or [] if t.get("role") == "user"]
    meta = " · ".join(escape(str(x)) for x in (failure["id"], failure.get("category")) if x)  # a test set's, any type
    if earlier:  # a follow-up reads only with the question it follows
        meta += f" · follow-up to <q>{escape(' '.join(earlier[-1].split()))}</q>"
    if failure["answerable"]:
        expected = "".join(f"<div><q>{escape(' '.join(q.split()))}</q></div>" for q in failure.get("gold_quotes") or []) \
            or escape(f"characters {', '.join(f'{a}–{b}' for a, b in failure.get('gold_spans') or [])}")
    else:
        expected = "to decline: the interview does not address this question"
    if failure["abstained"]:
        cited = "nothing: declined as not addressed"
    else:
        cited = "".join(f"<div><q>{escape(' '.join(c['quote'].split()))}</q> <small>{escape(titles.get(c['source'], c['source']))}"
                        f" · characters {c['start']}–{c['end']}</small></div>" for c in failure["cited"])
    return (f'<div class="vb-fail"><div class="vb-fail-q">{escape(str(failure["question"]))}</div>'
            f'<div class="vb-fail-meta">{meta}</div>'
            f'<div class="vb-fail-row"><span class="vb-fail-label">Expected</span> {expected}</div>'
            f'<div class="vb-fail-row"><span class="vb-fail-label">Cited</span> {cited}</div>'
            f'<div class="vb-fail-verdict">{escape(verdict(failure))}</div></div>')


def searched_line(searched: list[str], titles: dict[str, str]) -> str:
    """Which interviews the questions searched, and how many others in the store they did not.

    >>> searched_line(["a.txt"], {"a.txt": "Water", "b.txt": "Bees"})
    'Searched only the test set’s interview: Water (the other interview in the store was not searched).'
    >>> searched_line(["a.txt", "b.txt"], {"a.txt": "Water", "b.txt": "Bees"})
    'Searched the test set’s interviews: Water; Bees.'
    """
    names = "; ".join(titles.get(s, s) for s in searched)
    others = len(set(titles) - set(searched))
    if len(searched) == 1:
        line = f"Searched only the test set’s interview: {names}"
    else:
        line = f"Searched the test set’s interviews: {names}"
    if others:
        line += f" (the other {others} interviews in the store were not searched)" if others > 1 else \
            " (the other interview in the store was not searched)"
    return line + "."


def show(name: str, report: dict, titles: dict[str, str], command: str | None = None) -> None:
    """The whole report on the page (`titles`: each stored interview's title, by source)."""
    st.html(CSS)
    st.subheader(markdown_escape(f"Results: {name}"), divider="gray")
    st.caption(markdown_escape(f"{report['questions']} questions; answerer: {report['mode']}. "
                               + searched_line(report.get("searched") or [], titles)))
    if command:  # shown as code: copyable, and nothing in an uploaded file's name is read as Markdown
        st.caption("The same figures from the command line, on this store:")
        st.code(command, language="bash", wrap_lines=True)
    if said := reports.comparison(report):
        st.markdown(markdown_escape(said))
    st.html(metrics_html(report))
    _charts(report)
    categories = report.get("categories", {}).get("bot") or {}
    if categories:
        st.markdown("**The bot by category**")
        st.dataframe([{"category": cat, "questions": m["questions"],
                       **{LABELS[key]: reports.cell(m.get(key)) for key in CATEGORY_KEYS}}
                      for cat, m in categories.items()], hide_index=True)
    failures(report["failures"], titles)


def reliability_rows(labels: dict[str, dict]) -> list[dict]:
    """The labels' table: what each promised, what it got here, on how many answers.

    >>> reliability_rows({"likely": {"answers": 4, "rate": 0.75, "stated": 0.8}})
    [{'label': 'Likely answer', 'answers': 4, 'stated rate': '0.800', 'observed here': '0.750', 'within ±0.1': 'yes'}]
    """
    rows = []
    for label, m in labels.items():
        within = None if m["rate"] is None or m.get("stated") is None else abs(m["rate"] - m["stated"]) <= 0.1
        rows.append({"label": TITLES.get(label, label), "answers": m["answers"], "stated rate": reports.cell(m.get("stated")),
                     "observed here": reports.cell(m["rate"]), "within ±0.1": {True: "yes", False: "no", None: "–"}[within]})
    return rows


def _charts(report: dict) -> None:
    curves = {name: curve for name, curve in (report.get("risk_coverage") or {}).items() if curve}
    names = ["Hit rate and precision"] + (["Risk–coverage"] if curves else [])
    labelled = report.get("labels") and any(m["answers"] for m in report["labels"].values())
    tabs = st.tabs(names + (["Labels: stated and observed"] if labelled else []))
    if labelled:
        with tabs[-1]:
            import matplotlib.pyplot as plt

            fig = reports.reliability_figure(report["labels"])
            st.pyplot(fig, clear_figure=True)
            plt.close(fig)
            st.caption("Each label states the share of its answers that were right on development transcripts the "
                       "models were not fitted on (leave one transcript out); observed is that share on this test "
                       "set. A right answer's first citation is the answer; a right “not addressed” has no answer.")
            st.dataframe(reliability_rows(report["labels"]), hide_index=True)
    with tempfile.TemporaryDirectory() as folder:
        with tabs[0]:
            reports.chart(report, Path(folder) / "chart.png")
            st.image((Path(folder) / "chart.png").read_bytes(),
                     caption="Hit rate against citation precision; marker size: cited characters per answer")
        if curves:
            with tabs[1]:
                reports.risk_chart(curves, Path(folder) / "risk.png", "Risk–coverage")
                st.image((Path(folder) / "risk.png").read_bytes(),
                         caption="Keeping only the most confident answers: how precise the kept answers are "
                                 "(up) against how many answerable questions keep an answer (right); dashed: "
                                 "precision 0.9 and half the questions")


def failures(found: list[dict], titles: dict[str, str]) -> None:
    """The failures as cards, a page of them at a time, each with a button that asks it in the chat."""
    st.markdown(f"**Failures of the bot: {len(found)}**")
    if not found:
        st.caption("Every answerable question got a citation overlapping its gold quote, and every "
                   "unanswerable one was declined.")
        return
    pages = (len(found) + FAILURES_PER_PAGE - 1) // FAILURES_PER_PAGE
    page = min(st.session_state.get(FAILURE_PAGE, 0), pages - 1)
    first = page * FAILURES_PER_PAGE
    shown = found[first:first + FAILURES_PER_PAGE]
    if pages > 1:  # above the cards, so the next page is read from its top; and below, where reading ends
        _pager(page, pages, f"Failures {first + 1}–{first + len(shown)} of {len(found)}; report.md lists them all",
               "eval-failures")
    for i, failure in enumerate(shown, first):
        with st.container(border=True):
            st.html(failure_html(failure, titles))
            if st.button("Ask in the chat", key=f"eval-ask-{i}", icon=":material/forum:",
                         help="Asks this question in the chat, searching the interviews the evaluation searched"):
                _ask_in_chat(failure, titles)
    if pages > 1:
        _pager(page, pages, f"Failures {first + 1}–{first + len(shown)} of {len(found)}", "eval-failures-end")


def _ask_in_chat(failure: dict, titles: dict[str, str]) -> None:
    """Ask the failed question in the chat, over the interviews the evaluation searched: the answer
    there is the one that failed here. A changed setting is said in the sidebar."""
    from bot.ui.chat import PENDING

    st.session_state[PENDING] = chat_question(failure)
    searched = tuple(s for s in titles if s in (failure.get("searched") or ()))
    kept = state.choices()
    if searched:
        sources = None if len(searched) == len(titles) else searched
        if sources != kept.sources:
            st.session_state[state.CHOICES] = replace(kept, sources=sources, nothing_chosen=False)
            state.flash("Interviews to search: " + ("all" if sources is None else "; ".join(titles[s] for s in searched))
                        + ", as in the evaluation.")
    st.switch_page("app_pages/chat.py")


def _pager(page: int, pages: int, where: str, key: str) -> None:
    with st.container(horizontal=True, vertical_alignment="center"):
        st.button("Previous", key=f"{key}-previous", disabled=page == 0, icon=":material/chevron_left:",
                  on_click=st.session_state.__setitem__, args=(FAILURE_PAGE, page - 1))
        st.caption(where)
        st.button("Next", key=f"{key}-next", disabled=page == pages - 1, icon=":material/chevron_right:",
                  on_click=st.session_state.__setitem__, args=(FAILURE_PAGE, page + 1))
