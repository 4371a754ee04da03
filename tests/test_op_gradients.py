"""Every differentiable op in the registry passes the one gradient checker; a new op without a case fails."""
import numpy as np
import pytest

from ssdkit.ops import get_op, list_ops
from ssdkit.ops.indexing import ZeroGradOp
from ssdkit.testing import check_op_gradient

R = np.random.default_rng(0)


def u(*shape, lo=-1.0, hi=1.0):
    return R.uniform(lo, hi, shape)


def away_from_zero(*shape):
    x = u(*shape)
    return np.where(np.abs(x) < 0.2, 0.5, x)


def pos(*shape):
    return u(*shape, lo=0.5, hi=2.0)


UNARY_POS = ["log", "log2", "log10", "log1p", "sqrt", "rsqrt", "reciprocal"]
UNARY_ANY = ["exp", "expm1", "sigmoid", "tanh", "softrelu", "softsign", "square", "negative", "sin", "cos", "tan",
             "arctan", "sinh", "cosh", "erf", "_copy"]
UNARY_KINK = ["relu", "abs"]
SCALAR = ["_plus_scalar", "_minus_scalar", "_rminus_scalar", "_mul_scalar", "_div_scalar", "_rdiv_scalar",
          "_power_scalar", "_rpower_scalar", "_maximum_scalar", "_minimum_scalar", "_mod_scalar", "_rmod_scalar"]
BINARY = ["broadcast_add", "broadcast_sub", "broadcast_mul", "broadcast_div", "broadcast_power",
          "broadcast_maximum", "broadcast_minimum", "broadcast_hypot", "broadcast_mod"]

# op name -> list of (inputs, params, wrt or None, is_train)
CASES = {}
for name in UNARY_POS:
    CASES[name] = [([pos(2, 3)], {}, None, False)]
for name in UNARY_ANY:
    CASES[name] = [([u(2, 3)], {}, None, False)]
for name in UNARY_KINK:
    CASES[name] = [([away_from_zero(2, 3)], {}, None, False)]
for name in SCALAR:
    CASES[name] = [([pos(2, 3) + 0.1], {"scalar": 0.7 if "mod" not in name else 5.0}, None, False)]
CASES["_rmod_scalar"] = [([pos(2, 3) + 3.0], {"scalar": 1.3}, None, False)]
for name in BINARY:
    CASES[name] = [([pos(2, 3), pos(1, 3) + 2.5], {}, None, False)]
CASES["broadcast_mod"] = [([pos(2, 3) + 5.0, pos(1, 3) + 1.5], {}, None, False)]

CASES.update({
    "Activation": [([away_from_zero(2, 3)], {"act_type": t}, None, False)
                   for t in ("relu", "sigmoid", "tanh", "softrelu", "softsign")],
    "LeakyReLU": [([away_from_zero(2, 3, 2, 2)], {"act_type": "leaky", "slope": 0.1}, None, False),
                  ([away_from_zero(2, 3)], {"act_type": "elu"}, None, False),
                  ([away_from_zero(2, 3)], {"act_type": "selu"}, None, False),
                  ([away_from_zero(2, 3)], {"act_type": "gelu"}, None, False),
                  ([away_from_zero(2, 3, 2), u(3)], {"act_type": "prelu"}, None, False)],
    "BatchNorm": [([u(4, 3, 2, 2), pos(3), u(3), u(3), pos(3)], {"fix_gamma": False}, [0, 1, 2], True),
                  ([u(4, 3, 2, 2), pos(3), u(3), u(3), pos(3)], {"fix_gamma": False, "use_global_stats": True},
                   [0, 1, 2], True),
                  ([u(3, 5), pos(5), u(5), u(5), pos(5)], {"fix_gamma": True}, [0, 2], True)],
    "FullyConnected": [([u(2, 3, 2), u(4, 6), u(4)], {"num_hidden": 4}, None, False),
                       ([u(2, 3, 2), u(4, 2)], {"num_hidden": 4, "flatten": False, "no_bias": True}, None, False)],
    "Convolution": [([u(2, 3, 5, 5), u(4, 3, 3, 3), u(4)], {"kernel": (3, 3), "num_filter": 4, "pad": (1, 1)},
                     None, False),
                    ([u(1, 4, 7, 6), u(4, 2, 3, 2), u(4)], {"kernel": (3, 2), "num_filter": 4, "num_group": 2,
                                                             "stride": (2, 1), "dilate": (2, 1)}, None, False)],
    "Deconvolution": [([u(2, 3, 4, 4), u(3, 2, 4, 4), u(2)], {"kernel": (4, 4), "num_filter": 2, "stride": (2, 2), "no_bias": False,
                                                               "pad": (1, 1)}, None, False)],
    "Pooling": [([u(2, 2, 6, 6)], {"kernel": (2, 2), "stride": (2, 2), "pool_type": "max"}, None, False),
                ([u(2, 2, 5, 5)], {"kernel": (3, 3), "stride": (2, 2), "pool_type": "avg", "pad": (1, 1),
                                   "pooling_convention": "full", "count_include_pad": False}, None, False),
                ([u(1, 2, 4, 4)], {"global_pool": True, "pool_type": "sum"}, None, False)],
    "Dropout": [([u(3, 4)], {"p": 0.5}, None, False)],
    "_fused_bn_relu": [([u(4, 3, 2, 2), pos(3), u(3), u(3), pos(3)], {"fix_gamma": False}, [0, 1, 2], True)],
    "_fused_bn_relu_pool": [([u(2, 3, 4, 5), pos(3), u(3), u(3), pos(3)], {"fix_gamma": False}, [0, 1, 2], True)],
    "Embedding": [([np.array([0, 2, 1.0]), u(3, 4)], {"input_dim": 3, "output_dim": 4}, [1], False)],
    "softmax": [([u(2, 5)], {"axis": -1}, None, False), ([u(2, 3, 2)], {"axis": 1, "temperature": 2.0}, None, False)],
    "log_softmax": [([u(2, 5)], {}, None, False)],
    "SoftmaxActivation": [([u(2, 3, 2)], {"mode": "channel"}, None, False), ([u(2, 4)], {}, None, False)],
    "smooth_l1": [([u(3, 4, lo=-3, hi=3)], {"scalar": 1.0}, None, False)],
    "Flatten": [([u(2, 3, 2)], {}, None, False)],
    "Reshape": [([u(2, 3, 4)], {"shape": (0, -1)}, None, False)],
    "reshape_like": [([u(2, 3, 4), u(6, 4)], {}, [0], False)],
    "expand_dims": [([u(2, 3)], {"axis": 1}, None, False)],
    "squeeze": [([u(2, 1, 3)], {"axis": (1,)}, None, False)],
    "transpose": [([u(2, 3, 4)], {"axes": (2, 0, 1)}, None, False)],
    "swapaxes": [([u(2, 3, 4)], {"dim1": 0, "dim2": 2}, None, False)],
    "concat": [([u(2, 3), u(2, 2)], {"dim": 1, "num_args": 2}, None, False)],
    "stack": [([u(2, 3), u(2, 3)], {"axis": 1, "num_args": 2}, None, False)],
    "split": [([u(2, 4)], {"num_outputs": 2, "axis": 1}, None, False),
              ([u(2, 4)], {"num_outputs": 2, "axis": 0, "squeeze_axis": True}, None, False)],
    "slice": [([u(4, 5)], {"begin": (1, 0), "end": (3, 5), "step": (1, 2)}, None, False)],
    "slice_axis": [([u(4, 5)], {"axis": 1, "begin": 1, "end": 4}, None, False)],
    "slice_like": [([u(4, 5), u(2, 3)], {}, [0], False)],
    "_getitem": [([u(4, 5)], {"key": (slice(1, 3), [0, 2, 2])}, None, False)],
    "take": [([u(4, 3), np.array([0, 3, 3, 1.0])], {"axis": 0}, [0], False)],
    "pick": [([u(3, 4), np.array([0, 3, 1.0])], {"axis": 1}, [0], False)],
    "where": [([np.array([1.0, 0, 1]), u(3), u(3)], {}, [1, 2], False)],
    "clip": [([u(3, 4, lo=-2, hi=2)], {"a_min": -1.0, "a_max": 1.0}, None, False)],
    "broadcast_to": [([u(1, 3)], {"shape": (4, 3)}, None, False)],
    "broadcast_like": [([u(1, 3), u(4, 3)], {}, [0], False),
                       ([u(2, 1, 3), u(4, 5, 6)], {"lhs_axes": (1,), "rhs_axes": (1,)}, [0], False)],
    "broadcast_axis": [([u(1, 3)], {"axis": (0,), "size": (4,)}, None, False)],
    "tile": [([u(2, 3)], {"reps": (2, 2)}, None, False)],
    "repeat": [([u(2, 3)], {"repeats": 2, "axis": 1}, None, False), ([u(2, 3)], {"repeats": 3}, None, False)],
    "Cast": [([u(2, 3)], {"dtype": "float64"}, None, False)],
    "sum": [([u(2, 3, 4)], {"axis": (1,)}, None, False), ([u(2, 3)], {"axis": (1,), "exclude": True}, None, False)],
    "mean": [([u(2, 3, 4)], {"axis": (0, 2), "keepdims": True}, None, False)],
    "prod": [([pos(2, 3)], {"axis": (1,)}, None, False)],
    "max": [([u(2, 5)], {"axis": (1,)}, None, False)],
    "min": [([u(2, 5)], {}, None, False)],
    "norm": [([u(2, 5)], {"axis": (1,)}, None, False), ([u(2, 5)], {"ord": 1}, None, False)],
    "sort": [([u(2, 5)], {"axis": 1, "is_ascend": False}, None, False)],
    "topk": [([u(2, 5)], {"k": 2, "ret_typ": "value"}, None, False)],
    "dot": [([u(2, 3), u(3, 4)], {}, None, False), ([u(3, 2), u(4, 3)], {"transpose_a": True,
                                                                       "transpose_b": True}, None, False)],
    "batch_dot": [([u(2, 3, 4), u(2, 4, 2)], {}, None, False),
                  ([u(2, 4, 3), u(2, 2, 4)], {"transpose_a": True, "transpose_b": True}, None, False)],
})

# box_nms passes gradients to the rows it keeps; distinct scores keep the order stable under perturbation
_boxes = np.array([[0, .9, .1, .1, .4, .4], [0, .8, .12, .1, .42, .4], [1, .7, .5, .5, .9, .9],
                   [0, .6, .6, .1, .8, .3]])
CASES["_contrib_box_nms"] = [([_boxes[None]], {"overlap_thresh": 0.5, "id_index": 0}, None, False)]

# image ops with true gradients; the flips and colour ops pass the gradient through (MXNet's ``_copy``)
CASES.update({
    "_image_normalize": [([u(3, 2, 4)], {"mean": (0.1, 0.2, 0.3), "std": (0.5, 2.0, 4.0)}, None, False),
                         ([u(2, 1, 3, 2)], {"mean": (0.5,), "std": (0.25,)}, None, False)],
    "_image_crop": [([u(4, 5, 3)], {"x": 1, "y": 2, "width": 3, "height": 2}, None, False),
                    ([u(2, 4, 5, 1)], {"x": 0, "y": 1, "width": 5, "height": 3}, None, False)],
    "reverse": [([u(2, 3, 4)], {"axis": (0, 2)}, None, False)],
    # grid points away from pixel centres (the bilinear weights have kinks there), some outside the image
    "BilinearSampler": [([u(2, 3, 4, 5), np.array([-1.13, -0.71, -0.33, 0.07, 0.41, 0.83, 1.09, 0.57])
                          .reshape(1, 2, 2, 2).repeat(2, 0) + np.array([0, 0.013]).reshape(2, 1, 1, 1)],
                         {}, None, False)],
})
PASS_THROUGH = {"_image_flip_left_right": {}, "_image_flip_top_bottom": {}, "_image_random_flip_left_right": {},
                "_image_random_flip_top_bottom": {}, "_image_adjust_lighting": {"alpha": (0.1, 0.2, 0.3)},
                "_image_random_lighting": {}, "_image_random_color_jitter": {"brightness": 0.1, "contrast": 0.1,
                                                                             "saturation": 0.1, "hue": 0.1},
                **{f"_image_random_{n}": {"min_factor": 0.5, "max_factor": 1.5}
                   for n in ("brightness", "contrast", "saturation", "hue")}}
CASES.update({name: [([pos(3, 4, 3)], params, None, False)] for name, params in PASS_THROUGH.items()})

# Custom runs a Python operator registered with mx.operator; a two-input one checks the plumbing of both grads
import ssdkit.operator as _operator  # noqa: E402


class _MulCube(_operator.CustomOp):
    def forward(self, is_train, req, in_data, out_data, aux):
        self.assign(out_data[0], req[0], in_data[0] * in_data[1] ** 3)

    def backward(self, req, out_grad, in_data, out_data, in_grad, aux):
        a, b = in_data
        self.assign(in_grad[0], req[0], out_grad[0] * b ** 3)
        self.assign(in_grad[1], req[1], out_grad[0] * 3 * a * b ** 2)


@_operator.register("gradient_case_mul_cube")
class _MulCubeProp(_operator.CustomOpProp):
    def list_arguments(self):
        return ["a", "b"]

    def create_operator(self, ctx, shapes, dtypes):
        return _MulCube()


CASES["_hypot_scalar"] = [([u(2, 3)], {"scalar": 1.5}, None, False)]
CASES["add_n"] = [([u(2, 3), u(2, 3), u(2, 3)], {"num_args": 3}, None, False)]
CASES["L2Normalization"] = [([u(2, 3, 2, 2)], {"mode": m}, None, False) for m in ("instance", "channel", "spatial")]
CASES["_contrib_SyncBatchNorm"] = [
    ([u(4, 3, 2, 2), pos(3), u(3), u(3), pos(3)], {"fix_gamma": False, "key": "g"}, [0, 1, 2], True),
    ([u(4, 3, 2), pos(3), u(3), u(3), pos(3)], {"fix_gamma": False, "key": "g"}, [0, 1, 2], False)]
CASES["Custom"] = [([u(2, 3), u(2, 3)], {"op_type": "gradient_case_mul_cube"}, None, False)]

# NumPy-rule ops behind mx.np / mx.npx, and the inverse trigonometric family
for name in ("arcsin", "arccos", "arctanh"):
    CASES[name] = [([u(2, 3, lo=-0.8, hi=0.8)], {}, None, False)]
CASES.update({
    "arcsinh": [([u(2, 3)], {}, None, False)], "arccosh": [([pos(2, 3) + 1.0], {}, None, False)],
    "cbrt": [([pos(2, 3)], {}, None, False)], "degrees": [([u(2, 3)], {}, None, False)],
    "radians": [([u(2, 3)], {}, None, False)],
    "broadcast_arctan2": [([pos(2, 3), u(1, 3)], {}, None, False)],
    "_np_sum": [([u(2, 3)], {}, None, False), ([u(2, 3, 2)], {"axis": (0, 2), "keepdims": True}, None, False)],
    "_npi_mean": [([u(2, 3)], {"axis": 1}, None, False)],
    "_np_prod": [([pos(2, 3)], {}, None, False)],
    "_np_max": [([u(2, 3)], {"axis": 0}, None, False)], "_np_min": [([u(2, 3)], {}, None, False)],
    "_npi_var": [([u(3, 4)], {"axis": 1, "ddof": 1}, None, False)],
    "_npi_std": [([u(3, 4)], {}, None, False), ([u(3, 4)], {"axis": 0, "keepdims": True}, None, False)],
    "_np_reshape": [([u(2, 3)], {"newshape": (3, -1)}, None, False)],
    "_npx_reshape": [([u(2, 3, 4)], {"newshape": (-2, -5)}, None, False)],
    "_np_squeeze": [([u(1, 3, 1)], {}, None, False)],
    "_npi_where": [([np.array([[1.0], [0.0]]), u(2, 3), u(1, 3)], {}, [1, 2], False)],
    "_npi_split": [([u(5, 2)], {"indices": (1, 3)}, None, False)],
    "_np_cumsum": [([u(2, 3)], {"axis": 1}, None, False), ([u(2, 3)], {}, None, False)],
    "_np_dot": [([u(2, 3), u(3, 4)], {}, None, False), ([u(2, 2, 3), u(4, 3, 2)], {}, None, False),
                ([u(3), u(3)], {}, None, False), ([u(3), u(3, 2)], {}, None, False)],
    "_npi_matmul": [([u(2, 2, 3), u(3, 4)], {}, None, False), ([u(3), u(2, 3, 2)], {}, None, False),
                    ([u(2, 3), u(3)], {}, None, False)],
    "_npi_tensordot": [([u(2, 3, 4), u(4, 3, 5)], {"a_axes_summed": (1, 2), "b_axes_summed": (1, 0)}, None,
                        False)],
    "_npi_einsum": [([u(2, 3), u(3, 4)], {"subscripts": "ij,jk->ik", "num_args": 2}, None, False),
                    ([u(2, 3), u(3)], {"subscripts": "ij,j->i", "num_args": 2}, None, False)],
    "_npi_inv": [([np.eye(3) * 2 + u(3, 3) * 0.3], {}, None, False)],
    "_npi_det": [([np.eye(3) * 2 + u(3, 3) * 0.3], {}, None, False)],
    "_npi_norm": [([u(2, 3)], {}, None, False), ([u(2, 3)], {"axis": (1,), "keepdims": True}, None, False)],
    "_npi_basic_index": [([u(3, 4, 2)], {"key": ":;-1;1:;"}, None, False), ([u(3, 4)], {"key": "1;None;::2;"}, None, False)],
    "SequenceMask": [([u(3, 2, 2), np.array([1.0, 3.0])], {"use_sequence_length": True}, [0], False),
                     ([u(2, 4)], {}, None, False)],
})


def _rnn_case(mode, input_size=3, seq=None, **params):
    from ssdkit.ops.rnn import rnn_param_size
    params = dict(state_size=3, num_layers=2, mode=mode, state_outputs=True, **params)
    p = get_op("RNN").parse_params(params)
    d = 2 if p.bidirectional else 1
    rec = p.projection_size or 3
    inputs = [u(4, 2, input_size), 0.5 * u(rnn_param_size(p, input_size)), u(2 * d, 2, rec)]
    inputs += [u(2 * d, 2, 3)] if mode == "lstm" else []
    wrt = list(range(len(inputs)))
    if seq is not None:
        params["use_sequence_length"] = True
        inputs.append(np.array(seq, np.float64))
    return inputs, params, wrt, False


CASES["RNN"] = [_rnn_case("rnn_relu"), _rnn_case("rnn_tanh", bidirectional=True), _rnn_case("gru", bidirectional=True),
                _rnn_case("lstm", bidirectional=True), _rnn_case("lstm", projection_size=2),
                _rnn_case("gru", seq=[4, 2], bidirectional=True), _rnn_case("lstm", seq=[1, 3]),
                _rnn_case("lstm", lstm_state_clip_min=-0.2, lstm_state_clip_max=0.2)]
CASES["_rnn_param_concat"] = [([u(6), u(4)], {"dim": 0, "num_args": 2}, None, False)]
CASES["SequenceMask"] += [([u(3, 4, 2), np.array([1, 3, 2.0])], {"use_sequence_length": True, "axis": 1,
                                                                "value": -1.0}, [0], False)]
CASES["SequenceLast"] = [([u(4, 3, 2), np.array([1, 4, 2.0])], {"use_sequence_length": True}, [0], False),
                         ([u(3, 4, 2)], {"axis": 1}, None, False)]
CASES["SequenceReverse"] = [([u(4, 3, 2), np.array([1, 4, 2.0])], {"use_sequence_length": True}, [0], False),
                            ([u(4, 3)], {}, None, False)]
CASES["CTCLoss"] = [([u(5, 2, 4), np.array([[1, 2, 0], [3, 0, 0.0]])], {}, [0], False),
                   ([u(5, 2, 4), np.array([[0, 1, -1], [2, -1, -1.0]]), np.array([5, 4.0])],
                    {"blank_label": "last", "use_data_lengths": True}, [0], False)]

# ops that move elements (ops/numpy_rearrange.py): one shared backward, a case per op
_X = u(3, 4)
_SPD = np.array([[2.0, 0.5, 0.1], [0.5, 3.0, 0.2], [0.1, 0.2, 1.5]])
CASES.update({
    "_np_roll": [([_X], {"shift": (1, -2), "axis": (0, 1)}, None, False), ([_X], {"shift": 5}, None, False)],
    "_npi_flip": [([_X], {}, None, False)], "_npi_rot90": [([_X], {"k": 1}, None, False), ([_X], {"k": 3}, None, False)],
    "_np_moveaxis": [([_X[None]], {"source": (0,), "destination": (2,)}, None, False)],
    "_np_diagonal": [([_X], {"offset": 1}, None, False)], "_np_diag": [([_X[0]], {"k": -1}, None, False)],
    "_np_diagflat": [([_X[:2, :2]], {"k": 1}, None, False)], "_npi_tril": [([_X], {}, None, False)],
    "_np_resize": [([_X[0]], {"new_shape": (3, 3)}, None, False)],
    "_np_atleast_1d": [([u(), _X], {"num_args": 2}, None, False)], "_np_atleast_2d": [([_X[0]], {}, None, False)],
    "_np_atleast_3d": [([_X], {}, None, False)],
    "_npi_pad": [([_X], {"pad_width": (1, 2, 2, 1), "mode": "reflect"}, None, False),
                 ([_X], {"pad_width": (2, 2), "mode": "edge"}, None, False),
                 ([_X], {"pad_width": (0, 1, 3, 0), "mode": "symmetric"}, None, False)],
    "_npi_hstack": [([_X, _X[:, :1]], {"num_args": 2}, None, False)],
    "_npi_vstack": [([_X[0], _X], {"num_args": 2}, None, False)], "_npi_dstack": [([_X, _X], {"num_args": 2}, None, False)],
    "_npi_column_stack": [([_X[0], _X[1]], {"num_args": 2}, None, False)],
    "_npi_array_split": [([_X], {"sections": 3, "axis": 1}, None, False)],
    "_npi_broadcast_arrays": [([_X[:, :1], _X[0]], {"num_args": 2}, None, False)],
    "_npi_delete": [([_X], {"obj": (0, 2), "axis": 1}, None, False)],
    "_npi_insert": [([_X, _X[:, :1]], {"obj": 1, "axis": 1}, None, False)],
    "_np_broadcast_to": [([_X[:, :1]], {"shape": (2, 3, 4)}, None, False)],
    "take": CASES.get("take", []) + [([_X, np.array([[0, 3], [2, 2]])], {"axis": -1}, [0], False)],
    "_npi_einsum": CASES.get("_npi_einsum", []) + [
        ([_SPD], {"subscripts": "ii->i"}, None, False), ([_SPD, u(2, 3)], {"subscripts": "ij,...j->...i", "num_args": 2}, None, False),
        ([u(2, 1, 3), u(4, 3)], {"subscripts": "...j,kj", "num_args": 2}, None, False), ([_X], {"subscripts": "ij"}, None, False)],
    "_npi_norm": CASES.get("_npi_norm", []) + [
        ([_X], {"ord": 1, "axis": (1,)}, None, False), ([_X], {"ord": 3, "axis": (0,), "keepdims": True}, None, False),
        ([_X], {"ord": "inf", "axis": (1,)}, None, False), ([_X], {"ord": 1, "axis": (0, 1)}, None, False),
        ([_X], {"ord": "-inf", "axis": (0, 1)}, None, False), ([_X], {"ord": 2, "axis": (0, 1)}, None, False),
        ([_X], {"ord": -2, "axis": (1, 0)}, None, False), ([_X[None]], {"ord": "nuc", "axis": (1, 2)}, None, False)],
    "_npi_clip": [([_X], {"a_min": -0.3, "a_max": 0.4}, None, False), ([_X], {"a_max": 0.1}, None, False)],
    "_npi_diff": [([_X], {"n": 2, "axis": 0}, None, False)], "_npi_ediff1d": [([_X], {"to_begin": (1.0,)}, None, False)],
    "_npi_nan_to_num": [([_X], {}, None, False)], "_npi_polyval": [([u(3), _X], {}, None, False)],
    # ops/numpy_linalg.py
    "_npi_cholesky": [([_SPD], {}, None, False)], "_npi_solve": [([_SPD, u(3, 2)], {}, None, False),
                                                                ([_SPD[None], u(1, 3)], {}, None, False)],
    "_npi_slogdet": [([_SPD], {}, None, False)], "_npi_svd": [([np.array([[3.0, 0.5, 0.2], [0.1, 1.5, 0.3]])], {}, None, False)],
    "_npi_pinv_scalar_rcond": [([u(3, 2)], {}, None, False)], "_npi_eigh": [([_SPD], {}, None, False)],
    "_npi_eigvalsh": [([_SPD], {"UPLO": "U"}, None, False)], "_npi_tensorinv": [([_SPD.reshape(3, 3, 1)], {"ind": 1}, None, False)],
    "_npi_tensorsolve": [([_SPD.reshape(3, 1, 3), u(3, 1)], {}, None, False)],
    "_npi_full_like": [([_X], {"fill_value": 2.0}, None, False)],
    "_npi_average": [([_X, pos(4)], {"axis": (1,)}, None, False), ([_X, pos(3, 4)], {"returned": True}, None, False),
                     ([_X], {"axis": (0,), "weighted": False}, None, False)],
    "_npi_setitem": [([_X, _X[0, :2]], {"key": (slice(1, 3), slice(None, 2))}, None, False),
                     ([_X, u()], {"key": np.array([0, 2])}, None, False)],
})
# AMP casts: float64 is not cast (only float16/32 are), so the float64 checker sees the pass-through
CASES["amp_cast"] = [([u(2, 3)], {"dtype": "float16"}, None, False)]
CASES["amp_multicast"] = [([u(2, 3), u(2, 3)], {"num_outputs": 2}, None, False)]

# neural-network ops: norms, N-d convolution/pooling, spatial resampling, ROI pooling (ssdkit/ops/norm.py, ...)
_ROIS = np.array([[0, 1.0, 1.5, 6.2, 5.1], [1, 0.3, 2.2, 3.9, 7.4], [0, 4.1, 0.2, 7.6, 3.3]])
CASES.update({
    "LayerNorm": [([u(2, 3, 4), pos(4), u(4)], {}, None, False), ([u(2, 3, 4), pos(3), u(3)], {"axis": 1}, None, False)],
    "GroupNorm": [([u(2, 4, 3), pos(2), u(2)], {"num_groups": 2}, None, False)],
    "InstanceNorm": [([u(2, 3, 2, 2), pos(3), u(3)], {}, None, False)],
    "LRN": [([u(1, 5, 2, 2)], {"nsize": 3, "alpha": 0.1}, None, False)],
    "moments": [([u(2, 3, 4)], {"axes": (0, 2)}, None, False)],
    "_contrib_BatchNormWithReLU": [([away_from_zero(4, 3, 2), pos(3), u(3), u(3), pos(3)], {"fix_gamma": False},
                                    [0, 1, 2], True)],
    "Pad": [([u(1, 2, 3, 3)], {"mode": m, "pad_width": (0, 0, 0, 0, 1, 2, 2, 1)}, None, False)
            for m in ("constant", "edge", "reflect")],
    "UpSampling": [([u(1, 2, 2, 2), u(1, 1, 4, 4)], {"scale": 2, "sample_type": "nearest", "num_args": 2}, None, False),
                   ([u(1, 2, 3, 3), u(2, 1, 4, 4)], {"scale": 2, "sample_type": "bilinear", "num_filter": 2,
                                                     "num_args": 2}, None, False)],
    "Crop": [([u(1, 2, 5, 5)], {"h_w": (3, 2), "offset": (1, 2), "num_args": 1}, None, False)],
    "depth_to_space": [([u(1, 8, 2, 3)], {"block_size": 2}, None, False)],
    "space_to_depth": [([u(1, 2, 4, 2)], {"block_size": 2}, None, False)],
    "_contrib_BilinearResize2D": [([u(1, 2, 3, 4)], {"height": 5, "width": 3}, None, False),
                                  ([u(1, 1, 3, 4)], {"height": 4, "width": 7, "align_corners": False}, None, False)],
    "_contrib_AdaptiveAvgPooling2D": [([u(1, 2, 5, 4)], {"output_size": (3, 2)}, None, False)],
    "GridGenerator": [([u(2, 6)], {"transform_type": "affine", "target_shape": (3, 4)}, None, False),
                      ([u(1, 2, 3, 4)], {"transform_type": "warp"}, None, False)],
    "SpatialTransformer": [([u(1, 2, 5, 4), np.array([[0.5, 0.05, 0.02, -0.05, 0.5, 0.03]])],  # samples inside
                            {"target_shape": (3, 3)}, None, False)],
    "Correlation": [([u(1, 2, 5, 5), u(1, 2, 5, 5)], {"max_displacement": 1, "pad_size": 1}, None, False),
                    ([u(1, 2, 6, 6), u(1, 2, 6, 6) + 3.0], {"kernel_size": 3, "max_displacement": 2, "stride2": 2,
                                                          "pad_size": 1, "is_multiply": False}, None, False)],
    "hard_sigmoid": [([u(2, 3, lo=-2, hi=2)], {"alpha": 0.3}, None, False)],
    "softmin": [([u(2, 4)], {}, None, False), ([u(2, 3, 2)], {"axis": 1, "temperature": 2.0}, None, False)],
    "im2col": [([u(1, 2, 4, 5)], {"kernel": (2, 3), "stride": (2, 1), "pad": (1, 1)}, None, False)],
    "col2im": [([u(1, 12, 4)], {"kernel": (2, 3), "output_size": (3, 4), "pad": (0, 1), "stride": (2, 1)}, None,
                False)],
    "ROIPooling": [([u(2, 2, 8, 8), _ROIS], {"pooled_size": (2, 2), "spatial_scale": 1.0}, [0], False)],
    "_contrib_ROIAlign": [([u(2, 2, 8, 8), _ROIS], {"pooled_size": (2, 3), "spatial_scale": 1.0}, [0], False),
                          ([u(2, 4, 8, 8), _ROIS], {"pooled_size": (2, 2), "spatial_scale": 0.8, "sample_ratio": 2,
                                                    "position_sensitive": True, "aligned": True}, [0], False)],
})
CASES["Convolution"] += [([u(2, 4, 7), u(2, 2, 3), u(2)], {"kernel": (3,), "num_filter": 2, "num_group": 2,
                                                            "stride": (2,), "pad": (1,)}, None, False),
                         ([u(1, 2, 4, 3, 4), u(3, 2, 2, 2, 3), u(3)], {"kernel": (2, 2, 3), "num_filter": 3,
                                                                       "pad": (1, 0, 1), "dilate": (1, 1, 2)},
                          None, False)]
CASES["Deconvolution"] += [([u(1, 2, 4), u(2, 3, 3)], {"kernel": (3,), "num_filter": 3, "stride": (2,), "adj": (1,)},
                            None, False),
                           ([u(1, 4, 2, 3, 2), u(4, 1, 2, 2, 2), u(2)], {"kernel": (2, 2, 2), "num_filter": 2,
                                                                         "num_group": 2, "stride": (2, 1, 2),
                                                                         "no_bias": False}, None, False)]
CASES["Pooling"] += [([u(2, 2, 7)], {"kernel": (3,), "stride": (2,), "pool_type": "max"}, None, False),
                     ([u(1, 2, 4, 5, 3)], {"kernel": (2, 3, 2), "stride": (2, 1, 1), "pad": (1, 1, 0),
                                           "pool_type": "avg", "count_include_pad": False}, None, False),
                     ([u(1, 2, 3, 4, 3)], {"kernel": (2, 2, 2), "pool_type": "max"}, None, False),
                     ([pos(1, 2, 4, 5)], {"kernel": (2, 2), "pool_type": "lp", "p_value": 2}, None, False),
                     ([u(1, 2, 6)], {"kernel": (3,), "stride": (2,), "pool_type": "lp", "p_value": 3}, None, False)]

# reparameterized samplers (ops/numpy_random.py): the noise is reseeded for every evaluation
_F64 = {"dtype": "float64"}
SEEDED = {
    "_npi_normal": [([u(2, 3), pos(1, 3)], dict(_F64, size=(2, 3)), None, False)],
    "_npi_logistic": [([u(2, 3)], dict(_F64, scale=2.0), None, False)],
    "_npi_gumbel": [([pos(3)], dict(_F64, loc=0.5, size=(2, 3)), None, False)],
    "_npi_laplace": [([u(3), pos(3)], _F64, None, False)],
    "_npi_uniform": [([u(2, 3), pos(2, 3) + 1], _F64, None, False)],
    "_npi_exponential": [([pos(2, 3)], _F64, None, False)], "_npi_rayleigh": [([pos(2, 3)], _F64, None, False)],
    "_npi_weibull": [([pos(2, 3)], _F64, None, False)], "_npi_pareto": [([pos(2, 3)], _F64, None, False)],
    "_npi_powerd": [([pos(2, 3)], _F64, None, False)],
    "_npi_normal_n": [([u(3), pos(3)], dict(_F64, batch_shape=(2,)), None, False)],
    "_npi_uniform_n": [([u(3)], dict(_F64, high=2.0, batch_shape=(2,)), None, False)],
}
CASES.update(SEEDED)
# math, linear-algebra and indexing ops (ops/linalg.py, special.py, indexing.py, contrib_math.py)
def _spd(n, *batch):
    a = u(*batch, n, n)
    return a @ np.swapaxes(a, -1, -2) + n * np.eye(n)


def _tri(n, *batch, lower=True):
    t = np.tril(u(*batch, n, n)) + 2 * np.eye(n)
    return t if lower else np.swapaxes(t, -1, -2)


CASES.update({
    "_linalg_gemm": [([u(2, 3, 4), u(2, 4, 5), u(2, 3, 5)], {"alpha": 0.7, "beta": 1.5}, None, False),
                     ([u(4, 3), u(5, 4), u(3, 5)], {"transpose_a": True, "transpose_b": True}, None, False)],
    "_linalg_gemm2": [([u(2, 3, 4), u(2, 5, 4)], {"transpose_b": True, "alpha": 2.0}, None, False),
                      ([u(3, 2, 4), u(4, 2, 5)], {"axis": 0}, None, False)],
    "_linalg_potri": [([_tri(3, 2)], {}, None, False), ([_tri(3, lower=False)], {"lower": False}, None, False)],
    "_linalg_trmm": [([_tri(3, 2, lower=lo), u(2, 3, 4) if not rs else u(2, 4, 3)],
                      {"transpose": tr, "rightside": rs, "lower": lo, "alpha": 1.5}, None, False)
                     for tr in (False, True) for rs in (False, True) for lo in (False, True)],
    "_linalg_trsm": [([_tri(3, 2, lower=lo), u(2, 3, 4) if not rs else u(2, 4, 3)],
                      {"transpose": tr, "rightside": rs, "lower": lo, "alpha": 1.5}, None, False)
                     for tr in (False, True) for rs in (False, True) for lo in (False, True)],
    "_linalg_syrk": [([u(2, 3, 4)], {"alpha": 0.5}, None, False), ([u(3, 4)], {"transpose": True}, None, False)],
    "_linalg_gelqf": [([u(2, 3, 5)], {}, None, False)],
    "_linalg_inverse": [([u(2, 3, 3) + 2 * np.eye(3)], {}, None, False)],
    "_linalg_det": [([u(2, 3, 3) + 2 * np.eye(3)], {}, None, False)],
    "_linalg_slogdet": [([u(2, 3, 3) - 2 * np.eye(3)], {}, None, False)],
    "_linalg_sumlogdiag": [([_spd(3, 2)], {}, None, False)],
    "_linalg_extractdiag": [([u(2, 4, 4)], {"offset": 1}, None, False)],
    "_linalg_makediag": [([u(2, 3)], {"offset": -1}, None, False)],
    "_linalg_extracttrian": [([u(4, 4)], {"offset": o, "lower": lo}, None, False)
                             for o, lo in ((0, True), (0, False), (1, True), (-2, False))],
    "_linalg_maketrian": [([u(2, 6)], {}, None, False), ([u(3)], {"offset": 1}, None, False)],
    "gamma": [([pos(2, 3)], {}, None, False)],
    "gammaln": [([pos(2, 3)], {}, None, False)],
    "erfinv": [([u(2, 3, lo=-0.9, hi=0.9)], {}, None, False)],
    "rcbrt": [([pos(2, 3)], {}, None, False)],
    "nansum": [([u(2, 3, 4)], {"axis": 1}, None, False)],
    "nanprod": [([pos(2, 3, 4)], {"axis": (0, 2), "keepdims": True}, None, False)],
    "gather_nd": [([u(3, 4, 2), np.array([[0, 2, -1], [1, 3, 0.0]])], {}, [0], False)],
    "scatter_nd": [([u(3, 2), np.array([[0, 2, 1], [1, 3, 0.0]])], {"shape": (3, 4, 2)}, [0], False)],
    "_scatter_set_nd": [([u(3, 4), u(2), np.array([[0, 2], [1, 3.0]])], {"shape": (3, 4)}, [0, 1], False)],
    "diag": [([u(4, 4)], {"k": 1}, None, False), ([u(3)], {"k": -1}, None, False),
             ([u(2, 3, 4)], {"k": -1, "axis1": 2, "axis2": 0}, None, False)],
    "_copyto": [([u(2, 3)], {}, None, False)],
    "_split_v2": [([u(2, 6)], {"indices": (0, 1, 3), "axis": 1}, None, False),
                  ([u(3, 2)], {"indices": (), "sections": 3, "squeeze_axis": True}, None, False)],
    "_contrib_boolean_mask": [([u(4, 3), np.array([1, 0, 1, 1.0])], {}, [0], False)],
    "_contrib_index_copy": [([u(5, 3), np.array([3, 0.0]), u(2, 3)], {}, [0, 2], False)],
    "_contrib_quadratic": [([u(2, 3)], {"a": 0.5, "b": -1.0, "c": 2.0}, None, False)],
    "_contrib_div_sqrt_dim": [([u(2, 3, 4)], {}, None, False)],
})
# straight-through estimators and gradient scaling: the head comes back as is (times ``scalar``)
PASS_THROUGH.update({"_contrib_round_ste": {}, "_contrib_sign_ste": {}, "_contrib_gradientmultiplier": {}})
CASES.update({name: [([pos(3, 4, 3)], {}, None, False)]
              for name in ("_contrib_round_ste", "_contrib_sign_ste", "_contrib_gradientmultiplier")})


def _subgraph_case(build, *shapes):
    """Inputs and parameters of the control-flow node ``build()`` makes (its subgraphs traced by sym.contrib)."""
    import ssdkit as mx
    out = build(mx)
    node = (out[0] if isinstance(out, (list, tuple)) else out)._outputs[0][0]
    return ([u(*s) for s in shapes], dict(node.params), None, False)


CASES["_foreach"] = [_subgraph_case(lambda mx: mx.sym.contrib.foreach(
    lambda x, s: (x * s[0] + mx.sym.var("w"), [s[0] * mx.sym.tanh(x)]), mx.sym.var("d"), [mx.sym.var("s")])[0],
    (3, 2), (2,), (2,))]
def _while_case(mx):
    w = mx.sym.var("w")
    return mx.sym.contrib.while_loop(lambda i, v: i < 3, lambda i, v: (v * w, [i + 1, mx.sym.sin(v) * w]),
                                     [mx.sym.var("i"), mx.sym.var("v")], max_iterations=4)[0][0]


def _cond_case(mx):
    a, b = mx.sym.var("a"), mx.sym.var("b")
    return mx.sym.contrib.cond(a.sum() > 0, lambda: a * b, lambda: a - 1)


CASES["_while_loop"] = [_subgraph_case(_while_case, (1,), (2,), (2,))]
CASES["_while_loop"][0][0][0] = np.full(1, 0.5)  # the counter runs 0.5, 1.5, 2.5: three steps of four
CASES["_cond"] = [_subgraph_case(_cond_case, (2,), (2,))]
CASES["_cond"][0][0][0] = pos(2)
# potrf and syevd read only the lower triangle of A while MXNet's gradient is the symmetric one, so central
# differences along a full random direction cannot agree; tests/test_opsmath_oracle.py pins both to MXNet's.
ORACLE_PINNED = ("_linalg_potrf", "_linalg_syevd")

# shape-inference helper (appended last so earlier cases keep their random inputs)
CASES["_identity_with_attr_like_rhs"] = [([u(2, 3), u(2, 3)], {}, [0], False)]
# ops/numpy_elemwise.py and the array-rcond pinv (appended last so earlier cases keep their random inputs)
CASES["_npi_copysign"] = [([u(2, 3), u(2, 3)], {}, None, False)]
CASES["_npi_ldexp"] = [([u(2, 3), u(2, 3)], {}, None, False)]
CASES["_npi_pinv"] = [([u(2, 3, 2), pos(2) * 0.01], {}, [0], False)]

# deformable convolutions (ops/deformable.py), own random stream; offsets are whole quarters + 0.37 so no
# sampling point lies within a central-difference step of a grid line (where the bilinear slope jumps)
_DR = np.random.default_rng(23)
_DEFORM = {"kernel": (3, 3), "num_filter": 4, "pad": (1, 1), "num_group": 2, "num_deformable_group": 2}
_deform_offset = np.round(_DR.uniform(-9, 9, (2, 36, 5, 4))) / 4 + 0.37
CASES["_contrib_DeformableConvolution"] = [([_DR.uniform(-1, 1, (2, 4, 5, 4)), _deform_offset,
                                             _DR.uniform(-1, 1, (4, 2, 3, 3)), _DR.uniform(-1, 1, 4)], _DEFORM,
                                            None, False)]
CASES["_contrib_ModulatedDeformableConvolution"] = [([_DR.uniform(-1, 1, (2, 4, 5, 4)), _deform_offset,
                                                      _DR.uniform(0, 2, (2, 18, 5, 4)), _DR.uniform(-1, 1, (4, 2, 3, 3)),
                                                      _DR.uniform(-1, 1, 4)], _DEFORM, None, False)]

# multinomial draws: the log-probability output's gradient is 1/p at the drawn category (reseeded draws)
SEEDED["_sample_multinomial"] = [([np.array([[0.2, 0.3, 0.5], [0.6, 0.1, 0.3]])], {"shape": (4,), "get_prob": True},
                                  [0], False)]
CASES["_sample_multinomial"] = SEEDED["_sample_multinomial"]
# densities of the sampling distributions (ops/random_pdf.py), own stream; discrete samples get no gradient
_PR = np.random.default_rng(29)
_pdf_pos = lambda *shape: _PR.uniform(0.5, 2.0, shape)   # noqa: E731
_pdf_counts = np.floor(_PR.uniform(0, 6, (2, 3)))
CASES.update({
    "_random_pdf_normal": [([_PR.normal(size=(2, 3)), _PR.uniform(-1, 1, 2), _pdf_pos(2)], {}, None, False)],
    "_random_pdf_uniform": [([_PR.uniform(-0.5, 0.5, (2, 3)), -_pdf_pos(2), _pdf_pos(2)], {"is_log": True}, [1, 2],
                             False)],
    "_random_pdf_gamma": [([_pdf_pos(2, 3), _pdf_pos(2), _pdf_pos(2)], {}, None, False)],
    "_random_pdf_exponential": [([_pdf_pos(2, 3), _pdf_pos(2)], {"is_log": True}, None, False)],
    "_random_pdf_poisson": [([_pdf_counts, _pdf_pos(2)], {}, [1], False)],
    "_random_pdf_negative_binomial": [([_pdf_counts, _pdf_pos(2) + 1, _PR.uniform(0.2, 0.8, 2)], {}, [1, 2], False)],
    "_random_pdf_generalized_negative_binomial": [([_pdf_counts, _pdf_pos(2), _PR.uniform(0.1, 1, 2)], {}, [1, 2],
                                                   False)],
    "_random_pdf_dirichlet": [([_PR.dirichlet([1.0, 2.0, 3.0], (2, 4)), _pdf_pos(2, 3)], {"is_log": True}, None,
                               False)],
})

# a hybridized block's graph as one node (autograd.get_symbol of a recorded hybridized call), own stream
_CR = np.random.default_rng(31)


def _cached_op_params():
    import ssdkit as mx
    from ssdkit.symbol.control_flow import Subgraph
    a, w = mx.sym.var("a"), mx.sym.var("w")
    graph = mx.sym.Group([mx.sym.tanh(mx.sym.dot(a, w)), a * 2])
    return {"subgraph": Subgraph(graph, [], [], ["a", "w"]), "num_args": 2, "num_outputs": 2}


CASES["_CachedOp"] = [([_CR.uniform(-1, 1, (2, 3)), _CR.uniform(-1, 1, (3, 4))], _cached_op_params(), None, False)]

# R-FCN position-sensitive pooling (ops/psroi.py), own stream; boxes well inside the map and small offsets so
# no sample crosses the map's half-pixel margin or a grid line within a central-difference step
_RR = np.random.default_rng(37)
_PS_ROIS = np.array([[0, 40, 36, 120, 110], [1, 20, 50, 90, 130]], np.float64)
CASES["_contrib_PSROIPooling"] = [([_RR.uniform(-1, 1, (2, 8, 10, 10)), _PS_ROIS],
                                   {"spatial_scale": 0.0625, "output_dim": 2, "pooled_size": 2}, [0], False)]
CASES["_contrib_DeformablePSROIPooling"] = [([_RR.uniform(-1, 1, (2, 8, 10, 10)), _PS_ROIS,
                                              _RR.uniform(-0.5, 0.5, (2, 2, 2, 2))],
                                             {"spatial_scale": 0.0625, "output_dim": 2, "group_size": 2,
                                              "pooled_size": 2, "sample_per_part": 2, "trans_std": 0.1},
                                             [0, 2], False)]
# softmax_cross_entropy, the legacy *_v1 ops (ops/loss_binary.py, legacy_v1.py), own stream; MXNet's values are
# pinned by tests/test_opsgap_oracle.py. IdentityAttachKLSparseReg's gradient is the head plus a penalty that
# is no derivative of its (identity) forward: pinned there only.
_GR = np.random.default_rng(41)
CASES["softmax_cross_entropy"] = [([_GR.uniform(-2, 2, (3, 4)), np.array([1, 3, 0.0])], {}, [0], False)]
CASES["Convolution_v1"] = [([_GR.uniform(-1, 1, (2, 4, 5, 5)), _GR.uniform(-1, 1, (4, 2, 3, 2)),
                             _GR.uniform(-1, 1, 4)], {"kernel": (3, 2), "num_filter": 4, "num_group": 2,
                                                      "pad": (1, 0), "stride": (2, 1)}, None, False)]
CASES["Pooling_v1"] = [([_GR.uniform(-1, 1, (1, 2, 5, 4))], {"kernel": (2, 2), "pad": (1, 1), "pool_type": t,
                                                             "pooling_convention": c}, None, False)
                       for t, c in (("avg", "full"), ("sum", "valid"), ("max", "valid"))]
CASES["BatchNorm_v1"] = [([_GR.uniform(-1, 1, (4, 3, 2, 2)), _GR.uniform(0.5, 2, 3), _GR.uniform(-1, 1, 3),
                           _GR.uniform(-1, 1, 3), _GR.uniform(0.5, 2, 3)], {"fix_gamma": False}, [0, 1, 2], True),
                         ([_GR.uniform(-1, 1, (3, 2, 2, 2)), _GR.uniform(0.5, 2, 2), _GR.uniform(-1, 1, 2),
                           _GR.uniform(-1, 1, 2), _GR.uniform(0.5, 2, 2)], {"fix_gamma": False,
                                                                            "use_global_stats": True}, [0, 1, 2],
                          True)]
ORACLE_PINNED += ("IdentityAttachKLSparseReg",)
# interleaved attention matmuls (ops/transformer.py): L=3, Lk=4, B=2, 2 heads of 3
CASES.update({
    "_contrib_interleaved_matmul_selfatt_qk": [([_GR.uniform(-1, 1, (3, 2, 18))], {"heads": 2}, None, False)],
    "_contrib_interleaved_matmul_selfatt_valatt": [([_GR.uniform(-1, 1, (3, 2, 18)), _GR.uniform(-1, 1, (4, 3, 3))],
                                                    {"heads": 2}, None, False)],
    "_contrib_interleaved_matmul_encdec_qk": [([_GR.uniform(-1, 1, (3, 2, 6)), _GR.uniform(-1, 1, (4, 2, 12))],
                                               {"heads": 2}, None, False)],
    "_contrib_interleaved_matmul_encdec_valatt": [([_GR.uniform(-1, 1, (4, 2, 12)), _GR.uniform(-1, 1, (4, 3, 4))],
                                                   {"heads": 2}, None, False)],
})
# hawkesll: MXNet's backward leaves out the out_state output's gradient, so it is no full vector-Jacobian
# product; tests/test_opsgap_oracle.py pins it to MXNet's
ORACLE_PINNED += ("_contrib_hawkesll",)

DIFFERENTIABLE = sorted(n for n in list_ops() if get_op(n).differentiable)


# Loss heads: by MXNet's definition their backward is a constant that ignores the output gradient (not the
# derivative of the identity they compute), so the checker does not apply; test_loss_heads pins them instead.
LOSS_HEADS = {"MakeLoss": {"grad_scale": 3.0}, "make_loss": {}}
# The Module-era output heads' backward is the gradient of their loss; tests/test_module.py pins it to MXNet's.
OUTPUT_HEADS = ("SoftmaxOutput", "LinearRegressionOutput", "LogisticRegressionOutput", "MAERegressionOutput",
                "SVMOutput")  # SVMOutput: tests/test_ops_nn_oracle.py pins its backward to MXNet's


def test_every_differentiable_op_has_a_gradient_case():
    missing = [n for n in DIFFERENTIABLE if n not in CASES and n not in LOSS_HEADS and n not in OUTPUT_HEADS
               and n not in ORACLE_PINNED and not isinstance(get_op(n), ZeroGradOp)]
    assert not missing, f"add gradient cases to tests/test_op_gradients.py for: {missing}"


PARAMS = [(name, i, case) for name in sorted(CASES) for i, case in enumerate(CASES[name])]


@pytest.mark.parametrize("name,i,case", PARAMS, ids=[f"{n}-{i}" for n, i, _ in PARAMS])
def test_gradient(name, i, case, monkeypatch):
    inputs, params, wrt, is_train = case
    if name in SEEDED:
        from ssdkit.base import seed_rng
        op, draw = get_op(name), get_op(name).forward
        monkeypatch.setattr(op, "forward", lambda p, xs, train: (seed_rng(3), draw(p, xs, train))[1])
    if name == "Dropout":  # random mask: seed it the same for every evaluation
        from ssdkit.base import seed_rng
        op = get_op(name)
        p = op.parse_params(params)
        seed_rng(3)
        (y,), mask = op.forward(p, [inputs[0]], True)
        np.testing.assert_allclose(op.backward(p, mask, [np.ones_like(y)])[0], mask)
        return
    if name in PASS_THROUGH:  # MXNet registers ``_copy`` as these ops' gradient: the head comes back as is
        op = get_op(name)
        p = op.parse_params(params)
        (y,), saved = op.forward(p, [inputs[0].astype(np.float32)], False)
        head = R.standard_normal(y.shape).astype(np.float32)
        np.testing.assert_array_equal(op.backward(p, saved, [head])[0], head)
        return
    check_op_gradient(name, inputs, params, wrt=wrt, is_train=is_train)


@pytest.mark.parametrize("name", sorted(LOSS_HEADS))
def test_loss_heads(name):
    op = get_op(name)
    p = op.parse_params(LOSS_HEADS[name])
    x = u(2, 3)
    (y,), saved = op.forward(p, [x], True)
    np.testing.assert_array_equal(y, x)
    grad = op.backward(p, saved, [u(2, 3)])[0]
    np.testing.assert_array_equal(grad, np.full(x.shape, LOSS_HEADS[name].get("grad_scale", 1.0)))


ZERO_GRAD = sorted(n for n in list_ops() if isinstance(get_op(n), ZeroGradOp))
ZERO_GRAD_INPUTS = {"_contrib_box_encode": [np.ones((1, 2)), np.zeros((1, 2)), np.tile([0, 0, 1, 1.0], (1, 2, 1)),
                                            np.tile([0, 0, 2, 2.0], (1, 1, 1)), np.zeros(4), np.ones(4)],
                    "_contrib_box_decode": [u(1, 2, 4), np.tile([0.5, 0.5, 1, 1.0], (1, 2, 1))],
                    "_ravel_multi_index": [np.array([[1, 2], [0, 3.0]])], "_unravel_index": [np.array([5, 7.0])]}
ZERO_GRAD_PARAMS = {"_ravel_multi_index": {"shape": (3, 4)}, "_unravel_index": {"shape": (3, 4)}}
# the quantization ops (ops/quantization.py) take typed data and (1,) ranges
_QRANGE = [np.array([-1.0], np.float32), np.array([2.0], np.float32)]
ZERO_GRAD_INPUTS.update({"_contrib_quantize": [np.linspace(-1, 2, 6, dtype=np.float32).reshape(2, 3)] + _QRANGE,
                         "_contrib_quantize_v2": [np.linspace(-1, 2, 6, dtype=np.float32).reshape(2, 3)],
                         "_contrib_dequantize": [np.arange(-3, 3, dtype=np.int8).reshape(2, 3)] + _QRANGE,
                         "_contrib_requantize": [np.arange(-3, 3, dtype=np.int32).reshape(2, 3)] + _QRANGE})


@pytest.mark.parametrize("name", ZERO_GRAD)
def test_zero_gradient_ops(name):
    """Ops MXNet gives zero gradients (MakeZeroGradNodes): backward is zeros shaped as each input."""
    op = get_op(name)
    inputs = ZERO_GRAD_INPUTS.get(name, [u(2, 3)])
    p = op.parse_params(ZERO_GRAD_PARAMS.get(name, {}))
    outputs, saved = op.forward(p, inputs, False)
    grads = op.backward(p, saved, [np.ones_like(o) for o in outputs])
    assert [g.shape for g in grads] == [x.shape for x in inputs]
    assert all(not g.any() for g in grads)


def test_no_case_is_added_after_the_parameter_list():
    """A case added to CASES below ``PARAMS = ...`` would never run while every other check passes: new cases
    go above the ``DIFFERENTIABLE`` line."""
    assert len(PARAMS) == sum(len(cases) for cases in CASES.values())
