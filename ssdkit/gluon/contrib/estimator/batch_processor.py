"""``BatchProcessor``: what the Estimator does with one batch (split over devices, forward, loss, backward);
subclass it to customize ``fit_batch`` / ``evaluate_batch``.

Examples
--------
>>> BatchProcessor().fit_batch.__name__
'fit_batch'
"""
from .... import autograd
from ...utils import split_and_load

__all__ = ["BatchProcessor"]


class BatchProcessor:
    """Train or evaluate an estimator's network on one ``(data, label)`` batch.

    Examples
    --------
    >>> import ssdkit as mx
    >>> from ssdkit.gluon.contrib.estimator import Estimator
    >>> net = mx.gluon.nn.Dense(2, in_units=3); net.initialize()
    >>> est = Estimator(net, mx.gluon.loss.L2Loss(), trainer=mx.gluon.Trainer(net.collect_params(), "sgd"))
    >>> data, label, pred, loss = BatchProcessor().evaluate_batch(est, (mx.nd.ones((4, 3)), mx.nd.zeros((4, 2))))
    >>> pred[0].shape, loss[0].shape
    ((4, 2), (4,))
    """

    def _get_data_and_label(self, batch, ctx, batch_axis=0):
        data = split_and_load(batch[0], ctx_list=ctx, batch_axis=batch_axis)
        label = split_and_load(batch[1], ctx_list=ctx, batch_axis=batch_axis)
        return data, label

    def evaluate_batch(self, estimator, val_batch, batch_axis=0):
        """Predictions and losses of ``estimator.val_net`` on one batch: ``(data, label, pred, loss)``, one
        entry per device."""
        data, label = self._get_data_and_label(val_batch, estimator.context, batch_axis)
        pred = [estimator.val_net(x) for x in data]
        loss = [estimator.val_loss(y_hat, y) for y_hat, y in zip(pred, label)]
        return data, label, pred, loss

    def fit_batch(self, estimator, train_batch, batch_axis=0):
        """Forward and backward of ``estimator.net`` on one batch (gradients are left for the trainer):
        ``(data, label, pred, loss)``, one entry per device."""
        data, label = self._get_data_and_label(train_batch, estimator.context, batch_axis)
        with autograd.record():
            pred = [estimator.net(x) for x in data]
            loss = [estimator.loss(y_hat, y) for y_hat, y in zip(pred, label)]
        for value in loss:
            value.backward()
        return data, label, pred, loss
