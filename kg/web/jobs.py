"""What a query worker does: the jobs it is given and the process that answers them.

A job is a small frozen dataclass (``Query``, ``Update``, ``Stats``, ``Dump``) that the server
pickles to a worker; the worker (``python -m kg.web.jobs FD PATH MEMORY_MB``, started by
``kg.web.executor``) runs ``job.answer`` and sends back a pickled ``Result``: bytes already
serialised by pyoxigraph, bounded by ``max_rows``, so the server builds no Python objects per
row.

Row limit: pyoxigraph writes a SELECT's solutions as SPARQL TSV (one line a row) into a buffer
that stops it after ``max_rows`` rows; they are re-serialised to the asked format by pyoxigraph
(``parse_query_results``; 0.07 ms for 42 rows). CONSTRUCT/DESCRIBE triples are cut with
``islice``. A cut result is flagged (``Result.truncated``).

One writer, many readers (``kg.lock``): a worker answers each reading job under a shared hold of
the store and reopens its read-only handle first when the store's generation moved (a write by
this server or by a ``kg build`` in another process), so no handle is used across a write and
readers see every committed write. A write (``Update``) drops the worker's handle and becomes
the store's one writer for that job: it waits up to ``UPDATE_WAIT`` s for a ``kg build`` to end
(else a 503 saying so), and for the readers to finish, then opens the store read-write, writes,
flushes and closes it. Each worker exits by itself when its server process is gone, and with
``MEMORY_EXIT`` when its resident memory passes ``MEMORY_MB`` (checked every ``_WATCH_EVERY`` s).
"""

from __future__ import annotations

import os
import pickle
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import islice
from multiprocessing.connection import Connection
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

from kg import lock
from kg.formats import content_type
from kg.vocab import PREFIXES

#: A worker's exit status when its memory passed the cap.
MEMORY_EXIT = 86
#: Seconds an update waits for another writer (``kg build``) before answering 503.
UPDATE_WAIT = 5.0
_WATCH_EVERY = 0.02  # s between memory checks: at 1 GB/s a query overshoots by ~20 MB
_CHUNK = 256 * 1024  # bytes per message of a streamed dump


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
            with worker.reading():  # the whole dump from one generation
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
    """The worker process's state: a read-only handle of the store and the generation it was
    opened at (``kg.lock.generation``)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.generation: int | None = None
        self.store: Store | None = None
        with self.reading():
            self.fresh_store()

    @contextmanager
    def reading(self) -> Iterator[None]:
        """Hold the store shared during the block (``kg.lock.reading``); a write ended since
        the handle was opened drops it, and ``fresh_store`` opens it again. No time limit
        here: the server stops a job that waits past its deadline."""
        with lock.reading(self.path, wait=None) as now:
            if now != self.generation:
                self.store = None  # closed before it could be used across the write
                self.generation = now
            yield

    def fresh_store(self) -> Store:
        """The handle, opened at the current generation (call it within ``reading``)."""
        if self.store is None:
            self.store = Store.read_only(self.path)
        return self.store

    def update(self, job: Update) -> Result:
        self.store = None  # only one process may hold RocksDB read-write; we never keep it
        failure: Exception | None = None
        try:
            with lock.Writing(self.path, wait=UPDATE_WAIT, hold=False) as writer:
                with writer.store() as store:
                    try:
                        store.update(job.text, base_iri=job.base_iri)
                    except Exception as e:  # noqa: BLE001 - raised once the store is closed
                        failure = e
                    del store  # closed at the end of the turn
        except lock.Busy as e:
            return _text(503, f"{job.name}: {e}")
        if failure is not None:
            raise failure
        return Result(204, "text/plain; charset=utf-8", b"")

    def guarded(self, job: Job) -> Result:
        try:
            if job.writes:
                return job.perform(self)
            with self.reading():
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


if __name__ == "__main__":
    # run the imported module's code, so that pickled results name kg.web.jobs classes (not
    # __main__'s); stdout belongs to whoever started the server
    from kg.web import jobs

    jobs._worker_main(Connection(int(sys.argv[1])), sys.argv[2], int(sys.argv[3]))
