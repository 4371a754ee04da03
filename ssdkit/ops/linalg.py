"""MXNet's ``linalg`` operators on batches of matrices (the last two axes): products (gemm, gemm2, trmm, trsm,
syrk), factorizations (potrf, potri, gelqf, syevd), determinants (det, slogdet, inverse, sumlogdiag) and the
diagonal / triangle packers (extractdiag, makediag, extracttrian, maketrian), each with its gradient.

The backward formulas follow MXNet 1.9.1's ``la_op-inl.h`` (the same symmetrizations, the same zeroed
triangles), so gradients agree with MXNet's also where the mathematical gradient is not unique.

Examples
--------
>>> from ssdkit.ops import get_op
>>> op = get_op("_linalg_potrf")
>>> (L,), _ = op.forward(op.parse_params({}), [np.array([[4., 2.], [2., 5.]])], False)
>>> L
array([[2., 0.],
       [1., 2.]])
"""
import numpy as np

from ..base import MXNetError, ShapeError
from .registry import Op, Param, register

__all__ = ["trian_indices"]


def _t(x):
    return np.swapaxes(x, -1, -2)


def _square(op_name, operand, shape):
    if shape is None:
        return
    if len(shape) < 2 or shape[-1] != shape[-2]:
        raise ShapeError(f"{op_name}: {operand} must be a (batch of) square matrices, got shape {tuple(shape)}")


def _matrices(op_name, operand, shape):
    if shape is not None and len(shape) < 2:
        raise ShapeError(f"{op_name}: {operand} must have at least 2 dimensions, got shape {tuple(shape)}")


def _tri(x, lower):
    return np.tril(x) if lower else np.triu(x)


def _solve_tri(t, b, lower):
    """``t^{-1} b`` for a (batch of) triangular ``t`` (only its ``lower`` or upper triangle is read)."""
    from scipy.linalg import solve_triangular
    out = np.empty(np.broadcast_shapes(t.shape[:-2], b.shape[:-2]) + b.shape[-2:], np.result_type(t, b))
    tb = np.broadcast_to(t, out.shape[:-2] + t.shape[-2:])
    bb = np.broadcast_to(b, out.shape)
    for i in np.ndindex(out.shape[:-2]):
        out[i] = solve_triangular(tb[i], bb[i], lower=lower)
    return out


def _sym_from(m, lower):
    """Copy the ``lower`` (or upper) triangle onto the opposite side: MXNet's CopyTriangularToOppositeSide."""
    keep = np.tril(m) if lower else np.triu(m)
    return keep + _t(np.tril(m, -1) if lower else np.triu(m, 1))


class _LinalgOp(Op):
    """Shared dtype rule: linalg ops compute in the input's float dtype."""

    def infer_shape(self, p, shapes):
        if any(s is None for s in shapes):
            return shapes, [None] * self.output_count(p)
        return shapes, self.shapes(p, shapes)


def _move_rows(x, axis):
    return x if axis in (-2, x.ndim - 2) else np.moveaxis(x, axis, -2)


def _unmove_rows(x, axis):
    return x if axis in (-2, x.ndim - 2) else np.moveaxis(x, -2, axis)


def _gemm_shapes(name, a, b, p):
    ra, ca = (a[-1], a[-2]) if p.transpose_a else (a[-2], a[-1])
    rb, cb = (b[-1], b[-2]) if p.transpose_b else (b[-2], b[-1])
    if ca != rb or a[:-2] != b[:-2]:
        raise ShapeError(f"{name}: A of shape {tuple(a)} (transpose_a={p.transpose_a}) and B of shape {tuple(b)} "
                         f"(transpose_b={p.transpose_b}) do not multiply")
    return tuple(a[:-2]) + (ra, cb)


def _axis_shape(shape, axis):
    shape = list(shape)
    rows = shape.pop(axis)
    return tuple(shape[:-1] + [rows, shape[-1]])


def _unaxis_shape(shape, axis, ndim):
    shape = list(shape)
    rows = shape.pop(-2)
    shape.insert(axis % ndim, rows)
    return tuple(shape)


_MULT = {"transpose_a": Param("bool", False), "transpose_b": Param("bool", False), "alpha": Param("float", 1.0),
         "axis": Param("int", -2)}


def _gemm_grads(p, a, b, g):
    opa = _t(a) if p.transpose_a else a
    opb = _t(b) if p.transpose_b else b
    da = p.alpha * (g @ _t(opb))
    db = p.alpha * (_t(opa) @ g)
    return (_t(da) if p.transpose_a else da), (_t(db) if p.transpose_b else db)


@register
class _linalg_gemm(_LinalgOp):
    """``alpha * op(A) @ op(B) + beta * C`` on the last two axes (``axis`` names the rows axis)."""
    inputs = ("A", "B", "C")
    params = dict(_MULT, beta=Param("float", 1.0))

    def shapes(self, p, shapes):
        a, b, c = (_axis_shape(s, p.axis) for s in shapes)
        out = _gemm_shapes(self.name, a, b, p)
        if tuple(c) != out:
            raise ShapeError(f"{self.name}: C has shape {tuple(shapes[2])}, expected the product's shape "
                             f"{_unaxis_shape(out, p.axis, len(shapes[2]))}")
        return [tuple(shapes[2])]

    def forward(self, p, inputs, is_train):
        self.infer_shape(p, [x.shape for x in inputs])
        a, b, c = (_move_rows(x, p.axis) for x in inputs)
        opa = _t(a) if p.transpose_a else a
        opb = _t(b) if p.transpose_b else b
        y = p.alpha * (opa @ opb) + p.beta * c
        return [_unmove_rows(y.astype(c.dtype, copy=False), p.axis)], (a, b, c)

    def backward(self, p, saved, out_grads):
        a, b, c = saved
        g = _move_rows(out_grads[0], p.axis)
        da, db = _gemm_grads(p, a, b, g)
        return [_unmove_rows(x.astype(c.dtype, copy=False), p.axis) for x in (da, db, p.beta * g)]


@register
class _linalg_gemm2(_LinalgOp):
    """``alpha * op(A) @ op(B)`` on the last two axes (``axis`` names the rows axis)."""
    inputs = ("A", "B")
    params = dict(_MULT)

    def shapes(self, p, shapes):
        out = _gemm_shapes(self.name, _axis_shape(shapes[0], p.axis), _axis_shape(shapes[1], p.axis), p)
        return [_unaxis_shape(out, p.axis, len(shapes[0]))]

    def forward(self, p, inputs, is_train):
        self.infer_shape(p, [x.shape for x in inputs])
        a, b = (_move_rows(x, p.axis) for x in inputs)
        opa = _t(a) if p.transpose_a else a
        opb = _t(b) if p.transpose_b else b
        y = p.alpha * (opa @ opb)
        return [_unmove_rows(y.astype(a.dtype, copy=False), p.axis)], (a, b)

    def backward(self, p, saved, out_grads):
        a, b = saved
        da, db = _gemm_grads(p, a, b, _move_rows(out_grads[0], p.axis))
        return [_unmove_rows(x.astype(a.dtype, copy=False), p.axis) for x in (da, db)]


class _Cholesky(_LinalgOp):
    """Ops from square ``A`` to a matrix of the same shape; ``lower`` names the triangle that holds a factor."""
    inputs = ("A",)
    params = {"lower": Param("bool", True)}

    def shapes(self, p, shapes):
        _square(self.name, "A", shapes[0])
        return [tuple(shapes[0])]


@register
class _linalg_potrf(_Cholesky):
    """Cholesky factor of symmetric positive-definite matrices: lower ``L`` with ``A = L L^T`` (or upper)."""

    def forward(self, p, inputs, is_train):
        a = inputs[0]
        _square(self.name, "A", a.shape)
        try:
            low = np.linalg.cholesky(np.tril(a) + _t(np.tril(a, -1))) if a.size else a.copy()
        except np.linalg.LinAlgError:
            raise MXNetError(f"{self.name}: A (shape {a.shape}) is not symmetric positive-definite") from None
        y = (low if p.lower else _t(low)).astype(a.dtype, copy=False)
        return [y], y

    def backward(self, p, saved, out_grads):
        b, g = saved, out_grads[0]
        if p.lower:  # dA = 0.5 L^-T sym(L^T dL) L^-1
            t, m = _t(b), _sym_from(_t(b) @ g, lower=True)
        else:        # dA = 0.5 U^-1 sym(dU U^T) U^-T
            t, m = b, _sym_from(g @ _t(b), lower=False)
        x = _solve_tri(t, m, lower=False)          # T^-1 M with T upper (L^T or U)
        da = 0.5 * _t(_solve_tri(t, _t(x), lower=False))
        return [da.astype(b.dtype, copy=False)]


@register
class _linalg_potri(_Cholesky):
    """Inverse of ``A = L L^T`` (or ``U^T U``) from its Cholesky factor."""

    def forward(self, p, inputs, is_train):
        b = inputs[0]
        _square(self.name, "A", b.shape)
        t = _tri(b, p.lower)
        eye = np.broadcast_to(np.eye(b.shape[-1], dtype=b.dtype), b.shape)
        tinv = _solve_tri(t, eye, p.lower)
        y = (_t(tinv) @ tinv) if p.lower else (tinv @ _t(tinv))
        y = y.astype(b.dtype, copy=False)
        return [y], (b, y)

    def backward(self, p, saved, out_grads):
        b, a = saved
        g = out_grads[0]
        s = g + _t(g)
        if p.lower:  # dL = -tril(A (dA + dA^T) L^-T)
            m = a @ s
            db = -_t(_solve_tri(b, _t(m), lower=True))
            return [np.tril(db).astype(b.dtype, copy=False)]
        m = s @ a    # dU = -triu(U^-T (dA + dA^T) A)
        db = -_solve_tri(_t(b), m, lower=True)
        return [np.triu(db).astype(b.dtype, copy=False)]


_TRI = {"transpose": Param("bool", False), "rightside": Param("bool", False), "lower": Param("bool", True),
        "alpha": Param("float", 1.0)}


def _tri_shapes(name, a, b, p):
    _square(name, "A", a)
    _matrices(name, "B", b)
    k = b[-1] if p.rightside else b[-2]
    if a[-1] != k or tuple(a[:-2]) != tuple(b[:-2]):
        raise ShapeError(f"{name}: A of shape {tuple(a)} does not fit B of shape {tuple(b)} "
                         f"(rightside={p.rightside})")
    return [tuple(b)]


def _tri_to_input(dt, p):
    """The gradient of ``op(tri(A))`` back onto A's stored triangle."""
    return _tri(_t(dt) if p.transpose else dt, p.lower)


@register
class _linalg_trmm(_LinalgOp):
    """``alpha * op(A) @ B`` (or ``B @ op(A)`` with rightside) for triangular A."""
    inputs = ("A", "B")
    params = dict(_TRI)

    def shapes(self, p, shapes):
        return _tri_shapes(self.name, shapes[0], shapes[1], p)

    def forward(self, p, inputs, is_train):
        a, b = inputs
        self.infer_shape(p, [a.shape, b.shape])
        t = _tri(a, p.lower)
        t = _t(t) if p.transpose else t
        y = p.alpha * (b @ t if p.rightside else t @ b)
        return [y.astype(b.dtype, copy=False)], (t, b)

    def backward(self, p, saved, out_grads):
        t, b = saved
        g = out_grads[0]
        if p.rightside:
            dt, db = p.alpha * (_t(b) @ g), p.alpha * (g @ _t(t))
        else:
            dt, db = p.alpha * (g @ _t(b)), p.alpha * (_t(t) @ g)
        return [_tri_to_input(dt, p).astype(b.dtype, copy=False), db.astype(b.dtype, copy=False)]


@register
class _linalg_trsm(_LinalgOp):
    """Solve ``op(A) X = alpha B`` (or ``X op(A) = alpha B`` with rightside) for triangular A."""
    inputs = ("A", "B")
    params = dict(_TRI)

    def shapes(self, p, shapes):
        return _tri_shapes(self.name, shapes[0], shapes[1], p)

    def _solve(self, t, b, p, transpose):
        # X op(T) = B  <=>  op(T)^T X^T = B^T
        low = p.lower != transpose
        tt = _t(t) if transpose else t
        if p.rightside:
            return _t(_solve_tri(_t(tt), _t(b), not low))
        return _solve_tri(tt, b, low)

    def forward(self, p, inputs, is_train):
        a, b = inputs
        self.infer_shape(p, [a.shape, b.shape])
        t = _tri(a, p.lower)
        y = (p.alpha * self._solve(t, b, p, p.transpose)).astype(b.dtype, copy=False)
        return [y], (t, y)

    def backward(self, p, saved, out_grads):
        t, c = saved
        db = p.alpha * self._solve(t, out_grads[0], p, not p.transpose)
        dt = -(_t(c) @ db if p.rightside else db @ _t(c)) / p.alpha
        return [_tri_to_input(dt, p).astype(c.dtype, copy=False), db.astype(c.dtype, copy=False)]


@register
class _linalg_syrk(_LinalgOp):
    """``alpha * A @ A^T`` (or ``alpha * A^T @ A`` with transpose)."""
    inputs = ("A",)
    params = {"transpose": Param("bool", False), "alpha": Param("float", 1.0)}

    def shapes(self, p, shapes):
        a = shapes[0]
        _matrices(self.name, "A", a)
        n = a[-1] if p.transpose else a[-2]
        return [tuple(a[:-2]) + (n, n)]

    def forward(self, p, inputs, is_train):
        a = inputs[0]
        self.infer_shape(p, [a.shape])
        y = p.alpha * (_t(a) @ a if p.transpose else a @ _t(a))
        return [y.astype(a.dtype, copy=False)], a

    def backward(self, p, saved, out_grads):
        a, g = saved, out_grads[0]
        s = g + _t(g)
        da = p.alpha * (a @ s if p.transpose else s @ a)
        return [da.astype(a.dtype, copy=False)]


@register
class _linalg_gelqf(_LinalgOp):
    """LQ factorization ``A = L Q`` of wide matrices (rows <= columns): orthonormal-row ``Q`` and lower ``L``."""
    inputs = ("A",)
    num_outputs = 2

    def shapes(self, p, shapes):
        a = shapes[0]
        _matrices(self.name, "A", a)
        if a[-2] > a[-1]:
            raise ShapeError(f"{self.name}: A must have no more rows than columns, got shape {tuple(a)}")
        return [tuple(a), tuple(a[:-1]) + (a[-2],)]

    def forward(self, p, inputs, is_train):
        a = inputs[0]
        self.infer_shape(p, [a.shape])
        q = np.empty_like(a)
        low = np.empty(a.shape[:-1] + (a.shape[-2],), a.dtype)
        from scipy.linalg import qr
        for i in np.ndindex(a.shape[:-2]):
            qt, r = qr(a[i].T, mode="economic")   # A^T = Q' R'  =>  A = R'^T Q'^T (LAPACK's Householder signs)
            q[i], low[i] = qt.T, r.T
        return [q, low], (q, low)

    def backward(self, p, saved, out_grads):
        q, low = saved
        dq, dl = out_grads
        m = _t(low) @ dl - dq @ _t(q)
        x = dq + _sym_from(m, lower=True) @ q
        return [_solve_tri(_t(low), x, lower=False).astype(q.dtype, copy=False)]


@register
class _linalg_syevd(_LinalgOp):
    """Eigendecomposition of symmetric matrices: ``A = U^T diag(L) U``, eigenvalues ascending, each row of U
    signed so its largest-magnitude entry is positive."""
    inputs = ("A",)
    num_outputs = 2

    def shapes(self, p, shapes):
        _square(self.name, "A", shapes[0])
        return [tuple(shapes[0]), tuple(shapes[0][:-1])]

    def forward(self, p, inputs, is_train):
        a = inputs[0]
        self.infer_shape(p, [a.shape])
        w, v = np.linalg.eigh(a, UPLO="L")
        u = _t(v)
        n = a.shape[-1]
        if n:
            big = np.take_along_axis(u, np.abs(u).argmax(axis=-1)[..., None], axis=-1)
            u = np.where(big < 0, -u, u)
        u, w = u.astype(a.dtype, copy=False), w.astype(a.dtype, copy=False)
        return [u, w], (u, w)

    def backward(self, p, saved, out_grads):
        u, w = saved
        du, dw = out_grads
        x = du @ _t(u)
        eps = 1e-30 if u.dtype == np.float32 else 1e-100
        denom = 2 * np.maximum(w[..., :, None] - w[..., None, :], eps)
        low = np.tril((x - _t(x)) / denom, -1)
        y = low + _t(low)
        idx = np.arange(u.shape[-1])
        y[..., idx, idx] = dw
        return [(_t(u) @ y @ u).astype(u.dtype, copy=False)]


@register
class _linalg_inverse(_Cholesky):
    """Inverse of (a batch of) square matrices."""
    params = {}

    def forward(self, p, inputs, is_train):
        b = inputs[0]
        _square(self.name, "A", b.shape)
        try:
            y = np.linalg.inv(b).astype(b.dtype, copy=False)
        except np.linalg.LinAlgError:
            raise MXNetError(f"{self.name}: A (shape {b.shape}) is singular") from None
        return [y], y

    def backward(self, p, saved, out_grads):
        a = saved
        return [(-_t(a) @ out_grads[0] @ _t(a)).astype(a.dtype, copy=False)]


def _det_shape(name, shape):
    _square(name, "A", shape)
    return tuple(shape[:-2]) or (1,)


def _inv_t(a, bad):
    """``inv(A)^T`` where the determinant is usable, zeros where ``bad`` (MXNet stops those gradients)."""
    safe = np.where(bad[..., None, None], np.eye(a.shape[-1], dtype=a.dtype), a)
    return np.where(bad[..., None, None], 0, _t(np.linalg.inv(safe)))


@register
class _linalg_det(_LinalgOp):
    """Determinant of (a batch of) square matrices."""
    inputs = ("A",)
    hidden_outputs = 2  # MXNet keeps the LU factors and pivots as hidden outputs

    def shapes(self, p, shapes):
        return [_det_shape(self.name, shapes[0])]

    def forward(self, p, inputs, is_train):
        a = inputs[0]
        out = _det_shape(self.name, a.shape)
        d = np.linalg.det(a).astype(a.dtype, copy=False)
        return [d.reshape(out)], (a, d)

    def backward(self, p, saved, out_grads):
        a, d = saved
        g = out_grads[0].reshape(d.shape)
        return [((g * d)[..., None, None] * _inv_t(a, d == 0)).astype(a.dtype, copy=False)]


@register
class _linalg_slogdet(_LinalgOp):
    """Sign and natural log of the absolute determinant of (a batch of) square matrices."""
    inputs = ("A",)
    num_outputs = 2
    hidden_outputs = 2

    def shapes(self, p, shapes):
        out = _det_shape(self.name, shapes[0])
        return [out, out]

    def forward(self, p, inputs, is_train):
        a = inputs[0]
        out = _det_shape(self.name, a.shape)
        sign, logdet = np.linalg.slogdet(a)
        sign, logdet = sign.astype(a.dtype, copy=False), logdet.astype(a.dtype, copy=False)
        return [sign.reshape(out), logdet.reshape(out)], (a, logdet)

    def backward(self, p, saved, out_grads):
        a, logdet = saved
        g = out_grads[1].reshape(logdet.shape)
        return [(g[..., None, None] * _inv_t(a, np.isneginf(logdet))).astype(a.dtype, copy=False)]


@register
class _linalg_sumlogdiag(_LinalgOp):
    """Sum of the natural logs of the diagonal of (a batch of) square matrices."""
    inputs = ("A",)

    def shapes(self, p, shapes):
        return [_det_shape(self.name, shapes[0])]

    def forward(self, p, inputs, is_train):
        a = inputs[0]
        out = _det_shape(self.name, a.shape)
        y = np.log(np.diagonal(a, axis1=-2, axis2=-1)).sum(axis=-1)
        return [np.asarray(y, a.dtype).reshape(out)], a

    def backward(self, p, saved, out_grads):
        a = saved
        g = out_grads[0].reshape(a.shape[:-2])
        da = np.zeros_like(a)
        idx = np.arange(a.shape[-1])
        da[..., idx, idx] = g[..., None] / a[..., idx, idx]
        return [da]


def _diag_index(n, offset):
    k = n - abs(offset)
    i = np.arange(k)
    return (i - min(offset, 0), i + max(offset, 0))


def trian_indices(n, offset, lower):
    """Row and column indices of the entries ``extracttrian`` packs, in MXNet's order.

    Lower triangles (``offset < 0``, or 0 with ``lower``) are read row by row; upper ones column by column.

    Examples
    --------
    >>> trian_indices(2, 0, True)
    (array([0, 1, 1]), array([0, 0, 1]))
    >>> trian_indices(3, 1, True)
    (array([0, 0, 1]), array([1, 2, 2]))
    """
    k = abs(offset)
    r, c = np.tril_indices(n - k)
    if offset > 0 or (offset == 0 and not lower):
        return c, r + k
    return r + k, c


class _Packer(_LinalgOp):
    params = {"offset": Param("int", 0)}
    extract = True

    def _index(self, p, n):
        return _diag_index(n, p.offset)

    def shapes(self, p, shapes):
        s = shapes[0]
        if self.extract:
            _square(self.name, "A", s)
            n = s[-1] - abs(p.offset)
            if n <= 0:
                raise ShapeError(f"{self.name}: offset {p.offset} is illegal for matrices of shape {tuple(s[-2:])}")
            return [tuple(s[:-2]) + (self.packed_size(n),)]
        if len(s) < 1:
            raise ShapeError(f"{self.name}: A must have at least 1 dimension")
        n = self.matrix_size(s[-1]) + abs(p.offset)
        return [tuple(s[:-1]) + (n, n)]

    def forward(self, p, inputs, is_train):
        a = inputs[0]
        (out,) = self.shapes(p, [a.shape])
        if self.extract:
            rows, cols = self._index(p, a.shape[-1])
            return [a[..., rows, cols]], a.shape
        y = np.zeros(out, a.dtype)
        rows, cols = self._index(p, out[-1])
        y[..., rows, cols] = a
        return [y], a.shape

    def backward(self, p, saved, out_grads):
        g = out_grads[0]
        if self.extract:
            da = np.zeros(saved, g.dtype)
            rows, cols = self._index(p, saved[-1])
            da[..., rows, cols] = g
            return [da]
        rows, cols = self._index(p, g.shape[-1])
        return [g[..., rows, cols]]


@register
class _linalg_extractdiag(_Packer):
    """The diagonal (``offset`` above/below the main one) of (a batch of) square matrices."""

    def packed_size(self, n):
        return n


@register
class _linalg_makediag(_Packer):
    """Square matrices with the input vectors on their diagonal (``offset`` above/below the main one)."""
    extract = False

    def matrix_size(self, n):
        return n


class _TrianPacker(_Packer):
    params = {"offset": Param("int", 0), "lower": Param("bool", True)}

    def _index(self, p, n):
        return trian_indices(n, p.offset, p.lower)

    def packed_size(self, n):
        return n * (n + 1) // 2

    def matrix_size(self, size):
        m = int(np.floor(0.5 + (np.sqrt(8 * size + 1) - 1) * 0.5))
        if m * (m + 1) // 2 != size:
            raise ShapeError(f"{self.name}: the last axis of A has {size} entries, not a triangular number")
        return m


@register
class _linalg_extracttrian(_TrianPacker):
    """The lower (or upper) triangle of (a batch of) square matrices, packed into vectors."""


@register
class _linalg_maketrian(_TrianPacker):
    """Triangular matrices from packed vectors (the inverse of extracttrian)."""
    extract = False
