"""Score the bot and the baselines on every shipped test set (`make eval`): a thin wrapper over `bot.evaluation.suite`, which says how to run it."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.evaluation.suite import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
