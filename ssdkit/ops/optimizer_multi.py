"""MXNet 1.9.1's multi-tensor optimizer ops (``multi_sgd_update`` ... ``_multi_lamb_update``, the
``preloaded_multi_*`` ops whose learning rates and weight decays are arrays) and the helpers of mixed-precision
and LARS training: ``all_finite``, ``multi_all_finite``, ``multi_sum_sq``, ``multi_lars``, ``reset_arrays``,
``amp_cast``, ``amp_multicast``.

A multi-tensor op takes ``num_weights`` groups of inputs (weight, grad, states...) back to back, then the shared
inputs (``lrs``, ``wds`` of the preloaded ops); it returns the new weights and updates the states in place.

Examples
--------
>>> import ssdkit as mx
>>> ws = [mx.nd.ones((2,)), mx.nd.ones((3,))]; gs = [mx.nd.ones((2,)), mx.nd.ones((3,))]
>>> _ = mx.nd.multi_sgd_update(ws[0], gs[0], ws[1], gs[1], lrs=(0.1, 0.5), wds=(0.0, 0.0), num_weights=2, out=ws)
>>> ws[0].asnumpy(), ws[1].asnumpy()
(array([0.9, 0.9], dtype=float32), array([0.5, 0.5, 0.5], dtype=float32))
"""
import numpy as np

from ..base import MXNetError, ShapeError
from . import optimizer_kernels as K
from .registry import Op, Param, REQUIRED, register

__all__ = []

F32 = np.dtype(np.float32)
NO_CLIP = -1.0
FLOAT_TYPES = (np.dtype(np.float16), F32)   # what AMP casts (bfloat16 has no numpy type)


class MultiUpdateOp(Op):
    """Base of the multi-tensor update ops: ``group`` names one tensor's inputs, ``float32_group`` those kept
    in float32 (master copies and their states), ``shared`` the inputs after all groups."""
    differentiable = False
    writes_out = True
    count_param = "num_weights"
    group = ("weight", "grad")
    float32_group = ()
    shared = ()

    def input_names(self, p):
        return [f"{name}_{i}" for i in range(p[self.count_param]) for name in self.group] + list(self.shared)

    def output_count(self, p):
        return p[self.count_param]

    def _groups(self, p, items):
        stride, n = len(self.group), p[self.count_param]
        if len(items) != stride * n + len(self.shared):
            raise MXNetError(f"{self.name}: {self.count_param}={n} needs {stride * n + len(self.shared)} inputs "
                             f"({', '.join(self.group)} per weight{', then ' if self.shared else ''}"
                             f"{', '.join(self.shared)}), got {len(items)}")
        return [items[i * stride:(i + 1) * stride] for i in range(n)], items[stride * n:]

    def infer_shape(self, p, shapes):
        groups, shared = self._groups(p, list(shapes))
        full, outs = [], []
        for i, group in enumerate(groups):
            known = next((s for s in group if s is not None), None)
            for name, shape in zip(self.group, group):
                if shape is not None and tuple(shape) != tuple(known):
                    raise ShapeError(f"{self.name}: input {name}_{i} has shape {tuple(shape)}, expected "
                                     f"weight_{i}'s shape {tuple(known)}")
            full += [known] * len(group)
            outs.append(known)
        return full + [s if s is not None else (p[self.count_param],) for s in shared], outs

    def infer_type(self, p, dtypes):
        groups, shared = self._groups(p, list(dtypes))
        ins, outs = [], []
        for group in groups:
            weight = group[0] if group[0] is not None else F32
            ins += [F32 if name in self.float32_group else weight for name in self.group]
            outs.append(weight)
        return ins + [F32] * len(shared), outs

    def forward(self, p, inputs, is_train, out=None):
        groups, shared = self._groups(p, list(inputs))
        outs = list(out) if out else [np.empty_like(g[0]) for g in groups]
        if len(outs) != len(groups):
            raise MXNetError(f"{self.name}: {len(groups)} weights but {len(outs)} output arrays")
        for i, (group, dst) in enumerate(zip(groups, outs)):
            self.kernel(p, i, dict(zip(self.group, group)), shared, dst)
        return outs, None


def _multi_params(momentum=False, preloaded=False):
    params = {} if preloaded else {"lrs": Param("floats"), "wds": Param("floats")}
    if momentum:
        params["momentum"] = Param("float", 0.0)
    params.update(rescale_grad=Param("float", 1.0), clip_gradient=Param("float", NO_CLIP),
                  num_weights=Param("int", 1))
    return params


def _per_weight(op, p, name, i):
    values = p[name]
    if values is None or len(values) <= i:
        raise MXNetError(f"{op.name}: {name} has {0 if values is None else len(values)} values for "
                         f"{p[op.count_param]} weights")
    return values[i]


class _MultiSGD(MultiUpdateOp):
    """Shared kernel call of the eight multi-tensor SGD ops."""
    inputs = ("weight_0", "grad_0")

    def kernel(self, p, i, a, shared, out):
        if shared:   # preloaded: learning rates and weight decays are float32 arrays
            lr, wd = shared[0].reshape(-1)[i], shared[1].reshape(-1)[i]
        else:
            lr, wd = _per_weight(self, p, "lrs", i), _per_weight(self, p, "wds", i)
        K.multi_sgd(a["weight"], a["grad"], a.get("mom"), a.get("weight32"), out, lr, wd, p.get("momentum", 0.0),
                    p.rescale_grad, p.clip_gradient)


def _define_multi_sgd(name, momentum, mixed, preloaded, doc):
    group = ("weight", "grad") + (("mom",) if momentum else ()) + (("weight32",) if mixed else ())
    attrs = {"group": group, "float32_group": ((("mom",) if momentum else ()) + ("weight32",)) if mixed else (),
             "shared": ("lrs", "wds") if preloaded else (), "params": _multi_params(momentum, preloaded),
             "__doc__": doc}
    register(type(name, (_MultiSGD,), attrs))


for _pre in (False, True):
    _prefix = "preloaded_" if _pre else ""
    _how = " (learning rates and weight decays given as arrays)" if _pre else ""
    _define_multi_sgd(f"{_prefix}multi_sgd_update", False, False, _pre, "SGD on several weights in one call" + _how + ".")
    _define_multi_sgd(f"{_prefix}multi_sgd_mom_update", True, False, _pre,
                      "Momentum SGD on several weights in one call" + _how + ".")
    _define_multi_sgd(f"{_prefix}multi_mp_sgd_update", False, True, _pre,
                      "SGD on the float32 master copies of several weights" + _how + ".")
    _define_multi_sgd(f"{_prefix}multi_mp_sgd_mom_update", True, True, _pre,
                      "Momentum SGD on the float32 master copies of several weights" + _how + ".")


_ADAMW = {"lrs": Param("floats"), "beta1": Param("float", 0.9), "beta2": Param("float", 0.999),
          "epsilon": Param("float", 1e-8), "wds": Param("floats"), "etas": Param("floats"),
          "clip_gradient": Param("float", NO_CLIP), "num_weights": Param("int", 1)}


class _MultiAdamW(MultiUpdateOp):
    shared = ("rescale_grad",)
    params = _ADAMW

    def forward(self, p, inputs, is_train, out=None):
        scale = float(np.asarray(inputs[-1]).reshape(-1)[0])
        if not np.isfinite(scale) or scale == 0:   # the loss-scaling skip: weights and states unchanged
            groups, _ = self._groups(p, list(inputs))
            return (list(out) if out else [g[0].copy() for g in groups]), None
        return super().forward(p, inputs, is_train, out)

    def kernel(self, p, i, a, shared, out):
        K.multi_adamw(a["weight"], a["grad"], a["mean"], a["var"], a.get("weight32"), out,
                      float(shared[0].reshape(-1)[0]), _per_weight(self, p, "lrs", i), p.beta1, p.beta2, p.epsilon,
                      _per_weight(self, p, "wds", i), _per_weight(self, p, "etas", i), p.clip_gradient)


@register
class _multi_adamw_update(_MultiAdamW):
    """AdamW on several weights in one call; ``rescale_grad`` is an array (0 or not finite skips the update)."""
    inputs = ("weight_0", "grad_0", "mean_0", "var_0", "rescale_grad")
    group = ("weight", "grad", "mean", "var")


@register
class _multi_mp_adamw_update(_MultiAdamW):
    """AdamW on the float32 master copies of several weights."""
    inputs = ("weight_0", "grad_0", "mean_0", "var_0", "weight32_0", "rescale_grad")
    group = ("weight", "grad", "mean", "var", "weight32")
    float32_group = ("mean", "var", "weight32")


_LAMB = {"learning_rates": Param("floats"), "beta1": Param("float", 0.9), "beta2": Param("float", 0.999),
         "epsilon": Param("float", 1e-6), "wds": Param("floats"), "rescale_grad": Param("float", 1.0),
         "lower_bound": Param("float", NO_CLIP), "upper_bound": Param("float", NO_CLIP),
         "clip_gradient": Param("float", NO_CLIP), "bias_correction": Param("bool", True),
         "step_count": Param("shape"), "num_tensors": Param("int", 1)}


class _MultiLamb(MultiUpdateOp):
    count_param = "num_tensors"
    params = _LAMB

    def kernel(self, p, i, a, shared, out):
        K.multi_lamb(a["weight"], a["grad"], a["mean"], a["var"], a.get("weight32"), out,
                     _per_weight(self, p, "learning_rates", i), _per_weight(self, p, "wds", i),
                     _per_weight(self, p, "step_count", i), p.beta1, p.beta2, p.epsilon, p.rescale_grad,
                     p.lower_bound, p.upper_bound, p.clip_gradient, p.bias_correction)


@register
class _multi_lamb_update(_MultiLamb):
    """LAMB (both phases) on several weights in one call, each at its own ``step_count``."""
    inputs = ("weight_0", "grad_0", "mean_0", "var_0")
    group = ("weight", "grad", "mean", "var")


@register
class _multi_mp_lamb_update(_MultiLamb):
    """LAMB on the float32 master copies of several weights."""
    inputs = ("weight_0", "grad_0", "mean_0", "var_0", "weight32_0")
    group = ("weight", "grad", "mean", "var", "weight32")
    float32_group = ("mean", "var", "weight32")


def _finite_flag(arrays, p, out):
    """1.0 in a float32 (1,) array unless an array holds inf or NaN (then 0.0); without ``init_output`` an
    existing ``out`` keeps its value when everything is finite (chained checks)."""
    flag = out[0] if out else np.ones((1,), F32)
    if p.init_output:
        flag[...] = 1.0
    if not all(np.isfinite(a.astype(F32, copy=False)).all() for a in arrays):
        flag[...] = 0.0
    return flag


@register
class all_finite(Op):
    """1.0 when every element of ``data`` is finite, else 0.0 (float32, shape (1,))."""
    differentiable = False
    writes_out = True
    params = {"init_output": Param("bool", True)}

    def infer_shape(self, p, shapes):
        return shapes, [(1,)]

    def infer_type(self, p, dtypes):
        return [d if d is not None else F32 for d in dtypes], [F32]

    def forward(self, p, inputs, is_train, out=None):
        return [_finite_flag(inputs, p, out)], None


@register
class multi_all_finite(all_finite):
    """1.0 when every element of all ``num_arrays`` inputs is finite, else 0.0 (float32, shape (1,))."""
    key_var_num_args = "num_arrays"
    params = {"num_arrays": Param("int", 1), "init_output": Param("bool", True)}


@register
class multi_sum_sq(Op):
    """The sum of squares of each input, float32, shape (num_arrays,) (accumulated as MXNet's CPU kernel)."""
    differentiable = False
    key_var_num_args = "num_arrays"
    params = {"num_arrays": Param("int")}

    def infer_shape(self, p, shapes):
        return shapes, [(len(shapes),)]

    def infer_type(self, p, dtypes):
        return [d if d is not None else F32 for d in dtypes], [F32]

    def forward(self, p, inputs, is_train):
        return [np.array([K.sum_sq(x) for x in inputs], F32)], None


@register
class multi_lars(Op):
    """Per-layer LARS learning rates from the layers' weight and gradient sums of squares."""
    differentiable = False
    inputs = ("lrs", "weights_sum_sq", "grads_sum_sq", "wds")
    params = {"eta": Param("float"), "eps": Param("float"), "rescale_grad": Param("float", 1.0)}

    def infer_shape(self, p, shapes):
        known = next((s for s in shapes if s is not None), None)
        return [known] * 4, [known]

    def infer_type(self, p, dtypes):
        return [F32] * 4, [F32]

    def forward(self, p, inputs, is_train):
        if inputs[0].dtype != F32:
            raise MXNetError(f"multi_lars: lrs must be float32, got {inputs[0].dtype}")
        return [K.multi_lars(*inputs, p.eta, p.eps, p.rescale_grad)], None


@register
class reset_arrays(Op):
    """Set every input array to zero in place (no outputs)."""
    differentiable = False
    key_var_num_args = "num_arrays"
    params = {"num_arrays": Param("int")}
    num_outputs = 0

    def infer_shape(self, p, shapes):
        return shapes, []

    def forward(self, p, inputs, is_train):
        for x in inputs:
            x[...] = 0
        return [], None


def _amp_target(src, dtype):
    return dtype if np.dtype(src) in FLOAT_TYPES else np.dtype(src)


@register
class amp_cast(Op):
    """Cast float16/float32 data to ``dtype`` for automatic mixed precision; other types pass unchanged.
    The gradient is cast back to the input's type."""
    params = {"dtype": Param("dtype", REQUIRED)}

    def infer_type(self, p, dtypes):
        src = dtypes[0] if dtypes[0] is not None else F32
        return [src], [_amp_target(src, np.dtype(p.dtype))]

    def forward(self, p, inputs, is_train):
        x = inputs[0]
        return [x.astype(_amp_target(x.dtype, np.dtype(p.dtype)))], x.dtype

    def backward(self, p, saved, out_grads):
        return [out_grads[0].astype(saved)]


@register
class amp_multicast(Op):
    """Cast float16/float32 inputs to the widest float type among them (the narrowest with ``cast_narrow``),
    for automatic mixed precision; other types pass unchanged. Gradients are cast back."""
    key_var_num_args = "num_outputs"
    params = {"num_outputs": Param("int"), "cast_narrow": Param("bool", False)}

    def output_count(self, p):
        return p.num_outputs

    @staticmethod
    def _target(p, dtypes):
        dtypes = [np.dtype(d) for d in dtypes]
        target = F32 if p.cast_narrow else dtypes[0]
        for d in dtypes:
            if not p.cast_narrow and d == F32:
                target = F32
            elif p.cast_narrow and d == np.dtype(np.float16):
                target = np.dtype(np.float16)
        return [_amp_target(d, target) for d in dtypes]

    def infer_shape(self, p, shapes):
        return shapes, list(shapes)

    def infer_type(self, p, dtypes):
        known = [d if d is not None else F32 for d in dtypes]
        return known, self._target(p, known)

    def forward(self, p, inputs, is_train):
        targets = self._target(p, [x.dtype for x in inputs])
        return [x.astype(t) for x, t in zip(inputs, targets)], [x.dtype for x in inputs]

    def backward(self, p, saved, out_grads):
        return [g.astype(d) for g, d in zip(out_grads, saved)]
