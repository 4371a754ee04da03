"""Oracle data for ``nd.image.*``, ``nd.flip`` and ``gluon.data.vision.transforms`` from MXNet 1.9.1.

Run with the MXNet venv (never imported by ssdkit or its tests):

    /work/mxvenv/bin/python tests/data/image_ops_oracle/make_image_ops_oracle.py

Writes ``image_ops_oracle.npz`` next to this file: inputs ``in_<case>``, outputs ``out_<case>`` and, for
normalize and crop, input gradients ``grad_<case>`` for the head gradient ``head_<case>``. Random ops are
recorded at deterministic extremes (``min_factor == max_factor``, ``alpha_std = 0``, full-area crops), so
the drawn factor is known; their randomness itself is tested in tests/test_image_ops.py. Not recorded:
cases where MXNet leaves its output unwritten (colour jitter with every amount 0, hue and lighting of
1-channel images: the output holds whatever memory it got; ssdkit returns the input unchanged) and flips
of odd widths (MXNet swaps pairs and never writes the middle column).
"""
import os

import mxnet as mx
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
R = np.random.RandomState(19)
OUT = {}


def image(h, w, c, dtype):
    x = R.randint(0, 256, (h, w, c)).astype(dtype)
    if dtype == "float32":
        x += R.rand(h, w, c).astype("float32")
    return x


def record(case, x, fn, head=None):
    nd_x = mx.nd.array(x, dtype=x.dtype)
    OUT["in_" + case] = x
    if head is None:
        OUT["out_" + case] = fn(nd_x).asnumpy()
        return
    nd_x.attach_grad()
    with mx.autograd.record():
        y = fn(nd_x)
    y.backward(mx.nd.array(head, dtype=y.dtype))
    OUT["out_" + case] = y.asnumpy()
    OUT["head_" + case] = head
    OUT["grad_" + case] = nd_x.grad.asnumpy()


def resize_cases():
    for dtype in ("uint8", "float32"):
        for c in (1, 3):
            src = image(9, 12, c, dtype)
            for interp in range(5):
                for size in ((5, 4), (20, 15), (6, 9), (7, 7)):   # (w, h): down, up, mixed, odd
                    record(f"resize_{dtype}_c{c}_i{interp}_{size[0]}x{size[1]}", src,
                           lambda a, s=size, i=interp: mx.nd.image.resize(a, s, False, i))
    batch = image(9, 12, 3, "uint8").reshape(1, 9, 12, 3).repeat(2, 0)
    batch[1] = 255 - batch[1]
    record("resize_batch", batch, lambda a: mx.nd.image.resize(a, (5, 7)))
    for keep_case, size in (("tall", (11, 6)), ("wide", (6, 11))):
        record(f"resize_keep_{keep_case}", image(size[0], size[1], 3, "float32"),
               lambda a: mx.nd.image.resize(a, 4, True))


def tensor_cases():
    record("to_tensor_uint8", image(4, 5, 3, "uint8"), mx.nd.image.to_tensor)
    record("to_tensor_batch", image(4, 5, 3, "uint8").reshape(1, 4, 5, 3), mx.nd.image.to_tensor)
    record("to_tensor_float", image(3, 2, 1, "float32"), mx.nd.image.to_tensor)
    x = R.rand(3, 4, 5).astype("float32")
    record("normalize_rgb", x, lambda a: mx.nd.image.normalize(a, (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)),
           head=R.randn(3, 4, 5).astype("float32"))
    record("normalize_scalar", x, lambda a: mx.nd.image.normalize(a, 0.5, 0.25),
           head=R.randn(3, 4, 5).astype("float32"))
    xb = R.rand(2, 3, 2, 3).astype("float32")
    record("normalize_batch", xb, lambda a: mx.nd.image.normalize(a, (0.1, 0.2, 0.3), (0.7, 0.8, 0.9)),
           head=R.randn(2, 3, 2, 3).astype("float32"))
    record("normalize_grey", R.rand(1, 3, 3).astype("float32"), lambda a: mx.nd.image.normalize(a, 0.3, 2.0),
           head=R.randn(1, 3, 3).astype("float32"))


def geometry_cases():
    x = image(4, 6, 3, "uint8")
    record("flip_left_right", x, mx.nd.image.flip_left_right)
    record("flip_top_bottom", x, mx.nd.image.flip_top_bottom)
    record("crop", image(5, 6, 3, "float32"), lambda a: mx.nd.image.crop(a, 1, 2, 3, 2),
           head=R.randn(2, 3, 3).astype("float32"))
    record("crop_batch", image(5, 6, 1, "uint8").reshape(1, 5, 6, 1), lambda a: mx.nd.image.crop(a, 2, 0, 4, 5))
    record("nd_flip", R.rand(2, 3, 4).astype("float32"), lambda a: mx.nd.flip(a, axis=1))
    record("nd_reverse", R.rand(2, 3, 4).astype("float32"), lambda a: mx.nd.reverse(a, axis=(0, 2)))


def color_cases():
    for dtype in ("uint8", "float32"):
        for c in (1, 3):
            x = image(5, 4, c, dtype)
            for f in (0.0, 0.6, 1.7):
                for op in ("brightness", "contrast", "saturation"):
                    record(f"{op}_{dtype}_c{c}_{f}", x,
                           lambda a, o=op, v=f: getattr(mx.nd.image, "random_" + o)(a, v, v))
            if c == 1:   # MXNet's hue and lighting leave a grey output unwritten (uninitialized memory)
                continue
            for f in (0.0, 0.1, 0.45, 0.75, 1.1, 1.9):
                record(f"hue_{dtype}_c{c}_{f}", x, lambda a, v=f: mx.nd.image.random_hue(a, v, v))
            record(f"lighting_{dtype}_c{c}", x, lambda a: mx.nd.image.adjust_lighting(a, (0.3, -0.2, 0.1)))
            record(f"random_lighting0_{dtype}_c{c}", x, lambda a: mx.nd.image.random_lighting(a, 0.0))


def transform_cases():
    from mxnet.gluon.data.vision import transforms as T
    x = image(10, 14, 3, "uint8")
    chain = T.Compose([T.Resize((12, 8)), T.CenterCrop(6), T.ToTensor(),
                       T.Normalize((0.485, 0.456, 0.406), (0.229, 0.224, 0.225))])
    blocks = {
        "t_cast": T.Cast("float16"), "t_to_tensor": T.ToTensor(), "t_resize": T.Resize(7),
        "t_resize_keep": T.Resize(7, keep_ratio=True), "t_resize_cubic": T.Resize((9, 5), interpolation=2),
        "t_center_crop": T.CenterCrop((8, 6)), "t_center_crop_big": T.CenterCrop(12, interpolation=3),
        "t_crop_resize": T.CropResize(2, 1, 8, 6), "t_crop_resize_size": T.CropResize(2, 1, 8, 6, (5, 4), 1),
        "t_resized_crop_full": T.RandomResizedCrop(10, scale=(1.0, 1.0), ratio=(1.4, 1.4)),
        "t_brightness0": T.RandomBrightness(0), "t_contrast0": T.RandomContrast(0),
        "t_saturation0": T.RandomSaturation(0), "t_hue0": T.RandomHue(0),
        "t_lighting0": T.RandomLighting(0), "t_compose": chain,
    }
    for name, block in blocks.items():
        record(name, x, block)
    hybrid = T.Compose([T.ToTensor(), T.Normalize(0.5, 0.25)])
    record("t_compose_hybrid", x, hybrid)


def rotate_cases():
    data = R.rand(2, 3, 5, 6).astype("float32")
    grid = (R.rand(2, 2, 4, 3).astype("float32") * 2.4 - 1.2)
    nd_data, nd_grid = mx.nd.array(data), mx.nd.array(grid)
    nd_data.attach_grad(), nd_grid.attach_grad()
    head = R.randn(2, 3, 4, 3).astype("float32")
    with mx.autograd.record():
        out = mx.nd.BilinearSampler(nd_data, nd_grid)
    out.backward(mx.nd.array(head))
    OUT.update(sampler_data=data, sampler_grid=grid, sampler_head=head, sampler_out=out.asnumpy(),
               sampler_grad_data=nd_data.grad.asnumpy(), sampler_grad_grid=nd_grid.grad.asnumpy())
    from mxnet.gluon.data.vision import transforms as T
    img = R.rand(3, 7, 9).astype("float32")
    for angle in (30, -75, 90, 180):
        for zoom in ("none", "in", "out"):
            OUT[f"rotate_{angle}_{zoom}"] = mx.image.imrotate(mx.nd.array(img), angle, zoom_in=zoom == "in",
                                                               zoom_out=zoom == "out").asnumpy()
    OUT["rotate_in"] = img
    batch = R.rand(2, 1, 6, 6).astype("float32")
    OUT["rotate_batch_in"] = batch
    OUT["rotate_batch"] = mx.image.imrotate(mx.nd.array(batch), mx.nd.array([15, -40])).asnumpy()
    OUT["rotate_transform"] = T.Rotate(45, zoom_out=True)(mx.nd.array(img)).asnumpy()


resize_cases()
rotate_cases()
tensor_cases()
geometry_cases()
color_cases()
transform_cases()
np.savez_compressed(os.path.join(HERE, "image_ops_oracle.npz"), **OUT)
print(len(OUT), "arrays, mxnet", mx.__version__)
