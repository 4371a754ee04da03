"""Synthetic networks in MXNet symbol-JSON layout (with entry shapes) for the viewer tests.

The builder names nodes the way Gluon does (``toyssd0_sequential0_conv0_fwd``, ``..._conv0_weight``) and
computes output shapes for the few layer kinds SSD models use, so the tests need neither MXNet nor the
symbol layer.
"""


class Scope:
    """A Gluon name scope: per-kind counters under a prefix."""

    def __init__(self, builder, prefix):
        self.b, self.prefix, self.counts = builder, prefix, {}

    def name(self, kind):
        n = self.counts.get(kind, 0)
        self.counts[kind] = n + 1
        return f"{self.prefix}{kind}{n}"

    def child(self, kind):
        return Scope(self.b, self.name(kind) + "_")

    # ------------------------------------------------------------------ layers (x = (node id, shape))
    def conv(self, x, channels, kernel=3, stride=1, pad=1, groups=1):
        name = self.name("conv")
        n, c, h, w = x[1]
        wt = self.b.var(f"{name}_weight", (channels, c // groups, kernel, kernel))
        bias = self.b.var(f"{name}_bias", (channels,))
        size = lambda d: (d + 2 * pad - kernel) // stride + 1
        attrs = {"kernel": f"({kernel}, {kernel})", "stride": f"({stride}, {stride})", "pad": f"({pad}, {pad})",
                 "num_filter": str(channels), "num_group": str(groups), "no_bias": "False"}
        return self.b.op("Convolution", f"{name}_fwd", [x, wt, bias], attrs, (n, channels, size(h), size(w)))

    def bn(self, x):
        name = self.name("batchnorm")
        c = x[1][1]
        extra = [self.b.var(f"{name}_{p}", (c,)) for p in ("gamma", "beta", "running_mean", "running_var")]
        return self.b.op("BatchNorm", f"{name}_fwd", [x] + extra, {"eps": "1e-05", "fix_gamma": "False"}, x[1])

    def relu(self, x):
        return self.b.op("Activation", f"{self.name('relu')}_fwd", [x], {"act_type": "relu"}, x[1])

    def pool(self, x, kernel=2, global_pool=False):
        n, c, h, w = x[1]
        out = (n, c, 1, 1) if global_pool else (n, c, h // kernel, w // kernel)
        attrs = {"kernel": f"({kernel}, {kernel})", "stride": f"({kernel}, {kernel})", "pool_type": "max",
                 "global_pool": str(global_pool)}
        return self.b.op("Pooling", f"{self.name('pool')}_fwd", [x], attrs, out)

    def conv_bn_relu(self, x, channels, **kw):
        return self.relu(self.bn(self.conv(x, channels, **kw)))

    def flat_pred(self, x):
        n, c, h, w = x[1]
        t = self.b.op("transpose", self.name("transpose"), [x], {"axes": "(0, 2, 3, 1)"}, (n, h, w, c))
        return self.b.op("Flatten", self.name("flatten"), [t], {}, (n, h * w * c))

    def prior(self, x, per_pixel):
        n, c, h, w = x[1]
        return self.b.op("_contrib_MultiBoxPrior", self.name("multiboxprior"), [x],
                         {"sizes": "(0.2, 0.272)", "ratios": "(1, 2, 0.5)"}, (1, h * w * per_pixel, 4))

    def concat(self, xs, dim=1):
        shape = list(xs[0][1])
        shape[dim] = sum(x[1][dim] for x in xs)
        attrs = {"dim": str(dim), "num_args": str(len(xs))}
        return self.b.op("Concat", self.name("concat"), xs, attrs, tuple(shape))

    def reshape(self, x, shape):
        return self.b.op("Reshape", self.name("reshape"), [x], {"shape": str(shape)}, shape)


class SymbolBuilder:
    """Collects nodes; :meth:`conf` gives the ``Symbol.tojson()`` dict and :attr:`shapes` the entry shapes."""

    def __init__(self):
        self.nodes, self.shapes = [], {}

    def var(self, name, shape):
        self.nodes.append({"op": "null", "name": name, "inputs": []})
        self.shapes[name] = tuple(shape)
        return (len(self.nodes) - 1, tuple(shape))

    def op(self, op, name, inputs, attrs, out_shape):
        self.nodes.append({"op": op, "name": name, "attrs": dict(attrs),
                           "inputs": [[i, 0, 0] for i, _ in inputs]})
        self.shapes[name + "_output"] = tuple(out_shape)
        return (len(self.nodes) - 1, tuple(out_shape))

    def conf(self, heads):
        return {"nodes": self.nodes,
                "arg_nodes": [i for i, n in enumerate(self.nodes) if n["op"] == "null"],
                "node_row_ptr": list(range(len(self.nodes) + 1)),
                "heads": [[h[0], 0, 0] for h in heads],
                "attrs": {"mxnet_version": ["int", 10901]}}


def _heads(scope, feats, num_classes, per_pixel=4):
    anchors, cls, box = [], [], []
    for feat in feats:
        anchors.append(scope.prior(feat, per_pixel))
        cls.append(scope.flat_pred(scope.conv(feat, per_pixel * (num_classes + 1))))
        box.append(scope.flat_pred(scope.conv(feat, per_pixel * 4)))
    anchors = scope.concat(anchors)
    cls = scope.concat(cls)
    cls = scope.reshape(cls, (cls[1][0], cls[1][1] // (num_classes + 1), num_classes + 1))
    return anchors, cls, scope.concat(box)


def toy_ssd(size=256, num_classes=1):
    """ToySSD of the MXNet SSD tutorial: 3 down-sampling body blocks, 3 more scales, a global pool."""
    b = SymbolBuilder()
    x = b.var("data", (1, 3, size, size))
    net = Scope(b, "toyssd0_")
    body = net.child("sequential")
    for ch in (16, 32, 64):
        blk = body.child("sequential")
        x = blk.pool(blk.conv_bn_relu(blk.conv_bn_relu(x, ch), ch))
    feats = [x]
    for _ in range(3):
        blk = net.child("sequential")
        x = blk.pool(blk.conv_bn_relu(blk.conv_bn_relu(x, 128), 128))
        feats.append(x)
    feats.append(net.pool(x, global_pool=True))
    heads = _heads(net, feats, num_classes)
    return b.conf(heads), b.shapes


def ssd_feature_expander(size=256, num_classes=20, blocks=13):
    """A GluonCV-style SSD: a MobileNet-like backbone tapped twice inside a FeatureExpander, 4 extra scales."""
    b = SymbolBuilder()
    x = b.var("data", (1, 3, size, size))
    ssd = Scope(b, "ssd0_")
    expander = ssd.child("featureexpander")
    backbone = expander.child("mobilenet")
    x = backbone.conv_bn_relu(x, 32, stride=2)
    taps = []
    for i in range(blocks):
        stride = 2 if i in (1, 3, 5, 11) else 1
        ch = x[1][1]
        x = backbone.conv_bn_relu(x, ch, stride=stride, groups=ch)     # depthwise
        x = backbone.conv_bn_relu(x, min(1024, ch * stride), kernel=1, pad=0)  # pointwise
        if i in (10, blocks - 1):
            taps.append(x)
    feats = list(taps)
    for ch in (512, 256, 256, 128):
        x = expander.conv_bn_relu(x, ch // 2, kernel=1, pad=0)
        x = expander.conv_bn_relu(x, ch, stride=2)
        feats.append(x)
    anchors, cls, box = _heads(ssd, feats, num_classes)
    prob = b.op("softmax", ssd.name("softmax"), [cls], {"axis": "-1"}, cls[1])
    prob = b.op("transpose", ssd.name("transpose"), [prob], {"axes": "(0, 2, 1)"},
                (cls[1][0], cls[1][2], cls[1][1]))
    det = b.op("_contrib_MultiBoxDetection", ssd.name("multiboxdetection"), [prob, box, anchors],
               {"nms_threshold": "0.45"}, (cls[1][0], anchors[1][1], 6))
    return b.conf([det]), b.shapes
