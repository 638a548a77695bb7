"""The Evaluate page (run through `app.py`): score the bot on a test set, with baselines side by side."""

from bot import ui_evaluate, ui_sidebar, ui_state

ui_sidebar.render(ui_state.current_bot())
ui_evaluate.page()
