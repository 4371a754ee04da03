"""Configuring and switching the profiler: :func:`set_config`, :func:`set_state`, :func:`pause`, :func:`resume`.

Examples
--------
>>> import ssdkit as mx
>>> mx.profiler.set_config(profile_imperative=False); mx.profiler.set_state("run")
>>> from ssdkit.profiler import recorder
>>> recorder.imperative_on, recorder.symbolic_on
(False, True)
>>> mx.profiler.set_state("stop"); mx.profiler.set_config()
"""
from ..base import MXNetError
from . import recorder
from .output import check_choice, check_process, dump, start_continuous_dump, stop_continuous_dump

__all__ = ["set_config", "set_state", "pause", "resume"]

_BOOLEANS = {"true": True, "1": True, "false": False, "0": False}


def _parse(key, value):
    default = recorder.DEFAULTS[key]
    if isinstance(default, bool):
        parsed = _BOOLEANS.get(str(value).lower()) if isinstance(value, (bool, int, str)) else None
        if parsed is None:
            raise MXNetError(f"profiler.set_config: {key} must be a boolean, got {value!r}")
        return parsed
    if key == "dump_period":
        try:
            period = float(value)
        except (TypeError, ValueError):
            period = -1.0
        if not period > 0:
            raise MXNetError(f"profiler.set_config: dump_period must be a number of seconds > 0, got {value!r}")
        return period
    if key == "profile_process":
        check_process(value)
    return str(value)


def set_config(**kwargs):
    """Configure the profiler and start a new trace; keys not given take their defaults (as in MXNet).

    Parameters
    ----------
    filename : str, default 'profile.json'
        Where :func:`dump` writes the chrome://tracing JSON.
    profile_all : bool, default False
        Everything below on.
    profile_symbolic, profile_imperative : bool, default True
        Record the ops of hybridized graphs / of imperative calls (``nd.*``, non-hybridized blocks).
    profile_memory, profile_api : bool, default True
        Accepted for MXNet compatibility; ssdkit records no memory or C-API events.
    continuous_dump : bool, default False
        While running, rewrite ``filename`` every ``dump_period`` seconds (MXNet's default is True).
    dump_period : float, default 1.0
    aggregate_stats : bool, default False
        Keep per-name count / total / min / max for :func:`dumps`.
    profile_process : {'worker'}

    Raises
    ------
    MXNetError
        For an unknown key (the message lists the accepted ones) or a bad value.

    Examples
    --------
    >>> set_config(profile_all=True, aggregate_stats=True, filename="step.json")
    >>> set_config(profile_everything=True)
    Traceback (most recent call last):
    ...
    ssdkit.base.MXNetError: profiler.set_config: unknown key 'profile_everything'; accepted keys are ...
    >>> set_config()
    """
    unknown = sorted(set(kwargs) - set(recorder.DEFAULTS))
    if unknown:
        raise MXNetError(f"profiler.set_config: unknown key{'s' if len(unknown) > 1 else ''} "
                         f"{', '.join(map(repr, unknown))}; accepted keys are {', '.join(recorder.DEFAULTS)}")
    config = dict(recorder.DEFAULTS)
    config.update({k: _parse(k, v) for k, v in kwargs.items()})
    with recorder.LOCK:
        stop_continuous_dump()
        recorder.configure(config)
        if recorder.recording and config["continuous_dump"]:
            start_continuous_dump()


def set_state(state="stop", profile_process="worker"):
    """Start (``'run'``) or stop (``'stop'``) recording; ``'run'`` also ends a :func:`pause`.

    Examples
    --------
    >>> set_state("run"); set_state("stop")
    >>> set_state("running")
    Traceback (most recent call last):
    ...
    ssdkit.base.MXNetError: profiler: state must be one of ['stop', 'run'], got 'running'
    """
    check_choice("state", state, ("stop", "run"))
    check_process(profile_process)
    running = state == "run"
    with recorder.LOCK:
        recorder.update(running=running, paused=not running)
        if running and recorder.config["continuous_dump"]:
            start_continuous_dump()
        elif not running and stop_continuous_dump():
            dump(finished=True)  # the last periodic dump holds everything


def pause(profile_process="worker"):
    """Stop recording until :func:`resume`; the trace so far is kept.

    Examples
    --------
    >>> set_state("run"); pause(); resume(); set_state("stop")
    """
    check_process(profile_process)
    recorder.update(paused=True)


def resume(profile_process="worker"):
    """Record again after :func:`pause`.

    Examples
    --------
    >>> pause(); resume()
    """
    check_process(profile_process)
    recorder.update(paused=False)
