"""The straight-dope ToySSD in PyTorch, for side-by-side speed figures only (never imported by ssdkit).

Same layers as ``ssdkit.model_zoo.ToySSD``: body of down-sample blocks 16/32/64 (2 x conv3x3+BN+ReLU, max-pool),
three down_sample(128), five scales of 3x3 class/box predictors, a global max-pool for the last scale.
"""
import torch
from torch import nn

ANCHORS = 4


def down_sample(cin, cout):
    layers = []
    for i in range(2):
        layers += [nn.Conv2d(cin if i == 0 else cout, cout, 3, padding=1), nn.BatchNorm2d(cout), nn.ReLU()]
    return nn.Sequential(*layers, nn.MaxPool2d(2))


class TorchToySSD(nn.Module):
    """ToySSD with ``num_classes`` foreground classes; forward returns (cls_preds (B,N,C+1), box_preds (B,4N))."""

    def __init__(self, num_classes=1):
        super().__init__()
        self.num_classes = num_classes
        self.body = nn.Sequential(down_sample(3, 16), down_sample(16, 32), down_sample(32, 64))
        self.downsamples = nn.ModuleList([down_sample(64, 128), down_sample(128, 128), down_sample(128, 128)])
        chans = [64, 128, 128, 128, 128]
        self.cls = nn.ModuleList([nn.Conv2d(c, ANCHORS * (num_classes + 1), 3, padding=1) for c in chans])
        self.box = nn.ModuleList([nn.Conv2d(c, ANCHORS * 4, 3, padding=1) for c in chans])

    def forward(self, x):
        x = self.body(x)
        cls, box = [], []
        for i in range(5):
            cls.append(self.cls[i](x).permute(0, 2, 3, 1).flatten(1))
            box.append(self.box[i](x).permute(0, 2, 3, 1).flatten(1))
            if i < 3:
                x = self.downsamples[i](x)
            elif i == 3:
                x = torch.amax(x, dim=(2, 3), keepdim=True)
        cls = torch.cat(cls, 1).reshape(x.shape[0], -1, self.num_classes + 1)
        return cls, torch.cat(box, 1)
