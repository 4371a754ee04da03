"""Detect objects in images: ``python scripts/detect.py --help`` (same as the ``ssdkit-detect`` command)."""
import sys

from ssdkit.apps.detect import main

if __name__ == "__main__":
    sys.exit(main())
