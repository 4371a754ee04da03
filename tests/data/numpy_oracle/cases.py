"""The mx.np / mx.npx oracle cases: one Python expression per case, evaluated by real MXNet 1.9.1
(make_numpy_oracle.py) and by ssdkit (tests/test_numpy.py) in the same environment (PRELUDE).

VALUES: expression -> array, tuple/list of arrays, or Python scalar; value, dtype and shape are compared.
SHAPES: random draws: only dtype and shape are compared.
GRADS: (expression over the variables X, Y, Z, W with attach_grad, inputs named in the second item); the
gradient of ``expression.sum()``-style head (head gradient ones) w.r.t. every listed variable is compared.
ERRORS: expressions MXNet rejects; ssdkit must raise too (any exception type the test names).
No mxnet import here: both sides import this file.

Not here on purpose: the gradients of np.linalg.pinv (zeros in MXNet 1.9.1) and of np.linalg.eigvalsh (MXNet 1.9.1
drops the diagonal); ssdkit's are the true ones, checked against central differences by tests/test_op_gradients.py;
the gradient of np.prod where a factor is 0 (MXNet 1.9.1 divides the product by the
factor and gives nan; ssdkit multiplies the other factors), the gradient of np.rot90 (MXNet 1.9.1's rotates the head gradient the wrong way; ssdkit's is
the true one, checked by tests/test_numpy_shared.py), and the gradients of np.std / np.var. MXNet 1.9.1 returns zeros for them (its _npi_std/_npi_var
have no real backward); ssdkit gives the true gradient, checked by tests/test_op_gradients.py.
"""

PRELUDE = """
A = np.array(onp.arange(12, dtype=onp.float32).reshape(3, 4) / 7 - 0.5)
B = np.array(onp.linspace(-1, 1, 20, dtype=onp.float32).reshape(4, 5))
V = np.array([0.5, -1.5, 2.0, 3.0])
I = np.array([3, -1, 2, 7], dtype='int32')
L = np.array([1, 2, 3], dtype='int64')
M = np.array([[2.0, 0.5, 0.1], [0.3, 3.0, 0.2], [0.1, 0.4, 1.5]])
P = np.array(onp.linspace(0.2, 2.0, 12, dtype=onp.float32).reshape(3, 4))
T = np.array(onp.arange(24, dtype=onp.float32).reshape(2, 3, 4) / 10)
"""

VALUES = {
    # creation
    "array_list": "np.array([1, 2, 3])", "array_float": "np.array([[1.5, 2.0]])", "array_scalar": "np.array(3)",
    "array_bool": "np.array([True, False])", "array_int64_src": "np.array(onp.array([1, 2], dtype='int64'))",
    "array_float64_src": "np.array(onp.array([1.5, 2.0]))", "array_dtype": "np.array([1, 2], dtype='int32')",
    "array_np_src": "np.array(I)", "zeros": "np.zeros((2, 3))", "zeros_0d": "np.zeros(())",
    "ones_int": "np.ones(3, dtype='int32')", "full": "np.full((2, 2), 3)", "full_float": "np.full((2,), 2.5)",
    "full_array": "np.full((2, 2), np.array(3.0))", "empty_shape": "np.empty((2, 3)).shape",
    "arange1": "np.arange(5)", "arange3": "np.arange(2, 10, 3)", "arange_float": "np.arange(0, 1, 0.25)",
    "arange_int": "np.arange(5, dtype='int32')", "arange_frac": "np.arange(5.5)",
    "linspace": "np.linspace(0, 1, 5)", "linspace_noend": "np.linspace(0, 1, 4, endpoint=False)",
    "linspace_step": "np.linspace(0, 10, 3, retstep=True)", "eye": "np.eye(3)", "eye_k": "np.eye(3, 4, k=1)",
    "identity": "np.identity(2)", "zeros_like": "np.zeros_like(I)", "ones_like": "np.ones_like(A)",
    "full_like": "np.full_like(I, 2.5)", "zeros_like_dtype": "np.zeros_like(A, dtype='int32')",
    # dtype rules of arithmetic
    "int_div_int": "I / np.array([2, 2, 2, 2], dtype='int32')", "int_plus_float_scalar": "I + 1.5",
    "int_times_float_scalar": "I * 1.5", "int_div_scalar": "I / 2", "int_rsub": "1.5 - I",
    "int_plus_float_arr": "I + V", "int32_plus_int64": "I[:3] + L", "f64_plus_f32": "np.array(onp.ones(4)) + V",
    "f16_plus_f32": "V.astype('float16') + V", "bool_plus_scalar": "(V > 0) + 1", "bool_plus_bool": "(V > 0) + (V > 1)",
    "int_gt": "I > 1.5", "eq": "V == np.array([0.5, 0, 2, 0])", "int_pow": "I ** 2", "rpow": "2 ** I",
    "mod": "V % 2", "neg": "-V", "abs_op": "abs(I)", "matmul_op": "A @ B", "and": "(V > 0) & (V < 2.5)",
    "or": "(V > 2) | (V < 0)", "invert": "~(V > 0)", "np_scalar_plus": "V + onp.float64(1.5)",
    "broadcast": "A + V", "broadcast2": "A[:, :1] * V[None]",
    # unary math
    "exp": "np.exp(A)", "exp_int": "np.exp(I[:3] - 1)", "log": "np.log(P)", "sqrt": "np.sqrt(P)",
    "sqrt_int": "np.sqrt(np.array([1, 4, 9], dtype='int32'))", "abs": "np.abs(A)", "absolute": "np.absolute(I)",
    "sin": "np.sin(A)", "cos": "np.cos(A)", "tan": "np.tan(A)", "tanh": "np.tanh(A)", "sinh": "np.sinh(A)",
    "cosh": "np.cosh(A)", "arcsin": "np.arcsin(A / 3)", "arccos": "np.arccos(A / 3)", "arctan": "np.arctan(A)",
    "arcsinh": "np.arcsinh(A)", "arccosh": "np.arccosh(P + 1)", "arctanh": "np.arctanh(A / 3)",
    "log1p": "np.log1p(P)", "expm1": "np.expm1(A)", "log2": "np.log2(P)", "log10": "np.log10(P)",
    "square": "np.square(I)", "sign": "np.sign(V)", "floor": "np.floor(A * 3)", "ceil": "np.ceil(A * 3)",
    "trunc": "np.trunc(A * 3)", "rint": "np.rint(A * 3)", "fix": "np.fix(A * 3)", "cbrt": "np.cbrt(A)",
    "degrees": "np.degrees(A)", "radians": "np.radians(A)", "reciprocal": "np.reciprocal(P)",
    "negative": "np.negative(I)", "round": "np.round(np.array([1.25, 2.5, -0.5]), 1)",
    "around0": "np.around(np.array([1.5, 2.5, -0.5]))", "isnan": "np.isnan(np.array([1.0, onp.nan]))",
    "isinf": "np.isinf(np.array([1.0, onp.inf]))", "isfinite": "np.isfinite(np.array([1.0, onp.inf, onp.nan]))",
    "logical_not": "np.logical_not(V > 0)", "exp_scalar": "np.exp(2.0)", "sqrt_scalar": "np.sqrt(4)",
    # binary functions
    "add": "np.add(A, V)", "subtract": "np.subtract(A, 1)", "multiply": "np.multiply(I, I)",
    "divide": "np.divide(A, P)", "true_divide": "np.true_divide(I, 4)", "power": "np.power(P, 2.5)",
    "power_arr": "np.power(P, A)", "maximum": "np.maximum(A, 0)", "minimum": "np.minimum(A, V)",
    "maximum_rev": "np.maximum(1, V)", "mod_fn": "np.mod(V, 1.5)", "remainder": "np.remainder(A, 0.3)",
    "hypot": "np.hypot(A, P)", "arctan2": "np.arctan2(A, P)", "equal": "np.equal(I, 2)",
    "not_equal": "np.not_equal(V, 2.0)", "greater": "np.greater(A, 0)", "greater_equal": "np.greater_equal(A, V)",
    "less": "np.less(A, 0.1)", "less_equal": "np.less_equal(I, 2)",
    "add_scalars": "np.add(2, 3)",
    # reductions
    "sum_all": "A.sum()", "sum_axis": "np.sum(A, axis=0)", "sum_keep": "np.sum(A, axis=1, keepdims=True)",
    "sum_tuple": "T.sum(axis=(0, 2))", "sum_int": "I.sum()", "sum_dtype": "np.sum(I, dtype='float32')",
    "mean": "A.mean()", "mean_axis": "np.mean(T, axis=1)",
    "mean_int": "I.mean()", "max": "A.max()", "max_axis": "np.max(A, axis=1)", "min_keep": "A.min(axis=0, keepdims=True)",
    "amax": "np.amax(T, axis=(1, 2))", "prod": "np.prod(P)", "prod_axis": "P.prod(axis=1)",
    "argmax": "A.argmax()", "argmax_axis": "np.argmax(A, axis=0)", "argmin_axis": "np.argmin(A, axis=1)",
    "argmax_int": "np.argmax(I)", "std": "A.std()", "std_axis": "np.std(A, axis=1)", "std_ddof": "np.std(A, ddof=1)",
    "var": "np.var(T, axis=(0, 2), keepdims=True)", "var_int": "np.var(I)", "cumsum": "np.cumsum(A)",
    "cumsum_axis": "np.cumsum(A, axis=1)", "all": "np.all(V > -2)", "any_axis": "np.any(A > 0.8, axis=1)",
    # shapes and selection
    "reshape": "A.reshape(2, -1)", "reshape_tuple": "A.reshape((4, 3))", "np_reshape": "np.reshape(T, (6, -1))",
    "transpose": "T.transpose()", "transpose_axes": "T.transpose(2, 0, 1)", "np_transpose": "np.transpose(T, (1, 0, 2))",
    "T": "A.T", "swapaxes": "np.swapaxes(T, 0, 2)", "moveaxis": "np.moveaxis(T, 0, -1)",
    "expand_dims": "np.expand_dims(A, 1)", "squeeze": "np.squeeze(np.ones((1, 3, 1)))",
    "squeeze_0d": "np.ones((1, 1)).squeeze()", "ravel": "np.ravel(A)", "flatten": "T.flatten()",
    "concatenate": "np.concatenate([A, P], axis=1)", "concatenate0": "np.concatenate((A, P))",
    "concatenate_none": "np.concatenate([V, A[0]], axis=None)", "stack": "np.stack([A, P], axis=1)",
    "vstack": "np.vstack([V, V])", "hstack": "np.hstack([V, V])", "split": "np.split(A, 2, axis=1)",
    "split_idx": "np.split(np.arange(6), [2, 3])", "repeat": "np.repeat(V, 2)", "repeat_axis": "np.repeat(A, 2, axis=0)",
    "tile": "np.tile(V, (2, 2))", "tile_int": "np.tile(A, 2)", "meshgrid": "np.meshgrid(np.arange(2), np.arange(3))",
    "meshgrid_ij": "np.meshgrid(np.arange(2), V, indexing='ij')", "broadcast_to": "np.broadcast_to(V, (3, 4))",
    "flip": "np.flip(A, axis=1)", "flip_all": "np.flip(A)", "clip": "np.clip(A, -0.2, 0.3)",
    "clip_none": "np.clip(I, None, 2)", "clip_method": "A.clip(min=0)", "where": "np.where(A > 0, A, P)",
    "where_scalar": "np.where(A > 0, 1.0, 0.0)", "where_mixed": "np.where(V > 0, V, 0)",
    "sort": "np.sort(np.array([3.0, 1.0, 2.0]))", "argsort": "np.argsort(V)", "take": "np.take(A, np.array([2, 0]), axis=1)",
    "nonzero": "np.nonzero(np.array([0, 1, 2, 0]))", "unique": "np.unique(np.array([3, 1, 3, 2]))",
    # indexing
    "idx_int": "V[1]", "idx_neg": "A[-1]", "idx_pair": "A[1, 2]", "idx_slice": "A[:, 1:3]", "idx_step": "A[::2, ::-1]",
    "idx_none": "V[None, :, None]", "idx_ellipsis": "T[..., 1]", "idx_list": "A[[0, 2]]",
    "idx_arr": "A[np.array([2, 0])]", "idx_arr2": "A[np.array([0, 1]), np.array([3, 2])]",
    "idx_bool": "V[V > 0]", "idx_bool_rows": "A[A[:, 0] > -0.3]", "idx_mixed": "T[1, np.array([0, 2]), 1:3]",
    "idx_newaxis_slice": "A[:, None, :2]", "idx_boollist": "V[[True, False, True, False]]",
    # products
    "dot_vv": "np.dot(V, V)", "dot_mm": "np.dot(A, B)", "dot_mv": "np.dot(A, V)", "dot_nd": "np.dot(T, B)",
    "matmul": "np.matmul(T, B)", "matmul_vec": "np.matmul(V, B)", "tensordot": "np.tensordot(T, B, axes=1)",
    "tensordot_axes": "np.tensordot(T, A, axes=([1, 2], [0, 1]))", "einsum": "np.einsum('ij,jk->ik', A, B)",
    "einsum_trace": "np.einsum('ii', M)", "einsum_implicit": "np.einsum('ij,j', A, V)",
    "einsum_outer": "np.einsum('i,j->ij', V, V)", "inner": "np.inner(A, V)", "outer": "np.outer(V, V[:2])",
    "vdot": "np.vdot(A, P)",
    # linalg
    "norm": "np.linalg.norm(A)", "norm_axis": "np.linalg.norm(A, axis=1)", "norm_keep": "np.linalg.norm(T, axis=(1, 2), keepdims=True)",
    "norm_ord1": "np.linalg.norm(V, ord=1)", "inv": "np.linalg.inv(M)", "det": "np.linalg.det(M)",
    # methods and conversions
    "item": "np.array(2.5).item()", "item_idx": "A.item(5)", "tolist": "V.tolist()", "astype": "V.astype('int32')",
    "float_conv": "float(np.array([2.5]))", "int_conv": "int(np.array(3.7))", "len": "len(A)", "shape": "T.shape",
    "size": "T.size", "ndim": "T.ndim", "repr": "repr(A[:2, :2])", "repr_int": "repr(I)", "repr_f64": "repr(V.astype('float64'))",
    "repr_bool": "repr(V > 0)", "repr_0d": "repr(np.array(3))", "str": "str(V)", "dtype_str": "str(A.dtype)",
    "as_nd_np": "mx.nd.array([1, 2]).as_np_ndarray()", "as_nd": "V.as_nd_ndarray().asnumpy()",
    "copy": "V.copy()", "bool_conv": "bool(np.array([0.0]))",
    # npx
    "npx_relu": "npx.relu(A)", "npx_sigmoid": "npx.sigmoid(A)", "npx_softmax": "npx.softmax(A)",
    "npx_softmax_axis": "npx.softmax(A, axis=0)", "npx_log_softmax": "npx.log_softmax(A)",
    "npx_softmax_temp": "npx.softmax(A, temperature=2.0)",
    "npx_pick": "npx.pick(A, np.array([0, 3, 1]))", "npx_pick_keep": "npx.pick(A, np.array([0, 1, 2, 0]), axis=0, keepdims=True)",
    "npx_one_hot": "npx.one_hot(np.array([1, 0, 3]), 4)", "npx_one_hot_vals": "npx.one_hot(np.array([1, 0]), 3, on_value=2.0, off_value=-1.0)",
    "npx_batch_dot": "npx.batch_dot(T, np.ones((2, 4, 2)))", "npx_batch_dot_t": "npx.batch_dot(T, T, transpose_b=True)",
    "npx_batch_flatten": "npx.batch_flatten(T)", "npx_activation": "npx.activation(A, act_type='tanh')",
    "npx_leaky_relu": "npx.leaky_relu(A, slope=0.1)", "npx_topk": "npx.topk(A, k=2)",
    "npx_topk_both": "npx.topk(A, k=2, ret_typ='both', axis=0)", "npx_topk_value": "npx.topk(V, k=3, ret_typ='value')",
    "npx_reshape1": "npx.reshape(T, (-2, -1))", "npx_reshape2": "npx.reshape(T, (-5, -4))",
    "npx_reshape3": "npx.reshape(T, (-6, 1, 2, -2, -2))", "npx_reshape4": "npx.reshape(np.ones((2, 1, 3)), (-2, -3, -4))",
    "npx_reshape_rev": "npx.reshape(T, (-1, 12), reverse=True)", "npx_reshape5": "npx.reshape(T, (4, -1))",
    "npx_sequence_mask": "npx.sequence_mask(T, np.array([1, 3]), use_sequence_length=True, axis=1)",
    "npx_sequence_mask0": "npx.sequence_mask(np.ones((3, 2, 2)), np.array([1, 2]), use_sequence_length=True, value=-1.0)",
    "npx_fully_connected": "npx.fully_connected(A, B.T[:2], np.array([0.5, -0.5]), num_hidden=2)",
    "npx_fully_connected_nb": "npx.fully_connected(T, B[:3, :4], num_hidden=3, no_bias=True, flatten=False)",
    "npx_convolution": "npx.convolution(T.reshape(1, 2, 3, 4), np.ones((3, 2, 2, 2)) / 8, np.array([0.0, 1.0, 2.0]), kernel=(2, 2), num_filter=3)",
    "npx_convolution_pad": "npx.convolution(T.reshape(1, 2, 3, 4), np.ones((2, 2, 3, 3)) / 8, kernel=(3, 3), num_filter=2, pad=(1, 1), stride=(2, 2), no_bias=True)",
    "npx_pooling_max": "npx.pooling(T.reshape(1, 2, 3, 4), kernel=(2, 2), pool_type='max')",
    "npx_pooling_avg": "npx.pooling(T.reshape(1, 2, 3, 4), kernel=(2, 2), stride=(2, 2), pool_type='avg', pooling_convention='full')",
    "npx_pooling_global": "npx.pooling(T.reshape(1, 2, 3, 4), global_pool=True, pool_type='avg', kernel=(1, 1))",
    "npx_batch_norm": "npx.batch_norm(T.reshape(2, 3, 4), np.array([1.0, 2.0, 0.5]), np.array([0.0, 0.1, 0.2]), np.zeros(3), np.ones(3), fix_gamma=False)",
    "npx_dropout_eval": "npx.dropout(A, p=0.5)", "npx_embedding": "npx.embedding(np.array([0, 2]), B, input_dim=4, output_dim=5)",
    "npx_smooth_l1": "npx.smooth_l1(A * 4, scalar=1.0)",
    "npx_multibox_prior": "npx.multibox_prior(np.zeros((1, 3, 2, 3)), sizes=(0.5, 0.25), ratios=(1, 2, 0.5))",
    "npx_multibox_prior_clip": "npx.multibox_prior(np.zeros((1, 3, 2, 2)), sizes=(0.75,), ratios=(1,), clip=True, steps=(0.5, 0.5), offsets=(0.5, 0.5))",
    "npx_multibox_target": "npx.multibox_target(np.array([[[0.0, 0.0, 0.5, 0.5], [0.4, 0.4, 0.9, 0.9], [0.1, 0.5, 0.4, 0.9]]]), np.array([[[0, 0.05, 0.05, 0.45, 0.5], [1, 0.45, 0.4, 0.9, 0.85]]]), np.zeros((1, 3, 3)))",
    "npx_multibox_detection": "npx.multibox_detection(np.array([[[0.1, 0.2, 0.7], [0.8, 0.3, 0.1], [0.1, 0.5, 0.2]]]), np.zeros((1, 12)), np.array([[[0.0, 0.0, 0.5, 0.5], [0.05, 0.0, 0.55, 0.5], [0.5, 0.5, 1.0, 1.0]]]), nms_threshold=0.5)",
    "npx_save_load_shape": "npx.reshape(np.ones((2, 3)), (-1,)).shape",
    "atleast_1d": "np.atleast_1d(np.array(2.0))", "atleast_2d": "np.atleast_2d(V)",
    "empty_like": "np.empty_like(I).shape", "array_split": "np.array_split(np.arange(7), 3)",
    "array_split_idx": "np.array_split(A, [1, 3], axis=1)", "hsplit": "np.hsplit(A, 2)", "vsplit": "np.vsplit(T, [1])",
    "roll": "np.roll(V, 1)", "roll_axis": "np.roll(A, -1, axis=1)", "roll_none2d": "np.roll(A, 5)",
    "logspace": "np.logspace(0, 2, 5)", "logspace_base": "np.logspace(1, 3, 3, base=2.0, endpoint=False)",
    "diag_get": "np.diag(A)", "diag_get_k": "np.diag(A, 1)", "diag_get_neg": "np.diag(A, -1)", "diag_make": "np.diag(V)",
    "diag_make_k": "np.diag(V[:3], 1)", "diag_make_neg": "np.diag(V[:2], -2)", "trace": "np.trace(M)",
    "trace_offset": "np.trace(A, 1)", "tril": "np.tril(A)", "tril_k": "np.tril(A, -1)",
    "tril_int": "np.tril(np.ones((3, 3), dtype='int32'))", "np_copy": "np.copy(V)", "slogdet": "np.linalg.slogdet(M)",
    "npx_erf": "npx.erf(A)", "npx_cast": "npx.cast(A, dtype='int32')", "npx_reshape_like": "npx.reshape_like(A, np.ones((4, 3)))",
    "npx_slice": "npx.slice(A, begin=(0, 1), end=(2, 3))", "npx_nonzero": "npx.nonzero(np.array([[0, 1], [2, 0]]))",
    "npx_shape_array": "npx.shape_array(T)",
    "npx_deconvolution": "npx.deconvolution(T.reshape(1, 2, 3, 4), np.ones((2, 3, 2, 2)) / 4, kernel=(2, 2), num_filter=3, no_bias=True)",
    "npx_box_iou_nd": "mx.nd.contrib.box_iou(A[:, :4].as_nd_ndarray(), P[:2, :4].as_nd_ndarray()).as_np_ndarray()",
    # element-moving functions (ops/numpy_rearrange.py)
    "flipud": "np.flipud(A)", "fliplr": "np.fliplr(A)", "flip_none": "np.flip(T)", "rot90": "np.rot90(A)",
    "rot90_k": "np.rot90(T, -3, axes=(1, 2))", "moveaxis_seq": "np.moveaxis(T, [0, 1], [-1, -2])",
    "diagonal": "np.diagonal(T, 1, 1, 2)", "diagflat": "np.diagflat(A[:2, :2], -1)", 
    "trace_axes": "np.trace(T, -1, 2, 0)", "resize": "np.resize(V, (3, 3))", "atleast_3d": "np.atleast_3d(V, A)",
    "pad_const": "np.pad(A, ((1, 0), (2, 1)), constant_values=3)", "pad_reflect": "np.pad(A, ((2, 1), (3, 2)), mode='reflect')",
    "pad_edge": "np.pad(A, ((1, 2), (0, 1)), mode='edge')", "pad_symmetric": "np.pad(A, ((1, 1), (2, 3)), mode='symmetric')",
    "pad_max": "np.pad(A, ((1, 1), (1, 1)), mode='maximum')", "hstack_int": "np.hstack([I, I])", "vstack": "np.vstack([V, V * 2])",
    "dstack": "np.dstack([A, P])", "column_stack": "np.column_stack([V, V])", "dsplit": "np.dsplit(T, 2)",
    "hsplit_idx": "np.hsplit(V, [1, 3])", "hsplit_unequal": "np.hsplit(A, 3)", "broadcast_arrays": "np.broadcast_arrays(V, A[:, :1])",
    "delete_int": "np.delete(A, 1, axis=1)", "delete_slice": "np.delete(V, slice(1, None))",
    "delete_list": "np.delete(A, np.array([0, 2, 9, -1]), axis=1)", "delete_flat": "np.delete(A, np.array([1, 5]))",
    "insert_int": "np.insert(V, 1, 9.5)", "insert_axis": "np.insert(A, 2, np.array([7.0, 8.0, 9.0]), axis=1)",
    "insert_int_dtype": "np.insert(I, 0, 2.7)", "insert_slice": "np.insert(V, slice(0, 4, 2), np.array([-1.0, -2.0]))",
    "append": "np.append(V, A)", "append_axis": "np.append(A, P, axis=0)",
    # reductions (ops/numpy_reduce.py)
    "sum_empty_axes": "np.sum(A, axis=())", "sum_bool": "np.sum(np.array([[True, False], [True, True]], dtype='bool'), axis=0)",
    "sum_dtype": "np.sum(I, dtype='float64')", "sum_int8": "np.sum(np.array([100, 100], dtype='int8'))",
    "mean_bool": "np.mean(np.array([True, False, True], dtype='bool'))", "mean_dtype": "np.mean(I, dtype='float64')",
    "prod_bool": "np.prod(np.array([True, True], dtype='bool'))", "prod_axes": "np.prod(T, axis=(0, 2), keepdims=True)",
    "prod_zeros": "np.prod(np.array([[0.0, 2.0], [3.0, 0.0]]), axis=1)", "max_neg_axis": "np.max(T, axis=(-1, 0))",
    "max_bool": "np.max(np.array([True, False], dtype='bool'))", "min_keep": "np.min(A, axis=0, keepdims=True)",
    "any_empty": "np.any(np.zeros((2, 0)), axis=1)", "all_empty": "np.all(np.zeros((2, 0)))",
    "any_axis": "np.any(A > 0.5, axis=0)", "all_int": "np.all(I, axis=0)", "cumsum_bool": "np.cumsum(np.array([True, False, True], dtype='bool'))",
    "std_int": "np.std(I)", "var_dtype": "np.var(I, dtype='float64')", "std_ddof": "np.std(A, axis=1, ddof=1)",
    "average_w": "np.average(A, axis=1, weights=V)", "average_full": "np.average(A, weights=P)",
    "average_returned": "np.average(A, axis=0, weights=np.array([1.0, 2.0, 3.0]), returned=True)", "average_none": "np.average(A)", "average_zero_weights": "np.average(V, weights=np.zeros(4))",
    # misc (ops/numpy_misc.py)
    "diff": "np.diff(A)", "diff_prepend_zero": "np.diff(V, prepend=0)", "diff_n2_axis0": "np.diff(T, n=2, axis=1)", "ediff1d": "np.ediff1d(A, to_begin=np.array([5.0]), to_end=9)",
    "nan_to_num": "np.nan_to_num(np.array([float('nan'), float('inf'), -float('inf'), 1.0]))",
    "nan_to_num_vals": "np.nan_to_num(np.array([float('nan'), float('inf'), 2.0]), nan=1.0, posinf=7.0)",
    "polyval": "np.polyval(V[:3], A)", "bincount": "np.bincount(np.array([0, 1, 1, 3], dtype='int32'))",
    "bincount_w": "np.bincount(np.array([0, 1, 1, 3], dtype='int64'), weights=V, minlength=6)",
    "hanning": "np.hanning(5)", "hamming": "np.hamming(4)", "blackman": "np.blackman(6)", "indices": "np.indices((2, 3))",
    "indices_dtype": "np.indices((2,), dtype='int64')", "diag_indices_from": "np.diag_indices_from(np.ones((3, 3)))",
    "unravel_index": "np.unravel_index(np.array([22, 41, 37], dtype='int64'), (7, 6))",
    "shares_memory": "(np.shares_memory(T, T[1]), np.shares_memory(T[:, 0, 0], T[:, 1, 0]), np.may_share_memory(A[0], A[1]))",
    "sort_none": "np.sort(A, axis=None)", "argsort_axis0": "np.argsort(-A, axis=0)", "take_neg_axis": "np.take(A, np.array([[0, 3]]), axis=-1)",
    "around_neg": "np.around(A * 100, -1)", "round_": "np.round_(V, 1)", "logspace_dtype": "np.logspace(0, 1, 3, dtype='float64')",
    "squeeze_0d": "np.squeeze(np.array(2.0), axis=-1)", "transpose_none": "np.transpose(T, None)",
    "npx_erfinv": "npx.erfinv(np.array([0.1, -0.5]))", "npx_gammaln": "npx.gammaln(np.array([0.5, 3.0]))",
    "npx_constraint": "npx.constraint_check(np.ones(3, dtype='bool'), 'bad')",
    "einsum_trace": "np.einsum('ii', M)", "einsum_diag": "np.einsum('ii->i', M)", "einsum_ellipsis": "np.einsum('...j,jk->...k', T, B[:, :2])",
    "einsum_implicit": "np.einsum('ij,jk', A, B)", "bitwise_not": "np.bitwise_not(I)", "invert_bool": "np.invert(np.array([True, False], dtype='bool'))",
    # linalg (ops/numpy_linalg.py)
    "norm_ord1": "np.linalg.norm(A, ord=1, axis=1)", "norm_inf_mat": "np.linalg.norm(A, ord=np.inf, axis=(0, 1))",
    "norm_2_mat": "np.linalg.norm(A, ord=2, axis=(0, 1))", "norm_nuc": "np.linalg.norm(M, ord='nuc', axis=(0, 1))",
    "cholesky": "np.linalg.cholesky(M @ M.T)", "solve_vec": "np.linalg.solve(M, V[:3])", "solve_mat": "np.linalg.solve(M, A[:, :2])",
    "slogdet_neg": "np.linalg.slogdet(-M)", "svd_l": "np.linalg.svd(A)[1]", "svd_recon": "(lambda r: (r[0] * r[1][None, :]) @ r[2])(np.linalg.svd(A))",
    "pinv": "np.linalg.pinv(M[:, :2])", "eigvalsh": "np.linalg.eigvalsh(M + M.T)", "eigvalsh_u": "np.linalg.eigvalsh(M, UPLO='U')",
    "eigh_w": "np.linalg.eigh(M + M.T)[0]", "eigvals": "np.linalg.eigvals(M @ M.T)", "eig_w": "np.linalg.eig(M @ M.T)[0]",
    "tensorinv": "np.linalg.tensorinv((M @ M.T).reshape(3, 3, 1), ind=1)", "tensorsolve": "np.linalg.tensorsolve(M.reshape(3, 1, 3), V[:3].reshape(3, 1))",
    # index helpers: rows per axis in the dtype of the indices (unravel_index), int64 (diag_indices_from)
    "unravel_index_int32": "np.unravel_index(np.array([[3, 5], [1, 2]], dtype='int32'), (3, 4))",
    "unravel_index_0d": "np.unravel_index(np.array(5, dtype='int8'), (3, 4))",
    "unravel_index_int": "np.unravel_index(7, (3, 4))", "unravel_index_int_shape": "np.unravel_index(L, 10)",
    "diag_indices_from": "np.diag_indices_from(np.ones((3, 3, 3), dtype='float16'))",
    "clip_upper_only": "np.clip(A, None, 0.2)", "clip_lower_only": "A.clip(0.1)",
    # integer / sign / exponent binary functions: one dtype for both operands, kept by the result
    "lcm": "np.lcm(I, np.array([2, 3, -2, 4], dtype='int32'))", "lcm_scalar": "np.lcm(3, I)",
    "bitwise_and": "np.bitwise_and(I, np.array([2, 3, -2, 4], dtype='int32'))", "bitwise_or_scalar": "np.bitwise_or(I, 3)",
    "bitwise_xor": "np.bitwise_xor(I, np.array([2, 3, -2, 4], dtype='int32'))",
    "copysign": "np.copysign(A, -A.T.reshape(3, 4))", "copysign_int": "np.copysign(I, np.array([2, 3, -2, 4], dtype='int32'))",
    "copysign_rscalar": "np.copysign(3, I)", "ldexp": "np.ldexp(A, np.ones((3, 4)) * 2)",
    "ldexp_int": "np.ldexp(I, np.array([2, 3, -2, 4], dtype='int32'))", "ldexp_rscalar": "np.ldexp(2.5, V)",
    "pinv_array_rcond": "np.linalg.pinv(np.stack([M, M * 0.5]), np.array([0.1, 0.5]))",
    "pinv_scalar_rcond": "np.linalg.pinv(M, 0.3)",
    "ediff1d_arrays": "np.ediff1d(A, to_end=np.array([7.0, 8.0]), to_begin=np.array(2.0))",
    "ediff1d_empty": "np.ediff1d(np.zeros((4, 0, 5)), to_end=np.array([1.0]), to_begin=3)",
    "softmax_empty_axis": "npx.softmax(np.zeros((3, 0, 4)), axis=1)", "log_softmax_empty": "npx.log_softmax(np.zeros((0, 2)), axis=0)",
    "tensorsolve_0d_a": "np.linalg.tensorsolve(np.array(2.0), np.ones((1, 1, 1)) * 3)",
    "tensorsolve_same_ndim": "np.linalg.tensorsolve(np.ones((1, 1, 1)) * 2, np.ones((1, 1, 1)) * 3)",
    "histogram_cnt": "np.histogram(V, bins=4, range=(0.0, 4.0))", "histogram_int": "np.histogram(I, bins=3, range=(0, 3))",
    "histogram_edges": "np.histogram(A, bins=np.array([-0.5, 0.0, 0.5, 1.5]))",
    # MXNet's positional order (keepdims before out); the methods keep NumPy's
    "sum_positional": "np.sum(A, 0, None, True)", "max_positional": "np.max(A, 1, True)",
    "all_positional": "np.all(A > 0, 0, True)", "method_sum_positional": "A.sum(0, None, None, True)",
    "method_max_positional": "A.max(1, None, True)",
    "setitem_leading_ones": "(lambda a: (a.__setitem__((1, 2), np.array([[7.0]])), a)[1])(np.zeros((3, 4)))",
    "setitem_leading_ones_row": "(lambda a: (a.__setitem__(1, onp.ones((1, 1, 4))), a)[1])(np.zeros((3, 4)))",
    "bool_assign_scalar": "(lambda a: mx.nd.np._internal.boolean_mask_assign_scalar(a, np.array([[True, False, True, "
                          "False], [False, False, True, True], [True, True, True, False]], dtype='bool'), 42.0, "
                          "start_axis=1, out=a))(np.arange(24).reshape(2, 3, 4))",
    "bool_assign_tensor": "(lambda b: mx.nd.np._internal.boolean_mask_assign_tensor(b, np.array([True, False, True], "
                          "dtype='bool'), np.arange(8).reshape(2, 1, 4), start_axis=1, out=b))(np.zeros((2, 3, 4)))",
    "unique_all_flat": "np.unique(np.array([[3., 1], [3, 2]]), True, True, True)",
    "unique_0d": "np.unique(np.array(2.0), True, True, True)", "unique_axis": "np.unique(A[[0, 0, 1]], True, True, True, axis=0)",
}

SHAPES = {
    "rand_uniform": "np.random.uniform(size=(2, 3))", "rand_uniform_0d": "np.random.uniform(0, 1)",
    "rand_uniform_lh": "np.random.uniform(-1, 1, (4,))", "rand_normal": "np.random.normal(0, 1, (2, 2))",
    "rand_normal_kw": "np.random.normal(loc=1.0, scale=0.1, size=3)", "rand_randint": "np.random.randint(0, 5, (3,))",
    "rand_randint_dtype": "np.random.randint(0, 5, size=(3,), dtype='int32')", "rand_choice": "np.random.choice(5, 3)",
    "rand_choice_arr": "np.random.choice(V, 2)", "rand_rand": "np.random.rand(2, 3)", "rand_randn": "np.random.randn(2)",
    "empty": "np.empty((2, 3))", "dropout_train": "npx.dropout(A, p=0.5, mode='always')",
    "rand_gamma": "np.random.gamma(2.0, 1.0, size=(3,))", "rand_beta": "np.random.beta(1.0, 2.0, size=(2, 2))",
    "rand_exponential": "np.random.exponential(size=(4,))", "rand_multinomial": "np.random.multinomial(5, [0.3, 0.7], size=(2,))",
    "rand_choice_noreplace": "np.random.choice(6, 4, replace=False)",
    "rand_lognormal": "np.random.lognormal(0.5, 0.2, (2, 3))", "rand_logistic": "np.random.logistic(size=(3,))",
    "rand_gumbel": "np.random.gumbel(np.zeros((2, 1)), 1.0, (2, 3))", "rand_rayleigh": "np.random.rayleigh(2.0, (4,))",
    "rand_weibull": "np.random.weibull(1.5, (2, 2))", "rand_pareto": "np.random.pareto(np.ones(3))",
    "rand_power": "np.random.power(2.0, (3,))", "rand_chisquare": "np.random.chisquare(3.0, (2,))",
    "rand_normal_arr": "np.random.normal(np.zeros((2, 1)), np.ones(3))", "rand_uniform_f64": "np.random.uniform(size=2, dtype='float64')",
    "rand_gamma_arr": "np.random.gamma(np.ones(3), 2.0)", "rand_exponential_arr": "np.random.exponential(np.ones((2, 2)))",
    "npx_bernoulli": "npx.random.bernoulli(prob=0.3, size=(2, 3))", "npx_bernoulli_logit": "npx.random.bernoulli(logit=np.zeros(4))",
    "npx_uniform_n": "npx.random.uniform_n(np.zeros(2), np.ones(2), batch_shape=(3,))", "npx_normal_n": "npx.random.normal_n(0, 1, batch_shape=4)",
    "multinomial_no_categories": "np.random.multinomial(10, [], size=(4, 0, 2))",
    "multinomial_no_categories_0": "np.random.multinomial(10, np.array([]))",
    "choice_int": "np.random.choice(5, 3)", "choice_array_p": "np.random.choice(np.arange(10), (2, 2), p=np.ones(10) / 10)",
    "choice_no_replace": "np.random.choice(np.arange(6, dtype='int32'), 6, replace=False)",
    "mvn": "np.random.multivariate_normal(np.zeros((3, 2)), np.eye(2), size=(4,))",
    "mvn_batch_cov": "np.random.multivariate_normal(np.zeros(2, dtype='float16'), np.ones((5, 2, 2), dtype='float16') + np.eye(2, dtype='float16'))",
}

GRADS = {
    "g_arith": ("X * Y + X / (Y + 3) - Y ** 2", "XY"), "g_broadcast": ("X * Z[None, :] + Z", "XZ"),
    "g_scalar": ("2 * X - X / 3 + X ** 2 + 1.5 ** X", "X"), "g_exp_log": ("np.exp(X) + np.log(X + 2) + np.sqrt(X + 1)", "X"),
    "g_trig": ("np.sin(X) * np.cos(Y) + np.tanh(X)", "XY"), "g_sum_axis": ("np.sum(X * X, axis=1)", "X"),
    "g_mean": ("X.mean(axis=0, keepdims=True) * X", "X"), "g_max": ("np.max(X, axis=1)", "X"),
    "g_prod": ("np.prod(X + 2, axis=0)", "X"),
    "g_maximum": ("np.maximum(X, 0.1) + np.minimum(X, Y)", "XY"), "g_clip": ("np.clip(X, -0.2, 0.3) * 2", "X"),
    "g_where": ("np.where(X > 0, X * 3, Y)", "XY"), "g_reshape": ("X.reshape(-1) * np.arange(12)", "X"),
    "g_transpose": ("X.T * np.arange(12).reshape(4, 3)", "X"), "g_concat": ("np.concatenate([X, Y], axis=1) ** 2", "XY"),
    "g_stack": ("np.stack([X, Y]) * 2", "XY"), "g_split": ("np.split(X, 2, axis=1)[1] * 3", "X"),
    "g_index": ("X[1:, 1:3] * 2 + X[0, 1:3]", "X"), "g_adv_index": ("X[np.array([0, 2, 0]), np.array([1, 1, 3])] * 3", "X"),
    "g_bool_index": ("X[X > 0] * 2", "X"), "g_dot": ("np.dot(X, W)", "XW"), "g_matmul": ("X @ W", "XW"),
    "g_tensordot": ("np.tensordot(X, W, axes=1)", "XW"), "g_einsum": ("np.einsum('ij,jk->ik', X, W)", "XW"),
    "g_expand_squeeze": ("np.squeeze(np.expand_dims(X, 0)) * 2", "X"), "g_repeat_tile": ("np.repeat(X, 2, axis=1).sum() + np.tile(X, (1, 2))", "X"),
    "g_broadcast_to": ("np.broadcast_to(Z, (3, 4)) * X", "XZ"), "g_norm": ("np.linalg.norm(X)", "X"),
    "g_inv": ("np.linalg.inv(M2)", "M2"), "g_det": ("np.linalg.det(M2)", "M2"), "g_cumsum": ("np.cumsum(X, axis=1)", "X"),
    "g_relu": ("npx.relu(X) + npx.sigmoid(Y)", "XY"), "g_softmax": ("npx.softmax(X) * Y", "X"),
    "g_log_softmax": ("npx.log_softmax(X, axis=0) * Y", "X"), "g_pick": ("npx.pick(X, np.array([0, 3, 1]))", "X"),
    "g_batch_dot": ("npx.batch_dot(X.reshape(3, 1, 4), W.T.reshape(3, 4, 1))", "XW"),
    "g_fully_connected": ("npx.fully_connected(X, W.T, Z[:3], num_hidden=3)", "XWZ"),
    "g_astype": ("X.astype('float64') * 2", "X"), "g_roll": ("np.roll(X, 1, axis=1) * np.arange(12).reshape(3, 4)", "X"),
    "g_tril": ("np.tril(X, 1) * 2", "X"), "g_diag": ("np.diag(X, 1) * 3", "X"), "g_flip": ("np.flip(X, axis=0) * np.arange(12).reshape(3, 4)", "X"),
    "g_rot90_twice": ("np.rot90(X, 2) * np.arange(12).reshape(3, 4)", "X"),
    "g_pad_const": ("np.pad(X, ((1, 0), (0, 2))) * np.arange(24).reshape(4, 6)", "X"),
    "g_hstack": ("np.hstack([X, Y, X]) * np.arange(36).reshape(3, 12)", "XY"), "g_dstack": ("np.dstack([X, Y]) * 2", "XY"),
    "g_array_split": ("np.array_split(X, 3, axis=1)[0] * 3 + np.array_split(X, 3, axis=1)[2]", "X"),
    "g_broadcast_arrays": ("np.broadcast_arrays(X, Z)[1] * X", "XZ"), "g_diagonal": ("np.diagonal(X, 1) * np.arange(3)", "X"),
    "g_trace": ("np.trace(X, -1)", "X"), 
    "g_moveaxis": ("np.moveaxis(X, 0, 1) * np.arange(12).reshape(4, 3)", "X"),
    "g_prod_all": ("np.prod(X * 0.5 + 1)", "X"),
    "g_mean_axes": ("np.mean(X, axis=(0, 1), keepdims=True) * X", "X"), "g_sum_dtype": ("np.sum(X, axis=0, dtype='float64')", "X"),
    "g_average": ("np.average(X, axis=1, weights=Z)", "XZ"), "g_min_ties": ("np.min(np.maximum(X, 0.2), axis=0)", "X"),
    "g_diff": ("np.diff(X, n=2, axis=1) * np.arange(6).reshape(3, 2)", "X"), "g_polyval": ("np.polyval(Z, X)", "XZ"),
    "g_ediff1d": ("np.ediff1d(X, to_begin=np.array([1.0])) * np.arange(12)", "X"), "g_take_neg": ("np.take(X, np.array([3, 0, 3]), axis=-1)", "X"),
    "g_sort": ("np.sort(X, axis=None) * np.arange(12)", "X"), "g_nan_to_num": ("np.nan_to_num(X * 2)", "X"),
    "g_einsum_diag": ("np.einsum('ii->i', M2) * np.arange(3)", "M2"), "g_einsum_ellipsis": ("np.einsum('...j,kj->...k', X, W.T)", "XW"),
    "g_norm_ord3": ("np.linalg.norm(X, ord=3, axis=1)", "X"), "g_norm_1_mat": ("np.linalg.norm(X, ord=1, axis=(0, 1))", "X"),
    "g_norm_2_mat": ("np.linalg.norm(M2, ord=2, axis=(0, 1))", "M2"),
    "g_cholesky": ("np.linalg.cholesky(M2 @ M2.T)", "M2"), "g_solve": ("np.linalg.solve(M2, M2[:, :2] * 3)", "M2"),
    "g_slogdet": ("np.linalg.slogdet(M2)[1]", "M2"),
    "g_tensorinv": ("np.linalg.tensorinv(M2.reshape(3, 3, 1), ind=1)", "M2"),
    "g_compare_zero": ("X < Y", "XY"), "g_compare_scalar": ("X >= 0.1", "X"),
    "g_copysign": ("np.copysign(X, Y) * np.arange(12).reshape(3, 4)", "XY"), "g_ldexp": ("np.ldexp(X, Y)", "XY"),
    "g_ediff1d_arrays": ("np.ediff1d(X, to_end=Z, to_begin=Y[0]) * np.arange(19)", "XYZ"),
    "g_mod_int": ("K % 3 + np.mod(K, np.array([2, 3, 2, 4], dtype='int32')) + np.mod(17, K)", "K"),
}

GRAD_PRELUDE = """
X = np.array(onp.linspace(-0.9, 1.3, 12, dtype=onp.float32).reshape(3, 4))
Y = np.array(onp.linspace(0.5, -0.6, 12, dtype=onp.float32).reshape(3, 4))
Z = np.array([0.3, -0.2, 0.8, 1.1])
W = np.array(onp.linspace(-1, 1, 12, dtype=onp.float32).reshape(4, 3))
M2 = np.array([[2.0, 0.5, 0.1], [0.3, 3.0, 0.2], [0.1, 0.4, 1.5]])
K = np.array([5, 7, 3, 9], dtype='int32')
"""

ERRORS = {
    "floordiv": "I // 2", "reshape_bad": "A.reshape(5, 2)", "len_0d": "len(np.array(1.0))",
    "item_many": "A.item()", "set_np_bad": "npx.set_np(shape=False, array=True)",
    "split_unequal": "np.split(A, 3, axis=1)", "vsplit_unequal": "np.vsplit(P, 2)", "vsplit_1d": "np.vsplit(V, 2)",
    "trace_1d": "np.trace(V)", "diag_3d": "np.diag(T)", "pad_int_width": "np.pad(V, 2)",
    "pad_float_width": "np.pad(V, ((1.5, 1),))", "gamma_negative": "np.random.gamma(-1.0, size=(2,))", "max_empty": "np.max(np.zeros((2, 0)), axis=1)", "constraint_fail": "npx.constraint_check(np.zeros(2, dtype='bool'), 'bad')",
    "diff_0d": "np.diff(np.array(1.0))", "diff_prepend": "np.diff(V, prepend=1)",
    "sum_bad_axis": "np.sum(A, axis=2)",
    "bernoulli_both": "npx.random.bernoulli(prob=0.5, logit=0.1)", "chisquare_zero": "np.random.chisquare(0.0)", "pad_wrap": "np.pad(V, ((1, 1),), mode='wrap')", "sum_initial": "np.sum(V, initial=1.5)", "onp_operand": "V + onp.ones(4)",
    "bool_assign_no_out": "mx.nd.np._internal.boolean_mask_assign_scalar(np.zeros(3), np.array([True, False, True], "
                          "dtype='bool'), 5.0)",
}
