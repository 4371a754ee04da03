"""Your own records in the trace: :class:`Domain` groups :class:`Task`, :class:`Frame`, :class:`Counter` and
:class:`Marker`; :class:`Event` stands alone. Spans are recorded only while the profiler runs unpaused.

Examples
--------
>>> import ssdkit as mx
>>> mx.profiler.set_config(aggregate_stats=True); mx.profiler.set_state("run")
>>> step = mx.profiler.Domain("train").new_task("step")
>>> step.start(); step.stop()
>>> mx.profiler.set_state("stop")
>>> '"step"' in mx.profiler.dumps(format="json")
True
>>> mx.profiler.set_config()
"""
from ..base import MXNetError
from . import recorder
from .output import check_choice

__all__ = ["Domain", "Task", "Frame", "Event", "Counter", "Marker"]

_SCOPES = {"global": "g", "process": "p", "thread": "t", "task": "p", "marker": "p"}


class Domain:
    """A named group of tasks, frames, counters and markers; its name is their category in trace and table.

    Examples
    --------
    >>> d = Domain("data"); str(d), d.new_task("decode").name
    ('data', 'decode')
    """

    def __init__(self, name):
        self.name = name

    def __str__(self):
        return self.name

    def new_task(self, name):
        """A :class:`Task` in this domain.

        Examples
        --------
        >>> Domain("d").new_task("t").domain.name
        'd'
        """
        return Task(self, name)

    def new_frame(self, name):
        """A :class:`Frame` in this domain.

        Examples
        --------
        >>> Domain("d").new_frame("f").name
        'f'
        """
        return Frame(self, name)

    def new_counter(self, name, value=None):
        """A :class:`Counter` in this domain, optionally set to ``value``.

        Examples
        --------
        >>> Domain("d").new_counter("c", 3).value
        3
        """
        return Counter(self, name, value)

    def new_marker(self, name):
        """A :class:`Marker` in this domain.

        Examples
        --------
        >>> Domain("d").new_marker("m").name
        'm'
        """
        return Marker(self, name)


class _Duration:
    """A span timed by ``start()`` / ``stop()`` (or ``with``), recorded like an op in ``category``."""

    def __init__(self, name, category):
        self.name, self._category, self._start = name, category, None

    def __str__(self):
        return self.name

    def start(self):
        """Start timing.

        Examples
        --------
        >>> e = Event("load"); e.start(); e.stop()
        """
        self._start = recorder.now()

    def stop(self):
        """Stop timing; the span is recorded if the profiler is running and not paused.

        Examples
        --------
        >>> Event("never started").stop()
        Traceback (most recent call last):
        ...
        ssdkit.base.MXNetError: profiler: Event 'never started' stopped without start()
        """
        if self._start is None:
            raise MXNetError(f"profiler: {type(self).__name__} {self.name!r} stopped without start()")
        start, self._start = self._start, None
        if recorder.recording:
            recorder.record("X", self.name, self._category, start, recorder.now() - start)

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()


class _DomainDuration(_Duration):
    """A span recorded in its domain's category."""

    def __init__(self, domain, name):
        super().__init__(name, domain.name)
        self.domain = domain


class Task(_DomainDuration):
    """A unit of work timed by ``start()`` / ``stop()`` (or ``with``); all its passes aggregate together.

    Examples
    --------
    >>> with Task(Domain("train"), "step"):
    ...     pass
    """


class Frame(_DomainDuration):
    """A span that recurs once per iteration (a batch), timed by ``start()`` / ``stop()`` (or ``with``).

    Examples
    --------
    >>> f = Frame(Domain("train"), "batch"); f.start(); f.stop()
    """


class Event(_Duration):
    """A span without a domain (category ``event``), timed by ``start()`` / ``stop()`` (or ``with``).

    Examples
    --------
    >>> with Event("checkpoint"):
    ...     pass
    """

    def __init__(self, name):
        super().__init__(name, "event")


class Counter:
    """A value tracked over time: each change while recording is a counter record (``"ph": "C"``).

    Examples
    --------
    >>> c = Counter(Domain("data"), "queued", 2)
    >>> c += 3; c -= 1; c.value
    4
    """

    def __init__(self, domain, name, value=None):
        self.domain, self.name, self.value = domain, name, 0
        if value is not None:
            self.set_value(value)

    def __str__(self):
        return self.name

    def set_value(self, value):
        """Set the counter to ``value``.

        Examples
        --------
        >>> c = Counter(Domain("d"), "c"); c.set_value(7); c.value
        7
        """
        self.value = int(value)
        if recorder.recording:
            recorder.record("C", self.name, self.domain.name, recorder.now(), self.value)

    def increment(self, delta=1):
        """Add ``delta``.

        Examples
        --------
        >>> c = Counter(Domain("d"), "c"); c.increment(2); c.value
        2
        """
        self.set_value(self.value + int(delta))

    def decrement(self, delta=1):
        """Subtract ``delta``.

        Examples
        --------
        >>> c = Counter(Domain("d"), "c", 5); c.decrement(); c.value
        4
        """
        self.set_value(self.value - int(delta))

    def __iadd__(self, delta):
        self.increment(delta)
        return self

    def __isub__(self, delta):
        self.decrement(delta)
        return self


class Marker:
    """An instant in time (``"ph": "i"``) in a domain.

    Examples
    --------
    >>> Marker(Domain("train"), "epoch 1").mark("global")
    """

    def __init__(self, domain, name):
        self.domain, self.name = domain, name

    def mark(self, scope="process"):
        """Record the instant; ``scope`` is 'global', 'process', 'thread', 'task' or 'marker'.

        Examples
        --------
        >>> Marker(Domain("d"), "m").mark("galaxy")
        Traceback (most recent call last):
        ...
        ssdkit.base.MXNetError: profiler: scope must be one of [...], got 'galaxy'
        """
        check_choice("scope", scope, tuple(_SCOPES))
        if recorder.recording:
            recorder.record("i", self.name, self.domain.name, recorder.now(), _SCOPES[scope])
