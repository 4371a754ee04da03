"""Evaluate a trained detector: ``python scripts/eval.py --help`` (same as the ``ssdkit-eval`` command)."""
import sys

from ssdkit.apps.eval import main

if __name__ == "__main__":
    sys.exit(main())
