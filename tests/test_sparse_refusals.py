"""Sparse storage (csr, row_sparse) is refused with an MXNetError that names the feature, never a crash."""
import pytest

import ssdkit as mx
from ssdkit.symbol.sparse import SPARSE_OPS


@pytest.mark.parametrize("name", ["dot", "elemwise_add", "FullyConnected", "cast_storage", "retain"])
def test_sym_sparse_ops_name_the_storage_and_the_dense_op(name):
    assert name in SPARSE_OPS
    with pytest.raises(mx.MXNetError, match=rf"sym\.sparse\.{name}: sparse storage .* use mx\.sym\.{name}"):
        getattr(mx.sym.sparse, name)


def test_sym_sparse_unknown_names_are_attribute_errors():
    assert not hasattr(mx.sym.sparse, "no_such_op") and not hasattr(mx.symbol.sparse, "__wrapped__")


@pytest.mark.parametrize("stype", ["csr", "row_sparse"])
def test_rand_sparse_ndarray_refuses(stype):
    with pytest.raises(mx.MXNetError, match=f"rand_sparse_ndarray: storage type '{stype}'"):
        mx.test_utils.rand_sparse_ndarray((3, 4), stype, density=0.5)
