"""``gluon.HybridBlock``: a block written once as ``hybrid_forward(F, x, *args, **params)`` that runs
imperatively (F = ``ssdkit.ndarray``), traces into a Symbol graph (F = ``ssdkit.symbol``), or, after
``hybridize()``, through the cached graph of :mod:`ssdkit.gluon.cached_op`.

Deferred initialization: when a parameter's shape still has unknown (0) dimensions at the first imperative call,
``infer_shape(x, *args)`` fills them in (core layers have explicit rules; other blocks trace a symbol graph and
use ``Symbol.infer_shape``), the parameters finish initializing and the call proceeds.

Examples
--------
>>> import ssdkit as mx
>>> class Scale(HybridBlock):
...     def __init__(self, **kwargs):
...         super().__init__(**kwargs)
...         self.s = self.params.get("s", shape=(1,), init=mx.init.Constant(2.0))
...     def hybrid_forward(self, F, x, s):
...         return F.broadcast_mul(x, s)
>>> blk = Scale(prefix="scale_"); blk.initialize()
>>> blk(mx.nd.array([1.0, 3.0])).asnumpy()
array([2., 6.], dtype=float32)
"""
import warnings

from .. import ndarray as nd
from ..base import MXNetError, DeferredInitializationError
from .block import Block
from .nesting import flatten, gather_type_ctx_info

__all__ = ["HybridBlock"]


def _symbol_module():
    from .. import symbol  # L4, loaded only when a graph is traced
    return symbol


class HybridBlock(Block):
    """A Block whose computation is ``hybrid_forward(F, x, *args, **params)``; children must be HybridBlocks.

    Examples
    --------
    >>> import ssdkit as mx
    >>> seq = mx.gluon.nn.HybridSequential(prefix="s_")
    >>> seq.add(mx.gluon.nn.Lambda("tanh"))
    Traceback (most recent call last):
    ...
    ssdkit.base.MXNetError: Children of HybridBlock must also be HybridBlock, but Lambda(tanh) has type ...
    """

    def __init__(self, prefix=None, params=None):
        super().__init__(prefix=prefix, params=params)
        self._active = False
        self._op_hook = None   # (callback, monitor_all) of register_op_hook, read by the cached graph
        self._flags = {}       # hybridize() options the cached graph is built with (inline_limit, static_alloc)

    def __setattr__(self, name, value):
        super().__setattr__(name, value)
        if isinstance(value, HybridBlock):
            self._clear_cached_op()

    def register_child(self, block, name=None):
        if not isinstance(block, HybridBlock):
            raise MXNetError(
                "Children of HybridBlock must also be HybridBlock, but %s has type %s. If you are using "
                "Sequential, please try HybridSequential instead." % (str(block), str(type(block))))
        super().register_child(block, name)
        self._clear_cached_op()

    def _clear_cached_op(self):
        self.__dict__.pop("_cached_graphs", None)  # the graphs of gluon.cached_op, one per (signature, mode)
        self.__dict__.pop("_cached_in_format", None)  # which arguments were None at the first hybridized call

    def hybridize(self, active=True, backend=None, clear=True, static_alloc=False, static_shape=False,
                  inline_limit=2, forward_bulk_size=None, backward_bulk_size=None, **kwargs):
        """Turn the cached graph on (or off) for this block and its descendants.

        Parameters
        ----------
        active : bool
        backend : str, optional
            Graph partitioning backend name (kept for the cached graph; ssdkit has none).
        clear : bool
            Drop any graph cached earlier.
        static_alloc, static_shape : bool
            MXNet's memory-planning hints; accepted for compatibility (ssdkit's executor always plans
            its buffers). ``static_alloc`` turns inlining off, as in MXNet.
        inline_limit : int
            Under ``autograd.record()`` a graph of at most this many operators is recorded op by op (as an
            imperative call is) instead of as one ``_CachedOp`` node (see :mod:`ssdkit.gluon.cached_op`).

        The cache holds one graph per input signature (shapes, dtypes) and mode (``autograd.is_training()``),
        so a ``hybrid_forward`` that branches on the mode is traced once per mode and never runs the
        wrong branch.
        """
        self._active = active
        self._flags = {"static_alloc": static_alloc, "static_shape": static_shape, "inline_limit": inline_limit}
        if clear:
            self._clear_cached_op()
        if active and self._forward_hooks or self._forward_pre_hooks:
            warnings.warn('"{block}" is being hybridized while still having forward hook/pre-hook. If "{block}" '
                          "is a child of HybridBlock, the hooks will not take effect.".format(block=self))
        super().hybridize(active, static_alloc=static_alloc, static_shape=static_shape,
                          inline_limit=inline_limit, forward_bulk_size=forward_bulk_size,
                          backward_bulk_size=backward_bulk_size)

    def register_op_hook(self, callback, monitor_all=False):
        """Call ``callback(name, op_name, array)`` for every op output of this block's hybridized graph.

        As MXNet's: ``name`` (``b'net_dense0_fwd_output'``) and ``op_name`` (``b'FullyConnected'``) are bytes,
        ``array`` is the value (an NDArray here; MXNet passes a handle to one). With ``monitor_all`` the
        inputs of every op are reported too (``b'net_dense0_fwd_weight'``), before its outputs; in training
        also BatchNorm's batch ``mean``/``var`` and Dropout's ``mask``. Children get the same hook;
        ``register_op_hook(None)`` removes it. While a hook is installed the graph runs op by op, without fused kernels, so every
        named value exists. See ``docs/hybridize.md`` ("Finding the op that makes a NaN").

        Examples
        --------
        >>> import ssdkit as mx
        >>> net = mx.gluon.nn.Dense(2, in_units=3, prefix='fc_'); net.initialize(); net.hybridize()
        >>> seen = []
        >>> net.register_op_hook(lambda name, op, arr: seen.append((name, op, arr.shape)))
        >>> _ = net(mx.nd.ones((4, 3))); seen
        [(b'fc_fwd_output', b'FullyConnected', (4, 2))]
        """
        self._op_hook = (callback, bool(monitor_all)) if callback is not None else None
        for child in self._children.values():
            child._op_hook = self._op_hook

    def cast(self, dtype):
        self._clear_cached_op()
        super().cast(dtype)

    # ------------------------------------------------------------------ graph
    def _get_graph(self, *args):
        """Trace ``hybrid_forward`` with symbols: ``(input variables, grouped output Symbol)``.

        One input is named ``data``; several are ``data0, data1, ...`` (MXNet's convention).
        """
        from .cached_op import trace
        traced = trace(self, args)
        return traced.inputs, traced.symbol

    def _call_cached_op(self, *args):
        from .cached_op import call_cached
        return call_cached(self, *args)

    def _deferred_infer_shape(self, *args):
        try:
            self.infer_shape(*args)
        except Exception as err:
            raise MXNetError(f"Deferred initialization failed because shape cannot be inferred. {err}") from err

    def _infer_attrs(self, infer_fn, attr, *args):
        """Generic inference: trace a graph and read parameter shapes/dtypes from ``Symbol.infer_*``."""
        inputs, out = self._get_graph(*args)
        flat_args = [a for a in flatten(args, "input")[0] if a is not None]
        arg_attrs, _, aux_attrs = getattr(out, infer_fn)(
            **{var.name: getattr(arr, attr) for var, arr in zip(inputs, flat_args)})
        if arg_attrs is None:
            raise MXNetError(f"{self.name}: {infer_fn} could not infer the parameters from inputs "
                             f"{[getattr(a, attr) for a in flat_args]}")
        known = dict(zip(out.list_arguments(), arg_attrs))
        known.update(zip(out.list_auxiliary_states(), aux_attrs))
        for param in self.collect_params().values():
            if param.name in known:
                setattr(param, attr, known[param.name])

    def infer_shape(self, *args):
        """Fill in unknown parameter dimensions from the input shapes (by tracing the symbol graph).

        Core layers (Dense, Conv2D, BatchNorm, ...) override this with explicit shape rules.
        """
        self._infer_attrs("infer_shape", "shape", *args)

    def infer_type(self, *args):
        """Infer parameter dtypes from the inputs (by tracing the symbol graph)."""
        self._infer_attrs("infer_type", "dtype", *args)

    def export(self, path, epoch=0, remove_amp_cast=True):
        """Write ``path-symbol.json`` and ``path-%04d.params`` (MXNet's layout) of the **predict-mode** graph.

        The block must be hybridized and have run forward once. The graph written is the one traced with
        ``autograd.is_training()`` False (the inference branch of a block that branches on the mode), for
        the input signature of an earlier call, whichever mode that call ran in. Unlike MXNet 1.9.1, which
        writes whichever graph it traced first, a block that ran only in training mode still exports its
        predict-mode graph (with a warning saying so when the two differ). Returns the two file names.
        """
        from .symbol_block import export_block
        return export_block(self, path, epoch)

    # ------------------------------------------------------------------ forward
    def forward(self, x, *args):
        """Dispatch on the input type: Symbol -> trace; hybridized -> cached graph; else imperative.

        Parameters
        ----------
        x : NDArray or Symbol
        *args : NDArray or Symbol (same kind as ``x``), or None
        """
        has_symbol, has_ndarray, ctx_set, first_ctx = gather_type_ctx_info([x] + list(args))
        if has_symbol and has_ndarray:
            raise MXNetError("In HybridBlock, we do not support mixed NDArrays and Symbols types for the input. "
                             "Please check the type of the args.\n")
        if not has_symbol and not has_ndarray:
            raise MXNetError("In HybridBlock, there must be one NDArray or one Symbol in the input. Please check "
                             "the type of the args.\n")
        if has_ndarray:
            if self._active:
                if len(ctx_set) > 1:
                    raise MXNetError("Find multiple contexts in the input, After hybridized, the HybridBlock only "
                                     "supports one input context. You can print the ele.ctx in the input arguments "
                                     f"to inspect their contexts. Find all contexts = {ctx_set}")
                with first_ctx:
                    return self._call_cached_op(x, *args)
            with first_ctx:
                try:
                    params = {k: v.data(first_ctx) for k, v in self._reg_params.items()}
                except DeferredInitializationError:
                    self._deferred_infer_shape(x, *args)
                    for param in self.params.values():
                        param._finish_deferred_init()
                    params = {k: v.data(first_ctx) for k, v in self._reg_params.items()}
                return self.hybrid_forward(nd, x, *args, **params)
        symbol = _symbol_module()
        params = {k: v.var() for k, v in self._reg_params.items()}
        with self.name_scope():
            return self.hybrid_forward(symbol, x, *args, **params)

    def hybrid_forward(self, F, x, *args, **kwargs):
        """The computation with ``F`` = ``ssdkit.ndarray`` or ``ssdkit.symbol``; subclasses override it."""
        raise MXNetError(f"{type(self).__name__} is a HybridBlock without hybrid_forward(self, F, x, ...); "
                         "define it")
