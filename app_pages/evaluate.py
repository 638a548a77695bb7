"""The Evaluate page (run through `app.py`): score the bot on a test set, with baselines side by side."""

from bot.ui import evaluate, sidebar, state

sidebar.render(state.current_bot())
evaluate.page()
