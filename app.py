"""Verbatim's web app: ask an interview questions, get the speaker's own words with citations.

    make run                                         # ingests the bundled interview if needed
    VERBATIM_STORE=DIR python -m streamlit run app.py

Rendering and session state only: the pages are `app_pages/chat.py` and `app_pages/evaluate.py`
(not `pages/`, which Streamlit would also serve by itself, without this file), drawn by
`bot.ui.chat`, `bot.ui.evaluate` and `bot.ui.sidebar`; all work goes through `bot/`. A test can
inject its own bot as `st.session_state["bot"]`. Problems the user can act on are shown as one
line (`bot.errors.USER_ERRORS`); `.streamlit/config.toml` hides details of anything else.
"""

import streamlit as st

from bot.ui import state
from bot.errors import USER_ERRORS
from bot.export import markdown_escape
from bot.ui.markup import CSS

st.set_page_config(page_title="Verbatim", page_icon="❝", layout="centered")
st.html(CSS)
try:
    state.current_bot()
except USER_ERRORS as exc:
    st.error(markdown_escape(str(exc)))
    st.stop()
page = st.navigation([
    st.Page("app_pages/chat.py", title="Chat", icon=":material/forum:", default=True),
    st.Page("app_pages/evaluate.py", title="Evaluate", icon=":material/analytics:"),
], position="top")
page.run()
