"""``mx.np.linalg`` decompositions and solvers as registry ops (MXNet's ``_npi_cholesky``, ``_npi_solve``,
``_npi_slogdet``, ``_npi_svd``, ``_npi_pinv``, ``_npi_eigh``, ``_npi_eigvalsh``, ``_npi_eig``, ``_npi_eigvals``,
``_npi_tensorinv``, ``_npi_tensorsolve``), batched over leading axes, with their matrix-calculus gradients
(eig/eigvals have none, as in MXNet).

Examples
--------
>>> from ssdkit.ops import get_op
>>> op = get_op("_npi_cholesky")
>>> (L,), saved = op.forward(op.parse_params({}), [np.array([[4., 2.], [2., 5.]])], True)
>>> L
array([[2., 0.],
       [1., 2.]])
"""
import numpy as np

from ..base import MXNetError, ShapeError
from .registry import Op, Param, register

__all__ = []


def _t(m):
    return np.swapaxes(m, -1, -2)


def _shape_rule(rule):
    """An ``infer_shape`` from ``rule(p, *input_shapes) -> output shapes`` (the default rule would run forward
    on zeros, which are singular)."""
    def infer_shape(self, p, shapes):
        if any(s is None for s in shapes):
            return shapes, [None] * self.output_count(p)
        return shapes, [tuple(o) for o in rule(p, *[tuple(s) for s in shapes])]
    return infer_shape


def _linalg(name, fn, *args):
    try:
        with np.errstate(all="ignore"):
            return fn(*args)
    except np.linalg.LinAlgError as err:
        raise MXNetError(f"linalg.{name}: {err} (input shapes {[np.shape(a) for a in args]})") from None


@register
class _npi_cholesky(Op):
    """``np.linalg.cholesky``: the lower factor ``L`` of a symmetric positive-definite ``A = L L^T``."""
    infer_shape = _shape_rule(lambda p, a: [a])
    inputs = ("A",)

    def forward(self, p, inputs, is_train):
        a = inputs[0]
        if a.size == 0:
            return [a.copy()], (a, a)
        # the symmetric part (the input itself when symmetric, as cholesky requires): the gradient is then
        # MXNet's symmetric one for every direction
        L = _linalg("cholesky", np.linalg.cholesky, 0.5 * (a + _t(a))).astype(a.dtype)
        return [L], (a, L)

    def backward(self, p, saved, out_grads):
        a, L = saved
        if a.size == 0:
            return [np.zeros_like(a)]
        L64, g = L.astype(np.float64), np.asarray(out_grads[0], np.float64)
        inv = np.linalg.inv(L64)
        m = _t(L64) @ g
        lower = np.tril(m)  # copy the strict lower triangle to the upper one (Murray's Phi, symmetric form)
        sym = lower + _t(np.tril(m, -1))
        return [(0.5 * _t(inv) @ sym @ inv).astype(a.dtype)]


@register
class _npi_solve(Op):
    """``np.linalg.solve(a, b)``: ``x`` with ``a x = b``; ``b`` is a stack of vectors when it has one axis less."""
    infer_shape = _shape_rule(lambda p, a, b: [b])
    inputs = ("a", "b")

    def forward(self, p, inputs, is_train):
        a, b = inputs
        vector = b.ndim == a.ndim - 1
        x = _linalg("solve", np.linalg.solve, a, b[..., None] if vector else b)
        x = (x[..., 0] if vector else x).astype(np.result_type(a, b))
        return [x], (a, b, x, vector)

    def backward(self, p, saved, out_grads):
        a, b, x, vector = saved
        g = np.asarray(out_grads[0], np.float64)
        gb = np.linalg.solve(_t(a.astype(np.float64)), g[..., None] if vector else g)
        gb = gb[..., 0] if vector else gb
        ga = -(gb[..., :, None] * x[..., None, :] if vector else gb @ _t(x))
        return [ga.astype(a.dtype), gb.astype(b.dtype)]


@register
class _npi_slogdet(Op):
    """``np.linalg.slogdet``: the sign and ``log|det|`` (only the latter has a gradient, ``inv(a)^T``)."""
    infer_shape = _shape_rule(lambda p, a: [a[:-2], a[:-2]])
    inputs = ("A",)
    num_outputs = 2

    def forward(self, p, inputs, is_train):
        a = inputs[0]
        sign, logdet = np.linalg.slogdet(a)
        return [np.asarray(sign, a.dtype), np.asarray(logdet, a.dtype)], a

    def backward(self, p, saved, out_grads):
        a = saved
        g = out_grads[1]
        if g is None:
            return [np.zeros_like(a)]
        inv = _linalg("slogdet", np.linalg.inv, a.astype(np.float64))
        return [(np.asarray(g)[..., None, None] * _t(inv)).astype(a.dtype)]


@register
class _npi_svd(Op):
    """``np.linalg.svd`` as MXNet's: ``(ut, l, v)`` with ``a = ut @ diag(l) @ v`` for ``a`` of shape
    ``(..., M, N)``, ``M <= N`` (``ut`` is ``(M, M)``, ``v`` is ``(M, N)``)."""
    infer_shape = _shape_rule(lambda p, a: [a[:-1] + a[-2:-1], a[:-1], a])
    inputs = ("A",)
    num_outputs = 3

    def forward(self, p, inputs, is_train):
        a = inputs[0]
        m, n = a.shape[-2:]
        if m > n:
            raise MXNetError(f"linalg.svd: the input needs rows <= columns, got shape {a.shape}")
        if a.size == 0:
            return [np.zeros(a.shape[:-1] + (m,), a.dtype), np.zeros(a.shape[:-1], a.dtype), a.copy()], None
        u, s, vt = _linalg("svd", np.linalg.svd, a.astype(np.float64), False)
        outs = [u.astype(a.dtype), s.astype(a.dtype), vt.astype(a.dtype)]
        return outs, (a, u, s, vt)

    def backward(self, p, saved, out_grads):
        if saved is None:
            return [None]
        a, ut, s, v = saved
        m = s.shape[-1]
        gu, gs, gv = (np.zeros(x.shape) if g is None else np.asarray(g, np.float64)
                      for g, x in zip(out_grads, (ut, s, v)))
        eye = np.eye(m)
        diff = s[..., :, None] - s[..., None, :]
        summ = s[..., :, None] + s[..., None, :]
        with np.errstate(divide="ignore", invalid="ignore"):
            e = np.where(eye > 0, 0.0, 1.0 / (np.maximum(np.abs(diff), 1e-20) * np.sign(diff + (diff == 0))
                                              * np.maximum(summ, 1e-20)))
            inv_s = 1.0 / s
        g1 = (inv_s[..., :, None] * gv) @ _t(v) * s[..., None, :] + _t(gu) @ ut
        x = g1 * e
        g2 = eye * gs[..., None, :] + (x + _t(x)) * s[..., None, :] - (inv_s[..., :, None] * (gv @ _t(v))) * eye
        da = ut @ (g2 @ v + inv_s[..., :, None] * gv)
        return [da.astype(a.dtype)]


class _Pinv(Op):
    """``np.linalg.pinv``: the Moore-Penrose pseudo-inverse (singular values below ``rcond`` times the largest
    are dropped; ``hermitian`` uses the symmetric eigen-decomposition)."""
    infer_shape = _shape_rule(lambda p, a, *rcond: [a[:-2] + (a[-1], a[-2])])

    def _rcond(self, p, inputs):
        return p.rcond

    def forward(self, p, inputs, is_train):
        a, rcond = inputs[0], self._rcond(p, inputs)
        y = _linalg("pinv", np.linalg.pinv, a.astype(np.float64), rcond, p.hermitian)
        return [y.astype(a.dtype)], (a, y, [(x.shape, x.dtype) for x in inputs[1:]])

    def backward(self, p, saved, out_grads):
        a, y, others = saved
        a64, g = a.astype(np.float64), np.asarray(out_grads[0], np.float64)
        eye_m, eye_n = np.eye(a.shape[-2]), np.eye(a.shape[-1])
        ga = (-_t(y) @ g @ _t(y) + (eye_m - a64 @ y) @ _t(g) @ y @ _t(y)
              + _t(y) @ y @ _t(g) @ (eye_n - y @ a64))
        return [ga.astype(a.dtype)] + [np.zeros(shape, dtype) for shape, dtype in others]  # rcond: no gradient


@register
class _npi_pinv_scalar_rcond(_Pinv):
    """``np.linalg.pinv(A, rcond)`` with a number ``rcond``."""
    inputs = ("A",)
    params = {"rcond": Param("float", 1e-15), "hermitian": Param("bool", False)}


@register
class _npi_pinv(_Pinv):
    """``np.linalg.pinv(A, rcond)`` with an array ``rcond``, broadcast against the batch dims of ``A`` (one
    cutoff per matrix)."""
    inputs = ("A", "rcond")
    params = {"hermitian": Param("bool", False)}

    def _rcond(self, p, inputs):
        return np.asarray(inputs[1], np.float64)


class _Eigh(Op):
    """Symmetric eigen-decomposition from the ``UPLO`` triangle; eigenvalues ascending."""
    inputs = ("A",)
    params = {"UPLO": Param("str", "L", ("L", "U"))}

    def _decompose(self, p, a):
        w, v = _linalg("eigh", np.linalg.eigh, a.astype(np.float64), p.UPLO)
        return w, v

    def _grad(self, p, a, w, v, gw, gv):
        diff = w[..., None, :] - w[..., :, None]
        with np.errstate(divide="ignore"):
            f = np.where(np.abs(diff) > 0, 1.0 / np.where(diff == 0, 1.0, diff), 0.0)
        inner = (gw[..., :, None] * np.eye(w.shape[-1])) + f * (_t(v) @ gv)
        ga = v @ inner @ _t(v)
        ga = np.tril(ga) + _t(np.triu(ga, 1)) if p.UPLO == "L" else np.triu(ga) + _t(np.tril(ga, -1))
        return (np.tril(ga) if p.UPLO == "L" else np.triu(ga)).astype(a.dtype)


@register
class _npi_eigh(_Eigh):
    """``np.linalg.eigh``: eigenvalues (ascending) and eigenvectors (columns) of a symmetric matrix."""
    infer_shape = _shape_rule(lambda p, a: [a[:-1], a])
    num_outputs = 2

    def forward(self, p, inputs, is_train):
        a = inputs[0]
        w, v = self._decompose(p, a)
        return [w.astype(a.dtype), v.astype(a.dtype)], (a, w, v)

    def backward(self, p, saved, out_grads):
        a, w, v = saved
        gw = np.zeros(w.shape) if out_grads[0] is None else np.asarray(out_grads[0], np.float64)
        gv = np.zeros(v.shape) if out_grads[1] is None else np.asarray(out_grads[1], np.float64)
        return [self._grad(p, a, w, v, gw, gv)]


@register
class _npi_eigvalsh(_Eigh):
    """``np.linalg.eigvalsh``: the eigenvalues (ascending) of a symmetric matrix."""
    infer_shape = _shape_rule(lambda p, a: [a[:-1]])

    def forward(self, p, inputs, is_train):
        a = inputs[0]
        w, v = self._decompose(p, a)
        return [w.astype(a.dtype)], (a, w, v)

    def backward(self, p, saved, out_grads):
        a, w, v = saved
        return [self._grad(p, a, w, v, np.asarray(out_grads[0], np.float64), np.zeros(v.shape))]


def _real_eig(a, values_only):
    w, v = _linalg("eig", np.linalg.eig, a.astype(np.float64))
    if np.iscomplexobj(w) and np.any(np.abs(np.imag(w)) > 1e-8 * np.maximum(1.0, np.abs(w))):
        raise MXNetError("linalg.eig: the matrix has complex eigenvalues, which MXNet's real eig does not return")
    return np.real(w).astype(a.dtype), None if values_only else np.real(v).astype(a.dtype)


@register
class _npi_eig(Op):
    """``np.linalg.eig`` of a real matrix with real eigenvalues: ``(w, v)`` (no gradient, as in MXNet)."""
    infer_shape = _shape_rule(lambda p, a: [a[:-1], a])
    inputs = ("A",)
    num_outputs = 2
    differentiable = False

    def forward(self, p, inputs, is_train):
        w, v = _real_eig(inputs[0], False)
        return [w, v], inputs[0].shape

    def backward(self, p, saved, out_grads):
        return [np.zeros(saved)]


@register
class _npi_eigvals(Op):
    """``np.linalg.eigvals`` of a real matrix with real eigenvalues (no gradient, as in MXNet)."""
    infer_shape = _shape_rule(lambda p, a: [a[:-1]])
    inputs = ("A",)
    differentiable = False

    def forward(self, p, inputs, is_train):
        return [_real_eig(inputs[0], True)[0]], inputs[0].shape

    def backward(self, p, saved, out_grads):
        return [np.zeros(saved)]


@register
class _npi_tensorinv(Op):
    """``np.linalg.tensorinv``: the inverse over the first ``ind`` axes (as a matrix of their sizes)."""
    infer_shape = _shape_rule(lambda p, a: [a[p.ind:] + a[:p.ind]])
    inputs = ("a",)
    params = {"ind": Param("int", 2)}

    def forward(self, p, inputs, is_train):
        a = inputs[0]
        rows, cols = a.shape[:p.ind], a.shape[p.ind:]
        if int(np.prod(rows)) != int(np.prod(cols)):
            raise MXNetError(f"linalg.tensorinv: the first {p.ind} axes of shape {a.shape} must have as many "
                             f"elements as the others")
        inv = _linalg("tensorinv", np.linalg.inv, a.reshape(int(np.prod(rows)), -1).astype(np.float64))
        return [inv.reshape(cols + rows).astype(a.dtype)], (a, inv)

    def backward(self, p, saved, out_grads):
        a, inv = saved
        g = np.asarray(out_grads[0], np.float64).reshape(inv.shape)
        return [(-_t(inv) @ g @ _t(inv)).reshape(a.shape).astype(a.dtype)]


def _tensorsolve_shape(p, a, b):
    """MXNet's rule: a 0-d ``a`` or ``b`` needs a one-element other operand (the result takes ``b``'s shape when
    both are 0-d, else ``a``'s); otherwise the leading ``b.ndim`` dims of the reordered ``a`` (``b.ndim - a.ndim``
    when ``a`` has no more dims than ``b``) multiply to ``b.size`` and to the product of the rest, the result."""
    a, b = tuple(a), tuple(b)
    if not a or not b:
        if int(np.prod(b if not a else a)) != 1:
            raise ShapeError(f"linalg.tensorsolve: a of shape {a} does not match b of shape {b}")
        return b if not a and not b else a
    if p.a_axes:
        axes = [x % len(a) for x in p.a_axes]
        a = tuple(d for i, d in enumerate(a) if i not in axes) + tuple(a[x] for x in axes)
    lead = len(b) if len(a) > len(b) else len(b) - len(a)
    if int(np.prod(a[:lead])) != int(np.prod(a[lead:])) or int(np.prod(a[lead:])) != int(np.prod(b)):
        raise ShapeError(f"linalg.tensorsolve: a of shape {a} (axes moved) does not match b of shape {b}")
    return a[lead:]


@register
class _npi_tensorsolve(Op):
    """``np.linalg.tensorsolve(a, b, axes)``: ``x`` with ``tensordot(a, x, x.ndim) = b`` (``axes`` of ``a`` moved
    to the end first), with MXNet's shape rule (:func:`_tensorsolve_shape`)."""
    infer_shape = _shape_rule(lambda p, a, b: [_tensorsolve_shape(p, a, b)])
    inputs = ("a", "b")
    params = {"a_axes": Param("shape", None)}

    def forward(self, p, inputs, is_train):
        a, b = inputs
        x_shape = _tensorsolve_shape(p, a.shape, b.shape)
        if p.a_axes and a.ndim:
            rest = [i for i in range(a.ndim) if i not in [x % a.ndim for x in p.a_axes]]
            a = np.transpose(a, rest + [x % a.ndim for x in p.a_axes])
        n = b.size
        mat = a.reshape(n, n).astype(np.float64)
        x = _linalg("tensorsolve", np.linalg.solve, mat, b.reshape(n).astype(np.float64))
        return [x.reshape(x_shape).astype(np.result_type(*inputs))], (inputs[0], a, mat, x, b)

    def backward(self, p, saved, out_grads):
        a_in, a_moved, mat, x, b = saved
        g = np.asarray(out_grads[0], np.float64).reshape(-1)
        gb = np.linalg.solve(mat.T, g)
        gmat = -np.outer(gb, x).reshape(a_moved.shape)
        if p.a_axes and a_in.ndim:
            axes = [x % a_in.ndim for x in p.a_axes]
            order = [i for i in range(a_in.ndim) if i not in axes] + axes
            gmat = np.transpose(gmat, np.argsort(order))
        return [gmat.astype(a_in.dtype), gb.reshape(b.shape).astype(b.dtype)]
