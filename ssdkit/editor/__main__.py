"""``python -m ssdkit.editor``: the same as ``ssdkit-editor``."""
import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
