"""``mx.model``: MXNet 1.x's checkpoint files — ``prefix-symbol.json`` and ``prefix-%04d.params`` with the
arrays stored under ``arg:<name>`` / ``aux:<name>`` — and ``BatchEndParam``, what batch callbacks receive.

Examples
--------
>>> import os, tempfile, ssdkit as mx
>>> prefix = os.path.join(tempfile.mkdtemp(), 'net')
>>> net = mx.sym.FullyConnected(mx.sym.var('data'), num_hidden=2, name='fc')
>>> save_checkpoint(prefix, 3, net, {'fc_weight': mx.nd.ones((2, 4)), 'fc_bias': mx.nd.zeros((2,))}, {})
>>> sym, args, auxs = load_checkpoint(prefix, 3)
>>> sym.list_outputs(), sorted(args), os.path.basename(prefix) + '-0003.params' in os.listdir(os.path.dirname(prefix))
(['fc_output'], ['fc_bias', 'fc_weight'], True)
"""
import logging
from collections import namedtuple

from .base import MXNetError
from . import ndarray as nd
from . import symbol as sym

__all__ = ["BatchEndParam", "save_checkpoint", "load_checkpoint", "load_params", "split_params"]

#: What ``batch_end_callback`` functions receive: the epoch, the batch number, the metric and the caller's locals.
BatchEndParam = namedtuple("BatchEndParams", ["epoch", "nbatch", "eval_metric", "locals"])


def save_checkpoint(prefix, epoch, symbol, arg_params, aux_params, remove_amp_cast=True):
    """Write ``prefix-symbol.json`` (when ``symbol`` is given) and ``prefix-%04d.params`` (``epoch``).

    Examples
    --------
    >>> import os, tempfile, ssdkit as mx
    >>> prefix = os.path.join(tempfile.mkdtemp(), 'm')
    >>> save_checkpoint(prefix, 1, None, {'w': mx.nd.ones((1,))}, {'s': mx.nd.zeros((1,))})
    >>> sorted(mx.nd.load(prefix + '-0001.params'))
    ['arg:w', 'aux:s']
    """
    if symbol is not None:
        symbol.save(f"{prefix}-symbol.json", remove_amp_cast=remove_amp_cast)
    saved = {f"arg:{k}": v.as_in_context(_cpu()) for k, v in arg_params.items()}
    saved.update({f"aux:{k}": v.as_in_context(_cpu()) for k, v in aux_params.items()})
    name = f"{prefix}-{epoch:04d}.params"
    nd.save(name, saved)
    logging.info('Saved checkpoint to "%s"', name)


def _cpu():
    from .context import cpu
    return cpu()


def load_params(prefix, epoch):
    """``(arg_params, aux_params)`` read from ``prefix-%04d.params``.

    Examples
    --------
    >>> import os, tempfile, ssdkit as mx
    >>> prefix = os.path.join(tempfile.mkdtemp(), 'm')
    >>> save_checkpoint(prefix, 2, None, {'w': mx.nd.ones((1,))}, {})
    >>> load_params(prefix, 2)[0]['w'].asnumpy()
    array([1.], dtype=float32)
    """
    return split_params(nd.load(f"{prefix}-{epoch:04d}.params"), f"{prefix}-{epoch:04d}.params")


def split_params(loaded, source):
    """``(arg_params, aux_params)`` from the ``arg:<name>`` / ``aux:<name>`` entries of a loaded ``.params``.

    Examples
    --------
    >>> import ssdkit as mx
    >>> split_params({'arg:w': mx.nd.ones((1,)), 'aux:s': mx.nd.zeros((1,))}, 'x.params')[1]['s'].shape
    (1,)
    """
    if isinstance(loaded, list) and not loaded:   # nothing saved: an empty file reads as an empty list
        loaded = {}
    if not isinstance(loaded, dict):
        raise MXNetError(f"load_params: {source} holds an unnamed list of arrays; a checkpoint stores "
                         "'arg:<name>' / 'aux:<name>' entries")
    arg_params, aux_params = {}, {}
    for key, value in loaded.items():
        kind, _, pname = key.partition(":")
        if kind not in ("arg", "aux"):
            raise MXNetError(f"load_params: {source} has entry {key!r}; expected 'arg:<name>' or 'aux:<name>'")
        (arg_params if kind == "arg" else aux_params)[pname] = value
    return arg_params, aux_params


def load_checkpoint(prefix, epoch):
    """``(symbol, arg_params, aux_params)`` read from ``prefix-symbol.json`` and ``prefix-%04d.params``.

    Examples
    --------
    >>> import os, tempfile, ssdkit as mx
    >>> prefix = os.path.join(tempfile.mkdtemp(), 'm')
    >>> save_checkpoint(prefix, 0, mx.sym.var('x') * 2, {}, {})
    >>> load_checkpoint(prefix, 0)[0].list_arguments()
    ['x']
    """
    symbol = sym.load(f"{prefix}-symbol.json")
    arg_params, aux_params = load_params(prefix, epoch)
    return symbol, arg_params, aux_params
