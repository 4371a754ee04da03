"""Basic layers: ``Sequential``, ``HybridSequential``, ``Dense``, ``Dropout``, ``Embedding``, ``BatchNorm``,
``Flatten``, ``Lambda``, ``HybridLambda`` and ``Identity``, with MXNet's names, reprs and op calls.

Every op goes through ``F.<Op>(..., name='fwd')`` as in MXNet, so traced symbols are named like
``hybridsequential0_dense0_fwd``. Layers with unknown input sizes infer them from the first input with
explicit rules (no symbol tracing needed).

Examples
--------
>>> import ssdkit as mx
>>> net = HybridSequential(prefix="net_")
>>> with net.name_scope():
...     net.add(Dense(4, activation="relu"), Dense(2))
>>> net.initialize(); net(mx.nd.ones((3, 5))).shape
(3, 2)
>>> [p.shape for p in net.collect_params().values()]
[(4, 5), (4,), (2, 4), (2,)]
"""
import warnings

import numpy as np

from ... import ndarray as nd
from ...base import MXNetError
from ..block import Block
from ..hybrid_block import HybridBlock
from ..utils import _indent
from .activations import Activation

__all__ = ["Sequential", "HybridSequential", "Dense", "Dropout", "Embedding", "BatchNorm", "Flatten", "Lambda",
           "HybridLambda", "Identity"]


class _SequentialMixin:
    """What Sequential and HybridSequential share: add, repr, indexing (slices share the children), len."""

    def add(self, *blocks):
        """Append blocks in order."""
        for block in blocks:
            self.register_child(block)

    def __repr__(self):
        modstr = "\n".join(f"  ({key}): {_indent(repr(block), 2)}" for key, block in self._children.items())
        return f"{self.__class__.__name__}(\n{modstr}\n)"

    def __getitem__(self, key):
        layers = list(self._children.values())[key]
        if isinstance(layers, list):
            net = type(self)(prefix=self._prefix)
            with net.name_scope():
                net.add(*layers)
            return net
        return layers

    def __len__(self):
        return len(self._children)


class Sequential(_SequentialMixin, Block):
    """Run child Blocks one after another.

    Examples
    --------
    >>> import ssdkit as mx
    >>> seq = Sequential(prefix="seq_")
    >>> with seq.name_scope():
    ...     seq.add(Dense(3, in_units=2), Dense(1, in_units=3))
    >>> len(seq), seq[0].name, type(seq[1:]).__name__, seq[1:][0] is seq[1]
    (2, 'seq_dense0', 'Sequential', True)
    """

    def __init__(self, prefix=None, params=None):
        super().__init__(prefix=prefix, params=params)

    def forward(self, x):
        for block in self._children.values():
            x = block(x)
        return x

    def hybridize(self, active=True, **kwargs):
        """Hybridize the HybridBlock children (warns when every child is hybrid: use HybridSequential)."""
        if self._children and all(isinstance(c, HybridBlock) for c in self._children.values()):
            warnings.warn(f"All children of this Sequential layer '{self.prefix}' are HybridBlocks. Consider using "
                          "HybridSequential for the best performance.", stacklevel=2)
        super().hybridize(active, **kwargs)


class HybridSequential(_SequentialMixin, HybridBlock):
    """Run child HybridBlocks one after another; hybridizable as a whole.

    Examples
    --------
    >>> import ssdkit as mx
    >>> seq = HybridSequential(prefix="h_"); seq.add(Activation("relu"))
    >>> seq(mx.nd.array([-1.0, 2.0])).asnumpy()
    array([0., 2.], dtype=float32)
    """

    def __init__(self, prefix=None, params=None):
        super().__init__(prefix=prefix, params=params)

    def hybrid_forward(self, F, x):
        for block in self._children.values():
            x = block(x)
        return x


class Dense(HybridBlock):
    """Fully connected layer: ``activation(dot(x, weight.T) + bias)``.

    Parameters
    ----------
    units : int
        Output size.
    activation : str, optional
        Name of an :class:`Activation` applied to the output.
    use_bias : bool
    flatten : bool
        True: input (N, ...) is flattened to (N, in_units); False: the last axis is transformed.
    dtype : str
    weight_initializer, bias_initializer : Initializer or str
    in_units : int
        Input size; 0 = infer at the first forward.

    Examples
    --------
    >>> import ssdkit as mx
    >>> d = Dense(3, in_units=2, prefix="d_"); d
    Dense(2 -> 3, linear)
    >>> d.initialize(); d(mx.nd.ones((4, 2))).shape
    (4, 3)
    """

    def __init__(self, units, activation=None, use_bias=True, flatten=True, dtype="float32",
                 weight_initializer=None, bias_initializer="zeros", in_units=0, **kwargs):
        super().__init__(**kwargs)
        self._flatten = flatten
        with self.name_scope():
            self._units = units
            self._in_units = in_units
            self.weight = self.params.get("weight", shape=(units, in_units), init=weight_initializer, dtype=dtype,
                                          allow_deferred_init=True)
            if use_bias:
                self.bias = self.params.get("bias", shape=(units,), init=bias_initializer, dtype=dtype,
                                            allow_deferred_init=True)
            else:
                self.bias = None
            self.act = Activation(activation, prefix=activation + "_") if activation is not None else None

    def infer_shape(self, x, *args):
        in_units = int(np.prod(x.shape[1:])) if self._flatten else x.shape[-1]
        self.weight.shape = (self._units, in_units)

    def hybrid_forward(self, F, x, weight, bias=None):
        out = F.FullyConnected(x, weight, bias, no_bias=bias is None, num_hidden=self._units,
                               flatten=self._flatten, name="fwd")
        return self.act(out) if self.act is not None else out

    def __repr__(self):
        shape = self.weight.shape
        return "{name}({layout}, {act})".format(name=self.__class__.__name__, act=self.act if self.act else "linear",
                                                layout=f"{shape[1] if shape[1] else None} -> {shape[0]}")


class Dropout(HybridBlock):
    """Zero a fraction ``rate`` of the inputs in training (scaling the rest by 1/(1-rate)).

    Parameters
    ----------
    rate : float
    axes : tuple of int
        Axes along which one mask value is shared.

    Examples
    --------
    >>> import ssdkit as mx
    >>> Dropout(0.5)(mx.nd.ones((2,))).asnumpy()   # identity outside training
    array([1., 1.], dtype=float32)
    """

    def __init__(self, rate, axes=(), **kwargs):
        super().__init__(**kwargs)
        self._rate = rate
        self._axes = axes

    def hybrid_forward(self, F, x):
        if self._rate > 0:
            return F.Dropout(x, p=self._rate, axes=self._axes, name="fwd", cudnn_off=False)
        return F.identity(x)

    def __repr__(self):
        return f"{self.__class__.__name__}(p = {self._rate}, axes={self._axes})"


class Embedding(HybridBlock):
    """Map integer indices to dense vectors of ``output_dim``.

    Examples
    --------
    >>> import ssdkit as mx
    >>> emb = Embedding(10, 4, prefix="e_"); emb.initialize(); emb(mx.nd.array([1, 3])).shape
    (2, 4)
    """

    def __init__(self, input_dim, output_dim, dtype="float32", weight_initializer=None, sparse_grad=False,
                 **kwargs):
        super().__init__(**kwargs)
        if sparse_grad:
            raise MXNetError("Embedding: sparse_grad=True (row_sparse gradients) is not supported by ssdkit")
        self._kwargs = {"input_dim": input_dim, "output_dim": output_dim, "dtype": dtype,
                        "sparse_grad": sparse_grad}
        self.weight = self.params.get("weight", shape=(input_dim, output_dim), init=weight_initializer,
                                      dtype=dtype, allow_deferred_init=True)

    def hybrid_forward(self, F, x, weight):
        return F.Embedding(x, weight, name="fwd", **self._kwargs)

    def __repr__(self):
        return "{block_name}({input_dim} -> {output_dim}, {dtype})".format(block_name=self.__class__.__name__,
                                                                           **self._kwargs)


class BatchNorm(HybridBlock):
    """Batch normalization with learnable ``gamma``/``beta`` and running statistics (``grad_req='null'``).

    Parameters
    ----------
    axis : int
        The channel axis.
    momentum : float
        Running statistics: ``running = momentum * running + (1 - momentum) * batch``.
    epsilon : float
    center, scale : bool
        Use ``beta`` / ``gamma`` (``scale=False`` fixes gamma at 1: MXNet's ``fix_gamma``).
    use_global_stats : bool
        Always normalize with the running statistics.
    in_channels : int
        0 = infer at the first forward.

    Examples
    --------
    >>> import ssdkit as mx
    >>> bn = BatchNorm(in_channels=2, prefix="bn_"); [p.name for p in bn.collect_params().values()]
    ['bn_gamma', 'bn_beta', 'bn_running_mean', 'bn_running_var']
    """

    def __init__(self, axis=1, momentum=0.9, epsilon=1e-5, center=True, scale=True, use_global_stats=False,
                 beta_initializer="zeros", gamma_initializer="ones", running_mean_initializer="zeros",
                 running_variance_initializer="ones", in_channels=0, **kwargs):
        super().__init__(**kwargs)
        self._kwargs = {"axis": axis, "eps": epsilon, "momentum": momentum, "fix_gamma": not scale,
                        "use_global_stats": use_global_stats}
        if in_channels != 0:
            self.in_channels = in_channels
        self.gamma = self.params.get("gamma", grad_req="write" if scale else "null", shape=(in_channels,),
                                     init=gamma_initializer, allow_deferred_init=True, differentiable=scale)
        self.beta = self.params.get("beta", grad_req="write" if center else "null", shape=(in_channels,),
                                    init=beta_initializer, allow_deferred_init=True, differentiable=center)
        self.running_mean = self.params.get("running_mean", grad_req="null", shape=(in_channels,),
                                            init=running_mean_initializer, allow_deferred_init=True,
                                            differentiable=False)
        self.running_var = self.params.get("running_var", grad_req="null", shape=(in_channels,),
                                           init=running_variance_initializer, allow_deferred_init=True,
                                           differentiable=False)

    def infer_shape(self, x, *args):
        channels = (x.shape[self._kwargs["axis"] % len(x.shape)],)
        for param in (self.gamma, self.beta, self.running_mean, self.running_var):
            param.shape = channels

    def cast(self, dtype):
        if np.dtype(dtype).name == "float16":  # statistics stay float32, as in MXNet
            dtype = "float32"
        super().cast(dtype)

    def hybrid_forward(self, F, x, gamma, beta, running_mean, running_var):
        return F.BatchNorm(x, gamma, beta, running_mean, running_var, name="fwd", **self._kwargs)

    def __repr__(self):
        in_channels = self.gamma.shape[0]
        content = ", ".join("=".join([k, repr(v)]) for k, v in self._kwargs.items())
        return f"{self.__class__.__name__}({content}, in_channels={in_channels if in_channels else None})"


class Flatten(HybridBlock):
    """Collapse all axes but the first: (N, ...) -> (N, prod(...)).

    The usual step between convolution or pooling feature maps (N, C, H, W) and a Dense classifier.

    Examples
    --------
    >>> import ssdkit as mx
    >>> Flatten()(mx.nd.zeros((2, 3, 4))).shape
    (2, 12)
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)

    def hybrid_forward(self, F, x):
        # MXNet calls F.flatten, an alias of the op registered as "Flatten" (the name its JSON shows)
        return F.Flatten(x)

    def __repr__(self):
        return self.__class__.__name__


class Lambda(Block):
    """Wrap an ``nd`` operator name or a Python function of NDArrays as a Block.

    Examples
    --------
    >>> import ssdkit as mx
    >>> Lambda("tanh")(mx.nd.zeros((1,))).asnumpy()
    array([0.], dtype=float32)
    """

    def __init__(self, function, prefix=None):
        super().__init__(prefix=prefix)
        if isinstance(function, str):
            if not hasattr(nd, function):
                raise MXNetError(f"Function name {function} is not found in ndarray.")
            self._func_impl = getattr(nd, function)
        elif callable(function):
            self._func_impl = function
        else:
            raise MXNetError(f"Unrecognized function in lambda: {function} of type {type(function)}")

    def forward(self, *args):
        return self._func_impl(*args)

    def __repr__(self):
        return f"{self.__class__.__name__}({self._func_impl.__name__})"


class HybridLambda(HybridBlock):
    """Wrap an operator name (in both ``nd`` and ``sym``) or a function ``f(F, x, *args)`` as a HybridBlock.

    Examples
    --------
    >>> import ssdkit as mx
    >>> HybridLambda(lambda F, x: F.relu(x))(mx.nd.array([-1.0])).asnumpy()
    array([0.], dtype=float32)
    """

    def __init__(self, function, prefix=None):
        super().__init__(prefix=prefix)
        if isinstance(function, str):
            if not hasattr(nd, function):
                raise MXNetError(f"Function name {function} is not found in symbol/ndarray.")
            self._func = lambda F, *args: getattr(F, function)(*args)
            self._func_name = function
        elif callable(function):
            self._func = function
            self._func_name = function.__name__
        else:
            raise MXNetError(f"Unrecognized function in lambda: {function} of type {type(function)}")

    def hybrid_forward(self, F, x, *args):
        return self._func(F, x, *args)

    def __repr__(self):
        return f"{self.__class__.__name__}({self._func_name})"


class Identity(HybridBlock):
    """Return the input unchanged (for residual branches; MXNet keeps it in ``gluon.contrib.nn``).

    Examples
    --------
    >>> import ssdkit as mx
    >>> x = mx.nd.ones((2,)); Identity()(x) is x
    True
    """

    def __init__(self, prefix=None, params=None):
        super().__init__(prefix=prefix, params=params)

    def hybrid_forward(self, F, x):
        return x
