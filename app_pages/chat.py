"""The chat page (run through `app.py`): the conversation with its evidence, then the briefing downloads.

The sidebar is drawn by each page rather than by `app.py`, so that Streamlit's `AppTest` sees it
on every run of a multipage app.
"""

from bot import ui_chat, ui_sidebar, ui_state

ui_sidebar.render(ui_state.current_bot())
ui_chat.page()
ui_sidebar.briefing()  # after the page, so that it includes an answer given in this run
