"""The sidebar: the ingested interviews, "Add a transcript" with a progress bar, settings, briefing.

`render(bot)` runs on every page and stores the user's `Choices` in the session; `briefing()`
(chat page only) offers the conversation, or the answers the user picks, as Markdown and Word.
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


def _settings(bot, interviews: list) -> None:
    st.subheader("Settings", divider="gray")
    labels = {i.source: i.title + (f" ({i.date})" if i.date else "") for i in interviews}
    sources = st.multiselect("Interviews to search", list(labels), default=list(labels), format_func=labels.get,
                             placeholder="Choose interviews")
    offline = False
    if bot.chat_model is not None:
        mode = st.radio("Answer with", ["model", "offline"], horizontal=True,
                        format_func={"model": markdown_escape(f"the model ({bot.model_name})"),
                                     "offline": "offline (extractive)"}.get,
                        help="The model writes the answer from retrieved passages; its quotes are checked against "
                             "the transcript. Offline answers are the transcript's sentences themselves.")
        offline = mode == "offline"
    default = min(bot.settings.max_citations, MAX_CITATIONS)
    citations = st.slider("Citations per answer, at most", 1, MAX_CITATIONS, default)
    st.session_state[state.CHOICES] = state.Choices(
        sources=None if set(sources) == set(labels) else tuple(sources), max_citations=citations, offline=offline,
        nothing_chosen=bool(labels) and not sources,
    )


def render(bot) -> None:
    with st.sidebar:
        st.subheader("Interviews", divider="gray")
        interviews = _interviews(bot)
        if message := state.flash():
            st.success(markdown_escape(message))
        library.shelf(bot, interviews)
        _upload(bot, bool(interviews))
        _settings(bot, interviews)


def briefing() -> None:
    """Download the whole conversation, or the chosen answers, as Markdown and as Word."""
    conversation = state.exchanges()
    with st.sidebar:
        st.subheader("Briefing", divider="gray")
        if not conversation:
            st.caption("Answers you get can be downloaded here as a briefing (Markdown or Word), every quote "
                       "verbatim and footnoted.")
            return
        picked = st.multiselect("Answers to include", list(range(len(conversation))),
                                default=list(range(len(conversation))), key="briefing-answers",
                                format_func=lambda k: f"{k + 1}. {conversation[k].answer.question[:70]}")
        chosen = [conversation[k] for k in picked]
        stem = file_stem(chosen)
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
        if st.button("Clear the conversation", type="tertiary", icon=":material/delete:"):
            conversation.clear()
            st.rerun()
