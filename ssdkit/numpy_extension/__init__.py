"""``mx.npx``: MXNet 1.9.1's NumPy extensions — the switches (``set_np``, ``reset_np``, ``is_np_array``,
``use_np``), the neural-network and detection operators under their npx names (generated from the one op
registry, so ``npx.convolution`` is ``nd.Convolution`` with ``mx.np.ndarray`` in and out), ``npx.reshape`` with
its special codes, and ``save``/``load``.

``box_nms`` and ``box_iou`` are not in MXNet 1.9.1's npx (they are ``nd.contrib`` ops there); ssdkit offers them
here too, as the same ops.

Examples
--------
>>> import ssdkit as mx
>>> from ssdkit import np, npx
>>> npx.relu(np.array([-1., 2.]))
array([0., 2.])
>>> npx.reshape(np.ones((2, 3, 4)), (-2, -1)).shape
(2, 12)
>>> npx.pick(np.array([[1., 2.], [3., 4.]]), np.array([0, 1]))
array([1., 4.])
"""
import numpy as _onp

from ..util import (set_np, reset_np, is_np_array, is_np_shape, use_np, use_np_array, use_np_shape,  # noqa: F401
                    np_array, np_shape, set_np_shape)
from ..context import Context, cpu, gpu, cpu_pinned, current_context, num_gpus  # noqa: F401
from ..ndarray.ndarray import NDArray, invoke
from ..ndarray.register import make_function
from ..ndarray import creation as _nd_creation, serialization as _serialization
from ..numpy.multiarray import ndarray

#: npx name -> registry op (MXNet's _npx_* operators are these ops)
OPS = {
    "relu": "relu", "sigmoid": "sigmoid", "softmax": "softmax", "log_softmax": "log_softmax",
    "activation": "Activation", "leaky_relu": "LeakyReLU", "pick": "pick", "one_hot": "one_hot",
    "batch_dot": "batch_dot", "batch_flatten": "Flatten", "convolution": "Convolution",
    "deconvolution": "Deconvolution", "pooling": "Pooling", "fully_connected": "FullyConnected",
    "batch_norm": "BatchNorm", "dropout": "Dropout", "embedding": "Embedding", "sequence_mask": "SequenceMask",
    "topk": "topk", "smooth_l1": "smooth_l1", "erf": "erf", "cast": "Cast", "reshape_like": "reshape_like",
    "slice": "slice", "multibox_prior": "_contrib_MultiBoxPrior", "multibox_target": "_contrib_MultiBoxTarget",
    "multibox_detection": "_contrib_MultiBoxDetection", "box_nms": "_contrib_box_nms",
    "box_iou": "_contrib_box_iou", "rnn": "RNN", "erfinv": "erfinv", "gamma": "gamma", "gammaln": "gammaln",
    "constraint_check": "_npx_constraint_check",
}

__all__ = sorted(OPS) + ["reshape", "save", "load", "waitall", "nonzero", "shape_array", "set_np", "reset_np",
                         "is_np_array", "is_np_shape", "use_np", "use_np_array", "use_np_shape"]


def _as_np(value):
    if isinstance(value, list):
        return [_as_np(v) for v in value]
    return value.as_np_ndarray() if isinstance(value, NDArray) and not isinstance(value, ndarray) else value


def _npx_function(npx_name, op_name):
    function = make_function(op_name, npx_name)

    def npx_function(*args, **kwargs):
        return _as_np(function(*args, **kwargs))
    npx_function.__name__ = npx_function.__qualname__ = npx_name
    npx_function.__doc__ = (f"``npx.{npx_name}``: the registry op ``{op_name}`` (as ``nd.{op_name}``) on "
                            f"``mx.np.ndarray``; same arguments and defaults.\n\n" + (function.__doc__ or ""))
    return npx_function


for _name, _op in OPS.items():
    globals()[_name] = _npx_function(_name, _op)


def reshape(a, newshape, reverse=False, order="C"):
    """Reshape with npx's codes: -1 infer, -2 copy a dim, -3 drop a dim of size 1, -4 copy the rest, -5 merge
    two dims, -6 split a dim into the two sizes that follow; ``reverse`` reads the codes right to left.

    Examples
    --------
    >>> from ssdkit import np
    >>> reshape(np.ones((2, 3, 4)), (-6, 1, 2, -5)).shape
    (1, 2, 12)
    """
    newshape = (newshape,) if isinstance(newshape, (int, _onp.integer)) else tuple(newshape)
    return _as_np(invoke("_npx_reshape", [a], newshape=newshape, reverse=reverse, order=order))


def save(file, arr):  # noqa: A002 - MXNet's argument name
    """Save an array, a list of arrays or a dict name -> array to ``file`` (MXNet's ``.npy``-free binary
    NDArray format, readable by ``nd.load``; no pickle).

    Examples
    --------
    >>> import os, tempfile
    >>> from ssdkit import np
    >>> path = os.path.join(tempfile.mkdtemp(), "a.params"); save(path, {"w": np.ones(2)})
    >>> load(path)["w"]
    array([1., 1.])
    """
    _serialization.save(file, arr)


def load(file):
    """Load what :func:`save` (or ``nd.save``) wrote, as ``mx.np.ndarray`` (a dict or a list).

    Examples
    --------
    >>> import os, tempfile
    >>> from ssdkit import np
    >>> path = os.path.join(tempfile.mkdtemp(), "a.params"); save(path, [np.zeros(1)])
    >>> load(path)
    [array([0.])]
    """
    loaded = _serialization.load(file)
    if isinstance(loaded, dict):
        return {k: _as_np(v) for k, v in loaded.items()}
    return _as_np(list(loaded))


def waitall():
    """Wait for all computation (synchronous here: returns at once).

    Examples
    --------
    >>> waitall()
    """
    _nd_creation.waitall()


def nonzero(a):
    """Indices of the non-zero elements as an int64 array of shape (count, a.ndim).

    Examples
    --------
    >>> from ssdkit import np
    >>> nonzero(np.array([[0, 1], [2, 0]]))
    array([[0, 1],
           [1, 0]], dtype=int64)
    """
    return ndarray(_onp.argwhere(a._data).astype(_onp.int64))


def shape_array(data):
    """The shape of ``data`` as an int64 array.

    Examples
    --------
    >>> from ssdkit import np
    >>> shape_array(np.ones((2, 3)))
    array([2, 3], dtype=int64)
    """
    return ndarray(_onp.array(data.shape, _onp.int64))

from . import image  # noqa: E402  (npx.image: needs _npx_function above)
from . import random  # noqa: E402,F401  (npx.random)
