"""Layer 0: device contexts. ssdkit computes on the CPU; ``mx.gpu()`` exists so ported code can ask and be told.

Examples
--------
>>> from ssdkit.context import cpu, Context, current_context
>>> cpu()
cpu(0)
>>> cpu() == Context('cpu', 0) and current_context() == cpu()
True
"""
from .base import MXNetError

__all__ = ["Context", "cpu", "gpu", "cpu_pinned", "current_context", "num_gpus"]


class _DefaultContext:
    """``Context.default_ctx``: MXNet's deprecated class attribute for the default context (a warning says so)."""

    def __get__(self, obj, cls):
        import warnings
        warnings.warn("Context.default_ctx has been deprecated. Please use Context.current_context() instead. "
                      "Please use test_utils.set_default_context to set a default context", DeprecationWarning)
        return cls._default if cls._default is not None else cls("cpu", 0)


class Context:
    """A device description ``Context(device_type, device_id)`` as in MXNet; usable as a ``with`` block.

    Parameters
    ----------
    device_type : str
        ``'cpu'``, ``'cpu_pinned'`` or ``'gpu'`` (ssdkit only computes on the CPU: arrays refuse ``'gpu'``).
    device_id : int

    Examples
    --------
    >>> with Context('cpu', 0) as ctx:
    ...     print(ctx, current_context())
    cpu(0) cpu(0)
    """
    _stack = []
    _default = None  # set by mx.test_utils.set_default_context (MXNet's Context._default_ctx)
    default_ctx = _DefaultContext()

    def __init__(self, device_type="cpu", device_id=0):
        if isinstance(device_type, Context):
            device_type, device_id = device_type.device_type, device_type.device_id
        if device_type not in ("cpu", "gpu", "cpu_pinned", "cpu_shared"):
            raise MXNetError(f"Context: unknown device_type {device_type!r}; expected 'cpu' or 'gpu'")
        self.device_type, self.device_id = device_type, int(device_id)

    def __eq__(self, other):
        return isinstance(other, Context) and (self.device_type, self.device_id) == (other.device_type, other.device_id)

    def __hash__(self):
        return hash((self.device_type, self.device_id))

    def __repr__(self):
        return f"{self.device_type}({self.device_id})"

    def __enter__(self):
        Context._stack.append(self)
        return self

    def __exit__(self, *exc):
        Context._stack.pop()

    def empty_cache(self):
        """Nothing to release on the CPU; kept for API compatibility.

        Examples
        --------
        >>> cpu().empty_cache()
        """


def cpu(device_id=0):
    """The CPU context ``cpu(device_id)``.

    Examples
    --------
    >>> cpu(0).device_type
    'cpu'
    """
    return Context("cpu", device_id)


def cpu_pinned(device_id=0):
    """MXNet's pinned host memory context; identical to the CPU here.

    Examples
    --------
    >>> cpu_pinned()
    cpu_pinned(0)
    """
    return Context("cpu_pinned", device_id)


def gpu(device_id=0):
    """A GPU context description. ssdkit has no GPU backend: creating arrays on it raises a clear error.

    Examples
    --------
    >>> gpu(1)
    gpu(1)
    """
    return Context("gpu", device_id)


def num_gpus():
    """Number of GPUs ssdkit can use: always 0.

    Examples
    --------
    >>> num_gpus()
    0
    """
    return 0


def current_context():
    """The context of the innermost ``with ctx:`` block, else ``cpu(0)``.

    Examples
    --------
    >>> current_context()
    cpu(0)
    """
    if Context._stack:
        return Context._stack[-1]
    return Context._default if Context._default is not None else Context("cpu", 0)


def check_cpu(ctx, what="array"):
    """Return ``ctx`` as a Context, refusing GPU contexts with a message that says why.

    Examples
    --------
    >>> check_cpu(None)
    cpu(0)
    """
    ctx = current_context() if ctx is None else Context(ctx) if not isinstance(ctx, Context) else ctx
    if ctx.device_type == "gpu":
        raise MXNetError(f"cannot place {what} on {ctx}: ssdkit computes on the CPU only; use mx.cpu()")
    return ctx
