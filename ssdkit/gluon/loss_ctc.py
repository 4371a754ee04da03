"""``gluon.loss.CTCLoss``: the CTC loss block over the ``CTCLoss`` op, with MXNet 1.9.1's layouts
(predictions ``NTC`` or ``TNC``, labels ``NT`` or ``TN``) and its blank class at index C-1 (padding -1).

Examples
--------
>>> import ssdkit as mx
>>> pred = mx.nd.zeros((1, 2, 2))                    # batch 1, two steps, classes {'a', blank}
>>> CTCLoss()(pred, mx.nd.array([[0]])).asnumpy().round(4)
array([0.2877], dtype=float32)
"""
from ..base import MXNetError
from .loss import Loss, _apply_weighting

__all__ = ["CTCLoss"]


class CTCLoss(Loss):
    """Connectionist temporal classification loss, one value per sample.

    For sequence labelling without a frame-by-frame alignment of labels to inputs (speech or handwriting
    recognition): it sums over every alignment of the label sequence, with a blank class between labels.

    Parameters
    ----------
    layout : {'NTC', 'TNC'}
        Layout of the predictions (unnormalized scores; the last class is the blank).
    label_layout : {'NT', 'TN'}
        Layout of the labels (padded with -1).
    weight : float or None

    Inputs: ``pred``, ``label``, optional ``pred_lengths`` / ``label_lengths`` (N,), ``sample_weight``.

    Examples
    --------
    >>> CTCLoss(layout='TNC')._batch_axis
    0
    """

    def __init__(self, layout="NTC", label_layout="NT", weight=None, **kwargs):
        if layout not in ("NTC", "TNC"):
            raise MXNetError(f"CTCLoss: only 'NTC' and 'TNC' layouts for pred are supported, got {layout!r}")
        if label_layout not in ("NT", "TN"):
            raise MXNetError(f"CTCLoss: only 'NT' and 'TN' layouts for label are supported, got {label_layout!r}")
        self._layout = layout
        self._label_layout = label_layout
        super().__init__(weight, label_layout.find("N"), **kwargs)

    def hybrid_forward(self, F, pred, label, pred_lengths=None, label_lengths=None, sample_weight=None):
        if self._layout == "NTC":
            pred = F.swapaxes(pred, 0, 1)
        if self._batch_axis == 1:
            label = F.swapaxes(label, 0, 1)
        inputs = [pred, label] + [a for a in (pred_lengths, label_lengths) if a is not None]
        loss = F.CTCLoss(*inputs, use_data_lengths=pred_lengths is not None,
                         use_label_lengths=label_lengths is not None, blank_label="last")
        return _apply_weighting(F, loss, self._weight, sample_weight)
