"""Layer 8: the command-line tools (``ssdkit-train``, ``ssdkit-detect``, ``ssdkit-eval``) over the public API.

Nothing in the library imports this package; ``scripts/*.py`` are thin wrappers around ``main()`` here so
the same tools work from a checkout and after ``pip install``.

Examples
--------
>>> from ssdkit.apps import train
>>> train.build_parser().parse_args([]).network
'toyssd'
"""
