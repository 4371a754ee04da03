"""Smaller NumPy functions as registry ops (MXNet's ``_npi_diff``, ``_npi_ediff1d``, ``_npi_nan_to_num``,
``_npi_polyval``, ``_npi_bincount``, ``_npi_hanning``/``_npi_hamming``/``_npi_blackman``, ``_npi_indices``,
``_npx_constraint_check``), with gradients where MXNet has them.

Examples
--------
>>> from ssdkit.ops import get_op
>>> op = get_op("_npi_diff")
>>> (y,), saved = op.forward(op.parse_params({"n": 1}), [np.array([1., 4., 9.])], True)
>>> y, op.backward(op.parse_params({"n": 1}), saved, [np.ones(2)])[0]
(array([3., 5.]), array([-1.,  0.,  1.]))
"""
import numpy as np

from ..base import MXNetError
from .registry import Op, Param, REQUIRED, register

__all__ = []


def _diff_vjp(g, n, axis):
    """The transpose of ``np.diff(., n, axis)``: ``n`` times the negated forward difference with zero ends."""
    for _ in range(n):
        pad = [(0, 0)] * g.ndim
        pad[axis] = (1, 1)
        g = -np.diff(np.pad(g, pad), axis=axis)
    return g


@register
class _npi_diff(Op):
    """``np.diff``: the ``n``-th discrete difference along ``axis``."""
    params = {"n": Param("int", 1), "axis": Param("int", -1)}

    def forward(self, p, inputs, is_train):
        x = inputs[0]
        if x.ndim == 0:
            raise MXNetError("diff requires input that is at least one dimensional")
        return [np.diff(x, p.n, p.axis)], x.shape

    def backward(self, p, saved, out_grads):
        return [_diff_vjp(np.asarray(out_grads[0]), p.n, p.axis % len(saved)).reshape(saved)]


@register
class _npi_ediff1d(Op):
    """``np.ediff1d``: differences of the flattened input, with ``to_begin``/``to_end`` values around them,
    given as numbers (parameters) or as arrays (inputs after the data, when ``*_arr_given``; their gradient is
    the head gradient at their place)."""
    params = {"to_begin": Param("floats", None), "to_end": Param("floats", None),
              "to_begin_arr_given": Param("bool", False), "to_end_arr_given": Param("bool", False)}

    def input_names(self, p):
        return ["input1"] + ["to_begin"] * p.to_begin_arr_given + ["to_end"] * p.to_end_arr_given

    def _ends(self, p, inputs):
        given = iter(inputs[1:])
        begin = next(given) if p.to_begin_arr_given else p.to_begin
        end = next(given) if p.to_end_arr_given else p.to_end
        return begin, end

    def forward(self, p, inputs, is_train):
        x = inputs[0]
        begin, end = (None if v is None else np.asarray(v, x.dtype) for v in self._ends(p, inputs))
        y = np.ediff1d(x, end, begin)
        sizes = [0 if v is None else v.size for v in (begin, end)]
        return [y.astype(x.dtype)], (x.shape, sizes, [(v.shape, v.dtype) for v in inputs[1:]])

    def backward(self, p, saved, out_grads):
        shape, (begin, end), arrays = saved
        g = np.asarray(out_grads[0])
        inner = g[begin:len(g) - end]
        grads = [_diff_vjp(inner, 1, 0).reshape(shape) if np.prod(shape) else np.zeros(shape, g.dtype)]
        parts = ([g[:begin]] if p.to_begin_arr_given else []) + ([g[len(g) - end:]] if p.to_end_arr_given else [])
        return grads + [part.reshape(s).astype(d) for part, (s, d) in zip(parts, arrays)]


@register
class _npi_nan_to_num(Op):
    """``np.nan_to_num``: NaN, +inf and -inf replaced by ``nan``, ``posinf``, ``neginf`` (the dtype's largest
    values by default); the gradient passes where the input is finite."""
    params = {"copy": Param("bool", True), "nan": Param("float", 0.0), "posinf": Param("float", None),
              "neginf": Param("float", None)}

    def forward(self, p, inputs, is_train):
        x = inputs[0]
        if x.dtype.kind != "f":
            return [x.copy()], np.ones(x.shape, bool)
        return [np.nan_to_num(x, True, p.nan, p.posinf, p.neginf)], np.isfinite(x)

    def backward(self, p, saved, out_grads):
        return [np.where(saved, out_grads[0], 0).astype(out_grads[0].dtype)]


@register
class _npi_polyval(Op):
    """``np.polyval(p, x)``: the polynomial with coefficients ``p`` (highest power first) at ``x``."""
    inputs = ("p", "x")

    def forward(self, p, inputs, is_train):
        coef, x = inputs
        if coef.ndim != 1:
            raise MXNetError(f"polyval: p must be 1-D, got shape {coef.shape}")
        return [np.polyval(coef, x).astype(np.result_type(coef, x))], (coef, x)

    def backward(self, p, saved, out_grads):
        coef, x = saved
        g = np.asarray(out_grads[0], np.float64)
        n = coef.shape[0]
        powers = np.stack([x.astype(np.float64) ** (n - 1 - k) for k in range(n)]) if n else np.zeros((0,) + x.shape)
        gcoef = (powers * g).reshape(n, -1).sum(axis=1)
        gx = np.polyval(np.polyder(coef.astype(np.float64)), x) * g if n > 1 else np.zeros(x.shape)
        return [gcoef.astype(coef.dtype), gx.astype(x.dtype)]


@register
class _npi_bincount(Op):
    """``np.bincount``: occurrences of each non-negative int (summing ``weights`` when given); no gradient."""
    inputs = ("data", "weights")
    params = {"minlength": Param("int", 0), "has_weights": Param("bool", False)}
    differentiable = False

    def input_names(self, p):
        return ["data", "weights"] if p.has_weights else ["data"]

    def infer_shape(self, p, shapes):
        """The length depends on the values (the largest one), so it is unknown until the graph runs."""
        return shapes, [None]

    def forward(self, p, inputs, is_train):
        x = inputs[0]
        if x.dtype.kind not in "iub" and x.size:
            raise MXNetError(f"bincount: input must be integers, got {x.dtype}")
        x = x.astype(np.int64, copy=False)
        if x.size and x.min() < 0:
            raise MXNetError("bincount: input must be non-negative")
        if p.minlength < 0:
            raise MXNetError("bincount: minlength must be non-negative")
        w = inputs[1] if p.has_weights else None
        y = np.bincount(x.ravel(), None if w is None else w.ravel(), p.minlength)
        return [y.astype(inputs[0].dtype if w is None else w.dtype)], [xi.shape for xi in inputs]

    def backward(self, p, saved, out_grads):
        return [np.zeros(s) for s in saved]


def _window(name, function, doc):
    class Window(Op):
        inputs = ()
        params = {"M": Param("int"), "dtype": Param("dtype", "float32"), "ctx": Param("any", None)}
        differentiable = False

        def infer_type(self, p, dtypes):
            return dtypes, [np.dtype(p.dtype)]

        def forward(self, p, inputs, is_train):
            return [function(max(p.M, 0)).astype(p.dtype)], None

        def backward(self, p, saved, out_grads):
            return []
    Window.__name__ = Window.name = name
    Window.__doc__ = doc
    register(Window)


_window("_npi_hanning", np.hanning, "``np.hanning(M)``: the Hann window of ``M`` points.")
_window("_npi_hamming", np.hamming, "``np.hamming(M)``: the Hamming window of ``M`` points.")
_window("_npi_blackman", np.blackman, "``np.blackman(M)``: the Blackman window of ``M`` points.")


@register
class _npi_indices(Op):
    """``np.indices(dimensions)``: the index grids, one per axis, stacked first."""
    inputs = ()
    params = {"dimensions": Param("shape"), "dtype": Param("dtype", "int32"), "ctx": Param("any", None)}
    differentiable = False

    def infer_type(self, p, dtypes):
        return dtypes, [np.dtype(p.dtype)]

    def forward(self, p, inputs, is_train):
        return [np.indices(p.dimensions, dtype=p.dtype)], None

    def backward(self, p, saved, out_grads):
        return []


@register
class _npx_constraint_check(Op):
    """``npx.constraint_check(condition, msg)``: ``True`` (0-d bool) when every element holds, else ValueError
    with ``msg``."""
    params = {"msg": Param("str", "Constraint violated.")}
    differentiable = False

    def infer_shape(self, p, shapes):
        return shapes, [()]

    def infer_type(self, p, dtypes):
        return dtypes, [np.dtype(np.bool_)]

    def forward(self, p, inputs, is_train):
        if not np.all(inputs[0]):
            raise ValueError(p.msg)
        return [np.array(True)], inputs[0].shape

    def backward(self, p, saved, out_grads):
        return [np.zeros(saved)]


@register
class _npi_bitwise_not(Op):
    """``np.bitwise_not`` (``invert``, ``~``) of int or bool arrays (no gradient)."""
    differentiable = False

    def infer_shape(self, p, shapes):
        return shapes, [shapes[0]]

    def forward(self, p, inputs, is_train):
        x = inputs[0]
        if x.dtype.kind not in "iub":
            raise MXNetError(f"bitwise_not: only int and bool arrays, got {x.dtype}")
        return [np.invert(x)], x.shape

    def backward(self, p, saved, out_grads):
        return [np.zeros(saved)]


@register
class _npi_unravel_index_fallback(Op):
    """``np.unravel_index(indices, shape)``: one row per axis of ``shape``, each the coordinates of the flat
    ``indices`` along that axis, in the dtype of ``indices`` (no gradient).

    Examples
    --------
    >>> op = _npi_unravel_index_fallback()
    >>> op.forward(op.parse_params({"shape": (3, 4)}), [np.array([5, 11], np.int32)], False)[0][0]
    array([[1, 2],
           [1, 3]], dtype=int32)
    """
    params = {"shape": Param("shape")}
    differentiable = False

    def infer_shape(self, p, shapes):
        return shapes, [None if shapes[0] is None else (len(p.shape),) + tuple(shapes[0])]

    def forward(self, p, inputs, is_train):
        x = inputs[0]
        if x.dtype.kind not in "iu":
            raise MXNetError(f"unravel_index: only int indices permitted, got {x.dtype}")
        coords = np.unravel_index(x, p.shape)
        return [np.stack(coords).astype(x.dtype, copy=False).reshape((len(p.shape),) + x.shape)], x.shape

    def backward(self, p, saved, out_grads):
        return [np.zeros(saved)]


@register
class _npi_diag_indices_from(Op):
    """``np.diag_indices_from(arr)``: the indices of the main diagonal of a square ``arr``, one int64 row per
    axis (no gradient).

    Examples
    --------
    >>> op = _npi_diag_indices_from()
    >>> op.forward(op.parse_params({}), [np.ones((2, 2, 2))], False)[0][0]
    array([[0, 1],
           [0, 1],
           [0, 1]])
    """
    differentiable = False

    def infer_shape(self, p, shapes):
        return shapes, [None if shapes[0] is None else (len(shapes[0]), shapes[0][0] if shapes[0] else 0)]

    def infer_type(self, p, dtypes):
        return dtypes, [np.dtype(np.int64)]

    def forward(self, p, inputs, is_train):
        x = inputs[0]
        if x.ndim < 2 or len(set(x.shape)) != 1:
            raise MXNetError(f"diag_indices_from: the input must be square with at least 2 dimensions, "
                             f"got shape {x.shape}")
        return [np.stack(np.diag_indices_from(x)).astype(np.int64)], x.shape

    def backward(self, p, saved, out_grads):
        return [np.zeros(saved)]



class _BooleanMaskAssign(Op):
    """``data[..., mask, ...] = value`` in place, the mask covering ``data``'s axes from ``start_axis`` (MXNet's
    ``_npi_boolean_mask_assign_*``, behind ``x[mask] = v``): only ``out=data`` is supported, as in MXNet."""
    params = {"start_axis": Param("int", 0)}
    differentiable = False
    writes_out = True

    def infer_shape(self, p, shapes):
        return shapes, [shapes[0]]

    def forward(self, p, inputs, is_train, out=None):
        data, mask = inputs[0], inputs[1]
        if out is None or out[0] is not data:
            raise MXNetError(f"{self.name}: only WriteInplace is supported (call it with out= its data input)")
        axis = p.start_axis
        if mask.shape != data.shape[axis:axis + mask.ndim]:
            raise MXNetError(f"{self.name}: mask of shape {mask.shape} does not cover the axes from start_axis "
                             f"{axis} of data of shape {data.shape}")
        data[(slice(None),) * axis + (mask.astype(bool),)] = self._value(p, inputs)
        return [data], None


@register
class _npi_boolean_mask_assign_scalar(_BooleanMaskAssign):
    """``data[mask] = value`` with a number ``value``, in place (``out=data``).

    Examples
    --------
    >>> op = _npi_boolean_mask_assign_scalar()
    >>> x = np.zeros(3)
    >>> op.forward(op.parse_params({"value": 5.0}), [x, np.array([True, False, True])], False, [x])[0][0]
    array([5., 0., 5.])
    """
    inputs = ("data", "mask")
    params = {"value": Param("float", REQUIRED), "start_axis": Param("int", 0)}

    def _value(self, p, inputs):
        return p.value


@register
class _npi_boolean_mask_assign_tensor(_BooleanMaskAssign):
    """``data[mask] = value`` with an array ``value`` broadcast to the selected elements, in place (``out=data``).
    """
    inputs = ("data", "mask", "value")

    def _value(self, p, inputs):
        return inputs[2]


@register
class _npi_unique(Op):
    """``np.unique``: the sorted unique values (of the flattened input, or unique slices along ``axis``), then
    as asked the int64 indices of their first occurrences, the inverse and the counts; every length depends on
    the values, so shapes are known when the graph runs. No gradient.

    Examples
    --------
    >>> op = _npi_unique()
    >>> op.forward(op.parse_params({"return_counts": True}), [np.array([[3., 1], [3, 2]])], False)[0]
    [array([1., 2., 3.]), array([1, 1, 2])]
    """
    params = {"return_index": Param("bool", False), "return_inverse": Param("bool", False),
              "return_counts": Param("bool", False), "axis": Param("int", None)}
    differentiable = False

    def output_count(self, p):
        return 1 + p.return_index + p.return_inverse + p.return_counts

    def infer_shape(self, p, shapes):
        return shapes, [None] * self.output_count(p)

    def infer_type(self, p, dtypes):
        return dtypes, dtypes[:1] + [np.dtype(np.int64)] * (self.output_count(p) - 1)

    def forward(self, p, inputs, is_train):
        x = inputs[0]
        data = x.reshape(-1) if p.axis is None else x  # a flat inverse for axis None, as MXNet (NumPy 1)
        found = np.unique(data, p.return_index, p.return_inverse, p.return_counts, p.axis)
        found = found if isinstance(found, tuple) else (found,)
        return [found[0]] + [f.astype(np.int64) for f in found[1:]], None
