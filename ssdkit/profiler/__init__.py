"""MXNet's profiler (``mx.profiler``): where a training step's time goes, operator by operator.

While the profiler runs, every registry op call is timed: imperative ones (``nd.*``, non-hybridized
blocks) and the steps of hybridized graphs, forward and backward (named as MXNet does,
``_backward_Convolution``). :func:`dump` writes the records as a chrome://tracing file; with
``aggregate_stats=True``, :func:`dumps` prints count / total / min / max / average milliseconds per op.
:class:`Domain`, :class:`Task`, :class:`Frame`, :class:`Event`, :class:`Counter` and :class:`Marker` add
your own spans and values to the same trace.

Off, it costs one flag check per op (read by ``ndarray.invoke_op`` and the graph executor).

Differences from MXNet 1.9: each op is timed on the calling thread around its numpy work (which runs
synchronously, so no engine queueing is hidden or counted); ``profile_memory`` and ``profile_api`` record
nothing; ``continuous_dump`` defaults to False and every dump rewrites the whole file; imperative ops are
profiled by default even before :func:`set_config`; :func:`set_config` starts a new trace.

Examples
--------
>>> import os, tempfile, ssdkit as mx
>>> mx.profiler.set_config(aggregate_stats=True, filename=os.path.join(tempfile.mkdtemp(), "p.json"))
>>> mx.profiler.set_state("run")
>>> y = mx.nd.relu(mx.nd.ones((2, 2)))
>>> mx.profiler.set_state("stop")
>>> "relu" in mx.profiler.dumps()
True
>>> mx.profiler.dump()
>>> mx.profiler.set_config()
"""
import warnings

from .output import check_choice
from .control import set_config, set_state, pause, resume
from .output import dump, dumps
from .objects import Domain, Task, Frame, Event, Counter, Marker

__all__ = ["set_config", "set_state", "pause", "resume", "dump", "dumps", "Domain", "Task", "Frame", "Event",
           "Counter", "Marker", "profiler_set_config", "profiler_set_state", "dump_profile"]


def profiler_set_config(mode="symbolic", filename="profile.json"):
    """Deprecated: ``set_config(profile_<mode>=True, filename=filename)``.

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     profiler_set_config("all", "p.json")
    >>> str(caught[0].message)
    'profiler.profiler_set_config() is deprecated. Please use profiler.set_config() instead'
    >>> set_config()
    """
    warnings.warn("profiler.profiler_set_config() is deprecated. Please use profiler.set_config() instead",
                  stacklevel=2)
    check_choice("mode", mode, ("symbolic", "imperative", "all"))
    set_config(**{f"profile_{mode}": True, "filename": filename})


def profiler_set_state(state="stop"):
    """Deprecated: :func:`set_state`.

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings(record=True):
    ...     profiler_set_state("stop")
    """
    warnings.warn("profiler.profiler_set_state() is deprecated. Please use profiler.set_state() instead",
                  stacklevel=2)
    set_state(state)


def dump_profile():
    """Deprecated: :func:`dump`.

    Examples
    --------
    >>> import os, tempfile, warnings
    >>> set_config(filename=os.path.join(tempfile.mkdtemp(), "p.json")); set_state("run"); set_state("stop")
    >>> with warnings.catch_warnings(record=True):
    ...     dump_profile()
    >>> set_config()
    """
    warnings.warn("profiler.dump_profile() is deprecated. Please use profiler.dump() instead", stacklevel=2)
    dump(True)
