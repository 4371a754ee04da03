"""The documented signatures of the ``mx.np`` functions that are one ``_np_*`` registry op, as MXNet 1.9.1's
``_numpy_op_doc`` gives them: ``ssdkit.numpy`` sets each function's ``__signature__`` from here, and the
positional order is the call's (``np.sum(x, 0, None, True)`` keeps the reduced axis, ``keepdims`` comes before
``out``). Documentation only: nothing here computes.

Examples
--------
>>> import inspect
>>> str(inspect.signature(_np_sum))
'(a, axis=None, dtype=None, keepdims=False, initial=None, out=None)'
"""


def _np_all(a, axis=None, keepdims=False, out=None):
    """Whether every element along ``axis`` is non-zero (bool)."""


def _np_any(a, axis=None, keepdims=False, out=None):
    """Whether some element along ``axis`` is non-zero (bool)."""


def _np_sum(a, axis=None, dtype=None, keepdims=False, initial=None, out=None):
    """Sum over ``axis``; ints stay ints, bools give int64; ``initial`` is refused."""


def _np_max(a, axis=None, keepdims=False, out=None):
    """Largest value over ``axis``."""


def _np_min(a, axis=None, keepdims=False, out=None):
    """Smallest value over ``axis``."""


def _np_prod(a, axis=None, dtype=None, out=None, keepdims=False):
    """Product over ``axis``."""


def _np_cumsum(a, axis=None, dtype=None, out=None):
    """Cumulative sum along ``axis`` (of the flattened array when None)."""


def _np_dot(a, b, out=None):
    """NumPy's dot product."""


def _np_reshape(a, newshape, order='C', out=None):
    """``a`` with shape ``newshape`` (one -1 inferred)."""


def _np_squeeze(a, axis=None, out=None):
    """``a`` without its length-1 axes (or those of ``axis``)."""


def _np_roll(a, shift, axis=None):
    """Elements rolled by ``shift`` along ``axis`` (of the flattened array when None)."""


def _np_moveaxis(a, source, destination):
    """Axes ``source`` moved to ``destination``."""


def _np_diag(array, k=0):
    """The ``k``-th diagonal of a 2-D array, or a 2-D array with a 1-D array on it."""


def _np_diagonal(a, offset=0, axis1=0, axis2=1):
    """The ``offset`` diagonal over ``axis1`` and ``axis2``."""


def _np_diagflat(array, k=0):
    """A 2-D array with the flattened input on its ``k``-th diagonal."""


def _np_atleast_1d(*arys):
    """Each input with at least one dimension."""


def _np_atleast_2d(*arys):
    """Each input with at least two dimensions."""


def _np_atleast_3d(*arys):
    """Each input with at least three dimensions."""


def _np_broadcast_to(array, shape):
    """``array`` broadcast to ``shape``."""


def _np_resize(a, new_shape):
    """``a`` with ``new_shape``, its elements repeated to fill it."""
