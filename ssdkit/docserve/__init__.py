"""``ssdkit-docs``: the documentation site served locally, every example editable and runnable where it is
read (a Python session per page, as in a notebook), with the vague-word search of ``ssdkit-help`` on every page.

Pieces: :mod:`.server` (HTTP + token), :mod:`.sessions` (one limited worker process per page),
:mod:`.worker` (runs code REPL-style, returns text, images, HTML), :mod:`.search` (help hits with their page
and example), :mod:`.assets` (the page script, also written into the static site), :mod:`.cli`.

Examples
--------
>>> from ssdkit.docserve import DocsServer, inject
>>> callable(inject), DocsServer.__name__
(True, 'DocsServer')
"""
from .assets import inject, write_assets
from .server import DocsServer

__all__ = ["DocsServer", "inject", "write_assets"]
