"""``python -m ssdkit.viz model-symbol.json -o model.html``: see :mod:`ssdkit.viz.cli`."""
import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
