"""``mx.monitor.Monitor`` (``mx.mon``): statistics of the values an executor computes, every few batches.

Install it on an Executor (``Symbol.bind``) or a Module; between :meth:`Monitor.tic` and :meth:`Monitor.toc`
of a monitored batch, every op output (inputs too with ``monitor_all``) whose name matches ``pattern`` is
summarised by ``stat_func`` (default: ``norm(x) / sqrt(x.size)``); :meth:`Monitor.toc` adds the arguments and
auxiliary states and returns ``(batch, name, text)`` rows.

Examples
--------
>>> import ssdkit as mx
>>> ex = mx.sym.square(mx.sym.var('x'), name='square').simple_bind(mx.cpu(), x=(4,))
>>> mon = Monitor(1, pattern='.*output'); mon.install(ex)
>>> mon.tic(); _ = ex.forward(x=mx.nd.full((4,), 2.0))
>>> mon.toc()
[(1, 'square_output', '4.0\\t')]
"""
import logging
import re
from math import sqrt

from . import ndarray
from .ndarray import NDArray

__all__ = ["Monitor"]


def _mean_norm(x):
    """``norm(x) / sqrt(size(x))``."""
    return ndarray.norm(x) / sqrt(x.size)


class Monitor:
    """Collects ``stat_func`` of monitored values every ``interval`` batches (see the module docstring).

    Parameters
    ----------
    interval : int
        Monitor one batch in every ``interval``.
    stat_func : callable, optional
        NDArray -> NDArray (or a list of them) summarising one value.
    pattern : str
        Regular expression the value names must match (``'.*weight|.*output'``).
    sort : bool
        Return the rows sorted by name.
    monitor_all : bool
        Also monitor op inputs, not only outputs.

    Examples
    --------
    >>> Monitor(10).interval
    10
    """

    def __init__(self, interval, stat_func=None, pattern=".*", sort=False, monitor_all=False):
        self.stat_func = _mean_norm if stat_func is None else stat_func
        self.interval, self.sort, self.monitor_all = interval, sort, monitor_all
        self.activated, self.queue, self.step, self.exes = False, [], 0, []
        self.re_prog = re.compile(pattern)

    def stat_helper(self, name, array):
        """The executor callback: record ``stat_func(array)`` under ``name`` while a batch is monitored."""
        name = name.decode() if isinstance(name, bytes) else str(name)
        if not self.activated or not self.re_prog.match(name):
            return
        self.queue.append((self.step, name, self.stat_func(array)))

    def install(self, exe):
        """Monitor executor ``exe`` (its op values through ``set_monitor_callback``)."""
        exe.set_monitor_callback(self.stat_helper, self.monitor_all)
        self.exes.append(exe)

    def tic(self):
        """Start a batch: monitored when the batch count is a multiple of ``interval``."""
        if self.step % self.interval == 0:
            self.queue = []
            self.activated = True
        self.step += 1

    def toc(self):
        """End the batch: ``[(batch, name, text)]`` of its statistics (arguments and auxiliary states added),
        values tab-separated; empty for a batch not monitored."""
        if not self.activated:
            return []
        for exe in self.exes:
            for name, array in list(exe.arg_dict.items()) + list(exe.aux_dict.items()):
                if self.re_prog.match(name):
                    self.queue.append((self.step, name, self.stat_func(array)))
        self.activated = False
        rows = sorted(self.queue, key=lambda row: row[1]) if self.sort else self.queue
        self.queue = []
        out = []
        for step, name, values in rows:
            values = [values] if isinstance(values, NDArray) else values
            text = ""
            for value in values:
                text += (str(value.asscalar()) if value.shape in ((1,), ()) else str(value.asnumpy())) + "\t"
            out.append((step, name, text))
        return out

    def toc_print(self):
        """:meth:`toc`, logged at INFO level one row per line."""
        for step, name, text in self.toc():
            logging.info("Batch: %7d %30s %s", step, name, text)
