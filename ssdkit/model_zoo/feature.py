"""Multi-scale features from a network's internals (GluonCV ``gluoncv/nn/feature.py`` semantics).

:class:`FeatureExtractor` takes named internal outputs of a network; :class:`FeatureExpander` also appends
stride-2 stages after the last of them (optional 1x1 transition ``expand_trans_conv{i}``, 3x3 stride-2
``expand_conv{i}``, BatchNorm and relu). Both are ``SymbolBlock``\\ s over the network's symbol (the
"symbol bypass") that share the network's Parameters, so training one trains the other.

Layer names are the symbol names without the network prefix and without ``_output``: for a
``tiny_vgg()`` backbone ``'stage3_relu1_fwd'`` is the output of ``tinyvgg0_stage3_relu1_fwd``
(``net(mx.sym.var('data')).get_internals().list_outputs()`` lists them).

Initialization: GluonCV tags the appended convolutions with ``Xavier(rnd_type='gaussian', factor_type='out',
magnitude=2)``, but MXNet's SymbolBlock creates its Parameters without an ``init``, so ``initialize()`` gives
every appended parameter the global initializer (BatchNorm gammas and even moving variances drawn at random).
Here the appended Parameters carry explicit initializers, as ``nn.Conv2D``/``nn.BatchNorm`` would: the
Xavier above for the convolutions, ones for gammas and moving variances, zeros for betas and moving means.

Examples
--------
>>> import ssdkit as mx
>>> from ssdkit.gluon import nn
>>> base = nn.HybridSequential(prefix='base_')
>>> with base.name_scope():
...     base.add(nn.Conv2D(8, 3, padding=1), nn.Activation('relu'))
>>> feats = FeatureExpander(base, ['relu0_fwd'], num_filters=[16], min_depth=4)
>>> feats.initialize()
>>> [f.shape for f in feats(mx.nd.zeros((1, 3, 8, 8)))]
[(1, 8, 8, 8), (1, 16, 4, 4)]
>>> feats.collect_params()['base_conv0_weight'] is base.collect_params()['base_conv0_weight']
True
"""

from .. import initializer
from .. import symbol as sym
from ..base import MXNetError
from ..gluon import HybridBlock, SymbolBlock
from ..symbol import Symbol

__all__ = ["FeatureExtractor", "FeatureExpander", "EXPAND_WEIGHT_INIT"]

#: GluonCV's initializer of the appended convolutions.
EXPAND_WEIGHT_INIT = initializer.Xavier(rnd_type="gaussian", factor_type="out", magnitude=2)
#: Initializers of the appended BatchNorm parameters (those of nn.BatchNorm), by name suffix.
_BN_INITS = {"_gamma": initializer.One(), "_beta": initializer.Zero(), "_moving_mean": initializer.Zero(),
             "_moving_var": initializer.One()}
OUTPUT_SUFFIX = "_output"


def _parse_network(network, outputs, inputs, pretrained):
    """(input Symbol(s), output Symbols, shared ParameterDict or None) of a network and layer names."""
    if pretrained:
        raise MXNetError("FeatureExtractor: ssdkit ships no pretrained weights (pretrained=True)")
    inputs = [sym.var(i) if isinstance(i, str) else i for i in ([inputs] if isinstance(inputs, str) else inputs)]
    if not inputs or not all(isinstance(i, Symbol) for i in inputs):
        raise MXNetError(f"FeatureExtractor: inputs must be names or variables, got {inputs!r}")
    if isinstance(network, str):
        from .backbones import get_backbone
        network = get_backbone(network)
    params, prefix = None, ""
    if isinstance(network, HybridBlock):
        params, prefix = network.collect_params(), network.prefix
        network = network(*inputs)
    if not isinstance(network, Symbol):
        raise MXNetError(f"FeatureExtractor: network must be a backbone name, a HybridBlock or a Symbol, "
                         f"got {type(network).__name__}")
    outputs = [outputs] if isinstance(outputs, str) else list(outputs)
    if not outputs:
        raise MXNetError("FeatureExtractor: give at least one output layer name")
    internals = network.get_internals()
    available = internals.list_outputs()
    picked = []
    for name in outputs:
        full = prefix + (name if name.endswith(OUTPUT_SUFFIX) else name + OUTPUT_SUFFIX)
        if full not in available:
            close = [a[len(prefix):-len(OUTPUT_SUFFIX)] for a in available if a.endswith(OUTPUT_SUFFIX)
                     and name.split("_")[0] in a][:8]
            raise MXNetError(f"FeatureExtractor: the network has no layer {name!r} ({full}); similar: {close}")
        picked.append(internals[full])
    return (inputs[0] if len(inputs) == 1 else inputs), picked, params


class FeatureExtractor(SymbolBlock):
    """The named internal outputs of ``network``, as a SymbolBlock sharing its parameters.

    Parameters
    ----------
    network : str, HybridBlock or Symbol
        A backbone name of :func:`ssdkit.model_zoo.backbones.get_backbone`, a block, or a symbol.
    outputs : str or list of str
        Layer names (prefix and ``_output`` optional).
    inputs : sequence of str or Symbol, default ('data',)
    pretrained : bool
        Must be False (no pretrained weights ship with ssdkit).
    ctx : Context, optional
        Accepted for GluonCV compatibility.

    Returns
    -------
    list of NDArray
        One feature map per output, when called.

    Examples
    --------
    >>> import ssdkit as mx
    >>> from ssdkit.gluon import nn
    >>> base = nn.HybridSequential(prefix='b_')
    >>> with base.name_scope():
    ...     base.add(nn.Dense(3), nn.Dense(2))
    >>> ext = FeatureExtractor(base, ['dense0_fwd', 'dense1_fwd']); ext.initialize()
    >>> [o.shape for o in ext(mx.nd.ones((4, 5)))]
    [(4, 3), (4, 2)]
    """

    def __init__(self, network, outputs, inputs=("data",), pretrained=False, ctx=None):
        inputs, outputs, params = _parse_network(network, outputs, inputs, pretrained)
        super().__init__(outputs, inputs, params=params)


class FeatureExpander(SymbolBlock):
    """Features of ``network`` plus ``len(num_filters)`` appended stride-2 stages (and a global pool).

    Stage ``i`` on the previous output ``y``: when ``use_1x1_transition``, a 1x1 convolution
    ``expand_trans_conv{i}`` with ``max(min_depth, round(f * reduce_ratio))`` filters (+ BatchNorm
    ``expand_trans_bn{i}`` when ``use_bn``) and relu; then a 3x3 stride-2 pad-1 convolution ``expand_conv{i}``
    with ``f`` filters (+ ``expand_bn{i}``) and relu ``expand_reu{i}`` (GluonCV's spelling). Convolutions
    followed by BatchNorm have no bias.

    Parameters
    ----------
    network : str, HybridBlock or Symbol
    outputs : str or list of str
        Layer names of ``network`` to expose (the last one feeds the appended stages).
    num_filters : list of int
    use_1x1_transition : bool, default True
    use_bn : bool, default True
    reduce_ratio : float, default 1.0
    min_depth : int, default 128
    global_pool : bool, default False
        Append a global average pool of the last stage as one more output.
    pretrained : bool
        Must be False.
    ctx : Context, optional
    inputs : sequence of str, default ('data',)

    Returns
    -------
    list of NDArray
        ``len(outputs) + len(num_filters) (+ 1)`` feature maps, when called.

    Examples
    --------
    >>> import ssdkit as mx
    >>> feats = FeatureExpander('tiny_vgg', ['stage3_relu1_fwd'], [32, 16], min_depth=8, global_pool=True)
    >>> feats.initialize()
    >>> [f.shape[1:] for f in feats(mx.nd.zeros((1, 3, 64, 64)))]
    [(128, 4, 4), (32, 2, 2), (16, 1, 1), (16, 1, 1)]
    >>> feats.collect_params()['expand_bn0_moving_var'].data().asnumpy()[:3]
    array([1., 1., 1.], dtype=float32)
    >>> sorted(n for n in feats.collect_params() if n.startswith('expand_conv'))
    ['expand_conv0_weight', 'expand_conv1_weight']
    """

    def __init__(self, network, outputs, num_filters, use_1x1_transition=True, use_bn=True, reduce_ratio=1.0,
                 min_depth=128, global_pool=False, pretrained=False, ctx=None, inputs=("data",)):
        inputs, outputs, params = _parse_network(network, outputs, inputs, pretrained)
        picked = sym.Group(list(outputs)).list_inputs()
        y = outputs[-1]

        def conv(data, name, num_filter, **kwargs):
            return sym.Convolution(data, num_filter=num_filter, no_bias=use_bn, name=name, **kwargs)

        for i, f in enumerate(num_filters):
            if use_1x1_transition:
                y = conv(y, f"expand_trans_conv{i}", max(min_depth, int(round(f * reduce_ratio))), kernel=(1, 1))
                if use_bn:
                    y = sym.BatchNorm(y, name=f"expand_trans_bn{i}")
                y = sym.Activation(y, act_type="relu", name=f"expand_trans_relu{i}")
            y = conv(y, f"expand_conv{i}", f, kernel=(3, 3), pad=(1, 1), stride=(2, 2))
            if use_bn:
                y = sym.BatchNorm(y, name=f"expand_bn{i}")
            y = sym.Activation(y, act_type="relu", name=f"expand_reu{i}")
            outputs.append(y)
        if global_pool:
            outputs.append(sym.Pooling(y, pool_type="avg", global_pool=True, kernel=(1, 1)))
        super().__init__(outputs, inputs, params=params)
        for name, param in self.params.items():
            if name not in picked:   # the appended stages' parameters (prefixed inside a name_scope)
                param.init = EXPAND_WEIGHT_INIT if name.endswith("_weight") else next(
                    (init for suffix, init in _BN_INITS.items() if name.endswith(suffix)), initializer.Zero())
