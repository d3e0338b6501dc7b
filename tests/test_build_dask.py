"""``kg build --dask``: extraction on a real Dask cluster gives the graphs of a local build.

The build runs as the real command in a subprocess (``--dask local -j 2``: a LocalCluster of
two worker processes, one thread each), and its store is compared quad for quad with the
session's local build of the same corpus: our IRIs are deterministic and no quad holds a build
time, so the same results are the same quad sets.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from pyoxigraph import Store

from tests.conftest import CORPUS, ROOT
from tests.web_fixtures import free_port


def _kg(*args: str, env: dict[str, str] | None = None, timeout: float = 120):
    return subprocess.run([sys.executable, "-m", "kg.cli", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})})


def test_dask_local_cluster_builds_the_graphs_of_a_local_build(tmp_path, corpus_build,
                                                              corpus_store):
    store = tmp_path / "store"
    start = time.monotonic()
    run = _kg("build", str(CORPUS), "--store", str(store), "--dask", "local", "-j", "2")
    seconds = time.monotonic() - start
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines()[-1] == "5 built, 0 unchanged, 0 skipped, 0 failed"
    assert "Traceback" not in run.stderr
    dask_quads = set(Store.read_only(str(store)))
    local_quads = set(corpus_store)
    assert len(dask_quads) == len(local_quads) > 20_000
    assert dask_quads == local_quads
    assert seconds < 60, f"--dask local took {seconds:.0f} s"
    again = _kg("build", str(CORPUS), "--store", str(store), "--dask", "local", "-j", "2")
    assert again.stdout.splitlines()[-1] == "0 built, 5 unchanged, 0 skipped, 0 failed"


def test_dask_scheduler_not_there_is_one_line_naming_it(tmp_path):
    address = f"tcp://127.0.0.1:{free_port()}"
    run = _kg("build", str(CORPUS), "--store", str(tmp_path / "s"), "--dask", address,
              env={"KG_DASK_WAIT": "2"})
    assert run.returncode == 1
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    assert lines[0].startswith(f"error: --dask {address}: no Dask scheduler answers there"), \
        run.stderr
    assert "Traceback" not in run.stderr
    assert not (tmp_path / "s").exists()  # nothing built


def test_kg_build_does_not_import_dask_without_dask(tmp_path):
    code = ("import sys; from kg.cli import main\n"
            "try:\n    main(['build', sys.argv[1], '--store', sys.argv[2], '-q'])\n"
            "except SystemExit:\n    pass\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')))")
    run = subprocess.run([sys.executable, "-c", code, str(CORPUS / "004_f4139d6273d944ae.txt"),
                          str(tmp_path / "s")], cwd=ROOT, capture_output=True, text=True,
                         timeout=120)
    assert run.stdout.splitlines()[-1] == "[]", run.stdout + run.stderr


def test_a_worker_with_another_pipeline_stops_the_build_before_any_text(tmp_path):
    """A real scheduler and worker (``dask scheduler``, ``dask worker``) whose worker runs the
    rules alone (``KG_TAGGER=off``): its graphs would differ, so nothing is sent or built."""
    dask = Path(sys.executable).parent / "dask"
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    logs = (tmp_path / "scheduler.log").open("wb"), (tmp_path / "worker.log").open("wb")
    scheduler = subprocess.Popen([str(dask), "scheduler", "--host", "127.0.0.1", "--port",
                                  str(port), "--dashboard-address", ":0"], stdout=logs[0],
                                 stderr=logs[0])
    worker = subprocess.Popen([str(dask), "worker", address, "--nthreads", "1",
                               "--dashboard-address", ":0"], stdout=logs[1], stderr=logs[1],
                              env={**os.environ, "KG_TAGGER": "off"})
    try:
        run = _kg("build", str(CORPUS), "--store", str(tmp_path / "s"), "--dask", address,
                  env={"KG_DASK_WAIT": "30"})
    finally:
        for proc in (worker, scheduler):
            proc.terminate()
            proc.wait(timeout=20)
    lines = run.stderr.strip().splitlines()
    assert run.returncode == 1 and len(lines) == 1, run.stderr
    assert lines[0].startswith(f"error: --dask {address}: Dask worker(s) tcp://127.0.0.1:")
    assert "tagger=off, here " in lines[0] and lines[0].endswith("tagger=on); install the same "
                                                                 "gov-kg on every worker and "
                                                                 "restart them")
    assert not (tmp_path / "s").exists()
