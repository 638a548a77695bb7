"""Verbatim's question answering: ask an interview, get the speaker's own words with verbatim citations.

    from bot import Bot, Settings
    bot = Bot.from_settings(Settings.from_env())
    answer = bot.ask("Which values does the EU base its relationship with Kazakhstan on?")
    print(answer.text, [(c.source, c.start, c.end) for c in answer.citations])

The answering path lives here (settings → conversation → retrieve → extractive | llm → cite →
`Answer`); the Streamlit UI in `bot.ui`, evaluation and calibration in `bot.evaluation`. The CLI is
`python -m bot` (`bot/cli.py`).
"""

from bot.answer import Answer, Citation
from bot.pipeline import Bot
from bot.settings import Settings

__all__ = ["Answer", "Bot", "Citation", "Settings"]
