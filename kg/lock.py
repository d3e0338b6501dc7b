"""One writer, many readers, across processes: ``flock`` locks in the store directory.

pyoxigraph calls a read-only handle used while another process writes the store undefined
behaviour (``Store.read_only``): RocksDB's writer flushes, compacts and deletes files from
background threads, so a reader that opens or reads meanwhile may find a file gone ("Corruption:
IO error: No such file … MANIFEST", 1-2.5 % of the queries sent during a build, #12). RocksDB's
own ``LOCK`` only keeps out a second writer. So every gov-kg process that opens an on-disk store
takes these locks (files beside RocksDB's; the kernel drops a lock when its process dies, even by
SIGKILL, so a crash leaves none behind):

* ``kg-build.lock``, exclusive, for the whole time one process may write: ``kg build`` for its
  run, the server's Update job for one update. Another writer is refused (``Busy``).
* ``kg-data.lock``, shared by a reader while it reads, exclusive while the writer has the store
  open read-write. The writer closes the store (RocksDB ends its background work on close)
  before it lets go, and counts a new **generation** in this file when it takes the lock: a
  reader whose handle was opened at another generation reopens it first (``generation``), so
  no read-only handle is ever used across a write.
* ``kg-gate.lock``: a writer waiting for the readers to finish keeps new ones out, so that it is
  not starved; ``kg-want.lock``: a waiting reader says so, and a writer that keeps the store
  open between writes (``Writing(hold=True)``) lets go within ``POLL`` seconds.

>>> import tempfile
>>> path = Path(tempfile.mkdtemp())
>>> with Writing(path) as writer:
...     with writer.store() as store:
...         store.update("INSERT DATA { <http://e.org/s> <http://e.org/p> 1 }")
...     del store  # a turn's handle must not outlive it: it is closed between turns
>>> with reading(path):
...     len(Store.read_only(str(path)))
1
"""

from __future__ import annotations

import fcntl
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from pyoxigraph import Store

from kg.errors import StoreError

#: Seconds a reader waits for the writer to let go before saying that the store is busy
#: (environment ``KG_STORE_WAIT``).
READ_WAIT = float(os.environ.get("KG_STORE_WAIT", "30"))
#: Seconds a writer waits for the readers (a long query, export or analysis) to finish.
WRITE_WAIT = 120.0
#: Seconds between a holding writer's looks for waiting readers, and at most between tries.
POLL = 0.005
_GATE_TURN = 2.0  # s a waiting writer keeps new readers out before it lets them in again
T = TypeVar("T")
BUILD, GATE, DATA, WANT = "kg-build.lock", "kg-gate.lock", "kg-data.lock", "kg-want.lock"


class Busy(StoreError):
    """Another process holds the store for longer than we may wait."""


_FDS: set[int] = set()  # every lock descriptor open in this process


def _forget_in_child() -> None:
    """A forked child (``kg build -j``'s workers) closes its copies of the lock descriptors:
    ``flock`` locks belong to the open file, so a child keeping one would keep the parent's
    lock after the parent lets go."""
    for fd in _FDS:
        os.close(fd)
    _FDS.clear()


os.register_at_fork(after_in_child=_forget_in_child)


def _open(path: Path, name: str) -> int | None:
    """A descriptor of the lock file ``name`` in ``path``; None where none can exist (a
    read-only directory without one: nobody can write that store either)."""
    try:
        fd = os.open(path / name, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
    except PermissionError:
        try:
            fd = os.open(path / name, os.O_RDONLY | os.O_CLOEXEC)
        except FileNotFoundError:
            return None
    _FDS.add(fd)
    return fd


def _take(fd: int | None, op: int, deadline: float | None) -> bool:
    """``flock(fd, op)`` by polling until ``deadline`` (``time.monotonic``; None: no limit)."""
    if fd is None:
        return True
    delay = 0.0002
    while True:
        try:
            fcntl.flock(fd, op | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if deadline is not None and time.monotonic() >= deadline:
                return False
        time.sleep(delay)
        delay = min(2 * delay, POLL)


def _close(fd: int | None) -> None:
    if fd is not None:
        _FDS.discard(fd)
        os.close(fd)  # also lets go of its lock


def _deadline(wait: float | None) -> float | None:
    return None if wait is None else time.monotonic() + wait


def _holder(path: Path) -> str:
    """`` (pid N)``: the process that last took the build lock, as it wrote there."""
    try:
        pid = (path / BUILD).read_text().strip()
    except OSError:
        return ""
    return f" (pid {pid})" if pid.isdigit() else ""


def generation(path: str | Path) -> int:
    """What a read-only handle was opened at: the writers' count (``kg-data.lock``) and the
    directory's modification time (which also moves for a writer that ignores these locks).

    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp())
    >>> before = generation(path)
    >>> with Writing(path) as w:
    ...     with w.store() as store:
    ...         store.update("INSERT DATA { <http://e.org/s> <http://e.org/p> 1 }")
    ...     del store
    >>> generation(path) != before
    True
    """
    path = Path(path)
    try:
        count = int((path / DATA).read_bytes() or b"0")
    except (FileNotFoundError, ValueError):
        count = 0
    return count << 64 | os.stat(path).st_mtime_ns


def _reader_waits(want: int | None) -> bool:
    if want is None:
        return False
    try:
        fcntl.flock(want, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    fcntl.flock(want, fcntl.LOCK_UN)
    return False


class _Shared:
    """The shared hold of one reader on ``kg-data.lock`` (its own descriptor: ``flock`` locks
    belong to an open file, so two readers in one process do not release each other's)."""

    def __init__(self, path: Path, wait: float | None) -> None:
        deadline = _deadline(wait)
        want, gate = _open(path, WANT), _open(path, GATE)
        self.fd = _open(path, DATA)
        try:
            if not (_take(want, fcntl.LOCK_SH, deadline) and _take(gate, fcntl.LOCK_SH, deadline)
                    and _take(self.fd, fcntl.LOCK_SH, deadline)):
                _close(self.fd)
                raise Busy(f"store {path} is busy: it is being written{_holder(path)} (`kg "
                           f"build` or an update) and was not free within {wait:g} s; retry "
                           "when the build is done")
        finally:
            _close(gate)
            _close(want)

    def release(self) -> None:
        fd, self.fd = self.fd, None
        _close(fd)


@contextmanager
def reading(path: str | Path, *, wait: float | None = READ_WAIT) -> Iterator[int]:
    """Hold the store at ``path`` for reading during the block; yields its ``generation``: a
    read-only handle opened at another must be reopened before it is used. Raises ``Busy``
    after ``wait`` seconds (None: no limit) of a write in progress."""
    _sweep()
    path = Path(path)
    hold = _Shared(path, wait)
    try:
        yield generation(path)
    finally:
        hold.release()


# --- handles held as long as their Store lives (``kg.store.open_store(read_only=True)``) --

_HELD: list[tuple[Store, Path, _Shared]] = []
_HELD_LOCK = threading.Lock()
_SWEEP_EVERY = 0.2  # s between looks for handles dropped, while some are held
_sweeper: threading.Thread | None = None


def hold_while_open(path: str | Path, *, wait: float | None = READ_WAIT) -> Store:
    """A read-only handle of the store at ``path``, opened under a shared hold that lasts while
    the handle is referenced (released within ``_SWEEP_EVERY`` s of the last reference going,
    or when the process ends): for commands that read a store for their whole run (``kg
    query``, ``kg export`` …)."""
    global _sweeper
    _sweep()
    path = Path(path)
    hold = _Shared(path, wait)
    try:
        store = Store.read_only(str(path))
    except BaseException:
        hold.release()
        raise
    with _HELD_LOCK:
        _HELD.append((store, path.resolve(), hold))
        if _sweeper is None or not _sweeper.is_alive():
            _sweeper = threading.Thread(target=_sweep_while_held, daemon=True,
                                        name="kg-lock-sweeper")
            _sweeper.start()
    return store


def _sweep() -> list[Path]:
    """Close the handles nobody else references and release their holds; the paths still
    held."""
    with _HELD_LOCK:
        for i in reversed(range(len(_HELD))):
            # the list's tuple and getrefcount's argument are the only references left
            if sys.getrefcount(_HELD[i][0]) <= 2:
                entry = _HELD.pop(i)
                hold = entry[2]
                del entry  # the handle's last reference: it is closed before the hold goes
                hold.release()
        return [p for _, p, _ in _HELD]


def _sweep_while_held() -> None:
    while _sweep():
        time.sleep(_SWEEP_EVERY)


# --- the writer ----------------------------------------------------------------------------


class Writing:
    """The one writer of the store at ``path``, from ``with`` to its end.

    ``with writing.store() as store`` gives the store open read-write: opened, when it is not,
    once the readers have let go (``Busy`` after ``readers_wait`` s). With ``hold`` the store
    stays open between writes until a reader waits for it: then a thread flushes it, closes it
    and lets go, and the next write opens it again (a build that nobody reads meanwhile opens
    it once). Without ``hold`` it is closed after each block (the server's Update job).
    ``wait``: seconds to wait for another writer (0: ``Busy`` at once).
    """

    def __init__(self, path: str | Path | Store, *, wait: float = 0.0, hold: bool = True,
                 readers_wait: float = WRITE_WAIT) -> None:
        #: a Store given (in memory, or opened by the caller) is written as it is, unlocked
        self.given = path if isinstance(path, Store) else None
        self.path = Path("." if isinstance(path, Store) else path)
        self.wait, self.hold, self.readers_wait = wait, hold, readers_wait
        self._mutex = threading.RLock()
        self._store: Store | None = None
        self._build: int | None = None
        self._data: int | None = None
        self._want: int | None = None
        self._stop = threading.Event()
        self._watcher: threading.Thread | None = None

    def __enter__(self) -> Writing:
        if self.given is not None:
            return self
        self.path.mkdir(parents=True, exist_ok=True)
        if self.path.resolve() in _sweep():
            raise StoreError(f"store {self.path}: this process still holds a read-only handle "
                             "of it (kg.store.open_store); drop it before writing")
        self._build = _open(self.path, BUILD)
        if not _take(self._build, fcntl.LOCK_EX, _deadline(self.wait)):
            holder = _holder(self.path)
            _close(self._build)
            raise Busy(f"store {self.path} is being written by another process{holder} "
                       "(`kg build` or a server's update); retry when it is done")
        if self._build is not None:
            os.ftruncate(self._build, 0)
            os.pwrite(self._build, str(os.getpid()).encode(), 0)
        if self.hold:
            self._want = _open(self.path, WANT)
            self._watcher = threading.Thread(target=self._watch, daemon=True,
                                             name="kg-lock-writer")
            self._watcher.start()
        return self

    def __exit__(self, kind, error, traceback) -> None:
        self._stop.set()
        if self._watcher is not None:
            self._watcher.join()
        with self._mutex:
            if not self.let_go(strict=kind is None):
                return  # still referenced by the failure's traceback: the locks stay held
        _close(self._want)
        _close(self._build)
        self._want = self._build = None

    @contextmanager
    def store(self) -> Iterator[Store]:
        """The store, open read-write and held exclusively during the block. Keep no
        reference to it past the block: it is closed between turns (``StoreError`` when a
        reference forbids it)."""
        if self.given is not None:
            yield self.given
            return
        with self._mutex:
            if self._store is None:
                self._take_data()
                self._store = Store(str(self.path))
            try:
                yield self._store
            except BaseException:
                if not self.hold:
                    self.let_go(strict=False)  # the failure, not this, is what to report
                raise
            if not self.hold:
                self.let_go()

    def read(self, read: Callable[[Store], T]) -> T:
        """``read(store)`` on a read-only handle, for a long read by the writer: it lets go of
        the store first, so the readers go on meanwhile (and no process can write, since we
        are the writer)."""
        if self.given is not None:
            return read(self.given)
        if not (self.path / "CURRENT").exists():  # a new store: RocksDB creates it read-write
            with self.store() as store:
                result = read(store)
                del store
            return result
        with self._mutex:
            self.let_go()
            with reading(self.path, wait=self.readers_wait):
                return read(Store.read_only(str(self.path)))

    def let_go(self, *, strict: bool = True) -> bool:
        """Flush and close the store, then let the readers in (the mutex is held); whether it
        could. A handle still referenced elsewhere cannot be closed: then nothing is let go
        (``StoreError`` if ``strict``), since readers must not read beside an open writer."""
        if self._store is not None:
            if sys.getrefcount(self._store) > 2:  # ours and the argument's
                if not strict:
                    return False
                raise StoreError(f"store {self.path}: its read-write handle is still "
                                 "referenced outside a writer's turn, so it cannot be closed")
            self._store.flush()  # readers then open without replaying a long write-ahead log
            self._store = None  # RocksDB's close waits for its background jobs
        fd, self._data = self._data, None
        _close(fd)
        return True

    def _take_data(self) -> None:
        """Take ``kg-data.lock`` exclusively, keeping new readers out at the gate for
        ``_GATE_TURN`` s at a time, and count a new generation."""
        deadline = time.monotonic() + self.readers_wait
        gate, data = _open(self.path, GATE), _open(self.path, DATA)
        try:
            while True:
                if _take(gate, fcntl.LOCK_EX, deadline):
                    turn = min(deadline, time.monotonic() + _GATE_TURN)
                    if _take(data, fcntl.LOCK_EX, turn):
                        break
                    if gate is not None:
                        fcntl.flock(gate, fcntl.LOCK_UN)
                if time.monotonic() >= deadline:
                    _close(data)
                    raise Busy(f"store {self.path} is busy: readers (a long query, export or "
                               f"analysis) held it for {self.readers_wait:g} s; nothing more "
                               "was written, run again when they are done")
                time.sleep(0.05)  # the readers' turn
        finally:
            _close(gate)
        if data is not None:
            count = int(os.pread(data, 32, 0) or b"0") + 1
            os.pwrite(data, b"%020d" % count, 0)
        self._data = data

    def _watch(self) -> None:
        while not self._stop.wait(POLL):
            if self._data is not None and _reader_waits(self._want):
                with self._mutex:
                    self.let_go(strict=False)  # (a turn that has just ended: next look)
