"""MXNet 1.9.1's optimizer update operators (``sgd_update``, ``adam_update``, ``multi_sgd_mom_update``, ...):
registry entries over the kernels of :mod:`ssdkit.ops.optimizer_kernels`.

As in MXNet, an update op returns the new weight and updates its state inputs (momentum, moments, master
copy) in place; optimizers call it with ``out=weight`` so the weight is updated in place too. Update ops
are not differentiable. Multi-tensor ops take ``num_weights`` groups of inputs laid out weight, grad, states...
and return ``num_weights`` new weights.

Examples
--------
>>> import ssdkit as mx
>>> w, g, mom = mx.nd.array([1.0, 2.0]), mx.nd.array([1.0, 1.0]), mx.nd.zeros((2,))
>>> _ = mx.nd.sgd_mom_update(w, g, mom, lr=0.1, momentum=0.9, out=w)
>>> w.asnumpy(), mom.asnumpy()
(array([0.9, 1.9], dtype=float32), array([-0.1, -0.1], dtype=float32))
"""
import numpy as np

from ..base import ShapeError
from . import optimizer_kernels as K
from .registry import Op, Param, REQUIRED, register

__all__ = []

F32 = np.dtype(np.float32)
NO_CLIP = -1.0


def _f(default=REQUIRED):
    return Param("float", default)


def _same_shapes(op_name, names, shapes):
    """Every input shaped like the weight (MXNet's elementwise shape rule); unknown shapes are filled in."""
    known = next((s for s in shapes if s is not None), None)
    for name, shape in zip(names, shapes):
        if shape is not None and known is not None and tuple(shape) != tuple(known):
            raise ShapeError(f"{op_name}: input {name} has shape {tuple(shape)}, expected the weight's shape "
                             f"{tuple(known)}")
    return [known] * len(shapes), known


class UpdateOp(Op):
    """Base of the single-tensor update ops: inputs shaped like the weight, one output (the new weight), states
    updated in place; ``forward`` writes into ``out`` when the caller gives it (``out=weight``).

    Subclasses set ``inputs``, ``params``, ``float32_inputs`` (the master copy and states of ``mp_*`` ops) and
    ``kernel(p, arrays, out)``.
    """
    differentiable = False
    writes_out = True
    float32_inputs = ()
    scalar_inputs = ()   # inputs that are arrays of one value (``rescale_grad`` of the AdamW ops)

    def infer_shape(self, p, shapes):
        weight = shapes[0]
        if weight is not None and not self.scalar_inputs and all(s == weight for s in shapes):
            return shapes, [weight]   # the common imperative call: every shape known and equal
        names = self.input_names(p)
        shaped = [n for n in names if n not in self.scalar_inputs]
        full, weight = _same_shapes(self.name, shaped, [s for n, s in zip(names, shapes) if n in shaped])
        fill = iter(full)
        return [next(fill) if n in shaped else (s or (1,)) for n, s in zip(names, shapes)], [weight]

    def infer_type(self, p, dtypes):
        names = self.input_names(p)
        weight = dtypes[0] if dtypes[0] is not None else F32
        ins = [F32 if n in self.float32_inputs else (d if d is not None else weight) for n, d in zip(names, dtypes)]
        return ins, [weight]

    def forward(self, p, inputs, is_train, out=None):
        dst = out[0] if out else np.empty_like(inputs[0])
        self.kernel(p, inputs, dst)
        return [dst], None


def _sgd_params(momentum=False, lazy=True):
    params = {"lr": _f(), "wd": _f(0.0), "rescale_grad": _f(1.0), "clip_gradient": _f(NO_CLIP)}
    if momentum:
        params = {"lr": _f(), "momentum": _f(0.0), **{k: v for k, v in params.items() if k != "lr"}}
    if lazy:
        params["lazy_update"] = Param("bool", True)   # row_sparse gradients only; dense updates are never lazy
    return params


def _clip_args(p):
    return p.rescale_grad, p.clip_gradient


@register
class sgd_update(UpdateOp):
    """``w = (1 - lr wd) w - lr clip(rescale_grad grad)``."""
    inputs = ("weight", "grad")
    params = _sgd_params()

    def kernel(self, p, a, out):
        K.sgd(a[0], a[1], out, p.lr, p.wd, *_clip_args(p))


@register
class sgd_mom_update(UpdateOp):
    """Momentum SGD: ``mom = momentum mom - lr wd w - lr clip(rescale_grad grad)``; ``w += mom``."""
    inputs = ("weight", "grad", "mom")
    params = _sgd_params(momentum=True)

    def kernel(self, p, a, out):
        K.sgd_mom(a[0], a[1], a[2], out, p.lr, p.momentum, p.wd, *_clip_args(p))


@register
class mp_sgd_update(UpdateOp):
    """:func:`sgd_update` on a float32 master copy ``weight32`` of a float16 weight."""
    inputs = ("weight", "grad", "weight32")
    params = _sgd_params()
    float32_inputs = ("weight32",)

    def kernel(self, p, a, out):
        K.mp_sgd(a[0], a[1], a[2], out, p.lr, p.wd, *_clip_args(p))


@register
class mp_sgd_mom_update(UpdateOp):
    """:func:`sgd_mom_update` on a float32 master copy (``mom`` float32)."""
    inputs = ("weight", "grad", "mom", "weight32")
    params = _sgd_params(momentum=True)
    float32_inputs = ("mom", "weight32")

    def kernel(self, p, a, out):
        K.mp_sgd_mom(a[0], a[1], a[2], a[3], out, p.lr, p.momentum, p.wd, *_clip_args(p))


@register
class nag_mom_update(UpdateOp):
    """Nesterov accelerated gradient with momentum."""
    inputs = ("weight", "grad", "mom")
    params = _sgd_params(momentum=True, lazy=False)

    def kernel(self, p, a, out):
        K.nag_mom(a[0], a[1], a[2], out, p.lr, p.momentum, p.wd, *_clip_args(p))


@register
class mp_nag_mom_update(UpdateOp):
    """:func:`nag_mom_update` on a float32 master copy."""
    inputs = ("weight", "grad", "mom", "weight32")
    params = _sgd_params(momentum=True, lazy=False)
    float32_inputs = ("mom", "weight32")

    def kernel(self, p, a, out):
        K.mp_nag_mom(a[0], a[1], a[2], a[3], out, p.lr, p.momentum, p.wd, *_clip_args(p))


_ADAM = {"lr": _f(), "beta1": _f(0.9), "beta2": _f(0.999), "epsilon": _f(1e-8)}


@register
class adam_update(UpdateOp):
    """Adam: ``w -= lr mean / (sqrt(var) + epsilon)`` with moments of ``clip(rescale_grad grad + wd w)``."""
    inputs = ("weight", "grad", "mean", "var")
    params = {**_ADAM, "wd": _f(0.0), "rescale_grad": _f(1.0), "clip_gradient": _f(NO_CLIP),
              "lazy_update": Param("bool", True)}

    def kernel(self, p, a, out):
        K.adam(a[0], a[1], a[2], a[3], out, p.lr, p.beta1, p.beta2, p.epsilon, p.wd, *_clip_args(p))


_ADAMW = {**_ADAM, "wd": _f(0.0), "eta": _f(), "clip_gradient": _f(NO_CLIP)}


def _scale_value(op_name, array):
    if array.size != 1:
        raise ShapeError(f"{op_name}: rescale_grad must hold one value, got shape {array.shape}")
    return float(array.reshape(-1)[0])


@register
class _adamw_update(UpdateOp):
    """AdamW (decoupled weight decay): ``w -= eta (lr mean / (sqrt(var) + epsilon) + wd w)``; the gradient
    scale is an array, and a scale of 0 or not finite skips the update."""
    inputs = ("weight", "grad", "mean", "var", "rescale_grad")
    params = _ADAMW
    scalar_inputs = ("rescale_grad",)

    def kernel(self, p, a, out):
        K.adamw(a[0], a[1], a[2], a[3], out, _scale_value(self.name, a[4]), p.lr, p.beta1, p.beta2, p.epsilon,
                p.wd, p.eta, p.clip_gradient)


@register
class _mp_adamw_update(UpdateOp):
    """:func:`_adamw_update` on a float32 master copy (``mean``, ``var`` float32)."""
    inputs = ("weight", "grad", "mean", "var", "weight32", "rescale_grad")
    params = _ADAMW
    float32_inputs = ("mean", "var", "weight32")
    scalar_inputs = ("rescale_grad",)

    def kernel(self, p, a, out):
        K.mp_adamw(a[0], a[1], a[2], a[3], a[4], out, _scale_value(self.name, a[5]), p.lr, p.beta1, p.beta2,
                   p.epsilon, p.wd, p.eta, p.clip_gradient)


_RMS = {"lr": _f(), "gamma1": _f(0.95), "epsilon": _f(1e-8), "wd": _f(0.0), "rescale_grad": _f(1.0),
        "clip_gradient": _f(NO_CLIP), "clip_weights": _f(NO_CLIP)}


@register
class rmsprop_update(UpdateOp):
    """RMSProp: ``n = (1 - gamma1) g^2 + gamma1 n``; ``w -= lr g / sqrt(n + epsilon)``."""
    inputs = ("weight", "grad", "n")
    params = _RMS

    def kernel(self, p, a, out):
        K.rmsprop(a[0], a[1], a[2], out, p.lr, p.gamma1, p.epsilon, p.wd, p.rescale_grad, p.clip_gradient,
                  p.clip_weights)


@register
class rmspropalex_update(UpdateOp):
    """Centered RMSProp (Graves 2013) with momentum ``gamma2`` on the step ``delta``."""
    inputs = ("weight", "grad", "n", "g", "delta")
    params = {**_RMS, "gamma2": _f(0.9)}

    def kernel(self, p, a, out):
        K.rmspropalex(a[0], a[1], a[2], a[3], a[4], out, p.lr, p.gamma1, p.gamma2, p.epsilon, p.wd,
                      p.rescale_grad, p.clip_gradient, p.clip_weights)


@register
class ftml_update(UpdateOp):
    """FTML (Follow the Moving Leader) at step ``t``."""
    inputs = ("weight", "grad", "d", "v", "z")
    params = {"lr": _f(), "beta1": _f(0.6), "beta2": _f(0.999), "epsilon": _f(1e-8), "t": Param("int"),
              "wd": _f(0.0), "rescale_grad": _f(1.0), "clip_grad": _f(NO_CLIP)}

    def kernel(self, p, a, out):
        K.ftml(a[0], a[1], a[2], a[3], a[4], out, p.lr, p.beta1, p.beta2, p.epsilon, p.t, p.wd, p.rescale_grad,
               p.clip_grad)


@register
class ftrl_update(UpdateOp):
    """FTRL-Proximal with L1 strength ``lamda1``."""
    inputs = ("weight", "grad", "z", "n")
    params = {"lr": _f(), "lamda1": _f(0.01), "beta": _f(1.0), "wd": _f(0.0), "rescale_grad": _f(1.0),
              "clip_gradient": _f(NO_CLIP)}

    def kernel(self, p, a, out):
        K.ftrl(a[0], a[1], a[2], a[3], out, p.lr, p.lamda1, p.beta, p.wd, p.rescale_grad, p.clip_gradient)


@register
class signsgd_update(UpdateOp):
    """signSGD: ``w = (1 - lr wd) w - lr sign(grad)``."""
    inputs = ("weight", "grad")
    params = _sgd_params(lazy=False)

    def kernel(self, p, a, out):
        K.signsgd(a[0], a[1], out, p.lr, p.wd, p.rescale_grad, p.clip_gradient)


@register
class signum_update(UpdateOp):
    """Signum: the sign of a momentum of the gradient, with decoupled weight decay ``wd_lh``."""
    inputs = ("weight", "grad", "mom")
    params = {**_sgd_params(momentum=True, lazy=False), "wd_lh": _f(0.0)}

    def kernel(self, p, a, out):
        K.signum(a[0], a[1], a[2], out, p.lr, p.momentum, p.wd, p.rescale_grad, p.clip_gradient, p.wd_lh)


_LAMB1 = {"beta1": _f(0.9), "beta2": _f(0.999), "epsilon": _f(1e-6), "t": Param("int"),
          "bias_correction": Param("bool", True), "wd": _f(), "rescale_grad": _f(1.0), "clip_gradient": _f(NO_CLIP)}
_LAMB2 = {"lr": _f(), "lower_bound": _f(NO_CLIP), "upper_bound": _f(NO_CLIP)}


@register
class lamb_update_phase1(UpdateOp):
    """LAMB phase 1: updates ``mean``/``var`` and returns the direction ``g`` (not the weight)."""
    inputs = ("weight", "grad", "mean", "var")
    params = _LAMB1

    def kernel(self, p, a, out):
        K.lamb_phase1(a[0], a[1], a[2], a[3], out, p.beta1, p.beta2, p.epsilon, p.t, p.bias_correction, p.wd,
                      p.rescale_grad, p.clip_gradient)


@register
class mp_lamb_update_phase1(UpdateOp):
    """LAMB phase 1 on the float32 master copy; returns the float32 direction ``g``."""
    inputs = ("weight", "grad", "mean", "var", "weight32")
    params = _LAMB1
    float32_inputs = ("mean", "var", "weight32")

    def infer_type(self, p, dtypes):
        ins, _ = super().infer_type(p, dtypes)
        return ins, [F32]

    def forward(self, p, inputs, is_train, out=None):
        dst = np.empty(inputs[0].shape, F32)
        K.lamb_phase1(inputs[4], inputs[1], inputs[2], inputs[3], dst, p.beta1, p.beta2, p.epsilon, p.t,
                      p.bias_correction, p.wd, p.rescale_grad, p.clip_gradient)
        return [dst], None


class _LambPhase2(UpdateOp):
    scalar_inputs = ("r1", "r2")

    def norms(self, a):
        return _scale_value(self.name, a[2]), _scale_value(self.name, a[3])


@register
class lamb_update_phase2(_LambPhase2):
    """LAMB phase 2: ``w -= lr * trust_ratio(r1 = ||w||, r2 = ||g||) * g``."""
    inputs = ("weight", "g", "r1", "r2")
    params = _LAMB2

    def kernel(self, p, a, out):
        K.lamb_phase2(a[0], a[1], *self.norms(a), out, p.lr, p.lower_bound, p.upper_bound)


@register
class mp_lamb_update_phase2(_LambPhase2):
    """LAMB phase 2 from the float32 master copy into the weight (MXNet leaves the copy itself unchanged)."""
    inputs = ("weight", "g", "r1", "r2", "weight32")
    params = _LAMB2
    float32_inputs = ("g", "r1", "r2", "weight32")

    def kernel(self, p, a, out):
        K.lamb_phase2(a[4], a[1], *self.norms(a), out, p.lr, p.lower_bound, p.upper_bound)


from . import optimizer_multi  # noqa: E402,F401  (the multi-tensor and utility ops register there)
