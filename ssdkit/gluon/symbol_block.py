"""``SymbolBlock`` (a Block made from a Symbol: the "symbol bypass") and ``export`` in MXNet's file formats.

Examples
--------
>>> import ssdkit as mx
>>> from ssdkit.gluon import nn, SymbolBlock
>>> net = nn.HybridSequential(prefix='net_')
>>> with net.name_scope():
...     net.add(nn.Dense(4, activation='relu'), nn.Dense(2))
>>> net.initialize(); _ = net(mx.nd.ones((1, 3)))
>>> internals = net(mx.sym.var('data')).get_internals()
>>> hidden = SymbolBlock(internals['net_dense0_fwd_output'], mx.sym.var('data'),
...                      params=net.collect_params())
>>> hidden(mx.nd.ones((1, 3))).shape
(1, 4)
"""
from ..base import MXNetError
from .. import ndarray as nd
from ..symbol import Symbol, Group, load as load_symbol, compose
from .block import HybridBlock
from .parameter import ParameterDict
from .cached_op import call_cached

__all__ = ["SymbolBlock", "export_block"]


class SymbolBlock(HybridBlock):
    """A HybridBlock running a given Symbol graph; its parameters are the graph's variables.

    Parameters
    ----------
    outputs : Symbol or list of Symbol
    inputs : Symbol or list of Symbol
        Variables fed by the call's arguments, in order.
    params : ParameterDict, optional
        Parameters to share (matched by name), e.g. ``net.collect_params()`` of the source network.
    """

    def __init__(self, outputs, inputs, params=None):
        super().__init__(prefix="", params=None)
        outputs = list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]
        inputs = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
        for s in inputs:
            if not isinstance(s, Symbol) or len(s._outputs) != 1 or not s._outputs[0][0].is_variable:
                raise MXNetError("SymbolBlock: inputs must be variables made with mx.sym.var")
        self._graph = outputs[0] if len(outputs) == 1 else Group(outputs)
        self._single_output = len(outputs) == 1
        self._input_names = [s.name for s in inputs]
        missing = [n for n in self._input_names if n not in self._graph.list_inputs()]
        if missing:
            raise MXNetError(f"SymbolBlock: input(s) {missing} are not variables of the graph "
                             f"(graph inputs: {self._graph.list_inputs()[:10]}...)")
        shared = params if params is not None else ParameterDict()
        aux = set(self._graph.list_auxiliary_states())
        for name in self._graph.list_arguments() + self._graph.list_auxiliary_states():
            if name in self._input_names:
                continue
            if name in shared._params:
                self.params._params[name] = shared._params[name]
            else:
                self.params.get(name, grad_req="null" if name in aux else "write", allow_deferred_init=True)
        self._active = True

    def forward(self, x, *args):
        inputs = (x,) + args
        if all(isinstance(a, Symbol) for a in inputs):
            if len(inputs) != len(self._input_names):
                raise MXNetError(f"SymbolBlock expects {len(self._input_names)} inputs, got {len(inputs)}")
            out = compose(self._graph, dict(zip(self._input_names, inputs)))
            return out if self._single_output else list(out)
        return call_cached(self, *inputs)

    def hybrid_forward(self, F, x, *args, **kwargs):
        raise MXNetError("SymbolBlock runs its graph directly; hybrid_forward is not used")

    def hybridize(self, active=True, **kwargs):
        """A SymbolBlock always runs its graph; hybridize only clears cached plans."""
        self.__dict__.pop("_cached_graphs", None)

    @staticmethod
    def imports(symbol_file, input_names, param_file=None, ctx=None, allow_missing=False, ignore_extra=False):
        """Load a model exported by ``HybridBlock.export`` (ssdkit's or MXNet 1.x's files).

        Parameters
        ----------
        symbol_file : str
            ``<prefix>-symbol.json``.
        input_names : str or list of str
        param_file : str, optional
            ``<prefix>-<epoch>.params`` with ``arg:``/``aux:`` keys.
        """
        names = [input_names] if isinstance(input_names, str) else list(input_names)
        from ..symbol import var
        block = SymbolBlock(load_symbol(symbol_file), [var(n) for n in names])
        if param_file is not None:
            block.collect_params().load(param_file, ctx=ctx, allow_missing=allow_missing,
                                        ignore_extra=ignore_extra)
        return block


def export_block(block, path, epoch=0, remove_amp_cast=True):
    """Write ``path-symbol.json`` and ``path-%04d.params`` (``arg:``/``aux:`` keys) like MXNet's export.

    The block must have been hybridized and run once, so its graph is known.
    Returns the two file names.
    """
    graphs = block.__dict__.get("_cached_graphs")
    if not graphs:
        raise MXNetError("Please first call block.hybridize() and then run forward with this block at least "
                         "once before calling export.")
    graph = next(iter(graphs.values()))[0]
    symbol = graph.symbol if len(graph.symbol) > 1 else graph.symbol[0]
    sym_file, param_file = f"{path}-symbol.json", f"{path}-{epoch:04d}.params"
    symbol.save(sym_file)
    args, aux = set(symbol.list_arguments()), set(symbol.list_auxiliary_states())
    arrays = {}
    for name, param in block.collect_params().items():
        if name in args:
            arrays[f"arg:{name}"] = param.data()
        elif name in aux:
            arrays[f"aux:{name}"] = param.data()
    nd.save(param_file, arrays)
    return sym_file, param_file
