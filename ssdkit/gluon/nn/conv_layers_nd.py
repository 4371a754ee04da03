"""1-D and 3-D convolution and pooling layers (``Conv1D``, ``Conv3D``, their transposes, ``MaxPool1D`` ...
``GlobalAvgPool3D``) and ``ReflectionPad2D``, as MXNet 1.9.1's gluon.nn has them.

They share the machinery of the 2-D layers (:mod:`.conv_layers`): same parameter names, shapes and reprs;
data is NCW (1-D) or NCDHW (3-D).

Examples
--------
>>> import ssdkit as mx
>>> conv = Conv1D(4, 3, in_channels=2, prefix="c1_"); conv
Conv1D(2 -> 4, kernel_size=(3,), stride=(1,))
>>> conv.initialize(); conv(mx.nd.ones((1, 2, 5))).shape
(1, 4, 3)
"""
from ...base import MXNetError, numeric_types
from ..hybrid_block import HybridBlock
from .conv_layers import _Conv, _Pooling, _ntuple

__all__ = ["Conv1D", "Conv3D", "Conv1DTranspose", "Conv3DTranspose", "MaxPool1D", "MaxPool3D", "AvgPool1D",
           "AvgPool3D", "GlobalMaxPool1D", "GlobalMaxPool3D", "GlobalAvgPool1D", "GlobalAvgPool3D",
           "ReflectionPad2D"]

_CONV_LAYOUTS = {1: ("NCW",), 3: ("NCDHW", "NDHWC")}
_POOL_LAYOUTS = {1: ("NCW", "NWC"), 3: ("NCDHW", "NDHWC")}


def _check(layouts, layout, what):
    if layout not in layouts:
        raise MXNetError(f"Only {' and '.join(layouts)} layouts are valid for {what}, got {layout!r}")


class _ConvND(_Conv):
    """A convolution layer with ``dims`` spatial axes (kernel_size a number or ``dims`` ints)."""
    dims = None

    def __init__(self, channels, kernel_size, strides, padding, dilation, groups, layout, activation, use_bias,
                 weight_initializer, bias_initializer, in_channels, output_padding=None, **kwargs):
        _check(_CONV_LAYOUTS[self.dims], layout, f"{self.dims}D convolution")
        kernel_size = _ntuple(kernel_size, self.dims, "kernel_size")
        transposed = output_padding is not None
        op_name = kwargs.pop("op_name", "Deconvolution" if transposed else "Convolution")
        if transposed:
            output_padding = _ntuple(output_padding, self.dims, "output_padding")
            kwargs["adj"] = output_padding
        super().__init__(channels, kernel_size, strides, padding, dilation, groups, layout, in_channels,
                         activation, use_bias, weight_initializer, bias_initializer, op_name, **kwargs)
        if transposed:
            self.outpad = output_padding


class Conv1D(_ConvND):
    """1-D convolution layer over (N, C, W) data; weight ``(channels, in_channels // groups, k)``.

    Examples
    --------
    >>> Conv1D(4, 3, groups=2, in_channels=2, prefix="g1_").weight.shape
    (4, 1, 3)
    """
    dims = 1

    def __init__(self, channels, kernel_size, strides=1, padding=0, dilation=1, groups=1, layout="NCW",
                 activation=None, use_bias=True, weight_initializer=None, bias_initializer="zeros", in_channels=0,
                 **kwargs):
        super().__init__(channels, kernel_size, strides, padding, dilation, groups, layout, activation, use_bias,
                         weight_initializer, bias_initializer, in_channels, **kwargs)


class Conv3D(_ConvND):
    """3-D convolution layer over (N, C, D, H, W) data; weight ``(channels, in_channels // groups, kd, kh, kw)``.

    Examples
    --------
    >>> Conv3D(2, (1, 2, 3), in_channels=3, prefix="c3_").weight.shape
    (2, 3, 1, 2, 3)
    """
    dims = 3

    def __init__(self, channels, kernel_size, strides=(1, 1, 1), padding=(0, 0, 0), dilation=(1, 1, 1), groups=1,
                 layout="NCDHW", activation=None, use_bias=True, weight_initializer=None, bias_initializer="zeros",
                 in_channels=0, **kwargs):
        super().__init__(channels, kernel_size, strides, padding, dilation, groups, layout, activation, use_bias,
                         weight_initializer, bias_initializer, in_channels, **kwargs)


class Conv1DTranspose(_ConvND):
    """Transposed 1-D convolution (Deconvolution) over (N, C, W) data; weight ``(in_channels, channels // groups, k)``.

    Examples
    --------
    >>> Conv1DTranspose(3, 4, strides=2, in_channels=2, prefix="t1_").weight.shape
    (2, 3, 4)
    """
    dims = 1

    def __init__(self, channels, kernel_size, strides=1, padding=0, output_padding=0, dilation=1, groups=1,
                 layout="NCW", activation=None, use_bias=True, weight_initializer=None, bias_initializer="zeros",
                 in_channels=0, **kwargs):
        super().__init__(channels, kernel_size, strides, padding, dilation, groups, layout, activation, use_bias,
                         weight_initializer, bias_initializer, in_channels, output_padding, **kwargs)


class Conv3DTranspose(_ConvND):
    """Transposed 3-D convolution (Deconvolution) over (N, C, D, H, W) data.

    Examples
    --------
    >>> Conv3DTranspose(3, 2, strides=2, in_channels=4, prefix="t3_").weight.shape
    (4, 3, 2, 2, 2)
    """
    dims = 3

    def __init__(self, channels, kernel_size, strides=(1, 1, 1), padding=(0, 0, 0), output_padding=(0, 0, 0),
                 dilation=(1, 1, 1), groups=1, layout="NCDHW", activation=None, use_bias=True,
                 weight_initializer=None, bias_initializer="zeros", in_channels=0, **kwargs):
        super().__init__(channels, kernel_size, strides, padding, dilation, groups, layout, activation, use_bias,
                         weight_initializer, bias_initializer, in_channels, output_padding, **kwargs)


def _pool(dims, pool_size, strides, padding, ceil_mode, pool_type, layout, count_include_pad=None, **kwargs):
    """Arguments of :class:`_Pooling` for a window pooling layer with ``dims`` spatial axes."""
    _check(_POOL_LAYOUTS[dims], layout, f"{dims}D Pooling")
    if isinstance(pool_size, numeric_types):
        pool_size = (pool_size,) * dims
    pool_size = _ntuple(pool_size, dims, "pool_size")
    return (pool_size, strides, padding, ceil_mode, False, pool_type, layout, count_include_pad), kwargs


class MaxPool1D(_Pooling):
    """1-D max pooling over (N, C, W); ``strides`` defaults to ``pool_size``.

    Examples
    --------
    >>> import ssdkit as mx
    >>> MaxPool1D()(mx.nd.array([[[1, 3, 2, 5]]])).asnumpy().tolist()
    [[[3.0, 5.0]]]
    """

    def __init__(self, pool_size=2, strides=None, padding=0, layout="NCW", ceil_mode=False, **kwargs):
        args, kwargs = _pool(1, pool_size, strides, padding, ceil_mode, "max", layout, **kwargs)
        super().__init__(*args, **kwargs)


class MaxPool3D(_Pooling):
    """3-D max pooling over (N, C, D, H, W); ``strides`` defaults to ``pool_size``.

    Examples
    --------
    >>> import ssdkit as mx
    >>> MaxPool3D()(mx.nd.zeros((1, 1, 4, 4, 4))).shape
    (1, 1, 2, 2, 2)
    """

    def __init__(self, pool_size=(2, 2, 2), strides=None, padding=0, ceil_mode=False, layout="NCDHW", **kwargs):
        args, kwargs = _pool(3, pool_size, strides, padding, ceil_mode, "max", layout, **kwargs)
        super().__init__(*args, **kwargs)


class AvgPool1D(_Pooling):
    """1-D average pooling over (N, C, W); ``count_include_pad`` counts padded zeros in the average.

    Examples
    --------
    >>> import ssdkit as mx
    >>> AvgPool1D()(mx.nd.array([[[1, 3, 2, 6]]])).asnumpy().tolist()
    [[[2.0, 4.0]]]
    """

    def __init__(self, pool_size=2, strides=None, padding=0, layout="NCW", ceil_mode=False, count_include_pad=True,
                 **kwargs):
        args, kwargs = _pool(1, pool_size, strides, padding, ceil_mode, "avg", layout, count_include_pad, **kwargs)
        super().__init__(*args, **kwargs)


class AvgPool3D(_Pooling):
    """3-D average pooling over (N, C, D, H, W); ``count_include_pad`` counts padded zeros in the average.

    Examples
    --------
    >>> import ssdkit as mx
    >>> AvgPool3D()(mx.nd.ones((1, 1, 2, 2, 2))).asnumpy().ravel().tolist()
    [1.0]
    """

    def __init__(self, pool_size=(2, 2, 2), strides=None, padding=0, ceil_mode=False, layout="NCDHW",
                 count_include_pad=True, **kwargs):
        args, kwargs = _pool(3, pool_size, strides, padding, ceil_mode, "avg", layout, count_include_pad, **kwargs)
        super().__init__(*args, **kwargs)


class _GlobalPool(_Pooling):
    """Global pooling with ``dims`` spatial axes: every spatial axis reduced to 1."""
    dims = pool_type = None

    def __init__(self, layout=None, **kwargs):
        layout = layout or _POOL_LAYOUTS[self.dims][0]
        _check(_POOL_LAYOUTS[self.dims], layout, f"{self.dims}D Pooling")
        super().__init__((1,) * self.dims, None, 0, True, True, self.pool_type, layout, **kwargs)


class GlobalMaxPool1D(_GlobalPool):
    """Max over the whole width: (N, C, W) -> (N, C, 1).

    Examples
    --------
    >>> import ssdkit as mx
    >>> GlobalMaxPool1D()(mx.nd.array([[[1, 3, 2]]])).asnumpy().tolist()
    [[[3.0]]]
    """
    dims, pool_type = 1, "max"

    def __init__(self, layout="NCW", **kwargs):
        super().__init__(layout, **kwargs)


class GlobalMaxPool3D(_GlobalPool):
    """Max over the whole volume: (N, C, D, H, W) -> (N, C, 1, 1, 1).

    Examples
    --------
    >>> import ssdkit as mx
    >>> GlobalMaxPool3D()(mx.nd.ones((2, 3, 2, 2, 2))).shape
    (2, 3, 1, 1, 1)
    """
    dims, pool_type = 3, "max"

    def __init__(self, layout="NCDHW", **kwargs):
        super().__init__(layout, **kwargs)


class GlobalAvgPool1D(_GlobalPool):
    """Average over the whole width: (N, C, W) -> (N, C, 1).

    Examples
    --------
    >>> import ssdkit as mx
    >>> GlobalAvgPool1D()(mx.nd.array([[[1, 3, 2]]])).asnumpy().tolist()
    [[[2.0]]]
    """
    dims, pool_type = 1, "avg"

    def __init__(self, layout="NCW", **kwargs):
        super().__init__(layout, **kwargs)


class GlobalAvgPool3D(_GlobalPool):
    """Average over the whole volume: (N, C, D, H, W) -> (N, C, 1, 1, 1).

    Examples
    --------
    >>> import ssdkit as mx
    >>> GlobalAvgPool3D()(mx.nd.ones((2, 3, 2, 2, 2))).shape
    (2, 3, 1, 1, 1)
    """
    dims, pool_type = 3, "avg"

    def __init__(self, layout="NCDHW", **kwargs):
        super().__init__(layout, **kwargs)


class ReflectionPad2D(HybridBlock):
    """Pad the last two axes of (N, C, H, W) data by ``padding`` with their reflection (edge not repeated).

    Parameters
    ----------
    padding : int or tuple of 8 int
        A number pads H and W on both sides; 8 ints are ``Pad``'s ``pad_width`` directly.

    Examples
    --------
    >>> import ssdkit as mx
    >>> ReflectionPad2D(1)(mx.nd.array([[[[1, 2, 3], [4, 5, 6]]]])).asnumpy()[0, 0, 0].tolist()
    [5.0, 4.0, 5.0, 6.0, 5.0]
    """

    def __init__(self, padding=0, **kwargs):
        super().__init__(**kwargs)
        if isinstance(padding, numeric_types):
            padding = (0, 0, 0, 0, padding, padding, padding, padding)
        if len(padding) != 8:
            raise MXNetError(f"ReflectionPad2D: padding must be a number or 8 ints, got {padding}")
        self._padding = tuple(padding)

    def hybrid_forward(self, F, x):
        return F.pad(x, mode="reflect", pad_width=self._padding)
