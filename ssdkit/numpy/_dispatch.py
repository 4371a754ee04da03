"""One ``mx.np`` function for arrays and graph nodes: functions built only from registry ops call
:func:`call`, which runs the op on ``mx.np.ndarray`` inputs or, when an input is a Symbol, adds the same op as a
graph node (the symbol layer registers how, :func:`register_symbolic`, so imports still only go downward).
Such functions are marked :func:`shared`; ``mx.sym.np`` (``F.np`` in a hybridized block) offers them as they are.

Examples
--------
>>> import ssdkit as mx
>>> x = mx.np.array([1., 2., 3.])
>>> call("_np_roll", [x], shift=(1,))
array([3., 1., 2.])
>>> mx.sym.np.roll.__wrapped__ is mx.np.roll
True
"""
import functools

import numpy as onp

from ..ndarray.ndarray import NDArray, invoke_op
from ..ops import get_op

__all__ = ["call", "call_list", "shared", "SHARED", "register_symbolic", "is_symbolic", "as_input", "as_graph_function"]

#: name -> function of ``mx.np`` (or ``mx.np.linalg`` / ``mx.np.random`` / ``mx.npx``: keyed "linalg.x") that
#: work unchanged on Symbols
SHARED = {}
_SYMBOLIC = []  # (Symbol class, caller(op_name, inputs, params) -> list of one-output Symbols)
_GRAPH = [0]     # > 0 while a function of mx.sym.np runs: ops without array inputs (samplers) become nodes too


def register_symbolic(cls, caller):
    """Let :func:`call` add graph nodes for inputs of class ``cls`` (done once by ``ssdkit.symbol``).

    Examples
    --------
    >>> import ssdkit.symbol  # registers Symbol
    >>> any(c.__name__ == "Symbol" for c, _ in _SYMBOLIC)
    True
    """
    if all(c is not cls for c, _ in _SYMBOLIC):
        _SYMBOLIC.append((cls, caller))


def is_symbolic(*values):
    """Whether any of ``values`` is a graph node.

    Examples
    --------
    >>> import ssdkit as mx
    >>> is_symbolic(mx.np.ones(1)), is_symbolic(mx.sym.var('x'))
    (False, True)
    """
    return any(isinstance(v, cls) for v in values for cls, _ in _SYMBOLIC)


def as_input(value, like=None, dtype=None):
    """``value`` as an op input: arrays and graph nodes stay, numbers and lists become ``mx.np.ndarray``.

    Examples
    --------
    >>> as_input([1, 2], dtype='int64')
    array([1, 2], dtype=int64)
    """
    if isinstance(value, NDArray) or is_symbolic(value):
        return value
    from .multiarray import ndarray
    data = onp.asarray(value, dtype if dtype is not None else None)
    if dtype is None and data.dtype == onp.float64 and not isinstance(value, onp.ndarray):
        data = data.astype(onp.float32)
    return ndarray(data)


def _store(results, out):
    if out is None:
        return results
    outs = out if isinstance(out, (list, tuple)) else [out]
    for dst, src in zip(outs, results):
        dst._data[...] = src._data
    return list(outs)


def call_list(op_name, inputs, out=None, **params):
    """Run ``op_name`` on ``inputs`` (arrays or graph nodes) and return the list of its outputs.

    Examples
    --------
    >>> import ssdkit as mx
    >>> [p.shape for p in call_list("_npi_array_split", [mx.np.arange(5)], sections=2)]
    [(3,), (2,)]
    """
    inputs = list(inputs)
    for cls, caller in _SYMBOLIC:
        if _GRAPH[0] or any(isinstance(x, cls) for x in inputs):
            return caller(op_name, inputs, params)
    op = get_op(op_name)
    results = invoke_op(op, inputs, op.parse_params(params))
    if not inputs:  # creation and sampling ops: mx.np.ndarray out
        results = [r.as_np_ndarray() for r in results]
    return _store(results, out)


def call(op_name, inputs, out=None, **params):
    """Run the one-output op ``op_name`` on ``inputs`` (arrays or graph nodes); ``out`` receives the result.

    Examples
    --------
    >>> import ssdkit as mx
    >>> call("_npi_tril", [mx.np.ones((2, 2))])
    array([[1., 0.],
           [1., 1.]])
    """
    return call_list(op_name, inputs, out, **params)[0]


def shared(function, name=None):
    """Mark ``function`` as working on arrays and graph nodes alike (``mx.sym.np`` then offers it).

    Examples
    --------
    >>> def roll_twice(a):
    ...     '''``a`` rolled by 2.'''
    ...     return call("_np_roll", [a], shift=(2,))
    >>> shared(roll_twice, "test.roll_twice") is roll_twice
    True
    """
    SHARED[name or function.__name__] = function
    return function


def as_graph_function(function):
    """``function`` (a shared one) as ``mx.sym.np`` offers it: every op it calls becomes a graph node, also
    ops without array inputs (``F.np.random.uniform(size=(2,))`` in a hybridized block).

    Examples
    --------
    >>> import ssdkit as mx
    >>> node = as_graph_function(mx.np.random.uniform)(size=(2,))
    >>> type(node).__name__, node.infer_shape()[1]
    ('Symbol', [(2,)])
    """
    @functools.wraps(function)
    def graph_function(*args, **kwargs):
        _GRAPH[0] += 1
        try:
            return function(*args, **kwargs)
        finally:
            _GRAPH[0] -= 1
    return graph_function
