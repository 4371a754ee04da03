"""Random test data and contexts as MXNet's ``test_utils`` makes them: ``rand_ndarray``, ``rand_shape_*``,
``random_arrays``, ``random_sample``, ``default_context``/``set_default_context``, ``default_dtype``.

Random data come from numpy's global generator (``np.random``), as in MXNet's tests, so a test's
``np.random.seed`` fixes them.

Examples
--------
>>> np.random.seed(0)
>>> rand_ndarray((2, 3)).shape, len(rand_shape_nd(4)), default_context()
((2, 3), 4, cpu(0))
"""
import numpy as np

from ..base import MXNetError
from ..context import Context, current_context

__all__ = ["default_context", "set_default_context", "default_dtype", "random_arrays", "random_uniform_arrays",
           "random_sample", "rand_ndarray", "rand_shape_2d", "rand_shape_3d", "rand_shape_nd", "rand_coord_2d",
           "list_gpus"]


def default_context():
    """The context tests run on: the current one (``cpu(0)`` unless :func:`set_default_context` changed it).

    Examples
    --------
    >>> default_context()
    cpu(0)
    """
    return current_context()


def set_default_context(ctx):
    """Make ``ctx`` what :func:`default_context` and ``mx.current_context()`` return outside ``with`` blocks.

    Examples
    --------
    >>> from ssdkit.context import cpu
    >>> set_default_context(cpu(0)); default_context()
    cpu(0)
    """
    Context._default = ctx


def default_dtype():
    """The element type of test data: float32.

    Examples
    --------
    >>> default_dtype()
    <class 'numpy.float32'>
    """
    return np.float32


def list_gpus():
    """GPUs available to tests: none (ssdkit computes on the CPU).

    Examples
    --------
    >>> list_gpus()
    []
    """
    return []


def random_arrays(*shapes):
    """Standard normal float32 numpy arrays of the given shapes (one array if one shape).

    Examples
    --------
    >>> [a.shape for a in random_arrays((2,), (1, 3))]
    [(2,), (1, 3)]
    """
    arrays = [np.array(np.random.randn(), dtype=default_dtype()) if len(s) == 0
              else np.random.randn(*s).astype(default_dtype()) for s in shapes]
    return arrays[0] if len(arrays) == 1 else arrays


def random_uniform_arrays(*shapes, low=0.0, high=1.0, dtype=None):
    """Uniform ``[low, high)`` numpy arrays of the given shapes (always a list).

    Examples
    --------
    >>> [a.dtype.name for a in random_uniform_arrays((2,), low=-1)]
    ['float32']
    """
    return [np.random.uniform(low, high, size=s).astype(dtype or default_dtype()) for s in shapes]


def random_sample(population, k):
    """``k`` distinct elements of the list ``population`` in random order.

    Examples
    --------
    >>> sorted(random_sample([1, 2, 3], 3))
    [1, 2, 3]
    """
    if not 0 <= k <= len(population):
        raise ValueError(f"random_sample: k={k} must lie in [0, {len(population)}]")
    copy = list(population)
    np.random.shuffle(copy)
    return copy[:k]


def rand_ndarray(shape, stype="default", density=None, dtype=None, modifier_func=None,
                 shuffle_csr_indices=False, distribution=None, ctx=None):
    """A standard normal NDArray of ``shape`` (dense storage only: ``row_sparse``/``csr`` raise MXNetError).

    Examples
    --------
    >>> rand_ndarray((2, 2), dtype="float64").dtype
    <class 'numpy.float64'>
    """
    from ..ndarray import array
    if stype != "default":
        raise MXNetError(f"rand_ndarray: storage type {stype!r} needs sparse arrays, which ssdkit does not "
                         f"implement (dense 'default' only)")
    return array(random_arrays(tuple(shape) if not np.isscalar(shape) else (shape,)), dtype=dtype,
                 ctx=ctx or default_context())


def rand_sparse_ndarray(shape, stype, density=None, dtype=None, distribution=None, data_init=None,
                        rsp_indices=None, modifier_func=None, shuffle_csr_indices=False, ctx=None):
    """MXNet's random sparse array and its numpy parts; raises MXNetError (ssdkit's arrays are dense only).

    Examples
    --------
    >>> rand_sparse_ndarray((2, 2), "csr")
    Traceback (most recent call last):
    ...
    ssdkit.base.MXNetError: rand_sparse_ndarray: storage type 'csr' needs sparse arrays, which ssdkit does not implement (dense 'default' only); use rand_ndarray
    """
    raise MXNetError(f"rand_sparse_ndarray: storage type {stype!r} needs sparse arrays, which ssdkit does not "
                     f"implement (dense 'default' only); use rand_ndarray")


def rand_shape_2d(dim0=10, dim1=10, allow_zero_size=False):
    """A random 2-D shape with sides in [1, dim] (or [0, dim] with ``allow_zero_size``).

    Examples
    --------
    >>> all(1 <= d <= 4 for d in rand_shape_2d(4, 4))
    True
    """
    low = 0 if allow_zero_size else 1
    return np.random.randint(low, dim0 + 1), np.random.randint(low, dim1 + 1)


def rand_shape_3d(dim0=10, dim1=10, dim2=10, allow_zero_size=False):
    """A random 3-D shape with sides in [1, dim].

    Examples
    --------
    >>> len(rand_shape_3d())
    3
    """
    low = 0 if allow_zero_size else 1
    return np.random.randint(low, dim0 + 1), np.random.randint(low, dim1 + 1), np.random.randint(low, dim2 + 1)


def rand_shape_nd(num_dim, dim=10, allow_zero_size=False):
    """A random ``num_dim``-D shape with sides in [1, dim].

    Examples
    --------
    >>> len(rand_shape_nd(5, 3))
    5
    """
    low = 0 if allow_zero_size else 1
    return tuple(int(d) for d in np.random.randint(low, dim + 1, size=num_dim))


def rand_coord_2d(x_low, x_high, y_low, y_high):
    """A random integer point with x in [x_low, x_high) and y in [y_low, y_high).

    Examples
    --------
    >>> x, y = rand_coord_2d(0, 2, 5, 6); y
    5
    """
    return int(np.random.randint(x_low, x_high)), int(np.random.randint(y_low, y_high))
