"""MXNet 1.9.1's quantization operators as its plain CPU path computes them (``src/operator/quantization``, not
the MKLDNN one): ``quantize``, ``quantize_v2``, ``dequantize`` and ``requantize`` (all ``_contrib_``).

* int8 is zero-centred: ``q = sign(x) * min(|x| * 127 / r + 0.5, 127)`` truncated toward zero, with
  ``r = max(|min_range|, |max_range|)``; the output range is ``(-r, r)``.
* uint8 is affine: ``q = (x - min_range) * (255 / (max_range - min_range)) + 0.5`` truncated; the output range is
  the input range. A value outside the range wraps modulo 256, as the C cast does on x86.
* ``dequantize``: ``x = q * (r / 127)`` (int8) or ``q * ((max - min) / 255) + min`` (uint8), float32.
* ``requantize``: int32 ``q`` (range ``r32 = max(|min|, |max|)`` over ``2^31``) to int8 over ``(-r, r)`` with
  ``r`` the calibration range or the data's own range. MXNet's plain kernel writes int8 only: a uint8 output
  (``out_type='uint8'``, or ``'auto'`` with a calibration range from 0) stops with a data-type check, here too.

Every output gradient is zero (MXNet's ``MakeZeroGradNodes``). Arithmetic follows MXNet's float32 steps.

Examples
--------
>>> import ssdkit as mx
>>> q, lo, hi = mx.nd.contrib.quantize(mx.nd.array([[0.1392, 0.5928], [0.6027, 0.8579]]),
...                                    mx.nd.array([0.0]), mx.nd.array([1.0]), out_type="int8")
>>> q.asnumpy(), lo.asnumpy(), hi.asnumpy()
(array([[ 18,  75],
       [ 77, 109]], dtype=int8), array([-1.], dtype=float32), array([1.], dtype=float32))
>>> mx.nd.contrib.dequantize(q, lo, hi).asnumpy().round(4)
array([[0.1417, 0.5906],
       [0.6063, 0.8583]], dtype=float32)
"""
import numpy as np

from ..base import MXNetError, ShapeError
from .indexing import ZeroGradOp
from .registry import Param, register

__all__ = []

F32 = np.float32
INT8_RANGE = F32(127)          # min(|int8 max|, |int8 min|)
UINT8_LIMITS = (0.0, 255.0)
INT32_RANGE = F32(2 ** 31)     # min(|int32 min|, |int32 max|) as a float
_OUT_TYPES = ("auto", "int8", "uint8")


def _scalar(a):
    return F32(np.asarray(a, F32).reshape(-1)[0])


def _zero_centred(x, real_range):
    """int8 values of float32 ``x`` over ``(-real_range, real_range)`` (MXNet's FloatToQuantized<int8>)."""
    scale = F32(INT8_RANGE / F32(real_range))
    magnitude = np.minimum(np.abs(x).astype(F32) * scale + F32(0.5), INT8_RANGE)
    return np.trunc(np.sign(x).astype(F32) * magnitude).astype(np.int8)


def _affine_uint8(x, lo, hi):
    """uint8 values of float32 ``x`` over ``(lo, hi)``: the scale rounded to float32, the +0.5 in double, then
    truncation; the C cast of an out-of-range value keeps its low byte."""
    scale = F32((UINT8_LIMITS[1] - UINT8_LIMITS[0]) / np.float64(F32(hi) - F32(lo)))
    value = ((x.astype(F32) - F32(lo)) * scale).astype(np.float64) + 0.5
    return (np.trunc(value).astype(np.int64) & 0xFF).astype(np.uint8)


def _ranges(lo, hi):
    return [np.array([lo], F32), np.array([hi], F32)]


def _quantize(x, lo, hi, out_type):
    """``[q, min, max]`` of float32 data quantized over ``(lo, hi)``."""
    if out_type == "uint8":
        return [_affine_uint8(x, lo, hi)] + _ranges(lo, hi)
    real = max(abs(F32(lo)), abs(F32(hi)))
    return [_zero_centred(x, real)] + _ranges(-real, real)


def _check_float32(op, x):
    if x.dtype != np.float32:
        raise MXNetError(f"{op}: data must be float32, got {x.dtype}")


class _QuantizeBase(ZeroGradOp):
    """Three outputs: the quantized data and its float32 range ``(1,)`` arrays."""

    def output_count(self, p):
        return 3

    def output_names(self, p):
        return ["output", "min_output", "max_output"]

    def _out_dtype(self, p):
        return np.dtype(np.uint8 if self._resolved(p) == "uint8" else np.int8)

    def _resolved(self, p):
        return p.out_type

    def infer_type(self, p, dtypes):
        ins = [d if d is not None else np.dtype(F32) for d in dtypes]
        return ins, [self._out_dtype(p), np.dtype(F32), np.dtype(F32)]


def _range_inputs_shape(op, shapes):
    for name, shape in zip(("min_range", "max_range"), shapes[1:]):
        if shape is not None and tuple(shape) != (1,):
            raise ShapeError(f"{op}: {name} must have shape (1,), got {tuple(shape)}")
    return [shapes[0], (1,), (1,)]


@register
class _contrib_quantize(_QuantizeBase):
    """float32 ``data`` quantized to int8 / uint8 over the range given by ``min_range`` and ``max_range``."""
    inputs = ("data", "min_range", "max_range")
    params = {"out_type": Param("str", "uint8", ("int8", "uint8"))}

    def infer_shape(self, p, shapes):
        return _range_inputs_shape("quantize", shapes), [shapes[0], (1,), (1,)]

    def compute(self, p, inputs):
        x, lo, hi = inputs
        _check_float32("quantize", x)
        return _quantize(x, _scalar(lo), _scalar(hi), p.out_type)


def _calibrated_type(p):
    """MXNet's GetQuantizeOutputType: ``auto`` is uint8 for a calibration range starting at 0 or above."""
    if p.out_type != "auto":
        return p.out_type
    calibrated = p.min_calib_range is not None and p.max_calib_range is not None
    return "uint8" if calibrated and p.min_calib_range >= 0 else "int8"


@register
class _contrib_quantize_v2(_QuantizeBase):
    """float32 ``data`` quantized over the calibration range (else the data's own min and max); int8 / uint8
    data passes through with its range (the calibration range, else the type's)."""
    params = {"out_type": Param("str", "int8", _OUT_TYPES), "min_calib_range": Param("float", None),
              "max_calib_range": Param("float", None)}

    def _resolved(self, p):
        return _calibrated_type(p)

    def infer_shape(self, p, shapes):
        return shapes, [shapes[0], (1,), (1,)]

    def infer_type(self, p, dtypes):
        ins, outs = super().infer_type(p, dtypes)
        return ins, [ins[0] if ins[0] in (np.dtype(np.int8), np.dtype(np.uint8)) else outs[0]] + outs[1:]

    def compute(self, p, inputs):
        x = inputs[0]
        calibrated = p.min_calib_range is not None and p.max_calib_range is not None
        if x.dtype in (np.int8, np.uint8):
            lo, hi = (p.min_calib_range, p.max_calib_range) if calibrated else \
                ((0.0, 255.0) if x.dtype == np.uint8 else (-127.0, 127.0))
            return [x.copy()] + _ranges(lo, hi)
        _check_float32("quantize_v2", x)
        if calibrated:
            lo, hi = F32(p.min_calib_range), F32(p.max_calib_range)
        else:
            lo, hi = (F32(x.min()), F32(x.max())) if x.size else (F32(0), F32(0))
        return _quantize(x, lo, hi, self._resolved(p))


@register
class _contrib_dequantize(ZeroGradOp):
    """int8 / uint8 ``data`` back to float32 over the range given by ``min_range`` and ``max_range``."""
    inputs = ("data", "min_range", "max_range")
    params = {"out_type": Param("str", "float32", ("float32",))}

    def infer_shape(self, p, shapes):
        return _range_inputs_shape("dequantize", shapes), [shapes[0]]

    def infer_type(self, p, dtypes):
        return [dtypes[0], np.dtype(F32), np.dtype(F32)], [np.dtype(F32)]

    def compute(self, p, inputs):
        q, lo, hi = inputs
        lo, hi = _scalar(lo), _scalar(hi)
        if q.dtype == np.uint8:
            scale = F32((hi - lo) / F32(UINT8_LIMITS[1] - UINT8_LIMITS[0]))
            return [q.astype(F32) * scale + lo]
        if q.dtype == np.int8:
            return [q.astype(F32) * F32(max(abs(lo), abs(hi)) / INT8_RANGE)]
        raise MXNetError(f"dequantize: data must be int8 or uint8 (MXNet), got {q.dtype}")


@register
class _contrib_requantize(_QuantizeBase):
    """int32 ``data`` with range ``(min_range, max_range)`` to int8 over the calibration range, else over the
    data's own range (see the module docstring for ``out_type='uint8'``)."""
    inputs = ("data", "min_range", "max_range")
    params = {"out_type": Param("str", "int8", _OUT_TYPES), "min_calib_range": Param("float", None),
              "max_calib_range": Param("float", None)}

    def _resolved(self, p):
        return _calibrated_type(p)

    def infer_shape(self, p, shapes):
        return _range_inputs_shape("requantize", shapes), [shapes[0], (1,), (1,)]

    def compute(self, p, inputs):
        q, lo, hi = inputs
        if q.dtype != np.int32:
            raise MXNetError(f"requantize: data must be int32 (MXNet), got {q.dtype}")
        if self._resolved(p) == "uint8":
            raise MXNetError(f"requantize: MXNet's CPU kernel writes int8 only; a uint8 output (out_type="
                             f"{p.out_type!r}, min_calib_range={p.min_calib_range}) fails its data-type check")
        in_scale = F32(max(abs(_scalar(lo)), abs(_scalar(hi))) / INT32_RANGE)
        if p.min_calib_range is not None and p.max_calib_range is not None:
            real = max(abs(F32(p.min_calib_range)), abs(F32(p.max_calib_range)))
        else:
            extremes = (F32(q.min()) * in_scale, F32(q.max()) * in_scale) if q.size else (F32(0), F32(0))
            real = max(abs(extremes[0]), abs(extremes[1]))
        return [_zero_centred(q.astype(F32) * in_scale, real)] + _ranges(-real, real)
