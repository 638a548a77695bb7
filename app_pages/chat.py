"""The chat page (run through `app.py`): the saved conversations, the conversation with its evidence,
then the briefing downloads.

The sidebar is drawn by each page rather than by `app.py`, so that Streamlit's `AppTest` sees it
on every run of a multipage app. The conversation is saved after it is drawn, so saving never
delays an answer; the list above is filled in afterwards, so it already shows that answer.
"""

from bot.ui import chat, sidebar, state, workspace

bot = state.current_bot()
workspace.remember_owner()
workspace.sync(bot)
listed = workspace.slot()
sidebar.render(bot)
chat.page()
workspace.save(bot)
workspace.conversations(bot, listed)
sidebar.briefing()  # after the page, so that it includes an answer given in this run
