"""NumPy functions whose outputs are input elements moved around (``roll``, ``rot90``, ``diagonal``, ``tril``,
``pad``, ``insert``, ``hstack``, ``array_split``, ``broadcast_arrays``, ...), under MXNet's op names.

They share one gradient: each op states its rule once (:meth:`Rearrange.rule`, the NumPy function on the
inputs), and the backward runs the same rule on *element numbers* (1, 2, ... across all inputs; 0 stands for
"a constant, no source") so every output gradient is summed back onto the element it came from. An element
used twice (``broadcast_arrays``, ``pad`` in ``reflect`` mode) gets both gradients; a constant gets none.

Examples
--------
>>> from ssdkit.ops import get_op
>>> op = get_op("_np_roll")
>>> p = op.parse_params({"shift": 1})
>>> (y,), saved = op.forward(p, [np.array([1., 2., 3.], np.float32)], True)
>>> y, op.backward(p, saved, [np.array([10., 20., 30.], np.float32)])[0]
(array([3., 1., 2.], dtype=float32), array([20., 30., 10.], dtype=float32))
"""
import numpy as np

from ..base import MXNetError, ShapeError
from .registry import Op, Param, register

__all__ = ["Rearrange", "source_numbers"]


def source_numbers(shapes):
    """One int64 array per input shape holding its elements' numbers: 1, 2, ... continued across inputs
    (0 is kept for "no source").

    Examples
    --------
    >>> [a.tolist() for a in source_numbers([(2,), (1, 2)])]
    [[1, 2], [[3, 4]]]
    """
    sizes = [int(np.prod(s, dtype=np.int64)) for s in shapes]
    starts = np.cumsum([1] + sizes[:-1])
    return [np.arange(b, b + n, dtype=np.int64).reshape(s) for b, n, s in zip(starts, sizes, shapes)]


class Rearrange(Op):
    """Base of ops whose outputs are input elements (or constants); see the module docstring.

    A subclass defines ``rule(p, arrays, numbering)`` returning the list of outputs; ``numbering`` is True when
    ``arrays`` are element numbers, and the rule must then fill constants with 0.
    """

    def rule(self, p, arrays, numbering):
        """The outputs of the NumPy function on ``arrays``."""
        raise MXNetError(f"{self.name}: rule is not defined")

    def forward(self, p, inputs, is_train):
        try:
            outputs = self.rule(p, inputs, False)
        except (ValueError, IndexError) as err:
            shapes = ", ".join(str(x.shape) for x in inputs)
            raise ShapeError(f"{self.name}: cannot apply to inputs of shape {shapes} with parameters "
                             f"{dict(p)}: {err}") from None
        return [np.array(o, copy=True) for o in outputs], [(x.shape, x.dtype) for x in inputs]

    def backward(self, p, saved, out_grads):
        shapes = [s for s, _ in saved]
        sources = self.rule(p, source_numbers(shapes), True)
        total = 1 + sum(int(np.prod(s, dtype=np.int64)) for s in shapes)
        flat = np.zeros(total, np.float64)
        for src, g in zip(sources, out_grads):
            if g is not None and np.size(src):
                flat += np.bincount(np.asarray(src).ravel(), weights=np.asarray(g, np.float64).ravel(),
                                    minlength=total)
        grads, start = [], 1
        for shape, dtype in saved:
            n = int(np.prod(shape, dtype=np.int64))
            grads.append(flat[start:start + n].reshape(shape).astype(dtype))
            start += n
        return grads


def _rearrange(name, rule, params=None, inputs=("data",), doc="", **extra):
    """Register a :class:`Rearrange` op ``name`` from ``rule(p, arrays, numbering) -> list of outputs``."""
    attrs = {"name": name, "params": dict(params or {}), "inputs": inputs, "__doc__": doc,
             "rule": lambda self, p, arrays, numbering: rule(p, arrays, numbering)}
    attrs.update(extra)
    cls = type(name, (Rearrange,), attrs)
    register(cls)
    return cls


def _axes(value):
    return None if value is None else tuple(value)


def _one(function):
    return lambda p, arrays, numbering: [function(p, arrays[0])]


_rearrange("_np_roll", _one(lambda p, x: np.roll(x, p.shift if len(p.shift) > 1 else p.shift[0],
                                                 _axes(p.axis))),
           {"shift": Param("shape", None), "axis": Param("shape", None)},
           doc="``np.roll``: elements shifted cyclically by ``shift`` along ``axis`` (flattened when None).")
_rearrange("_npi_flip", _one(lambda p, x: np.flip(x, _axes(p.axis))), {"axis": Param("shape", None)},
           doc="``np.flip``: the order of elements reversed along ``axis`` (every axis when None).")
_rearrange("_npi_rot90", _one(lambda p, x: np.rot90(x, p.k, _axes(p.axes))),
           {"k": Param("int", 1), "axes": Param("shape", (0, 1))},
           doc="``np.rot90``: rotated by 90 degrees ``k`` times in the plane of ``axes``.")
_rearrange("_np_moveaxis", _one(lambda p, x: np.moveaxis(x, p.source, p.destination)),
           {"source": Param("shape"), "destination": Param("shape")},
           doc="``np.moveaxis``: the axes ``source`` moved to positions ``destination``.")
def _broadcast_shape(src, target):
    """``target`` with MXNet's -2 entries (keep the input's dim, aligned from the right) resolved."""
    lead = len(target) - len(src)
    if any(d == -2 and i < lead for i, d in enumerate(target)):
        raise ValueError(f"-2 in shape {target} has no input dimension to copy (input shape {src})")
    return tuple(src[i - lead] if d == -2 else d for i, d in enumerate(target))


_rearrange("_np_broadcast_to", _one(lambda p, x: np.broadcast_to(x, _broadcast_shape(x.shape, p.shape))),
           {"shape": Param("shape")},
           doc="``np.broadcast_to``: the input broadcast to ``shape`` (leading axes may be added; -2 keeps the "
               "input's dimension there, as MXNet).")
_rearrange("_np_diagonal", _one(lambda p, x: np.diagonal(x, p.offset, p.axis1, p.axis2)),
           {"offset": Param("int", 0), "axis1": Param("int", 0), "axis2": Param("int", 1)},
           doc="``np.diagonal``: the ``offset`` diagonal over ``axis1``/``axis2`` as the last axis.")


def _diag(p, x):
    if x.ndim not in (1, 2):
        raise ValueError(f"input must be 1-D or 2-D, got {x.ndim}-D")
    return np.diag(x, p.k)


_rearrange("_np_diag", _one(_diag), {"k": Param("int", 0)},
           doc="``np.diag``: the ``k`` diagonal of a 2-D input, or a 2-D array with a 1-D input on it.")
_rearrange("_np_diagflat", _one(lambda p, x: np.diagflat(x, p.k)), {"k": Param("int", 0)},
           doc="``np.diagflat``: a 2-D array with the flattened input on its ``k`` diagonal.")
_rearrange("_npi_tril", _one(lambda p, x: np.tril(x, p.k)), {"k": Param("int", 0)},
           doc="``np.tril``: elements above the ``k`` diagonal set to 0.")
_rearrange("_np_resize", _one(lambda p, x: np.resize(x, p.new_shape)), {"new_shape": Param("shape")},
           doc="``np.resize``: the flattened input repeated (or cut) to fill ``new_shape``.")
_rearrange("_np_atleast_1d", lambda p, xs, n: [np.atleast_1d(x) for x in xs], {"num_args": Param("int", 1)},
           key_var_num_args="num_args", output_count=lambda self, p: p.num_args,
           doc="``np.atleast_1d`` of each input.")
_rearrange("_np_atleast_2d", lambda p, xs, n: [np.atleast_2d(x) for x in xs], {"num_args": Param("int", 1)},
           key_var_num_args="num_args", output_count=lambda self, p: p.num_args,
           doc="``np.atleast_2d`` of each input.")
_rearrange("_np_atleast_3d", lambda p, xs, n: [np.atleast_3d(x) for x in xs], {"num_args": Param("int", 1)},
           key_var_num_args="num_args", output_count=lambda self, p: p.num_args,
           doc="``np.atleast_3d`` of each input.")


def _pad(p, arrays, numbering):
    x = arrays[0]
    width = np.asarray(p.pad_width, np.int64).reshape(-1, 2)
    width = np.broadcast_to(width, (x.ndim, 2)) if len(width) == 1 else width
    if p.mode == "constant":
        return [np.pad(x, width, "constant", constant_values=0 if numbering else p.constant_value)]
    if len(width) != x.ndim:
        raise ValueError(f"pad_width has {len(width)} pairs for a {x.ndim}-D input")
    if p.mode in ("maximum", "minimum") and numbering:
        raise MXNetError(f"pad: no gradient for mode={p.mode!r} (MXNet has none either)")
    return [np.pad(x, width, p.mode)]


_rearrange("_npi_pad", _pad, {"pad_width": Param("shape", ()), "mode": Param(
    "str", "constant", ("constant", "edge", "reflect", "symmetric", "maximum", "minimum")),
    "constant_value": Param("float", 0.0), "reflect_type": Param("str", "even")},
    doc="``np.pad``: ``pad_width`` (flattened pairs per axis) added around the input in ``mode``.")


def _stacker(function):
    return lambda p, arrays, numbering: [function(list(arrays))]


for _name, _function, _doc in (("_npi_hstack", np.hstack, "column-wise (1-D inputs end to end)"),
                               ("_npi_vstack", np.vstack, "as rows (1-D inputs become rows)"),
                               ("_npi_dstack", np.dstack, "along the third axis"),
                               ("_npi_column_stack", np.column_stack, "as columns of a 2-D array")):
    _rearrange(_name, _stacker(_function), {"num_args": Param("int", 1)}, inputs=(),
               key_var_num_args="num_args", doc=f"``np.{_name[5:]}``: the inputs joined {_doc}.")


def _split_points(p, x):
    if p.sections > 0:
        return p.sections
    return list(p.indices)


def _split_axis(p, x):
    return {"hsplit": 1 if x.ndim > 1 else 0, "vsplit": 0, "dsplit": 2}.get(p.kind, p.axis)


def _splitter(p, arrays, numbering):
    x = arrays[0]
    if p.kind in ("vsplit", "hsplit", "dsplit") and x.ndim < {"vsplit": 2, "hsplit": 1, "dsplit": 3}[p.kind]:
        raise ValueError(f"{p.kind} needs more dimensions than {x.ndim}")
    if p.kind in ("vsplit", "dsplit") and p.sections > 0 and x.shape[_split_axis(p, x)] % p.sections:
        raise ValueError(f"array split does not result in an equal division of axis length "
                         f"{x.shape[_split_axis(p, x)]} into {p.sections} sections")
    return np.array_split(x, _split_points(p, x), axis=_split_axis(p, x))


@register
class _npi_array_split(Rearrange):
    """``np.array_split`` (and, by ``kind``, ``hsplit``/``vsplit``/``dsplit``): the input cut into
    ``sections`` parts (the first ``n % sections`` one longer) or at ``indices`` along ``axis``."""
    params = {"indices": Param("shape", ()), "sections": Param("int", 0), "axis": Param("int", 0),
              "kind": Param("str", "array_split", ("array_split", "hsplit", "vsplit", "dsplit"))}

    def output_count(self, p):
        return p.sections if p.sections > 0 else len(p.indices) + 1

    def rule(self, p, arrays, numbering):
        return _splitter(p, arrays, numbering)


@register
class _npi_broadcast_arrays(Rearrange):
    """``np.broadcast_arrays``: every input broadcast to their common shape."""
    inputs = ()
    params = {"num_args": Param("int", 1)}
    key_var_num_args = "num_args"

    def output_count(self, p):
        return p.num_args

    def rule(self, p, arrays, numbering):
        return list(np.broadcast_arrays(*arrays))


@register
class _npi_delete(Rearrange):
    """``np.delete``: the input without the elements at ``obj`` (an int, a slice ``(start, stop, step)`` or
    indices) along ``axis`` (flattened when None)."""
    params = {"obj": Param("any", None), "axis": Param("any", None)}

    def rule(self, p, arrays, numbering):
        x, axis = arrays[0], None if p.axis is None else int(p.axis)
        obj = slice(*p.obj[1:]) if isinstance(p.obj, tuple) and p.obj and p.obj[0] == "slice" else p.obj
        if isinstance(obj, tuple):  # MXNet ignores indices out of [0, n) in an index array
            n = x.size if axis is None else x.shape[axis]
            obj = np.array([i for i in obj if 0 <= i < n], np.int64)
        return [np.delete(x, obj, axis)]


@register
class _npi_insert(Rearrange):
    """``np.insert``: ``values`` (the second input, broadcast as NumPy does) put before ``obj`` along
    ``axis`` (flattened when None); ``obj`` is an int, a slice ``('slice', start, stop, step)`` or indices."""
    inputs = ("arr", "values")
    params = {"obj": Param("any", None), "axis": Param("any", None)}

    def rule(self, p, arrays, numbering):
        arr, values = arrays
        obj = slice(*p.obj[1:]) if isinstance(p.obj, tuple) and p.obj and p.obj[0] == "slice" else p.obj
        out = np.insert(arr, obj, values.astype(arr.dtype, copy=False), None if p.axis is None else int(p.axis))
        return [out]

    def infer_type(self, p, dtypes):
        return dtypes, [dtypes[0]]


@register
class _npi_setitem(Rearrange):
    """``x[key] = value`` recorded under autograd (any NumPy index; not written to MXNet JSON): the result is
    ``x`` with ``value`` (broadcast, cast to ``x``'s dtype) at ``key``; gradients go to ``value`` for the
    assigned elements and to ``x`` for the others."""
    inputs = ("data", "value")
    params = {"key": Param("any")}

    def rule(self, p, arrays, numbering):
        out = np.array(arrays[0], copy=True)
        out[p.key] = arrays[1].astype(out.dtype, copy=False)
        return [out]

    def infer_type(self, p, dtypes):
        return dtypes, [dtypes[0]]
