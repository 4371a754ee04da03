"""Convolution and pooling layers: ``Conv2D``, ``Conv2DTranspose``, ``MaxPool2D``, ``AvgPool2D``,
``GlobalMaxPool2D``, ``GlobalAvgPool2D`` (alias ``conv`` / ``pool`` for naming, as MXNet).

Weight shapes follow MXNet: Convolution ``(channels, in_channels // groups, kh, kw)``, Deconvolution
``(in_channels, channels // groups, kh, kw)``; an ``in_channels`` of 0 is inferred at the first forward.

Examples
--------
>>> import ssdkit as mx
>>> conv = Conv2D(8, 3, padding=1, prefix="c_"); conv
Conv2D(None -> 8, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))
>>> conv.initialize(); conv(mx.nd.zeros((1, 3, 5, 5))).shape, conv.weight.shape
((1, 8, 5, 5), (8, 3, 3, 3))
"""
from ...base import MXNetError, numeric_types
from ..hybrid_block import HybridBlock
from .activations import Activation

__all__ = ["Conv2D", "Conv2DTranspose", "MaxPool2D", "AvgPool2D", "GlobalMaxPool2D", "GlobalAvgPool2D"]

_LAYOUTS_2D = ("NCHW", "NHWC")


def _ntuple(value, n, name):
    """``value`` as a tuple of ``n`` ints (a number is repeated), or MXNetError naming ``name``."""
    value = (value,) * n if isinstance(value, numeric_types) else tuple(value)
    if len(value) != n:
        raise MXNetError(f"{name} must be a number or a list of {n} ints, got {value}")
    return value


def _pair(value, name):
    return _ntuple(value, 2, name)


def _weight_shape(op_name, channels, in_channels, kernel, groups, layout):
    """The weight shape MXNet's shape inference gives (0 stays unknown)."""
    if op_name == "Convolution":
        out_dim, in_dim = channels, in_channels // groups
    else:  # Deconvolution stores (in_channels, channels // groups, kh, kw)
        out_dim, in_dim = in_channels, channels // groups
    if layout.find("C") == 1:
        return (out_dim, in_dim) + tuple(kernel)
    return (out_dim,) + tuple(kernel) + (in_dim,)


class _Conv(HybridBlock):
    """Shared machinery of Conv2D and Conv2DTranspose."""

    def __init__(self, channels, kernel_size, strides, padding, dilation, groups, layout, in_channels=0,
                 activation=None, use_bias=True, weight_initializer=None, bias_initializer="zeros",
                 op_name="Convolution", adj=None, prefix=None, params=None):
        super().__init__(prefix=prefix, params=params)
        with self.name_scope():
            self._channels = channels
            self._in_channels = in_channels
            strides, padding, dilation = (_ntuple(v, len(kernel_size), n) for v, n in (
                (strides, "strides"), (padding, "padding"), (dilation, "dilation")))
            self._op_name = op_name
            self._kwargs = {"kernel": kernel_size, "stride": strides, "dilate": dilation, "pad": padding,
                            "num_filter": channels, "num_group": groups, "no_bias": not use_bias,
                            "layout": layout}
            if adj is not None:
                self._kwargs["adj"] = adj
            wshape = _weight_shape(op_name, channels, in_channels, kernel_size, groups, layout)
            self.weight = self.params.get("weight", shape=wshape, init=weight_initializer,
                                          allow_deferred_init=True)
            if use_bias:
                self.bias = self.params.get("bias", shape=(channels,), init=bias_initializer,
                                            allow_deferred_init=True)
            else:
                self.bias = None
            self.act = Activation(activation, prefix=activation + "_") if activation is not None else None

    def infer_shape(self, x, *args):
        layout = self._kwargs["layout"]
        in_channels = x.shape[layout.find("C")]
        self.weight.shape = _weight_shape(self._op_name, self._channels, in_channels, self._kwargs["kernel"],
                                          self._kwargs["num_group"], layout)

    def hybrid_forward(self, F, x, weight, bias=None):
        op = getattr(F, self._op_name)
        if bias is None:
            out = op(x, weight, name="fwd", **self._kwargs)
        else:
            out = op(x, weight, bias, name="fwd", **self._kwargs)
        return self.act(out) if self.act is not None else out

    def _alias(self):
        return "conv"

    def __repr__(self):
        s = "{name}({mapping}, kernel_size={kernel}, stride={stride}"
        n = len(self._kwargs["kernel"])
        if self._kwargs["pad"] != (0,) * n:
            s += ", padding={pad}"
        if self._kwargs["dilate"] != (1,) * n:
            s += ", dilation={dilate}"
        # MXNet checks an attribute named 'out_pad' that its layers never set, so output_padding never shows
        if hasattr(self, "out_pad") and self.out_pad != (0,) * n:
            s += f", output_padding={self.out_pad}"
        if self._kwargs["num_group"] != 1:
            s += ", groups={num_group}"
        if self.bias is None:
            s += ", bias=False"
        if self.act:
            s += f", {self.act}"
        s += ")"
        shape = self.weight.shape
        return s.format(name=self.__class__.__name__, mapping=f"{shape[1] if shape[1] else None} -> {shape[0]}",
                        **self._kwargs)


class Conv2D(_Conv):
    """2-D convolution layer.

    Parameters
    ----------
    channels : int
    kernel_size : int or (int, int)
    strides, padding, dilation : int or (int, int)
    groups : int
    layout : str
        'NCHW' (ssdkit's kernels compute NCHW only).
    activation : str, optional
    use_bias : bool
    weight_initializer, bias_initializer : Initializer or str
    in_channels : int
        0 = infer at the first forward.

    Examples
    --------
    >>> Conv2D(4, (1, 3), groups=2, in_channels=2, prefix="g_").weight.shape
    (4, 1, 1, 3)
    """

    def __init__(self, channels, kernel_size, strides=(1, 1), padding=(0, 0), dilation=(1, 1), groups=1,
                 layout="NCHW", activation=None, use_bias=True, weight_initializer=None, bias_initializer="zeros",
                 in_channels=0, **kwargs):
        if layout not in _LAYOUTS_2D:
            raise MXNetError("Only supports 'NCHW' and 'NHWC' layout for now")
        op_name = kwargs.pop("op_name", "Convolution")
        super().__init__(channels, _pair(kernel_size, "kernel_size"), strides, padding, dilation, groups, layout,
                         in_channels, activation, use_bias, weight_initializer, bias_initializer, op_name, **kwargs)


class Conv2DTranspose(_Conv):
    """2-D transposed convolution (Deconvolution); output size ``(in - 1) * stride - 2 * pad + kernel + output_padding``.

    Examples
    --------
    >>> import ssdkit as mx
    >>> up = Conv2DTranspose(2, 4, strides=2, padding=1, in_channels=3, prefix="up_"); up.weight.shape
    (3, 2, 4, 4)
    """

    def __init__(self, channels, kernel_size, strides=(1, 1), padding=(0, 0), output_padding=(0, 0),
                 dilation=(1, 1), groups=1, layout="NCHW", activation=None, use_bias=True, weight_initializer=None,
                 bias_initializer="zeros", in_channels=0, **kwargs):
        if layout not in _LAYOUTS_2D:
            raise MXNetError("Only supports 'NCHW' and 'NHWC' layout for now")
        output_padding = _pair(output_padding, "output_padding")
        op_name = kwargs.pop("op_name", "Deconvolution")
        super().__init__(channels, _pair(kernel_size, "kernel_size"), strides, padding, dilation, groups, layout,
                         in_channels, activation, use_bias, weight_initializer, bias_initializer, op_name=op_name,
                         adj=output_padding, **kwargs)
        self.outpad = output_padding


class _Pooling(HybridBlock):
    """Shared machinery of the pooling layers (``ceil_mode`` is MXNet's ``pooling_convention='full'``)."""

    def __init__(self, pool_size, strides, padding, ceil_mode, global_pool, pool_type, layout,
                 count_include_pad=None, **kwargs):
        super().__init__(**kwargs)
        if strides is None:
            strides = pool_size
        if isinstance(strides, numeric_types):
            strides = (strides,) * len(pool_size)
        if isinstance(padding, numeric_types):
            padding = (padding,) * len(pool_size)
        self._kwargs = {"kernel": pool_size, "stride": strides, "pad": padding, "global_pool": global_pool,
                        "pool_type": pool_type, "layout": layout,
                        "pooling_convention": "full" if ceil_mode else "valid"}
        if count_include_pad is not None:
            self._kwargs["count_include_pad"] = count_include_pad

    def _alias(self):
        return "pool"

    def hybrid_forward(self, F, x):
        return F.Pooling(x, name="fwd", **self._kwargs)

    def __repr__(self):
        s = ("{name}(size={kernel}, stride={stride}, padding={pad}, ceil_mode={ceil_mode}, "
             "global_pool={global_pool}, pool_type={pool_type}, layout={layout})")
        return s.format(name=self.__class__.__name__, ceil_mode=self._kwargs["pooling_convention"] == "full",
                        **self._kwargs)


def _check_layout(layout):
    if layout not in _LAYOUTS_2D:
        raise MXNetError("Only NCHW and NHWC layouts are valid for 2D Pooling")


class MaxPool2D(_Pooling):
    """2-D max pooling; ``strides`` defaults to ``pool_size``.

    Examples
    --------
    >>> import ssdkit as mx
    >>> MaxPool2D()(mx.nd.zeros((1, 1, 4, 4))).shape
    (1, 1, 2, 2)
    """

    def __init__(self, pool_size=(2, 2), strides=None, padding=0, layout="NCHW", ceil_mode=False, **kwargs):
        _check_layout(layout)
        super().__init__(_pair(pool_size, "pool_size"), strides, padding, ceil_mode, False, "max", layout,
                         **kwargs)


class AvgPool2D(_Pooling):
    """2-D average pooling; ``count_include_pad`` counts padded zeros in the average.

    Examples
    --------
    >>> import ssdkit as mx
    >>> AvgPool2D()(mx.nd.ones((1, 1, 4, 4))).asnumpy().ravel().tolist()
    [1.0, 1.0, 1.0, 1.0]
    """

    def __init__(self, pool_size=(2, 2), strides=None, padding=0, ceil_mode=False, layout="NCHW",
                 count_include_pad=True, **kwargs):
        _check_layout(layout)
        super().__init__(_pair(pool_size, "pool_size"), strides, padding, ceil_mode, False, "avg", layout,
                         count_include_pad, **kwargs)


class GlobalMaxPool2D(_Pooling):
    """Max over the whole spatial extent: (N, C, H, W) -> (N, C, 1, 1).

    Examples
    --------
    >>> import ssdkit as mx
    >>> GlobalMaxPool2D()(mx.nd.ones((2, 3, 4, 4))).shape
    (2, 3, 1, 1)
    """

    def __init__(self, layout="NCHW", **kwargs):
        _check_layout(layout)
        super().__init__((1, 1), None, 0, True, True, "max", layout, **kwargs)


class GlobalAvgPool2D(_Pooling):
    """Average over the whole spatial extent: (N, C, H, W) -> (N, C, 1, 1).

    Examples
    --------
    >>> import ssdkit as mx
    >>> GlobalAvgPool2D()(mx.nd.ones((2, 3, 4, 4))).shape
    (2, 3, 1, 1)
    """

    def __init__(self, layout="NCHW", **kwargs):
        _check_layout(layout)
        super().__init__((1, 1), None, 0, True, True, "avg", layout, **kwargs)
