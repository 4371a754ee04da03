"""Activation layers: ``Activation``, ``LeakyReLU``, ``PReLU``, ``ELU``, ``SELU``, ``GELU``, ``Swish``.

``Activation('relu')`` is named ``relu0`` (its alias is the activation type), as in MXNet.

Examples
--------
>>> import ssdkit as mx
>>> act = Activation("relu", prefix="a_"); act
Activation(relu)
>>> act(mx.nd.array([-1.0, 1.0])).asnumpy()
array([0., 1.], dtype=float32)
"""
from ... import initializer
from ...base import MXNetError
from ..hybrid_block import HybridBlock

__all__ = ["Activation", "LeakyReLU", "PReLU", "ELU", "SELU", "GELU", "Swish"]


class Activation(HybridBlock):
    """Apply ``F.Activation(x, act_type=activation)``: relu, sigmoid, tanh, softrelu or softsign.

    Examples
    --------
    >>> import ssdkit as mx
    >>> Activation("sigmoid")(mx.nd.zeros((1,))).asnumpy()
    array([0.5], dtype=float32)
    """

    def __init__(self, activation, **kwargs):
        self._act_type = activation
        super().__init__(**kwargs)

    def _alias(self):
        return self._act_type

    def hybrid_forward(self, F, x):
        return F.Activation(x, act_type=self._act_type, name="fwd")

    def __repr__(self):
        return f"{self.__class__.__name__}({self._act_type})"


class LeakyReLU(HybridBlock):
    """``x`` for x >= 0, ``alpha * x`` otherwise.

    Examples
    --------
    >>> import ssdkit as mx
    >>> LeakyReLU(0.1)(mx.nd.array([-2.0, 2.0])).asnumpy()
    array([-0.2,  2. ], dtype=float32)
    """

    def __init__(self, alpha, **kwargs):
        if alpha < 0:
            raise MXNetError("Slope coefficient for LeakyReLU must be no less than 0.")
        super().__init__(**kwargs)
        self._alpha = alpha

    def hybrid_forward(self, F, x):
        return F.LeakyReLU(x, act_type="leaky", slope=self._alpha, name="fwd")

    def __repr__(self):
        return f"{self.__class__.__name__}({self._alpha})"


class PReLU(HybridBlock):
    """Leaky ReLU with a learned slope ``alpha`` (one value, or one per channel with ``in_channels``).

    Examples
    --------
    >>> import ssdkit as mx
    >>> p = PReLU(prefix="p_"); p.initialize(); p(mx.nd.array([-4.0])).asnumpy()
    array([-1.], dtype=float32)
    """

    def __init__(self, alpha_initializer=initializer.Constant(0.25), in_channels=1, **kwargs):
        super().__init__(**kwargs)
        with self.name_scope():
            self.alpha = self.params.get("alpha", shape=(in_channels,), init=alpha_initializer)

    def hybrid_forward(self, F, x, alpha):
        return F.LeakyReLU(x, gamma=alpha, act_type="prelu", name="fwd")


class ELU(HybridBlock):
    """Exponential linear unit: ``x`` for x > 0, ``alpha * (exp(x) - 1)`` otherwise.

    Examples
    --------
    >>> import ssdkit as mx
    >>> float(ELU()(mx.nd.array([0.0])).asscalar())
    0.0
    """

    def __init__(self, alpha=1.0, **kwargs):
        super().__init__(**kwargs)
        self._alpha = alpha

    def hybrid_forward(self, F, x):
        return F.LeakyReLU(x, act_type="elu", slope=self._alpha)


class SELU(HybridBlock):
    """Scaled exponential linear unit (Klambauer et al., 2017).

    Examples
    --------
    >>> import ssdkit as mx
    >>> SELU()(mx.nd.array([1.0])).asnumpy()
    array([1.050701], dtype=float32)
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)

    def hybrid_forward(self, F, x):
        return F.LeakyReLU(x, act_type="selu", name="fwd")


class GELU(HybridBlock):
    """Gaussian error linear unit ``x * Phi(x)`` (erf form).

    Examples
    --------
    >>> import ssdkit as mx
    >>> GELU()(mx.nd.array([0.0])).asnumpy()
    array([0.], dtype=float32)
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)

    def hybrid_forward(self, F, x):
        return F.LeakyReLU(x, act_type="gelu", name="fwd")


class Swish(HybridBlock):
    """``x * sigmoid(beta * x)``.

    Examples
    --------
    >>> import ssdkit as mx
    >>> Swish()(mx.nd.array([0.0])).asnumpy()
    array([0.], dtype=float32)
    """

    def __init__(self, beta=1.0, **kwargs):
        super().__init__(**kwargs)
        self._beta = beta

    def hybrid_forward(self, F, x):
        return x * F.sigmoid(self._beta * x, name="fwd")
