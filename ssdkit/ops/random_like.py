"""Random ops shaped by an input array (``_random_<dist>_like``: samples of ``data``'s shape and dtype) and
``_sample_unique_zipfian`` (unique log-uniform class ids per row, for sampled softmax), drawing from the one
seeded generator as :mod:`ssdkit.ops.random` does.

Examples
--------
>>> from ssdkit.ops import get_op
>>> op = get_op("_random_normal_like")
>>> (y,), _ = op.forward(op.parse_params({"loc": 5.0}), [np.zeros((2, 3), np.float64)], False)
>>> y.shape, y.dtype.name
((2, 3), 'float64')
"""
import numpy as np

from ..base import MXNetError, get_rng
from .random import DISTRIBUTIONS
from .indexing import ZeroGradOp
from .registry import Op, Param, register

__all__ = []


def _make_like(name, defaults, draw):
    kinds = {k: Param("int" if isinstance(v, int) else "float", v) for k, v in defaults.items()}

    class Like(ZeroGradOp):
        params = dict(kinds)
        random = True

        def infer_shape(self, p, shapes):
            return shapes, [shapes[0]]

        def compute(self, p, inputs):
            x = inputs[0]
            return [np.asarray(draw(get_rng(), p, x.shape)).astype(x.dtype)]

    dist = name[len("_random_"):]
    Like.__name__ = Like.__qualname__ = Like.name = f"{name}_like"
    Like.__doc__ = (f"Random samples from the {dist.replace('_', ' ')} distribution with the shape and dtype of "
                    f"the input (parameters {', '.join(defaults)}).")
    register(Like)


for _name, (_defaults, _draw, _dtype) in DISTRIBUTIONS.items():
    if _name != "_random_randint":
        _make_like(_name, _defaults, _draw)


@register
class _sample_unique_zipfian(Op):
    """Unique class ids in ``[0, range_max)`` per row of ``shape`` from the log-uniform (Zipfian) distribution,
    and how many draws each row took (int64)."""
    inputs = ()
    params = {"range_max": Param("int"), "shape": Param("shape", ())}
    num_outputs = 2
    differentiable = False
    random = True

    def infer_shape(self, p, shapes):
        if len(p.shape) != 2:
            raise MXNetError(f"{self.name}: shape must be 2-D (batch, samples), got {p.shape}")
        return shapes, [tuple(p.shape), (p.shape[0],)]

    def infer_type(self, p, dtypes):
        return dtypes, [np.dtype(np.int64)] * 2

    def forward(self, p, inputs, is_train):
        self.infer_shape(p, [])
        rows, k = p.shape
        if k > p.range_max:
            raise MXNetError(f"{self.name}: cannot draw {k} unique values from range_max={p.range_max}")
        rng, log_range = get_rng(), np.log(p.range_max + 1.0)
        out, tries = np.empty((rows, k), np.int64), np.zeros(rows, np.int64)
        for r in range(rows):  # rejection of repeats, as MXNet: one draw at a time per row
            seen, order = set(), []
            while len(order) < k:
                value = int(np.exp(rng.random() * log_range)) - 1
                tries[r] += 1
                if value not in seen:
                    seen.add(value)
                    order.append(value)
            out[r] = order
        return [out, tries], None
