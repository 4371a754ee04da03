"""Graph viewer, ``mx.viz``: ``print_summary`` and ``plot_network`` over MXNet-layout symbol JSON.

Reads the JSON layout of ``Symbol.tojson()`` directly, so exported ``*-symbol.json`` files can be viewed
without building the network; a Symbol or Block works too. ``plot_network`` draws with a built-in
layered layout into DOT, SVG or a self-contained interactive HTML page (collapsible name-scope groups,
pan/zoom, details panel). Command line: ``python -m ssdkit.viz model-symbol.json -o model.html``.

Examples
--------
>>> import ssdkit.viz as viz
>>> conf = {"nodes": [{"op": "null", "name": "data", "inputs": []},
...                   {"op": "Flatten", "name": "flat0", "inputs": [[0, 0, 0]]}], "heads": [[1, 0, 0]]}
>>> viz.plot_network(conf).groups
[]
"""
from .plot import Graph, plot_network
from .summary import print_summary

__all__ = ["plot_network", "print_summary", "Graph"]
