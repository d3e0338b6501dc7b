"""Crash safety (#12): ``kg build --force --replace`` over 18 reports, killed with SIGKILL at
several moments, leaves a store that opens and in which every graph (each report's, the
entities graph, the targets graph) is wholly the old one or wholly the new one, compared by
triple counts with clean builds of the old and the new texts; a re-run finishes the job.

Why it holds: each report is one SPARQL update (``kg.store.replace_graph``: DROP + INSERT DATA),
which Oxigraph evaluates in one transaction and commits as one RocksDB write batch, a single
write-ahead-log record that recovery replays whole or not at all; the entities and targets
graphs are written the same way, after the reports. The texts are made up from a real report
(``made_up_reports``), the new ones longer than the old, so old and new counts differ.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pyoxigraph import Store

from kg import lock, pipeline
from kg.store import select
from tests.test_build_robust import made_up_reports

KG = Path(sys.executable).parent / "kg"
N = 16
SIZES = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"


def graph_sizes(path: Path) -> dict[str, int]:
    """Triples per named graph, read as any reader does (``kg.lock``), so reading never
    disturbs the build being watched."""
    with lock.reading(path):
        return {r["g"]: r["n"] for r in select(Store.read_only(str(path)), SIZES)}


def log_bytes(path: Path) -> int:
    """Bytes in RocksDB's write-ahead logs: they grow with every report committed."""
    return sum(p.stat().st_size for p in path.glob("*.log") if p.exists())


@pytest.fixture(scope="module")
def builds(tmp_path_factory):
    """(old store, old sizes, new texts, new sizes): clean builds of both versions."""
    root = tmp_path_factory.mktemp("crash")
    made_up_reports(root / "old", N, chars=1500)
    made_up_reports(root / "new", N + 2, chars=2500)  # the same reports, longer, and two more
    pipeline.build([root / "old"], root / "old-store", progress=False)
    pipeline.build([root / "new"], root / "new-store", progress=False)
    old, new = graph_sizes(root / "old-store"), graph_sizes(root / "new-store")
    reports = [g for g in new if "/report/" in g]
    assert len(reports) == N + 2 and sum(g in old for g in reports) == N
    told_apart = [g for g in old if "/report/" in g or g.endswith("/entities")]
    assert all(old[g] != new[g] for g in told_apart), "old and new would not be told apart"
    return root / "old-store", old, root / "new", new


def kill_when(store: Path, texts: Path, ready, *options: str) -> int:
    """Run ``kg build --replace OPTIONS`` of ``texts`` into ``store`` and SIGKILL it as soon as
    ``ready(store)`` is true; its exit status (-9 when killed, 0 if it ended first)."""
    proc = subprocess.Popen([str(KG), "build", "-q", "--replace", *options, str(texts),
                             "--store", str(store)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while proc.poll() is None and not ready(store) and time.monotonic() < deadline:
        time.sleep(0.1)
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGKILL)
    return proc.wait(timeout=30)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="SIGKILL, flock")
def test_a_build_killed_at_any_moment_leaves_whole_graphs_and_a_rerun_finishes(tmp_path,
                                                                                builds):
    old_store, old, texts, new = builds
    reports = [g for g in new if "/report/" in g]

    def whole(sizes: dict[str, int]) -> dict[str, str]:
        """Each graph's state: old, new, absent, or torn (what must never be)."""
        out = {}
        for g in sorted(set(sizes) | set(new)):
            n = sizes.get(g)
            out[g] = ("new" if n == new.get(g) else "old" if n == old.get(g)
                      else f"torn: {n} triples (old {old.get(g)}, new {new.get(g)})")
        return out

    def new_reports(k: int):
        def ready(store: Path) -> bool:  # each look is a reader's, itself checked
            state = whole(graph_sizes(store))
            assert not [v for v in state.values() if v.startswith("torn")], state
            return sum(state[g] == "new" for g in reports) >= k
        return ready

    start: list[int] = []
    moments = {  # each run goes on from where the last was killed
        "during the first writes (kg build --force)": (
            lambda store: (start.append(log_bytes(store)) or True) and
            log_bytes(store) > start[0] + 50_000, "--force"),
        "halfway": (new_reports(N // 2), ),
        "after the last report, in the entities graph": (new_reports(N + 2), ),
    }
    store = tmp_path / "store"
    shutil.copytree(old_store, store)
    outcomes = []
    for moment, (ready, *options) in moments.items():
        status = kill_when(store, texts, ready, *options)
        state = whole(graph_sizes(store))  # it opens, and every graph is whole
        assert not [v for v in state.values() if v.startswith("torn")], (moment, state)
        outcomes.append(f"{moment}: exit {status}, "
                        f"{sum(v == 'new' for v in state.values())} of {len(new)} graphs new")
    print("\n" + "; ".join(outcomes))
    rerun = subprocess.run([str(KG), "build", "-q", "--replace", str(texts), "--store",
                            str(store)], capture_output=True, text=True, timeout=120)
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    assert graph_sizes(store) == new  # the job finished: as a clean build of the new texts
    assert sum(f"exit {-signal.SIGKILL}" in o for o in outcomes) >= 2, outcomes
