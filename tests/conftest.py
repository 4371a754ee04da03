"""Shared pytest set-up: generator scripts under tests/data are data, not tests; tests import helpers
(``reference``) from this folder."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

collect_ignore_glob = ["data/*"]
