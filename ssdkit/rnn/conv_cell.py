"""Legacy convolutional RNN cells (``mx.rnn.ConvRNNCell``, ``ConvLSTMCell``, ``ConvGRUCell``; Xingjian et al.,
NIPS 2015): the cells of :mod:`.rnn_cell` with Convolutions in place of FullyConnected layers, on NCHW data.

Examples
--------
>>> import ssdkit as mx
>>> cell = ConvRNNCell((1, 3, 8, 6), num_hidden=4, prefix='c_')
>>> cell.state_info
[{'shape': (0, 4, 8, 6), '__layout__': 'NCHW'}]
"""
import functools

from .. import symbol
from ..base import MXNetError
from .rnn_cell import _GatedCell, RNNCell, LSTMCell, GRUCell

__all__ = ["BaseConvRNNCell", "ConvRNNCell", "ConvLSTMCell", "ConvGRUCell"]

_LEAKY = functools.partial(symbol.LeakyReLU, act_type="leaky", slope=0.2)


class BaseConvRNNCell(_GatedCell):
    """Shared part of the convolutional cells: the input-to-state and state-to-state Convolutions (the
    state-to-state one pads to keep the state's height and width; its kernel must be odd).

    Examples
    --------
    >>> BaseConvRNNCell((1, 2, 5, 5), 3, prefix='b_')._state_shape
    (0, 3, 5, 5)
    """

    def __init__(self, input_shape, num_hidden, h2h_kernel=(3, 3), h2h_dilate=(1, 1), i2h_kernel=(3, 3),
                 i2h_stride=(1, 1), i2h_pad=(1, 1), i2h_dilate=(1, 1), i2h_weight_initializer=None,
                 h2h_weight_initializer=None, i2h_bias_initializer="zeros", h2h_bias_initializer="zeros",
                 activation=_LEAKY, prefix=None, params=None, conv_layout="NCHW"):
        super().__init__(prefix=self._PREFIX if prefix is None else prefix, params=params)
        if h2h_kernel[0] % 2 != 1 or h2h_kernel[1] % 2 != 1:
            raise MXNetError(f"{type(self).__name__}: h2h_kernel must be odd, got {tuple(h2h_kernel)}")
        self._h2h_kernel, self._h2h_dilate = h2h_kernel, h2h_dilate
        self._h2h_pad = tuple(d * (k - 1) // 2 for d, k in zip(h2h_dilate, h2h_kernel))
        self._i2h_kernel, self._i2h_stride, self._i2h_pad, self._i2h_dilate = (i2h_kernel, i2h_stride, i2h_pad,
                                                                               i2h_dilate)
        self._num_hidden, self._input_shape = num_hidden, input_shape
        self._conv_layout, self._activation = conv_layout, activation
        probe = symbol.Convolution(data=symbol.Variable("data"), num_filter=num_hidden, kernel=i2h_kernel,
                                   stride=i2h_stride, pad=i2h_pad, dilate=i2h_dilate, layout=conv_layout)
        self._state_shape = (0,) + tuple(probe.infer_shape(data=input_shape)[1][0][1:])
        self._iW = self.params.get("i2h_weight", init=i2h_weight_initializer)
        self._hW = self.params.get("h2h_weight", init=h2h_weight_initializer)
        self._iB = self.params.get("i2h_bias", init=i2h_bias_initializer)
        self._hB = self.params.get("h2h_bias", init=h2h_bias_initializer)

    @property
    def _num_gates(self):
        return len(self._gate_names)

    @property
    def state_info(self):
        """Per state: its shape (0 for the batch size) and layout."""
        return [{"shape": self._state_shape, "__layout__": self._conv_layout}] * 2

    _PREFIX = "ConvRNN_"

    def _project(self, inputs, states, name, sep=""):
        return self._conv_forward(inputs, states, name)

    def _conv_forward(self, inputs, states, name):
        filters = self._num_hidden * self._num_gates
        i2h = symbol.Convolution(name=f"{name}i2h", data=inputs, num_filter=filters, kernel=self._i2h_kernel,
                                 stride=self._i2h_stride, pad=self._i2h_pad, dilate=self._i2h_dilate,
                                 weight=self._iW, bias=self._iB, layout=self._conv_layout)
        h2h = symbol.Convolution(name=f"{name}h2h", data=states[0], num_filter=filters, kernel=self._h2h_kernel,
                                 dilate=self._h2h_dilate, pad=self._h2h_pad, stride=(1, 1), weight=self._hW,
                                 bias=self._hB, layout=self._conv_layout)
        return i2h, h2h

    def __call__(self, inputs, states):
        raise MXNetError("BaseConvRNNCell is the abstract base of the convolutional cells; use ConvRNNCell, "
                         "ConvLSTMCell or ConvGRUCell")


class ConvRNNCell(BaseConvRNNCell):
    """Convolutional Elman cell: ``h' = activation(conv_i(x) + conv_h(h))``.

    Examples
    --------
    >>> sorted(ConvRNNCell((1, 3, 4, 4), 2, prefix='r_').params._params)
    ['r_h2h_bias', 'r_h2h_weight', 'r_i2h_bias', 'r_i2h_weight']
    """

    @property
    def _gate_names(self):
        return ("",)

    @property
    def state_info(self):
        """Per state: its shape (0 for the batch size) and layout."""
        return [{"shape": self._state_shape, "__layout__": self._conv_layout}]

    __call__ = RNNCell.__call__


class ConvLSTMCell(BaseConvRNNCell):
    """Convolutional LSTM cell (gates i, f, c, o on the channel axis).

    Examples
    --------
    >>> len(ConvLSTMCell((1, 3, 4, 4), 2).state_info)
    2
    """
    _PREFIX = "ConvLSTM_"

    @property
    def _gate_names(self):
        return ["_i", "_f", "_c", "_o"]

    __call__ = LSTMCell.__call__


class ConvGRUCell(BaseConvRNNCell):
    """Convolutional GRU cell (gates r, z and the candidate on the channel axis).

    Examples
    --------
    >>> len(ConvGRUCell((1, 3, 4, 4), 2).state_info)
    1
    """
    _PREFIX = "ConvGRU_"

    @property
    def _gate_names(self):
        return ["_r", "_z", "_o"]

    @property
    def state_info(self):
        """Per state: its shape (0 for the batch size) and layout."""
        return [{"shape": self._state_shape, "__layout__": self._conv_layout}]

    __call__ = GRUCell.__call__
