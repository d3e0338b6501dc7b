"""A process pool whose workers die with the process that started them.

``ProcessPoolExecutor`` workers outlive a parent killed by SIGKILL (or by a SIGTERM that skips
Python's cleanup): they are orphans that go on extracting. Here each worker, as it starts, asks
Linux to send it SIGKILL when its parent dies (``prctl(PR_SET_PDEATHSIG)``), and also runs a
watchdog thread that exits once ``os.getppid()`` changes (other systems, and the moment before
``prctl`` took effect).

>>> with pool(1) as p:
...     list(p.map(abs, [-1, -2]))
[1, 2]
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor

_PR_SET_PDEATHSIG = 1
_WATCH_SECONDS = 0.5


def _die_with_parent(parent: int) -> None:
    """Worker initializer: end this process when ``parent`` is gone."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(_WATCH_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="kg-parent-watchdog", daemon=True).start()


@contextlib.contextmanager
def pool(jobs: int) -> Iterator[ProcessPoolExecutor]:
    """A ``ProcessPoolExecutor`` of ``jobs`` workers that die with this process; on any
    exception (KeyboardInterrupt included) pending work is cancelled and the workers are
    killed at once instead of finishing the queue."""
    executor = ProcessPoolExecutor(max_workers=jobs, initializer=_die_with_parent,
                                   initargs=(os.getpid(),))
    try:
        yield executor
    except BaseException:
        processes = list(getattr(executor, "_processes", {}).values())
        executor.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            with contextlib.suppress(OSError, ValueError, AttributeError):
                process.kill()
        raise
    else:
        executor.shutdown(wait=True)
