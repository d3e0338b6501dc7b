"""Run SPARQL in a pool of worker processes, so that a runaway query can be stopped.

``pyoxigraph.Store.query`` has no timeout and stays in Rust until it is done (it releases
the GIL, but nothing can interrupt it), so a query cannot be stopped inside the serving process:
a Python signal handler only runs between rows, and ``COUNT``/``ORDER BY`` over a cartesian
product never returns to Python before the end. Options, measured on a 2-core machine:

* a fresh process per request (fork or spawn): 5-40 ms each, over the whole latency budget;
* gunicorn's own worker timeout: kills the worker, the client sees a reset, not a 503;
* **a pool of long-lived worker processes** (chosen): each opens ``Store.read_only(path)`` once
  (7 ms on a 75k-triple store) and then answers jobs over a socket pair, one frame each way
  (a one-row query: ~95 us end to end in ``Executor.run``, of which ~25 us is the query). The
  worker serialises the results itself with pyoxigraph and sends back only bytes (bounded by
  ``max_rows``), so the server builds no Python objects per row. On the deadline the parent
  SIGKILLs the worker (read-only RocksDB: nothing to corrupt) and answers 503; the other
  workers keep answering, and a successor starts in the background.

Workers are ``python -m kg.web.executor FD PATH`` subprocesses (~40 ms to start), never forks
of the multi-threaded server; each exits by itself when its server process is gone.

Row limit: pyoxigraph writes a SELECT's solutions as SPARQL TSV (one line a row) into a buffer
that stops it after ``max_rows`` rows; they are re-serialised to the asked format by pyoxigraph
(``parse_query_results``). On the 129-row ``observations`` query this costs ~5% over
serialising directly (which cannot stop at a limit); a ``str(term)``-per-cell loop in Python
cost ~15%. CONSTRUCT/DESCRIBE
triples are cut with ``islice``. A cut result is flagged (``Result.truncated``).

Writes (SPARQL Update, Graph Store PUT/POST/DELETE) run in a worker that drops its read-only
handle, opens the store read-write for that one job, flushes and closes it; every worker reopens
its read-only handle when the store directory changed (one ``stat`` per job), so readers see
committed writes, including those of a ``kg build`` run in another process.
"""

from __future__ import annotations

import os
import pickle
import queue
import socket
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

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

from kg.vocab import PREFIXES


class QueryTimeout(Exception):
    """The job ran past its deadline; its worker was killed."""


@dataclass(frozen=True)
class Job:
    """One SPARQL query or update for a worker.

    ``solutions_format`` / ``graph_format`` name the ``QueryResultsFormat`` / ``RdfFormat`` to
    answer SELECT-ASK / CONSTRUCT-DESCRIBE with; ``None`` means the client cannot accept that
    kind of result (406). ``default_graph`` / ``named_graphs`` are IRIs (protocol dataset);
    without them the default graph is the union of the named graphs. ``base_iri`` resolves
    relative IRIs (the endpoint's URL, as ``oxigraph serve`` does) unless the text has a ``BASE``.
    """

    text: str
    name: str = "SPARQL query"
    #: "query", "update", "stats" (triple and graph counts, as JSON) or "dump" (streamed with
    #: ``Executor.stream``: ``dump_graph`` None = the whole dataset in ``graph_format``, which
    #: must be a dataset format; "" = the stored default graph (not the union that queries see);
    #: an IRI = that graph)
    kind: str = "query"
    solutions_format: str | None = "JSON"
    graph_format: str | None = "TURTLE"
    default_graph: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None
    substitutions: dict = field(default_factory=dict)
    max_rows: int = 10_000
    dump_graph: str | None = None
    base_iri: str | None = None


@dataclass(frozen=True)
class Result:
    status: int
    content_type: str
    body: bytes
    truncated: bool = False


# --- worker side -------------------------------------------------------------------------


def _generation(path: str) -> int:
    """Changes whenever RocksDB adds, renames or removes a file (flush, compaction, new writer)."""
    return os.stat(path).st_mtime_ns


def _text(status: int, message: str) -> Result:
    return Result(status, "text/plain; charset=utf-8", message.encode("utf-8"))


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
        result.serialize(budget, format=QueryResultsFormat.TSV)
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
        body = parse_query_results(tsv, QueryResultsFormat.TSV).serialize(format=fmt)
    return Result(200, fmt.media_type, body, truncated)


def _execute_query(store: Store, job: Job) -> Result:
    kwargs: dict = {"substitutions": job.substitutions or None, "base_iri": job.base_iri}
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
            return Result(200, fmt.media_type, result.serialize(format=fmt))
        return _solutions(result, fmt, job.max_rows)
    if job.graph_format is None:
        return _text(406, f"{job.name}: cannot answer CONSTRUCT/DESCRIBE results in the "
                          "accepted media types")
    fmt = getattr(RdfFormat, job.graph_format)
    cut = islice(result, job.max_rows)
    body = serialize(cut, format=fmt) or b""
    truncated = next(result, None) is not None
    return Result(200, fmt.media_type, body, truncated)


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

    def update(self, job: Job) -> Result:
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

    def dump(self, job: Job, out: _ChunkWriter) -> Result | None:
        """Write ``job``'s graph or dataset to ``out``; a ``Result`` only for an error."""
        store = self.fresh_store()
        fmt = getattr(RdfFormat, job.graph_format or "")
        if job.dump_graph is None:
            store.dump(out, format=fmt, prefixes=PREFIXES)
        elif job.dump_graph == "":
            store.dump(out, format=fmt, from_graph=DefaultGraph(), prefixes=PREFIXES)
        else:
            graph = NamedNode(job.dump_graph)
            if not store.contains_named_graph(graph):
                return _text(404, f"no graph <{graph.value}> in the store")
            store.dump(out, format=fmt, from_graph=graph, prefixes=PREFIXES)
        return None

    def stream(self, job: Job, sock: socket.socket) -> None:
        """Answer a "dump" job: a head frame, data frames, an end (or error) frame."""
        out = _ChunkWriter(sock)
        try:
            fmt = getattr(RdfFormat, job.graph_format or "")
            out.head = _encode_result(Result(200, fmt.media_type, b""))
            error = self.dump(job, out)
        except Exception as e:  # noqa: BLE001 - reported to the parent, the worker lives on
            error = _text(500 if out.sent else 400, f"{job.name}: {e}")
        if error is not None and not out.sent:
            _send_frame(sock, _encode_result(error))
            return
        out.flush()
        _send_frame(sock, b"x" + error.body if error is not None else b"e")

    def run(self, job: Job) -> Result:
        try:
            if job.kind == "update":
                return self.update(job)
            if job.kind == "stats":
                store = self.fresh_store()
                graphs = sum(1 for _ in store.named_graphs())
                return Result(200, "application/json", f'[{len(store)}, {graphs}]'.encode())
            return _execute_query(self.fresh_store(), job)
        except SyntaxError as e:
            return _text(400, f"{job.name}: {e}")
        except (ValueError, RuntimeError) as e:  # bad IRI in the dataset, bad substitution
            return _text(400, f"{job.name}: {e}")
        except OSError as e:
            return _text(500, f"{job.name}: store error: {e}")
        except Exception as e:  # noqa: BLE001 - the worker must survive to answer the next job
            return _text(500, f"{job.name}: {type(e).__name__}: {e}")


def _orphan_watchdog(parent: int) -> None:
    """Exit when the server process is gone, even in the middle of a long query (pyoxigraph
    releases the GIL while it evaluates, so this thread keeps running)."""
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(1)


# --- the wire: one frame per message ----------------------------------------------------
#
# A frame is a 4-byte big-endian length and a payload. Parent → worker: a pickled ``Job``.
# Worker → parent: ``_HEAD`` (status, truncated, length of the content type), the content type
# and the body. One ``sendall`` and (for bodies under ``_CHUNK``) one ``recv`` per message: every
# syscall releases and retakes the GIL, which is what a one-row query costs under load.

_LENGTH = struct.Struct("!I")
_HEAD = struct.Struct("!H?H")
_CHUNK = 256 * 1024


def _send_frame(sock: socket.socket, payload: bytes) -> None:
    sock.sendall(_LENGTH.pack(len(payload)) + payload)


class _FrameReader:
    """Frames from a socket, in order: a streamed job's frames may arrive in one ``recv``."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.buffer = bytearray()
        self.scratch = bytearray(_CHUNK)

    def _fill(self, want: int) -> None:
        view = memoryview(self.scratch)
        while len(self.buffer) < want:
            got = self.sock.recv_into(view)
            if not got:
                raise EOFError("connection closed")
            self.buffer += view[:got]

    def read(self) -> bytearray:
        """The next frame's payload; ``EOFError`` if the peer closed the socket."""
        self._fill(_LENGTH.size)
        end = _LENGTH.size + _LENGTH.unpack_from(self.buffer)[0]
        self._fill(end)
        payload = self.buffer[_LENGTH.size:end]
        del self.buffer[:end]
        return payload


def _encode_result(result: Result) -> bytes:
    content_type = result.content_type.encode()
    return (_HEAD.pack(result.status, result.truncated, len(content_type)) + content_type
            + result.body)


def _decode_result(frame: bytes | bytearray) -> Result:
    status, truncated, n = _HEAD.unpack_from(frame)
    start = _HEAD.size + n
    return Result(status, bytes(frame[_HEAD.size:start]).decode(), bytes(frame[start:]),
                  truncated)


class _ChunkWriter:
    """A binary file for pyoxigraph's serialisers that sends ``_CHUNK``-sized data frames
    (``b"d" + bytes``), preceded by ``head`` (the result frame) on the first one."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.head = b""
        self.buffer = bytearray()
        self.sent = False

    def write(self, data: bytes) -> int:
        self.buffer += data
        if len(self.buffer) >= _CHUNK:
            self.flush()
        return len(data)

    def flush(self) -> None:
        if not self.sent:
            _send_frame(self.sock, self.head)
            self.sent = True
        if self.buffer:
            _send_frame(self.sock, b"d" + self.buffer)
            self.buffer.clear()


def _worker_main(sock: socket.socket, path: str) -> None:
    """Answer jobs from ``sock`` until the parent closes it."""
    threading.Thread(target=_orphan_watchdog, args=(os.getppid(),), daemon=True).start()
    frames = _FrameReader(sock)
    try:
        worker = _Worker(path)
        _send_frame(sock, b"")  # ready
    except OSError as e:
        _send_frame(sock, (str(e) or type(e).__name__).encode())  # non-empty: an error
        return
    while True:
        try:
            job = pickle.loads(frames.read())
        except (EOFError, OSError):
            return
        if job.kind == "dump":
            worker.stream(job, sock)
        else:
            _send_frame(sock, _encode_result(worker.run(job)))


# --- parent side -------------------------------------------------------------------------


class _Process:
    """One worker: ``python -m kg.web.executor FD PATH``, talking over a socket pair."""

    def __init__(self, path: str) -> None:
        self.sock, theirs = socket.socketpair()
        self.frames = _FrameReader(self.sock)
        with theirs:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "kg.web.executor", str(theirs.fileno()), path],
                pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL)

    def ask(self, payload: bytes, timeout: float) -> bytes | bytearray:
        """Send one frame and wait up to ``timeout`` s for the answer (``TimeoutError``)."""
        self.sock.settimeout(max(timeout, 1e-3))
        if payload:
            _send_frame(self.sock, payload)
        return self.frames.read()

    def kill(self) -> None:
        self.process.kill()
        self.sock.close()
        threading.Thread(target=self.process.wait, daemon=True).start()  # reap


class Executor:
    """A pool of up to ``size`` worker processes reading the store at ``path``.

    ``run(job, timeout)`` returns a ``Result`` or raises ``QueryTimeout`` after killing the
    worker (a replacement starts at once, in the background). Workers start on demand and are
    reused last-used-first, to keep their caches warm.
    """

    def __init__(self, path: str | Path, *, size: int = 4) -> None:
        self.path = str(Path(path).resolve())
        if not Path(self.path).is_dir():
            from kg.errors import StoreError

            raise StoreError(f"store {self.path} does not exist: run `kg build` first")
        self.size = size
        self._idle: queue.LifoQueue[_Process] = queue.LifoQueue()
        self._lock = threading.Lock()
        self._started = 0  # live or starting workers

    def _spawn(self, deadline: float) -> _Process:
        """A started, ready worker; on failure the slot is given back."""
        try:
            proc = _Process(self.path)
            try:
                error = proc.ask(b"", max(0.5, deadline - time.monotonic()))
            except (TimeoutError, EOFError, OSError):
                proc.kill()
                raise OSError("query worker did not start in time") from None
            if error:
                proc.kill()
                raise OSError(f"cannot open store {self.path} read-only: "
                              f"{bytes(error).decode()}")
            return proc
        except BaseException:
            with self._lock:
                self._started -= 1
            raise

    def _checkout(self, deadline: float, name: str) -> _Process:
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            pass
        with self._lock:
            spawn = self._started < self.size
            if spawn:
                self._started += 1
        if spawn:
            return self._spawn(deadline)
        try:
            return self._idle.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            raise QueryTimeout(f"{name} waited in vain for one of the {self.size} query "
                               "workers") from None

    def _replace(self, proc: _Process) -> None:
        """Kill ``proc`` and start its successor in the background."""
        proc.kill()

        def start() -> None:
            try:
                self._idle.put(self._spawn(time.monotonic() + 30))
            except OSError:
                pass  # _spawn gave the slot back; the next request retries

        threading.Thread(target=start, daemon=True).start()

    def _ask(self, proc: _Process, payload: bytes, wait: float, name: str,
             late: str) -> bytearray:
        """``proc.ask``; on any failure ``proc`` is replaced and the error raised as
        ``QueryTimeout(late)`` (too slow) or ``OSError`` (the worker died, e.g. out of memory)."""
        try:
            return proc.ask(payload, wait)
        except TimeoutError:
            self._replace(proc)
            raise QueryTimeout(late) from None
        except (EOFError, OSError) as e:
            self._replace(proc)
            raise OSError(f"{name}: query worker failed: {e}") from e
        except BaseException:
            self._replace(proc)
            raise

    def _send(self, job: Job, timeout: float) -> tuple[_Process, Result]:
        """Check out a worker, give it ``job`` and return it with the first answer frame."""
        deadline = time.monotonic() + timeout
        proc = self._checkout(deadline, job.name)
        frame = self._ask(proc, pickle.dumps(job, pickle.HIGHEST_PROTOCOL),
                          deadline - time.monotonic(), job.name,
                          f"{job.name} ran past the {timeout:g} s time limit and was stopped")
        return proc, _decode_result(frame)

    def run(self, job: Job, timeout: float) -> Result:
        proc, result = self._send(job, timeout)
        self._idle.put(proc)
        return result

    def stream(self, job: Job, timeout: float) -> tuple[Result, Stream]:
        """Run a "dump" job: its head (status, content type; the body is empty unless it is an
        error) and its body as a ``Stream`` of chunks, each of which must arrive within
        ``timeout`` seconds. The worker is held until the stream is read or closed."""
        proc, head = self._send(job, timeout)
        if head.body:  # an error, answered whole
            self._idle.put(proc)
            return head, Stream(self, None, timeout, job.name)
        return head, Stream(self, proc, timeout, job.name)

    def close(self) -> None:
        """Stop the idle workers (busy ones stop when their connection closes)."""
        while True:
            try:
                proc = self._idle.get_nowait()
            except queue.Empty:
                return
            proc.kill()
            with self._lock:
                self._started -= 1


class Stream:
    """The body of a streamed job: iterate for chunks; ``close()`` (called by WSGI servers) gives
    the worker back when the stream was read to its end, or replaces it otherwise."""

    def __init__(self, pool: Executor, proc: _Process | None, timeout: float, name: str) -> None:
        self.pool, self.proc, self.timeout, self.name = pool, proc, timeout, name
        self.done = proc is None

    def __iter__(self) -> Iterator[bytes]:
        while not self.done:
            proc, self.proc = self.proc, None  # on an error _ask has already replaced it
            frame = self.pool._ask(proc, b"", self.timeout, self.name,
                                   f"{self.name}: no data for {self.timeout:g} s, stopped")
            self.proc = proc
            kind = frame[:1]
            if kind == b"d":
                yield bytes(frame[1:])
                continue
            self.done = True
            self.close()
            if kind == b"x":
                raise OSError(bytes(frame[1:]).decode(errors="replace").strip())

    def close(self) -> None:
        proc, self.proc = self.proc, None
        if proc is not None:
            if self.done:
                self.pool._idle.put(proc)
            else:
                self.pool._replace(proc)


if __name__ == "__main__":
    # stdout belongs to whoever started the server; the protocol runs on the socket FD
    _worker_main(socket.socket(fileno=int(sys.argv[1])), sys.argv[2])
