"""SSD-300 VGG16-atrous and SSD-512 ResNet-50 v1 in PyTorch (benchmark twins of ssdkit's model-zoo presets).

Same layers, channels, strides, dilations, paddings, pooling conventions and predictor widths as
``ssd_300_vgg16_atrous_voc`` and ``ssd_512_resnet50_v1_voc`` (21 classes with background); the outputs are
class logits ``(N, anchors, 21)`` and box offsets ``(N, anchors, 4)`` in the same anchor order (feature map,
row, column, anchor). Used by benchmarks/bench_ssd.py only; PyTorch is never a dependency of ssdkit.

Also :func:`ssd_convs`: every convolution of either net as ``{(c, f, k, s, p, d, size): count}`` for the
per-layer GFLOPS table.
"""
import torch
import torch.nn as tnn

from bench_resnet import torch_resnet50_v1

VGG_STAGES = ((2, 64), (2, 128), (3, 256), (3, 512), (3, 512))
EXTRAS_300 = (((256, 1, 1, 0), (512, 3, 2, 1)), ((128, 1, 1, 0), (256, 3, 2, 1)),
              ((128, 1, 1, 0), (256, 3, 1, 0)), ((128, 1, 1, 0), (256, 3, 1, 0)))
EXPAND_512 = (512, 512, 256, 256)      # ResNet-50 SSD's appended stages (1x1 transition to max(128, f))
ANCHORS_300 = (4, 6, 6, 6, 4, 4)       # anchors per position of each feature map (2 + len(ratios) - 1)
ANCHORS_512 = (4, 6, 6, 6, 4, 4)


def _conv_relu(cin, cout, k, s=1, p=0, d=1):
    return [tnn.Conv2d(cin, cout, k, s, p, dilation=d), tnn.ReLU(inplace=True)]


def _chain(x, stages, outputs):
    """Run ``stages`` one after another on ``x``, appending each output to ``outputs``; return ``outputs``."""
    for stage in stages:
        x = stage(x)
        outputs.append(x)
    return outputs


def _conv_bn_relu(cin, cout, k, s=1, p=0):
    return [tnn.Conv2d(cin, cout, k, s, p, bias=False), tnn.BatchNorm2d(cout), tnn.ReLU(inplace=True)]


class VGGAtrous300(tnn.Module):
    """ssdkit's ``vgg16_atrous_300``: input scaling, VGG-16 with 'full' (ceil) pools, L2-normalized conv4_3 x
    learned scale, 3x3/1 pool, dilated fc6 (1024, dilation 6), fc7, then four extra stages."""

    def __init__(self):
        super().__init__()
        self.register_buffer("init_scale", torch.tensor([0.229, 0.224, 0.225]).reshape(1, 3, 1, 1) * 255)
        stages, cin = [], 3
        for num, cout in VGG_STAGES:
            layers = []
            for _ in range(num):
                layers += _conv_relu(cin, cout, 3, 1, 1)
                cin = cout
            stages.append(tnn.Sequential(*layers))
        self.stages = tnn.ModuleList(stages)
        self.fc = tnn.Sequential(*_conv_relu(512, 1024, 3, 1, 6, 6), *_conv_relu(1024, 1024, 1))
        self.norm_scale = tnn.Parameter(torch.full((1, 512, 1, 1), 20.0))
        extras, cin = [], 1024
        for config in EXTRAS_300:
            layers = []
            for cout, k, s, p in config:
                layers += _conv_relu(cin, cout, k, s, p)
                cin = cout
            extras.append(tnn.Sequential(*layers))
        self.extras = tnn.ModuleList(extras)
        self.channels = (512, 1024, 512, 256, 256, 256)

    def forward(self, x):
        x = x * self.init_scale
        for stage in self.stages[:3]:
            x = tnn.functional.max_pool2d(stage(x), 2, 2, ceil_mode=True)
        x = self.stages[3](x)
        norm = x / (x.pow(2).sum(1, keepdim=True) + 1e-5).sqrt()      # MXNet L2Normalization(mode='channel')
        outputs = [norm * self.norm_scale]
        x = tnn.functional.max_pool2d(x, 2, 2, ceil_mode=True)
        x = tnn.functional.max_pool2d(self.stages[4](x), 3, 1, 1, ceil_mode=True)
        return _chain(x, [self.fc, *self.extras], outputs)


class ResNet50Expanded(tnn.Module):
    """ssdkit's ResNet-50 v1 features for SSD-512: stage 3's and stage 4's last outputs, then four appended
    stages (1x1 conv + BN + relu to max(128, f), 3x3/2 conv + BN + relu to f)."""

    def __init__(self):
        super().__init__()
        body = list(torch_resnet50_v1().children())[:-3]      # drop global pool, flatten, dense
        self.to_stage3 = tnn.Sequential(*body[:4 + 3 + 4 + 6])
        self.stage4 = tnn.Sequential(*body[4 + 3 + 4 + 6:])
        expand, cin = [], 2048
        for f in EXPAND_512:
            mid = max(128, f)
            expand.append(tnn.Sequential(*_conv_bn_relu(cin, mid, 1), *_conv_bn_relu(mid, f, 3, 2, 1)))
            cin = f
        self.expand = tnn.ModuleList(expand)
        self.channels = (1024, 2048) + EXPAND_512

    def forward(self, x):
        return _chain(x, [self.to_stage3, self.stage4, *self.expand], [])


class TorchSSD(tnn.Module):
    """Features + one 3x3 class and one 3x3 box predictor per map; outputs ``(cls (N, A, C+1), box (N, A, 4))``."""

    def __init__(self, features, anchors_per_map, classes=20):
        super().__init__()
        self.features, self.classes = features, classes
        self.cls = tnn.ModuleList(tnn.Conv2d(c, a * (classes + 1), 3, 1, 1)
                                  for c, a in zip(features.channels, anchors_per_map))
        self.box = tnn.ModuleList(tnn.Conv2d(c, a * 4, 3, 1, 1) for c, a in zip(features.channels, anchors_per_map))

    def forward(self, x):
        feats = self.features(x)
        n = x.shape[0]
        cls = torch.cat([p(f).permute(0, 2, 3, 1).reshape(n, -1) for f, p in zip(feats, self.cls)], 1)
        box = torch.cat([p(f).permute(0, 2, 3, 1).reshape(n, -1) for f, p in zip(feats, self.box)], 1)
        return cls.reshape(n, -1, self.classes + 1), box.reshape(n, -1, 4), [f.shape[2:] for f in feats]


def torch_ssd(name):
    """The PyTorch twin of the ssdkit preset ``name`` ('ssd_300_vgg16_atrous_voc' or 'ssd_512_resnet50_v1_voc')."""
    if name == "ssd_300_vgg16_atrous_voc":
        return TorchSSD(VGGAtrous300(), ANCHORS_300)
    if name == "ssd_512_resnet50_v1_voc":
        return TorchSSD(ResNet50Expanded(), ANCHORS_512)
    raise ValueError(f"torch_ssd: no PyTorch twin for {name!r}")


def _add(convs, key):
    convs[key] = convs.get(key, 0) + 1


def ssd_convs(name):
    """Every convolution of the preset as ``{(c, f, k, s, p, d, input size): count}`` (predictors included)."""
    convs = {}
    if name == "ssd_300_vgg16_atrous_voc":
        size, cin = 300, 3
        for i, (num, cout) in enumerate(VGG_STAGES):
            for _ in range(num):
                _add(convs, (cin, cout, 3, 1, 1, 1, size))
                cin = cout
            size = -(-size // 2) if i < 4 else size      # 'full' 2x2 pools; the 3x3/1 pool keeps the size
        _add(convs, (512, 1024, 3, 1, 6, 6, size))
        _add(convs, (1024, 1024, 1, 1, 0, 1, size))
        maps, cin = [(512, 38), (1024, size)], 1024
        for config in EXTRAS_300:
            for cout, k, s, p in config:
                _add(convs, (cin, cout, k, s, p, 1, size))
                size, cin = (size + 2 * p - k) // s + 1, cout
            maps.append((cin, size))
        anchors = ANCHORS_300
    else:
        from bench_resnet import resnet50_convs
        convs = {(c, f, k, s, p, 1, size): n for (c, f, k, s, p, size), n in resnet50_convs(side=512).items()}
        maps, cin, size = [(1024, 32), (2048, 16)], 2048, 16
        for f in EXPAND_512:
            _add(convs, (cin, max(128, f), 1, 1, 0, 1, size))
            _add(convs, (max(128, f), f, 3, 2, 1, 1, size))
            size, cin = (size + 1) // 2, f
            maps.append((f, size))
        anchors = ANCHORS_512
    for (c, size), a in zip(maps, anchors):
        _add(convs, (c, a * 21, 3, 1, 1, 1, size))
        _add(convs, (c, a * 4, 3, 1, 1, 1, size))
    return convs
