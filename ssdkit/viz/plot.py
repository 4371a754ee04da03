"""``plot_network``: a picture of a network as DOT, SVG or an interactive HTML page; no Graphviz needed.

Examples
--------
>>> conf = {"nodes": [{"op": "null", "name": "data", "inputs": []},
...                   {"op": "Activation", "name": "relu0", "attrs": {"act_type": "relu"}, "inputs": [[0, 0, 0]]}],
...         "heads": [[1, 0, 0]]}
>>> g = plot_network(conf, shapes={"data": (1, 3, 8, 8)}, title="tiny")
>>> "relu0 -> data" in g.source, g.svg.startswith("<svg"), g.html.startswith("<!DOCTYPE html>")
(True, True, True)
"""
import html as html_lib
import os

from ..base import MXNetError
from .document import build_document
from .dot import dot_source
from .geometry import layout_document
from .html import render_html
from .source import load_model
from .svg import render_svg

__all__ = ["plot_network", "Graph", "SAVE_FORMATS"]

#: File extensions ``Graph.save`` understands, by output kind.
SAVE_FORMATS = {".html": "html", ".htm": "html", ".svg": "svg", ".dot": "dot", ".gv": "dot"}
#: Height of the viewer frame a notebook shows.
NOTEBOOK_FRAME_HEIGHT = 640


class Graph:
    """A drawn network: DOT source, standalone SVG and the interactive HTML page.

    Parameters
    ----------
    model : GraphModel
    title : str
    save_format : {"html", "svg", "dot"}
        Used by :meth:`render` and by :meth:`save` for a path without a known extension.
    node_attrs : dict, optional
        Graphviz node attributes for the DOT source.
    collapsed : iterable of str, optional
        Group names drawn collapsed (in SVG, and initially in HTML).

    Examples
    --------
    >>> from ssdkit.viz.model import GraphModel, Node
    >>> g = Graph(GraphModel([Node(0, "null", "x")], [(0, 0)]), "t", "svg")
    >>> g.groups
    []
    """

    def __init__(self, model, title="plot", save_format="html", node_attrs=None, collapsed=()):
        if save_format not in ("html", "svg", "dot"):
            raise MXNetError(f"plot_network: save_format must be 'html', 'svg' or 'dot', got {save_format!r}")
        self.model = model
        self.title = title
        self.format = save_format
        self.node_attrs = dict(node_attrs or {})
        self.document = build_document(model, title)
        unknown = sorted(set(collapsed) - set(self.document["groups"]))
        if unknown:
            raise MXNetError(f"plot_network: collapsed names no group: {unknown}; groups are {self.groups}")
        self.collapsed = sorted(set(collapsed))

    @property
    def groups(self):
        """Names of the collapsible name-scope groups, parents first."""
        return list(self.document["group_order"])

    @property
    def source(self):
        """DOT text, as MXNet's plot_network (plus name-scope clusters)."""
        return dot_source(self.model, self.title, self.node_attrs)

    def layout(self):
        """Coordinates of the visible boxes and edge routes (see :func:`ssdkit.viz.geometry.layout_document`).

        Examples
        --------
        >>> from ssdkit.viz.model import GraphModel, Node
        >>> Graph(GraphModel([Node(0, "null", "x")], [(0, 0)])).layout()["boxes"]["n0"]["y"]
        16.0
        """
        return layout_document(self.document, self.collapsed)

    @property
    def svg(self):
        """Standalone SVG text laid out by the built-in layered layout."""
        return render_svg(self.document, self.layout(), self.collapsed)

    @property
    def html(self):
        """The self-contained interactive HTML page."""
        return render_html(self.document, self.collapsed)

    def save(self, path):
        """Write the picture; the extension picks the kind (.html/.htm, .svg, .dot/.gv).

        A path without one of those extensions gets ``save_format``'s extension appended.

        Parameters
        ----------
        path : str or os.PathLike

        Returns
        -------
        str
            The path written.

        Examples
        --------
        >>> import os, tempfile
        >>> from ssdkit.viz.model import GraphModel, Node
        >>> g = Graph(GraphModel([Node(0, "null", "x")], [(0, 0)]), "t", "dot")
        >>> os.path.basename(g.save(os.path.join(tempfile.mkdtemp(), "net")))
        'net.dot'
        """
        path = os.fspath(path)
        kind = SAVE_FORMATS.get(os.path.splitext(path)[1].lower())
        if kind is None:
            kind, path = self.format, f"{path}.{self.format}"
        text = {"html": lambda: self.html, "svg": lambda: self.svg, "dot": lambda: self.source}[kind]()
        try:
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(text)
        except OSError as err:
            raise MXNetError(f"plot_network: cannot write {path!r}: {err}") from err
        return path

    def render(self, filename=None, directory=None):
        """Save as ``[directory/]filename.<save_format>`` (graphviz.Digraph's call); returns the path.

        Examples
        --------
        >>> import tempfile
        >>> from ssdkit.viz.model import GraphModel, Node
        >>> Graph(GraphModel([Node(0, "null", "x")], [(0, 0)]), "t", "svg").render(directory=tempfile.mkdtemp())[-5:]
        't.svg'
        """
        name = filename or self.title
        return self.save(os.path.join(directory, name) if directory else name)

    def _repr_svg_(self):
        return self.svg

    def _repr_html_(self):
        # A frame keeps the page's script and styles away from the notebook's own.
        return (f'<iframe srcdoc="{html_lib.escape(self.html, quote=True)}" '
                f'style="width:100%;height:{NOTEBOOK_FRAME_HEIGHT}px;border:1px solid #ddd"></iframe>')


def plot_network(symbol, shape=None, title="plot", save_format="html", node_attrs=None,
                 hide_weights=True, shapes=None, collapsed=()):
    """Draw a network as MXNet's ``mx.viz.plot_network`` does, without Graphviz.

    Parameters
    ----------
    symbol : Symbol or Block or dict or str or os.PathLike
        MXNet symbol JSON (dict, text, or path to ``*-symbol.json``), an object with ``tojson()``,
        or a Block (traced on ``sym.var('data')``).
    shape : dict, optional
        Input shapes ``{name: shape}``; edges are then labelled with inferred shapes (batch axis
        dropped, as MXNet does).
    title : str
        Name of the digraph and the page title.
    save_format : {"html", "svg", "dot"}
        Default output kind of :meth:`Graph.render` / extension-less :meth:`Graph.save`.
    node_attrs : dict, optional
        Graphviz node attributes for the DOT source.
    hide_weights : bool
        Hide ``*_weight``, ``*_bias``, ``*_gamma``, ``*_beta`` and moving statistics.
    shapes : dict, optional
        Entry shapes given directly ``{entry name: shape}`` (names as ``get_internals().list_outputs()``),
        for JSON input without the symbol layer.
    collapsed : iterable of str, optional
        Name-scope groups drawn collapsed (see ``Graph.groups``).

    Returns
    -------
    Graph

    Examples
    --------
    >>> g = plot_network({"nodes": [{"op": "null", "name": "data", "inputs": []},
    ...          {"op": "Flatten", "name": "net0_flat0", "inputs": [[0, 0, 0]]},
    ...          {"op": "Flatten", "name": "net0_flat1", "inputs": [[1, 0, 0]]}], "heads": [[2, 0, 0]]}, collapsed=["net0_"])
    >>> g.groups, g.collapsed
    (['net0_'], ['net0_'])
    """
    model = load_model(symbol, shape=shape, shapes=shapes, hide_weights=hide_weights, caller="plot_network")
    return Graph(model, title, save_format, node_attrs, collapsed)
