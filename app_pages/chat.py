"""The chat page (run through `app.py`): the conversation with its evidence, then the briefing downloads.

The sidebar is drawn by each page rather than by `app.py`, so that Streamlit's `AppTest` sees it
on every run of a multipage app.
"""

from bot.ui import chat, sidebar, state

sidebar.render(state.current_bot())
chat.page()
sidebar.briefing()  # after the page, so that it includes an answer given in this run
