"""Verbatim's web app: ask an interview questions, get the speaker's own words with citations.

    make run                                         # ingests the bundled interview if needed
    VERBATIM_STORE=DIR python -m streamlit run app.py

Rendering and session state only: the pages are `app_pages/chat.py` and `app_pages/evaluate.py`
(not `pages/`, which Streamlit would also serve by itself, without this file), drawn by
`bot.ui.chat`, `bot.ui.evaluate` and `bot.ui.sidebar`; all work goes through `bot/`. A test can
inject its own bot as `st.session_state["bot"]`. Problems the user can act on are shown as one
line (`bot.errors.USER_ERRORS`); `.streamlit/config.toml` hides details of anything else.

First impression: the product's name is drawn before anything slow is imported (the first run of a
fresh server imports Chroma and the answering path, about a second), the store opens behind a
spinner, and the embedding model loads at the end of the run, once the page is drawn, while the user
reads and types (`bot.ui.interviews.warm_up`): the chat box is ready before the model is.
"""

import streamlit as st

st.set_page_config(page_title="Verbatim", page_icon="❝", layout="centered")
st.markdown("### ❝ Verbatim", help="Answers built from the interviewee's own words, every quote cited to "
                                   "its exact place in the transcript.")

from bot.ui import state  # noqa: E402  (after the name is on screen: these imports are the slow part)
from bot.errors import USER_ERRORS  # noqa: E402
from bot.export import markdown_escape  # noqa: E402
from bot.ui.interviews import warm_up  # noqa: E402
from bot.ui.markup import CSS  # noqa: E402

st.html(CSS)
try:
    bot = state.current_bot()
except USER_ERRORS as exc:
    st.error(markdown_escape(str(exc)))
    st.stop()
page = st.navigation([
    st.Page("app_pages/chat.py", title="Chat", icon=":material/forum:", default=True),
    st.Page("app_pages/evaluate.py", title="Evaluate", icon=":material/analytics:"),
], position="top")
page.run()
warm_up(bot)  # after the page: the chat box is on screen before the model takes the CPU
