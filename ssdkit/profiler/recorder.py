"""The profiler's state and its op hook: what is recorded, the records, and the per-op call timing.

``ndarray.invoke_op`` and the graph executor read :data:`imperative_on` / :data:`symbolic_on` once per
op (or per graph run) and, only when set, call the op through :func:`run_op`. Everything else in
:mod:`ssdkit.profiler` reads and changes the state through the functions here.

Examples
--------
>>> from ssdkit.profiler import recorder
>>> recorder.configure(dict(recorder.DEFAULTS, aggregate_stats=True)); recorder.update(running=True, paused=False)
>>> recorder.symbolic_on, recorder.run_op("Convolution", max, (2, 3))
(True, 3)
>>> recorder.update(running=False); recorder.stats_snapshot()["operator"]["Convolution"][0]
1
>>> recorder.configure(recorder.DEFAULTS)
"""
import threading
import time
import warnings

__all__ = ["DEFAULTS", "run_op", "backward_name", "record", "configure", "update", "events_snapshot",
           "stats_snapshot", "clear_stats", "now"]

#: Read by ``invoke_op`` / the graph executor: True while imperative / symbolic ops are recorded.
imperative_on = False
symbolic_on = False
#: True while Task/Frame/Event/Counter/Marker records go in (running and not paused).
recording = False
#: True once ``set_state('run')`` was called (``dump`` needs a run to write).
ever_run = False

#: set_config's keys and defaults (MXNet's, except continuous_dump, off here).
DEFAULTS = {"filename": "profile.json", "profile_all": False, "profile_symbolic": True,
            "profile_imperative": True, "profile_memory": True, "profile_api": True, "continuous_dump": False,
            "dump_period": 1.0, "aggregate_stats": False, "profile_process": "worker"}
MAX_EVENTS = 1_000_000  # ~100 MB of records; later events are dropped, with one warning

LOCK = threading.RLock()
config = dict(DEFAULTS)
_running = False
_paused = False
_T0 = time.perf_counter_ns()
_events = []   # (ph, name, category, start_ns, duration_ns | counter value | scope char, thread id, args)
_stats = {}    # category -> name -> [count, total_ns, min_ns, max_ns]
now = time.perf_counter_ns


def _refresh():
    global imperative_on, symbolic_on, recording
    recording = _running and not _paused
    imperative_on = recording and (config["profile_all"] or config["profile_imperative"])
    symbolic_on = recording and (config["profile_all"] or config["profile_symbolic"])


def configure(new_config):
    """Replace the configuration and start a new trace (records and statistics cleared).

    Examples
    --------
    >>> configure(dict(DEFAULTS, profile_imperative=False)); imperative_on
    False
    >>> configure(DEFAULTS)
    """
    with LOCK:
        config.clear()
        config.update(new_config)
        _events.clear()
        _stats.clear()
        _refresh()


def update(running=None, paused=None):
    """Set the running and/or paused state and recompute the hook flags.

    Examples
    --------
    >>> update(running=True, paused=True); recording
    False
    >>> update(running=False, paused=False)
    """
    global _running, _paused, ever_run
    with LOCK:
        if running is not None:
            _running = running
            ever_run = ever_run or running
        if paused is not None:
            _paused = paused
        _refresh()


def record(ph, name, category, start, extra, args=None):
    """Append one trace record (``ph`` 'X': ``extra`` is the duration in ns; 'C': the value; 'i': the scope).

    Complete ('X') records also update the aggregate statistics when ``aggregate_stats`` is on.

    Examples
    --------
    >>> configure(DEFAULTS); record("i", "start", "demo", now(), "p"); events_snapshot()[0][:3]
    ('i', 'start', 'demo')
    >>> configure(DEFAULTS)
    """
    with LOCK:
        if len(_events) >= MAX_EVENTS:
            if len(_events) == MAX_EVENTS:
                warnings.warn(f"profiler: {MAX_EVENTS} events recorded; later ones are dropped (dump, then "
                              "call set_config() to start a new trace)")
                _events.append(None)
            return
        _events.append((ph, name, category, start, extra, threading.get_ident(), args))
        if ph == "X" and config["aggregate_stats"]:
            stat = _stats.setdefault(category, {}).get(name)
            if stat is None:
                _stats[category][name] = [1, extra, extra, extra]
            else:
                stat[0] += 1
                stat[1] += extra
                stat[2] = min(stat[2], extra)
                stat[3] = max(stat[3], extra)


def run_op(name, fn, args, node=None):
    """Call ``fn(*args)`` and record it as an ``operator`` span named ``name``; returns ``fn``'s result.

    ``node`` (a graph node's name) goes into the trace event's ``args``.

    Examples
    --------
    >>> run_op("add", lambda a, b: a + b, (1, 2))
    3
    """
    start = now()
    result = fn(*args)
    record("X", name, "operator", start, now() - start, {"node": node} if node else None)
    return result


def backward_name(name):
    """MXNet's name for the backward of op ``name``.

    Examples
    --------
    >>> backward_name("Convolution"), backward_name("_plus_scalar")
    ('_backward_Convolution', '_backward_plus_scalar')
    """
    return "_backward_" + name.lstrip("_")


def events_snapshot():
    """A copy of the records so far, timestamps in ns since the profiler was imported.

    Examples
    --------
    >>> isinstance(events_snapshot(), list)
    True
    """
    with LOCK:
        return [(e[0], e[1], e[2], e[3] - _T0) + e[4:] for e in _events if e is not None]


def stats_snapshot():
    """A copy of the aggregate statistics: category -> name -> [count, total_ns, min_ns, max_ns].

    Examples
    --------
    >>> isinstance(stats_snapshot(), dict)
    True
    """
    with LOCK:
        return {cat: {name: list(s) for name, s in names.items()} for cat, names in _stats.items()}


def clear_stats():
    """Forget the aggregate statistics (the trace records stay).

    Examples
    --------
    >>> clear_stats(); stats_snapshot()
    {}
    """
    with LOCK:
        _stats.clear()
