"""Oracle data for ``mx.image.imresize`` and ``mx.image.resize_short`` from MXNet 1.9.1 (OpenCV's cv::resize).

Run with the MXNet venv (never imported by ssdkit or its tests):

    /work/mxvenv/bin/python tests/data/imresize_oracle/make_imresize_oracle.py

Writes ``imresize_oracle.npz`` next to this file: for each case the input ``in_<case>`` and MXNet's output
``out_<case>``. Cases: uint8, float32 and float64 images of 3 channels, OpenCV interpolations 0-4 (MXNet passes 9 and 10 to OpenCV, which rejects them),
shrinking, enlarging and mixed sizes; ``resize_short`` of a tall and a wide image.
"""
import os

import mxnet as mx
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
R = np.random.RandomState(23)
OUT = {}


def image(h, w, dtype):
    x = R.randint(0, 256, (h, w, 3)).astype(dtype)
    if dtype != "uint8":
        x += R.rand(h, w, 3).astype(dtype)
    return x


def main():
    for dtype in ("uint8", "float32", "float64"):
        src = image(15, 10, dtype)
        for interp in (0, 1, 2, 3, 4):
            for w, h in ((10, 10), (7, 4), (23, 31), (4, 20)):
                case = f"imresize_{dtype}_i{interp}_{w}x{h}"
                OUT["in_" + case] = src
                OUT["out_" + case] = mx.image.imresize(mx.nd.array(src, dtype=dtype), w, h, interp).asnumpy()
    for name, shape in (("tall", (17, 9)), ("wide", (9, 17))):
        src = image(shape[0], shape[1], "uint8")
        OUT["in_resize_short_" + name] = src
        OUT["out_resize_short_" + name] = mx.image.resize_short(mx.nd.array(src, dtype="uint8"), 6).asnumpy()
    np.savez_compressed(os.path.join(HERE, "imresize_oracle.npz"), **OUT)


if __name__ == "__main__":
    main()
