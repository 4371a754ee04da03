"""Regenerate the MXNet 1.9.1 reference files for tests/test_viz.py (run with a Python that has mxnet).

Writes, for a small ToySSD-style HybridBlock built with MXNet Gluon:
  toyssd-symbol.json   Symbol.tojson() of net(sym.var('data'))
  toyssd-shapes.json   {entry name: shape} from get_internals().infer_shape(data=(1, 3, 64, 64))
  toyssd-summary.txt   mx.viz.print_summary(sym, shape=...) output
  toyssd-plot.dot      mx.viz.plot_network(sym, shape=...).source

Usage: /path/to/venv-mxnet/bin/python tests/data/viz/make_viz_golden.py
ssdkit and its tests never import mxnet; only this generator does.
"""
import contextlib
import io
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA_SHAPE = (1, 3, 64, 64)
NUM_CLASSES = 2


def build_toyssd(mx):
    """A two-scale ToySSD as in the MXNet SSD tutorial, hybridizable."""
    nn = mx.gluon.nn

    def down_sample(channels):
        blk = nn.HybridSequential()
        with blk.name_scope():  # children named hybridsequentialN_convM_..., i.e. nested scopes
            for _ in range(2):
                blk.add(nn.Conv2D(channels, 3, padding=1), nn.BatchNorm(in_channels=channels),
                        nn.Activation('relu'))
            blk.add(nn.MaxPool2D(2))
        return blk

    class ToySSD(mx.gluon.HybridBlock):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            with self.name_scope():
                self.body = nn.HybridSequential()
                with self.body.name_scope():
                    for ch in (8, 16):
                        self.body.add(down_sample(ch))
                self.down = down_sample(16)
                self.cls0 = nn.Conv2D(4 * (NUM_CLASSES + 1), 3, padding=1)
                self.cls1 = nn.Conv2D(4 * (NUM_CLASSES + 1), 3, padding=1)
                self.box0 = nn.Conv2D(4 * 4, 3, padding=1)
                self.box1 = nn.Conv2D(4 * 4, 3, padding=1)

        def hybrid_forward(self, F, x):
            feat0 = self.body(x)
            feat1 = self.down(feat0)
            anchors, cls, box = [], [], []
            for feat, cp, bp, size in ((feat0, self.cls0, self.box0, (.2, .27)),
                                       (feat1, self.cls1, self.box1, (.37, .45))):
                anchors.append(F.contrib.MultiBoxPrior(feat, sizes=size, ratios=(1, 2, .5)))
                cls.append(F.flatten(F.transpose(cp(feat), axes=(0, 2, 3, 1))))
                box.append(F.flatten(F.transpose(bp(feat), axes=(0, 2, 3, 1))))
            anchors = F.concat(*anchors, dim=1)
            cls = F.reshape(F.concat(*cls, dim=1), shape=(0, -1, NUM_CLASSES + 1))
            box = F.concat(*box, dim=1)
            return anchors, cls, box

    return ToySSD()


def main():
    import mxnet as mx  # only the generator needs MXNet
    net = build_toyssd(mx)
    sym = mx.sym.Group(list(net(mx.sym.var('data'))))
    (HERE / 'toyssd-symbol.json').write_text(sym.tojson())
    internals = sym.get_internals()
    _, out_shapes, _ = internals.infer_shape(data=DATA_SHAPE)
    shapes = dict(zip(internals.list_outputs(), [list(s) for s in out_shapes]))
    (HERE / 'toyssd-shapes.json').write_text(json.dumps(shapes, indent=0))
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        mx.viz.print_summary(sym, shape={'data': DATA_SHAPE})
    (HERE / 'toyssd-summary.txt').write_text(buf.getvalue())
    dot = mx.viz.plot_network(sym, shape={'data': DATA_SHAPE}, title='toyssd')
    (HERE / 'toyssd-plot.dot').write_text(dot.source)


if __name__ == '__main__':
    main()
