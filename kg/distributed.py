"""Extraction on a Dask cluster (``kg build --dask ADDRESS``, ``--dask local``).

Extraction is a pure function of a file's text (:func:`kg.pipeline.process`; the per-file
worker is ``kg.pipeline._work``), so it can run on any machine that has gov-kg installed. This
module sends each file's text to a Dask worker and hands the outcomes (the graph as
N-Triples and a summary) back to :func:`kg.pipeline.build` in file order; the store is still
written by this process alone, one transaction per report, so a build with Dask gives the
same graphs as a local one (``tests/test_build_dask.py``).

* Dask is imported here only, and this module only for ``--dask``: ``kg build`` starts as fast
  as before.
* A worker that runs another pipeline (other gov-kg code, lexicons or model, or
  ``KG_TAGGER=off``; a standing worker started before the code changed) would build different
  graphs: the build stops before sending a text if a worker's fingerprint differs, and each
  outcome carries its worker's, so a file extracted by a worker that joined later with another
  one fails, naming the worker.
* Texts are sent a few at a time (``WINDOW`` per worker thread), so a national corpus does not
  sit in the scheduler's memory at once.
* Each worker process extracts one text at a time (a lock): extraction is Python under the GIL,
  so threads would gain nothing, and the learned tagger is one object per process. Run workers
  as ``dask worker ADDRESS --nworkers N --nthreads 1``.
"""

from __future__ import annotations

import os
import threading
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from itertools import islice
from typing import Any

from kg.errors import KGError
from kg.outcomes import Outcome, hash_text

#: Texts in flight per worker thread: enough to keep every worker busy while this process
#: writes, few enough that the texts of a whole corpus are not all sent at once.
WINDOW = 4
#: Seconds to wait for a scheduler, and for its first worker (environment ``KG_DASK_WAIT``).
CONNECT_WAIT = float(os.environ.get("KG_DASK_WAIT", "60"))

Map = Callable[[Callable[[Any], Outcome], Sequence[Any]], Iterator[Outcome]]
_EXTRACTING = threading.Lock()


class DaskError(KGError):
    """The Dask scheduler cannot be reached, or has no workers."""


def fingerprint() -> str:
    """What decides the graphs a text gives: the pipeline version (code, lexicons, model) and
    whether the learned tagger runs.

    >>> fingerprint() == fingerprint()
    True
    """
    from kg.extract.tagger import default
    from kg.pipeline import pipeline_version

    return f"{pipeline_version()} tagger={'on' if default() is not None else 'off'}"


def _on_worker(work: Callable[[Any], Outcome], task: Any) -> tuple[str, str, Outcome]:
    """Run on a Dask worker: the worker's address and fingerprint, and ``work(task)``."""
    from distributed import get_worker

    with _EXTRACTING:
        outcome = work(task)
    return get_worker().address, fingerprint(), outcome


@contextmanager
def cluster(address: str, *, workers: int | None = None) -> Iterator[Map]:
    """A map of tasks to outcomes, in order, on the Dask scheduler at ``address`` (``local``:
    a ``LocalCluster`` of ``workers`` processes, one thread each, started here and stopped at
    the end; default: one per core), for :func:`kg.pipeline.build`'s ``mapper``.

    Raises :class:`DaskError` naming the address when no scheduler answers or no worker joins
    within ``CONNECT_WAIT`` seconds.
    """
    from distributed import Client, LocalCluster

    local = None
    try:
        if address == "local":
            local = LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1,
                                 processes=True, dashboard_address=":0")
            client = Client(local)
        else:
            client = Client(address, timeout=CONNECT_WAIT)
    except (OSError, TimeoutError, ValueError) as e:
        if local is not None:
            local.close()
        raise DaskError(f"--dask {address}: no Dask scheduler answers there ({e}); start one "
                        "(`dask scheduler`, then `dask worker ADDRESS --nthreads 1` on each "
                        "machine) or use --dask local") from e
    try:
        try:
            client.wait_for_workers(1, timeout=CONNECT_WAIT)
        except TimeoutError as e:
            raise DaskError(f"--dask {address}: the scheduler has no worker after "
                            f"{CONNECT_WAIT:g} s; start `dask worker {address} --nthreads 1` "
                            "on machines with gov-kg installed") from e
        expected = fingerprint()
        others = {w: f for w, f in client.run(fingerprint).items() if f != expected}
        if others:  # before any text is sent; a worker joining later is checked per outcome
            raise DaskError(f"--dask {address}: Dask worker(s) {', '.join(sorted(others))} "
                            f"run another pipeline ({sorted(set(others.values()))[0]}, here "
                            f"{expected}); install the same gov-kg on every worker and "
                            "restart them")

        def run(work: Callable[[Any], Outcome], tasks: Sequence[Any]) -> Iterator[Outcome]:
            threads = sum(client.nthreads().values()) or 1
            return _ordered(client, work, tasks, WINDOW * threads, expected)

        yield run
    finally:
        client.close()
        if local is not None:
            local.close()


def _ordered(client: Any, work: Callable[[Any], Outcome], tasks: Sequence[Any], window: int,
             expected: str) -> Iterator[Outcome]:
    """``work(task)`` for each task on the cluster, yielded in the tasks' order, with at most
    ``window`` tasks sent and not yet yielded."""
    todo = iter(tasks)
    pending: deque[tuple[Any, Any]] = deque()

    def send(batch: Iterator[Any]) -> None:
        for task in batch:
            pending.append((task, client.submit(_on_worker, work, task, pure=False)))

    send(islice(todo, window))
    while pending:
        task, future = pending.popleft()
        try:
            worker, found, outcome = future.result()
        except Exception as e:  # noqa: BLE001 - a worker lost on one file fails that file
            outcome = Outcome(task.path, hash_text(task.text),
                              error=f"{task.path}: the Dask worker failed on it "
                                    f"({type(e).__name__}: {e})")
        else:
            if found != expected:
                outcome = Outcome(task.path, outcome.content_hash,
                                  error=f"{task.path}: Dask worker {worker} runs another "
                                        f"pipeline ({found}, here {expected}); install the "
                                        "same gov-kg on every worker")
        future.release()
        send(islice(todo, 1))
        yield outcome
