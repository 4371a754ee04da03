"""Sparse storage is refused with an error naming it, never quietly replaced by a dense array."""
import pytest

import ssdkit as mx


@pytest.mark.parametrize("make", [
    lambda: mx.nd.zeros((1, 1), stype="csr"),
    lambda: mx.nd.zeros((1, 1)).attach_grad(stype="row_sparse"),
    lambda: mx.nd.sparse.zeros("row_sparse", (2, 2)),
    lambda: mx.nd.ones((2,)).tostype("csr"),
])
def test_sparse_storage_is_refused_by_name(make):
    with pytest.raises(mx.MXNetError, match=r"sparse storage '(csr|row_sparse)' is not supported"):
        make()


def test_dense_storage_passes():
    a = mx.nd.zeros((2,), stype="default")
    a.attach_grad(stype="default")
    assert a.grad.stype == "default" and a.tostype("default").shape == (2,)


@pytest.mark.parametrize("namespace", [mx.nd._internal, mx.sym._internal])
def test_sparse_only_internal_ops_are_refused_by_name(namespace):
    with pytest.raises(mx.MXNetError, match=r"_square_sum: sparse storage 'row_sparse' is not supported"):
        namespace._square_sum
    with pytest.raises(AttributeError):
        namespace._no_such_op
