"""BatchNorm (MXNet 1.9.1 semantics) with an optional fused ReLU (and 2x2 max pooling), computed on all cores.

``y = x * scale + shift`` per channel (``scale = gamma / std``, ``shift = beta - mean * scale``). Statistics
are row sums and BLAS row dots, so no centred copy of ``x`` is made; backward recomputes from ``x`` as
``dx = a*g + b*x + c`` per channel. The arrays are cut into cache-sized runs of rows (one row = one channel
of one image) and every step of a pass is applied to a run while it sits in the cache; the runs are spread
over every core (numpy releases the GIL). These passes are memory-bound: done array-wide, each numpy
operation would be one more trip through memory.

With numba (:mod:`.kernels.jit`; ``SSDKIT_JIT=0`` switches it off) the passes that need several numpy operations
run as compiled loops (:mod:`.kernels.norm_pool_jit`): the fused forward normalises, rectifies and pools in one
read; every backward reduces with one loop whose order of additions is the same fused or not (so a fused and an
unfused chain still give the same bits) and the fused ones write ``dx`` in one more, their masked / routed
gradient rebuilt in registers. ToySSD's hybridized step at batch 32 spends ~250 ms in these ops instead of ~450.

MXNet quirks kept on purpose: the running statistics move in *backward* (a forward alone leaves them),
the batch-statistics gradient formula is used in predict mode too unless ``use_global_stats``, and the
third output of ``output_mean_var`` is the inverse standard deviation.

Examples
--------
>>> from ssdkit.ops import get_op
>>> op = get_op("BatchNorm"); p = op.parse_params({"fix_gamma": False})
>>> x = np.array([[1.0, 2.0], [3.0, 6.0]], np.float32)
>>> (y,), saved = op.forward(p, [x, np.ones(2, np.float32), np.zeros(2, np.float32),
...                              np.zeros(2, np.float32), np.ones(2, np.float32)], True)
>>> y.round(2)
array([[-1., -1.],
       [ 1.,  1.]], dtype=float32)
"""
import numpy as np

from ..base import ShapeError, check_ndim
from .registry import Op, Param, register, check_shape
from .kernels.parallel import each_chunk
from .kernels.arena import empty
from .kernels.pool import pool2d_geometry, max_pool_index_planes, route_by_index_planes
from .kernels.scratch import scratch
from .kernels.geometry import pool2d_out_shape
from .kernels import norm_pool_jit as compiled

__all__ = ["batchnorm_forward", "batchnorm_backward", "FUSED_POOL", "CROSS_PROCESS"]

# below this many elements a pass is too short to be worth a second thread
PARALLEL_MIN_ELEMENTS = 1 << 18
#: Elements of one unit of work (512 KiB of float32, an L2 cache): every pass a unit makes over its rows
#: after the first reads the cache, so a whole forward or backward costs about one trip through memory
#: per array instead of one per numpy operation.
CHUNK_ELEMENTS = 1 << 17
#: Elements of one unit of work of a compiled pass (:mod:`.kernels.norm_pool_jit`): it reads its rows once, so
#: the unit only has to be large enough to make the call's overhead negligible.
COMPILED_CHUNK_ELEMENTS = 1 << 18
#: Smaller arrays take the numpy passes: a compiled call's fixed cost outweighs what it saves (every BatchNorm
#: backward decides on the same size, so fused and unfused chains still reduce alike).
COMPILED_MIN_ELEMENTS = 1 << 15
#: The one pooling ``_fused_bn_relu_pool`` performs (MaxPool2D(2)): max, kernel = stride = (2, 2), no padding,
#: 'valid' convention. The graph rewrite fuses only a Pooling with exactly this geometry.
FUSED_POOL = {"kernel": (2, 2), "stride": (2, 2), "pad": (0, 0), "pool_type": "max",
              "pooling_convention": "valid"}


def _channel_rows(x, axis):
    """``x`` as ``(outer * C, inner)`` rows (row ``r`` belongs to channel ``r % C``) and ``(outer, C)``."""
    axis = axis % x.ndim
    outer, channels = int(np.prod(x.shape[:axis])), x.shape[axis]
    return np.ascontiguousarray(x).reshape(outer * channels, -1), (outer, channels)


def _per_row(values, outer, dtype):
    """A per-channel vector repeated for every row, as a column to broadcast along the rows."""
    return np.tile(np.asarray(values).astype(dtype), outer)[:, None]


def _per_channel(row_values, outer, channels):
    """Sum per-row values over the outer axis into one float64 value per channel."""
    return row_values.reshape(outer, channels).sum(axis=0)


def _row_dot(a, b):
    """Per-row dot products of two ``(rows, n)`` arrays (one BLAS dot per row)."""
    return np.matmul(a[:, None, :], b[:, :, None]).reshape(len(a))


def _each_chunk(rows, fn, chunk_elements=CHUNK_ELEMENTS):
    """Call ``fn(r0, r1)`` on runs of rows of about ``chunk_elements``, on every core for large arrays."""
    each_chunk(len(rows), rows[0].size if len(rows) else 0, fn, chunk_elements, PARALLEL_MIN_ELEMENTS)


def _compiled(kernel, data):
    """``kernel``'s compiled function for passes over ``data``, or None: numba unavailable, or data too small."""
    return kernel.compiled() if data.size >= COMPILED_MIN_ELEMENTS else None


def _vector(column):
    """A per-row column (:func:`_per_row`) as the contiguous vector the compiled kernels take."""
    return np.ascontiguousarray(column[:, 0])


#: ``CROSS_PROCESS["sum"](vector) -> vector summed over every process``, set by ``ssdkit.distributed`` while a
#: job of several processes runs; SyncBatchNorm (params with a ``key``) then reduces its statistics with it.
CROSS_PROCESS = {"sum": None}


def _synced(p, *vectors):
    """``vectors`` summed over the processes for a synchronized BatchNorm, else unchanged."""
    total = CROSS_PROCESS["sum"]
    if total is None or "key" not in p:
        return vectors
    sizes = [np.size(v) for v in vectors]
    flat = np.asarray(total(np.concatenate([np.ravel(v).astype(np.float64) for v in vectors])))
    return tuple(part.reshape(np.shape(v)) for part, v in zip(np.split(flat, np.cumsum(sizes)[:-1]), vectors))


def _moments(rows, outer, channels, p=None):
    """Per-channel mean and biased variance in one pass; an exact redo where it would cancel."""
    sums, squares = np.empty(len(rows)), np.empty(len(rows))

    def reduce(r0, r1):
        part = rows[r0:r1]
        sums[r0:r1] = part.sum(axis=1)
        squares[r0:r1] = _row_dot(part, part)

    _each_chunk(rows, reduce)
    channel_sums, channel_squares, count = _synced(p or {}, _per_channel(sums, outer, channels),
                                                   _per_channel(squares, outer, channels),
                                                   np.float64(outer * rows.shape[1]))
    mean = channel_sums / count
    var = np.maximum(channel_squares / count - mean * mean, 0.0)
    if np.any(var < 1e-3 * mean * mean):  # E[x^2] - mean^2 loses digits when |mean| >> std
        mean_rows = _per_row(mean, outer, rows.dtype)

        def centred(r0, r1):
            part = rows[r0:r1] - mean_rows[r0:r1]
            squares[r0:r1] = _row_dot(part, part)

        _each_chunk(rows, centred)
        var = _synced(p or {}, _per_channel(squares, outer, channels))[0] / count
    return mean, var


def batchnorm_forward(p, inputs, is_train, relu=False, then=None, keep_output=True):
    """BatchNorm forward (then ReLU in place when ``relu``); returns ``(outputs, saved)``.

    ``then(y_rows, r0, r1)``, when given, runs on each run of output rows ``r0:r1`` just written, while in
    cache. Without ``keep_output`` those runs are written to a per-thread scratch buffer and never stored:
    ``then`` is their only reader and the outputs list is empty.
    """
    x = inputs[0]
    stats = _statistics(p, inputs, is_train)
    rows, outer, scale, shift = stats.rows, stats.outer, stats.scale, stats.shift
    scale_rows, shift_rows = _per_row(scale, outer, x.dtype), _per_row(shift, outer, x.dtype)
    y = empty(rows.shape, rows.dtype) if keep_output else None

    def normalise(r0, r1):
        out = y[r0:r1] if keep_output else scratch("bn_rows", (r1 - r0, rows.shape[1]), rows.dtype)
        np.multiply(rows[r0:r1], scale_rows[r0:r1], out=out)
        out += shift_rows[r0:r1]
        if relu:
            np.maximum(out, 0, out=out)
        if then is not None:
            then(out, r0, r1)

    _each_chunk(rows, normalise)
    outs = [y.reshape(x.shape)] if keep_output else []
    return outs + _extra_outputs(p, stats), _saved(stats, y if relu else None)


class _Stats:
    """What a BatchNorm forward computes before touching the data a second time (see :func:`_statistics`)."""
    __slots__ = ("rows", "outer", "channels", "mean", "var", "inv_std", "gamma_eff", "scale", "shift", "shape",
                 "update")


def _statistics(p, inputs, is_train):
    """The rows of ``x``, its (batch or moving) statistics and the per-channel ``scale`` and ``shift`` of
    ``y = x * scale + shift``; writes a fixed gamma back to 1 as MXNet does."""
    x, gamma, beta, moving_mean, moving_var = inputs
    st = _Stats()
    st.rows, (st.outer, st.channels) = _channel_rows(x, p.axis)
    st.gamma_eff = np.ones_like(gamma) if p.fix_gamma else gamma
    if p.fix_gamma and gamma.flags.writeable:  # MXNet writes the fixed gamma back: a decayed gamma returns to 1
        gamma[...] = 1
    batch_stats = is_train and not p.use_global_stats
    if batch_stats:
        st.mean, st.var = _moments(st.rows, st.outer, st.channels, p)
    else:
        st.mean, st.var = moving_mean.astype(np.float64), moving_var.astype(np.float64)
    st.inv_std = 1.0 / np.sqrt(st.var + p.eps)
    st.scale = (st.gamma_eff * st.inv_std).astype(x.dtype)
    st.shift = (beta - st.mean * st.scale).astype(x.dtype)
    st.shape = x.shape
    st.update = (moving_mean, moving_var, st.mean, st.var) if batch_stats else None
    return st


def _extra_outputs(p, st):
    """``output_mean_var``'s two outputs (the mean and, as MXNet names it, var = 1 / std), else none."""
    dtype = st.rows.dtype
    return [st.mean.astype(dtype), st.inv_std.astype(dtype)] if p.output_mean_var else []


def _saved(st, relu_out):
    """What the backward needs, as a tuple (sync_batchnorm reads ``inv_std`` at index 3)."""
    return (st.rows, (st.outer, st.channels), st.mean, st.inv_std, st.gamma_eff, st.shape, st.update, relu_out,
            (st.scale, st.shift))


def batchnorm_backward(p, saved, out_grads):
    """BatchNorm backward (masked by the fused ReLU's output when there was one); moves running stats."""
    relu_out = saved[7]
    g, _ = _channel_rows(out_grads[0], p.axis)
    moments = _compiled(compiled.grad_moments, g)
    if moments is not None:
        if relu_out is not None:
            return _masked_backward_compiled(p, saved, g, moments, compiled.masked_grad_input.compiled())
        planes, grads = _planes(saved, saved[0]), _planes(saved, g)
        return _backward_rows(p, saved, lambda r0, r1, first: g[r0:r1], empty(g.shape, g.dtype),
                              lambda sums, dots: _compiled_moments(moments, compiled.PLAIN, planes, grads, sums, dots))
    if relu_out is None:
        return _backward_rows(p, saved, lambda r0, r1, first: g[r0:r1], empty(g.shape, g.dtype))
    dx = empty(g.shape, g.dtype)  # g' = g masked by the ReLU is written here first, then replaced by dx

    def relu_grad(r0, r1, first):
        if first:
            positive = scratch("bn_relu_positive", (r1 - r0, g.shape[1]), np.dtype(bool))
            np.greater(relu_out[r0:r1], 0, out=positive)
            np.multiply(g[r0:r1], positive, out=dx[r0:r1])
        return dx[r0:r1]

    return _backward_rows(p, saved, relu_grad, dx)


def _backward_rows(p, saved, grad_rows, dx, moments=None):
    """BatchNorm backward from the output gradient, as ``(outer * C, inner)`` rows, into ``dx`` (rows).

    ``grad_rows(r0, r1, first)`` returns rows ``r0:r1`` of the output gradient ``g'``; it is called once
    per run in each of the two passes (``first`` tells which), so it may compute them while they are in
    cache, write them into ``dx`` itself (dx then replaces them) or return a slice of a stored array.
    ``moments(sums, dots)``, when given, computes the per-row reductions instead (compiled; ``first`` calls
    are then not made).
    """
    rows = saved[0]
    sums, dots = np.empty(len(rows)), np.empty(len(rows))

    def reduce(r0, r1):
        grad = grad_rows(r0, r1, True)
        sums[r0:r1] = grad.sum(axis=1)
        dots[r0:r1] = _row_dot(grad, rows[r0:r1])

    if moments is not None:
        moments(sums, dots)
    else:
        _each_chunk(rows, reduce)
    dgamma, dbeta, a_rows, b_rows, c_rows = _input_grad_terms(p, saved, sums, dots, dx.dtype)

    def input_grad(r0, r1):
        out = dx[r0:r1]
        np.multiply(grad_rows(r0, r1, False), a_rows[r0:r1], out=out)
        if b_rows is not None:
            term = scratch("bn_term", out.shape, out.dtype)
            np.multiply(rows[r0:r1], b_rows[r0:r1], out=term)
            out += term
            out += c_rows[r0:r1]

    _each_chunk(rows, input_grad)
    return _finish_backward(p, saved, dx, dgamma, dbeta)


def _planes(saved, rows):
    """``rows`` as ``(rows, H, W)`` planes for NCHW data with the channel axis 1, else ``(rows, 1, inner)``: the
    compiled reductions add line by line, so a fused and an unfused chain must see the same lines."""
    shape = saved[5]
    lines = shape[2:] if len(shape) == 4 and rows.shape[1] == shape[2] * shape[3] else (1, rows.shape[1])
    return rows.reshape((len(rows),) + tuple(lines))


def _compiled_moments(moments, mode, planes, grads, sums, dots, scale=None, shift=None, pooled=None, index=None,
                      window=(1, 1)):
    """Run the compiled :func:`~.kernels.norm_pool_jit.grad_moments` over every run of planes, on all cores."""
    none = np.zeros(1, planes.dtype)
    scale = none if scale is None else scale
    shift = none if shift is None else shift
    pooled = none.reshape(1, 1, 1) if pooled is None else pooled
    index = np.zeros((1, 1, 1), np.uint8) if index is None else index

    def run(r0, r1):
        moments(planes[r0:r1], grads[r0:r1], scale[r0:r1] if mode == compiled.RELU_MASKED else scale,
                shift[r0:r1] if mode == compiled.RELU_MASKED else shift,
                pooled[r0:r1] if mode == compiled.POOL_ROUTED else pooled,
                index[r0:r1] if mode == compiled.POOL_ROUTED else index, *window, mode, sums[r0:r1], dots[r0:r1])

    _each_chunk(planes.reshape(len(planes), -1), run, COMPILED_CHUNK_ELEMENTS)


def _masked_backward_compiled(p, saved, g, moments, input_grad):
    """The fused ReLU's backward in two compiled passes over ``g`` and ``x`` (the mask recomputed from ``x``)."""
    rows, (outer, _), scale, shift = saved[0], saved[1], *saved[8]
    scale_r, shift_r = _vector(_per_row(scale, outer, rows.dtype)), _vector(_per_row(shift, outer, rows.dtype))
    sums, dots = np.empty(len(rows)), np.empty(len(rows))
    _compiled_moments(moments, compiled.RELU_MASKED, _planes(saved, rows), _planes(saved, g), sums, dots,
                      scale_r, shift_r)
    dgamma, dbeta, a, b, c = _input_grad_terms(p, saved, sums, dots, g.dtype)
    a, b, c, with_stats = _compiled_terms(a, b, c)
    dx = empty(g.shape, g.dtype)
    _each_chunk(rows, lambda r0, r1: input_grad(rows[r0:r1], g[r0:r1], scale_r[r0:r1], shift_r[r0:r1], a[r0:r1],
                                                b[r0:r1], c[r0:r1], with_stats, dx[r0:r1]), COMPILED_CHUNK_ELEMENTS)
    return _finish_backward(p, saved, dx, dgamma, dbeta)


def _compiled_terms(a_rows, b_rows, c_rows):
    """``a``, ``b``, ``c`` as vectors for a compiled kernel, and whether ``b`` and ``c`` apply."""
    a = _vector(a_rows)
    if b_rows is None:
        return a, a, a, False
    return a, _vector(b_rows), _vector(c_rows), True


def _input_grad_terms(p, saved, sums, dots, dtype):
    """From the per-row ``sum(g')`` and ``sum(g' * x)``: this process's dgamma and dbeta, and the per-row
    columns ``a``, ``b``, ``c`` of ``dx = a*g' + b*x + c`` (``b``, ``c`` None with ``use_global_stats``)."""
    rows, (outer, channels), mean, inv_std, gamma_eff = saved[:5]
    dbeta = _per_channel(sums, outer, channels)
    dgamma = inv_std * (_per_channel(dots, outer, channels) - mean * dbeta)  # = sum(g' * x_hat)
    # SyncBatchNorm: dgamma/dbeta stay this process's sums (MXNet's), dx uses the sums over all processes
    dbeta_all, dgamma_all, count = _synced(p, dbeta, dgamma, np.float64(outer * rows.shape[1]))
    a = gamma_eff * inv_std
    a_rows = _per_row(a, outer, dtype)
    if p.use_global_stats:
        return dgamma, dbeta, a_rows, None, None
    # the batch-statistics formula, which MXNet applies in predict mode too (with the moving statistics):
    # dx = a * (g' - dbeta/n - x_hat * dgamma/n) = a*g' + b*x + c
    b = (-a * inv_std * dgamma_all / count).astype(dtype)
    c = (-a * dbeta_all / count - b * mean).astype(dtype)
    return dgamma, dbeta, a_rows, _per_row(b, outer, dtype), _per_row(c, outer, dtype)


def _finish_backward(p, saved, dx, dgamma, dbeta):
    """Move the running statistics (MXNet does it in backward) and return the five input gradients."""
    gamma_eff, shape, update = saved[4], saved[5], saved[6]
    if update is not None:
        moving_mean, moving_var, batch_mean, batch_var = update
        moving_mean[...] = moving_mean * p.momentum + (1 - p.momentum) * batch_mean
        moving_var[...] = moving_var * p.momentum + (1 - p.momentum) * batch_var
    dtype = gamma_eff.dtype
    dgamma = np.zeros_like(gamma_eff) if p.fix_gamma else dgamma.astype(dtype)
    zeros = np.zeros_like(gamma_eff)
    return [dx.reshape(shape), dgamma, dbeta.astype(dtype), zeros, zeros]


@register
class BatchNorm(Op):
    inputs = ("data", "gamma", "beta", "moving_mean", "moving_var")
    aux = ("moving_mean", "moving_var")
    hidden_outputs = 2
    input_var_attrs = {"moving_mean": {"__init__": '["zero", {}]'}, "moving_var": {"__init__": '["one", {}]'}}
    params = {"eps": Param("float", 1e-3), "momentum": Param("float", 0.9), "fix_gamma": Param("bool", True),
              "use_global_stats": Param("bool", False), "output_mean_var": Param("bool", False),
              "axis": Param("int", 1), "cudnn_off": Param("bool", False),
              "min_calib_range": Param("any", None), "max_calib_range": Param("any", None)}

    def output_count(self, p):
        return 3 if p.output_mean_var else 1

    def hidden_count(self, p):
        return self.hidden_outputs + 1 - self.output_count(p)   # shown statistics are no longer hidden

    def output_names(self, p):
        return ["output", "mean", "var"][:self.output_count(p)]

    def hidden_values(self, p, saved, is_train):
        # MXNet's hidden outputs in training: the batch mean and, under the name var, 1 / sqrt(var + eps)
        if p.output_mean_var or not is_train or p.use_global_stats:
            return []
        dtype = saved[0].dtype
        return [("mean", saved[2].astype(dtype)), ("var", saved[3].astype(dtype))]

    def infer_shape(self, p, shapes):
        data = shapes[0]
        if data is None:
            return shapes, [None] * self.output_count(p)
        if not -len(data) <= p.axis < len(data):
            raise ShapeError(f"BatchNorm: axis {p.axis} is out of range for data of shape {data}")
        channels = (data[p.axis % len(data)],)
        for name, got in zip(self.inputs[1:], shapes[1:]):
            if got is not None:
                check_shape(self.name, name, channels, got, f" (data shape {data}, axis {p.axis})")
        return [data] + [channels] * 4, [data] + [channels] * (self.output_count(p) - 1)

    def forward(self, p, inputs, is_train):
        return batchnorm_forward(p, inputs, is_train)

    def backward(self, p, saved, out_grads):
        return batchnorm_backward(p, saved, out_grads)


@register
class _fused_bn_relu(BatchNorm):
    """BatchNorm then ReLU in one step: the ReLU runs in place and masks the gradient inside BatchNorm's
    backward. The executor substitutes it for the pair (it is never written to JSON)."""
    hidden_outputs = 0

    def output_count(self, p):
        return 1

    def forward(self, p, inputs, is_train):
        return batchnorm_forward(p, inputs, is_train, relu=True)


@register
class _fused_bn_relu_pool(_fused_bn_relu):
    """BatchNorm, ReLU and a 2x2 stride-2 max pooling (:data:`FUSED_POOL`) of NCHW data in one step.

    Each cache-sized run of planes is normalised, rectified and pooled before the next; the ReLU output
    never reaches memory: the run is pooled from a per-thread buffer, and only the pooled values and the
    winning tap of each window (one byte, Pooling's first-maximum rule) are kept. Backward rebuilds each
    run's gradient in cache from those -- the pooled gradient, masked where the window maximum is not
    positive (the ReLU), routed to the winning tap -- once for BatchNorm's reductions and once for dx, so
    of the full-size arrays it reads only the BatchNorm input and writes only dx. The executor substitutes
    it for the chain (it is never written to JSON).

    Examples
    --------
    >>> from ssdkit.ops import get_op
    >>> op = get_op("_fused_bn_relu_pool"); p = op.parse_params({"fix_gamma": False})
    >>> x = np.array([[[[1, 2, 3, 4], [5, 6, 7, 8]]]], np.float32)
    >>> (y,), saved = op.forward(p, [x, np.ones(1, np.float32), np.zeros(1, np.float32),
    ...                              np.zeros(1, np.float32), np.ones(1, np.float32)], True)
    >>> y.round(2)
    array([[[[0.65, 1.53]]]], dtype=float32)
    >>> op.backward(p, saved, [np.ones_like(y)])[2]     # dbeta: the two maxima took the gradient
    array([2.], dtype=float32)
    """

    def infer_shape(self, p, shapes):
        in_shapes, (data,) = super().infer_shape(p, shapes)
        if data is None:
            return in_shapes, [None]
        return in_shapes, [pool2d_out_shape(data, FUSED_POOL["kernel"], FUSED_POOL["stride"], FUSED_POOL["pad"])]

    def forward(self, p, inputs, is_train):
        x = inputs[0]
        check_ndim(self.name, "data", x.shape, 4)
        if p.axis % 4 != 1:
            raise ShapeError(f"{self.name}: BatchNorm axis must be 1 (the channels of NCHW data), got {p.axis}")
        pool = pool2d_geometry(x.shape, x.dtype, **FUSED_POOL)
        n, c, h, w = x.shape
        pooled = empty((n * c,) + pool.out_hw, x.dtype)
        index = empty(pooled.shape, np.uint8)
        fast = _compiled(compiled.scale_shift_relu_max_pool, x)
        if fast is not None:       # one compiled pass after the statistics: read x, write pooled and index
            st = _statistics(p, inputs, is_train)
            planes, (kh, kw) = st.rows.reshape(-1, h, w), pool.kernel
            scale, shift = (_vector(_per_row(v, st.outer, x.dtype)) for v in (st.scale, st.shift))
            _each_chunk(st.rows, lambda r0, r1: fast(planes[r0:r1], scale[r0:r1], shift[r0:r1], pooled[r0:r1],
                                                     index[r0:r1], kh, kw), COMPILED_CHUNK_ELEMENTS)
            pool.y = pooled.reshape((n, c) + pool.out_hw)
            return [pool.y], (_saved(st, None), pool, index)

        def pool_rows(y_rows, r0, r1):  # a row is a plane: BatchNorm's axis is 1 of NCHW
            max_pool_index_planes(pool, y_rows.reshape(-1, h, w), pooled[r0:r1], index[r0:r1])

        # the ReLU output lives only in cache: backward needs the winning taps, not the values
        _, bn_saved = batchnorm_forward(p, inputs, is_train, relu=True, then=pool_rows, keep_output=False)
        pool.y = pooled.reshape((n, c) + pool.out_hw)
        return [pool.y], (bn_saved, pool, index)

    def backward(self, p, saved, out_grads):
        bn_saved, pool, index = saved
        rows, (h, w) = bn_saved[0], pool.shape[2:]
        dy = np.ascontiguousarray(out_grads[0]).reshape(index.shape)
        pooled = pool.y.reshape(index.shape)
        moments = _compiled(compiled.grad_moments, rows)
        if moments is not None:
            return self._backward_compiled(p, bn_saved, pool, index, dy, pooled, moments)

        def unpool_and_mask(r0, r1, first):
            # g' = ReLU mask * (pooled gradient routed to the winning tap); the winner's value is the window
            # maximum, so the mask is (maximum > 0), applied once per window before routing
            positive = scratch("bn_pool_positive", dy[r0:r1].shape, bool)
            routed = scratch("bn_pool_routed", dy[r0:r1].shape, dy.dtype)
            np.greater(pooled[r0:r1], 0, out=positive)
            np.multiply(dy[r0:r1], positive, out=routed)
            grad = scratch("bn_pool_grad", (r1 - r0, h * w), dy.dtype)
            route_by_index_planes(pool, routed, index[r0:r1], grad.reshape(-1, h, w))
            return grad

        return _backward_rows(p, bn_saved, unpool_and_mask, empty(rows.shape, dy.dtype))

    @staticmethod
    def _backward_compiled(p, bn_saved, pool, index, dy, pooled, moments):
        """Two compiled passes over x: the reductions, then dx; the routed, masked gradient is never stored."""
        rows, (h, w), (kh, kw) = bn_saved[0], pool.shape[2:], pool.kernel
        planes = rows.reshape(-1, h, w)
        sums, dots = np.empty(len(rows)), np.empty(len(rows))
        _compiled_moments(moments, compiled.POOL_ROUTED, planes, dy, sums, dots, pooled=pooled, index=index,
                          window=(kh, kw))
        dgamma, dbeta, a, b, c = _input_grad_terms(p, bn_saved, sums, dots, dy.dtype)
        a, b, c, with_stats = _compiled_terms(a, b, c)
        dx = empty(planes.shape, dy.dtype)
        input_grad = compiled.routed_grad_input.compiled()
        _each_chunk(rows, lambda r0, r1: input_grad(planes[r0:r1], dy[r0:r1], pooled[r0:r1], index[r0:r1], kh, kw,
                                                    a[r0:r1], b[r0:r1], c[r0:r1], with_stats, dx[r0:r1]),
                    COMPILED_CHUNK_ELEMENTS)
        return _finish_backward(p, bn_saved, dx, dgamma, dbeta)
