"""``RecordFileDetection``: GluonCV's detection dataset over MXNet-style ``.rec``/``.idx`` files.

Samples are ``(image, label)``: an RGB ``(H, W, 3)`` uint8 NDArray and a float32 ``(K, B)`` array of rows
``[xmin, ymin, xmax, ymax, cls_id, extra...]`` in pixels (GluonCV's column order), converted from the
record's ``[A, B, header extras, (cls_id, xmin, ymin, xmax, ymax, extra...) * K]``.

Examples
--------
>>> import os, tempfile
>>> import numpy as np
>>> from ssdkit.recordio import IRHeader, MXIndexedRecordIO, make_det_label, pack_img
>>> d = tempfile.mkdtemp()
>>> with MXIndexedRecordIO(os.path.join(d, "p.idx"), os.path.join(d, "p.rec"), "w") as w:
...     label = make_det_label([[0, .25, .5, .75, 1.0]])
...     w.write_idx(0, pack_img(IRHeader(0, label, 0, 0), np.zeros((20, 40, 3), np.uint8), img_fmt=".png"))
>>> img, label = RecordFileDetection(os.path.join(d, "p.rec"))[0]
>>> img.shape, label.tolist()
((20, 40, 3), [[10.0, 10.0, 30.0, 20.0, 0.0]])
"""
import numpy as np

from ...base import DTYPE
from ...gluon.data.vision import ImageRecordDataset
from ...recordio import parse_det_label

__all__ = ["RecordFileDetection", "det_label_to_gluoncv"]

_XYXY = slice(0, 4)


def det_label_to_gluoncv(label, width=None, height=None, where="label"):
    """MXNet's flat detection label -> GluonCV rows ``[xmin, ymin, xmax, ymax, cls_id, extra...]``.

    Parameters
    ----------
    label : array_like
        ``[A, B, header extras, objects...]`` (A and B read from the data).
    width, height : float, optional
        Scale normalized corners to pixels when given.
    where : str
        Names the record in errors.

    Returns
    -------
    numpy.ndarray, float32, (K, B)

    Examples
    --------
    >>> det_label_to_gluoncv([2, 6, 3, .1, .2, .3, .4, 1], 10, 10).tolist()
    [[1.0, 2.0, 3.0, 4.0, 3.0, 1.0]]
    """
    _, objects = parse_det_label(label, where)
    out = np.empty_like(objects, dtype=DTYPE)
    out[:, _XYXY] = objects[:, 1:5]
    out[:, 4] = objects[:, 0]
    out[:, 5:] = objects[:, 5:]
    if width is not None and height is not None:
        out[:, (0, 2)] *= width
        out[:, (1, 3)] *= height
    return out


class RecordFileDetection(ImageRecordDataset):
    """Detection samples from a ``.rec`` file (with its ``.idx``) in the format ``ImageDetIter`` reads.

    Parameters
    ----------
    filename : str
        Path of the ``.rec`` file.
    coord_normalized : bool, default True
        The record stores corners in [0, 1]; scale them to pixels.

    Returns
    -------
    image : NDArray, uint8, (H, W, 3)
    label : numpy.ndarray, float32, (K, B) — ``xmin, ymin, xmax, ymax, cls_id, extra...``; K may be 0.

    Examples
    --------
    >>> import os, tempfile
    >>> from ssdkit.recordio import IRHeader, MXIndexedRecordIO, make_det_label, pack_img
    >>> d = tempfile.mkdtemp()
    >>> with MXIndexedRecordIO(os.path.join(d, "q.idx"), os.path.join(d, "q.rec"), "w") as w:
    ...     w.write_idx(0, pack_img(IRHeader(0, make_det_label([[1, 2, 2, 6, 4]]), 0, 0),
    ...                             np.zeros((8, 8, 3), np.uint8), img_fmt=".png"))
    >>> RecordFileDetection(os.path.join(d, "q.rec"), coord_normalized=False)[0][1].tolist()
    [[2.0, 2.0, 6.0, 4.0, 1.0]]
    """

    def __init__(self, filename, coord_normalized=True):
        super().__init__(filename, flag=1)
        self._coord_normalized = coord_normalized

    def __getitem__(self, idx):
        img, label = super().__getitem__(idx)
        h, w = img.shape[:2]
        where = f"{self.filename} record #{idx}"
        if self._coord_normalized:
            return img, det_label_to_gluoncv(label, w, h, where)
        return img, det_label_to_gluoncv(label, where=where)
