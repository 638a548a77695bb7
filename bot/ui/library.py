"""The sidebar's interview list: a searchable picker, the chosen interview's card, rename and remove.

    library.shelf(bot, bot.store.sources())        # inside `with st.sidebar:`

One card, not one per interview: with hundreds of interviews the sidebar would be all cards. The
picker is a selectbox (type in it to filter by title, date or file name). Renaming changes the
title only; removing asks first and then takes the interview's passages and text out of the store,
nothing else (`bot.ui.interviews`, the same store operations as `python -m ingest --retitle` and
`--remove`). The outcome is one line, shown on the next run.
"""

from __future__ import annotations

import streamlit as st

from bot.errors import USER_ERRORS
from bot.export import markdown_escape
from bot.ui import state
from bot.ui.interviews import label, remove_interview, retitle_interview
from bot.ui.markup import source_html

PICKED, CONFIRM = "interview-picked", "interview-confirm-remove"


def shelf(bot, interviews: list) -> None:
    """The picker (with more than one interview), then the chosen interview's card and its actions."""
    if not interviews:
        st.caption("None yet.")
        return
    by_source = {info.source: info for info in interviews}
    if st.session_state.get(PICKED) not in by_source:
        st.session_state.pop(PICKED, None)  # removed, or a first run: the first interview
    if len(interviews) > 1:
        source = st.selectbox(f"{len(interviews)} interviews", list(by_source), key=PICKED,
                              format_func=lambda s: label(by_source[s]),
                              help="Type to find an interview by its title, date or file name.")
    else:
        source = interviews[0].source
    info = by_source[source]
    st.html(source_html(info.title, info.date, info.speakers, info.passages, info.source))
    if st.session_state.get(CONFIRM) == source:
        _confirm_removal(bot, info)
        return
    with st.container(horizontal=True, gap="small"):
        with st.popover("Rename", icon=":material/edit:", key="interview-rename"):
            title = st.text_input("Title", value=info.title, key=f"title-{source}", max_chars=200)
            if st.button("Save the title", key="interview-save-title", type="primary"):
                _retitle(bot, info, title)
        if st.button("Remove", icon=":material/delete:", key="interview-remove", type="tertiary",
                     help="Take this interview out of the store (asks first)"):
            st.session_state[CONFIRM] = source
            st.rerun()


def _confirm_removal(bot, info) -> None:
    st.warning(markdown_escape(f"Remove “{info.title}” and its {info.passages} passages from the store? The file it "
                               f"came from is not touched; answers already given stay in the conversation."))
    with st.container(horizontal=True, gap="small"):
        if st.button("Remove it", key="interview-remove-yes", type="primary", icon=":material/delete:"):
            st.session_state.pop(CONFIRM, None)
            try:
                removed = remove_interview(bot, info.source)
            except USER_ERRORS as exc:
                st.error(markdown_escape(str(exc)))
                return
            st.session_state.pop(PICKED, None)
            state.flash(f"Removed “{info.title}” ({removed} passages).")
            st.rerun()
        if st.button("Keep it", key="interview-remove-no"):
            st.session_state.pop(CONFIRM, None)
            st.rerun()


def _retitle(bot, info, title: str) -> None:
    try:
        retitle_interview(bot, info.source, title)
    except USER_ERRORS as exc:
        st.error(markdown_escape(str(exc)))
        return
    state.flash(f"Renamed “{info.title}” to “{' '.join(title.split())}”.")
    st.rerun()
