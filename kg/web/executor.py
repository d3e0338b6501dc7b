"""Run SPARQL in a pool of worker processes, so that a runaway query can be stopped.

``pyoxigraph.Store.query`` has no timeout and stays in Rust until it is done (it releases
the GIL, but nothing can interrupt it), so a query cannot be stopped inside the serving process:
a Python signal handler only runs between rows, and ``COUNT``/``ORDER BY`` over a cartesian
product never returns to Python before the end. Options, measured on a 2-core machine:

* a fresh process per request (fork or spawn): 5-40 ms each, over the whole latency budget;
* gunicorn's own worker timeout: kills the worker, the client sees a reset, not a 503;
* **a pool of long-lived worker processes** (chosen): each opens ``Store.read_only(path)`` once
  (7 ms on a 75k-triple store; again after each write, ``kg.lock``) and then answers jobs over a
  ``multiprocessing`` connection (one pickled message each way). The worker serialises the
  results itself with pyoxigraph and sends back only bytes (bounded by ``max_rows``), so the
  server builds no Python objects per row. On the deadline the parent SIGKILLs the worker
  (read-only RocksDB: nothing to corrupt; the kernel drops its shared lock) and answers 503;
  the other workers keep answering, and a successor starts in the background.

Workers are ``python -m kg.web.jobs FD PATH MEMORY_MB`` subprocesses (~70 ms to start; what
they do is in ``kg.web.jobs``), never forks of the multi-threaded server; one that passes its
memory cap exits, and the parent answers 503 naming the cap and starts a successor.

Long queries cannot hold every worker, nor the CPU: a job still running after ``long_after``
seconds has its worker's niceness raised to ``LONG_NICE`` (restored afterwards, or the worker
replaced where that is not allowed) and needs one of ``long_slots`` (fewer than the workers);
without one it runs on only while nobody waits for a worker, and is stopped (503) as soon as
someone does. So a light query gets a worker within about ``long_after`` plus a worker start,
however many runaways are running, and then the CPU before them.
"""

from __future__ import annotations

import os
import pickle
import select
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from kg.lock import generation
from kg.web.jobs import MEMORY_EXIT, Dump, Job, Result

#: The CPU niceness of a worker while it runs a long job, so that short jobs get the CPU first.
LONG_NICE = 10


class Stopped(Exception):
    """A job that did not finish: ``status`` 503 (ask again later) or 500 (a worker failed)."""

    status = 503


class QueryTimeout(Stopped):
    """The job ran past its deadline; its worker was killed."""


class MemoryCap(Stopped):
    """The job's worker passed its memory cap and was replaced."""


class Busy(Stopped):
    """Every long-query slot was taken and another job needed the worker."""


class WorkerFailed(Stopped, OSError):
    """The worker died for another reason (killed, crashed) or could not start."""

    status = 500


# --- parent side -------------------------------------------------------------------------

_NOTHING = object()


class _Process:
    """One worker: ``python -m kg.web.jobs FD PATH MEMORY_MB`` on a socket pair."""

    def __init__(self, path: str, memory_mb: int) -> None:
        ours, theirs = socket.socketpair()
        self.conn = Connection(ours.detach())
        # ``Connection.poll`` builds a selector per call (~10 us); one poll object per worker
        self._poller = select.poll()
        self._poller.register(self.conn.fileno(), select.POLLIN)
        with theirs:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "kg.web.jobs", str(theirs.fileno()), path,
                 str(memory_mb)],
                pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL)
        self.niceness = 0

    def ask(self, message: Any, timeout: float) -> Any:
        """Send ``message`` (unless ``_NOTHING``) and wait up to ``timeout`` s for the answer
        (``TimeoutError``; ``EOFError`` if the worker is gone)."""
        if message is not _NOTHING:
            self.conn.send_bytes(pickle.dumps(message, pickle.HIGHEST_PROTOCOL))
        if not self.ready(timeout):
            raise TimeoutError
        return self.conn.recv()

    def ready(self, timeout: float) -> bool:
        """Whether the worker's answer (or its end) arrives within ``timeout`` seconds."""
        return bool(self._poller.poll(max(timeout, 0.0) * 1000))

    def nice(self, niceness: int) -> bool:
        """Set the worker's CPU niceness; ``False`` if the system does not allow it."""
        if niceness == self.niceness:
            return True
        try:
            os.setpriority(os.PRIO_PROCESS, self.process.pid, niceness)
        except OSError:  # lowering niceness needs CAP_SYS_NICE; the worker may be gone
            return False
        self.niceness = niceness
        return True

    def exit_status(self) -> int | None:
        try:
            return self.process.wait(timeout=1.0)
        except subprocess.TimeoutExpired:
            return None

    def kill(self) -> None:
        self.process.kill()
        self.conn.close()
        threading.Thread(target=self.process.wait, daemon=True).start()  # reap


class _Waiter:
    """A job waiting for a worker: ``ready`` is set once ``proc`` is handed over."""

    def __init__(self) -> None:
        self.ready = threading.Event()
        self.proc: _Process | None = None


class Executor:
    """A pool of up to ``size`` worker processes reading the store at ``path``.

    ``run(job, timeout)`` returns a ``Result`` or raises a ``Stopped`` (after killing the
    worker: a replacement starts at once, in the background). Workers start on demand and are
    reused last-used-first, to keep their caches warm. ``memory_mb`` caps each worker's resident
    memory (0: no cap); at most ``long_slots`` jobs (default ``size - 1``) may run longer than
    ``long_after`` seconds while others wait for a worker.
    """

    def __init__(self, path: str | Path, *, size: int = 4, memory_mb: int = 0,
                 long_after: float = 0.1, long_slots: int | None = None) -> None:
        self.path = str(Path(path).resolve())
        if not Path(self.path).is_dir():
            from kg.errors import StoreError

            raise StoreError(f"store {self.path} does not exist: run `kg build` first")
        self.size = size
        self.memory_mb = memory_mb
        self.long_after = long_after
        self.long_slots = max(1, size - 1) if long_slots is None else long_slots
        self._long = threading.BoundedSemaphore(self.long_slots)
        self._lock = threading.Lock()
        self._idle: list[_Process] = []  # last used last: reused first, its caches warm
        self._waiters: list[_Waiter] = []  # the newest first served (see _give_back)
        self._started = 0  # live or starting workers
        self._spare: _Process | None = None  # see _start_spare
        self._spare_starting = False

    def generation(self) -> int:
        """The store's generation (``kg.lock.generation``): what a cached answer was read from."""
        return generation(self.path)

    def _start(self, deadline: float) -> _Process:
        """A started worker that has opened the store, or a ``Stopped``."""
        proc = _Process(self.path, self.memory_mb)
        try:
            error = proc.ask(_NOTHING, max(0.5, deadline - time.monotonic()))
        except TimeoutError:  # a loaded machine: ask again later
            proc.kill()
            raise QueryTimeout("no query worker could start in time") from None
        except (EOFError, OSError):
            proc.kill()
            raise WorkerFailed("query worker exited as it started") from None
        if error is not None:
            proc.kill()
            raise WorkerFailed(f"cannot open store {self.path} read-only: {error}")
        return proc

    def _spawn(self, deadline: float) -> _Process:
        """``_start`` for a slot already counted in ``_started``; on failure it is given back."""
        try:
            return self._start(deadline)
        except BaseException:
            with self._lock:
                self._started -= 1
            raise

    def _start_spare(self) -> None:
        """Start, in the background, the one spare worker that takes the slot of a long job
        stopped to make room (``_make_room``), unless it exists or is starting."""
        with self._lock:
            if self._spare is not None or self._spare_starting:
                return
            self._spare_starting = True

        def start() -> None:
            try:
                spare: _Process | None = self._start(time.monotonic() + 30)
            except Stopped:
                spare = None
            with self._lock:
                self._spare, self._spare_starting = spare, False

        threading.Thread(target=start, daemon=True).start()

    def _checkout(self, deadline: float, name: str) -> _Process:
        with self._lock:
            if self._idle:
                return self._idle.pop()
            spawn = self._started < self.size
            if spawn:
                self._started += 1
            else:
                waiter = _Waiter()
                self._waiters.append(waiter)
        if spawn:
            return self._spawn(deadline)
        waiter.ready.wait(max(0.0, deadline - time.monotonic()))
        with self._lock:
            if waiter.proc is None:
                self._waiters.remove(waiter)
                raise QueryTimeout(f"{name} waited in vain for one of the {self.size} query "
                                   "workers")
        return waiter.proc

    def _give_back(self, proc: _Process) -> None:
        """Hand ``proc`` to the job that started waiting last, else keep it idle. Serving the
        newest first (adaptive LIFO) keeps a light query from queueing behind runaways that
        would each hold the worker until they give way. A worker whose priority cannot be
        raised back after a long job (no ``CAP_SYS_NICE``) is replaced instead."""
        if proc.niceness and not proc.nice(0):
            self._replace(proc)
            return
        with self._lock:
            if self._waiters:
                waiter = self._waiters.pop()
                waiter.proc = proc
                waiter.ready.set()
            else:
                self._idle.append(proc)

    def _replace(self, proc: _Process) -> None:
        """Kill ``proc`` and start its successor in the background."""
        proc.kill()

        def start() -> None:
            try:
                self._give_back(self._spawn(time.monotonic() + 30))
            except OSError:
                pass  # _spawn gave the slot back; the next request retries

        threading.Thread(target=start, daemon=True).start()

    def _make_room(self, proc: _Process) -> None:
        """Kill ``proc``, whose long job gives way to a waiting one, and give its slot to the
        spare worker at once when one is ready (no ~40 ms start); else ``_replace``."""
        with self._lock:
            spare, self._spare = self._spare, None
        if spare is None:
            self._replace(proc)
            return
        proc.kill()
        self._give_back(spare)
        self._start_spare()

    def _failed(self, proc: _Process, name: str, error: BaseException) -> Stopped:
        """The error to raise for a worker that died while answering ``name``."""
        status = proc.exit_status()
        self._replace(proc)
        if status == MEMORY_EXIT:
            return MemoryCap(f"{name} used more than the {self.memory_mb} MiB memory cap of a "
                             "query worker and was stopped")
        return WorkerFailed(f"{name}: query worker failed ({error or type(error).__name__}"
                            f"{f', exit status {status}' if status is not None else ''})")

    def _ask(self, proc: _Process, message: Any, wait: float, name: str, late: str) -> Any:
        """``proc.ask``; on any failure ``proc`` is replaced and a ``Stopped`` raised."""
        try:
            return proc.ask(message, wait)
        except TimeoutError:
            self._replace(proc)
            raise QueryTimeout(late) from None
        except (EOFError, OSError) as e:
            raise self._failed(proc, name, e) from e
        except BaseException:
            self._replace(proc)
            raise

    def _first_answer(self, proc: _Process, job: Job, deadline: float, timeout: float) -> Any:
        """Give ``job`` to ``proc`` and wait for its first message until ``deadline``; past
        ``long_after`` the job needs a long slot, or gives way to a job waiting for a worker."""
        late = f"{job.name} ran past the {timeout:g} s time limit and was stopped"
        wait = min(self.long_after, deadline - time.monotonic())
        try:
            proc.conn.send_bytes(pickle.dumps(job, pickle.HIGHEST_PROTOCOL))
        except OSError as e:
            raise self._failed(proc, job.name, e) from e
        while True:
            if proc.ready(wait):
                try:
                    return proc.conn.recv()
                except (EOFError, OSError) as e:
                    raise self._failed(proc, job.name, e) from e
            if time.monotonic() >= deadline:
                self._replace(proc)
                raise QueryTimeout(late)
            proc.nice(LONG_NICE)  # a long job yields the CPU to short ones
            self._start_spare()
            if self._long.acquire(blocking=False):
                try:
                    return self._ask(proc, _NOTHING, deadline - time.monotonic(), job.name,
                                     late)
                finally:
                    self._long.release()
            if self._waiters:
                self._make_room(proc)
                raise Busy(f"{job.name} was stopped after {self.long_after:g} s: the "
                           f"{self.long_slots} slots for long queries are taken and other "
                           "queries were waiting")
            wait = min(0.01, deadline - time.monotonic())

    def _send(self, job: Job, timeout: float) -> tuple[_Process, Any]:
        deadline = time.monotonic() + timeout
        proc = self._checkout(deadline, job.name)
        return proc, self._first_answer(proc, job, deadline, timeout)

    def run(self, job: Job, timeout: float) -> Result:
        proc, result = self._send(job, timeout)
        self._give_back(proc)
        return result

    def stream(self, job: Dump, timeout: float) -> tuple[Result, Stream]:
        """Run a ``Dump``: its head (status, content type; the body is empty unless it is an
        error) and its body as a ``Stream`` of chunks, each of which must arrive within
        ``timeout`` seconds. The worker is held until the stream is read or closed."""
        proc, head = self._send(job, timeout)
        if head.body:  # an error, answered whole
            self._give_back(proc)
            return head, Stream(self, None, timeout, job.name)
        return head, Stream(self, proc, timeout, job.name)

    def close(self) -> None:
        """Stop the idle workers (busy ones stop when their connection closes)."""
        with self._lock:
            idle, self._idle = self._idle, []
            self._started -= len(idle)
            if self._spare is not None:
                idle.append(self._spare)
                self._spare = None
        for proc in idle:
            proc.kill()


class Stream:
    """The body of a streamed job: iterate for chunks; ``close()`` (called by WSGI servers) gives
    the worker back when the stream was read to its end, or replaces it otherwise."""

    def __init__(self, pool: Executor, proc: _Process | None, timeout: float, name: str) -> None:
        self.pool, self.proc, self.timeout, self.name = pool, proc, timeout, name
        self.done = proc is None

    def __iter__(self) -> Iterator[bytes]:
        while not self.done:
            proc, self.proc = self.proc, None  # on an error _ask has already replaced it
            assert proc is not None
            message = self.pool._ask(proc, _NOTHING, self.timeout, self.name,
                                     f"{self.name}: no data for {self.timeout:g} s, stopped")
            self.proc = proc
            if isinstance(message, bytes):
                yield message
                continue
            self.done = True
            self.close()
            if message is not None:
                raise OSError(message.strip())

    def close(self) -> None:
        proc, self.proc = self.proc, None
        if proc is not None:
            if self.done:
                self.pool._give_back(proc)
            else:
                self.pool._replace(proc)
