"""Train an SSD detector: ``python scripts/train.py --help`` (same as the ``ssdkit-train`` command)."""
import sys

from ssdkit.apps.train import main

if __name__ == "__main__":
    sys.exit(main())
