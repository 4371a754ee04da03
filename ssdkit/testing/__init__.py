"""``mx.test_utils``: the one gradient checker and MXNet's test helpers, so tests written for MXNet run.

* gradients — :func:`check_op_gradient` (one registered op), :func:`check_numeric_gradient` (a symbol), both
  through :func:`check_directional`: float64 central differences along a random direction;
* comparing — :func:`assert_almost_equal` with MXNet's signature and per-dtype default tolerances,
  :func:`almost_equal`, :func:`same`, :func:`same_array`, :func:`assert_exception`, ...;
* symbols — :func:`check_symbolic_forward`, :func:`check_symbolic_backward`, :func:`simple_forward`,
  :func:`check_consistency` (one graph bound in several contexts/dtypes agrees with itself);
* data and contexts — :func:`rand_ndarray`, :func:`rand_shape_2d`/``3d``/``nd``, :func:`random_arrays`,
  :func:`default_context`, :func:`set_default_context`;
* harness — :func:`environment`, :func:`discard_stderr`, :func:`retry`, and :func:`download`, which never
  downloads (a clear error says where to put the file).

Examples
--------
>>> check_op_gradient("tanh", [np.linspace(-1, 1, 5)])
>>> check_op_gradient("FullyConnected", [np.ones((2, 3)), np.ones((4, 3)), np.zeros(4)], {"num_hidden": 4})
>>> assert_almost_equal(np.float32([1.0]), np.float32([1.00001]))
"""
# ``from mxnet.test_utils import *`` also hands MXNet's tests the modules and names its test_utils imported
# (``mx``, ``np``, ``Context``, ...; NDArray, which they get from ``mxnet.autograd``'s star import): the same here.
import json  # noqa: F401
import logging  # noqa: F401
import numbers  # noqa: F401
import os  # noqa: F401
import sys  # noqa: F401
import time  # noqa: F401
from collections import OrderedDict  # noqa: F401
from contextlib import contextmanager  # noqa: F401

import numpy as np
import numpy.random as rnd
import numpy.testing as npt

import ssdkit as mx
from ..context import Context, current_context
from ..ndarray import NDArray, array
from ..symbol import Symbol
from .gradient import check_op_gradient, numeric_directional_derivative, check_directional
from .compare import (default_rtols, default_atols, default_numeric_eps, get_tolerance, get_tols, get_rtol,
                      get_atol, get_etol, same, almost_equal, assert_almost_equal, assert_allclose,
                      assert_almost_equal_ignore_nan, assert_almost_equal_with_err, same_array, np_reduce,
                      assert_exception, find_max_violation)
from .arrays import (default_context, set_default_context, default_dtype, random_arrays, random_uniform_arrays,
                     random_sample, rand_ndarray, rand_sparse_ndarray, rand_shape_2d, rand_shape_3d, rand_shape_nd, rand_coord_2d,
                     list_gpus)
from .environ import environment, discard_stderr, retry, download, OfflineDownloadError, is_cd_run, is_aarch64_run
from .optimizers import compare_ndarray_tuple, compare_optimizer
from .symbolic import simple_forward, check_symbolic_forward, check_symbolic_backward, check_numeric_gradient
from .consistency import check_consistency
from .numpy_tools import (use_np, effective_dtype, gen_buckets_probs_with_ppf, chi_square_check,  # noqa: F401
                          verify_generator, collapse_sum_like, has_tvm_ops, is_op_runnable,
                          new_matrix_with_real_eigvals_nd, new_sym_matrix_with_real_eigvals_nd,
                          check_gluon_hybridize_consistency)

__all__ = ["check_op_gradient", "numeric_directional_derivative", "check_directional",
           "default_rtols", "default_atols", "default_numeric_eps", "get_tolerance", "get_tols", "get_rtol",
           "get_atol", "get_etol", "same", "almost_equal", "assert_almost_equal", "assert_allclose",
           "assert_almost_equal_ignore_nan", "assert_almost_equal_with_err", "same_array", "np_reduce",
           "assert_exception", "find_max_violation",
           "default_context", "set_default_context", "default_dtype", "random_arrays", "random_uniform_arrays",
           "random_sample", "rand_ndarray", "rand_sparse_ndarray", "rand_shape_2d", "rand_shape_3d", "rand_shape_nd", "rand_coord_2d",
           "list_gpus", "environment", "discard_stderr", "retry", "download", "OfflineDownloadError", "is_cd_run",
           "is_aarch64_run", "compare_ndarray_tuple", "compare_optimizer",
           "simple_forward", "check_symbolic_forward", "check_symbolic_backward", "check_numeric_gradient",
           "check_consistency",
           "use_np", "effective_dtype", "gen_buckets_probs_with_ppf", "chi_square_check", "verify_generator",
           "collapse_sum_like", "has_tvm_ops", "is_op_runnable", "new_matrix_with_real_eigvals_nd",
           "new_sym_matrix_with_real_eigvals_nd", "check_gluon_hybridize_consistency",
           # names MXNet's test_utils exports through its imports (the star-import surface MXNet's tests use)
           "mx", "np", "npt", "rnd", "json", "logging", "numbers", "os", "sys", "time", "OrderedDict",
           "contextmanager", "Context", "current_context", "NDArray", "array", "Symbol"]
