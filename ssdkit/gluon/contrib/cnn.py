"""``mx.gluon.contrib.cnn``: DeformableConvolution (v1) and ModulatedDeformableConvolution (v2) layers, as
MXNet 1.9.1 defines them.

Each layer learns its sampling offsets with an ordinary Convolution of the same geometry (``offset_weight``,
``offset_bias``, zero-initialized, so a fresh layer starts as a plain convolution) and feeds them to
``contrib.DeformableConvolution`` / ``contrib.ModulatedDeformableConvolution`` with ``deformable_conv_weight``
and ``deformable_conv_bias``. The v2 layer's offset convolution has ``3 * kh * kw * num_deformable_group``
filters: the first two thirds are the offsets, the last third the mask, ``2 * sigmoid`` of it.

Examples
--------
>>> import ssdkit as mx
>>> layer = DeformableConvolution(4, kernel_size=3, padding=1, prefix="dc_")
>>> layer.initialize(); layer(mx.nd.ones((1, 2, 5, 5))).shape
(1, 4, 5, 5)
>>> sorted(layer.collect_params())
['dc_deformable_conv_bias', 'dc_deformable_conv_weight', 'dc_offset_bias', 'dc_offset_weight']
"""
from ...base import MXNetError, numeric_types
from ..hybrid_block import HybridBlock
from ..nn.activations import Activation

__all__ = ["DeformableConvolution", "ModulatedDeformableConvolution"]


def _geometry(kernel_size, strides, padding, dilation, layout):
    if layout not in ("NCHW", "NHWC"):
        raise MXNetError(f"deformable convolution layers support layout 'NCHW' and 'NHWC' only, got {layout!r}")
    if isinstance(kernel_size, numeric_types):
        kernel_size = (kernel_size,) * 2
    n = len(kernel_size)
    return tuple(tuple(v) if not isinstance(v, numeric_types) else (v,) * n
                 for v in (kernel_size, strides, padding, dilation))


def _offset_param_shapes(in_channels, layout, kwargs):
    """Weight and bias shapes of the offset convolution, as MXNet reads them from Convolution's shape rule."""
    from ... import symbol
    dshape = [0] * (len(kwargs["kernel"]) + 2)
    dshape[layout.find("N")] = 1
    dshape[layout.find("C")] = in_channels
    offset = symbol.Convolution(symbol.var("data", shape=tuple(dshape)), **kwargs)
    shapes = offset.infer_shape_partial()[0]
    return shapes[1], (shapes[2] if len(shapes) > 2 else None)


class _DeformableBase(HybridBlock):
    """Parameters and forward of both layers (MXNet's constructor signature); ``_modulated`` adds the mask."""
    _modulated = False

    def __init__(self, channels, kernel_size=(1, 1), strides=(1, 1), padding=(0, 0), dilation=(1, 1), groups=1,
                 num_deformable_group=1, layout="NCHW", use_bias=True, in_channels=0, activation=None,
                 weight_initializer=None, bias_initializer="zeros", offset_weight_initializer="zeros",
                 offset_bias_initializer="zeros", offset_use_bias=True, op_name=None, adj=None, prefix=None,
                 params=None):
        super().__init__(prefix=prefix, params=params)
        with self.name_scope():
            self._channels, self._in_channels = channels, in_channels
            self._op_name = op_name or ("ModulatedDeformableConvolution" if self._modulated
                                        else "DeformableConvolution")
            kernel_size, strides, padding, dilation = _geometry(kernel_size, strides, padding, dilation, layout)
            taps = kernel_size[0] * kernel_size[1] * num_deformable_group
            self.offset_split_index = 2 * taps
            geometry = {"kernel": kernel_size, "stride": strides, "dilate": dilation, "pad": padding}
            self._kwargs_offset = dict(geometry, num_filter=(3 if self._modulated else 2) * taps,
                                       num_group=groups, no_bias=not offset_use_bias, layout=layout)
            self._kwargs_deformable_conv = dict(geometry, num_filter=channels, num_group=groups,
                                                num_deformable_group=num_deformable_group, no_bias=not use_bias,
                                                layout=layout)
            if adj:
                self._kwargs_offset["adj"] = adj
                self._kwargs_deformable_conv["adj"] = adj
            weight_shape = (channels, 0) + tuple(kernel_size)
            offset_shapes = _offset_param_shapes(in_channels, layout, self._kwargs_offset)
            # MXNet creates the two parameter pairs in this order for v1 and the other way round for v2
            pairs = [lambda: self._offset_params(offset_shapes, offset_weight_initializer, offset_bias_initializer,
                                                 offset_use_bias),
                     lambda: self._conv_params(weight_shape, weight_initializer, bias_initializer, use_bias)]
            for make in (pairs[::-1] if self._modulated else pairs):
                make()
            self.act = Activation(activation, prefix=activation + "_") if activation else None

    def _offset_params(self, shapes, weight_init, bias_init, use_bias):
        self.offset_weight = self.params.get("offset_weight", shape=shapes[0], init=weight_init,
                                             allow_deferred_init=True)
        self.offset_bias = self.params.get("offset_bias", shape=shapes[1], init=bias_init,
                                           allow_deferred_init=True) if use_bias else None

    def _conv_params(self, shape, weight_init, bias_init, use_bias):
        self.deformable_conv_weight = self.params.get("deformable_conv_weight", shape=shape, init=weight_init,
                                                      allow_deferred_init=True)
        self.deformable_conv_bias = self.params.get("deformable_conv_bias", shape=(self._channels,),
                                                    init=bias_init, allow_deferred_init=True) if use_bias else None

    def hybrid_forward(self, F, x, offset_weight, deformable_conv_weight, offset_bias=None,
                       deformable_conv_bias=None):
        extra = [] if offset_bias is None else [offset_bias]
        offset = F.Convolution(x, offset_weight, *extra, cudnn_off=True, **self._kwargs_offset)
        inputs = {"data": x, "offset": offset, "weight": deformable_conv_weight}
        if self._modulated:
            inputs["offset"] = F.slice_axis(offset, axis=1, begin=0, end=self.offset_split_index)
            mask = F.slice_axis(offset, axis=1, begin=self.offset_split_index, end=None)
            inputs["mask"] = F.sigmoid(mask) * 2
        if deformable_conv_bias is not None:
            inputs["bias"] = deformable_conv_bias
        op = getattr(F.contrib, self._op_name)
        act = op(name="fwd", **inputs, **self._kwargs_deformable_conv)
        return self.act(act) if self.act else act


class DeformableConvolution(_DeformableBase):
    """2-D deformable convolution v1 (Dai et al. 2017): a convolution whose taps read the input at offsets
    learned by a second convolution.

    Parameters
    ----------
    channels : int
        Output channels.
    kernel_size, strides, padding, dilation : int or (int, int)
    groups : int
        Convolution groups (of both the offset and the main convolution).
    num_deformable_group : int
        Input channel groups sharing one set of offsets.
    layout : str
        'NCHW' (the operator computes NCHW only, as MXNet's).
    use_bias, offset_use_bias : bool
    in_channels : int
        0 = inferred at the first forward.
    activation : str, optional
    weight_initializer, bias_initializer, offset_weight_initializer, offset_bias_initializer : Initializer or str
        The offsets start at zero (``'zeros'``), the main bias too; the main weight uses the global initializer.

    Examples
    --------
    >>> import ssdkit as mx
    >>> DeformableConvolution(8, kernel_size=(3, 3), in_channels=4, prefix="d_")   # (MXNet leaves the weight's
    DeformableConvolution(None -> 8, kernel_size=(3, 3), stride=(1, 1))
    >>> _.offset_weight.shape                                                       # input dim to inference)
    (18, 4, 3, 3)
    """

    def _alias(self):
        return "deformable_conv"

    def __repr__(self):
        kwargs = self._kwargs_deformable_conv
        n = len(kwargs["kernel"])
        text = f"{type(self).__name__}({{mapping}}, kernel_size={kwargs['kernel']}, stride={kwargs['stride']}"
        if kwargs["pad"] != (0,) * n:
            text += f", padding={kwargs['pad']}"
        if kwargs["dilate"] != (1,) * n:
            text += f", dilation={kwargs['dilate']}"
        if kwargs["num_group"] != 1:
            text += f", groups={kwargs['num_group']}"
        if self.deformable_conv_bias is None:
            text += ", bias=False"
        if self.act:
            text += f", {self.act}"
        shape = self.deformable_conv_weight.shape
        return text.format(mapping=f"{shape[1] if shape[1] else None} -> {shape[0]}") + ")"


class ModulatedDeformableConvolution(_DeformableBase):
    """2-D modulated deformable convolution v2 (Zhu et al. 2018): v1 whose every sample is also scaled by a
    learned mask in (0, 2). Parameters as :class:`DeformableConvolution`.

    Examples
    --------
    >>> import ssdkit as mx
    >>> layer = ModulatedDeformableConvolution(4, kernel_size=3, prefix="m_")
    >>> layer.initialize(); layer(mx.nd.ones((1, 2, 5, 5))).shape, layer.offset_weight.shape
    ((1, 4, 3, 3), (27, 2, 3, 3))
    """
    _modulated = True

    def _alias(self):
        return "modulated_deformable_conv"
