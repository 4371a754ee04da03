"""Layer 1: every operator once (forward, backward, shape rule side by side), in one registry.

Importing this package registers all ops; ``get_op(name)`` finds one, ``list_ops()`` lists them.

Examples
--------
>>> from ssdkit.ops import get_op, list_ops
>>> len(list_ops()) > 100
True
"""
from .registry import Op, Param, Params, REQUIRED, register, get_op, list_ops, alias_of
from . import elemwise, shape, reduce, nn, pooling, batchnorm, contrib_box, fused, random, sync_batchnorm, contrib_match, l2_normalization, loss_ops, output_ops  # noqa: F401  (registration side effects)
from . import image, image_color, sampler  # noqa: F401  (registration side effects)
from . import numpy_reduce, numpy_ops, numpy_rearrange, numpy_random, numpy_linalg, numpy_misc, numpy_elemwise, numpy_percentile, sequence  # noqa: F401  (NumPy-rule ops behind mx.np / mx.npx; Sequence* ops)
from . import rnn  # noqa: F401  (the fused RNN op and _rnn_param_concat)
from . import ctc  # noqa: F401  (CTCLoss)
from . import optimizer_ops  # noqa: F401  (sgd_update, adam_update, multi_* ... and the AMP / LARS helpers)
from . import norm, spatial, roi, nn_extra, grid, correlation  # noqa: F401  (norms; Pad, UpSampling, Crop, resize; ROI pooling; im2col ...)
from . import deformable  # noqa: F401  (_contrib_DeformableConvolution, _contrib_ModulatedDeformableConvolution)
from . import proposal, psroi, rroi  # noqa: F401  (R-CNN ops: _contrib_Proposal / MultiProposal, (Deformable)PSROIPooling, RROIAlign)
from . import random_pdf  # noqa: F401  (_random_pdf_<dist>: densities of the sampling distributions)
from . import linalg, special, indexing, contrib_math, random_like, control_flow  # noqa: F401  (linalg_* matrix ops; gamma, erfinv, nansum, ...)
from . import loss_binary, legacy_v1, sparse_reg, gpu_only, transformer, hawkes, group_adagrad, quantization  # noqa: F401  (softmax_cross_entropy; *_v1; KL sparse reg; fft stops; interleaved attention; hawkesll; group_adagrad_update; quantize ops)

__all__ = ["Op", "Param", "Params", "REQUIRED", "register", "get_op", "list_ops", "alias_of"]
