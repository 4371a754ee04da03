"""The arithmetic of MXNet 1.9.1's optimizer update kernels (``src/operator/optimizer_op-inl.h`` and
``contrib/adamw``, ``multi_lamb``, ``multi_lars``), one numpy function per kernel.

Every function updates its state arrays in place and writes the new weight into ``out`` (which may be the weight
itself, as when an optimizer calls ``sgd_update(w, g, out=w)``). Scalar parameters are float32 in MXNet's
parameter structs and are cast to the kernel's type (the weight's dtype; float32 for the mixed-precision
``mp_*`` kernels), and the expressions keep the kernels' order of operations, so float32 results match MXNet's
bit for bit up to libm differences. ``clip_gradient < 0`` means no clipping, as in the kernels.

These functions are the one implementation: the registry ops of :mod:`ssdkit.ops.optimizer_ops` call them, and
the optimizers of :mod:`ssdkit.optimizer` call those ops.

Examples
--------
>>> w, g = np.array([1.0, 2.0], np.float32), np.array([0.5, -0.5], np.float32)
>>> sgd(w, g, w, lr=0.1, wd=0.0, rescale_grad=1.0, clip_gradient=-1.0)
array([0.95, 2.05], dtype=float32)
"""
import numpy as np

__all__ = ["scalars", "clipped", "sgd", "sgd_mom", "mp_sgd", "mp_sgd_mom", "nag_mom", "mp_nag_mom", "adam",
           "adamw", "mp_adamw", "rmsprop", "rmspropalex", "ftml", "ftrl", "signsgd", "signum", "lamb_phase1",
           "lamb_phase2", "multi_sgd", "multi_adamw", "multi_lamb", "multi_lars", "sum_sq"]

F32 = np.dtype(np.float32)


def scalars(dtype, *values):
    """MXNet's float32 parameters cast to the kernel type ``dtype`` (numpy scalars).

    Examples
    --------
    >>> bool(scalars(np.float64, 0.1)[0] == np.float64(np.float32(0.1)))
    True
    """
    kind = np.dtype(dtype).type
    return [kind(np.float32(v)) for v in values]


def clipped(x, bound):
    """``x`` clipped to ``[-bound, bound]`` in place when ``bound >= 0`` (mshadow's ``clip``); NaN stays NaN.

    Examples
    --------
    >>> clipped(np.array([3.0, -0.5, -4.0]), 1.0)
    array([ 1. , -0.5, -1. ])
    """
    if bound >= 0:
        np.clip(x, -bound, bound, out=x)
    return x


def sgd(weight, grad, out, lr, wd, rescale_grad, clip_gradient):
    """``out = (1 - lr wd) w - lr clip(rescale grad)`` (``sgd_update``)."""
    lr, wd, rg, cg = scalars(weight.dtype, lr, wd, rescale_grad, clip_gradient)
    one = weight.dtype.type(1)
    if cg >= 0:
        out[...] = (one - lr * wd) * weight - lr * clipped(rg * grad, cg)
    else:
        out[...] = (one - lr * wd) * weight - (lr * rg) * grad
    return out


def _mom_step(step, momentum, mom, lr, wd, w, grad, rg, cg):
    """``step = momentum mom - lr wd w - lr clip(rescale grad)`` (``mom`` None: 0), the momentum update shared by
    the SGD kernels, written into ``step`` (which may be ``mom``) in the kernels' order of operations with one
    temporary."""
    term = np.multiply(w, lr * wd)
    if mom is None:
        np.negative(term, out=step)   # 0 * 0 - x is -x exactly
    else:
        np.multiply(mom, momentum, out=step)
        step -= term
    if cg >= 0:
        clipped(np.multiply(grad, rg, out=term), cg)
        term *= lr
    else:
        np.multiply(grad, lr * rg, out=term)
    step -= term
    return step


def sgd_mom(weight, grad, mom, out, lr, momentum, wd, rescale_grad, clip_gradient):
    """``mom = momentum mom - lr wd w - lr clip(rescale grad)``; ``out = w + mom`` (``sgd_mom_update``)."""
    lr, momentum, wd, rg, cg = scalars(weight.dtype, lr, momentum, wd, rescale_grad, clip_gradient)
    _mom_step(mom, momentum, mom, lr, wd, weight, grad, rg, cg)
    np.add(weight, mom, out=out)
    return out


def mp_sgd(weight, grad, weight32, out, lr, wd, rescale_grad, clip_gradient):
    """:func:`sgd` on the float32 master copy ``weight32``; ``out`` gets the copy in the weight's dtype."""
    lr, wd, rg, cg = scalars(F32, lr, wd, rescale_grad, clip_gradient)
    g32 = grad.astype(F32)
    if cg >= 0:
        weight32[...] = (np.float32(1) - lr * wd) * weight32 - lr * clipped(rg * g32, cg)
    else:
        weight32[...] = (np.float32(1) - lr * wd) * weight32 - (lr * rg) * g32
    out[...] = weight32
    return out


def mp_sgd_mom(weight, grad, mom, weight32, out, lr, momentum, wd, rescale_grad, clip_gradient):
    """:func:`sgd_mom` on the float32 master copy (``mom`` is float32 too)."""
    lr, momentum, wd, rg, cg = scalars(F32, lr, momentum, wd, rescale_grad, clip_gradient)
    _mom_step(mom, momentum, mom, lr, wd, weight32, grad.astype(F32, copy=False), rg, cg)
    weight32 += mom
    out[...] = weight32
    return out


def nag_mom(weight, grad, mom, out, lr, momentum, wd, rescale_grad, clip_gradient):
    """Nesterov momentum (``nag_mom_update``). As MXNet's kernel, the momentum's decay term reads ``weight``
    after ``out`` was written: the new weight when ``out`` is the weight (in place), the old one otherwise."""
    lr, momentum, wd, rg, cg = scalars(weight.dtype, lr, momentum, wd, rescale_grad, clip_gradient)
    g = clipped(np.multiply(grad, rg), cg)
    mom *= momentum
    _nag_step(weight, g, mom, out, lr, momentum, wd)
    return out


def _nag_step(w, g, mom, out, lr, momentum, wd):
    """``out = w - mom + (momentum + 1)(mom - lr (g + wd w))``, then ``mom -= lr (g + wd w)`` reading ``w``
    again (the new weight when ``out`` is ``w``), in the kernels' order of operations."""
    term = np.multiply(w, wd)
    term += g
    term *= lr
    ahead = np.subtract(mom, term)
    ahead *= momentum + w.dtype.type(1)
    np.subtract(w, mom, out=term)
    term += ahead
    out[...] = term
    np.multiply(w, wd, out=term)
    term += g
    term *= lr
    mom -= term


def mp_nag_mom(weight, grad, mom, weight32, out, lr, momentum, wd, rescale_grad, clip_gradient):
    """:func:`nag_mom` on the float32 master copy; the momentum's decay term reads the updated copy."""
    lr, momentum, wd, rg, cg = scalars(F32, lr, momentum, wd, rescale_grad, clip_gradient)
    g = clipped(np.multiply(grad.astype(F32, copy=False), rg), cg)
    mom *= momentum
    _nag_step(weight32, g, mom, weight32, lr, momentum, wd)
    out[...] = weight32
    return out


def adam(weight, grad, mean, var, out, lr, beta1, beta2, epsilon, wd, rescale_grad, clip_gradient):
    """``g = clip(rescale grad + wd w)``; Adam moments; ``out = w - lr mean / (sqrt(var) + eps)`` (the bias
    correction is folded into ``lr`` by the optimizer)."""
    dt = weight.dtype
    lr, b1, b2, eps, wd, rg, cg = scalars(dt, lr, beta1, beta2, epsilon, wd, rescale_grad, clip_gradient)
    one = dt.type(1)
    g = np.multiply(grad, rg)
    term = np.multiply(weight, wd)
    g += term
    clipped(g, cg)
    mean *= b1                                   # b1 mean + (1 - b1) g
    mean += np.multiply(g, one - b1, out=term)
    var *= b2                                    # b2 var + ((1 - b2) g) g
    np.multiply(g, one - b2, out=term)
    term *= g
    var += term
    np.sqrt(var, out=term)                       # w - (lr mean) / (sqrt(var) + eps)
    term += eps
    np.multiply(mean, lr, out=g)
    g /= term
    np.subtract(weight, g, out=out)
    return out


def _adamw_moments(mean, var, g, b1, b2):
    one = mean.dtype.type(1)
    mean[...] = b1 * mean + (one - b1) * g
    var[...] = b2 * var + (one - b2) * np.square(g)


def adamw(weight, grad, mean, var, out, rescale, lr, beta1, beta2, epsilon, wd, eta, clip_gradient):
    """Decoupled weight decay Adam (``_adamw_update``): ``out = w - eta (lr mean / (sqrt(var) + eps) + wd w)``;
    like MXNet's kernel it leaves ``grad`` rescaled and clipped. Nothing changes when ``rescale`` (an array in MXNet) is 0 or not finite — the loss-scaling skip."""
    if not np.isfinite(rescale) or rescale == 0:
        return out
    dt = weight.dtype
    lr, b1, b2, eps, wd, eta, cg, rg = scalars(dt, lr, beta1, beta2, epsilon, wd, eta, clip_gradient, rescale)
    grad *= rg   # MXNet's kernel rescales and clips the gradient array itself
    g = clipped(grad, cg)
    _adamw_moments(mean, var, g, b1, b2)
    out[...] = weight - eta * (lr * mean / (np.sqrt(var) + eps) + wd * weight)
    return out


def mp_adamw(weight, grad, mean, var, weight32, out, rescale, lr, beta1, beta2, epsilon, wd, eta, clip_gradient):
    """:func:`adamw` on the float32 master copy (``mean``/``var`` float32)."""
    if not np.isfinite(rescale) or rescale == 0:
        return out
    lr, b1, b2, eps, wd, eta, cg, rg = scalars(F32, lr, beta1, beta2, epsilon, wd, eta, clip_gradient, rescale)
    g = clipped(rg * grad.astype(F32), cg)
    _adamw_moments(mean, var, g, b1, b2)
    weight32[...] = weight32 - eta * (lr * mean / (np.sqrt(var) + eps) + wd * weight32)
    out[...] = weight32
    return out


def rmsprop(weight, grad, n, out, lr, gamma1, epsilon, wd, rescale_grad, clip_gradient, clip_weights):
    """Tieleman & Hinton's RMSProp (``rmsprop_update``)."""
    dt = weight.dtype
    lr, g1, eps, wd, rg, cg, cw = scalars(dt, lr, gamma1, epsilon, wd, rescale_grad, clip_gradient, clip_weights)
    g = np.multiply(grad, rg)
    term = np.multiply(weight, wd)
    g += term
    clipped(g, cg)
    np.multiply(g, g, out=term)                  # (1 - g1) g^2 + g1 n
    term *= dt.type(1) - g1
    n *= g1
    n += term
    np.add(n, eps, out=term)                     # w - lr (g / sqrt(n + eps))
    np.sqrt(term, out=term)
    np.divide(g, term, out=term)
    term *= lr
    np.subtract(weight, term, out=out)
    clipped(out, cw)
    return out


def rmspropalex(weight, grad, n, gm, delta, out, lr, gamma1, gamma2, epsilon, wd, rescale_grad, clip_gradient,
                clip_weights):
    """Graves' centered RMSProp (``rmspropalex_update``): ``gm`` is the running mean gradient."""
    dt = weight.dtype
    lr, g1, g2, eps, wd, rg, cg, cw = scalars(dt, lr, gamma1, gamma2, epsilon, wd, rescale_grad, clip_gradient,
                                              clip_weights)
    one = dt.type(1)
    g = clipped(rg * grad + wd * weight, cg)
    n[...] = (one - g1) * g * g + g1 * n
    gm[...] = (one - g1) * g + g1 * gm
    with np.errstate(invalid="ignore"):   # a negative variance estimate gives NaN, silently as in MXNet
        delta[...] = g2 * delta - lr * g / np.sqrt(n - gm * gm + eps)
    out[...] = clipped(weight + delta, cw)
    return out


def ftml(weight, grad, d, v, z, out, lr, beta1, beta2, epsilon, t, wd, rescale_grad, clip_grad):
    """Follow the Moving Leader (``ftml_update``)."""
    dt = weight.dtype
    lr, b1, b2, eps, t, wd, rg, cg = scalars(dt, lr, beta1, beta2, epsilon, t, wd, rescale_grad, clip_grad)
    one = dt.type(1)
    g = clipped(rg * grad + wd * weight, cg)
    v[...] = b2 * v + (one - b2) * np.square(g)
    d_t = (one - np.power(b1, t)) / lr * (np.sqrt(v / (one - np.power(b2, t))) + eps)
    z[...] = b1 * z + (one - b1) * g - (d_t - b1 * d) * weight
    d[...] = d_t
    out[...] = -z / d_t
    return out


def ftrl(weight, grad, z, n, out, lr, lamda1, beta, wd, rescale_grad, clip_gradient):
    """FTRL-Proximal (``ftrl_update``)."""
    dt = weight.dtype
    lr, l1, beta, wd, rg, cg = scalars(dt, lr, lamda1, beta, wd, rescale_grad, clip_gradient)
    g = clipped(grad * rg, cg)
    z += g - (np.sqrt(n + np.square(g)) - np.sqrt(n)) * weight / lr
    n += np.square(g)
    out[...] = (np.sign(z) * l1 - z) / ((beta + np.sqrt(n)) / lr + wd) * (np.abs(z) > l1).astype(dt)
    return out


def signsgd(weight, grad, out, lr, wd, rescale_grad, clip_gradient):
    """``out = (1 - lr wd) w - lr sign(grad)`` (rescaling and clipping have no effect, as in MXNet)."""
    lr, wd = scalars(weight.dtype, lr, wd)
    out[...] = (weight.dtype.type(1) - lr * wd) * weight - lr * np.sign(grad).astype(weight.dtype)
    return out


def signum(weight, grad, mom, out, lr, momentum, wd, rescale_grad, clip_gradient, wd_lh):
    """Signum (``signum_update``): ``out = (1 - lr wd_lh) w + lr sign(mom)``."""
    dt = weight.dtype
    lr, m, wd, rg, cg, wd_lh = scalars(dt, lr, momentum, wd, rescale_grad, clip_gradient, wd_lh)
    one = dt.type(1)
    if cg >= 0:
        mom[...] = m * mom - (one - m) * wd * weight - (one - m) * clipped(rg * grad, cg)
    else:
        mom[...] = m * mom - (one - m) * wd * weight - (one - m) * rg * grad
    out[...] = (one - lr * wd_lh) * weight + lr * np.sign(mom).astype(dt)
    return out


def lamb_phase1(weight, grad, mean, var, out, beta1, beta2, epsilon, t, bias_correction, wd, rescale_grad,
                clip_gradient):
    """LAMB's direction ``g = mean_hat / (sqrt(var_hat) + eps) + wd w`` into ``out`` (moments in place);
    ``weight`` is the float32 master copy in the mixed-precision op."""
    dt = out.dtype
    b1, b2, eps, wd, rg, cg = scalars(dt, beta1, beta2, epsilon, wd, rescale_grad, clip_gradient)
    one = dt.type(1)
    g = clipped(grad.astype(dt) * rg, cg)
    mean[...] = b1 * mean + (one - b1) * g
    var[...] = b2 * var + (one - b2) * g * g
    if bias_correction:
        # the kernel's mixed types: pow in double cast to the kernel type, mean divided in double, var not
        b1_t = dt.type(float(np.float32(beta1)) ** t)
        b2_t = dt.type(float(np.float32(beta2)) ** t)
        m_hat = (mean.astype(np.float64) / (1.0 - float(b1_t))).astype(dt)
        v_hat = var / (one - b2_t)
        out[...] = m_hat / (np.sqrt(v_hat) + eps) + wd * weight
    else:
        out[...] = mean / (np.sqrt(var) + eps) + wd * weight
    return out


def _trust_ratio(r1, r2, lower_bound, upper_bound):
    """``r1 / r2`` with ``r1`` bounded (bounds < 0 are off); 1 when either norm is 0."""
    if lower_bound >= 0:
        r1 = max(r1, np.float32(lower_bound))
    if upper_bound >= 0:
        r1 = min(r1, np.float32(upper_bound))
    return np.float32(1) if r1 == 0 or r2 == 0 else r1 / r2


def lamb_phase2(weight, g, r1, r2, out, lr, lower_bound, upper_bound):
    """``out = weight - lr * ratio * g`` with LAMB's trust ratio from the norms ``r1`` (weight), ``r2`` (g);
    ``weight`` is the float32 master copy in the mixed-precision op (which leaves that copy unchanged)."""
    dt = g.dtype
    ratio = _trust_ratio(dt.type(r1), dt.type(r2), lower_bound, upper_bound)
    out[...] = weight - (dt.type(np.float32(lr)) * ratio) * g
    return out


def multi_sgd(weight, grad, mom, weight32, out, lr, wd, momentum, rescale_grad, clip_gradient):
    """One tensor of the multi-tensor SGD kernels (``multi_*sgd*_update``, ``preloaded_multi_*``): the
    momentum form with ``mom = 0`` when there is none, in float32 with a master copy ``weight32``."""
    dt = F32 if weight32 is not None else weight.dtype
    lr, wd, m, rg, cg = scalars(dt, lr, wd, momentum, rescale_grad, clip_gradient)
    w = weight32 if weight32 is not None else weight
    step = mom if mom is not None else np.empty(w.shape, dt)
    _mom_step(step, m, mom, lr, wd, w, grad.astype(dt, copy=False), rg, cg)
    if weight32 is not None:
        weight32 += step
        out[...] = weight32
    else:
        np.add(w, step, out=out)
    return out


def multi_adamw(weight, grad, mean, var, weight32, out, rescale, lr, beta1, beta2, epsilon, wd, eta,
                clip_gradient):
    """One tensor of ``_multi_adamw_update`` / ``_multi_mp_adamw_update`` (the kernel's interpolation form of
    the moments: ``mean = b1 (mean - g) + g``)."""
    dt = F32 if weight32 is not None else weight.dtype
    lr, b1, b2, eps, wd, eta, cg, rg = scalars(dt, lr, beta1, beta2, epsilon, wd, eta, clip_gradient, rescale)
    g = clipped(rg * grad.astype(dt), cg)
    square = np.square(g)
    mean[...] = b1 * (mean - g) + g
    var[...] = b2 * (var - square) + square
    w = weight32 if weight32 is not None else weight
    new = w - eta * (lr * mean / (np.sqrt(var) + eps) + wd * w)
    if weight32 is not None:
        weight32[...] = new
    out[...] = new
    return out


def sum_sq(x):
    """``sum(x * x)`` accumulated in float32 element by element, as MXNet's CPU ``multi_sum_sq``.

    Examples
    --------
    >>> float(sum_sq(np.array([3.0, 4.0], np.float32)))
    25.0
    """
    flat = np.ravel(x)
    if flat.size == 0:
        return np.float32(0)
    squares = (flat * flat).astype(F32, copy=False)
    return np.cumsum(squares, dtype=F32)[-1]


def multi_lamb(weight, grad, mean, var, weight32, out, lr, wd, step, beta1, beta2, epsilon, rescale_grad,
               lower_bound, upper_bound, clip_gradient, bias_correction):
    """One tensor of ``_multi_lamb_update`` / ``_multi_mp_lamb_update``: phase 1 and 2 fused, the weight norm
    taken of ``weight`` (not the master copy), as the kernel."""
    dt = F32 if weight32 is not None else weight.dtype
    b1, b2, eps, rg, cg, lr, wd = scalars(dt, beta1, beta2, epsilon, rescale_grad, clip_gradient, lr, wd)
    one = dt.type(1)
    w = weight32 if weight32 is not None else weight
    g = clipped(np.multiply(grad.astype(dt, copy=False), rg), cg)
    term = np.multiply(g, one - b1)
    mean *= b1                                   # b1 mean + (1 - b1) g
    mean += term
    np.multiply(g, one - b2, out=term)           # b2 var + ((1 - b2) g) g
    term *= g
    var *= b2
    var += term
    # direction = mean_hat / (sqrt(var_hat) + eps) + wd w, built in g (no longer needed) and term
    if bias_correction:
        np.divide(var, one - np.power(b2, dt.type(step)), out=term)
        np.divide(mean, one - np.power(b1, dt.type(step)), out=g)
    else:
        term[...] = var
        g[...] = mean
    np.sqrt(term, out=term)
    term += eps
    g /= term
    g += np.multiply(w, wd, out=term)
    r1 = np.sqrt(sum_sq(weight))
    r2 = np.sqrt(sum_sq(g))
    ratio = _trust_ratio(r1, r2, lower_bound, upper_bound)
    g *= lr * dt.type(ratio)
    if weight32 is not None:
        weight32 -= g
        out[...] = weight32
    else:
        np.subtract(w, g, out=out)
    return out


def multi_lars(lrs, weights_sum_sq, grads_sum_sq, wds, eta, eps, rescale_grad):
    """Layer-wise learning rates of LARS (``multi_lars``): ``lr eta |w| / (|g| rescale + wd |w| + eps)`` where
    both norms are positive, else ``lr`` (all float32).

    Examples
    --------
    >>> multi_lars(np.float32([0.1]), np.float32([4.0]), np.float32([1.0]), np.float32([0.0]), 1.0, 0.0, 1.0)
    array([0.2], dtype=float32)
    """
    eta, eps, rg = scalars(F32, eta, eps, rescale_grad)
    w_norm = np.sqrt(weights_sum_sq.astype(F32))
    valid = (w_norm > 0) & (grads_sum_sq > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        scaled = lrs * eta * w_norm / (np.sqrt(grads_sum_sq) * rg + wds * w_norm + eps)
    return np.where(valid, scaled, lrs).astype(F32)
