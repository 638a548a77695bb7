"""The app's session state: the bot, the conversation and the user's choices, under fixed keys.

A test injects its own bot with `at.session_state["bot"] = bot` before the first run; otherwise
the bot is built once per process from `Settings.from_env()` (`st.cache_resource`). The sidebar
writes the user's `Choices` each run; the chat and the Evaluate page read them. Choices, the
briefing's picks and the open conversation live under keys of their own, not in widgets: Streamlit
forgets a widget's value when a page without it runs, the user's choices must outlive that.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import streamlit as st

from bot.evidence import Exchange
from bot.pipeline import Bot

BOT, EXCHANGES, CHOICES, FLASH, EVAL_REPORT = "bot", "exchanges", "choices", "flash", "eval_report"
OPENED, BRIEFING, EPOCH = "opened", "briefing", "conversation-epoch"


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


@dataclass(frozen=True)
class Opened:
    """The conversation on screen: its saved id (None until its first answer is saved), whether this
    browser owns it (one opened by someone else's link is copied on its next answer), how many of
    its exchanges are saved."""

    id: str | None = None
    owned: bool = True
    saved: int = 0


@dataclass(frozen=True)
class Briefing:
    """Which answers the briefing holds, in which order: positions in the conversation.

    Every answer is in by default, a new one joins at the end; the user drops and moves them.

    >>> b = Briefing().follow(3).moved(2, -1).toggled(0, False)
    >>> b.order, b.chosen()
    ((0, 2, 1), [2, 1])
    >>> b.follow(4).chosen()
    [2, 1, 3]
    """

    order: tuple[int, ...] = ()
    dropped: frozenset[int] = frozenset()

    def follow(self, n: int) -> Briefing:
        """The briefing of a conversation of `n` answers: answers not seen yet appended, included."""
        kept = tuple(k for k in self.order if k < n)
        return replace(self, order=kept + tuple(k for k in range(n) if k not in kept))

    def moved(self, k: int, step: int) -> Briefing:
        order = list(self.order)
        i = order.index(k)
        j = min(max(i + step, 0), len(order) - 1)
        order.insert(j, order.pop(i))
        return replace(self, order=tuple(order))

    def toggled(self, k: int, included: bool) -> Briefing:
        return replace(self, dropped=self.dropped - {k} if included else self.dropped | {k})

    def chosen(self) -> list[int]:
        return [k for k in self.order if k not in self.dropped]


def opened() -> Opened:
    return st.session_state.get(OPENED) or Opened()


def set_opened(value: Opened) -> None:
    st.session_state[OPENED] = value


def epoch() -> int:
    """Counts the conversations shown in this session: widget keys of one never carry over to the next."""
    return st.session_state.get(EPOCH, 0)


def show_conversation(exchanges: list[Exchange], which: Opened) -> None:
    """Put another conversation on screen (a new one: no exchanges, `Opened()`), its briefing reset."""
    st.session_state[EXCHANGES] = list(exchanges)
    st.session_state[OPENED] = which
    st.session_state[BRIEFING] = Briefing().follow(len(exchanges))
    st.session_state[EPOCH] = epoch() + 1


def briefing() -> Briefing:
    """The briefing's picks, following the conversation as it grows."""
    current = (st.session_state.get(BRIEFING) or Briefing()).follow(len(exchanges()))
    st.session_state[BRIEFING] = current
    return current


def set_briefing(value: Briefing) -> None:
    st.session_state[BRIEFING] = value
