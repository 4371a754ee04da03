"""Worker processes for data loading, and the per-task seeding that makes their output reproducible.

Every task (a DataLoader batch, an ImageDetIter sample) runs under its own seed, derived from
``(base seed, epoch, task index)``: :func:`seeded` points ``mx.random``'s generator, ``numpy.random`` and
``random`` at streams made from that seed for the duration of the task. A task therefore draws the same
random numbers whichever process runs it, so 0, 1 or 8 workers give identical batches. Each worker is
also seeded from ``(base seed, worker id)`` when it starts.

Workers are ``multiprocessing`` processes (``fork`` where the platform has it, so the dataset is inherited
rather than sent). Tasks and results cross the process boundary through :mod:`._transport` (JSON plus raw
numpy buffers, never pickle): NDArrays travel as numpy buffers and are rebuilt on the other side.

Examples
--------
>>> import numpy as np
>>> from ssdkit.base import get_rng
>>> with seeded([1, 2, 3]):
...     a = get_rng().random()
>>> with seeded([1, 2, 3]):
...     a == get_rng().random()
True
"""
import contextlib
import multiprocessing
import os
import queue
import random
import select
import signal
import socket
import threading
import traceback
from collections import deque

import numpy as np

from ...base import MXNetError, get_rng, seed_rng
from . import _transport

__all__ = ["seeded", "task_seed", "WorkerPool", "WorkerError"]

#: Seconds between liveness checks while waiting for a worker.
_POLL_SECONDS = 1.0
_STOP = None   # the message that ends a worker loop


class WorkerError(MXNetError):
    """A worker process failed, died, or did not answer in time.

    Examples
    --------
    >>> issubclass(WorkerError, MXNetError)
    True
    """


def task_seed(*parts):
    """The entropy list of a task seed: non-negative integers (e.g. base seed, epoch, index).

    Examples
    --------
    >>> task_seed(7, 0, 3)
    [7, 0, 3]
    """
    return [int(p) for p in parts]


def _streams(entropy):
    seq = np.random.SeedSequence(entropy)
    words = seq.generate_state(2)   # one word for numpy's legacy global state, one for `random`
    return seq, int(words[0]), int(words[1])


@contextlib.contextmanager
def seeded(entropy):
    """Run a block with ``mx.random``, ``numpy.random`` and ``random`` seeded from ``entropy``; restore after.

    Parameters
    ----------
    entropy : list of int
        E.g. ``task_seed(base_seed, epoch, index)``.

    Examples
    --------
    >>> import random
    >>> with seeded([0]):
    ...     x = random.random()
    >>> with seeded([0]):
    ...     x == random.random()
    True
    """
    generator = get_rng()
    saved = generator.bit_generator.state, np.random.get_state(), random.getstate()
    seq, np_word, py_word = _streams(entropy)
    generator.bit_generator.state = type(generator.bit_generator)(seq).state
    np.random.seed(np_word)
    random.seed(py_word)
    try:
        yield
    finally:
        generator.bit_generator.state = saved[0]
        np.random.set_state(saved[1])
        random.setstate(saved[2])


def _context():
    methods = multiprocessing.get_all_start_methods()
    # fork shares the dataset with the workers without serializing it; other methods must send it
    return multiprocessing.get_context("fork" if "fork" in methods else methods[0])


def _inbox(conn):
    """A thread that keeps reading tasks, so the parent never blocks sending while we send a result."""
    inbox = queue.SimpleQueue()

    def read():
        while True:
            try:
                message = _transport.recv(conn)
            except (EOFError, OSError, ValueError):
                message = _STOP
            inbox.put(message)
            if message is _STOP:
                return
    threading.Thread(target=read, daemon=True).start()
    return inbox


def _worker_loop(conn, fn, payload, worker_seed, parent_ends):
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # Ctrl-C is the parent's to handle
    for end in parent_ends:   # so that our socket reports EOF as soon as the parent is gone
        end.close()
    seq, np_word, py_word = _streams(worker_seed)
    seed_rng(seq)
    np.random.seed(np_word)
    random.seed(py_word)
    inbox = _inbox(conn)
    while (message := inbox.get()) is not _STOP:
        ticket, entropy, task = message
        try:
            with seeded(entropy):
                reply = ("ok", ticket, fn(payload, task))
        except Exception as err:  # noqa: BLE001 - every failure is reported to the parent, with its traceback
            reply = ("error", ticket, f"{type(err).__name__}: {err}", traceback.format_exc())
        try:
            try:
                _transport.send(conn, reply)
            except _transport.TransportError as err:   # raised before any byte is sent
                _transport.send(conn, ("error", ticket, str(err), traceback.format_exc()))
        except OSError:
            break   # the parent is gone
    conn.close()


class WorkerPool:
    """``num_workers`` processes running ``fn(payload, task)`` under per-task seeds; results come back in order.

    Tasks are dealt round robin, so each worker answers its own tasks in submission order. Results of
    tasks nobody asked for (an abandoned epoch) are drained and dropped when a later ticket is requested.

    Parameters
    ----------
    num_workers : int
    fn : callable
        ``fn(payload, task) -> result``; a module-level function.
    payload : object
        Inherited by the workers (e.g. the dataset and batchify function).
    base_seed : int
        Worker ``i`` starts seeded from ``(base_seed, i)``.
    timeout : float
        Seconds to wait for one result.
    name : str
        Names the owner in error messages.

    Examples
    --------
    >>> pool = WorkerPool(1, lambda payload, task: payload + task, 10, base_seed=0)
    >>> t = pool.submit(5, task_seed(0, 0, 0)); pool.result(t)
    15
    >>> pool.close()
    """

    def __init__(self, num_workers, fn, payload, base_seed, timeout=120, name="DataLoader"):
        if int(num_workers) < 1:
            raise MXNetError(f"{name}: a worker pool needs num_workers >= 1, got {num_workers}")
        self.name = name
        self.timeout = float(timeout)
        ctx = _context()
        self._conns, self._procs, self._pending = [], [], []
        for worker_id in range(int(num_workers)):
            parent, child = socket.socketpair()
            proc = ctx.Process(target=_worker_loop, daemon=True, name=f"{name}-worker-{worker_id}",
                               args=(child, fn, payload, task_seed(base_seed, worker_id), self._conns + [parent]))
            proc.start()
            child.close()
            self._conns.append(parent)
            self._procs.append(proc)
            self._pending.append(deque())
        self._owner = {}
        self._next_ticket = 0
        self._pid = os.getpid()

    @property
    def num_workers(self):
        """Number of worker processes.

        Examples
        --------
        >>> pool = WorkerPool(2, lambda p, t: t, None, 0); pool.num_workers
        2
        >>> pool.close()
        """
        return len(self._procs)

    @property
    def outstanding(self):
        """Tasks submitted whose results were not read yet.

        Examples
        --------
        >>> pool = WorkerPool(1, lambda p, t: t, None, 0); _ = pool.submit(1, [0]); pool.outstanding
        1
        >>> pool.close()
        """
        return sum(len(p) for p in self._pending)

    def submit(self, task, entropy):
        """Queue ``task`` to run under seed ``entropy``; returns its ticket.

        Examples
        --------
        >>> pool = WorkerPool(1, lambda p, t: t * 2, None, 0)
        >>> pool.result(pool.submit(21, [0]))
        42
        >>> pool.close()
        """
        self._check_open("submit")
        ticket = self._next_ticket
        self._next_ticket += 1
        worker = ticket % len(self._conns)
        try:
            _transport.send(self._conns[worker], (ticket, list(entropy), task))
        except (BrokenPipeError, OSError) as err:
            self._fail(f"cannot send a task to worker {worker}: {err}{self._exit_note(worker)}")
        self._pending[worker].append(ticket)
        self._owner[ticket] = worker
        return ticket

    def result(self, ticket):
        """Block until the result of ``ticket`` arrives (dropping stale results queued before it).

        Raises
        ------
        WorkerError
            The task raised (the message carries the worker's traceback), the worker died, or no
            answer came within ``timeout`` seconds.

        Examples
        --------
        >>> pool = WorkerPool(1, lambda p, t: 1 // t, None, 0)
        >>> pool.result(pool.submit(0, [0]))
        Traceback (most recent call last):
        ...
        ssdkit.gluon.data._workers.WorkerError: DataLoader: worker 0 failed on task 0: ZeroDivisionError: ...
        >>> pool.close()
        """
        self._check_open("result")
        worker = self._owner.get(ticket)
        if worker is None or ticket not in self._pending[worker]:
            raise WorkerError(f"{self.name}: ticket {ticket} is not pending")
        while True:
            reply = self._receive(worker, ticket)
            head = self._pending[worker].popleft()
            del self._owner[head]
            if head == ticket:
                break
        if reply[0] == "error":
            raise WorkerError(f"{self.name}: worker {worker} failed on task {ticket}: {reply[2]}\n"
                              f"--- worker traceback ---\n{reply[3]}")
        return reply[2]

    def _receive(self, worker, ticket):
        conn, waited = self._conns[worker], 0.0
        while not select.select([conn], [], [], _POLL_SECONDS)[0]:
            waited += _POLL_SECONDS
            if not self._procs[worker].is_alive():
                self._fail(f"worker {worker} died{self._exit_note(worker)} before returning task {ticket}")
            if waited >= self.timeout:
                self._fail(f"worker {worker} returned nothing for task {ticket} within {self.timeout:g} s "
                           f"(slow transform? raise DataLoader(timeout=...))")
        try:
            return _transport.recv(conn)
        except (EOFError, OSError) as err:
            self._fail(f"lost worker {worker}{self._exit_note(worker)} while receiving task {ticket}: {err!r}")

    def _exit_note(self, worker):
        proc = self._procs[worker]
        proc.join(0.1)
        return "" if proc.exitcode is None else f" (exit code {proc.exitcode})"

    def _fail(self, message):
        self.close()
        raise WorkerError(f"{self.name}: {message}")

    def _check_open(self, op):
        if not self._procs:
            raise WorkerError(f"{self.name}: WorkerPool.{op} after close()")

    @property
    def closed(self):
        """True once :meth:`close` ran (or a failure closed the pool).

        Examples
        --------
        >>> pool = WorkerPool(1, lambda p, t: t, None, 0); pool.closed
        False
        >>> pool.close()
        """
        return not self._procs

    def close(self):
        """Stop the workers (politely, then by force); safe to call twice.

        Examples
        --------
        >>> pool = WorkerPool(1, lambda p, t: t, None, 0); pool.close(); pool.closed
        True
        """
        if os.getpid() != getattr(self, "_pid", None):
            return   # a forked child never owns its parent's workers
        for conn in getattr(self, "_conns", []):
            with contextlib.suppress(OSError, ValueError):
                _transport.send(conn, _STOP)
        for proc in getattr(self, "_procs", []):
            proc.join(0.5)
            if proc.is_alive():
                proc.terminate()
                proc.join(0.5)
        for conn in getattr(self, "_conns", []):
            conn.close()
        self._conns, self._procs, self._pending, self._owner = [], [], [], {}

    def __del__(self):
        self.close()
