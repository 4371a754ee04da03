"""Regenerate the MXNet 1.9.1 oracle for ssdkit's neural-network ops (norms, spatial, ROI, N-d conv/pool).

Usage: /work/mxvenv/bin/python tests/data/opsnn_oracle/make_opsnn_oracle.py
Writes opsnn_oracle.json (cases: op, attributes, which inputs get a gradient) and opsnn_oracle.npz
(per case: inputs, outputs, the head gradient and the input gradients) next to this file.
ssdkit and its tests never import mxnet; only this generator does (inside main()).
"""
import json
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
RS = np.random.RandomState(7)


def u(*shape, lo=-1.0, hi=1.0):
    return RS.uniform(lo, hi, shape).astype(np.float32)


def pos(*shape):
    return u(*shape, lo=0.5, hi=2.0)


def rois(n, batch, size):
    """``n`` boxes ``[batch_index, x1, y1, x2, y2]`` inside a ``size`` x ``size`` image."""
    idx = RS.randint(0, batch, (n, 1)).astype(np.float32)
    xy1 = RS.uniform(0, size * 0.6, (n, 2))
    xy2 = xy1 + RS.uniform(1, size * 0.4, (n, 2))
    return np.concatenate([idx, xy1, xy2], axis=1).astype(np.float32)


def cases():
    """(case name, op path under mx.nd, inputs, attributes, indices of inputs that get a gradient)."""
    c = []
    add = lambda name, op, inputs, attrs, wrt=(0,): c.append((name, op, inputs, attrs, list(wrt)))  # noqa: E731
    # --- normalization
    add("layernorm", "LayerNorm", [u(2, 3, 5), pos(5), u(5)], {}, (0, 1, 2))
    add("layernorm_axis1", "LayerNorm", [u(2, 4, 3), pos(4), u(4)], {"axis": 1, "eps": 1e-3}, (0, 1, 2))
    add("layernorm_meanvar", "LayerNorm", [u(3, 6), pos(6), u(6)], {"output_mean_var": True}, (0, 1, 2))
    add("groupnorm", "GroupNorm", [u(2, 6, 3, 2), pos(2), u(2)], {"num_groups": 2}, (0, 1, 2))
    add("groupnorm_meanvar", "GroupNorm", [u(2, 4, 5), pos(4), u(4)],
        {"num_groups": 4, "eps": 1e-3, "output_mean_var": True}, (0, 1, 2))
    add("instancenorm", "InstanceNorm", [u(2, 3, 4, 3), pos(3), u(3)], {}, (0, 1, 2))
    add("instancenorm_1d", "InstanceNorm", [u(2, 3, 5), pos(3), u(3)], {"eps": 1e-5}, (0, 1, 2))
    add("lrn", "LRN", [u(2, 5, 3, 3)], {"nsize": 3})
    add("lrn_attrs", "LRN", [u(1, 7, 2, 3)], {"nsize": 5, "alpha": 0.01, "beta": 0.5, "knorm": 1.0})
    add("moments", "moments", [u(2, 3, 4)], {"axes": (0, 2)})
    add("moments_keep", "moments", [u(2, 3, 4)], {"axes": (1,), "keepdims": True})
    add("bn_relu", "contrib.BatchNormWithReLU", [u(4, 3, 2, 2), pos(3), u(3), u(3), pos(3)],
        {"fix_gamma": False}, (0, 1, 2))
    # --- 1-D and 3-D convolution, transposed convolution and pooling
    add("conv1d", "Convolution", [u(2, 4, 9), u(6, 2, 3), u(6)],
        {"kernel": (3,), "num_filter": 6, "num_group": 2, "stride": (2,), "pad": (1,), "dilate": (2,)}, (0, 1, 2))
    add("conv1d_nobias", "Convolution", [u(1, 3, 7), u(2, 3, 2)], {"kernel": (2,), "num_filter": 2,
                                                                   "no_bias": True}, (0, 1))
    add("conv3d", "Convolution", [u(2, 3, 5, 6, 4), u(4, 3, 3, 2, 3), u(4)],
        {"kernel": (3, 2, 3), "num_filter": 4, "stride": (1, 2, 1), "pad": (1, 0, 1)}, (0, 1, 2))
    add("conv3d_group_dilate", "Convolution", [u(1, 4, 6, 5, 5), u(2, 2, 2, 2, 2)],
        {"kernel": (2, 2, 2), "num_filter": 2, "num_group": 2, "dilate": (2, 1, 2), "no_bias": True}, (0, 1))
    add("deconv1d", "Deconvolution", [u(2, 4, 5), u(4, 3, 3), u(3)],
        {"kernel": (3,), "num_filter": 3, "stride": (2,), "pad": (1,), "adj": (1,), "no_bias": False}, (0, 1, 2))
    add("deconv1d_pad", "Deconvolution", [u(1, 2, 4), u(2, 2, 4)],
        {"kernel": (4,), "num_filter": 2, "stride": (2,), "pad": (1,)}, (0, 1))
    add("deconv3d", "Deconvolution", [u(1, 4, 3, 2, 3), u(4, 1, 2, 3, 2), u(2)],
        {"kernel": (2, 3, 2), "num_filter": 2, "num_group": 2, "stride": (2, 1, 2), "pad": (0, 1, 1),
         "no_bias": False}, (0, 1, 2))
    add("deconv3d_adj", "Deconvolution", [u(1, 2, 2, 3, 2), u(2, 3, 3, 3, 3)],
        {"kernel": (3, 3, 3), "num_filter": 3, "stride": (2, 2, 2), "pad": (1, 1, 1), "adj": (1, 0, 1)}, (0, 1))
    add("pool1d_max", "Pooling", [u(2, 3, 9)], {"kernel": (3,), "stride": (2,), "pool_type": "max"})
    add("pool1d_avg_full", "Pooling", [u(2, 3, 8)], {"kernel": (3,), "stride": (2,), "pad": (0,),
                                                      "pool_type": "avg", "pooling_convention": "full"})
    add("pool1d_global", "Pooling", [u(2, 3, 5)], {"kernel": (1,), "global_pool": True, "pool_type": "avg"})
    add("pool3d_max", "Pooling", [u(2, 2, 5, 4, 6)], {"kernel": (2, 2, 3), "stride": (2, 1, 2), "pad": (1, 0, 1),
                                                      "pool_type": "max"})
    add("pool3d_avg_nopad", "Pooling", [u(1, 2, 5, 5, 5)],
        {"kernel": (3, 3, 3), "stride": (2, 2, 2), "pad": (1, 1, 1), "pool_type": "avg",
         "count_include_pad": False, "pooling_convention": "full"})
    add("pool3d_avg_pad", "Pooling", [u(1, 2, 5, 4, 5)],
        {"kernel": (3, 2, 3), "stride": (2, 2, 2), "pad": (1, 1, 1), "pool_type": "avg",
         "pooling_convention": "full"})
    add("pool3d_sum", "Pooling", [u(1, 2, 4, 4, 4)], {"kernel": (2, 2, 2), "stride": (2, 2, 2), "pool_type": "sum"})
    add("pool1d_nwc", "Pooling", [u(2, 7, 3)], {"kernel": (3,), "stride": (2,), "pool_type": "max", "layout": "NWC"})
    add("pool2d_nhwc_avg", "Pooling", [u(2, 5, 6, 3)], {"kernel": (2, 3), "stride": (2, 2), "pad": (1, 1),
                                                        "pool_type": "avg", "layout": "NHWC",
                                                        "count_include_pad": False})
    add("pool3d_ndhwc", "Pooling", [u(1, 4, 4, 5, 2)], {"kernel": (2, 2, 2), "stride": (2, 2, 2), "pool_type": "max",
                                                        "layout": "NDHWC"})
    add("pool1d_same", "Pooling", [u(2, 3, 10)], {"kernel": (2,), "stride": (2,), "pool_type": "max", "pad": (0, 0, 0),
                                                 "pooling_convention": "same"})
    add("pool2d_lp2", "Pooling", [u(2, 2, 5, 6)], {"kernel": (2, 3), "stride": (1, 2), "pad": (1, 0),
                                                  "pool_type": "lp", "p_value": 2})
    add("pool1d_lp3", "Pooling", [u(2, 2, 7)], {"kernel": (3,), "stride": (2,), "pool_type": "lp", "p_value": 3})
    add("pool3d_lp1", "Pooling", [u(1, 2, 4, 4, 3)], {"kernel": (2, 2, 2), "pool_type": "lp", "p_value": 1})
    add("pool3d_global_max", "Pooling", [u(2, 3, 3, 4, 2)], {"kernel": (1, 1, 1), "global_pool": True})
    # --- spatial rearranging and resampling
    add("pad_constant", "pad", [u(2, 2, 3, 4)], {"mode": "constant", "pad_width": (0, 0, 0, 0, 1, 2, 2, 1),
                                                  "constant_value": 0.5})
    add("pad_edge", "pad", [u(1, 2, 3, 4)], {"mode": "edge", "pad_width": (0, 0, 0, 0, 2, 1, 1, 3)})
    add("pad_reflect", "Pad", [u(1, 2, 3, 4)], {"mode": "reflect", "pad_width": (0, 0, 0, 0, 2, 1, 1, 3)})
    add("pad_reflect_5d", "Pad", [u(1, 2, 3, 4, 3)], {"mode": "reflect", "pad_width": (0, 0, 0, 0, 1, 1, 2, 0, 1, 2)})
    add("pad_edge_5d", "Pad", [u(1, 1, 2, 3, 2)], {"mode": "edge", "pad_width": (0, 0, 0, 0, 1, 2, 0, 1, 2, 1)})
    add("upsampling_nearest", "UpSampling", [u(2, 3, 2, 3)], {"scale": 2, "sample_type": "nearest"})
    add("upsampling_concat", "UpSampling", [u(1, 2, 2, 2), u(1, 3, 4, 4)],
        {"scale": 2, "sample_type": "nearest", "num_args": 2}, (0, 1))
    add("upsampling_sum", "UpSampling", [u(1, 2, 2, 2), u(1, 2, 1, 1)],
        {"scale": 3, "sample_type": "nearest", "multi_input_mode": "sum", "num_args": 2}, (0, 1))
    add("upsampling_bilinear", "UpSampling", [u(1, 2, 3, 3), u(2, 1, 4, 4)],
        {"scale": 2, "sample_type": "bilinear", "num_filter": 2, "num_args": 2}, (0, 1))
    add("crop_hw", "Crop", [u(2, 2, 5, 6)], {"h_w": (3, 2), "offset": (1, 2), "num_args": 1})
    add("crop_like_center", "Crop", [u(1, 2, 6, 7), u(1, 3, 3, 4)], {"center_crop": True, "num_args": 2}, (0,))
    add("depth_to_space", "depth_to_space", [u(2, 8, 2, 3)], {"block_size": 2})
    add("space_to_depth", "space_to_depth", [u(2, 2, 4, 6)], {"block_size": 2})
    add("resize_size", "contrib.BilinearResize2D", [u(1, 2, 3, 4)], {"height": 5, "width": 7})
    add("resize_noalign", "contrib.BilinearResize2D", [u(1, 2, 4, 5)], {"height": 7, "width": 3,
                                                                        "align_corners": False})
    add("resize_scale", "contrib.BilinearResize2D", [u(1, 1, 4, 3)], {"scale_height": 1.5, "scale_width": 2.0})
    add("resize_like", "contrib.BilinearResize2D", [u(1, 2, 3, 3), u(1, 1, 5, 4)], {"mode": "like"}, (0,))
    add("resize_odd_scale", "contrib.BilinearResize2D", [u(1, 1, 5, 4)], {"mode": "odd_scale",
                                                                         "scale_height": 2.0, "scale_width": 0.5})
    add("resize_to_even_up", "contrib.BilinearResize2D", [u(1, 1, 5, 4)], {"mode": "to_even_up"})
    add("adaptive_pool", "contrib.AdaptiveAvgPooling2D", [u(2, 2, 7, 5)], {"output_size": (3, 2)})
    add("adaptive_pool_1", "contrib.AdaptiveAvgPooling2D", [u(1, 2, 5, 5)], {"output_size": 4})
    add("adaptive_pool_default", "contrib.AdaptiveAvgPooling2D", [u(1, 2, 3, 4)], {})
    # --- regions of interest
    add("roipool", "ROIPooling", [u(2, 3, 8, 9), rois(5, 2, 32)], {"pooled_size": (2, 3), "spatial_scale": 0.25})
    add("roipool_scale1", "ROIPooling", [u(1, 2, 6, 6), rois(3, 1, 6)], {"pooled_size": (3, 3), "spatial_scale": 1.0})
    add("roialign", "contrib.ROIAlign", [u(2, 3, 8, 9), rois(5, 2, 32)], {"pooled_size": (2, 3),
                                                                          "spatial_scale": 0.25})
    add("roialign_ratio_aligned", "contrib.ROIAlign", [u(1, 2, 7, 6), rois(4, 1, 12)],
        {"pooled_size": (3, 2), "spatial_scale": 0.5, "sample_ratio": 2, "aligned": True})
    add("roialign_ps", "contrib.ROIAlign", [u(1, 8, 6, 6), rois(3, 1, 6)],
        {"pooled_size": (2, 2), "spatial_scale": 1.0, "position_sensitive": True})
    # --- smaller ops
    add("hard_sigmoid", "hard_sigmoid", [u(3, 4, lo=-4, hi=4)], {})
    add("hard_sigmoid_attrs", "hard_sigmoid", [u(3, 4, lo=-4, hi=4)], {"alpha": 0.3, "beta": 0.4})
    add("softmin", "softmin", [u(2, 5)], {})
    add("softmin_axis_t", "softmin", [u(2, 3, 4)], {"axis": 1, "temperature": 2.0})
    add("svm_l2", "SVMOutput", [u(4, 3, lo=-2, hi=2), np.array([0, 2, 1, 2], np.float32)], {})
    add("svm_l1", "SVMOutput", [u(4, 3, lo=-2, hi=2), np.array([1, 0, 2, 2], np.float32)],
        {"use_linear": True, "margin": 0.5, "regularization_coefficient": 0.7})
    add("im2col", "im2col", [u(2, 3, 5, 6)], {"kernel": (3, 2), "stride": (2, 1), "pad": (1, 0), "dilate": (1, 2)})
    add("col2im", "col2im", [u(2, 12, 12)], {"output_size": (5, 6), "kernel": (3, 2), "stride": (2, 1),
                                             "pad": (1, 0), "dilate": (1, 2)})
    # --- FlowNet correlation
    add("correlation", "Correlation", [u(2, 3, 6, 7), u(2, 3, 6, 7)], {"max_displacement": 2, "pad_size": 2},
        (0, 1))
    add("correlation_abs_k3", "Correlation", [u(1, 2, 8, 7), u(1, 2, 8, 7)],
        {"kernel_size": 3, "max_displacement": 2, "stride1": 2, "stride2": 2, "pad_size": 1, "is_multiply": False},
        (0, 1))
    # --- sampling grids
    theta = (np.array([[0.9, 0.1, 0.05, -0.2, 1.1, 0.1], [1.2, -0.3, -0.1, 0.2, 0.8, 0.05]])
             + u(2, 6) * 0.05).astype(np.float32)
    add("grid_affine", "GridGenerator", [theta], {"transform_type": "affine", "target_shape": (4, 5)})
    add("grid_warp", "GridGenerator", [u(2, 2, 3, 4)], {"transform_type": "warp"})
    add("spatial_transformer", "SpatialTransformer", [u(2, 3, 6, 5), theta],
        {"target_shape": (4, 3), "transform_type": "affine", "sampler_type": "bilinear"}, (0, 1))
    return c


# gluon layers: (name, constructor source evaluated with ``nn`` in scope, input shape)
LAYERS = [
    ("conv1d", "nn.Conv1D(4, 3, strides=2, padding=1, dilation=2, groups=2, in_channels=2, activation='relu')",
     (2, 2, 9)),
    ("conv1d_deferred", "nn.Conv1D(3, 2, use_bias=False)", (1, 4, 6)),
    ("conv3d", "nn.Conv3D(2, (2, 3, 2), strides=(1, 2, 1), padding=(1, 0, 1))", (2, 3, 4, 5, 4)),
    ("conv1d_t", "nn.Conv1DTranspose(3, 4, strides=2, padding=1, output_padding=1, in_channels=2)", (2, 2, 5)),
    ("conv3d_t", "nn.Conv3DTranspose(2, 2, strides=2, groups=2, in_channels=4)", (1, 4, 2, 3, 2)),
    ("maxpool1d", "nn.MaxPool1D(3, 2, ceil_mode=True)", (2, 3, 9)),
    ("maxpool3d", "nn.MaxPool3D(2, padding=1)", (1, 2, 4, 5, 3)),
    ("avgpool1d", "nn.AvgPool1D(3, 2, padding=1, count_include_pad=False)", (2, 3, 9)),
    ("avgpool3d", "nn.AvgPool3D((2, 2, 1), 1)", (1, 2, 3, 4, 3)),
    ("gmaxpool1d", "nn.GlobalMaxPool1D()", (2, 3, 5)),
    ("gmaxpool3d", "nn.GlobalMaxPool3D()", (2, 3, 2, 3, 2)),
    ("gavgpool1d", "nn.GlobalAvgPool1D()", (2, 3, 5)),
    ("gavgpool3d", "nn.GlobalAvgPool3D()", (2, 3, 2, 3, 2)),
    ("reflectionpad", "nn.ReflectionPad2D(2)", (2, 3, 4, 5)),
    ("bnrelu", "nn.BatchNormReLU(in_channels=3)", (4, 3, 2, 2)),
    ("instancenorm", "nn.InstanceNorm(scale=True, in_channels=3)", (2, 3, 4)),
    ("instancenorm_deferred", "nn.InstanceNorm(epsilon=1e-3)", (2, 3, 2, 2)),
    ("layernorm", "nn.LayerNorm(in_channels=5)", (2, 3, 5)),
    ("layernorm_axis", "nn.LayerNorm(axis=1, epsilon=1e-3, center=False)", (2, 3, 5)),
    ("groupnorm", "nn.GroupNorm(num_groups=2)", (2, 4, 3, 3)),
]


# gluon.contrib.rnn convolutional cells: (name, constructor source with ``rnn`` in scope, unrolled input
# shape (N, T, ...)); run as ``cell.unroll(3, x, merge_outputs=True)[0]``
CELLS = [
    ("conv1d_rnn", "rnn.Conv1DRNNCell((3, 7), 4, 3, 3, i2h_pad=1)", (2, 3, 3, 7)),
    ("conv1d_lstm", "rnn.Conv1DLSTMCell((3, 7), 2, (3,), (3,), activation='softsign')", (2, 3, 3, 7)),
    ("conv1d_gru_deferred", "rnn.Conv1DGRUCell((0, 6), 2, 3, 5, i2h_dilate=2, h2h_dilate=1)", (1, 3, 2, 6)),
    ("conv2d_lstm", "rnn.Conv2DLSTMCell((2, 5, 4), 3, 3, 3, i2h_pad=(1, 0))", (2, 3, 2, 5, 4)),
    ("conv2d_gru", "rnn.Conv2DGRUCell((2, 4, 4), 2, 3, 3)", (1, 3, 2, 4, 4)),
    ("conv3d_rnn", "rnn.Conv3DRNNCell((2, 3, 4, 3), 2, 2, 3, activation='sigmoid')", (1, 3, 2, 3, 4, 3)),
]


class _CellAsBlock:
    """Run a recurrent cell's 3-step unroll like a layer (for :func:`layers`)."""

    def __init__(self, cell):
        self.cell = cell

    def __getattr__(self, name):
        return getattr(self.cell, name)

    def __repr__(self):
        return repr(self.cell)

    def __call__(self, x):
        return self.cell.unroll(3, x, merge_outputs=True)[0]


def layers(mx, arrays):
    nn, rnn = mx.gluon.nn, mx.gluon.contrib.rnn
    meta = {}
    for name, source, shape in LAYERS + CELLS:
        block = eval(source)   # noqa: S307 -- constructor text from the tables above
        is_cell = (name, source, shape) in CELLS
        block = _CellAsBlock(block) if is_cell else block
        # MXNet 1.9.1 (MKL-DNN) fails the backward of a conv cell whose weights came through set_data:
        # the cells keep their random initial weights (biases zero), the layers get random ones
        block.initialize(mx.init.Uniform(0.5) if is_cell else mx.init.Uniform())
        x = mx.nd.array(u(*shape))
        block(x)   # resolves deferred shapes
        params = []
        for pname, param in block.collect_params().items():
            if is_cell:
                value = param.data().asnumpy()
            else:
                value = u(*param.shape) if "gamma" not in pname and "var" not in pname else pos(*param.shape)
                param.set_data(mx.nd.array(value))
            arrays[f"layer/{name}/param/{pname}"] = value
            params.append([pname, list(param.shape), param.grad_req])
        x.attach_grad()
        with mx.autograd.record():
            y = block(x)
        head = u(*y.shape)
        y.backward(mx.nd.array(head))
        arrays[f"layer/{name}/in"] = x.asnumpy()
        arrays[f"layer/{name}/out"] = y.asnumpy()
        arrays[f"layer/{name}/head"] = head
        arrays[f"layer/{name}/dx"] = x.grad.asnumpy()
        meta[name] = {"source": source, "repr": repr(block), "params": params, "cell": (name, source, shape) in CELLS}
    return meta


def run_case(mx, op_path, inputs, attrs, wrt):
    fn = mx.nd
    for part in op_path.split("."):
        fn = getattr(fn, part)
    arrays = [mx.nd.array(x, dtype=x.dtype) for x in inputs]
    for i in wrt:
        arrays[i].attach_grad()
    with mx.autograd.record(train_mode=True):
        out = fn(*arrays, **attrs)
    outs = list(out) if isinstance(out, (list, tuple)) else [out]
    heads = [u(*o.shape) for o in outs]
    mx.autograd.backward(outs, [mx.nd.array(h) for h in heads])
    return [o.asnumpy() for o in outs], heads, [arrays[i].grad.asnumpy() for i in wrt]


def main():
    import mxnet as mx
    mx.random.seed(0)
    arrays, meta = {}, []
    for name, op, inputs, attrs, wrt in cases():
        print(name, flush=True)
        outs, heads, grads = run_case(mx, op, inputs, attrs, wrt)
        for kind, values in (("in", inputs), ("out", outs), ("head", heads), ("grad", grads)):
            for i, v in enumerate(values):
                arrays[f"{name}/{kind}{i}"] = v
        meta.append({"name": name, "op": op, "attrs": attrs, "wrt": wrt, "inputs": len(inputs),
                     "outputs": len(outs)})
    layer_meta = layers(mx, arrays)
    np.savez_compressed(HERE / "opsnn_oracle.npz", **arrays)
    (HERE / "opsnn_oracle.json").write_text(json.dumps({"mxnet": mx.__version__, "cases": meta,
                                                        "layers": layer_meta}, indent=1))
    print(f"{len(meta)} cases written")


if __name__ == "__main__":
    main()
