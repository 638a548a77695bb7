"""Verbatim's web app: ask an interview questions, get the speaker's own words with citations.

    make run                                         # ingests the bundled interview if needed
    VERBATIM_STORE=DIR python -m streamlit run app.py

Rendering and session state only: the pages are `app_pages/chat.py` and `app_pages/evaluate.py`
(not `pages/`, which Streamlit would also serve by itself, without this file), drawn by
`bot.ui_chat`, `bot.ui_evaluate` and `bot.ui_sidebar`; all work goes through `bot/`. A test can
inject its own bot as `st.session_state["bot"]`. Problems the user can act on are shown as one
line (`VerbatimError`); `.streamlit/config.toml` hides details of anything else.
"""

import streamlit as st

from bot import ui_state
from bot.errors import VerbatimError
from bot.ui_html import CSS, markdown_escape

st.set_page_config(page_title="Verbatim", page_icon="❝", layout="centered")
st.html(CSS)
try:
    ui_state.current_bot()
except VerbatimError as exc:
    st.error(markdown_escape(str(exc)))
    st.stop()
page = st.navigation([
    st.Page("app_pages/chat.py", title="Chat", icon=":material/forum:", default=True),
    st.Page("app_pages/evaluate.py", title="Evaluate", icon=":material/analytics:"),
], position="top")
page.run()
