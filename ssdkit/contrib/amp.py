"""``mx.contrib.amp``: MXNet's automatic mixed precision, as far as ssdkit can honour it.

ssdkit computes in float32 (numpy has no fast float16/bfloat16 kernels), so :func:`init`, which would recast
operators to float16, refuses with an MXNetError saying so, the way GPU contexts are refused. Everything else
follows MXNet from there: :func:`init_trainer` and :func:`scale_loss` require ``init`` first (MXNet asserts
the same), and :func:`unscale` multiplies a Trainer's gradients by its pending scale. Scripts that import amp
and use it only behind a flag (GluonCV's ``train_ssd.py --amp``) run unchanged without the flag.

Examples
--------
>>> init()
Traceback (most recent call last):
...
ssdkit.base.MXNetError: amp.init: automatic mixed precision (operators recast to float16) is not available in ssdkit, which computes in float32; train without AMP
"""
import contextlib
import sys

from ..base import MXNetError

__all__ = ["init", "init_trainer", "scale_loss", "unscale"]


def init(target_dtype="float16", target_precision_ops=None, conditional_fp32_ops=None, fp32_ops=None):
    """Would switch operators to ``target_dtype``; ssdkit computes in float32, so this raises MXNetError."""
    raise MXNetError(f"amp.init: automatic mixed precision (operators recast to {target_dtype}) is not available "
                     "in ssdkit, which computes in float32; train without AMP")


def init_trainer(optimizer_or_trainer):
    """Dynamic loss scaling for a Trainer; needs :func:`init` first, as in MXNet (so it raises here).

    Examples
    --------
    >>> init_trainer(None)
    Traceback (most recent call last):
    ...
    AssertionError: AMP not initialized, did you forget to call amp.init()?
    """
    raise AssertionError("AMP not initialized, did you forget to call amp.init()?")


@contextlib.contextmanager
def scale_loss(loss, optimizer_or_trainer):
    """``with scale_loss(loss, trainer) as scaled:`` yields the loss (or list of losses) times the Trainer's
    loss scale and sets its gradient scale to undo it; needs :func:`init_trainer` first, as in MXNet.

    Examples
    --------
    >>> with scale_loss(1.0, object()) as scaled:
    ...     pass
    Traceback (most recent call last):
    ...
    AssertionError: Loss scaler is not initialized, did you forget to call amp.init_trainer()?
    """
    scaler = getattr(optimizer_or_trainer, "_amp_loss_scaler", None)
    if scaler is None:
        raise AssertionError("Loss scaler is not initialized, did you forget to call amp.init_trainer()?")
    optimizer_or_trainer._scale = optimizer_or_trainer._amp_original_scale / scaler.loss_scale
    if isinstance(loss, (list, tuple)):
        yield [item * scaler.loss_scale for item in loss]
    else:
        yield scaler.loss_scale * loss


def unscale(optimizer_or_trainer):
    """Multiply a Trainer's gradients by its pending scale and set the scale to 1 (before clipping gradients).

    Examples
    --------
    >>> import ssdkit as mx
    >>> p = mx.gluon.Parameter("w", shape=(2,)); p.initialize(); p.grad()[:] = 4
    >>> trainer = mx.gluon.Trainer([p], "sgd"); trainer._scale = 0.25
    >>> unscale(trainer); p.grad().asnumpy(), trainer._scale
    (array([1., 1.], dtype=float32), 1.0)
    """
    from ..gluon.trainer import Trainer
    if not isinstance(optimizer_or_trainer, Trainer):
        raise TypeError(f"optimizer_or_trainer should be a Gluon Trainer, instead is {type(optimizer_or_trainer)}")
    for param in optimizer_or_trainer._params:
        if param.grad_req != "null" and param._grad is not None:
            for g in param.list_grad():
                g[:] *= optimizer_or_trainer._scale
    optimizer_or_trainer._scale = 1.0

# MXNet's functions live in the submodule mxnet.contrib.amp.amp (``from mxnet.contrib.amp import amp``); here
# that path names this module itself.
amp = sys.modules[__name__]
