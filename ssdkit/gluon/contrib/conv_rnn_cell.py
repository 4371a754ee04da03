"""Convolutional recurrent cells of ``mx.gluon.contrib.rnn`` (MXNet 1.9.1): ``Conv{1,2,3}D{RNN,LSTM,GRU}Cell``.

Each gate is a convolution of the input (``i2h``: kernel ``i2h_kernel``, padding ``i2h_pad``) plus a
convolution of the previous state (``h2h``: odd ``h2h_kernel``, padded to keep the state's size). The
state has ``hidden_channels`` channels and the spatial size of the i2h convolution's output. Parameter
names, shapes, state shapes and the repr are MXNet's.

Examples
--------
>>> import ssdkit as mx
>>> cell = Conv1DLSTMCell((3, 7), 4, i2h_kernel=3, h2h_kernel=3, prefix="cl_")
>>> cell
Conv1DLSTMCell(3 -> 16, tanh, NCW)
>>> cell.initialize()
>>> out, states = cell(mx.nd.ones((2, 3, 7)), cell.begin_state(batch_size=2))
>>> out.shape, [s.shape for s in states]
((2, 4, 5), [(2, 4, 5), (2, 4, 5)])
"""
from ...base import numeric_types, MXNetError
from ..rnn.cell_base import HybridRecurrentCell

__all__ = ["Conv1DRNNCell", "Conv2DRNNCell", "Conv3DRNNCell", "Conv1DLSTMCell", "Conv2DLSTMCell",
           "Conv3DLSTMCell", "Conv1DGRUCell", "Conv2DGRUCell", "Conv3DGRUCell"]

_LAYOUTS = {1: "NCW", 2: "NCHW", 3: "NCDHW"}


def _spec(value, dims, name):
    value = (value,) * dims if isinstance(value, numeric_types) else tuple(value)
    if len(value) != dims:
        raise MXNetError(f"For {dims}D convolution, {name} can only be an int or a list/tuple of length {dims}, "
                         f"got {value}")
    return value


class _ConvRecurrentCell(HybridRecurrentCell):
    """Shared parameters, shapes and convolutions; subclasses set ``dims``, ``gates`` and ``_step``."""
    dims = None
    gates = ()
    alias = None
    num_states = 1

    def __init__(self, input_shape, hidden_channels, i2h_kernel, h2h_kernel, i2h_pad=0, i2h_dilate=1,
                 h2h_dilate=1, i2h_weight_initializer=None, h2h_weight_initializer=None,
                 i2h_bias_initializer="zeros", h2h_bias_initializer="zeros", conv_layout=None, activation="tanh",
                 prefix=None, params=None):
        super().__init__(prefix=prefix, params=params)
        dims = self.dims
        self._hidden_channels, self._input_shape = hidden_channels, tuple(input_shape)
        self._conv_layout = conv_layout or _LAYOUTS[dims]
        self._activation = activation
        self._i2h_kernel = _spec(i2h_kernel, dims, "i2h_kernel")
        self._i2h_pad = _spec(i2h_pad, dims, "i2h_pad")
        self._i2h_dilate = _spec(i2h_dilate, dims, "i2h_dilate")
        self._h2h_kernel = _spec(h2h_kernel, dims, "h2h_kernel")
        self._h2h_dilate = _spec(h2h_dilate, dims, "h2h_dilate")
        if any(k % 2 == 0 for k in self._h2h_kernel):
            raise MXNetError(f"Only support odd number, get h2h_kernel= {h2h_kernel}")
        self._stride = (1,) * dims
        self._h2h_pad = tuple(d * (k - 1) // 2 for d, k in zip(self._h2h_dilate, self._h2h_kernel))
        self._channel_axis = self._conv_layout.find("C")
        first = self._channel_axis == 1
        in_channels = self._input_shape[0 if first else -1]
        spatial = self._input_shape[1:] if first else self._input_shape[:-1]
        out_size = tuple((x + 2 * p - d * (k - 1) - 1) + 1 if x else 0
                         for x, k, p, d in zip(spatial, self._i2h_kernel, self._i2h_pad, self._i2h_dilate))
        total = hidden_channels * len(self.gates)
        if first:
            i2h_shape, h2h_shape = (total, in_channels) + self._i2h_kernel, (total, hidden_channels) + self._h2h_kernel
            self._state_shape = (hidden_channels,) + out_size
        else:
            i2h_shape, h2h_shape = (total,) + self._i2h_kernel + (in_channels,), (total,) + self._h2h_kernel + (
                hidden_channels,)
            self._state_shape = out_size + (hidden_channels,)
        get = self.params.get
        self.i2h_weight = get("i2h_weight", shape=i2h_shape, init=i2h_weight_initializer, allow_deferred_init=True)
        self.h2h_weight = get("h2h_weight", shape=h2h_shape, init=h2h_weight_initializer, allow_deferred_init=True)
        self.i2h_bias = get("i2h_bias", shape=(total,), init=i2h_bias_initializer, allow_deferred_init=True)
        self.h2h_bias = get("h2h_bias", shape=(total,), init=h2h_bias_initializer, allow_deferred_init=True)

    def state_info(self, batch_size=0):
        info = {"shape": (batch_size,) + self._state_shape, "__layout__": self._conv_layout}
        return [dict(info) for _ in range(self.num_states)]

    def _alias(self):
        return self.alias

    def __repr__(self):
        shape = self.i2h_weight.shape
        in_channels = shape[1 if self._channel_axis == 1 else -1]
        return (f"{self.__class__.__name__}({in_channels if in_channels else None} -> {shape[0]}, "
                f"{self._activation}, {self._conv_layout})")

    def _conv(self, F, data, weight, bias, kernel, pad, dilate, name):
        return F.Convolution(data=data, num_filter=self._hidden_channels * len(self.gates), kernel=kernel,
                             stride=self._stride, pad=pad, dilate=dilate, weight=weight, bias=bias,
                             layout=self._conv_layout, name=name)

    def hybrid_forward(self, F, inputs, states, i2h_weight, h2h_weight, i2h_bias, h2h_bias):
        prefix = f"t{self._counter}_"
        i2h = self._conv(F, inputs, i2h_weight, i2h_bias, self._i2h_kernel, self._i2h_pad, self._i2h_dilate,
                         prefix + "i2h")
        h2h = self._conv(F, states[0], h2h_weight, h2h_bias, self._h2h_kernel, self._h2h_pad, self._h2h_dilate,
                         prefix + "h2h")
        return self._step(F, i2h, h2h, states, prefix)


class _ConvRNN(_ConvRecurrentCell):
    gates, alias = ("",), "conv_rnn"

    def _step(self, F, i2h, h2h, states, prefix):
        output = self._get_activation(F, i2h + h2h, self._activation, name=prefix + "out")
        return output, [output]


class _ConvLSTM(_ConvRecurrentCell):
    gates, alias, num_states = ("_i", "_f", "_c", "_o"), "conv_lstm", 2

    def _step(self, F, i2h, h2h, states, prefix):
        gates = F.SliceChannel(i2h + h2h, num_outputs=4, name=prefix + "slice", axis=self._channel_axis)
        in_gate = F.Activation(gates[0], act_type="sigmoid", name=prefix + "i")
        forget_gate = F.Activation(gates[1], act_type="sigmoid", name=prefix + "f")
        in_transform = self._get_activation(F, gates[2], self._activation, name=prefix + "c")
        out_gate = F.Activation(gates[3], act_type="sigmoid", name=prefix + "o")
        next_c = F.elemwise_add(forget_gate * states[1], in_gate * in_transform, name=prefix + "state")
        next_h = F.elemwise_mul(out_gate, self._get_activation(F, next_c, self._activation), name=prefix + "out")
        return next_h, [next_h, next_c]


class _ConvGRU(_ConvRecurrentCell):
    gates, alias = ("_r", "_z", "_o"), "conv_gru"

    def _step(self, F, i2h, h2h, states, prefix):
        i2h_r, i2h_z, i2h = F.SliceChannel(i2h, num_outputs=3, name=prefix + "i2h_slice", axis=self._channel_axis)
        h2h_r, h2h_z, h2h = F.SliceChannel(h2h, num_outputs=3, name=prefix + "h2h_slice", axis=self._channel_axis)
        reset_gate = F.Activation(i2h_r + h2h_r, act_type="sigmoid", name=prefix + "r_act")
        update_gate = F.Activation(i2h_z + h2h_z, act_type="sigmoid", name=prefix + "z_act")
        next_h_tmp = self._get_activation(F, i2h + reset_gate * h2h, self._activation, name=prefix + "h_act")
        next_h = F.elemwise_add((1. - update_gate) * next_h_tmp, update_gate * states[0], name=prefix + "out")
        return next_h, [next_h]


class Conv1DRNNCell(_ConvRNN):
    """1-D convolutional RNN cell: ``h_t = tanh(conv(x_t) + conv(h_{t-1}))`` on (N, C, W) inputs.

    Examples
    --------
    >>> Conv1DRNNCell((3, 8), 5, 3, 3, prefix="r1_").state_info(2)[0]["shape"]
    (2, 5, 6)
    """
    dims = 1


class Conv2DRNNCell(_ConvRNN):
    """2-D convolutional RNN cell on (N, C, H, W) inputs.

    Examples
    --------
    >>> Conv2DRNNCell((3, 8, 8), 5, 3, 3, i2h_pad=1, prefix="r2_").i2h_weight.shape
    (5, 3, 3, 3)
    """
    dims = 2


class Conv3DRNNCell(_ConvRNN):
    """3-D convolutional RNN cell on (N, C, D, H, W) inputs.

    Examples
    --------
    >>> Conv3DRNNCell((2, 4, 4, 4), 3, 3, 1, prefix="r3_").state_info(1)[0]["shape"]
    (1, 3, 2, 2, 2)
    """
    dims = 3


class Conv1DLSTMCell(_ConvLSTM):
    """1-D convolutional LSTM cell (Shi et al., 2015): input, forget, cell and output gates by convolution.

    Examples
    --------
    >>> Conv1DLSTMCell((3, 8), 5, 3, 3, prefix="l1_").i2h_weight.shape
    (20, 3, 3)
    """
    dims = 1


class Conv2DLSTMCell(_ConvLSTM):
    """2-D convolutional LSTM cell on (N, C, H, W) inputs.

    Examples
    --------
    >>> len(Conv2DLSTMCell((3, 8, 8), 5, 3, 3, prefix="l2_").state_info(1))
    2
    """
    dims = 2


class Conv3DLSTMCell(_ConvLSTM):
    """3-D convolutional LSTM cell on (N, C, D, H, W) inputs.

    Examples
    --------
    >>> Conv3DLSTMCell((2, 4, 4, 4), 3, 3, 3, prefix="l3_").h2h_weight.shape
    (12, 3, 3, 3, 3)
    """
    dims = 3


class Conv1DGRUCell(_ConvGRU):
    """1-D convolutional GRU cell: reset and update gates by convolution.

    Examples
    --------
    >>> Conv1DGRUCell((3, 8), 5, 3, 3, prefix="g1_").i2h_bias.shape
    (15,)
    """
    dims = 1


class Conv2DGRUCell(_ConvGRU):
    """2-D convolutional GRU cell on (N, C, H, W) inputs.

    Examples
    --------
    >>> Conv2DGRUCell((3, 8, 8), 5, 3, 3, prefix="g2_").state_info(1)[0]["shape"]
    (1, 5, 6, 6)
    """
    dims = 2


class Conv3DGRUCell(_ConvGRU):
    """3-D convolutional GRU cell on (N, C, D, H, W) inputs.

    Examples
    --------
    >>> Conv3DGRUCell((2, 4, 4, 4), 3, 3, 3, prefix="g3_").i2h_weight.shape
    (9, 2, 3, 3, 3)
    """
    dims = 3
