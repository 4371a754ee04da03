"""MXNet's test helpers for its NumPy-interface tests (``mx.test_utils``): ``use_np``, chi-square checks of
random generators, ``collapse_sum_like``, well-conditioned test matrices and the hybridize-consistency check
of a HybridBlock on ``mx.np`` arrays.

Examples
--------
>>> import numpy as np
>>> collapse_sum_like(np.ones((2, 3)), (1, 3))
array([[2., 2., 2.]])
>>> buckets, probs = gen_buckets_probs_with_ppf(lambda q: q, 4)
>>> buckets[1], probs[1]
((0.25, 0.5), 0.25)
"""
import numpy as np

from ..util import use_np  # noqa: F401  (MXNet's test_utils re-exports it)

__all__ = ["use_np", "effective_dtype", "gen_buckets_probs_with_ppf", "chi_square_check", "verify_generator",
           "collapse_sum_like", "has_tvm_ops", "is_op_runnable", "new_matrix_with_real_eigvals_nd",
           "new_sym_matrix_with_real_eigvals_nd", "check_gluon_hybridize_consistency"]


def effective_dtype(dat):
    """The dtype that sets comparison tolerances for ``dat`` (its own: no TF32 GPUs here).

    Examples
    --------
    >>> effective_dtype(np.ones(1, np.float16))
    dtype('float16')
    """
    return np.dtype(dat.dtype)


def gen_buckets_probs_with_ppf(ppf, nbuckets):
    """``nbuckets`` equal-probability buckets ``(ppf(i/n), ppf((i+1)/n))`` and their probabilities.

    Examples
    --------
    >>> gen_buckets_probs_with_ppf(lambda q: 2 * q, 2)
    ([(0.0, 1.0), (1.0, 2.0)], [0.5, 0.5])
    """
    if nbuckets <= 0:
        raise ValueError(f"nbuckets must be positive, got {nbuckets}")
    return ([(ppf(i / float(nbuckets)), ppf((i + 1) / float(nbuckets))) for i in range(nbuckets)],
            [1.0 / nbuckets] * nbuckets)


def chi_square_check(generator, buckets, probs, nsamples=1000000):
    """``(p, observed, expected)`` of a chi-square test of ``generator(nsamples)`` against ``probs`` over
    ``buckets`` (ranges for a continuous distribution, values for a discrete one).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> p, _, _ = chi_square_check(lambda n: rng.integers(0, 2, n), [0, 1], [0.5, 0.5], 10000)
    >>> bool(p > 0.001)
    True
    """
    from scipy import stats
    samples = generator(nsamples)
    samples = np.asarray(samples.asnumpy() if hasattr(samples, "asnumpy") else samples).reshape(-1)
    if len(probs) != len(buckets):
        raise ValueError(f"{len(buckets)} buckets but {len(probs)} probabilities")
    expected = (nsamples * np.array(probs, dtype=np.float32)).astype(np.int32)
    if isinstance(buckets[0], (list, tuple)):
        edges = np.array([e for bucket in buckets for e in bucket], dtype=np.float32)
        ids = np.searchsorted(edges, samples, side="right") // 2
        observed = np.array([(ids == i).sum() for i in range(len(buckets))])
    else:
        observed = np.array([(samples == b).sum() for b in buckets])
    _, p = stats.chisquare(f_obs=observed, f_exp=expected * (observed.sum() / max(expected.sum(), 1)))
    return p, observed, expected


def verify_generator(generator, buckets, probs, nsamples=1000000, nrepeat=5, success_rate=0.2, alpha=0.05):
    """Repeat :func:`chi_square_check` ``nrepeat`` times; fail unless at least ``success_rate`` of the
    p-values exceed ``alpha``. Returns the p-values.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> len(verify_generator(lambda n: rng.uniform(0, 1, n), [(0, .5), (.5, 1)], [.5, .5], 2000, nrepeat=2))
    2
    """
    results = [chi_square_check(generator, buckets, probs, nsamples) for _ in range(nrepeat)]
    pvalues = [r[0] for r in results]
    if (np.array(pvalues) > alpha).sum() < nrepeat * success_rate:
        raise AssertionError(f"Generator test fails, Chi-square p={pvalues}, obs_freq={[r[1] for r in results]}, "
                             f"expected_freq={[r[2] for r in results]}.\nbuckets={buckets}, probs={probs}")
    return pvalues


def collapse_sum_like(a, shape):
    """Sum ``a`` over the axes broadcasting to ``a.shape`` added or stretched from ``shape``.

    Examples
    --------
    >>> collapse_sum_like(np.ones((2, 3)), (3,))
    array([2., 2., 2.])
    """
    shape = tuple(shape)
    if np.prod(shape) == 0 or a.size == 0:
        return np.zeros(shape, dtype=a.dtype)
    lead = a.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(i + lead for i, s in enumerate(shape) if s != a.shape[i + lead])
    return np.sum(a, axis=axes).reshape(shape)


def has_tvm_ops():
    """Whether TVM-generated operators are built in: never in ssdkit.

    Examples
    --------
    >>> has_tvm_ops()
    False
    """
    return False


def is_op_runnable():
    """Whether the NumPy operators can run here: always (CPU).

    Examples
    --------
    >>> is_op_runnable()
    True
    """
    return True


def _real_eigen_matrix(n):
    # a random similarity transform of a diagonal with well-separated real eigenvalues
    while True:
        p = np.random.uniform(-1.0, 1.0, (n, n))
        if abs(np.linalg.det(p)) > 0.2:
            break
    d = np.diag(np.sign(np.random.uniform(-1, 1, n)) * np.random.uniform(1.0, 10.0, n))
    return p @ d @ np.linalg.inv(p)


def new_matrix_with_real_eigvals_nd(shape):
    """Well-conditioned matrices of ``shape`` (..., n, n) with real eigenvalues.

    Examples
    --------
    >>> new_matrix_with_real_eigvals_nd((2, 3, 3)).shape
    (2, 3, 3)
    """
    count = int(np.prod(shape[:-2])) if len(shape) > 2 else 1
    return np.array([_real_eigen_matrix(shape[-1]) for _ in range(count)]).reshape(shape)


def new_sym_matrix_with_real_eigvals_nd(shape):
    """Symmetric matrices of ``shape`` (..., n, n) with eigenvalues in [-10, 10].

    Examples
    --------
    >>> m = new_sym_matrix_with_real_eigvals_nd((3, 3)); bool(np.allclose(m, m.T))
    True
    """
    count = int(np.prod(shape[:-2])) if len(shape) > 2 else 1
    out = []
    for _ in range(count):
        q = np.linalg.qr(np.random.randn(shape[-1], shape[-1]))[0]
        out.append(q.T @ np.diag(np.random.uniform(-10.0, 10.0, shape[-1])) @ q)
    return np.array(out).reshape(shape)


def check_gluon_hybridize_consistency(net_builder, data_l, numpy_func=None, test_grad=True, rtol=1e-4, atol=1e-4):
    """Build the block ``net_builder(prefix='net_')`` four ways (imperative/hybridized, with and without
    autograd) on copies of ``data_l`` with the same parameters; outputs (and input gradients with
    ``out.backward(out)``) must agree, and match ``numpy_func`` on the inputs when given.

    Examples
    --------
    >>> import ssdkit as mx
    >>> mx.npx.set_np()
    >>> check_gluon_hybridize_consistency(lambda prefix: mx.gluon.nn.Dense(2, prefix=prefix),
    ...                                   [mx.np.ones((3, 4))])
    >>> mx.npx.reset_np()
    """
    from .. import autograd, initializer
    from .compare import assert_almost_equal

    class _Saved(initializer.Initializer):
        def __init__(self, values):
            super().__init__()
            self._values = values

        def _init_weight(self, name, arr):
            arr[()] = self._values[name]

    saved_out, saved_grads, init = None, None, None
    for hybridize in (False, True):
        for use_autograd in ([False, True] if test_grad else [False]):
            net = net_builder(prefix="net_")
            net.initialize(init) if init is not None else net.initialize()
            if hybridize:
                net.hybridize()
            inputs = [x.copy() for x in data_l]
            if use_autograd:
                for x in inputs:
                    x.attach_grad()
                with autograd.record():
                    out = net(*inputs)
                out.backward(out)
            else:
                out = net(*inputs)
            if init is None:
                init = _Saved({k: v.data().asnumpy() for k, v in net.collect_params().items()})
            if saved_out is None:
                saved_out = out.asnumpy()
            else:
                assert_almost_equal(out.asnumpy(), saved_out, rtol=rtol, atol=atol)
            if use_autograd:
                grads = [x.grad.asnumpy() for x in inputs]
                if saved_grads is None:
                    saved_grads = grads
                else:
                    for g, s in zip(grads, saved_grads):
                        assert_almost_equal(g, s, rtol=rtol, atol=atol)
    if numpy_func is not None:
        expected = numpy_func(*[x.asnumpy() for x in data_l])
        assert_almost_equal(saved_out, expected, rtol=rtol, atol=atol)
