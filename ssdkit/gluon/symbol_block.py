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
import os
import warnings

from ..base import MXNetError
from .. import ndarray as nd
from ..symbol import Symbol, Group, load as load_symbol, compose, var
from .block import HybridBlock
from .nesting import flatten, regroup
from .parameter import ParameterDict
from .cached_op import call_cached, predict_graph

__all__ = ["SymbolBlock", "export_block", "SparseParameterError"]

ROW_SPARSE_STORAGE = "1"   # a variable's __storage_type__ attribute for row_sparse (mx.sym.var(stype='row_sparse'))


class SparseParameterError(MXNetError, AssertionError):
    """A SymbolBlock's graph has a row_sparse variable (MXNet asserts here: SymbolBlock takes dense ones).

    Examples
    --------
    >>> import ssdkit as mx
    >>> w = mx.sym.var('w', stype='row_sparse')
    >>> SymbolBlock(mx.sym.dot(mx.sym.var('data'), w), mx.sym.var('data'))
    Traceback (most recent call last):
    ...
    ssdkit.gluon.symbol_block.SparseParameterError: SymbolBlock doesn't support Parameter 'w' because its storage type is 'row_sparse'.
    """


class SymbolBlock(HybridBlock):
    """A HybridBlock running a given Symbol graph; its parameters are the graph's variables.

    Parameters keep the graph's variable names as they are (MXNet's rule), also when the block is created
    inside a parent's ``name_scope()`` (GluonCV's FeatureExpander): ``outer0_extra_conv_weight``.

    Parameters
    ----------
    outputs : Symbol or list of Symbol
        A multi-output Symbol or a list gives a list of NDArrays per call; a single output, one NDArray.
    inputs : Symbol or list of Symbol
        Variables fed by the call's arguments, in order.
    params : ParameterDict, optional
        Parameters to share (matched by name), e.g. ``net.collect_params()`` of the source network.
    """

    def __init__(self, outputs, inputs, params=None):
        super().__init__(prefix=None, params=None)
        self._prefix = ""
        self._params = ParameterDict("", params)
        if isinstance(inputs, Symbol) and len(inputs.list_outputs()) == 1:
            inputs = [inputs]
        if isinstance(outputs, (list, tuple)) and len(outputs) == 1:
            outputs = outputs[0]
        syms, self._in_format = flatten(inputs, "input")
        out, self._out_format = flatten(outputs, "output")
        for s in syms:
            if not isinstance(s, Symbol) or len(s._outputs) != 1 or not s._outputs[0][0].is_variable:
                raise MXNetError(f"SymbolBlock: inputs must be variables made with mx.sym.var; got {s}")
        self._graph = out[0] if len(out) == 1 else Group(out)
        for node in self._graph._nodes():
            if node.is_variable and node.attrs.get("__storage_type__") == ROW_SPARSE_STORAGE:
                raise SparseParameterError(f"SymbolBlock doesn't support Parameter '{node.name}' because its "
                                           "storage type is 'row_sparse'.")
        self._input_names = [s.name for s in syms]
        missing = [n for n in self._input_names if n not in self._graph.list_inputs()]
        if missing:
            raise MXNetError(f"SymbolBlock: input(s) {missing} are not variables of the graph "
                             f"(graph inputs: {self._graph.list_inputs()[:10]}...)")
        for name in self._graph.list_arguments():
            if name not in self._input_names:
                self.params.get(name, allow_deferred_init=True)
        for name in self._graph.list_auxiliary_states():
            if name not in self._input_names:
                self.params.get(name, grad_req="null", allow_deferred_init=True)
        size = len(os.path.commonprefix(list(self._params.keys())))
        self._reg_params = {key[size:]: value for key, value in self._params.items()}
        self._active = True

    def forward(self, x, *args):
        inputs = (x,) + args
        if any(isinstance(a, Symbol) for a in flatten(list(inputs), "input")[0]):
            flat, fmt = flatten(list(inputs), "input")
            if fmt != self._in_format:
                raise MXNetError(f"SymbolBlock expects inputs shaped as {self._in_format}, got {fmt}")
            out = compose(self._graph, dict(zip(self._input_names, flat)))
            return regroup(list(out), self._out_format)
        return call_cached(self, *inputs)

    def hybrid_forward(self, F, x, *args, **kwargs):
        raise MXNetError("SymbolBlock runs its graph directly; hybrid_forward is not used")

    def hybridize(self, active=True, static_alloc=False, static_shape=False, inline_limit=2, **kwargs):
        """A SymbolBlock always runs its graph; hybridize clears cached plans and sets the options the next
        one is built with (``inline_limit``, ``static_alloc``: see :meth:`HybridBlock.hybridize`)."""
        self._flags = {"static_alloc": static_alloc, "static_shape": static_shape, "inline_limit": inline_limit}
        self._clear_cached_op()

    @staticmethod
    def imports(symbol_file, input_names, param_file=None, ctx=None, allow_missing=False, ignore_extra=False):
        """Load a model exported by ``HybridBlock.export`` (ssdkit's or MXNet 1.x's files).

        A graph with several outputs gives a list of every output per call, as in MXNet.

        Parameters
        ----------
        symbol_file : str
            ``<prefix>-symbol.json``.
        input_names : str or list of str
        param_file : str, optional
            ``<prefix>-<epoch>.params`` with ``arg:``/``aux:`` keys.
        """
        names = [input_names] if isinstance(input_names, str) else list(input_names)
        block = SymbolBlock(load_symbol(symbol_file), [var(n) for n in names])
        if param_file is not None:
            block.collect_params().load(param_file, ctx=ctx, allow_missing=allow_missing,
                                        ignore_extra=ignore_extra)
        return block


def export_block(block, path, epoch=0, remove_amp_cast=True):
    """Write ``path-symbol.json`` and ``path-%04d.params`` (``arg:``/``aux:`` keys) like MXNet's export.

    The graph written is the block's predict-mode graph (see :func:`ssdkit.gluon.cached_op.predict_graph`);
    the block must have been hybridized and run once, so its input signature is known.
    Returns the two file names.
    """
    symbol, differs = predict_graph(block)
    if differs:
        warnings.warn(f"export: {block.name} ran only in training mode and its graph depends on "
                      "autograd.is_training(); writing its predict-mode graph", stacklevel=3)
    symbol = symbol if len(symbol) > 1 else next(iter(symbol))  # output selection (symbol[0] indexes values in np mode)
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
