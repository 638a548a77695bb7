"""The sidebar: the ingested interviews, "Add a transcript" with a progress bar, settings, briefing.

`render(bot)` runs on every page and stores the user's `Choices` in the session (the widgets are
seeded from them, so a page switch keeps them); `briefing()` (chat page only) offers every answer
of the conversation as Markdown and Word, the user dropping and reordering answers.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from bot.ui import state
from bot.errors import USER_ERRORS
from bot.export import briefing_docx, briefing_markdown, file_stem, markdown_escape
from bot.ui.interviews import UPLOAD_TYPES, add_upload
from bot.ui import library

UPLOAD_COUNTER = "upload-counter"
MAX_CITATIONS = 6


def _interviews(bot) -> list:
    try:
        return bot.store.sources()
    except USER_ERRORS:
        return []


def _upload(bot, has_interviews: bool) -> None:
    with st.expander("Add a transcript", icon=":material/upload_file:", expanded=not has_interviews):
        counter = st.session_state.setdefault(UPLOAD_COUNTER, 0)
        upload = st.file_uploader(
            "Transcript file", type=UPLOAD_TYPES, key=f"upload-{counter}",
            help="Plain text or Markdown (paragraphs, `Name: text` turns or `Q:`/`A:` lines), or WebVTT/SRT captions, "
                 "UTF-8. A first line like `date 2024-11-27` sets the interview's date.",
        )
        if st.button("Ingest", type="primary", disabled=upload is None, icon=":material/add:", key="ingest"):
            bar = st.progress(0.0, text="Reading the file…")

            def progress(done: int, total: int) -> None:
                bar.progress(done / total if total else 1.0, text=f"Embedding passages: {done} of {total}")

            try:
                transcript, result = add_upload(bot, upload.getvalue(), upload.name, progress)
            except USER_ERRORS as exc:
                bar.empty()
                st.error(markdown_escape(str(exc)))
                return
            bar.progress(1.0, text="Done")
            st.session_state[UPLOAD_COUNTER] = counter + 1
            renamed = "" if transcript.source == Path(upload.name).name else (
                f" Stored as {transcript.source}: an interview named {Path(upload.name).name} with other text is "
                f"already in the store.")
            state.flash(f"Added “{transcript.title}”: {len(transcript.questions)} questions, "
                        f"{len(transcript.passages)} passages ({result.added} new).{renamed}")
            st.rerun()


LABELS = "settings-labels"


def _keep() -> None:
    """On a change of any setting: keep the user's choices (the widgets' values) under `state.CHOICES`."""
    labels = st.session_state.get(LABELS, ())
    every = st.session_state.get("set-all", True)
    sources = [] if every else [s for s in st.session_state.get("set-sources", []) if s in labels]
    st.session_state[state.CHOICES] = state.Choices(
        sources=None if every else tuple(sources),
        max_citations=st.session_state.get("set-citations"), offline=st.session_state.get("set-mode") == "offline",
        nothing_chosen=bool(labels) and not every and not sources)


def _settings(bot, interviews: list) -> None:
    """The settings, drawn from the kept `Choices` on every run: a widget's own value is lost when a page
    without it runs, and one built with a default would silently go back to it."""
    st.subheader("Settings", divider="gray")
    labels = {i.source: i.title + (f" ({i.date})" if i.date else "") for i in interviews}
    kept = state.choices()
    st.session_state[LABELS] = tuple(labels)
    # "all" is a switch, not every interview picked (a thousand chips): it stays all when one is added
    st.session_state["set-all"] = kept.sources is None and not kept.nothing_chosen
    st.toggle("Search every interview" if len(labels) != 1 else "Search the interview", key="set-all",
              on_change=_keep, help="Off: choose the interviews a question searches")
    if not st.session_state["set-all"]:
        # a choice loses only interviews that are gone
        st.session_state["set-sources"] = [s for s in labels if s in (kept.sources or ())]
        st.multiselect("Interviews to search", list(labels), format_func=labels.get, key="set-sources",
                       placeholder="Choose interviews", on_change=_keep)
    if bot.chat_model is not None:
        st.session_state["set-mode"] = "offline" if kept.offline else "model"
        st.radio("Answer with", ["model", "offline"], horizontal=True, key="set-mode", on_change=_keep,
                 format_func={"model": markdown_escape(f"the model ({bot.model_name})"),
                              "offline": "offline (extractive)"}.get,
                 help="The model writes the answer from retrieved passages; its quotes are checked against "
                      "the transcript. Offline answers are the transcript's sentences themselves.")
    st.session_state["set-citations"] = kept.max_citations or min(bot.settings.max_citations, MAX_CITATIONS)
    st.slider("Citations per answer, at most", 1, MAX_CITATIONS, key="set-citations", on_change=_keep)
    _keep()  # the interviews may have changed since the last change of a setting


def render(bot) -> None:
    with st.sidebar:
        st.subheader("Interviews", divider="gray")
        interviews = _interviews(bot)
        if message := state.flash():
            st.success(markdown_escape(message))
        library.shelf(bot, interviews)
        _upload(bot, bool(interviews))
        _settings(bot, interviews)


def _move(k: int, step: int) -> None:
    state.set_briefing(state.briefing().moved(k, step))


def _toggle(k: int, key: str) -> None:
    state.set_briefing(state.briefing().toggled(k, st.session_state[key]))


def _picker(conversation: list) -> list:
    """One row per answer, in the briefing's order: include it or not, move it up or down."""
    picks, era = state.briefing(), state.epoch()
    st.caption(f"{len(picks.chosen())} of {len(conversation)} answers, in this order. Untick an answer to leave it "
               "out; the arrows move it.")
    for i, k in enumerate(picks.order):
        pick, up, down = st.columns([0.74, 0.13, 0.13], gap=None, vertical_alignment="center")
        key = f"brief-{era}-{k}"
        question = " ".join(conversation[k].answer.question.split())
        short = question if len(question) <= 60 else question[:59] + "…"
        pick.checkbox(markdown_escape(f"{k + 1}. {short}"), value=k not in picks.dropped, key=key,
                      on_change=_toggle, args=(k, key), help=markdown_escape(question))
        up.button(":material/arrow_upward:", key=f"brief-up-{era}-{k}", on_click=_move, args=(k, -1),
                  disabled=i == 0, type="tertiary", help=f"Move answer {k + 1} up")
        down.button(":material/arrow_downward:", key=f"brief-down-{era}-{k}", on_click=_move, args=(k, 1),
                    disabled=i == len(picks.order) - 1, type="tertiary", help=f"Move answer {k + 1} down")
    return [conversation[k] for k in picks.chosen()]


def briefing() -> None:
    """Download the conversation as Markdown and as Word: every answer by default, abstentions included,
    in the order and with the answers the user picks."""
    conversation = state.exchanges()
    with st.sidebar:
        st.subheader("Briefing", divider="gray")
        if not conversation:
            st.caption("Answers you get can be downloaded here as a briefing (Markdown or Word), every quote "
                       "verbatim and footnoted.")
            return
        chosen = _picker(conversation)
        stem = file_stem(chosen) if chosen else "briefing"
        try:
            docx = briefing_docx(chosen) if chosen else b""
        except USER_ERRORS as exc:
            docx = b""
            st.error(markdown_escape(str(exc)))
        with st.container(horizontal=True, gap="small"):
            st.download_button("Markdown", briefing_markdown(chosen) if chosen else "", file_name=f"{stem}.md",
                               mime="text/markdown", disabled=not chosen, on_click="ignore", key="briefing-md",
                               icon=":material/download:")
            st.download_button("Word", docx, file_name=f"{stem}.docx", disabled=not docx, on_click="ignore",
                               mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                               key="briefing-docx", icon=":material/download:")
