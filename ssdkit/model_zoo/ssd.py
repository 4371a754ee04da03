"""Single-shot multibox detector with GluonCV's interface (``gluoncv/model_zoo/ssd/ssd.py``).

Differences from GluonCV, all following ssdkit's MultiBox conventions (the same as ToySSD's):

* anchors come from ``F.contrib.MultiBoxPrior`` on each feature map — corner boxes normalized to [0, 1]
  (sizes given in pixels of ``base_size`` are divided by it) — instead of a stored pixel anchor map, so any
  input size works without ``anchor_alloc_size``;
* inference decodes and suppresses with ``F.contrib.MultiBoxDetection`` (best class per anchor, NMS within a
  class) and returns normalized corner boxes; GluonCV keeps every class per anchor and returns pixels.

Parameter names and ``save_parameters`` keys are GluonCV's (features, then ``class_predictors.<i>.predictor``
and ``box_predictors.<i>.predictor`` made of :class:`ConvPredictor`), apart from GluonCV's stored anchor
constants (``anchor_generators.<i>.anchors``), which ssdkit does not need: a GluonCV-saved file loads with
``load_parameters(..., ignore_extra=True)``.

Training mode (``autograd.record()`` / ``train_mode``) returns ``(cls_preds (B, N, C + 1), box_preds (B, N, 4),
anchors (1, N, 4))``; otherwise ``(ids (B, K, 1), scores (B, K, 1), bboxes (B, K, 4))`` with
``K = post_nms`` (or every anchor when ``post_nms <= 0``), ``id = -1`` for empty rows.

Examples
--------
>>> import ssdkit as mx
>>> net = mx.model_zoo.get_model('ssd_256_tinyvgg_pikachu')
>>> net.initialize()
>>> ids, scores, boxes = net(mx.nd.zeros((1, 3, 256, 256)))
>>> ids.shape, boxes.shape
((1, 100, 1), (1, 100, 4))
>>> with mx.autograd.train_mode():
...     [o.shape for o in net(mx.nd.zeros((1, 3, 256, 256)))]
[(1, 1364, 2), (1, 1364, 4), (1, 1364, 4)]
"""
import math

from .. import autograd, initializer
from ..base import MXNetError
from ..gluon import HybridBlock, nn
from .feature import FeatureExpander

__all__ = ["SSD", "ConvPredictor", "PREDICTOR_INIT"]

#: GluonCV's ConvPredictor initializer.
PREDICTOR_INIT = initializer.Xavier(magnitude=2)
DEFAULT_STDS = (0.1, 0.1, 0.2, 0.2)
SCORE_THRESH = 0.01          # GluonCV's MultiPerClassDecoder threshold


class ConvPredictor(HybridBlock):
    """GluonCV's predictor: one convolution (3x3, pad 1, Xavier weights, zero bias) in a block of its own, so its
    parameters are named ``convpredictor{i}_conv0_*`` and saved as ``<i>.predictor.weight``, as GluonCV's.

    Parameters
    ----------
    num_channel : int
    kernel, pad, stride : tuple of 2 int
    activation : str, optional
    use_bias : bool
    in_channels : int

    Examples
    --------
    >>> import ssdkit as mx
    >>> p = ConvPredictor(8, prefix='p_'); p.initialize()
    >>> p(mx.nd.zeros((1, 4, 5, 5))).shape, p.predictor.weight.name
    ((1, 8, 5, 5), 'p_conv0_weight')
    """

    def __init__(self, num_channel, kernel=(3, 3), pad=(1, 1), stride=(1, 1), activation=None, use_bias=True,
                 in_channels=0, **kwargs):
        super().__init__(**kwargs)
        with self.name_scope():
            self.predictor = nn.Conv2D(num_channel, kernel, strides=stride, padding=pad, activation=activation,
                                       use_bias=use_bias, in_channels=in_channels,
                                       weight_initializer=PREDICTOR_INIT, bias_initializer="zeros")

    def hybrid_forward(self, F, x):
        return self.predictor(x)


class SSD(HybridBlock):
    """SSD: multi-scale features (FeatureExpander on a backbone, or a multi-output block), one 3x3 class and box
    predictor per scale, MultiBoxPrior anchors, MultiBoxDetection decoding.

    Parameters
    ----------
    network : str, HybridBlock or None
        Backbone (name or block) for :class:`FeatureExpander`; None: ``features`` builds the feature block.
    base_size : int
        Input side the anchor ``sizes`` refer to.
    features : list of str or callable
        Backbone layer names, or (``network=None``) a callable returning a multi-output HybridBlock.
    num_filters : list of int
        Filters of the appended stages (ignored when ``network`` is None).
    sizes : list of float
        ``num_layers + 1`` anchor sizes in pixels; layer ``i`` uses ``sizes[i]`` and
        ``sqrt(sizes[i] * sizes[i + 1])``.
    ratios : list of float or list of lists
        Aspect ratios (the first is paired with both sizes), for every layer or per layer.
    steps : list of int
        Strides of the layers in pixels (GluonCV bookkeeping; MultiBoxPrior derives centers from the map size).
    classes : list of str
    use_1x1_transition, use_bn, reduce_ratio, min_depth, global_pool
        As :class:`FeatureExpander`.
    pretrained : bool
        Must be False.
    stds : 4 floats
        Box-encoding variances.
    nms_thresh, nms_topk, post_nms
        See :meth:`set_nms`.
    ctx : Context, optional
        Accepted for GluonCV compatibility.

    Examples
    --------
    >>> import ssdkit as mx
    >>> net = SSD('tiny_vgg', 64, ['stage4_relu0_fwd'], [16], sizes=[16, 32, 64], ratios=[1, 2], steps=[32, 64],
    ...           classes=['a', 'b'], min_depth=8)
    >>> net.initialize()
    >>> with mx.autograd.train_mode():
    ...     [o.shape for o in net(mx.nd.zeros((1, 3, 64, 64)))]
    [(1, 15, 3), (1, 15, 4), (1, 15, 4)]
    """

    def __init__(self, network, base_size, features, num_filters, sizes, ratios, steps, classes,
                 use_1x1_transition=True, use_bn=True, reduce_ratio=1.0, min_depth=128, global_pool=False,
                 pretrained=False, stds=DEFAULT_STDS, nms_thresh=0.45, nms_topk=400, post_nms=100, ctx=None,
                 **kwargs):
        super().__init__(**kwargs)
        num_layers = len(ratios) if network is None else len(features) + len(num_filters) + int(global_pool)
        if not isinstance(ratios[0], (list, tuple)):
            ratios = [list(ratios)] * num_layers
        if num_layers < 1 or not len(sizes) == num_layers + 1 or len(ratios) != num_layers or \
                len(steps) != num_layers:
            raise MXNetError(f"SSD: {num_layers} output layers need {num_layers + 1} sizes, {num_layers} ratio "
                             f"lists and {num_layers} steps; got {len(sizes)}, {len(ratios)}, {len(steps)}")
        self.classes = list(classes)
        self.base_size = int(base_size)
        self._stds = tuple(stds)
        self.nms_thresh, self.nms_topk, self.post_nms = nms_thresh, nms_topk, post_nms
        # MultiBoxPrior's anchors at a pixel: (size_0, r_0), (size_1, r_0), (size_0, r_j) for j >= 1
        self._anchor_sizes = [[lo / base_size, math.sqrt(lo * hi) / base_size] for lo, hi in zip(sizes[:-1], sizes[1:])]
        self._anchor_ratios = [list(r) for r in ratios]
        self._steps = list(steps)
        with self.name_scope():   # as GluonCV: the features' parameters are named ssd0_...
            if network is None:
                self.features = features(pretrained=pretrained, ctx=ctx)
            else:
                self.features = FeatureExpander(
                    network=network, outputs=features, num_filters=num_filters,
                    use_1x1_transition=use_1x1_transition, use_bn=use_bn, reduce_ratio=reduce_ratio,
                    min_depth=min_depth, global_pool=global_pool, pretrained=pretrained, ctx=ctx)
            self.class_predictors = nn.HybridSequential()
            self.box_predictors = nn.HybridSequential()
            for ratio in self._anchor_ratios:
                num_anchors = 2 + len(ratio) - 1
                self.class_predictors.add(ConvPredictor(num_anchors * (self.num_classes + 1)))
                self.box_predictors.add(ConvPredictor(num_anchors * 4))

    @property
    def num_classes(self):
        """Number of foreground classes.

        Examples
        --------
        >>> from ssdkit import model_zoo
        >>> model_zoo.get_model('ssd_256_tinyvgg_voc').num_classes
        20
        """
        return len(self.classes)

    def set_nms(self, nms_thresh=0.45, nms_topk=400, post_nms=100):
        """Set the inference suppression (clears the cached graph).

        Parameters
        ----------
        nms_thresh : float
            IoU at or above which the lower-scored box of a class is dropped; outside (0, 1]: no NMS.
        nms_topk : int
            Highest-scored boxes entering NMS per image (-1: all).
        post_nms : int
            Rows returned per image (<= 0: all anchors).

        Examples
        --------
        >>> import ssdkit as mx
        >>> net = mx.model_zoo.get_model('ssd_256_tinyvgg_pikachu'); net.initialize()
        >>> net.set_nms(post_nms=5); net(mx.nd.zeros((1, 3, 128, 128)))[0].shape
        (1, 5, 1)
        """
        self._clear_cached_op()
        self.nms_thresh, self.nms_topk, self.post_nms = nms_thresh, nms_topk, post_nms

    def hybrid_forward(self, F, x):
        features = self.features(x)
        features = features if isinstance(features, (list, tuple)) else [features]
        if len(features) != len(self._anchor_sizes):
            raise MXNetError(f"SSD: the feature block gave {len(features)} outputs for "
                             f"{len(self._anchor_sizes)} anchor layers")
        cls_preds = [F.flatten(F.transpose(cp(feat), axes=(0, 2, 3, 1)))
                     for feat, cp in zip(features, self.class_predictors)]
        box_preds = [F.flatten(F.transpose(bp(feat), axes=(0, 2, 3, 1)))
                     for feat, bp in zip(features, self.box_predictors)]
        anchors = [F.reshape(F.contrib.MultiBoxPrior(feat, sizes=s, ratios=r), shape=(1, -1))
                   for feat, s, r in zip(features, self._anchor_sizes, self._anchor_ratios)]
        cls_preds = F.reshape(F.concat(*cls_preds, dim=1), shape=(0, -1, self.num_classes + 1))
        box_preds = F.reshape(F.concat(*box_preds, dim=1), shape=(0, -1, 4))
        anchors = F.reshape(F.concat(*anchors, dim=1), shape=(1, -1, 4))
        if autograd.is_training():
            return cls_preds, box_preds, anchors
        probs = F.transpose(F.softmax(cls_preds, axis=-1), axes=(0, 2, 1))
        result = F.contrib.MultiBoxDetection(probs, F.reshape(box_preds, shape=(0, -1)), anchors, clip=False,
                                             threshold=SCORE_THRESH, nms_threshold=self.nms_thresh,
                                             nms_topk=self.nms_topk, force_suppress=False, variances=self._stds)
        if self.post_nms > 0:
            result = F.slice_axis(result, axis=1, begin=0, end=self.post_nms)
        ids = F.slice_axis(result, axis=2, begin=0, end=1)
        scores = F.slice_axis(result, axis=2, begin=1, end=2)
        bboxes = F.slice_axis(result, axis=2, begin=2, end=6)
        return ids, scores, bboxes
