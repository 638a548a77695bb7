"""The sidebar's interview list: a searchable picker, the chosen interview's card, rename, speakers, remove.

    library.shelf(bot, bot.store.sources())        # inside `with st.sidebar:`

One card, not one per interview: with hundreds of interviews the sidebar would be all cards. The
picker is a selectbox (type in it to filter by title, date or file name). Renaming changes the
title only; "Speakers" gives each speaker a name and a role; removing asks first and then takes the
interview's passages and text out of the store, nothing else (`bot.ui.interviews`, the same store
operations as `python -m ingest --retitle`, `--source … --speaker …` and `--remove`). The outcome is
one line, shown on the next run.
"""

from __future__ import annotations

import streamlit as st

from bot.errors import USER_ERRORS
from bot.export import markdown_escape
from bot.ui import state
from bot.ui.interviews import describe_interview, label, remove_interview, retitle_interview
from ingest.speakers import speaker
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
    st.html(source_html(info.title, info.date, [info.person(s).said() for s in info.speakers], info.passages,
                        info.source))
    if st.session_state.get(CONFIRM) == source:
        _confirm_removal(bot, info)
        return
    with st.container(horizontal=True, gap="small"):
        with st.popover("Rename", icon=":material/edit:", key="interview-rename"):
            title = st.text_input("Title", value=info.title, key=f"title-{source}", max_chars=200)
            if st.button("Save the title", key="interview-save-title", type="primary"):
                _retitle(bot, info, title)
        with st.popover("Speakers", icon=":material/badge:", key="interview-speakers"):
            _speakers(bot, info)
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


def _speakers(bot, info) -> None:
    """A name and a role for each speaker (a blank field: not known), saved together."""
    st.caption("Who each speaker is. Answers, cards and briefings name them, and a question about "
               "“the EU official” or “Jane Doe” finds their words.")
    given = {s.label: s for s in info.people}
    header = dict(info.descriptions)
    fields = []
    for k, name in enumerate(info.speakers):
        person = given.get(name)
        left, right = st.columns(2, gap="small")
        fields.append((name, left.text_input(markdown_escape(f"“{name}”: name"), person and person.name or "",
                                             key=f"speaker-name-{info.source}-{k}", max_chars=120),
                       right.text_input("Role", person and person.role or "", key=f"speaker-role-{info.source}-{k}",
                                        max_chars=120, placeholder=header.get(name, "e.g. EU official"))))
    if st.button("Save the speakers", key="interview-save-speakers", type="primary"):
        try:
            saved = describe_interview(bot, info.source, [speaker(name, who, role) for name, who, role in fields])
        except USER_ERRORS as exc:
            st.error(markdown_escape(str(exc)))
            return
        state.flash(f"Saved who speaks in “{info.title}”: " + ", ".join(saved.person(s).said() for s in saved.speakers) + ".")
        st.rerun()
