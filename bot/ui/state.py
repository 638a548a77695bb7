"""The app's session state: the bot, the conversation and the user's choices, under fixed keys.

A test injects its own bot with `at.session_state["bot"] = bot` before the first run; otherwise
the bot is built once per process from `Settings.from_env()` (`st.cache_resource`). The sidebar
writes the user's `Choices` each run; the chat and the Evaluate page read them.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from bot.evidence import Exchange
from bot.pipeline import Bot

BOT, EXCHANGES, CHOICES, FLASH, EVAL_REPORT = "bot", "exchanges", "choices", "flash", "eval_report"


@dataclass(frozen=True)
class Choices:
    """What the sidebar's settings say: interviews to search (None: all), citations, offline or model."""

    sources: tuple[str, ...] | None = None
    max_citations: int | None = None
    offline: bool = False
    nothing_chosen: bool = False


@st.cache_resource(show_spinner="Loading the interviews and the embedding model…")
def _shared_bot() -> Bot:
    from bot.ui.interviews import open_bot
    from bot.settings import Settings

    return open_bot(Settings.from_env())


def current_bot() -> Bot:
    """The injected bot, or the one built from the environment (raises one of `USER_ERRORS` if it cannot be)."""
    if BOT not in st.session_state:
        st.session_state[BOT] = _shared_bot()
    return st.session_state[BOT]


def choices() -> Choices:
    return st.session_state.get(CHOICES) or Choices()


def answering_bot(bot: Bot) -> Bot:
    """The bot that answers now: the configured one, or its offline twin when the user chose offline."""
    if bot.chat_model is None or not choices().offline:
        return bot
    key = f"offline-twin-{id(bot)}"
    if key not in st.session_state:
        from bot.ui.interviews import offline_twin

        st.session_state[key] = offline_twin(bot)
    return st.session_state[key]


def exchanges() -> list[Exchange]:
    """The conversation so far (a list kept in the session, appended to in place)."""
    return st.session_state.setdefault(EXCHANGES, [])


def flash(message: str | None = None) -> str | None:
    """Keep a one-line success message for the next run, or take the kept one."""
    if message is not None:
        st.session_state[FLASH] = message
        return None
    return st.session_state.pop(FLASH, None)
