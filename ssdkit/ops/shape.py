"""Ops that move, select or combine elements without arithmetic: reshape (with MXNet's special codes),
transpose, concat/stack/split, slicing, take/pick/one_hot, where, clip, broadcasting, cast and creation ops.

Examples
--------
>>> mx_reshape_shape((2, 3, 4), (-4, 1, 2, -2))
(1, 2, 3, 4)
>>> mx_reshape_shape((2, 3, 4), (0, -3))
(2, 12)
"""
import builtins

import numpy as np

from ..base import MXNetError, ShapeError, DTYPE
from .registry import Op, Param, register, PROBE
from .elemwise import unbroadcast

__all__ = ["mx_reshape_shape", "normalize_axis"]


def normalize_axis(axis, ndim, op_name="op"):
    """An axis in ``[-ndim, ndim)`` as a non-negative int, else an error naming the op.

    Examples
    --------
    >>> normalize_axis(-1, 3)
    2
    """
    if not -ndim <= axis < ndim:
        raise ShapeError(f"{op_name}: axis {axis} is out of range for a {ndim}-D input")
    return axis % ndim


def _reshape_forward(src, target):
    out, i, k = [], 0, 0
    infer_at = None
    while k < len(target):
        code = target[k]
        if code == 0:
            out.append(src[i]); i += 1
        elif code == -1:
            infer_at = len(out); out.append(-1); i += 1
        elif code == -2:
            out.extend(src[i:]); i = len(src)
        elif code == -3:
            out.append(src[i] * src[i + 1]); i += 2
        elif code == -4:
            d1, d2 = target[k + 1], target[k + 2]
            if d1 == -1:
                d1 = src[i] // d2
            if d2 == -1:
                d2 = src[i] // d1
            if d1 * d2 != src[i]:
                raise ValueError
            out.extend([d1, d2]); i += 1; k += 2
        elif code > 0:
            out.append(code); i += 1
        else:
            raise ValueError
        k += 1
    if out.count(-1) > 1:
        raise ValueError("only one dimension can be inferred")
    if infer_at is not None:
        known = int(np.prod([d for j, d in enumerate(out) if j != infer_at]))
        out[infer_at] = int(np.prod(src)) // known if known else 0
    return tuple(out)


def mx_reshape_shape(src, target, reverse=False):
    """The output shape of MXNet's ``Reshape`` with special codes 0, -1, -2, -3, -4 (``reverse`` reads right to left).

    Examples
    --------
    >>> mx_reshape_shape((2, 3, 4), (-1, 0), reverse=True)
    (6, 4)
    """
    src, target = tuple(src), tuple(target)
    try:
        if reverse:
            # mirror both shapes; -4 takes its two following values, which must keep their order
            rev, k = [], len(target) - 1
            while k >= 0:
                if k >= 2 and target[k - 2] == -4:
                    rev.extend([-4, target[k], target[k - 1]]); k -= 3
                else:
                    rev.append(target[k]); k -= 1
            out = _reshape_forward(src[::-1], tuple(rev))[::-1]
        else:
            out = _reshape_forward(src, target)
    except (ValueError, IndexError):
        out = None
    if out is None or int(np.prod(out)) != int(np.prod(src)):
        raise ShapeError(f"Reshape: cannot reshape input of shape {src} into shape {target}"
                         f"{' (reverse)' if reverse else ''}")
    return out


class _ShapeOnly(Op):
    """Ops whose gradient is the output gradient put back into the input's shape."""

    def backward(self, p, saved, out_grads):
        return [out_grads[0].reshape(saved)]


@register
class Reshape(_ShapeOnly):
    params = {"shape": Param("shape", ()), "reverse": Param("bool", False),
              "target_shape": Param("shape", ()), "keep_highest": Param("bool", False)}

    def infer_shape(self, p, shapes):
        if shapes[0] is None:
            return shapes, [None]
        return shapes, [mx_reshape_shape(shapes[0], p.shape, p.reverse)]

    def infer_input_shapes(self, p, in_shapes, out_shapes):
        """One unknown input dimension follows from the output's size (``w.reshape(-1)`` of a deferred weight)."""
        data, out = in_shapes[0], out_shapes[0]
        if data is None or out is None or 0 in out or list(data).count(0) != 1:
            return [None]
        known = int(np.prod([d for d in data if d]))
        total = int(np.prod(out))
        if known == 0 or total % known:
            return [None]
        return [tuple(d or total // known for d in data)]

    def forward(self, p, inputs, is_train):
        x = inputs[0]
        return [x.reshape(mx_reshape_shape(x.shape, p.shape, p.reverse))], x.shape


@register
class _identity_with_attr_like_rhs(Op):
    """``lhs`` unchanged; ``rhs`` only lends its shape (both must have one shape), so shape inference can
    carry a known shape back to ``lhs`` (MXNet's internal op of that name)."""
    inputs = ("lhs", "rhs")
    same_shape = True

    def forward(self, p, inputs, is_train):
        return [inputs[0]], inputs[1]

    def backward(self, p, saved, out_grads):
        return [out_grads[0], np.zeros_like(saved)]


@register
class reshape_like(Op):
    inputs = ("lhs", "rhs")

    def infer_shape(self, p, shapes):
        return shapes, [shapes[1]]

    def forward(self, p, inputs, is_train):
        x, like = inputs
        if x.size != like.size:
            raise ShapeError(f"reshape_like: lhs of shape {x.shape} has {x.size} elements, rhs of shape "
                             f"{like.shape} has {like.size}")
        return [x.reshape(like.shape)], (x.shape, like)

    def backward(self, p, saved, out_grads):
        shape, like = saved
        return [out_grads[0].reshape(shape), np.zeros_like(like)]


@register
class Flatten(_ShapeOnly):
    def forward(self, p, inputs, is_train):
        x = inputs[0]
        return [x.reshape(x.shape[0], -1) if x.ndim else x.reshape(1, 1)], x.shape


@register(aliases=("expand_dims",))
class ExpandDims(_ShapeOnly):
    name = "expand_dims"
    params = {"axis": Param("int")}

    def forward(self, p, inputs, is_train):
        x = inputs[0]
        return [np.expand_dims(x, p.axis)], x.shape


@register
class squeeze(_ShapeOnly):
    params = {"axis": Param("shape", None)}

    def forward(self, p, inputs, is_train):
        x = inputs[0]
        y = np.squeeze(x, axis=p.axis)
        return [y if y.ndim else y.reshape(1)], x.shape


@register
class transpose(Op):
    partial_shapes = PROBE  # MXNet infers from partial shapes
    params = {"axes": Param("shape", ())}

    def forward(self, p, inputs, is_train):
        x = inputs[0]
        axes = p.axes or tuple(range(x.ndim))[::-1]
        if sorted(a % x.ndim for a in axes) != list(range(x.ndim)):
            raise ShapeError(f"transpose: axes {axes} is not a permutation for input shape {x.shape}")
        return [np.transpose(x, axes)], axes

    def backward(self, p, saved, out_grads):
        return [np.transpose(out_grads[0], np.argsort(saved))]


@register
class swapaxes(Op):
    partial_shapes = PROBE  # MXNet infers from partial shapes
    params = {"dim1": Param("int", 0), "dim2": Param("int", 0)}

    def forward(self, p, inputs, is_train):
        return [np.swapaxes(inputs[0], p.dim1, p.dim2)], None

    def backward(self, p, saved, out_grads):
        return [np.swapaxes(out_grads[0], p.dim1, p.dim2)]


@register
class concat(Op):
    partial_shapes = PROBE  # MXNet infers from partial shapes
    params = {"dim": Param("int", 1), "num_args": Param("int", 1)}
    key_var_num_args = "num_args"

    def forward(self, p, inputs, is_train):
        try:
            y = np.concatenate(inputs, axis=p.dim)
        except ValueError:
            raise ShapeError(f"concat: inputs of shapes {[x.shape for x in inputs]} cannot be joined "
                             f"along dim {p.dim}") from None
        return [y], [x.shape[p.dim] for x in inputs]

    def backward(self, p, saved, out_grads):
        return np.split(out_grads[0], np.cumsum(saved)[:-1], axis=p.dim)

    def infer_input_shapes(self, p, in_shapes, out_shapes):
        """Inputs take the output's dims other than ``dim`` (as MXNet, lengths along ``dim`` stay unknown)."""
        out = out_shapes[0]
        if out is None:
            return [None] * len(in_shapes)
        axis = p.dim % len(out)
        return [out[:axis] + (0,) + out[axis + 1:]] * len(in_shapes)


@register
class stack(Op):
    params = {"axis": Param("int", 0), "num_args": Param("int", 1)}
    key_var_num_args = "num_args"

    def forward(self, p, inputs, is_train):
        if len({x.shape for x in inputs}) > 1:
            raise ShapeError(f"stack: all inputs need one shape, got {[x.shape for x in inputs]}")
        return [np.stack(inputs, axis=p.axis)], None

    def backward(self, p, saved, out_grads):
        g = out_grads[0]
        return [np.take(g, i, axis=p.axis) for i in range(g.shape[p.axis])]


@register
class split(Op):
    partial_shapes = PROBE  # MXNet infers from partial shapes
    params = {"num_outputs": Param("int"), "axis": Param("int", 1), "squeeze_axis": Param("bool", False)}

    def output_count(self, p):
        return p.num_outputs

    def forward(self, p, inputs, is_train):
        x = inputs[0]
        if x.shape[p.axis] % p.num_outputs:
            raise ShapeError(f"split: axis {p.axis} of shape {x.shape} is not divisible into {p.num_outputs} parts")
        parts = np.split(x, p.num_outputs, axis=p.axis)
        if p.squeeze_axis:
            parts = [np.squeeze(q, axis=p.axis) for q in parts]
        return parts, None

    def backward(self, p, saved, out_grads):
        grads = [np.expand_dims(g, p.axis) for g in out_grads] if p.squeeze_axis else out_grads
        return [np.concatenate(grads, axis=p.axis)]

    def infer_input_shapes(self, p, in_shapes, out_shapes):
        """The data is the parts put back together: known dims of any part, the split axis times the count
        (as MXNet, only once the data's rank is known)."""
        if in_shapes[0] is None:
            return [None]
        part = None
        for shape in out_shapes:
            if shape is not None:
                part = shape if part is None else tuple(a or b for a, b in zip(part, shape))
        if part is None:
            return [None]
        if p.squeeze_axis:
            axis = p.axis % (len(part) + 1)
            return [part[:axis] + (p.num_outputs,) + part[axis:]]
        axis = p.axis % len(part)
        return [part[:axis] + (part[axis] * p.num_outputs,) + part[axis + 1:]]


def _scatter_back(shape, dtype, index, g):
    dx = np.zeros(shape, dtype)
    dx[index] = g
    return dx


@register
class slice(Op):
    params = {"begin": Param("any"), "end": Param("any"), "step": Param("any", ())}

    def forward(self, p, inputs, is_train):
        x = inputs[0]
        step = tuple(p.step or ()) or (None,) * len(p.begin)
        index = tuple(builtins.slice(b, e, s) for b, e, s in zip(p.begin, p.end, step))
        return [x[index].copy()], (x.shape, x.dtype, index)

    def backward(self, p, saved, out_grads):
        return [_scatter_back(*saved, out_grads[0])]


@register
class slice_axis(Op):
    params = {"axis": Param("int"), "begin": Param("int"), "end": Param("any", None)}

    def forward(self, p, inputs, is_train):
        x = inputs[0]
        axis = normalize_axis(p.axis, x.ndim, "slice_axis")
        index = (builtins.slice(None),) * axis + (builtins.slice(p.begin, p.end),)
        return [x[index].copy()], (x.shape, x.dtype, index)

    def backward(self, p, saved, out_grads):
        return [_scatter_back(*saved, out_grads[0])]


@register
class slice_like(Op):
    inputs = ("data", "shape_like")
    params = {"axes": Param("shape", ())}

    def forward(self, p, inputs, is_train):
        x, like = inputs
        axes = [a % x.ndim for a in p.axes] or range(min(x.ndim, like.ndim))
        index = tuple(builtins.slice(0, like.shape[a]) if a in axes else builtins.slice(None) for a in range(x.ndim))
        return [x[index].copy()], (x.shape, x.dtype, index, like)

    def backward(self, p, saved, out_grads):
        shape, dtype, index, like = saved
        return [_scatter_back(shape, dtype, index, out_grads[0]), np.zeros_like(like)]


@register
class _getitem(Op):
    """NDArray indexing under autograd; the key is any numpy index (not written to MXNet JSON)."""
    params = {"key": Param("any")}

    def forward(self, p, inputs, is_train):
        x = inputs[0]
        y = x[p.key]
        return [np.array(y, copy=True)], (x.shape, x.dtype)

    def backward(self, p, saved, out_grads):
        shape, dtype = saved
        dx = np.zeros(shape, dtype)
        np.add.at(dx, p.key, out_grads[0]) if _has_array_index(p.key) else dx.__setitem__(p.key, out_grads[0])
        return [dx]


def _has_array_index(key):
    key = key if isinstance(key, tuple) else (key,)
    return any(isinstance(k, (list, np.ndarray)) for k in key)


@register
class take(Op):
    inputs = ("a", "indices")
    params = {"axis": Param("int", 0), "mode": Param("str", "clip", ("clip", "wrap", "raise"))}

    def forward(self, p, inputs, is_train):
        a, idx = inputs
        i = idx.astype(np.int64)
        n = a.shape[p.axis]
        i = np.clip(i, 0, n - 1) if p.mode == "clip" else np.mod(i, n) if p.mode == "wrap" else i
        return [np.take(a, i, axis=p.axis)], (a.shape, a.dtype, i, idx)

    def backward(self, p, saved, out_grads):
        shape, dtype, i, idx = saved
        da = np.zeros(shape, dtype)
        axis = p.axis % len(shape)  # a negative axis counts from the end of the data's axes
        g = np.moveaxis(out_grads[0], list(range(axis, axis + i.ndim)), list(range(i.ndim)))
        np.add.at(np.moveaxis(da, axis, 0), i, g)
        return [da, np.zeros_like(idx)]


@register
class pick(Op):
    partial_shapes = PROBE  # MXNet infers from partial shapes
    inputs = ("data", "index")
    params = {"axis": Param("int", -1), "keepdims": Param("bool", False), "mode": Param("str", "clip")}

    def forward(self, p, inputs, is_train):
        x, idx = inputs
        axis = normalize_axis(p.axis, x.ndim, "pick")
        i = idx.astype(np.int64).reshape(x.shape[:axis] + (1,) + x.shape[axis + 1:])
        i = np.clip(i, 0, x.shape[axis] - 1) if p.mode == "clip" else np.mod(i, x.shape[axis])
        y = np.take_along_axis(x, i, axis=axis)
        return [y if p.keepdims else np.squeeze(y, axis)], (x.shape, x.dtype, axis, i, idx)

    def backward(self, p, saved, out_grads):
        shape, dtype, axis, i, idx = saved
        dx = np.zeros(shape, dtype)
        np.put_along_axis(dx, i, out_grads[0].reshape(i.shape), axis=axis)
        return [dx, np.zeros_like(idx)]


@register
class batch_take(Op):
    """Row ``i`` of ``a`` (flattened past the first axis) at index ``indices[i]``, clipped to the row (MXNet's
    deprecated spelling of ``pick`` over rows; not differentiable there either)."""
    inputs = ("a", "indices")
    differentiable = False
    no_gradient = True

    def infer_shape(self, p, shapes):
        a, idx = shapes
        if a is not None and len(a) < 2:
            raise ShapeError(f"batch_take: data must have at least 2 dimensions, got shape {a}")
        return shapes, [idx]

    def infer_type(self, p, dtypes):
        return dtypes, [dtypes[0]]

    def forward(self, p, inputs, is_train):
        a, idx = inputs
        rows = a.reshape(a.shape[0], -1)
        i = np.clip(idx.astype(np.int64).reshape(-1), 0, rows.shape[1] - 1)
        if i.size != rows.shape[0]:
            raise ShapeError(f"batch_take: {i.size} indices for {rows.shape[0]} rows of data shape {a.shape}")
        return [rows[np.arange(i.size), i].reshape(idx.shape)], None


@register
class one_hot(Op):
    inputs = ("indices",)
    params = {"depth": Param("int"), "on_value": Param("float", 1.0), "off_value": Param("float", 0.0),
              "dtype": Param("dtype", "float32")}
    differentiable = False

    def forward(self, p, inputs, is_train):
        i = inputs[0].astype(np.int64)
        y = np.full(i.shape + (p.depth,), p.off_value, dtype=p.dtype)
        valid = (i >= 0) & (i < p.depth)
        np.put_along_axis(y, np.where(valid, i, 0)[..., None], np.where(valid, p.on_value, p.off_value)[..., None]
                          .astype(p.dtype), axis=-1)
        return [y], inputs[0]

    def backward(self, p, saved, out_grads):
        return [np.zeros_like(saved)]


@register
class where(Op):
    inputs = ("condition", "x", "y")
    partial_shapes = True

    def infer_shape(self, p, shapes):
        """As MXNet: nothing is inferred until the condition's shape is complete; then x, y and the output
        share one shape, which the condition equals or whose first dim it has."""
        cond = shapes[0]
        if cond is None or 0 in cond:
            return shapes, [None]
        known = [s for s in shapes[1:] if s is not None]
        if not known:
            return shapes, [None]
        shape = tuple(max(dims) for dims in zip(*known)) if len({len(s) for s in known}) == 1 else known[0]
        if len(cond) != len(shape) and (len(cond) != 1 or (shape[0] and shape[0] != cond[0])):
            raise ShapeError(f"where: condition shape {cond} must equal x shape {shape} or its first dim")
        # as MXNet: x, y and the output share one shape; the condition is checked against it, not merged into it
        return [cond, shape, shape], [shape]

    def forward(self, p, inputs, is_train):
        c, x, y = inputs
        if c.shape != x.shape and c.shape != x.shape[:1]:
            raise ShapeError(f"where: condition shape {c.shape} must equal x shape {x.shape} or its first dim")
        mask = (c != 0) if c.shape == x.shape else (c != 0).reshape((-1,) + (1,) * (x.ndim - 1))
        return [np.where(mask, x, y)], (c, mask)

    def backward(self, p, saved, out_grads):
        c, mask = saved
        g = out_grads[0]
        return [np.zeros_like(c), np.where(mask, g, 0).astype(g.dtype), np.where(mask, 0, g).astype(g.dtype)]


@register
class clip(Op):
    params = {"a_min": Param("float"), "a_max": Param("float")}
    same_shape = True

    def forward(self, p, inputs, is_train):
        x = inputs[0]
        return [np.clip(x, x.dtype.type(p.a_min), x.dtype.type(p.a_max))], x

    def backward(self, p, saved, out_grads):
        x = saved
        return [out_grads[0] * ((x >= p.a_min) & (x <= p.a_max))]


@register
class broadcast_to(Op):
    params = {"shape": Param("shape")}

    def forward(self, p, inputs, is_train):
        x = inputs[0]
        shape = tuple(s if s else d for s, d in zip(p.shape, x.shape))
        return [np.ascontiguousarray(np.broadcast_to(x, shape))], x.shape

    def backward(self, p, saved, out_grads):
        return [unbroadcast(out_grads[0], saved)]


@register
class broadcast_like(Op):
    """``lhs`` broadcast to ``rhs``'s shape; with ``lhs_axes``/``rhs_axes`` only those axes of ``lhs`` (size 1)
    take the sizes of the matching axes of ``rhs``."""
    inputs = ("lhs", "rhs")
    params = {"lhs_axes": Param("any", None), "rhs_axes": Param("any", None)}

    def forward(self, p, inputs, is_train):
        x, like = inputs
        shape = like.shape
        if p.lhs_axes is not None or p.rhs_axes is not None:
            lhs_axes, rhs_axes = (tuple(np.atleast_1d(a).tolist()) for a in (p.lhs_axes, p.rhs_axes))
            if not lhs_axes or not rhs_axes:
                raise MXNetError(f"broadcast_like: empty axes tuple is not allowed (lhs_axes {lhs_axes}, "
                                 f"rhs_axes {rhs_axes})")
            if len(lhs_axes) != len(rhs_axes):
                raise MXNetError(f"broadcast_like: lhs_axes {lhs_axes} and rhs_axes {rhs_axes} differ in length")
            shape = list(x.shape)
            for la, ra in zip(lhs_axes, rhs_axes):
                shape[la % x.ndim] = like.shape[ra % like.ndim]
        return [np.ascontiguousarray(np.broadcast_to(x, tuple(shape)))], (x.shape, like)

    def backward(self, p, saved, out_grads):
        return [unbroadcast(out_grads[0], saved[0]), np.zeros_like(saved[1])]


@register
class broadcast_axis(Op):
    params = {"axis": Param("shape", ()), "size": Param("shape", ())}

    def forward(self, p, inputs, is_train):
        x = inputs[0]
        shape = list(x.shape)
        for a, s in zip(p.axis, p.size):
            shape[a] = s
        return [np.ascontiguousarray(np.broadcast_to(x, shape))], x.shape

    def backward(self, p, saved, out_grads):
        return [unbroadcast(out_grads[0], saved)]


@register
class tile(Op):
    params = {"reps": Param("shape")}

    def forward(self, p, inputs, is_train):
        x = inputs[0]
        return [np.tile(x, p.reps)], x.shape

    def backward(self, p, saved, out_grads):
        g, shape = out_grads[0], saved
        reps = (1,) * (g.ndim - len(p.reps)) + tuple(p.reps)
        shape = (1,) * (g.ndim - len(shape)) + tuple(shape)
        split = [v for pair in zip(reps, shape) for v in pair]
        return [g.reshape(split).sum(axis=tuple(range(0, len(split), 2))).reshape(saved)]


@register
class repeat(Op):
    params = {"repeats": Param("int"), "axis": Param("any", None)}

    def forward(self, p, inputs, is_train):
        x = inputs[0]
        return [np.repeat(x, p.repeats, axis=p.axis)], x.shape

    def backward(self, p, saved, out_grads):
        g = out_grads[0]
        if p.axis is None:
            return [g.reshape(-1, p.repeats).sum(1).reshape(saved)]
        axis = p.axis % len(saved)
        return [g.reshape(saved[:axis] + (saved[axis], p.repeats) + saved[axis + 1:]).sum(axis + 1)]


@register
class reverse(Op):
    """The input with the order of elements along each of ``axis`` reversed; gradient: reversed back."""
    params = {"axis": Param("shape")}

    def _axes(self, p, ndim):
        return tuple(normalize_axis(a, ndim, "reverse") for a in p.axis)

    def forward(self, p, inputs, is_train):
        x = inputs[0]
        return [np.ascontiguousarray(np.flip(x, self._axes(p, x.ndim)))], None

    def backward(self, p, saved, out_grads):
        g = out_grads[0]
        return [np.ascontiguousarray(np.flip(g, self._axes(p, g.ndim)))]


@register
class Cast(Op):
    same_shape = True
    params = {"dtype": Param("dtype")}

    def forward(self, p, inputs, is_train):
        x = inputs[0]
        return [x.astype(p.dtype)], x.dtype

    def backward(self, p, saved, out_grads):
        return [out_grads[0].astype(saved)]

    def infer_type(self, p, dtypes):
        return dtypes, [np.dtype(p.dtype)]


class _Creation(Op):
    """Ops with no inputs (``F.zeros`` inside hybrid_forward)."""
    inputs = ()
    differentiable = False

    def backward(self, p, saved, out_grads):
        return []

    def infer_type(self, p, dtypes):
        return dtypes, [np.dtype(p.dtype or DTYPE)]


_CREATE = {"shape": Param("shape", ()), "dtype": Param("dtype", "float32"), "ctx": Param("any", None)}


@register
class _zeros(_Creation):
    params = dict(_CREATE)

    def forward(self, p, inputs, is_train):
        return [np.zeros(p.shape, p.dtype)], None


@register
class _ones(_Creation):
    params = dict(_CREATE)

    def forward(self, p, inputs, is_train):
        return [np.ones(p.shape, p.dtype)], None


@register
class _full(_Creation):
    params = dict(_CREATE, value=Param("float"))

    def forward(self, p, inputs, is_train):
        return [np.full(p.shape, p.value, p.dtype)], None


@register
class _arange(_Creation):
    params = {"start": Param("float"), "stop": Param("any", None), "step": Param("float", 1.0),
              "repeat": Param("int", 1), "dtype": Param("dtype", "float32"), "ctx": Param("any", None),
              "infer_range": Param("bool", False)}

    def forward(self, p, inputs, is_train):
        y = np.arange(p.start, p.stop, p.step, dtype=np.float64).astype(p.dtype)
        return [np.repeat(y, p.repeat) if p.repeat > 1 else y], None


@register
class _linspace(_Creation):
    params = {"start": Param("float"), "stop": Param("float"), "num": Param("int"),
              "endpoint": Param("bool", True), "dtype": Param("dtype", "float32"), "ctx": Param("any", None)}

    def forward(self, p, inputs, is_train):
        return [np.linspace(p.start, p.stop, p.num, endpoint=p.endpoint).astype(p.dtype)], None


@register
class _eye(_Creation):
    params = {"N": Param("int"), "M": Param("int", 0), "k": Param("int", 0),
              "dtype": Param("dtype", "float32"), "ctx": Param("any", None)}

    def forward(self, p, inputs, is_train):
        return [np.eye(p.N, p.M or None, p.k, dtype=p.dtype)], None
