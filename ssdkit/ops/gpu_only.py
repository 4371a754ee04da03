"""MXNet 1.9.1's GPU-only contrib operators ``fft``, ``ifft`` and ``count_sketch``.

MXNet's CPU build registers them (their parameters and shape rules, so symbols compose and infer shapes),
but creating one on the CPU stops with "fft is only available for GPU." (likewise "ifft ...",
"CountSketch ..."). ssdkit runs on the CPU only, so it does the same: the shape rule works, running raises
that MXNetError.

Examples
--------
>>> import ssdkit as mx
>>> mx.nd.contrib.fft(mx.nd.ones((2, 4)))
Traceback (most recent call last):
...
ssdkit.base.MXNetError: fft is only available for GPU.
>>> mx.sym.contrib.fft(mx.sym.var("x")).infer_shape(x=(2, 4))[1]
[(2, 8)]
"""
from ..base import MXNetError, ShapeError
from .registry import Op, Param, register

__all__ = []


class _GpuOnly(Op):
    """Shape rule as MXNet's; forward raises MXNet's CPU message (so there is never a gradient to take)."""
    message = None
    differentiable = False

    def forward(self, p, inputs, is_train):
        raise MXNetError(self.message)


class _Transform(_GpuOnly):
    """fft / ifft: the last axis of 2-D or 4-D data becomes ``last * 2`` (fft, real and imaginary parts
    interleaved) or ``last // 2`` (ifft)."""
    params = {"compute_size": Param("int", 128)}
    grow = True

    def infer_shape(self, p, shapes):
        data = shapes[0]
        if data is None:
            return shapes, [None]
        if len(data) not in (2, 4):
            raise ShapeError(f"{self.name[len('_contrib_'):]}: data must be 2-D or 4-D (MXNet), got shape {data}")
        return shapes, [tuple(data[:-1]) + (data[-1] * 2 if self.grow else data[-1] // 2,)]


@register
class _contrib_fft(_Transform):
    """FFT of the rows of 2-D or 4-D data (GPU only in MXNet): output interleaves real and imaginary parts."""
    message = "fft is only available for GPU."


@register
class _contrib_ifft(_Transform):
    """Inverse FFT of interleaved complex rows of 2-D or 4-D data (GPU only in MXNet)."""
    message = "ifft is only available for GPU."
    grow = False


@register
class _contrib_count_sketch(_GpuOnly):
    """Count sketch of 2-D or 4-D data with hash ``h`` and signs ``s`` (GPU only in MXNet)."""
    message = "CountSketch is only available for GPU."
    inputs = ("data", "h", "s")
    params = {"out_dim": Param("int"), "processing_batch_size": Param("int", 32)}

    def infer_shape(self, p, shapes):
        data = shapes[0]
        if data is None:
            return shapes, [None]
        if len(data) not in (2, 4):
            raise ShapeError(f"count_sketch: data must be 2-D or 4-D (MXNet), got shape {data}")
        return shapes, [tuple(data[:-1]) + (p.out_dim,)]
