"""What the profiler writes: the chrome://tracing file (:func:`dump`) and the aggregate table (:func:`dumps`).

Examples
--------
>>> import json, ssdkit as mx
>>> mx.profiler.set_config(aggregate_stats=True); mx.profiler.set_state("run")
>>> _ = mx.nd.ones((2,)) + 1
>>> mx.profiler.set_state("stop")
>>> [e["name"] for e in chrome_trace()["traceEvents"] if e["ph"] == "X"]
['_plus_scalar']
>>> mx.profiler.set_config()
"""
import json
import threading

from ..base import MXNetError, atomic_write
from . import recorder

__all__ = ["dump", "dumps", "chrome_trace", "check_choice", "check_process", "start_continuous_dump",
           "stop_continuous_dump"]

_SORT_KEYS = {"avg": lambda s: s[1] / s[0], "min": lambda s: s[2], "max": lambda s: s[3],
              "count": lambda s: s[0], "total": lambda s: s[1]}
_COLUMNS = ("Total Count", "Time (ms)", "Min Time (ms)", "Max Time (ms)", "Avg Time (ms)")


def check_choice(what, value, choices):
    """Raise an MXNetError naming ``what``, the accepted ``choices`` and ``value`` unless it is one of them.

    Examples
    --------
    >>> check_choice("format", "csv", ("table", "json"))
    Traceback (most recent call last):
    ...
    ssdkit.base.MXNetError: profiler: format must be one of ['table', 'json'], got 'csv'
    """
    if value not in choices:
        raise MXNetError(f"profiler: {what} must be one of {list(choices)}, got {value!r}")


def check_process(profile_process):
    """Only this process ('worker') is profiled: ssdkit has no kvstore server process.

    Examples
    --------
    >>> check_process("worker")
    """
    if profile_process != "worker":
        raise MXNetError("profiler: profile_process must be 'worker' (ssdkit has no kvstore server process), "
                         f"got {profile_process!r}")


def chrome_trace():
    """The records so far as a chrome://tracing document: one process row per category, ts/dur in µs.

    Examples
    --------
    >>> sorted(chrome_trace())
    ['displayTimeUnit', 'traceEvents']
    """
    pids, tids, body = {}, {}, []
    for ph, name, category, start, extra, thread, args in recorder.events_snapshot():
        pid = pids.setdefault(category, len(pids))
        event = {"name": name, "cat": category, "ph": ph, "ts": round(start / 1e3, 3), "pid": pid,
                 "tid": tids.setdefault(thread, len(tids))}
        if ph == "X":
            event["dur"] = round(extra / 1e3, 3)
        elif ph == "C":
            event["args"] = {name: extra}
        elif ph == "i":
            event["s"] = extra
        if args:
            event["args"] = args
        body.append(event)
    meta = [{"name": "process_name", "ph": "M", "pid": pid, "args": {"name": category}}
            for category, pid in pids.items()]
    return {"traceEvents": meta + body, "displayTimeUnit": "ms"}


def dump(finished=True, profile_process="worker"):
    """Write every record since :func:`set_config` to its ``filename`` as chrome://tracing JSON.

    Open the file in chrome://tracing or https://ui.perfetto.dev. Each dump rewrites the whole file.

    Parameters
    ----------
    finished : bool, default True
        Also end the continuous dump (if configured); recording goes on until ``set_state('stop')``.

    Examples
    --------
    >>> import json, os, tempfile, ssdkit as mx
    >>> path = os.path.join(tempfile.mkdtemp(), "trace.json")
    >>> mx.profiler.set_config(filename=path); mx.profiler.set_state("run")
    >>> mx.profiler.Marker(mx.profiler.Domain("demo"), "here").mark()
    >>> mx.profiler.set_state("stop"); mx.profiler.dump()
    >>> [e["ph"] for e in json.load(open(path))["traceEvents"]]
    ['M', 'i']
    """
    check_process(profile_process)
    if not recorder.ever_run:
        raise MXNetError("profiler.dump: the profiler has not run; call profiler.set_config(...) and "
                         "profiler.set_state('run') first")
    if finished:
        stop_continuous_dump()
    atomic_write(recorder.config["filename"], json.dumps(chrome_trace(), indent=1).encode(),
                 what="profiler.dump")


_dumper = None   # the stop event of the running continuous dump


def start_continuous_dump():
    """Rewrite the trace file every ``dump_period`` seconds (a daemon thread) until stopped.

    Examples
    --------
    >>> start_continuous_dump(); stop_continuous_dump()
    True
    """
    global _dumper
    with recorder.LOCK:
        if _dumper is not None:
            return
        stop = _dumper = threading.Event()

    def loop():
        while not stop.wait(recorder.config["dump_period"]):
            dump(finished=False)

    threading.Thread(target=loop, name="profiler-dump", daemon=True).start()


def stop_continuous_dump():
    """End the continuous dump, if one runs; returns whether one did.

    Examples
    --------
    >>> stop_continuous_dump()
    False
    """
    global _dumper
    with recorder.LOCK:
        stop, _dumper = _dumper, None
    if stop is None:
        return False
    stop.set()
    return True


def _ms(ns):
    return ns / 1e6


def dumps(reset=False, format="table", sort_by="avg", ascending=False):
    """The aggregate statistics (``aggregate_stats=True``) per category and name, in milliseconds.

    Parameters
    ----------
    reset : bool, default False
        Clear the statistics after reading them.
    format : {'table', 'json'}
    sort_by : {'avg', 'min', 'max', 'count', 'total'}
        Order of the rows within each category.
    ascending : bool, default False

    Returns
    -------
    str
        MXNet's table (a section per category with Name, Total Count, Time (ms), Min / Max / Avg Time (ms)),
        or JSON ``{"Time": {category: {name: {"Count", "Total", "Min", "Max", "Avg"}}}, "Memory": {},
        "Unit": ...}``. Ops are in category ``operator``; tasks and frames in their domain's; events in
        ``event``. Counters and markers are in the trace only.

    Examples
    --------
    >>> import json, ssdkit as mx
    >>> mx.profiler.set_config(aggregate_stats=True); mx.profiler.set_state("run")
    >>> _ = mx.nd.ones((3,)) * 2
    >>> mx.profiler.set_state("stop")
    >>> json.loads(dumps(format="json"))["Time"]["operator"]["_mul_scalar"]["Count"]
    1
    >>> print("\\n".join(dumps(sort_by="total").splitlines()[1:4]))
    Profile Statistics:
    	Note the difference in units for different entries.
    operator
    >>> mx.profiler.set_config()
    """
    check_choice("format", format, ("table", "json"))
    check_choice("sort_by", sort_by, tuple(_SORT_KEYS))
    key, sign = _SORT_KEYS[sort_by], 1 if ascending else -1
    stats = {cat: sorted(names.items(), key=lambda item: (sign * key(item[1]), item[0]))
             for cat, names in recorder.stats_snapshot().items()}
    if reset:
        recorder.clear_stats()
    if format == "json":
        times = {cat: {name: {"Count": s[0], "Total": _ms(s[1]), "Min": _ms(s[2]), "Max": _ms(s[3]),
                              "Avg": _ms(s[1] / s[0])} for name, s in rows} for cat, rows in stats.items()}
        return json.dumps({"Time": times, "Memory": {}, "Unit": {"Time": "ms", "Memory": "kb"}}, indent=4)
    lines = ["", "Profile Statistics:", "\tNote the difference in units for different entries."]
    if not recorder.config["aggregate_stats"]:
        lines.append("(aggregate statistics are off: call profiler.set_config(aggregate_stats=True) first)")
    width = max([25] + [len(name) + 2 for rows in stats.values() for name, _ in rows])
    for category, rows in stats.items():
        lines += [category, "=================", "Name".ljust(width) + " ".join(c.rjust(16) for c in _COLUMNS),
                  "----".ljust(width) + " ".join(("-" * len(c)).rjust(16) for c in _COLUMNS)]
        for name, (count, total, low, high) in rows:
            values = [f"{_ms(v):.4f}".rjust(16) for v in (total, low, high, total / count)]
            lines.append(name.ljust(width) + " ".join([str(count).rjust(16)] + values))
        lines.append("")
    return "\n".join(lines) + "\n"
