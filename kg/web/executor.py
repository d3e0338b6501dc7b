"""Run SPARQL in a pool of worker processes, so that a runaway query can be stopped.

``pyoxigraph.Store.query`` has no timeout and stays in Rust until it is done (it releases
the GIL, but nothing can interrupt it), so a query cannot be stopped inside the serving process:
a Python signal handler only runs between rows, and ``COUNT``/``ORDER BY`` over a cartesian
product never returns to Python before the end. Options, measured on a 2-core machine:

* a fresh process per request (fork or spawn): 5-40 ms each, over the whole latency budget;
* gunicorn's own worker timeout: kills the worker, the client sees a reset, not a 503;
* **a pool of long-lived worker processes** (chosen): each opens ``Store.read_only(path)`` once
  (7 ms on a 75k-triple store) and then answers jobs over a ``multiprocessing`` connection
  (one pickled message each way). The worker serialises the results itself with pyoxigraph and
  sends back only bytes (bounded by ``max_rows``), so the server builds no Python objects per
  row. On the deadline the parent SIGKILLs the worker (read-only RocksDB: nothing to corrupt)
  and answers 503; the other workers keep answering, and a successor starts in the background.

Workers are ``python -m kg.web.executor FD PATH MEMORY_MB`` subprocesses (~40 ms to start),
never forks of the multi-threaded server; each exits by itself when its server process is gone,
and when its resident memory passes ``MEMORY_MB`` (checked every ``_WATCH_EVERY`` s; the parent
answers 503 naming the cap and starts a successor).

Long queries cannot hold every worker, nor the CPU: a job still running after ``long_after``
seconds has its worker's niceness raised to ``LONG_NICE`` (restored afterwards, or the worker
replaced where that is not allowed) and needs one of ``long_slots`` (fewer than the workers);
without one it runs on only while nobody waits for a worker, and is stopped (503) as soon as
someone does. So a light query gets a worker within about ``long_after`` plus a worker start,
however many runaways are running, and then the CPU before them.

Row limit: pyoxigraph writes a SELECT's solutions as SPARQL TSV (one line a row) into a buffer
that stops it after ``max_rows`` rows; they are re-serialised to the asked format by pyoxigraph
(``parse_query_results``). On the 129-row ``observations`` query this costs ~5% over
serialising directly (which cannot stop at a limit). CONSTRUCT/DESCRIBE triples are cut with
``islice``. A cut result is flagged (``Result.truncated``).

Writes (``Update``) run in a worker that drops its read-only handle, opens the store read-write
for that one job, flushes and closes it; every worker reopens its read-only handle when the
store directory changed (one ``stat`` per job), so readers see committed writes, including those
of a ``kg build`` run in another process.
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
from dataclasses import dataclass, field
from itertools import islice
from multiprocessing.connection import Connection
from pathlib import Path
from typing import IO, Any, cast

from pyoxigraph import (
    DefaultGraph,
    NamedNode,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    RdfFormat,
    Store,
    parse_query_results,
    serialize,
)

from kg.formats import content_type
from kg.vocab import PREFIXES

#: The CPU niceness of a worker while it runs a long job, so that short jobs get the CPU first.
LONG_NICE = 10
#: A worker's exit status when its memory passed the cap.
MEMORY_EXIT = 86
_WATCH_EVERY = 0.02  # s between memory checks: at 1 GB/s a query overshoots by ~20 MB
_CHUNK = 256 * 1024  # bytes per message of a streamed dump


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


@dataclass(frozen=True)
class Result:
    status: int
    content_type: str
    body: bytes
    truncated: bool = False


def _text(status: int, message: str) -> Result:
    return Result(status, "text/plain; charset=utf-8", message.encode("utf-8"))


# --- jobs: what a worker is asked to do --------------------------------------------------


@dataclass(frozen=True)
class Job:
    """Something for a worker to do with the store; ``name`` appears in every message."""

    text: str = ""
    name: str = "SPARQL query"
    #: relative IRIs resolve against it (the endpoint's URL) unless the text has a ``BASE``
    base_iri: str | None = None
    writes = False

    def perform(self, worker: _Worker) -> Result:
        raise NotImplementedError

    def answer(self, worker: _Worker, conn: Connection) -> None:
        """Send this job's ``Result`` on ``conn``; errors become 4xx/5xx results."""
        conn.send_bytes(pickle.dumps(worker.guarded(self), pickle.HIGHEST_PROTOCOL))


@dataclass(frozen=True)
class Query(Job):
    """A SPARQL query answered in ``solutions_format`` (SELECT/ASK) or ``graph_format``
    (CONSTRUCT/DESCRIBE), names of ``QueryResultsFormat`` / ``RdfFormat``; ``None`` means the
    client cannot accept that kind of result (406). ``default_graph`` / ``named_graphs`` are
    IRIs (protocol dataset); without them the default graph is the union of the named graphs.
    """

    solutions_format: str | None = "JSON"
    graph_format: str | None = "TURTLE"
    default_graph: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None
    substitutions: dict = field(default_factory=dict)
    max_rows: int = 10_000

    def cache_key(self) -> tuple:
        """Everything the answer depends on besides the store's contents."""
        return (self.text, self.base_iri, self.solutions_format, self.graph_format,
                self.default_graph, self.named_graphs, self.max_rows,
                tuple(sorted((str(k), str(v)) for k, v in self.substitutions.items())))

    def perform(self, worker: _Worker) -> Result:
        return _execute_query(worker.fresh_store(), self)


@dataclass(frozen=True)
class Update(Job):
    """A SPARQL update, run on the store opened read-write for this job only."""

    name: str = "SPARQL update"
    writes = True

    def perform(self, worker: _Worker) -> Result:
        return worker.update(self)


@dataclass(frozen=True)
class Stats(Job):
    """The numbers of quads, of named graphs and of report graphs, as a JSON array."""

    name: str = "health check"

    def perform(self, worker: _Worker) -> Result:
        from kg.store import report_graphs

        store = worker.fresh_store()
        graphs = sum(1 for _ in store.named_graphs())
        reports = len(report_graphs(store))
        return Result(200, "application/json", f"[{len(store)}, {graphs}, {reports}]".encode())


@dataclass(frozen=True)
class Dump(Job):
    """A graph or the dataset in ``graph_format`` (an ``RdfFormat`` name), streamed with
    ``Executor.stream``: ``graph`` None = the whole dataset (a dataset format); "" = the stored
    default graph (not the union that queries see); an IRI = that graph."""

    name: str = "dataset"
    graph_format: str = "N_QUADS"
    graph: str | None = None

    def answer(self, worker: _Worker, conn: Connection) -> None:
        """A head ``Result``, ``bytes`` chunks, then ``None`` (done) or a ``str`` (an error
        after the first chunk); an error before it is a head with a body and nothing else."""
        out = _ChunkWriter(conn)
        fmt = getattr(RdfFormat, self.graph_format)
        out.head = Result(200, content_type(fmt), b"")
        try:
            error = self.dump(worker.fresh_store(), fmt, out)
        except Exception as e:  # noqa: BLE001 - reported to the parent, the worker lives on
            error = _text(500 if out.sent else 400, f"{self.name}: {e}")
        if error is not None and not out.sent:
            conn.send(error)
            return
        out.flush()
        conn.send(error.body.decode() if error is not None else None)

    def dump(self, store: Store, fmt: RdfFormat, writer: _ChunkWriter) -> Result | None:
        out = cast(IO[bytes], writer)  # a file as far as pyoxigraph is concerned: write, flush
        if self.graph is None:
            store.dump(out, format=fmt, prefixes=PREFIXES)
        elif self.graph == "":
            store.dump(out, format=fmt, from_graph=DefaultGraph(), prefixes=PREFIXES)
        else:
            graph = NamedNode(self.graph)
            if not store.contains_named_graph(graph):
                return _text(404, f"no graph <{graph.value}> in the store")
            store.dump(out, format=fmt, from_graph=graph, prefixes=PREFIXES)
        return None


# --- worker side -------------------------------------------------------------------------


def _generation(path: str) -> int:
    """Changes whenever RocksDB adds, renames or removes a file (flush, compaction, new writer)."""
    return os.stat(path).st_mtime_ns


class _Enough(Exception):
    """Raised by ``_LineBudget.write`` to stop a serialiser once the row limit is passed."""


class _LineBudget:
    """A binary file that keeps what pyoxigraph writes until it holds more than ``lines``
    lines, then stops the writer (``_Enough``)."""

    def __init__(self, lines: int) -> None:
        self.lines = lines
        self.parts: list[bytes] = []
        self.seen = 0
        self.stopped = False

    def write(self, data: bytes) -> int:
        self.parts.append(bytes(data))
        self.seen += data.count(b"\n")
        if self.seen > self.lines:
            self.stopped = True
            raise _Enough
        return len(data)

    def flush(self) -> None:
        pass


def _solutions(result: QuerySolutions, fmt: QueryResultsFormat, max_rows: int) -> Result:
    """The first ``max_rows`` solutions in ``fmt``: written as SPARQL TSV by pyoxigraph (one
    line a row, a header line first), stopped past the limit, cut to it and, unless TSV was
    asked for, re-serialised by pyoxigraph."""
    budget = _LineBudget(max_rows + 1)
    try:
        result.serialize(cast(IO[bytes], budget), format=QueryResultsFormat.TSV)
    except Exception:
        if not budget.stopped:  # an evaluation error, not our stop
            raise
    tsv = b"".join(budget.parts)
    truncated = budget.stopped
    if truncated:
        end = -1
        for _ in range(max_rows + 1):
            end = tsv.index(b"\n", end + 1)
        tsv = tsv[:end + 1]
    if fmt == QueryResultsFormat.TSV:
        body = tsv
    else:
        body = parse_query_results(tsv, QueryResultsFormat.TSV).serialize(format=fmt) or b""
    return Result(200, content_type(fmt), body, truncated)


def _execute_query(store: Store, job: Query) -> Result:
    kwargs: dict[str, Any] = {"substitutions": job.substitutions or None,
                              "base_iri": job.base_iri}
    if job.default_graph is None and job.named_graphs is None:
        kwargs["use_default_graph_as_union"] = True
    else:
        kwargs["default_graph"] = [NamedNode(g) for g in job.default_graph or ()]
        if job.named_graphs is not None:
            kwargs["named_graphs"] = [NamedNode(g) for g in job.named_graphs]
    result = store.query(job.text, **kwargs)
    if isinstance(result, QuerySolutions | QueryBoolean):
        if job.solutions_format is None:
            return _text(406, f"{job.name}: cannot answer SELECT/ASK results in the "
                              "accepted media types")
        fmt = getattr(QueryResultsFormat, job.solutions_format)
        if isinstance(result, QueryBoolean):
            return Result(200, content_type(fmt), result.serialize(format=fmt) or b"")
        return _solutions(result, fmt, job.max_rows)
    if job.graph_format is None:
        return _text(406, f"{job.name}: cannot answer CONSTRUCT/DESCRIBE results in the "
                          "accepted media types")
    graph_fmt = getattr(RdfFormat, job.graph_format)
    cut = islice(result, job.max_rows)
    body = serialize(cut, format=graph_fmt) or b""
    truncated = next(result, None) is not None
    return Result(200, content_type(graph_fmt), body, truncated)


class _Worker:
    """The worker process's state: a read-only store, reopened when the directory changed."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.generation = _generation(path)
        self.store: Store | None = Store.read_only(path)

    def fresh_store(self) -> Store:
        generation = _generation(self.path)
        if self.store is None or generation != self.generation:
            self.store = None  # close the old handle before opening the new one
            self.store = Store.read_only(self.path)
            self.generation = generation
        return self.store

    def update(self, job: Update) -> Result:
        self.store = None  # only one process may hold RocksDB read-write; we never keep it
        try:
            writer = Store(self.path)
        except OSError as e:
            return _text(503, f"{job.name}: the store is being written by another process, "
                              f"retry later ({e})")
        try:
            writer.update(job.text, base_iri=job.base_iri)
            writer.flush()
        finally:
            del writer
        return Result(204, "text/plain; charset=utf-8", b"")

    def guarded(self, job: Job) -> Result:
        try:
            return job.perform(self)
        except (SyntaxError, ValueError, RuntimeError) as e:  # bad text, IRI, substitution
            return _text(400, f"{job.name}: {e}")
        except OSError as e:
            return _text(500, f"{job.name}: store error: {e}")
        except Exception as e:  # noqa: BLE001 - the worker must survive to answer the next job
            return _text(500, f"{job.name}: {type(e).__name__}: {e}")


class _ChunkWriter:
    """A binary file for pyoxigraph's serialisers that sends ``_CHUNK``-sized ``bytes``
    messages, preceded by ``head`` (a ``Result``) before the first one."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.head: Result | None = None
        self.buffer = bytearray()
        self.sent = False

    def write(self, data: bytes) -> int:
        self.buffer += data
        if len(self.buffer) >= _CHUNK:
            self.flush()
        return len(data)

    def flush(self) -> None:
        if not self.sent:
            self.conn.send(self.head)
            self.sent = True
        if self.buffer:
            self.conn.send(bytes(self.buffer))
            self.buffer.clear()


def _resident_bytes() -> int:
    with open("/proc/self/statm", "rb") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _watchdog(parent: int, memory_cap: int) -> None:
    """Exit when the server process is gone, or with ``MEMORY_EXIT`` past ``memory_cap``
    bytes, even in the middle of a query (pyoxigraph releases the GIL while it evaluates, so
    this thread keeps running)."""
    ticks = 0
    while True:
        time.sleep(_WATCH_EVERY)
        if memory_cap and _resident_bytes() > memory_cap:
            os._exit(MEMORY_EXIT)
        ticks += 1
        if ticks % 50 == 0 and os.getppid() != parent:
            os._exit(1)


def _worker_main(conn: Connection, path: str, memory_mb: int) -> None:
    """Answer jobs from ``conn`` until the parent closes it."""
    threading.Thread(target=_watchdog, args=(os.getppid(), memory_mb * 2**20),
                     daemon=True).start()
    try:
        worker = _Worker(path)
    except OSError as e:
        conn.send(str(e) or type(e).__name__)  # a string: the store cannot be opened
        return
    conn.send(None)  # ready
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        job.answer(worker, conn)


# --- parent side -------------------------------------------------------------------------

_NOTHING = object()


class _Process:
    """One worker: ``python -m kg.web.executor FD PATH MEMORY_MB`` on a socket pair."""

    def __init__(self, path: str, memory_mb: int) -> None:
        ours, theirs = socket.socketpair()
        self.conn = Connection(ours.detach())
        # ``Connection.poll`` builds a selector per call (~10 us); one poll object per worker
        self._poller = select.poll()
        self._poller.register(self.conn.fileno(), select.POLLIN)
        with theirs:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "kg.web.executor", str(theirs.fileno()), path,
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
        """The store's generation (see ``_generation``): what a cached answer was read from."""
        return _generation(self.path)

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


if __name__ == "__main__":
    # run the imported module's code, so that pickled results name kg.web.executor classes
    # (not __main__'s); stdout belongs to whoever started the server
    from kg.web import executor

    executor._worker_main(Connection(int(sys.argv[1])), sys.argv[2], int(sys.argv[3]))
