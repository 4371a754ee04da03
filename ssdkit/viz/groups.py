"""Name-scope groups: the Gluon block nesting recovered from node names.

Gluon names every node after the blocks it was created in (``toyssd0_sequential0_conv0_fwd``), so the
``_``-separated prefixes that end in a counter are the blocks: ``toyssd0_`` and ``toyssd0_sequential0_``
(``..._conv0_`` too, but a block with a single visible node is shown as that node, not as a box).

Examples
--------
>>> scope_prefixes("toyssd0_sequential0_conv0_fwd")
['toyssd0_', 'toyssd0_sequential0_', 'toyssd0_sequential0_conv0_']
>>> scope_prefixes("toyssd0_broadcast_add0"), scope_prefixes("data")
(['toyssd0_'], [])
"""
from dataclasses import dataclass, field

__all__ = ["scope_prefixes", "Group", "build_groups", "unit_key", "MIN_GROUP_NODES"]

#: A name scope becomes a collapsible box only when it holds at least this many visible nodes.
MIN_GROUP_NODES = 2


def scope_prefixes(name):
    """The name-scope prefixes of ``name``: each ``_``-joined prefix whose last token ends in a digit.

    The final token is the node's own name inside its block, so it never forms a scope.

    Examples
    --------
    >>> scope_prefixes("stage1_unit2_conv1")
    ['stage1_', 'stage1_unit2_']
    """
    tokens = name.split("_")
    prefixes = []
    for k in range(len(tokens) - 1):
        if tokens[k] and tokens[k][-1].isdigit():
            prefixes.append("_".join(tokens[:k + 1]) + "_")
    return prefixes


def unit_key(kind, ref):
    """Key of a layout unit: ``"n12"`` for node 12, ``"g" + name`` for a group.

    Examples
    --------
    >>> unit_key("n", 3), unit_key("g", "net0_")
    ('n3', 'gnet0_')
    """
    return f"{kind}{ref}"


@dataclass
class Group:
    """One collapsible name scope.

    ``children`` are unit keys (nodes ``n<id>`` and sub-groups ``g<name>``) in first-appearance order;
    ``nodes`` are all visible node ids below it; ``params`` its learned parameters (None if unknown).

    Examples
    --------
    >>> Group("a0_", None).label
    'a0'
    """
    name: str
    parent: object
    children: list = field(default_factory=list)
    nodes: list = field(default_factory=list)
    params: object = None

    @property
    def label(self):
        """The scope's own name without its parent's prefix or the trailing ``_``."""
        start = len(self.parent) if self.parent else 0
        return self.name[start:-1]


def build_groups(model):
    """Group the visible nodes of ``model`` by name scope.

    Parameters
    ----------
    model : GraphModel

    Returns
    -------
    groups : dict
        ``{name: Group}``; a scope with fewer than :data:`MIN_GROUP_NODES` visible nodes is dissolved
        into its parent.
    root_children : list of str
        Unit keys at the top level.
    node_group : dict
        ``{node id: name of its innermost group or None}``.

    Examples
    --------
    >>> from ssdkit.viz.model import GraphModel, Node
    >>> names = ["data", "net0_conv0_fwd", "net0_relu0_fwd"]
    >>> g = GraphModel([Node(i, "null" if i == 0 else "op", n) for i, n in enumerate(names)], [])
    >>> groups, top, _ = build_groups(g)
    >>> sorted(groups), top, groups["net0_"].children
    (['net0_'], ['n0', 'gnet0_'], ['n1', 'n2'])
    """
    visible = [n for n in model.nodes if not model.hidden[n.id]]
    chains = {n.id: scope_prefixes(n.name) for n in visible}
    counts = {}
    for chain in chains.values():
        for prefix in chain:
            counts[prefix] = counts.get(prefix, 0) + 1
    kept = {p for p, c in counts.items() if c >= MIN_GROUP_NODES}
    groups = {}
    root_children = []
    node_group = {}

    def attach(parent, key):
        siblings = groups[parent].children if parent else root_children
        if key not in siblings:
            siblings.append(key)

    for node in visible:
        chain = [p for p in chains[node.id] if p in kept]
        parent = None
        for prefix in chain:
            if prefix not in groups:
                groups[prefix] = Group(prefix, parent)
                attach(parent, unit_key("g", prefix))
            groups[prefix].nodes.append(node.id)
            parent = prefix
        attach(parent, unit_key("n", node.id))
        node_group[node.id] = parent
    for group in groups.values():
        group.params = model.params_of([n for n in group.nodes if not model.nodes[n].is_variable])
    return groups, root_children, node_group


def ancestors(groups, name):
    """Group names from the outermost down to ``name`` (empty for the top level).

    Examples
    --------
    >>> gs = {"a0_": Group("a0_", None), "a0_b0_": Group("a0_b0_", "a0_")}
    >>> ancestors(gs, "a0_b0_"), ancestors(gs, None)
    (['a0_', 'a0_b0_'], [])
    """
    chain = []
    while name:
        chain.append(name)
        name = groups[name].parent
    return chain[::-1]
