"""Help-search concepts of MXNet's NumPy interface, ``mx.np`` and ``mx.npx`` (see :mod:`ssdkit.help.concepts`).

Examples
--------
>>> any("npx.set_np" in targets for targets, _ in CONCEPTS)
True
"""
__all__ = ["CONCEPTS"]

CONCEPTS = (
    ("npx.set_np npx.reset_np util.use_np",
     "numpy interface | numpy semantics | mx.np | numpy style arrays | d2l set_np | numpy compatible api | "
     "turn on numpy mode | from mxnet import np npx"),
    ("np.ndarray", "mx.np.ndarray | numpy style ndarray | zero dimensional array | 0-d array | scalar array"),
    ("nd.NDArray.as_np_ndarray nd.NDArray.as_nd_ndarray",
     "convert legacy ndarray to mx.np | as_np_ndarray | as_nd_ndarray | mx.np array to mx.nd array"),
    ("npx.reshape", "npx reshape special codes | reshape -2 -1 -3 -4 -5 -6 | merge two axes | split one axis"),
    ("np.set_printoptions", "print precision | fewer decimals when printing | how arrays are displayed | "
     "numpy print options | torch.set_printoptions"),
    ("np.einsum", "einstein summation | einsum | torch.einsum"),
    ("np.tensordot np.matmul np.dot", "tensordot | contract axes | matmul with broadcast batch dimensions"),
    ("np.linalg.norm", "vector norm | frobenius norm | euclidean length | torch.norm"),
    ("np.linalg.inv np.linalg.det", "matrix inverse | determinant | torch.inverse | linalg"),
    ("np.meshgrid", "coordinate grid | meshgrid | grid of x y coordinates"),
    ("np.std np.var", "standard deviation | variance | spread of values"),
    ("np.cumsum", "cumulative sum | running total | cumsum"),
    ("np.random.choice np.random.shuffle", "random sample from an array | shuffle in place | random permutation"),
    ("npx.sequence_mask", "mask padded positions | sequence mask | valid length mask"),
    ("npx.save npx.load", "save mx.np arrays | load mx.np arrays | npx.save"),
    ("np.isnan np.isinf np.isfinite",
     "isnan | nan values | which elements are nan | detect nan | not a number entries | where are the nans | "
     "isinf | infinite values | isfinite | finite values only | torch.isnan"),
    ("np.random.choice",
     "weighted random choice | random choice with probabilities | sample elements with given probabilities | "
     "draw items from an array at random | np.random.choice p | pick at random from a list"),
    ("np.unique", "unique values | distinct elements | counts of each value | np.unique return_counts | torch.unique"),
)
