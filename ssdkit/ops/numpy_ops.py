"""Ops with NumPy's rules, behind ``mx.np`` and ``mx.npx`` (MXNet's ``_np_*``/``_npi_*``/``_npx_*`` ops).

Where NumPy's rule differs from MXNet's nd op only in a shape convention (a full reduction is 0-d, ``squeeze``
may give a scalar, ``reshape`` has no special codes) the op here subclasses the nd op and changes that rule;
the math stays in one place. Ops nd has no counterpart for (NumPy ``dot``/``matmul``/``tensordot``/``einsum``,
``std``/``var``, ``argmax`` with int64 indices, broadcasting ``where``, ``split`` at indices, ``cumsum``) sit here with their gradients.

Examples
--------
>>> npx_reshape_shape((2, 3, 4), (-2, -1))
(2, 12)
>>> npx_reshape_shape((2, 1, 4), (-2, -3, -4))
(2, 4)
>>> from ssdkit.ops import get_op
>>> op = get_op("_np_sum")
>>> op.forward(op.parse_params({}), [np.ones((2, 3), np.float32)], False)[0][0].shape
()
"""
import numpy as np

from ..base import ShapeError, MXNetError
from .registry import Op, Param, register
from .elemwise import unbroadcast
from .reduce import argmax as _argmax, argmin as _argmin, reduce_axes
from .numpy_reduce import np_reduce_axes
from .shape import Reshape, squeeze as _squeeze, normalize_axis

__all__ = ["npx_reshape_shape", "numpy_reshape_shape", "format_index", "parse_index"]


def _kept(y, axes, keepdims):
    return y if keepdims else y.reshape([d for i, d in enumerate(y.shape) if i not in axes])


class _Moment(Op):
    """``var``/``std`` over axes with ``ddof`` (NumPy's definitions), computed in floats; the result has
    ``dtype`` or the input's dtype."""
    params = {"axis": Param("shape", None), "ddof": Param("int", 0), "keepdims": Param("bool", False),
              "dtype": Param("dtype", None)}
    root = False

    def infer_type(self, p, dtypes):
        return dtypes, [np.dtype(p.dtype) if p.dtype else dtypes[0]]

    def forward(self, p, inputs, is_train):
        x = inputs[0]
        axes = np_reduce_axes(x.ndim, p.axis, self.name)
        xf = x.astype(p.dtype if p.dtype and np.dtype(p.dtype).kind == "f" else
                      x.dtype if x.dtype.kind == "f" else np.float32)
        count = int(np.prod([x.shape[a] for a in axes])) - p.ddof
        mean = xf.mean(axis=axes, keepdims=True)
        centered = xf - (np.trunc(mean) if x.dtype.kind in "iub" else mean)  # MXNet's mean of ints is an int
        with np.errstate(divide="ignore", invalid="ignore"):
            var = (np.square(centered).sum(axis=axes, keepdims=True) / count).astype(xf.dtype, copy=False)
        y = np.sqrt(var) if self.root else var
        return [_kept(y, axes, p.keepdims).astype(p.dtype or x.dtype)], (centered, y, count, x.dtype)

    def backward(self, p, saved, out_grads):
        centered, y, count, dtype = saved
        g = out_grads[0].reshape(y.shape)
        dvar = g / (2 * np.where(y == 0, 1, y)) if self.root else g
        return [(dvar * 2 * centered / count).astype(dtype, copy=False)]


@register
class _npi_var(_Moment):
    pass


@register
class _npi_std(_Moment):
    root = True


class _NumpyArgReduce:
    """NumPy's checks: an axis out of range or an empty reduction is an error; a 0-d input has index 0."""
    full_shape, index_dtype = (), np.int64

    def forward(self, p, inputs, is_train):
        x = inputs[0]
        if x.ndim == 0 and p.axis in (None, 0, -1):  # MXNet: the one element of a 0-d array is index 0
            return [np.zeros((), np.int64)], x
        axes = np_reduce_axes(x.ndim, None if p.axis is None else int(p.axis), self.name)
        if x.size == 0 and (p.axis is None or x.shape[axes[0]] == 0):
            raise MXNetError(f"{self.name}: attempt to get {self.name[5:]} of an empty sequence (shape {x.shape}, "
                             f"axis {p.axis})")
        return super().forward(p, inputs, is_train)


@register
class _npi_argmax(_NumpyArgReduce, _argmax):
    """``argmax`` with NumPy's result: int64 indices, 0-d when ``axis`` is None."""


@register
class _npi_argmin(_NumpyArgReduce, _argmin):
    """``argmin`` with NumPy's result: int64 indices, 0-d when ``axis`` is None."""


# ----------------------------------------------------------------- value tests (bool results, no gradient)
def _value_test(name, test):
    class ValueTest(Op):
        differentiable = False

        def forward(self, p, inputs, is_train):
            return [test(inputs[0])], inputs[0]

        def backward(self, p, saved, out_grads):
            return [np.zeros_like(saved)]

        def infer_type(self, p, dtypes):
            return dtypes, [np.dtype(np.bool_)]

    ValueTest.__name__ = ValueTest.name = name
    register(ValueTest)


for _name, _test in (("isnan", np.isnan), ("isinf", np.isinf), ("isfinite", np.isfinite),
                     ("isposinf", np.isposinf), ("isneginf", np.isneginf)):
    _value_test(f"_npi_{_name}", _test)


@register
class _npi_around(Op):
    """``np.around``: to ``decimals`` places, halves to even (nd's ``round`` takes halves away from zero)."""
    params = {"decimals": Param("int", 0)}
    differentiable = False

    def forward(self, p, inputs, is_train):
        x = inputs[0]
        return [np.around(x, p.decimals).astype(x.dtype, copy=False)], x

    def backward(self, p, saved, out_grads):
        return [np.zeros_like(saved)]


@register
class _npi_full_like(Op):
    """``np.full_like``: an array shaped as the input filled with ``fill_value`` (in ``dtype``, else the input's);
    its gradient to the input is zero."""
    inputs = ("a",)
    params = {"fill_value": Param("float", 0.0), "dtype": Param("dtype", None), "ctx": Param("any", None)}

    def infer_type(self, p, dtypes):
        return dtypes, [np.dtype(p.dtype) if p.dtype else dtypes[0]]

    def forward(self, p, inputs, is_train):
        x = inputs[0]
        dtype = np.dtype(p.dtype) if p.dtype else x.dtype
        return [np.full(x.shape, np.asarray(p.fill_value).astype(dtype), dtype)], (x.shape, x.dtype)

    def backward(self, p, saved, out_grads):
        return [np.zeros(*saved)]


@register
class _npi_clip(Op):
    """``np.clip``: values limited to ``[a_min, a_max]`` (either may be None); the gradient passes inside."""
    params = {"a_min": Param("float", None), "a_max": Param("float", None)}

    def forward(self, p, inputs, is_train):
        x = inputs[0]
        if p.a_min is None and p.a_max is None:
            raise MXNetError("clip: a_min and a_max cannot both be None")
        y = np.clip(x, p.a_min, p.a_max).astype(x.dtype, copy=False)
        return [y], (x >= (-np.inf if p.a_min is None else p.a_min)) & (x <= (np.inf if p.a_max is None else p.a_max))

    def backward(self, p, saved, out_grads):
        return [np.where(saved, out_grads[0], 0).astype(out_grads[0].dtype)]


# ----------------------------------------------------------------- shapes
def numpy_reshape_shape(src, newshape):
    """NumPy's reshape rule: one -1 is inferred, every other entry is a size (0 is a size too).

    Examples
    --------
    >>> numpy_reshape_shape((2, 3), (-1,))
    (6,)
    """
    newshape = tuple(int(d) for d in newshape)
    size = int(np.prod(src))
    if newshape.count(-1) > 1 or any(d < -1 for d in newshape):
        raise ShapeError(f"reshape: cannot reshape array of shape {tuple(src)} into shape {newshape}")
    if -1 in newshape:
        known = int(np.prod([d for d in newshape if d != -1]))
        if known == 0 or size % known:
            raise ShapeError(f"reshape: cannot reshape array of shape {tuple(src)} into shape {newshape}")
        newshape = tuple(size // known if d == -1 else d for d in newshape)
    if int(np.prod(newshape)) != size:
        raise ShapeError(f"reshape: cannot reshape array of size {size} (shape {tuple(src)}) into shape {newshape}")
    return newshape


def _npx_codes(src, target):
    out, unknown, i, k = [], None, 0, 0
    while k < len(target):
        code = target[k]
        if code == -1:
            if unknown is not None:
                raise ValueError("one and only one dim can be inferred")
            unknown = len(out); out.append(-1); i += 1
        elif code == -2:
            out.append(src[i]); i += 1
        elif code == -3:
            if src[i] != 1:
                raise ValueError("-3 only skips a dimension of size 1")
            i += 1
        elif code == -4:
            out.extend(src[i:]); i = len(src)
        elif code == -5:
            out.append(src[i] * src[i + 1]); i += 2
        elif code == -6:
            d0, d1, d2 = src[i], target[k + 1], target[k + 2]
            if d1 == -1 and d2 == -1:
                raise ValueError("split dims cannot both be -1")
            d1, d2 = (d0 // d2 if d1 == -1 else d1), (d0 // d1 if d2 == -1 else d2)
            if d1 * d2 != d0:
                raise ValueError(f"split dims {d1}, {d2} do not divide the dim {d0}")
            out.extend([d1, d2]); i += 1; k += 2
        elif code >= 0:
            out.append(code); i += 1
        else:
            raise ValueError(f"code {code} is below -6")
        k += 1
    if unknown is not None:
        known = int(np.prod([d for j, d in enumerate(out) if j != unknown]))
        if known == 0 or int(np.prod(src)) % known:
            raise ValueError("the inferred dim does not divide the size")
        out[unknown] = int(np.prod(src)) // known
    return tuple(out)


def npx_reshape_shape(src, newshape, reverse=False):
    """The output shape of ``npx.reshape``: -1 infer, -2 copy a dim, -3 drop a dim of size 1, -4 copy the rest,
    -5 merge two dims, -6 split a dim into the two sizes that follow (one may be -1); ``reverse`` reads
    right to left.

    Examples
    --------
    >>> npx_reshape_shape((2, 3, 4), (-5, -4))
    (6, 4)
    >>> npx_reshape_shape((6, 4), (-6, 2, -1, -2))
    (2, 3, 4)
    """
    src, newshape = tuple(src), tuple(int(d) for d in newshape)
    try:
        if reverse:
            rev, k = [], len(newshape) - 1
            while k >= 0:  # a -6 keeps its two sizes in order when mirrored
                if k >= 2 and newshape[k - 2] == -6:
                    rev.extend([-6, newshape[k], newshape[k - 1]]); k -= 3
                else:
                    rev.append(newshape[k]); k -= 1
            out = _npx_codes(src[::-1], tuple(rev))[::-1]
        else:
            out = _npx_codes(src, newshape)
    except (ValueError, IndexError) as err:
        raise ShapeError(f"npx.reshape: cannot reshape array of shape {src} into shape {newshape}, "
                         f"reverse = {reverse}: {err}") from None
    if int(np.prod(out)) != int(np.prod(src)):
        raise ShapeError(f"npx.reshape: cannot reshape array of shape {src} into shape {newshape}, "
                         f"reverse = {reverse}")
    return out


@register
class _np_reshape(Reshape):
    """NumPy's reshape (``order='C'`` only)."""
    params = {"newshape": Param("shape"), "order": Param("str", "C", ("C",))}

    def infer_shape(self, p, shapes):
        return shapes, [None if shapes[0] is None else numpy_reshape_shape(shapes[0], p.newshape)]

    def forward(self, p, inputs, is_train):
        x = inputs[0]
        return [x.reshape(numpy_reshape_shape(x.shape, p.newshape))], x.shape


@register
class _npx_reshape(Reshape):
    """``npx.reshape`` with its special codes (see :func:`npx_reshape_shape`)."""
    params = {"newshape": Param("shape"), "reverse": Param("bool", False), "order": Param("str", "C", ("C",))}

    def infer_shape(self, p, shapes):
        return shapes, [None if shapes[0] is None else npx_reshape_shape(shapes[0], p.newshape, p.reverse)]

    def forward(self, p, inputs, is_train):
        x = inputs[0]
        return [x.reshape(npx_reshape_shape(x.shape, p.newshape, p.reverse))], x.shape


@register
class _np_squeeze(_squeeze):
    """``squeeze`` that may give a 0-d array, as NumPy's."""

    def forward(self, p, inputs, is_train):
        x = inputs[0]
        if x.ndim == 0 and p.axis is not None and all(a in (0, -1) for a in p.axis):
            return [x.copy()], x.shape  # MXNet: squeezing axis 0 / -1 of a 0-d array keeps it
        return [np.squeeze(x, axis=p.axis)], x.shape


@register
class _npi_where(Op):
    """``np.where(condition, x, y)`` broadcasting all three."""
    inputs = ("condition", "x", "y")

    def forward(self, p, inputs, is_train):
        c, x, y = inputs
        mask = c != 0
        return [np.where(mask, x, y)], (c, mask, x.shape, y.shape)

    def backward(self, p, saved, out_grads):
        c, mask, xs, ys = saved
        g = out_grads[0]
        return [np.zeros_like(c), unbroadcast(np.where(mask, g, 0).astype(g.dtype), xs),
                unbroadcast(np.where(mask, 0, g).astype(g.dtype), ys)]


@register
class _npi_split(Op):
    """``np.split``: equal ``sections`` or cuts at ``indices`` along ``axis``."""
    params = {"indices": Param("shape", ()), "sections": Param("int", 0), "axis": Param("int", 0),
              "squeeze_axis": Param("bool", False)}

    def output_count(self, p):
        return p.sections if p.sections > 0 else len(p.indices) + 1

    def forward(self, p, inputs, is_train):
        x = inputs[0]
        axis = normalize_axis(p.axis, x.ndim, "split")
        if p.sections > 0 and x.shape[axis] % p.sections:
            raise ShapeError(f"split: array split does not result in an equal division: axis {p.axis} of shape "
                             f"{x.shape} into {p.sections} sections")
        parts = np.split(x, p.sections if p.sections > 0 else list(p.indices), axis=axis)
        return [np.ascontiguousarray(q) for q in parts], [q.shape for q in parts]

    def backward(self, p, saved, out_grads):
        return [np.concatenate(out_grads, axis=p.axis)]


@register
class _np_cumsum(Op):
    """``np.cumsum`` along ``axis`` (flattened when None); bools accumulate in int64."""
    params = {"axis": Param("any", None), "dtype": Param("dtype", None)}

    def infer_type(self, p, dtypes):
        return dtypes, [np.dtype(p.dtype) if p.dtype else np.dtype(np.int64) if dtypes[0] == np.bool_ else dtypes[0]]

    def forward(self, p, inputs, is_train):
        x = inputs[0]
        dtype = p.dtype or (np.int64 if x.dtype == np.bool_ else x.dtype)
        y = np.cumsum(x.reshape(-1) if p.axis is None else x, axis=0 if p.axis is None else int(p.axis),
                      dtype=dtype)
        return [y], x.shape

    def backward(self, p, saved, out_grads):
        g = out_grads[0]
        axis = 0 if p.axis is None else int(p.axis)
        rev = np.flip(np.cumsum(np.flip(g, axis), axis=axis), axis)
        return [rev.reshape(saved)]


# ----------------------------------------------------------------- basic indexing of graph nodes
def _index_items(key):
    return key if isinstance(key, tuple) else (key,)


def format_index(key):
    """A basic NumPy index (ints, slices, None, Ellipsis) as text that :func:`parse_index` reads back: the
    form a graph node stores in MXNet JSON.

    Examples
    --------
    >>> format_index((slice(None), -1, slice(1, None, 2), None, Ellipsis))
    ':;-1;1::2;None;...;'
    """
    parts = []
    for k in _index_items(key):
        if k is None:
            parts.append("None")
        elif k is Ellipsis:
            parts.append("...")
        elif isinstance(k, slice):
            parts.append(":".join("" if v is None else str(int(v)) for v in (k.start, k.stop, k.step))
                         .rstrip(":") or ":")
            parts[-1] = parts[-1] if ":" in parts[-1] else parts[-1] + ":"
        elif isinstance(k, (int, np.integer)) and not isinstance(k, bool):
            parts.append(str(int(k)))
        else:
            raise MXNetError(f"indexing a graph node takes ints, slices, None and ..., got {k!r} "
                             f"(advanced indexing needs arrays: run the block without hybridize)")
    return "".join(p + ";" for p in parts) or ";"  # ';' keeps JSON attribute parsing from reading a tuple


def parse_index(text):
    """The index :func:`format_index` wrote.

    Examples
    --------
    >>> parse_index(':;-1;1::2;None;...;')
    (slice(None, None, None), -1, slice(1, None, 2), None, Ellipsis)
    """
    key = []
    for part in (p for p in text.split(";") if p):
        if part == "None":
            key.append(None)
        elif part == "...":
            key.append(Ellipsis)
        elif ":" in part:
            key.append(slice(*[int(v) if v else None for v in (part.split(":") + ["", ""])[:3]]))
        else:
            key.append(int(part))
    return tuple(key)


@register
class _npi_basic_index(Op):
    """``x[key]`` for a basic index stored as text (:func:`format_index`): slicing of hybridized np blocks."""
    params = {"key": Param("str")}

    def forward(self, p, inputs, is_train):
        x = inputs[0]
        return [np.array(x[parse_index(p.key)], copy=True)], (x.shape, x.dtype)

    def backward(self, p, saved, out_grads):
        shape, dtype = saved
        dx = np.zeros(shape, dtype)
        dx[parse_index(p.key)] = out_grads[0]
        return [dx]


# ----------------------------------------------------------------- products
@register
class _np_dot(Op):
    """NumPy's ``dot``: scalars multiply, 1-D·1-D is inner, N-D·M-D sums the last axis of a with the
    second-to-last of b."""
    inputs = ("a", "b")
    partial_shapes = True

    def infer_shape(self, p, shapes):
        """Output ``a[:-1] + b[:-2] + b[-1:]``; the contracted dims (``a[-1]``, ``b[-2]`` or ``b[0]``) fill each
        other when one is unknown (0), as MXNet's rule fills a deferred weight ``(0, 100)`` from the data.

        Examples
        --------
        >>> from ssdkit.ops import get_op
        >>> op = get_op("_np_dot")
        >>> op.infer_shape(op.parse_params({}), [(64, 1000), (0, 100)])
        ([(64, 1000), (1000, 100)], [(64, 100)])
        """
        a, b = shapes
        if a is None or b is None:
            return shapes, [None]
        a, b = tuple(a), tuple(b)
        if not a or not b:
            return [a, b], [b if not a else a]
        b_axis = 0 if len(b) == 1 else len(b) - 2
        if a[-1] and b[b_axis] and a[-1] != b[b_axis]:
            raise ShapeError(f"dot: shapes {a} and {b} not aligned: {a[-1]} (dim {len(a) - 1}) != "
                             f"{b[b_axis]} (dim {b_axis})")
        k = a[-1] or b[b_axis]
        a = a[:-1] + (k,)
        b = b[:b_axis] + (k,) + b[b_axis + 1:]
        return [a, b], [a[:-1] + b[:b_axis] + b[b_axis + 1:]]

    def forward(self, p, inputs, is_train):
        a, b = inputs
        try:
            return [np.asarray(np.dot(a, b), np.result_type(a, b))], (a, b)
        except ValueError as err:
            raise ShapeError(f"dot: shapes {a.shape} and {b.shape} not aligned: {err}") from None

    def backward(self, p, saved, out_grads):
        a, b = saved
        g = out_grads[0]
        if a.ndim == 0 or b.ndim == 0:
            return [unbroadcast(g * b, a.shape) if a.ndim == 0 else g * b,
                    unbroadcast(g * a, b.shape) if b.ndim == 0 else g * a]
        # a (..., k) and b (k,) or b (..., k, n): contract g with the other operand over the free axes
        b_free = b.ndim - 1  # b's axes other than its contraction axis (-2, or 0 for 1-D b)
        b_axis = 0 if b.ndim == 1 else b.ndim - 2
        b_others = [ax for ax in range(b.ndim) if ax != b_axis]
        g_a = list(range(a.ndim - 1))
        g_b = list(range(a.ndim - 1, a.ndim - 1 + b_free))
        da = np.tensordot(g, b, axes=(g_b, b_others)) if b_free else np.multiply.outer(g, b)
        db = np.tensordot(a, g, axes=(list(range(a.ndim - 1)), g_a)) if g_a else np.multiply.outer(a, g)
        db = np.moveaxis(db, 0, b_axis) if b.ndim > 1 else db
        return [da.reshape(a.shape).astype(a.dtype, copy=False), db.reshape(b.shape).astype(b.dtype, copy=False)]


@register
class _npi_matmul(Op):
    """NumPy's ``matmul`` (``@``): batch dimensions broadcast; 1-D operands get a dimension and lose it."""
    inputs = ("a", "b")

    def forward(self, p, inputs, is_train):
        a, b = inputs
        try:
            return [np.matmul(a, b)], (a, b)
        except ValueError as err:
            raise ShapeError(f"matmul: shapes {a.shape} and {b.shape} do not match: {err}") from None

    def backward(self, p, saved, out_grads):
        a, b = saved
        a2 = a[None, :] if a.ndim == 1 else a
        b2 = b[:, None] if b.ndim == 1 else b
        g = out_grads[0]
        g = g.reshape(g.shape[:-1] + (1,) + g.shape[-1:]) if a.ndim == 1 and b.ndim > 1 else g
        g = g[..., None] if b.ndim == 1 else g
        g = g.reshape(1, 1) if a.ndim == 1 and b.ndim == 1 else g
        da = unbroadcast(np.matmul(g, np.swapaxes(b2, -1, -2)), a2.shape).reshape(a.shape)
        db = unbroadcast(np.matmul(np.swapaxes(a2, -1, -2), g), b2.shape).reshape(b.shape)
        return [da, db]


@register
class _npi_tensordot(Op):
    """NumPy's ``tensordot`` over ``a_axes_summed``/``b_axes_summed``."""
    inputs = ("a", "b")
    params = {"a_axes_summed": Param("shape"), "b_axes_summed": Param("shape")}

    def forward(self, p, inputs, is_train):
        a, b = inputs
        axes = (list(p.a_axes_summed), list(p.b_axes_summed))
        try:
            return [np.tensordot(a, b, axes)], (a, b)
        except ValueError as err:
            raise ShapeError(f"tensordot: shapes {a.shape} and {b.shape} cannot be contracted over {axes}: "
                             f"{err}") from None

    def backward(self, p, saved, out_grads):
        a, b = saved
        g = out_grads[0]
        sa = [x % a.ndim for x in p.a_axes_summed]
        sb = [x % b.ndim for x in p.b_axes_summed]
        fa = [x for x in range(a.ndim) if x not in sa]
        fb = [x for x in range(b.ndim) if x not in sb]
        ga, gb = list(range(len(fa))), list(range(len(fa), g.ndim))
        da = np.tensordot(g, b, (gb, fb))  # axes: a's free ones, then the partners of b's summed ones in b's order
        da = np.transpose(da, np.argsort(fa + [sa[sb.index(j)] for j in sorted(sb)]))
        db = np.tensordot(a, g, (fa, ga))  # axes: the partners of a's summed ones in a's order, then b's free ones
        db = np.transpose(db, np.argsort([sb[sa.index(j)] for j in sorted(sa)] + fb))
        return [da.astype(a.dtype, copy=False), db.astype(b.dtype, copy=False)]


def _expand_ellipsis(spec, operands):
    """Subscripts with ``...`` replaced by letters of their own (right-aligned across operands) and an explicit
    output (NumPy's implicit one: the ellipsis letters, then the letters used once, sorted)."""
    spec = spec.replace(" ", "")
    ins, out = spec.split("->") if "->" in spec else (spec, None)
    ins = ins.split(",")
    if len(ins) != len(operands):
        raise MXNetError(f"einsum: {len(ins)} operand subscripts for {len(operands)} operands")
    free = [c for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" if c not in spec]
    widths = [x.ndim - (len(sub) - 3) if "..." in sub else 0 for sub, x in zip(ins, operands)]
    extra = max(widths + [0])
    letters = "".join(free[:extra])
    ins = [sub.replace("...", letters[extra - w:]) for sub, w in zip(ins, widths)]
    if out is None:
        joined = "".join(ins)
        out = letters + "".join(sorted(c for c in set(joined) if joined.count(c) == 1 and c not in letters))
    else:
        out = out.replace("...", letters)
    return ins, out


@register
class _npi_einsum(Op):
    """NumPy's ``einsum`` over any number of operands (``...``, implicit or explicit output, repeated indices
    such as ``'ii'``), with the gradient of every operand."""
    params = {"subscripts": Param("str"), "num_args": Param("int", 1), "optimize": Param("int", 0)}
    key_var_num_args = "num_args"

    def forward(self, p, inputs, is_train):
        ins, out = _expand_ellipsis(p.subscripts, inputs)
        try:
            y = np.einsum(",".join(ins) + "->" + out, *inputs)
        except ValueError as err:
            raise ShapeError(f"einsum: {p.subscripts} with shapes {[x.shape for x in inputs]}: {err}") from None
        return [np.asarray(y, np.result_type(*inputs))], (inputs, ins, out)

    def backward(self, p, saved, out_grads):
        inputs, ins, out = saved
        sizes = {}
        for x, sub in zip(inputs, ins):
            for c, d in zip(sub, x.shape):
                sizes[c] = d if sizes.get(c, 1) == 1 else sizes[c]  # 1 broadcasts; 0 is a real size
        grads = []
        for k, (x, sub) in enumerate(zip(inputs, ins)):
            others = [s for j, s in enumerate(ins) if j != k]
            arrays = [a for j, a in enumerate(inputs) if j != k]
            unique = "".join(dict.fromkeys(sub))
            summed = [c for c in unique if c not in out and all(c not in s for s in others)]
            kept = "".join(c for c in unique if c not in summed)
            g = np.einsum(",".join([out] + others) + "->" + kept, out_grads[0], *arrays)
            g = np.broadcast_to(g.reshape([1 if c in summed else sizes[c] for c in unique]),
                                [sizes[c] for c in unique])  # letters only this operand had: broadcast back
            if len(unique) != len(sub):  # a repeated index: the gradient sits on that diagonal
                grid = np.ogrid[tuple(slice(0, sizes[c]) for c in unique)]
                full = np.zeros([sizes[c] for c in sub], g.dtype)
                full[tuple(grid[unique.index(c)] for c in sub)] = g
                g = full
            # operand axes of size 1 broadcast against bigger ones: sum the gradient back
            g = g.sum(axis=tuple(i for i, (c, d) in enumerate(zip(sub, x.shape)) if d == 1 and sizes[c] != 1),
                      keepdims=True)
            grads.append(np.ascontiguousarray(g).reshape(x.shape).astype(x.dtype, copy=False))
        return grads


# ----------------------------------------------------------------- linalg
@register
class _npi_inv(Op):
    """``np.linalg.inv`` of a (stack of) square matrices."""
    inputs = ("A",)

    def infer_shape(self, p, shapes):
        return shapes, [shapes[0]]

    def forward(self, p, inputs, is_train):
        try:
            y = np.linalg.inv(inputs[0])
        except np.linalg.LinAlgError as err:
            raise MXNetError(f"linalg.inv: {err} (input shape {inputs[0].shape})") from None
        return [y.astype(inputs[0].dtype, copy=False)], y

    def backward(self, p, saved, out_grads):
        yt = np.swapaxes(saved, -1, -2)
        return [-(yt @ out_grads[0] @ yt)]


@register
class _npi_det(Op):
    """``np.linalg.det`` of a (stack of) square matrices."""
    inputs = ("A",)

    def infer_shape(self, p, shapes):
        return shapes, [None if shapes[0] is None else tuple(shapes[0][:-2])]

    def forward(self, p, inputs, is_train):
        a = inputs[0]
        return [np.asarray(np.linalg.det(a), a.dtype)], a

    def backward(self, p, saved, out_grads):
        a = saved
        det = np.linalg.det(a)
        inv_t = np.swapaxes(np.linalg.inv(a), -1, -2)
        return [(np.asarray(out_grads[0] * det)[..., None, None] * inv_t).astype(a.dtype, copy=False)]


@register
class _npi_norm(Op):
    """``np.linalg.norm``: ``ord`` None/'fro' (2-norm of the flattened axes), a number for vector norms over one
    axis, or the matrix norms 1, -1, 2, -2, inf, -inf, 'nuc' over two; each with its gradient."""
    params = {"ord": Param("any", None), "axis": Param("shape", None), "keepdims": Param("bool", False)}

    def forward(self, p, inputs, is_train):
        x = inputs[0]
        ordv = p.ord
        axis = p.axis if p.axis is None or len(p.axis) > 1 else p.axis[0]
        if ordv in (None, "fro"):
            axes = reduce_axes(x.ndim, p.axis)
            y = np.sqrt(np.square(x).sum(axis=axes, keepdims=True))
            return [_kept(y, axes, p.keepdims).astype(x.dtype, copy=False)], (x, y, axes)
        ordv = float(ordv) if isinstance(ordv, str) and ordv != "nuc" else ordv
        y = np.linalg.norm(x, ord=ordv, axis=axis, keepdims=True)
        axes = tuple(range(x.ndim)) if axis is None else tuple(a % x.ndim for a in np.atleast_1d(axis))
        out = y if p.keepdims else y.reshape([d for i, d in enumerate(y.shape) if i not in axes])
        return [np.asarray(out, x.dtype)], (x, y, axes, ordv)

    def backward(self, p, saved, out_grads):
        x, y, axes = saved[:3]
        g = np.asarray(out_grads[0]).reshape(y.shape)
        if len(saved) == 3:  # None / 'fro'
            return [(g * x / np.where(y == 0, 1, y)).astype(x.dtype, copy=False)]
        ordv, sign, ax = saved[3], np.sign(x), np.abs(x)
        if len(axes) == 2:  # matrix norms: the extreme column (ord +-1) or row (ord +-inf) sum of |x|
            if ordv == "nuc" or abs(ordv) == 2:  # through the SVD: u_k v_k^T of the singular value(s) used
                moved = np.moveaxis(x.astype(np.float64), axes, (-2, -1))
                u, sv, vt = np.linalg.svd(moved, full_matrices=False)
                if ordv == "nuc":
                    local = u @ vt
                else:
                    k = 0 if ordv == 2 else -1
                    local = u[..., :, k:k + 1 or None] @ vt[..., k:k + 1 or None, :]
                return [(g * np.moveaxis(local, (-2, -1), axes)).astype(x.dtype)]
            summed = axes[0] if abs(ordv) == 1 else axes[1]
            sums = ax.sum(axis=summed, keepdims=True)
            return [(g * sign * (sums == y)).astype(x.dtype)]
        if ordv in (np.inf, -np.inf):  # every element at the extreme |x| shares the gradient (as max does)
            return [(g * sign * (ax == y)).astype(x.dtype)]
        if ordv == 0:
            return [np.zeros_like(x)]
        with np.errstate(divide="ignore", invalid="ignore"):
            local = sign * ax ** (ordv - 1) / np.where(y == 0, 1, y) ** (ordv - 1)
        return [(g * np.nan_to_num(local)).astype(x.dtype)]

