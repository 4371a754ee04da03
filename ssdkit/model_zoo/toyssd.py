"""The straight-dope ToySSD (chapter08_computer-vision/object-detection.ipynb) as a hybridizable block.

The notebook's ``ToySSD`` is a plain ``Block`` whose ``forward`` indexes ``Sequential`` containers. This
version keeps the same children, attribute names and parameter names (``toyssd0_conv16_weight`` ... for the
first model of a process), so ``save_parameters`` files move between the two, but its containers are
``HybridSequential`` and the forward is a ``hybrid_forward``: ``net.hybridize()`` and ``net.export()`` work.

At a 256 x 256 input the five scales are 32, 16, 8, 4 and 1 pixels wide with 4 anchors per pixel:
``4 * (32**2 + 16**2 + 8**2 + 4**2 + 1) = 5444`` anchors.

Examples
--------
>>> import ssdkit as mx
>>> net = ToySSD(1)
>>> net.initialize()
>>> anchors, cls_preds, box_preds = net(mx.nd.zeros((1, 3, 64, 64)))
>>> anchors.shape, cls_preds.shape, box_preds.shape
((1, 344, 4), (1, 344, 2), (1, 1376))
"""
from .. import ndarray as nd
from ..base import MXNetError
from ..gluon import HybridBlock, nn

__all__ = ["ToySSD", "toyssd_detect", "class_predictor", "box_predictor", "down_sample", "toy_body",
           "TOYSSD_SIZES", "TOYSSD_RATIOS", "TOYSSD_ANCHORS_PER_PIXEL"]

#: Anchor sizes (fractions of the image side) of the five scales, as in the notebook.
TOYSSD_SIZES = ((.2, .272), (.37, .447), (.54, .619), (.71, .79), (.88, .961))
#: Aspect ratios of every scale.
TOYSSD_RATIOS = ((1, 2, .5),) * 5
#: len(sizes) + len(ratios) - 1 anchors per feature-map pixel (MultiBoxPrior's rule).
TOYSSD_ANCHORS_PER_PIXEL = 4
NUM_SCALES = 5
NUM_DOWNSAMPLES = 3          # scales 1..3 come from down_sample(128) blocks
GLOBAL_POOL_SCALE = 3        # the last scale is a global max-pool of scale 3's feature map
BODY_FILTERS = (16, 32, 64)
DOWNSAMPLE_FILTERS = 128


def class_predictor(num_anchors, num_classes):
    """A 3x3 convolution predicting ``num_classes + 1`` scores (background first) per anchor.

    Parameters
    ----------
    num_anchors : int
        Anchors per feature-map pixel.
    num_classes : int
        Foreground classes.

    Returns
    -------
    nn.Conv2D
        Output shape ``(B, num_anchors * (num_classes + 1), H, W)``.

    Examples
    --------
    >>> import ssdkit as mx
    >>> layer = class_predictor(5, 10); layer.initialize()
    >>> layer(mx.nd.zeros((2, 3, 20, 20))).shape
    (2, 55, 20, 20)
    """
    return nn.Conv2D(num_anchors * (num_classes + 1), 3, padding=1)


def box_predictor(num_anchors):
    """A 3x3 convolution predicting 4 box offsets per anchor.

    Parameters
    ----------
    num_anchors : int

    Returns
    -------
    nn.Conv2D
        Output shape ``(B, num_anchors * 4, H, W)``.

    Examples
    --------
    >>> import ssdkit as mx
    >>> layer = box_predictor(10); layer.initialize()
    >>> layer(mx.nd.zeros((2, 3, 20, 20))).shape
    (2, 40, 20, 20)
    """
    return nn.Conv2D(num_anchors * 4, 3, padding=1)


def down_sample(num_filters):
    """Two (3x3 conv, BatchNorm, relu) stages then a 2x2 max-pool: halves the feature map.

    Parameters
    ----------
    num_filters : int

    Returns
    -------
    nn.HybridSequential
        ``(B, C, H, W) -> (B, num_filters, H // 2, W // 2)``.

    Examples
    --------
    >>> import ssdkit as mx
    >>> blk = down_sample(10); blk.initialize()
    >>> blk(mx.nd.zeros((2, 3, 20, 20))).shape
    (2, 10, 10, 10)
    """
    out = nn.HybridSequential()
    for _ in range(2):
        out.add(nn.Conv2D(num_filters, 3, strides=1, padding=1))
        out.add(nn.BatchNorm(in_channels=num_filters))
        out.add(nn.Activation('relu'))
    out.add(nn.MaxPool2D(2))
    return out


def toy_body():
    """The notebook's ``body()``: three down-sample blocks of 16, 32 and 64 filters (stride 8).

    Returns
    -------
    nn.HybridSequential
        ``(B, 3, H, W) -> (B, 64, H // 8, W // 8)``.

    Examples
    --------
    >>> import ssdkit as mx
    >>> net = toy_body(); net.initialize()
    >>> net(mx.nd.zeros((1, 3, 32, 32))).shape
    (1, 64, 4, 4)
    """
    out = nn.HybridSequential()
    for num_filters in BODY_FILTERS:
        out.add(down_sample(num_filters))
    return out


class ToySSD(HybridBlock):
    """The straight-dope SSD: a body of three down-sample blocks, three more down-sample blocks, a global
    max-pool, and class/box predictors on five scales.

    Parameters
    ----------
    num_classes : int
        Foreground classes.
    sizes, ratios : sequence of 5 sequences of float, optional
        Anchor sizes and ratios per scale (default: the notebook's :data:`TOYSSD_SIZES`, :data:`TOYSSD_RATIOS`).
    **kwargs
        ``prefix``, ``params`` as for any Block.

    Inputs
    ------
    x : (B, 3, H, W)

    Returns
    -------
    anchors : (1, N, 4)
        Corner anchors normalized to [0, 1] (MultiBoxPrior).
    class_preds : (B, N, num_classes + 1)
        Class scores (background first), before softmax.
    box_preds : (B, 4 * N)
        Box offsets, encoded as MultiBoxTarget with variances (0.1, 0.1, 0.2, 0.2).

    Examples
    --------
    >>> import ssdkit as mx
    >>> from ssdkit.symbol.naming import NameManager
    >>> with NameManager():
    ...     net = ToySSD(2)
    >>> net.initialize(mx.init.Xavier(magnitude=2))
    >>> [o.shape for o in net(mx.nd.zeros((1, 3, 256, 256)))]
    [(1, 5444, 4), (1, 5444, 3), (1, 21776)]
    >>> net.body[0][0].weight.name, len(net.collect_params())
    ('toyssd0_conv16_weight', 92)
    """

    def __init__(self, num_classes, sizes=TOYSSD_SIZES, ratios=TOYSSD_RATIOS, **kwargs):
        super().__init__(**kwargs)
        if len(sizes) != NUM_SCALES or len(ratios) != NUM_SCALES:
            raise MXNetError(f"ToySSD: expected {NUM_SCALES} anchor size and ratio lists, "
                             f"got {len(sizes)} sizes and {len(ratios)} ratios")
        self.anchor_sizes = [list(s) for s in sizes]
        self.anchor_ratios = [list(r) for r in ratios]
        self.num_classes = int(num_classes)
        num_anchors = len(self.anchor_sizes[0]) + len(self.anchor_ratios[0]) - 1
        with self.name_scope():
            # Created in the notebook's order so the name counters (conv0.., batchnorm0..) match it; the
            # explicit container prefixes keep the notebook's block names (sequential0..2).
            downsamples = nn.HybridSequential(prefix="sequential0_")
            class_preds = nn.HybridSequential(prefix="sequential1_")
            box_preds = nn.HybridSequential(prefix="sequential2_")
            for _ in range(NUM_DOWNSAMPLES):
                downsamples.add(down_sample(DOWNSAMPLE_FILTERS))
            for _ in range(NUM_SCALES):
                class_preds.add(class_predictor(num_anchors, self.num_classes))
                box_preds.add(box_predictor(num_anchors))
            self.body = toy_body()
            self.downsamples, self.class_preds, self.box_preds = downsamples, class_preds, box_preds

    def hybrid_forward(self, F, x):
        x = self.body(x)
        anchors, class_preds, box_preds = [], [], []
        for i in range(NUM_SCALES):
            anchors.append(F.contrib.MultiBoxPrior(x, sizes=self.anchor_sizes[i], ratios=self.anchor_ratios[i]))
            box_preds.append(F.flatten(F.transpose(self.box_preds[i](x), axes=(0, 2, 3, 1))))
            class_preds.append(F.flatten(F.transpose(self.class_preds[i](x), axes=(0, 2, 3, 1))))
            if i < NUM_DOWNSAMPLES:
                x = self.downsamples[i](x)
            elif i == GLOBAL_POOL_SCALE:
                x = F.Pooling(x, global_pool=True, pool_type='max', kernel=(4, 4))
        anchors = F.concat(*anchors, dim=1)
        box_preds = F.concat(*box_preds, dim=1)
        class_preds = F.reshape(F.concat(*class_preds, dim=1), shape=(0, -1, self.num_classes + 1))
        return anchors, class_preds, box_preds


def toyssd_detect(anchors, class_preds, box_preds, nms_thresh=0.45, nms_topk=400, threshold=0.01,
                  force_suppress=False):
    """Detections from ToySSD outputs, as the notebook does it: softmax, then ``MultiBoxDetection``.

    Parameters
    ----------
    anchors : NDArray, (1, N, 4)
    class_preds : NDArray, (B, N, C + 1)
    box_preds : NDArray, (B, 4 * N)
    nms_thresh : float
        IoU at or above which a lower-scored box of the same class is suppressed.
    nms_topk : int
        Boxes entering NMS per image (-1: all).
    threshold : float
        Minimum class probability of a detection.
    force_suppress : bool
        Suppress across classes too.

    Returns
    -------
    NDArray, (B, N, 6)
        Rows ``[class_id, score, xmin, ymin, xmax, ymax]`` (normalized corners), best first;
        ``class_id = -1`` marks suppressed or empty rows.

    Examples
    --------
    >>> import ssdkit as mx
    >>> anchors = mx.nd.array([[[0., 0., .5, .5], [0., 0., .52, .5]]])
    >>> scores = mx.nd.array([[[0., 2.], [0., 1.]]])
    >>> out = toyssd_detect(anchors, scores, mx.nd.zeros((1, 8)))
    >>> out[0, :, 0].asnumpy().tolist()      # the second box overlaps the first: suppressed
    [0.0, -1.0]
    """
    probs = nd.transpose(nd.softmax(class_preds, axis=-1), axes=(0, 2, 1))
    return nd.contrib.MultiBoxDetection(probs, box_preds, anchors, clip=False, threshold=threshold,
                                        nms_threshold=nms_thresh, nms_topk=nms_topk,
                                        force_suppress=force_suppress)
