"""One-line summaries of the registry operators, for the help search.

The ``nd``/``sym`` functions are generated from the operator registry and their docstrings list inputs and
parameters only; these lines say what each operator does, in the words people search with. An operator whose
class carries its own docstring uses that instead (see :mod:`ssdkit.help.catalog`).

Examples
--------
>>> OP_SUMMARIES["Convolution"].split(":")[0]
'Convolution over NCW/NCHW/NCDHW data'
"""
__all__ = ["OP_SUMMARIES"]

_UNARY = {
    "abs": "absolute value", "arctan": "inverse tangent", "ceil": "round up (ceiling)", "cos": "cosine",
    "cosh": "hyperbolic cosine", "erf": "Gauss error function", "exp": "exponential e**x",
    "expm1": "exp(x) - 1, accurate near zero", "fix": "round toward zero", "floor": "round down (floor)",
    "log": "natural logarithm", "log10": "base-10 logarithm", "log1p": "log(1 + x), accurate near zero",
    "log2": "base-2 logarithm", "logical_not": "logical not (1 where x == 0)", "negative": "negation -x",
    "reciprocal": "reciprocal 1/x", "relu": "rectified linear unit max(x, 0)",
    "rint": "round half to even", "round": "round half away from zero", "rsqrt": "reciprocal square root",
    "sigmoid": "logistic sigmoid 1/(1+exp(-x))", "sign": "sign of x (-1, 0, 1)", "sin": "sine",
    "sinh": "hyperbolic sine", "softrelu": "softplus log(1 + exp(x))", "softsign": "softsign x/(1+|x|)",
    "sqrt": "square root", "square": "square x**2", "tan": "tangent", "tanh": "hyperbolic tangent",
    "trunc": "truncate toward zero",
    "arccos": "inverse cosine (acos)", "arccosh": "inverse hyperbolic cosine (acosh)",
    "arcsin": "inverse sine (asin)", "arcsinh": "inverse hyperbolic sine (asinh)",
    "arctanh": "inverse hyperbolic tangent (atanh)", "cbrt": "cube root", "rcbrt": "reciprocal cube root 1/cbrt(x)",
    "degrees": "radians to degrees", "radians": "degrees to radians", "erfinv": "inverse Gauss error function",
    "gamma": "gamma function", "gammaln": "log of the absolute gamma function (lgamma)",
}
_BINARY = {
    "add": "add (sum) a + b", "sub": "subtract a - b (difference)", "mul": "multiply a * b",
    "div": "divide a / b (quotient)",
    "mod": "modulo a % b", "power": "power a ** b", "maximum": "maximum of a and b",
    "minimum": "minimum of a and b", "hypot": "hypotenuse sqrt(a**2 + b**2)", "equal": "a == b as 0/1",
    "not_equal": "a != b as 0/1", "greater": "a > b as 0/1", "greater_equal": "a >= b as 0/1",
    "lesser": "a < b as 0/1", "lesser_equal": "a <= b as 0/1", "logical_and": "logical and",
    "logical_or": "logical or", "logical_xor": "logical exclusive or",
    "arctan2": "angle arctan(a / b) in the right quadrant (atan2)",
}

OP_SUMMARIES = {
    **{name: f"Elementwise {what}." for name, what in _UNARY.items()},
    **{f"broadcast_{name}": f"Elementwise {what}, broadcasting dimensions of size 1."
       for name, what in _BINARY.items()},
    "Activation": "Activation function by name: relu, sigmoid, tanh, softrelu or softsign.",
    "BatchNorm": "Batch normalization: normalize by batch statistics, scale by gamma, shift by beta; "
                 "keeps running mean/var.",
    "BlockGrad": "Stop the gradient: identity forward, zero gradient backward (stop_gradient, detach).",
    "Cast": "Cast (convert) an array to another dtype.",
    "Convolution": "Convolution over NCW/NCHW/NCDHW data: kernel, stride, pad, dilate, groups; conv layer op.",
    "Deconvolution": "Transposed convolution (deconvolution, upsampling conv) over NCHW data.",
    "Dropout": "Dropout: randomly zero elements with probability p in training, identity in inference.",
    "Embedding": "Embedding lookup: map integer indices to rows of a weight matrix (word vectors).",
    "Flatten": "Flatten to 2-D: keep the batch axis, merge all the others.",
    "FullyConnected": "Fully connected (dense, linear) layer op: x @ weight.T + bias.",
    "LeakyReLU": "Leaky ReLU family by act_type: leaky, prelu, elu, selu, gelu.",
    "Pooling": "Pooling over NCHW data: max or average, global pooling, kernel/stride/pad, ceil or floor "
               "convention.",
    "Reshape": "Reshape (view) an array to a new shape; MXNet codes 0 (keep), -1 (infer), -2, -3, -4.",
    "SoftmaxActivation": "Softmax over channels or per instance (old-style SoftmaxActivation).",
    "_arange": "Evenly spaced values in [start, stop) with a step (range).",
    "_copy": "Copy (identity) of an array.",
    "_eye": "Identity matrix with ones on a diagonal.",
    "_full": "Array of a shape filled with one value.",
    "_ones": "Array of ones.",
    "_zeros": "Array of zeros.",
    "_linspace": "Evenly spaced numbers over an interval (linspace).",
    "argmax": "Index of the maximum along an axis.",
    "argmin": "Index of the minimum along an axis.",
    "argsort": "Indices that sort an array along an axis.",
    "batch_dot": "Batched matrix multiplication of (B, M, K) and (B, K, N) (bmm, matmul).",
    "broadcast_axis": "Broadcast (repeat) size-1 axes to a given size.",
    "broadcast_like": "Broadcast an array to the shape of another array.",
    "broadcast_to": "Broadcast an array to a shape (expand, repeat size-1 dimensions).",
    "clip": "Clip (clamp) values into [a_min, a_max].",
    "concat": "Concatenate (join, cat) arrays along an axis.",
    "dot": "Dot product / matrix multiplication (matmul, mm) with optional transposes.",
    "expand_dims": "Insert a new axis of size 1 (unsqueeze).",
    "log_softmax": "Log of softmax along an axis (log probabilities).",
    "max": "Maximum (largest value) over axes (reduce max).",
    "mean": "Mean (average) over axes.",
    "min": "Minimum (smallest value) over axes (reduce min).",
    "norm": "L2 (or L1) norm (length, magnitude) over axes.",
    "one_hot": "One-hot encode integer indices to vectors of a given depth.",
    "ones_like": "Array of ones with the shape of another array.",
    "pick": "Pick one element per row by an index array (gather along an axis).",
    "prod": "Product (all elements multiplied) over axes.",
    "repeat": "Repeat each element along an axis.",
    "reshape_like": "Reshape an array to the shape of another array with as many elements (view_as).",
    "slice": "Slice (crop) an array between begin and end indices per axis.",
    "slice_axis": "Slice (narrow) along one axis between begin and end.",
    "slice_like": "Slice an array to the shape of another array.",
    "smooth_l1": "Smooth L1 (Huber-like) function, used for box regression loss.",
    "softmax": "Softmax along an axis (probabilities), optional temperature.",
    "sort": "Sort values along an axis.",
    "split": "Split an array into equal parts along an axis (chunk, SliceChannel).",
    "squeeze": "Remove axes of size 1.",
    "stack": "Stack arrays along a new axis.",
    "sum": "Sum over axes (reduce sum).",
    "swapaxes": "Swap two axes (transpose two dimensions).",
    "take": "Take (gather, index_select) elements by indices along an axis.",
    "tile": "Tile (repeat) an array along each axis.",
    "topk": "Top-k values or indices along an axis: the k largest (or smallest).",
    "transpose": "Permute the axes of an array (transpose, permute).",
    "where": "Choose elements from x or y depending on a condition.",
    "zeros_like": "Array of zeros with the shape of another array.",
}

# nd.image / sym.image (MXNet's _image_* ops) whose op classes carry no docstring of their own
OP_SUMMARIES.update({
    "_image_flip_left_right": "Flip (mirror) an HWC image left-right, horizontally.",
    "_image_flip_top_bottom": "Flip an HWC image top-bottom, vertically (upside down).",
    "_image_random_flip_left_right": "Randomly flip (mirror) an HWC image horizontally with probability 0.5.",
    "_image_random_flip_top_bottom": "Randomly flip an HWC image vertically with probability 0.5.",
    "_image_random_brightness": "Random brightness: multiply an image by a factor in [min_factor, max_factor].",
    "_image_random_contrast": "Random contrast: blend an image with its mean grey by a random factor.",
    "_image_random_saturation": "Random saturation (colour intensity) change of an RGB image.",
    "_image_random_hue": "Random hue rotation (shift colours) of an RGB image in HLS space.",
    "_image_random_color_jitter": "Color jitter: random brightness, contrast, saturation and hue in random order.",
    "_image_adjust_lighting": "Adjust lighting: add AlexNet PCA colour noise with given alphas to an RGB image.",
    "_image_random_lighting": "Random lighting: AlexNet-style PCA colour noise on an RGB image.",
})
