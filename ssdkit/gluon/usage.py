"""Which registered blocks a forward actually uses: the answer to "I only wired some blocks in forward — what
happens to the others?".

A child registered on a block (as an attribute, or by ``add``/``register_child``) is part of the model whatever
``forward`` does: ``initialize`` gives it values, ``save_parameters`` writes them and ``collect_params`` hands
them to the Trainer. If ``forward`` never calls it, it produces no output and never gets a gradient, so
``Trainer.step`` stops with a stale-gradient error naming its parameters. A child called twice shares its
weights between the two places.

:func:`block_usage` runs one forward (and, by default, one backward of the summed outputs) and reports:

* ``never_called`` — registered children the forward never called, with their parameter counts;
* ``called_twice`` — children called more than once (shared weights);
* ``no_gradient`` — trainable parameters the backward did not reach (never-called children's, and those whose
  outputs do not flow into the result).

Nothing here runs unless asked: blocks carry no bookkeeping. ``Block.summary`` prints the same sections after
its table, and ``Trainer.step``'s stale-gradient error names blocks the same way.

Examples
--------
>>> import ssdkit as mx
>>> from ssdkit.gluon import nn
>>> class TwoOfThree(mx.gluon.Block):
...     def __init__(self, **kwargs):
...         super().__init__(**kwargs)
...         with self.name_scope():
...             self.heads = nn.Sequential()
...             self.heads.add(nn.Dense(2), nn.Dense(3), nn.Dense(4))
...     def forward(self, x):
...         return self.heads[0](x) + self.heads[2](x).sum(axis=1, keepdims=True)
>>> net = TwoOfThree(); net.initialize()
>>> report = block_usage(net, mx.nd.ones((1, 5)))
>>> [path for path, _ in report.never_called]
['heads.1']
>>> sorted(p.name for p in report.no_gradient)
['twoofthree0_dense1_bias', 'twoofthree0_dense1_weight']
"""
import textwrap

from .. import autograd
from ..ndarray import NDArray
from .nesting import flatten
from .tree import descendants, imperatively, describe

__all__ = ["BlockUsage", "CallCounter", "block_usage", "parameter_count"]

_MEANING = ("Registered but never called: initialized, saved by save_parameters and handed to the Trainer, but "
            "it produces no output and never gets a gradient (Trainer.step raises a stale-gradient error for its "
            "parameters unless you pass ignore_stale_grad=True, or stop registering the block).")


def parameter_count(blk):
    """``(known, deferred)``: the number of values in ``blk``'s own and descendants' parameters whose shape is
    known, and how many parameters are still deferred (shape unknown until the block is first called).

    Examples
    --------
    >>> import ssdkit as mx
    >>> parameter_count(mx.gluon.nn.Dense(3, in_units=2)), parameter_count(mx.gluon.nn.Dense(3))
    ((9, 0), (3, 1))
    """
    known = deferred = 0
    for param in blk.collect_params().values():
        shape = tuple(param.shape or ())
        if not shape or any(d <= 0 for d in shape):
            deferred += 1
        else:
            size = 1
            for d in shape:
                size *= d
            known += size
    return known, deferred


class CallCounter:
    """A ``with`` scope counting calls of every descendant of ``block`` (by forward pre-hooks).

    Hybridized blocks run imperatively inside it, so their children's calls are seen too.

    Examples
    --------
    >>> import ssdkit as mx
    >>> seq = mx.gluon.nn.Sequential(prefix='c_')
    >>> seq.add(mx.gluon.nn.Dense(1, in_units=1)); seq.initialize()
    >>> with CallCounter(seq) as counter:
    ...     _ = seq(mx.nd.ones((1, 1)))
    >>> counter.calls
    {'0': 1}
    """

    def __init__(self, block):
        self.block = block
        self.children = list(descendants(block))
        self.calls = {path: 0 for path, _ in self.children}
        self._handles = []
        self._imperative = None

    def __enter__(self):
        paths_of = {}
        for path, child in self.children:
            paths_of.setdefault(id(child), (child, []))[1].append(path)
        for child, paths in paths_of.values():
            def count(_blk, _args, paths=paths):
                for path in paths:
                    self.calls[path] += 1
            self._handles.append(child.register_forward_pre_hook(count))
        self._imperative = imperatively(self.block)
        self._imperative.__enter__()
        return self

    def __exit__(self, *exc):
        self._imperative.__exit__(*exc)
        for handle in self._handles:
            handle.detach()
        self._handles = []

    def usage(self, no_gradient=None):
        """The :class:`BlockUsage` of the calls counted so far."""
        called = [path for path, count in self.calls.items() if count]
        never, twice = [], []
        for path, child in self.children:
            count = self.calls[path]
            # a container whose children were called directly (self.heads[0](x)) is in use; a child inside a
            # never-called parent is covered by its parent's line
            inner_called = any(c.startswith(path + ".") for c in called)
            parent_never = any(path.startswith(p + ".") for p, _ in never)
            if count == 0 and not inner_called and not parent_never:
                never.append((path, child))
            elif count > 1:
                twice.append((path, child, count))
        return BlockUsage(self.block, never, twice, no_gradient)


class BlockUsage:
    """What :func:`block_usage` found: ``never_called`` [(path, block)], ``called_twice`` [(path, block, n)],
    ``no_gradient`` [Parameter] (None when no backward was run).

    ``str(report)`` is a short text; ``report.lines()`` the same as a list.

    Examples
    --------
    >>> import ssdkit as mx
    >>> print(BlockUsage(mx.gluon.nn.Dense(1, prefix='d_'), [], [], None))
    Every registered child of Dense 'd' was called exactly once.
    """

    def __init__(self, block, never_called, called_twice, no_gradient):
        self.block = block
        self.never_called = never_called
        self.called_twice = called_twice
        self.no_gradient = no_gradient

    def lines(self):
        """The report as lines of text (empty sections left out)."""
        out = []
        if self.never_called:
            out.append(f"Registered children never called by this forward ({len(self.never_called)}):")
            for path, child in self.never_called:
                known, deferred = parameter_count(child)
                size = f"{known:,} parameters" + (f" + {deferred} still deferred (shape unknown until called)"
                                                  if deferred else "")
                out.append(f"  {describe(path, child):<40} {size}")
            out.extend(textwrap.wrap(_MEANING, 110))
        if self.called_twice:
            out.append(f"Children called more than once, sharing their weights ({len(self.called_twice)}):")
            for path, child, count in self.called_twice:
                out.append(f"  {describe(path, child):<40} called {count} times")
        if self.no_gradient:
            names = ", ".join(p.name for p in self.no_gradient)
            out.append(f"Trainable parameters the backward of the summed outputs did not reach "
                       f"({len(self.no_gradient)}): {names}")
        if not out:
            out.append(f"Every registered child of {type(self.block).__name__} '{self.block.name}' was called "
                       "exactly once." + (" Every trainable parameter got a gradient." if self.no_gradient == []
                                          else ""))
        return out

    def __str__(self):
        return "\n".join(self.lines())

    __repr__ = __str__


def _heads(outputs):
    return [o for o in flatten(outputs, "output")[0] if isinstance(o, NDArray)]


def _reached_parameters(block, inputs):
    """Run forward + backward of the summed outputs; return the trainable parameters with no fresh gradient.

    Parameter values, gradients and freshness flags are restored afterwards (BatchNorm's running statistics
    would otherwise move), so a report leaves the model as it was.
    """
    params = [p for p in block.collect_params().values() if p._data is not None]
    saved_data = [[d._data.copy() for d in p.list_data()] for p in params]
    trainable = [p for p in params if p.grad_req != "null"]
    saved_grads = [[(g._data.copy(), d._fresh_grad) for g, d in zip(p.list_grad(), p.list_data())]
                   for p in trainable]
    for p in trainable:
        for d in p.list_data():
            d._fresh_grad = False
    try:
        with autograd.record():
            heads = _heads(block(*inputs))
        if any(h._entry is not None for h in heads):
            autograd.backward(heads)
        # a parameter still deferred after the forward belongs to a block that was never called
        return [p for p in block.collect_params().values()
                if p.grad_req != "null" and (p._data is None or not all(d._fresh_grad for d in p.list_data()))]
    finally:
        for p, arrays in zip(params, saved_data):
            for d, value in zip(p.list_data(), arrays):
                d._data[...] = value
        for p, grads in zip(trainable, saved_grads):
            for g, d, (value, fresh) in zip(p.list_grad(), p.list_data(), grads):
                g._data[...] = value
                d._fresh_grad = fresh


def block_usage(block, *inputs, gradients=True):
    """Run ``block(*inputs)`` once and report children never called, called twice, and (with ``gradients``)
    trainable parameters the backward of the summed outputs never reached.

    Parameters
    ----------
    block : Block
        Initialized (deferred shapes are fine: this forward completes them). Hybridized blocks are run
        imperatively for this call; SymbolBlocks work too (they have no children; ``no_gradient`` still lists
        parameters the graph does not connect to its outputs).
    *inputs : NDArray
        One batch the block accepts.
    gradients : bool
        Also run one backward (in training mode) to find parameters that get no gradient. Parameter values and
        gradients are restored afterwards; random layers (Dropout) draw from the global generator.

    Returns
    -------
    BlockUsage

    Examples
    --------
    >>> import ssdkit as mx
    >>> shared = mx.gluon.nn.Dense(2, in_units=2, prefix='shared_')
    >>> class Twice(mx.gluon.Block):
    ...     def __init__(self):
    ...         super().__init__(prefix='twice_')
    ...         self.layer = shared
    ...     def forward(self, x):
    ...         return self.layer(self.layer(x))
    >>> net = Twice(); net.initialize()
    >>> print(block_usage(net, mx.nd.ones((1, 2))))  # doctest: +NORMALIZE_WHITESPACE
    Children called more than once, sharing their weights (1):
      layer (Dense)                            called 2 times
    """
    with CallCounter(block) as counter:
        if gradients:
            missing = _reached_parameters(block, inputs)
        else:
            with autograd.pause():
                block(*inputs)
            missing = None
    return counter.usage(missing)
