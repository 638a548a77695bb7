"""Saved conversations in the app: the sidebar's list, "New conversation", rename, delete with undo,
and the link `?c=ID` that reopens one (a reload keeps it, since the id stays in the URL).

The chat page calls, in this order: `sync()` (open the conversation the URL names), `slot()` (the
sidebar's place for the list, filled later), the chat itself, `save(bot)` (store what was just
answered: after the answer is on screen, so saving never delays it), `conversations(bot, slot)`.

Whose list: each browser gets an owner token, minted here (`secrets.token_urlsafe`) and kept in a
cookie that a one-line script sets and `st.context.cookies` reads on the next visit. A session
without the cookie (another browser, a private window) starts a list of its own; a conversation
of someone else's is opened only by its link, and a question asked in it is saved to a copy owned
by this browser, so that the link's owner never sees a stranger's follow-ups.
"""

from __future__ import annotations

import re
import secrets

import streamlit as st

from bot.errors import ConversationsError
from bot.export import markdown_escape
from bot.saved import Conversations
from bot.ui import state

COOKIE, OWNER, COOKIE_SET = "verbatim_owner", "owner", "owner-cookie-set"
DB, DB_ERROR, DELETED, CONFIRM_NEW = "conversations-db", "conversations-error", "conversation-deleted", "confirm-new"
SHOWN = 10  # conversations listed before "Older conversations"
_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")


def _cookie() -> str:
    value = st.context.cookies.get(COOKIE)
    return value if isinstance(value, str) else ""  # AppTest has no browser, hence no cookies


def owner() -> str:
    """This browser's owner token: the cookie's, or a new one (set as the cookie by `remember_owner`)."""
    if OWNER not in st.session_state:
        cookie = _cookie()
        st.session_state[OWNER] = cookie if _TOKEN.fullmatch(cookie) else secrets.token_urlsafe(24)
    return st.session_state[OWNER]


def remember_owner() -> None:
    """Keep the owner token in a cookie for a year (once a session, only when the browser lacks it)."""
    token = owner()
    if st.session_state.get(COOKIE_SET) or _cookie() == token:
        return
    st.session_state[COOKIE_SET] = True
    st.html(f'<script>document.cookie = "{COOKIE}={token}; max-age=31536000; path=/; SameSite=Lax";</script>',
            unsafe_allow_javascript=True)


def _db(bot) -> Conversations | None:
    """The conversations file, opened once a session; None (and the reason kept) if it cannot be used."""
    if DB not in st.session_state and DB_ERROR not in st.session_state:
        try:
            st.session_state[DB] = Conversations(bot.settings.conversations_path)
        except ConversationsError as exc:
            st.session_state[DB_ERROR] = str(exc)
    return st.session_state.get(DB)


def _failed(exc: ConversationsError) -> None:
    st.session_state.pop(DB, None)
    st.session_state[DB_ERROR] = str(exc)


def sync(bot) -> None:
    """Open the conversation named by `?c=ID` if it is not the one on screen; keep the URL naming the open one."""
    wanted, current = st.query_params.get("c"), state.opened()
    if not wanted:
        if current.id:  # back from another page, which dropped the parameter
            st.query_params["c"] = current.id
        return
    if wanted == current.id or (db := _db(bot)) is None:
        return
    try:
        found = db.load(wanted)
    except ConversationsError as exc:
        _failed(exc)
        return
    if found is None or found[0].deleted is not None:
        del st.query_params["c"]
        st.error("No saved conversation at this link: it was deleted, or the link is incomplete.")
        return
    info, exchanges = found
    state.show_conversation(exchanges, state.Opened(info.id, info.owner == owner(), len(exchanges)))


def save(bot) -> None:
    """Save the exchanges answered since the last save; a conversation opened from someone else's link is
    saved as this browser's own copy."""
    conversation, current = state.exchanges(), state.opened()
    if current.saved >= len(conversation) or (db := _db(bot)) is None:
        return
    try:
        if current.id is None or not current.owned:
            cid = db.start(owner(), conversation[0])
            for ex in conversation[1:]:
                db.append(cid, ex)
        else:
            cid = current.id
            for ex in conversation[current.saved:]:
                db.append(cid, ex)
    except ConversationsError as exc:
        _failed(exc)
        return
    state.set_opened(state.Opened(cid, True, len(conversation)))
    st.query_params["c"] = cid


def slot():
    """The sidebar's top, where `conversations` draws the list once this run's answer is saved."""
    return st.sidebar.container()


def _open(cid: str) -> None:
    st.query_params["c"] = cid


def _new() -> None:
    st.session_state.pop(CONFIRM_NEW, None)
    st.query_params.pop("c", None)
    state.show_conversation([], state.Opened())


def _delete(db: Conversations, cid: str, title: str) -> None:
    try:
        if db.delete(cid, owner()):
            st.session_state[DELETED] = (cid, title)
            _new()
    except ConversationsError as exc:
        _failed(exc)


def _undo(db: Conversations, cid: str) -> None:
    st.session_state.pop(DELETED, None)
    try:
        if db.restore(cid, owner()):
            _open(cid)
    except ConversationsError as exc:
        _failed(exc)


def _rename(db: Conversations, cid: str, key: str) -> None:
    try:
        db.rename(cid, owner(), st.session_state.get(key, ""))
    except ConversationsError as exc:
        _failed(exc)


def _new_button(db: Conversations | None) -> None:
    unsaved = db is None and bool(state.exchanges())
    if not st.session_state.get(CONFIRM_NEW):
        st.button("New conversation", key="conv-new", icon=":material/add_comment:", width="stretch",
                  on_click=(lambda: st.session_state.update({CONFIRM_NEW: True})) if unsaved else _new,
                  disabled=not state.exchanges())
        return
    st.warning("This conversation is not saved: a new one replaces it for good.")
    with st.container(horizontal=True, gap="small"):
        st.button("Start a new one", key="conv-new-confirm", type="primary", on_click=_new)
        st.button("Keep this one", key="conv-new-cancel", on_click=lambda: st.session_state.pop(CONFIRM_NEW, None))


def conversations(bot, where) -> None:
    """The sidebar's "Conversations": new, the list (newest first), rename and delete the open one, undo."""
    db = _db(bot)
    with where:
        st.subheader("Conversations", divider="gray")
        if error := st.session_state.get(DB_ERROR):
            st.warning(markdown_escape(error), icon=":material/database_off:")
        _new_button(db)
        if db is None:
            return
        if deleted := st.session_state.get(DELETED):
            with st.container(horizontal=True, gap="small", vertical_alignment="center"):
                st.caption(markdown_escape(f"Deleted “{deleted[1]}”."))
                st.button("Undo", key="conv-undo", icon=":material/undo:", on_click=_undo, args=(db, deleted[0]))
        try:
            listed = db.list(owner())
        except ConversationsError as exc:
            _failed(exc)
            st.warning(markdown_escape(str(exc)), icon=":material/database_off:")
            return
        current = state.opened()
        if not current.owned:
            st.caption("Opened from a link: your questions here are saved to a copy of your own, in this list.")
        for c in listed[:SHOWN]:
            _entry(db, c, c.id == current.id)
        if listed[SHOWN:]:
            with st.expander(f"Older conversations ({len(listed) - SHOWN})"):
                for c in listed[SHOWN:]:
                    _entry(db, c, c.id == current.id)


def _entry(db: Conversations, c, mine: bool) -> None:
    """One conversation of the list: a button that opens it; the open one can be renamed or deleted."""
    st.button(markdown_escape(c.title), key=f"conv-open-{c.id}", on_click=_open, args=(c.id,), width="stretch",
              type="secondary" if mine else "tertiary", icon=":material/chat:" if mine else None,
              help=f"{c.answers} answer{'s' * (c.answers != 1)}" + (" · open now" if mine else ""))
    if mine:
        with st.popover("Rename or delete", icon=":material/edit:", width="stretch"):
            key = f"conv-title-{c.id}"
            st.text_input("Title", value=c.title, key=key, max_chars=200)
            st.button("Rename", key=f"conv-rename-{c.id}", on_click=_rename, args=(db, c.id, key))
            st.button("Delete this conversation", key=f"conv-delete-{c.id}", icon=":material/delete:",
                      on_click=_delete, args=(db, c.id, c.title), help="Undo brings it back.")
