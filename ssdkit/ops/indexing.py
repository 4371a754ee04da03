"""Index-driven ops: gather_nd / scatter_nd, ravel_multi_index / unravel_index, diag, khatri_rao,
fill_element_0index, slice assignment, and the contrib index ops (boolean_mask, index_copy, index_array,
arange_like), each with MXNet's gradient where MXNet has one.

Examples
--------
>>> from ssdkit.ops import get_op
>>> op = get_op("gather_nd")
>>> data, idx = np.arange(6.).reshape(2, 3), np.array([[1, 0], [2, 0]])
>>> op.forward(op.parse_params({}), [data, idx], False)[0][0]
array([5., 0.])
"""
import numpy as np

from ..base import MXNetError, ShapeError
from .registry import Op, Param, register
from .shape import normalize_axis

__all__ = ["nd_index", "ZeroGradOp", "split_v2_params"]


class ZeroGradOp(Op):
    """An op whose gradient MXNet defines as zero for every input (``MakeZeroGradNodes``): subclasses
    implement ``compute(p, inputs)``; backward gives zeros of the inputs' shapes and dtypes.

    Examples
    --------
    >>> from ssdkit.ops import get_op
    >>> op = get_op("shape_array")
    >>> _, saved = op.forward(op.parse_params({}), [np.ones((2, 3))], False)
    >>> op.backward(op.parse_params({}), saved, [np.ones(2)])[0]
    array([[0., 0., 0.],
           [0., 0., 0.]])
    """
    differentiable = True  # recorded by autograd like MXNet's op; every gradient is zero

    def forward(self, p, inputs, is_train):
        return self.compute(p, inputs), [(x.shape, x.dtype) for x in inputs]

    def backward(self, p, saved, out_grads):
        return [np.zeros(shape, dtype) for shape, dtype in saved]


def nd_index(indices, shape, op_name):
    """The numpy index tuple for MXNet's ``(M, ...)`` index array into the first M axes of ``shape``.

    Negative indices count from the end (gather_nd wraps them as MXNet's kernel does).

    Examples
    --------
    >>> nd_index(np.array([[0, -1]]), (3, 2), "gather_nd")
    (array([0, 2]),)
    """
    indices = np.asarray(indices)
    if indices.ndim < 1 or indices.shape[0] > len(shape):
        raise ShapeError(f"{op_name}: indices of shape {indices.shape} need a first axis of at most {len(shape)} "
                         f"(the data's rank, data shape {tuple(shape)})")
    idx = indices.astype(np.int64)
    return tuple((idx[j] + shape[j]) % shape[j] if shape[j] else idx[j] for j in range(idx.shape[0]))


@register
class gather_nd(Op):
    """Gather slices of ``data`` at the index tuples stored along the first axis of ``indices``."""
    inputs = ("data", "indices")

    def infer_shape(self, p, shapes):
        data, idx = shapes
        if data is None or idx is None:
            return shapes, [None]
        if not idx or idx[0] > len(data):
            raise ShapeError(f"{self.name}: indices of shape {tuple(idx)} need a first axis of at most "
                             f"{len(data)} (data shape {tuple(data)})")
        return shapes, [tuple(idx[1:]) + tuple(data[idx[0]:])]

    def forward(self, p, inputs, is_train):
        data, indices = inputs
        key = nd_index(indices, data.shape, self.name)
        return [data[key]], (data.shape, key, indices)

    def backward(self, p, saved, out_grads):
        shape, key, indices = saved
        g = out_grads[0]
        dx = np.zeros(shape, g.dtype)
        np.add.at(dx, key, g)
        return [dx, np.zeros_like(indices)]


@register
class scatter_nd(Op):
    """Zeros of ``shape`` with ``data`` written at the index tuples of ``indices`` (the inverse of gather_nd)."""
    inputs = ("data", "indices")
    params = {"shape": Param("shape")}

    def infer_shape(self, p, shapes):
        return shapes, [tuple(p.shape)]

    def forward(self, p, inputs, is_train):
        data, indices = inputs
        out = np.zeros(p.shape, data.dtype)
        key = nd_index(indices, p.shape, self.name)
        out[key] = data
        return [out], (key, indices)

    def backward(self, p, saved, out_grads):
        key, indices = saved
        return [out_grads[0][key], np.zeros_like(indices)]


@register
class _scatter_set_nd(Op):
    """``lhs`` with ``rhs`` written at the index tuples of ``indices`` (advanced-index assignment)."""
    inputs = ("lhs", "rhs", "indices")
    params = {"shape": Param("shape", ())}

    def infer_shape(self, p, shapes):
        return shapes, [shapes[0]]

    def forward(self, p, inputs, is_train):
        lhs, rhs, indices = inputs
        out = lhs.copy()
        key = nd_index(indices, lhs.shape, self.name)
        out[key] = rhs
        return [out], (key, indices, rhs.shape)

    def backward(self, p, saved, out_grads):
        key, indices, rhs_shape = saved
        g = out_grads[0].copy()
        drhs = g[key].reshape(rhs_shape)
        g[key] = 0
        return [g, drhs, np.zeros_like(indices)]


def _full_shape(shape, count, op_name):
    shape = list(shape)
    if shape and shape[0] == -1:
        rest = int(np.prod(shape[1:]))
        shape[0] = count // rest if rest else 0
    if any(s < 0 for s in shape):
        raise MXNetError(f"{op_name}: shape {tuple(shape)} may have -1 only as its first entry")
    return tuple(shape)


@register(aliases=("ravel_multi_index",))
class _ravel_multi_index(ZeroGradOp):
    """Flat indices of the multi-indices in the columns of ``data`` (``(M, N)``) for an array of ``shape``."""
    params = {"shape": Param("shape", None)}

    def infer_shape(self, p, shapes):
        return shapes, [None if shapes[0] is None else tuple(shapes[0][1:])]

    def compute(self, p, inputs):
        data = inputs[0]
        if data.shape[0] != len(p.shape):
            raise ShapeError(f"{self.name}: data has {data.shape[0]} index rows, shape {p.shape} has "
                             f"{len(p.shape)} axes")
        strides = np.cumprod((list(p.shape[1:]) + [1])[::-1])[::-1]
        flat = np.tensordot(strides.astype(np.float64), data.astype(np.float64), axes=(0, 0))
        return [flat.astype(data.dtype)]


@register(aliases=("unravel_index",))
class _unravel_index(ZeroGradOp):
    """Multi-indices (as the columns of an ``(M, N)`` array) of the flat indices in ``data`` for ``shape``."""
    params = {"shape": Param("shape", None)}

    def infer_shape(self, p, shapes):
        return shapes, [None if shapes[0] is None else (len(p.shape),) + tuple(shapes[0])]

    def compute(self, p, inputs):
        data = inputs[0]
        flat = data.astype(np.int64)
        shape = list(p.shape)
        out = np.empty((len(shape),) + data.shape, data.dtype)
        for j in range(len(shape) - 1, -1, -1):  # the leading -1 (unknown) dimension takes the rest
            if j == 0:
                out[0] = flat
            else:
                out[j] = flat % shape[j]
                flat = flat // shape[j]
        return [out]


@register
class diag(Op):
    """The ``k``-th diagonal of a matrix (or of the ``axis1``/``axis2`` planes), or a matrix from a vector."""
    params = {"k": Param("int", 0), "axis1": Param("int", 0), "axis2": Param("int", 1)}

    def forward(self, p, inputs, is_train):
        x = inputs[0]
        if x.ndim == 0:
            raise ShapeError(f"{self.name}: data must have at least 1 dimension")
        if x.ndim == 1:
            return [np.diag(x, p.k)], x.shape
        a1, a2 = normalize_axis(p.axis1, x.ndim, self.name), normalize_axis(p.axis2, x.ndim, self.name)
        if a1 == a2:
            raise MXNetError(f"{self.name}: axis1 and axis2 must differ, both are {p.axis1}")
        return [np.diagonal(x, p.k, a1, a2).copy()], x.shape

    def backward(self, p, saved, out_grads):
        shape, g = saved, out_grads[0]
        if len(shape) == 1:
            return [np.diagonal(g, p.k).copy()]
        a1, a2 = p.axis1 % len(shape), p.axis2 % len(shape)
        dx = np.zeros(shape, g.dtype)
        view = np.moveaxis(dx, (a1, a2), (-2, -1))  # a view: writing it fills dx
        i = np.arange(g.shape[-1])
        view[..., i - min(p.k, 0), i + max(p.k, 0)] = g
        return [dx]


@register
class khatri_rao(Op):
    """Column-wise Kronecker product of matrices with equal column counts: ``(M1, N), (M2, N)`` -> ``(M1*M2, N)``."""
    params = {"num_args": Param("int")}
    key_var_num_args = "num_args"
    differentiable = False

    def forward(self, p, inputs, is_train):
        n = inputs[0].shape[-1]
        for i, x in enumerate(inputs):
            if x.ndim != 2 or x.shape[1] != n:
                raise ShapeError(f"{self.name}: input {i} must be a matrix with {n} columns, got shape {x.shape}")
        out = inputs[0]
        for x in inputs[1:]:
            out = (out[:, None, :] * x[None, :, :]).reshape(-1, n)
        return [out], None


@register
class argmax_channel(Op):
    """Index of the maximum along axis 1, the channels (as the input's float dtype)."""
    differentiable = False

    def forward(self, p, inputs, is_train):
        x = inputs[0]
        if x.ndim < 2:
            raise ShapeError(f"{self.name}: data must have at least 2 dimensions (batch, channel, ...), got {x.shape}")
        return [np.argmax(x, axis=1).astype(x.dtype)], None


@register
class shape_array(ZeroGradOp):
    """The input's shape as a 1-D int64 array."""

    def infer_shape(self, p, shapes):
        return shapes, [None if shapes[0] is None else (len(shapes[0]),)]

    def infer_type(self, p, dtypes):
        return dtypes, [np.dtype(np.int64)]

    def compute(self, p, inputs):
        return [np.array(inputs[0].shape, np.int64)]


@register
class size_array(ZeroGradOp):
    """The input's element count as a one-element int64 array."""

    def infer_shape(self, p, shapes):
        return shapes, [(1,)]

    def infer_type(self, p, dtypes):
        return dtypes, [np.dtype(np.int64)]

    def compute(self, p, inputs):
        return [np.array([inputs[0].size], np.int64)]


@register
class fill_element_0index(Op):
    """``lhs`` with ``lhs[i, rhs[i]] = mhs[i]`` for every row i."""
    inputs = ("lhs", "mhs", "rhs")
    differentiable = False

    def forward(self, p, inputs, is_train):
        lhs, mhs, rhs = inputs
        if lhs.ndim != 2 or mhs.shape != (lhs.shape[0],) or rhs.shape != (lhs.shape[0],):
            raise ShapeError(f"{self.name}: lhs must be (N, M), mhs and rhs (N,); got {lhs.shape}, {mhs.shape}, "
                             f"{rhs.shape}")
        out = lhs.copy()
        out[np.arange(lhs.shape[0]), rhs.astype(np.int64)] = mhs
        return [out], None


@register
class _onehot_encode(Op):
    """One-hot rows of ``rhs``'s shape from the class indices in ``lhs``."""
    inputs = ("lhs", "rhs")
    differentiable = False

    def infer_shape(self, p, shapes):
        return shapes, [shapes[1]]

    def forward(self, p, inputs, is_train):
        idx, like = inputs
        out = np.zeros(like.shape, like.dtype)
        out[np.arange(like.shape[0]), idx.astype(np.int64)] = 1
        return [out], None


def _slices(p, shape, op_name):
    if len(p.begin) != len(p.end) or len(p.begin) > len(shape):
        raise ShapeError(f"{op_name}: begin {p.begin} and end {p.end} do not fit an array of shape {tuple(shape)}")
    step = p.step or (None,) * len(p.begin)
    return tuple(slice(b, e, s) for b, e, s in zip(p.begin, p.end, step))


_SLICE = {"begin": Param("any"), "end": Param("any"), "step": Param("any", ())}


@register(aliases=("_crop_assign",))
class _slice_assign(Op):
    """``lhs`` with the region ``begin:end:step`` replaced by ``rhs``."""
    inputs = ("lhs", "rhs")
    params = dict(_SLICE)
    differentiable = False  # MXNet registers no gradient for the slice assignments

    def infer_shape(self, p, shapes):
        return shapes, [shapes[0]]

    def forward(self, p, inputs, is_train):
        lhs, rhs = inputs
        key = _slices(p, lhs.shape, self.name)
        out = lhs.copy()
        try:
            out[key] = rhs
        except ValueError:
            raise ShapeError(f"{self.name}: rhs of shape {rhs.shape} does not fill lhs[{key}] of shape "
                             f"{lhs[key].shape}") from None
        return [out], None


@register(aliases=("_crop_assign_scalar",))
class _slice_assign_scalar(Op):
    """``data`` with the region ``begin:end:step`` set to ``scalar``."""
    params = dict(_SLICE, scalar=Param("float", 0.0))
    differentiable = False

    def infer_shape(self, p, shapes):
        return shapes, [shapes[0]]

    def forward(self, p, inputs, is_train):
        x = inputs[0]
        key = _slices(p, x.shape, self.name)
        out = x.copy()
        out[key] = p.scalar
        return [out], None


@register
class _copyto(Op):
    """A copy of the input (the op behind ``NDArray.copyto``)."""

    def infer_shape(self, p, shapes):
        return shapes, [shapes[0]]

    def forward(self, p, inputs, is_train):
        return [inputs[0].copy()], None

    def backward(self, p, saved, out_grads):
        return [out_grads[0]]


@register
class _contrib_boolean_mask(Op):
    """The slices of ``data`` along ``axis`` where ``index`` is nonzero."""
    inputs = ("data", "index")
    params = {"axis": Param("int", 0)}

    def forward(self, p, inputs, is_train):
        data, index = inputs
        axis = normalize_axis(p.axis, data.ndim, self.name)
        if axis != 0:
            raise MXNetError(f"{self.name}: only axis 0 is supported (as in MXNet 1.9.1), got axis {p.axis}")
        if index.ndim != 1 or index.shape[0] != data.shape[axis]:
            raise ShapeError(f"{self.name}: index must be 1-D of length {data.shape[axis]} (data shape "
                             f"{data.shape}, axis {p.axis}), got shape {index.shape}")
        keep = np.flatnonzero(index)
        return [np.take(data, keep, axis=axis)], (data.shape, axis, keep, index)

    def backward(self, p, saved, out_grads):
        shape, axis, keep, index = saved
        dx = np.zeros(shape, out_grads[0].dtype)
        dx_view = np.moveaxis(dx, axis, 0)
        dx_view[keep] = np.moveaxis(out_grads[0], axis, 0)
        return [dx, np.zeros_like(index)]


@register
class _contrib_index_copy(Op):
    """``old_tensor`` with its rows ``index_vector[i]`` replaced by ``new_tensor[i]``."""
    inputs = ("old_tensor", "index_vector", "new_tensor")

    def infer_shape(self, p, shapes):
        return shapes, [shapes[0]]

    def forward(self, p, inputs, is_train):
        old, index, new = inputs
        if index.ndim != 1 or new.shape != (index.shape[0],) + old.shape[1:]:
            raise ShapeError(f"{self.name}: new_tensor must have shape {(len(index),) + old.shape[1:]} "
                             f"(index_vector {index.shape}, old_tensor {old.shape}), got {new.shape}")
        out = old.copy()
        rows = index.astype(np.int64)
        out[rows] = new
        return [out], (rows, index)

    def backward(self, p, saved, out_grads):
        rows, index = saved
        g = out_grads[0]
        dold = g.copy()
        dold[rows] = 0
        return [dold, np.zeros_like(index), g[rows]]


@register
class _contrib_index_array(ZeroGradOp):
    """Each element's index (over ``axes``, default all) as int64: shape ``data.shape + (len(axes),)``."""
    params = {"axes": Param("shape", None)}

    def infer_type(self, p, dtypes):
        return dtypes, [np.dtype(np.int64)]

    def compute(self, p, inputs):
        x = inputs[0]
        axes = range(x.ndim) if p.axes is None else [normalize_axis(a, x.ndim, self.name) for a in p.axes]
        grids = np.indices(x.shape, dtype=np.int64)
        return [np.stack([grids[a] for a in axes], axis=-1)]


@register
class _contrib_arange_like(ZeroGradOp):
    """Evenly spaced values (``start``, ``step``, each ``repeat`` times) shaped like the input, or as long as
    its ``axis``."""
    params = {"start": Param("float", 0.0), "step": Param("float", 1.0), "repeat": Param("int", 1),
              "ctx": Param("str", ""), "axis": Param("int", None)}

    def compute(self, p, inputs):
        x = inputs[0]
        shape = x.shape if p.axis is None else (x.shape[normalize_axis(p.axis, x.ndim, self.name)],)
        n = int(np.prod(shape))
        values = p.start + p.step * (np.arange(n) // max(p.repeat, 1))
        return [values.astype(x.dtype).reshape(shape)]


def split_v2_params(indices_or_sections, axis=0, squeeze_axis=False):
    """``_split_v2``'s parameters for MXNet's ``split_v2(ary, indices_or_sections, axis, squeeze_axis)``:
    an int is a number of equal sections, a tuple the cut points (0 is prepended).

    Examples
    --------
    >>> split_v2_params(3), split_v2_params((1, 3), axis=1)["indices"]
    ({'indices': (), 'axis': 0, 'squeeze_axis': False, 'sections': 3}, (0, 1, 3))
    """
    if isinstance(indices_or_sections, (int, np.integer)) and not isinstance(indices_or_sections, bool):
        indices, sections = (), int(indices_or_sections)
    elif isinstance(indices_or_sections, tuple):
        indices, sections = (0,) + tuple(indices_or_sections), 0
    else:
        raise ValueError("indices_or_sections must either int or tuple of ints")
    return {"indices": indices, "axis": axis, "squeeze_axis": squeeze_axis, "sections": sections}


@register
class _split_v2(Op):
    """Split along ``axis`` into ``sections`` equal parts, or at the cut points ``indices`` (which start at 0);
    ``squeeze_axis`` drops the axis when every part has length 1."""
    params = {"indices": Param("shape"), "axis": Param("int", 0), "squeeze_axis": Param("bool", False),
              "sections": Param("int", 0)}

    def output_count(self, p):
        return p.sections if p.sections > 0 else len(p.indices)

    def forward(self, p, inputs, is_train):
        x = inputs[0]
        axis = normalize_axis(p.axis, x.ndim, self.name)
        if p.sections > 0:
            if x.shape[axis] % p.sections:
                raise ShapeError(f"{self.name}: axis {p.axis} of shape {x.shape} does not divide into "
                                 f"{p.sections} sections")
            cuts = list(range(0, x.shape[axis], x.shape[axis] // p.sections))
        else:
            cuts = list(p.indices)
        bounds = cuts + [x.shape[axis]]
        parts = [np.take(x, np.arange(a, max(a, b)), axis=axis) for a, b in zip(bounds[:-1], bounds[1:])]
        if p.squeeze_axis:
            parts = [np.squeeze(q, axis) if q.shape[axis] == 1 else q for q in parts]
        return parts, (x.shape, axis, bounds)

    def backward(self, p, saved, out_grads):
        shape, axis, bounds = saved
        dx = np.zeros(shape, out_grads[0].dtype)
        for a, b, g in zip(bounds[:-1], bounds[1:], out_grads):
            region = (slice(None),) * axis + (slice(a, max(a, b)),)
            dx[region] = g.reshape(dx[region].shape)  # a squeezed part gets its axis back
        return [dx]
