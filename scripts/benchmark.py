"""Measure speed and memory (`make bench`): a thin wrapper over `bot.evaluation.benchmark`, which says how to run it."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.evaluation.benchmark import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
