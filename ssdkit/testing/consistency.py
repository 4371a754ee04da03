"""MXNet's ``test_utils.check_consistency``: run one or several Symbols bound in several contexts (devices,
dtypes) on the same random inputs and check that their outputs and gradients agree.

The most precise binding (the widest dtype of the first output) is the ground truth; every other binding is
compared with it by :func:`.compare.assert_almost_equal`, first in inference (``forward(is_train=False)``),
then, unless ``grad_req='null'``, after a training forward and a backward fed the first binding's outputs
cast to the least precise dtype.

Examples
--------
>>> import ssdkit as mx
>>> x = mx.sym.var("x")
>>> ctx = [{"ctx": mx.cpu(), "x": (2, 3), "type_dict": {"x": np.float64}},
...        {"ctx": mx.cpu(), "x": (2, 3), "type_dict": {"x": np.float32}}]
>>> sorted(check_consistency(mx.sym.tanh(x, name="t"), ctx))
['t_output', 'x']
"""
import traceback

import numpy as np

from ..ndarray import array as nd_array
from ..symbol import Symbol
from .compare import assert_almost_equal, get_tols

__all__ = ["check_consistency"]


def _smaller_dtype(dt1, dt2):
    """The less precise of two dtypes (``dt1`` when ``dt2`` is None)."""
    return dt1 if dt2 is None or np.dtype(dt1).itemsize < np.dtype(dt2).itemsize else dt2


def _compare(arr, gtarr, rtol, atol, equal_nan, raise_on_err, message):
    try:
        assert_almost_equal(arr, gtarr, rtol=rtol, atol=atol, equal_nan=equal_nan)
    except AssertionError:
        print(message)
        traceback.print_exc()
        if raise_on_err:
            raise


def check_consistency(sym, ctx_list, scale=1.0, grad_req="write", arg_params=None, aux_params=None, rtol=None,
                      atol=None, raise_on_err=True, ground_truth=None, equal_nan=False, use_uniform=False,
                      rand_type=np.float64):
    """Check that ``sym`` (one Symbol, or one per context) gives the same outputs and gradients when bound
    with each entry of ``ctx_list`` (``simple_bind`` keywords: ``ctx``, input shapes, ``type_dict``).

    Inputs not in ``arg_params`` are drawn from ``np.random`` (normal with standard deviation ``scale``, or
    uniform in ``[-0.92 scale, 0.92 scale]`` with ``use_uniform``) in sorted name order; auxiliary states
    not in ``aux_params`` are zero. Returns the ground truth: output and gradient arrays by name.

    Examples
    --------
    >>> import ssdkit as mx
    >>> a = mx.sym.var("a")
    >>> ctx = {"ctx": mx.cpu(), "a": (3,)}
    >>> _ = check_consistency([mx.sym.abs(a, name="n"), a.abs(name="n")], [ctx, ctx])
    """
    assert len(ctx_list) > 1, "check_consistency needs at least two contexts to compare"
    syms = [sym] * len(ctx_list) if isinstance(sym, Symbol) else list(sym)
    assert len(syms) == len(ctx_list), f"{len(syms)} symbols for {len(ctx_list)} contexts"
    output_names, arg_names = syms[0].list_outputs(), syms[0].list_arguments()
    exe_list = []
    for s, ctx in zip(syms, ctx_list):
        assert s.list_arguments() == arg_names, f"arguments {s.list_arguments()} differ from {arg_names}"
        assert s.list_outputs() == output_names, f"outputs {s.list_outputs()} differ from {output_names}"
        exe_list.append(s.simple_bind(grad_req=grad_req, **ctx))

    arg_params = {} if arg_params is None else arg_params
    aux_params = {} if aux_params is None else aux_params
    for name, arr in sorted(exe_list[0].arg_dict.items()):   # a fixed order keeps the draws reproducible
        if name not in arg_params:
            if use_uniform:
                value = np.random.uniform(low=-0.92 * scale, high=0.92 * scale, size=arr.shape)
            else:
                value = np.random.normal(size=arr.shape, scale=scale)
            arg_params[name] = value.astype(rand_type)
    for name in exe_list[0].aux_dict:
        aux_params.setdefault(name, 0)
    for exe in exe_list:
        for name, arr in exe.arg_dict.items():
            arr[:] = arg_params[name]
        for name, arr in exe.aux_dict.items():
            arr[:] = aux_params[name]
        if grad_req == "add":
            for arr in exe.grad_arrays:
                if arr is not None:
                    arr[:] = 0

    dtypes = [np.dtype(exe.outputs[0].dtype) for exe in exe_list]
    gt_idx = int(np.argmax([d.itemsize for d in dtypes]))
    gt = ground_truth
    if gt is None:   # the ground truth binding's own arrays: they hold each pass's values
        gt = exe_list[gt_idx].output_dict.copy()
        if grad_req != "null":
            gt.update(exe_list[gt_idx].grad_dict)

    for exe in exe_list:
        exe.forward(is_train=False)
    for i, exe in enumerate(exe_list):
        if i != gt_idx:
            for name, arr in zip(output_names, exe.outputs):
                _compare(arr, gt[name], rtol, atol, equal_nan, raise_on_err,
                         f"Predict Err: ctx {i} vs ctx {gt_idx} at {name}")

    if grad_req == "null":
        return gt
    for exe in exe_list:
        exe.forward(is_train=True)
    least_precise = [out.dtype for out in exe_list[0].outputs]
    for exe in exe_list:
        least_precise = [_smaller_dtype(out.dtype, dt) for out, dt in zip(exe.outputs, least_precise)]
    golden = [out.astype(dt).asnumpy() for out, dt in zip(exe_list[0].outputs, least_precise)]
    for exe in exe_list:
        exe.backward([nd_array(g, ctx=exe._ctx, dtype=out.dtype) for g, out in zip(golden, exe.outputs)])
    for i, exe in enumerate(exe_list):
        if i == gt_idx:
            continue
        for name, arr in zip(output_names + arg_names, exe.outputs + exe.grad_arrays):
            gtarr = gt.get(name)
            if gtarr is None:
                assert arr is None, f"{name} has a gradient in ctx {i} but none in the ground truth"
                continue
            rt, at = rtol, atol
            # a float16 binding compares its float32 gradients (BatchNorm's gamma) with float16 tolerances
            small_arr, small_gt = _smaller_dtype(arr.dtype, dtypes[i]), _smaller_dtype(gtarr.dtype, dtypes[gt_idx])
            if small_arr != arr.dtype or small_gt != gtarr.dtype:
                rt, at = get_tols(arr.astype(small_arr), gtarr.astype(small_gt), rtol, atol)
            _compare(arr, gtarr, rt, at, equal_nan, raise_on_err,
                     f"Train Err: {np.dtype(arr.dtype).name} ctx {i} vs {np.dtype(gtarr.dtype).name} "
                     f"ctx {gt_idx} at {name}")
    return gt
