"""Output-shape rules of Convolution, Deconvolution and Pooling, exactly as MXNet 1.9.1 infers them.

Shape inference (the registry's ``infer_shape``) and the kernels share these functions, so a shape the
kernels accept is always the shape inference predicted. Every failure raises :class:`ShapeError` naming
the operator, the operand, what was expected and what came.

Examples
--------
>>> conv2d_out_shape((2, 3, 9, 9), 4, kernel=(3, 3), pad=(1, 1))
(2, 4, 9, 9)
>>> pool2d_out_shape((2, 3, 9, 9), kernel=(3, 3), stride=(2, 2), pooling_convention="full")
(2, 3, 4, 4)
"""
from ...base import MXNetError, ShapeError, as_tuple, check_ndim

__all__ = ["conv2d_out_shape", "conv2d_weight_shape", "conv2d_transpose_out_shape",
           "conv2d_transpose_weight_shape", "deconv2d_infer_pad", "pool2d_out_shape",
           "dilated_kernel", "POOL_TYPES", "POOLING_CONVENTIONS", "conv_out_shape", "conv_transpose_out_shape",
           "pool_out_shape"]

#: Pooling types the kernels implement (MXNet's 'lp' is not among them).
POOL_TYPES = ("max", "avg", "sum")
#: MXNet's 2-D pooling conventions: 'valid' floors the output size, 'full' takes the ceiling.
POOLING_CONVENTIONS = ("valid", "full")


def dilated_kernel(kernel, dilate):
    """Extent of a dilated kernel, ``1 + (k - 1) * d`` per spatial axis.

    Parameters
    ----------
    kernel, dilate : tuple of 2 int

    Returns
    -------
    tuple of 2 int

    Examples
    --------
    >>> dilated_kernel((3, 3), (2, 1))
    (5, 3)
    """
    return tuple(1 + (k - 1) * d for k, d in zip(kernel, dilate))


def _positive(op, name, values, n=2):
    values = as_tuple(values, n, f"{op}: {name}")
    if min(values) <= 0:
        raise MXNetError(f"{op}: {name} must be positive, got {values}")
    return values


def _non_negative(op, name, values, n=2):
    values = as_tuple(values, n, f"{op}: {name}")
    if min(values) < 0:
        raise MXNetError(f"{op}: {name} must be non-negative, got {values}")
    return values


def _check_groups(op, what, channels, groups):
    if groups <= 0 or channels % groups:
        raise ShapeError(f"{op}: {what} ({channels}) must be divisible by num_group ({groups})")


def _weight_shape(op, in_channels, num_filter, kernel, groups, transposed):
    kernel = _positive(op, "kernel", kernel, 2 if isinstance(kernel, int) else len(kernel))
    _check_groups(op, "data channels", in_channels, groups)
    _check_groups(op, "num_filter", num_filter, groups)
    if transposed:
        return (in_channels, num_filter // groups) + kernel
    return (num_filter, in_channels // groups) + kernel


def conv2d_out_shape(data_shape, num_filter, kernel, stride=(1, 1), pad=(0, 0), dilate=(1, 1),
                     groups=1):
    """Output shape of a 2-D convolution in NCHW layout: ``(H + 2p - dilated_k) // s + 1`` per axis.

    Parameters
    ----------
    data_shape : tuple of 4 int
        ``(N, C, H, W)``.
    num_filter : int
        Output channels ``F``.
    kernel, stride, pad, dilate : int or tuple of 2 int
    groups : int
        ``num_group``; must divide both ``C`` and ``F``.

    Returns
    -------
    tuple of 4 int
        ``(N, F, OH, OW)``.

    Examples
    --------
    >>> conv2d_out_shape((1, 4, 8, 6), 6, kernel=3, stride=2, pad=1, groups=2)
    (1, 6, 4, 3)
    """
    check_ndim("Convolution", "data", tuple(data_shape), 4)
    return conv_out_shape(data_shape, num_filter, kernel, stride, pad, dilate, groups)


def conv_out_shape(data_shape, num_filter, kernel, stride=1, pad=0, dilate=1, groups=1):
    """Output shape of a convolution with any number of spatial axes (NCW, NCHW, NCDHW).

    Examples
    --------
    >>> conv_out_shape((1, 2, 5, 6, 7), 3, kernel=(3, 3, 3), pad=1, stride=(1, 2, 2))
    (1, 3, 5, 3, 4)
    """
    op, n = "Convolution", len(data_shape) - 2
    kernel, stride = _positive(op, "kernel", kernel, n), _positive(op, "stride", stride, n)
    dilate, pad = _positive(op, "dilate", dilate, n), _non_negative(op, "pad", pad, n)
    _check_groups(op, "data channels", data_shape[1], groups)
    _check_groups(op, "num_filter", num_filter, groups)
    out = []
    for axis, size, k, s, p in zip("DHW"[-n:] if n <= 3 else range(n), data_shape[2:],
                                   dilated_kernel(kernel, dilate), stride, pad):
        if k > size + 2 * p:
            raise ShapeError(f"{op}: dilated kernel {k} exceeds padded data {axis} {size} + 2*{p} "
                             f"(data shape {tuple(data_shape)})")
        out.append((size + 2 * p - k) // s + 1)
    return (data_shape[0], num_filter) + tuple(out)


def conv2d_weight_shape(in_channels, num_filter, kernel, groups=1):
    """Weight shape of Convolution: ``(F, C // groups, KH, KW)``.

    Parameters
    ----------
    in_channels, num_filter : int
    kernel : int or tuple of 2 int
    groups : int

    Returns
    -------
    tuple of 4 int

    Examples
    --------
    >>> conv2d_weight_shape(6, 4, (3, 1), groups=2)
    (4, 3, 3, 1)
    """
    return _weight_shape("Convolution", in_channels, num_filter, kernel, groups, transposed=False)


def deconv2d_infer_pad(data_shape, kernel, stride=(1, 1), pad=(0, 0), adj=(0, 0), dilate=(1, 1),
                       target_shape=None):
    """Effective ``(pad, adj)`` of Deconvolution; a non-zero ``target_shape`` overrides both as in MXNet.

    Parameters
    ----------
    data_shape : tuple of 4 int
        ``(N, C, H, W)``.
    kernel, stride, pad, adj, dilate : tuple of 2 int
    target_shape : tuple of 2 int or None
        Wanted ``(OH, OW)``; ignored when absent or all zero.

    Returns
    -------
    (tuple of 2 int, tuple of 2 int)

    Examples
    --------
    >>> deconv2d_infer_pad((1, 1, 4, 4), (4, 4), (2, 2), target_shape=(8, 8))
    ((1, 1), (0, 0))
    """
    op, n = "Deconvolution", len(data_shape) - 2
    kernel, stride = _positive(op, "kernel", kernel, n), _positive(op, "stride", stride, n)
    dilate = _positive(op, "dilate", dilate, n)
    pad, adj = _non_negative(op, "pad", pad, n), _non_negative(op, "adj", adj, n)
    if target_shape is None or not any(target_shape):
        return pad, adj
    target_shape = as_tuple(target_shape, n, f"{op}: target_shape")
    pads, adjs = [], []
    for size, k, s, t in zip(data_shape[2:], dilated_kernel(kernel, dilate), stride, target_shape):
        full = s * (size - 1) + k
        if full < t:
            raise ShapeError(f"{op}: target_shape {target_shape} too big for data shape "
                             f"{tuple(data_shape)} (at most {full} per axis)")
        pads.append((full - t + 1) // 2)
        adjs.append((full - t) % 2)
    return tuple(pads), tuple(adjs)


def conv2d_transpose_out_shape(data_shape, num_filter, kernel, stride=(1, 1), pad=(0, 0),
                               adj=(0, 0), dilate=(1, 1), groups=1, target_shape=None):
    """Output shape of Deconvolution: ``s * (H - 1) + dilated_k - 2p + adj`` per axis.

    Parameters
    ----------
    data_shape : tuple of 4 int
        ``(N, C, H, W)``.
    num_filter : int
        Output channels ``F``.
    kernel, stride, pad, adj, dilate : int or tuple of 2 int
        ``adj`` must be smaller than ``stride``.
    groups : int
    target_shape : tuple of 2 int or None
        See :func:`deconv2d_infer_pad`.

    Returns
    -------
    tuple of 4 int
        ``(N, F, OH, OW)``.

    Examples
    --------
    >>> conv2d_transpose_out_shape((1, 2, 4, 4), 3, kernel=3, stride=2, pad=1, adj=1)
    (1, 3, 8, 8)
    """
    check_ndim("Deconvolution", "data", tuple(data_shape), 4)
    return conv_transpose_out_shape(data_shape, num_filter, kernel, stride, pad, adj, dilate, groups, target_shape)


def conv_transpose_out_shape(data_shape, num_filter, kernel, stride=1, pad=0, adj=0, dilate=1, groups=1,
                             target_shape=None):
    """Output shape of Deconvolution with any number of spatial axes (NCW, NCHW, NCDHW).

    Examples
    --------
    >>> conv_transpose_out_shape((1, 2, 3, 4, 4), 5, kernel=(2, 2, 2), stride=2)
    (1, 5, 6, 8, 8)
    """
    op, n = "Deconvolution", len(data_shape) - 2
    kernel, stride = _positive(op, "kernel", kernel, n), _positive(op, "stride", stride, n)
    dilate = _positive(op, "dilate", dilate, n)
    pad, adj = deconv2d_infer_pad(data_shape, kernel, stride, pad, adj, dilate, target_shape)
    _check_groups(op, "data channels", data_shape[1], groups)
    _check_groups(op, "num_filter", num_filter, groups)
    if any(a >= s for a, s in zip(adj, stride)):
        raise MXNetError(f"{op}: adj {adj} must be smaller than stride {stride}")
    out = [s * (size - 1) + k - 2 * p + a
           for size, k, s, p, a in zip(data_shape[2:], dilated_kernel(kernel, dilate), stride, pad, adj)]
    if min(out) <= 0:
        raise ShapeError(f"{op}: pad {pad} too large, output spatial shape {tuple(out)} "
                         f"(data shape {tuple(data_shape)})")
    return (data_shape[0], num_filter) + tuple(out)


def conv2d_transpose_weight_shape(in_channels, num_filter, kernel, groups=1):
    """Weight shape of Deconvolution: ``(C, F // groups, KH, KW)``.

    Parameters
    ----------
    in_channels, num_filter : int
    kernel : int or tuple of 2 int
    groups : int

    Returns
    -------
    tuple of 4 int

    Examples
    --------
    >>> conv2d_transpose_weight_shape(4, 6, 2, groups=2)
    (4, 3, 2, 2)
    """
    return _weight_shape("Deconvolution", in_channels, num_filter, kernel, groups, transposed=True)


def pool2d_out_shape(data_shape, kernel=(1, 1), stride=(1, 1), pad=(0, 0), pooling_convention="valid",
                     global_pool=False):
    """Output shape of 2-D Pooling in NCHW; 'full' rounds ``(H + 2p - k) / s`` up, 'valid' down.

    Parameters
    ----------
    data_shape : tuple of 4 int
        ``(N, C, H, W)``.
    kernel, stride, pad : int or tuple of 2 int
        Ignored when ``global_pool``.
    pooling_convention : {'valid', 'full'}
    global_pool : bool
        Pool over the whole feature map: output ``(N, C, 1, 1)``.

    Returns
    -------
    tuple of 4 int

    Examples
    --------
    >>> pool2d_out_shape((1, 1, 5, 5), kernel=2, stride=2)
    (1, 1, 2, 2)
    >>> pool2d_out_shape((1, 1, 5, 5), kernel=2, stride=2, pooling_convention="full")
    (1, 1, 3, 3)
    """
    check_ndim("Pooling", "data", tuple(data_shape), 4)
    if pooling_convention not in POOLING_CONVENTIONS:   # 'same' is 1-D only (pool_out_shape)
        raise MXNetError(f"Pooling: pooling_convention must be one of {POOLING_CONVENTIONS}, "
                         f"got {pooling_convention!r}")
    return pool_out_shape(data_shape, kernel, stride, pad, pooling_convention, global_pool)


def pool_out_shape(data_shape, kernel=1, stride=1, pad=0, pooling_convention="valid", global_pool=False):
    """Output shape of Pooling with any number of spatial axes (NCW, NCHW, NCDHW).

    Examples
    --------
    >>> pool_out_shape((1, 1, 5, 5, 5), kernel=2, stride=2, pooling_convention="full")
    (1, 1, 3, 3, 3)
    """
    op, n = "Pooling", len(data_shape) - 2
    if global_pool:
        return tuple(data_shape[:2]) + (1,) * n
    if pooling_convention == "same":   # windows from the first element every stride, clipped at the end
        stride = _positive(op, "stride", stride, n)
        return tuple(data_shape[:2]) + tuple(-(-size // s) for size, s in zip(data_shape[2:], stride))
    if pooling_convention not in POOLING_CONVENTIONS:
        raise MXNetError(f"{op}: pooling_convention must be one of {POOLING_CONVENTIONS}, "
                         f"got {pooling_convention!r}")
    kernel, stride = _positive(op, "kernel", kernel, n), _positive(op, "stride", stride, n)
    pad = _non_negative(op, "pad", pad, n)
    out = []
    for axis, size, k, s, p in zip("DHW"[-n:] if n <= 3 else range(n), data_shape[2:], kernel, stride, pad):
        if k > size + 2 * p:
            raise ShapeError(f"{op}: kernel {k} exceeds data {axis} {size} padded to {size + 2 * p} "
                             f"(data shape {tuple(data_shape)})")
        span = size + 2 * p - k
        # -(-a // b) is the exact integer ceiling MXNet computes through float ceil()
        out.append(1 + (span // s if pooling_convention == "valid" else -(-span // s)))
    return tuple(data_shape[:2]) + tuple(out)
