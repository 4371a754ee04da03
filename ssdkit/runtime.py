"""``mx.runtime``: which of MXNet's compile-time features this build has (``Features().is_enabled('CUDA')``).

ssdkit is pure Python on numpy, so the answers describe what ssdkit itself offers: no GPU libraries, no
MKL-DNN, no OpenCV (images decode through Pillow), no int64 tensor-size build; the profiler and the distributed
kvstore-style data parallelism (MPI) exist. MXNet's tests read these to skip what a build lacks.

Examples
--------
>>> Features().is_enabled("cuda"), Features().is_enabled("PROFILER")
(False, True)
"""
import collections

__all__ = ["Feature", "feature_list", "Features"]

#: MXNet 1.9.1's feature names, in its order, with whether ssdkit provides the capability.
_FEATURES = (("CUDA", False), ("CUDNN", False), ("NCCL", False), ("CUDA_RTC", False), ("TENSORRT", False),
             ("CPU_SSE", False), ("CPU_SSE2", False), ("CPU_SSE3", False), ("CPU_SSE4_1", False),
             ("CPU_SSE4_2", False), ("CPU_SSE4A", False), ("CPU_AVX", False), ("CPU_AVX2", False),
             ("OPENMP", False), ("SSE", False), ("F16C", False), ("JEMALLOC", False), ("BLAS_OPEN", False),
             ("BLAS_ATLAS", False), ("BLAS_MKL", False), ("BLAS_APPLE", False), ("LAPACK", False),
             ("MKLDNN", False), ("OPENCV", False), ("CAFFE", False), ("PROFILER", True), ("DIST_KVSTORE", True),
             ("CXX14", False), ("INT64_TENSOR_SIZE", False), ("SIGNAL_HANDLER", False), ("DEBUG", False),
             ("TVM_OP", False))


class Feature:
    """One feature: ``name`` and ``enabled``.

    Examples
    --------
    >>> Feature("CUDA", False)
    ✖ CUDA
    """

    def __init__(self, name, enabled):
        self.name, self.enabled = name, bool(enabled)

    def __repr__(self):
        return ("✔ " if self.enabled else "✖ ") + self.name


def feature_list():
    """Every feature MXNet 1.9.1 reports, as :class:`Feature` objects.

    Examples
    --------
    >>> feature_list()[0]
    ✖ CUDA
    """
    return [Feature(name, enabled) for name, enabled in _FEATURES]


class Features(collections.OrderedDict):
    """Name -> :class:`Feature` (one shared instance, as MXNet's).

    Examples
    --------
    >>> "MKLDNN" in Features()
    True
    """
    instance = None

    def __new__(cls):
        if cls.instance is None:
            cls.instance = super().__new__(cls)
            collections.OrderedDict.__init__(cls.instance, [(f.name, f) for f in feature_list()])
        return cls.instance

    def __init__(self):  # filled once in __new__
        pass

    def __repr__(self):
        return str(list(self.values()))

    def is_enabled(self, feature_name):
        """Whether the feature is available; RuntimeError names the known features for an unknown one."""
        name = feature_name.upper()
        if name not in self:
            raise RuntimeError(f"Feature '{name}' is unknown, known features are: {list(self.keys())}")
        return self[name].enabled
