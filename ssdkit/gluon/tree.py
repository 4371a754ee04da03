"""Walking a block tree: structural paths of descendants, the blocks owning each Parameter, and a scope that
runs hybridized blocks imperatively (so forward hooks see every child call).

A structural path is the dotted chain of child names from the root, the keys ``save_parameters`` writes
(``'0'``, ``'heads.1'``, ``'body.2.conv'``). A child registered under two parents appears at both paths.

Examples
--------
>>> import ssdkit as mx
>>> net = mx.gluon.nn.HybridSequential(prefix='t_')
>>> with net.name_scope():
...     net.add(mx.gluon.nn.Dense(3, activation='relu'), mx.gluon.nn.Dense(2))
>>> [path for path, _ in descendants(net)]
['0', '0.act', '1']
"""
from contextlib import contextmanager

__all__ = ["descendants", "imperatively", "parameter_owners", "describe"]


def descendants(block, path=""):
    """Yield ``(structural path, child)`` for every descendant of ``block``, depth first, in registration order.

    Examples
    --------
    >>> import ssdkit as mx
    >>> seq = mx.gluon.nn.Sequential(prefix='s_')
    >>> seq.add(mx.gluon.nn.Dense(1))
    >>> [(p, type(b).__name__) for p, b in descendants(seq)]
    [('0', 'Dense')]
    """
    for key, child in block._children.items():
        child_path = f"{path}.{key}" if path else key
        yield child_path, child
        yield from descendants(child, child_path)


@contextmanager
def imperatively(block):
    """Within the ``with``, ``block`` and every hybridized descendant run imperatively; restored on exit.

    Results are the same as hybridized; only forward hooks and Python-side effects differ (children's
    ``__call__`` runs, so their hooks fire).

    Examples
    --------
    >>> import ssdkit as mx
    >>> net = mx.gluon.nn.Dense(2, in_units=2); net.initialize(); net.hybridize()
    >>> with imperatively(net):
    ...     net._active
    False
    >>> net._active
    True
    """
    switched = [b for _, b in [("", block)] + list(descendants(block)) if getattr(b, "_active", False)]
    for b in switched:
        b._active = False
    try:
        yield block
    finally:
        for b in switched:
            b._active = True


def parameter_owners(block):
    """``{id(parameter): [(path, owning block), ...]}`` for every Parameter of ``block``'s tree.

    The root's own parameters have path ``''``. A parameter shared by several blocks lists each of them.

    Examples
    --------
    >>> import ssdkit as mx
    >>> seq = mx.gluon.nn.HybridSequential(prefix='s_')
    >>> with seq.name_scope():
    ...     seq.add(mx.gluon.nn.Dense(2, in_units=2))
    >>> owners = parameter_owners(seq)
    >>> [(path, type(b).__name__) for path, b in owners[id(seq[0].weight)]]
    [('0', 'Dense')]
    """
    owners = {}
    for path, blk in [("", block)] + list(descendants(block)):
        for param in blk.params.values():
            entry = owners.setdefault(id(param), [])
            if not any(b is blk for _, b in entry):
                entry.append((path, blk))
    return owners


def describe(path, blk):
    """How a block is named in messages: ``heads.1 (Dense)``, or ``the root Net`` for the root itself.

    Examples
    --------
    >>> import ssdkit as mx
    >>> describe('heads.1', mx.gluon.nn.Dense(1))
    'heads.1 (Dense)'
    """
    return f"{path} ({type(blk).__name__})" if path else f"the root {type(blk).__name__}"
