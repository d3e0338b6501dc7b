"""Serving while building (#12): ``kg serve`` answers every query sent while ``kg build`` adds
50 reports from another process, and shows them once the build is done, without a restart;
``kg query`` during the build answers, or says in one line that the store is busy. Real
processes on a real store (``kg.lock``: one writer, readers never beside it); the reports are
made up from a real one (``made_up_reports``)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from kg import lock, pipeline
from tests.test_build_robust import made_up_reports
from tests.web_fixtures import kg_serve

KG = Path(sys.executable).parent / "kg"
GK = "PREFIX gk: <https://w3id.org/gov-kg/ontology#>\n"
COUNT = GK + "SELECT (COUNT(DISTINCT ?r) AS ?n) WHERE { ?r a gk:Report }"
#: one city's observations, the heaviest of the mix
OBSERVATIONS = GK + """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?indicator ?value ?year WHERE { ?c rdfs:label "北京市" . GRAPH ?r { ?r gk:city ?c .
  ?o a gk:Observation ; gk:indicator ?i ; gk:value ?value ; gk:year ?year } ?i rdfs:label ?indicator }"""


def ask(base: str, k: int) -> tuple[int, bytes, int | None]:
    """The ``k``-th request of the mix: (status, body, reports counted or None)."""
    if k % 4 == 3:
        url = base + "/health"
    elif k % 4 == 2:
        url = base + "/queries/reports"
    else:
        url = base + "/sparql?" + urllib.parse.urlencode({"query": COUNT if k % 4 == 0
                                                          else OBSERVATIONS})
    request = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json, "
                                                             "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as r:
            body = r.read()
            status = r.status
    except urllib.error.HTTPError as e:
        return e.code, e.read(), None
    n = None
    if k % 4 == 0 and status == 200:
        n = int(json.loads(body)["results"]["bindings"][0]["n"]["value"])
    return status, body, n


def test_serve_answers_every_query_while_a_build_adds_50_reports(tmp_path):
    reports = made_up_reports(tmp_path / "in", 53)
    store = tmp_path / "store"
    pipeline.build([path for path, _, _ in reports[:3]], store, progress=False)
    with kg_serve(store) as base:
        assert ask(base, 0)[2] == 3
        stop = threading.Event()
        building = threading.Event()
        sent: list[int] = []
        failures: list[str] = []
        seen: dict[int, list[int]] = {}

        def client(worker: int) -> None:
            k = worker
            while not stop.is_set():
                during = building.is_set()
                try:
                    status, body, n = ask(base, k)
                except OSError as e:  # a refused or reset connection is a failure too
                    status, body, n = 0, repr(e).encode(), None
                if during:
                    sent.append(k)
                if status != 200:
                    failures.append(f"{status} {body[:300]!r}")
                if n is not None:
                    seen.setdefault(worker, []).append(n)
                k += 4 if worker % 2 == 0 else 1

        threads = [threading.Thread(target=client, args=(w,), daemon=True) for w in range(4)]
        for t in threads:
            t.start()
        building.set()
        started = time.monotonic()
        build = subprocess.Popen([str(KG), "build", "-q", str(tmp_path / "in"), "--store",
                                  str(store)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 text=True)
        cli: list[subprocess.CompletedProcess] = []
        while build.poll() is None:  # `kg query` beside the build
            cli.append(subprocess.run([str(KG), "query", COUNT, "--store", str(store),
                                       "--format", "json"], capture_output=True, text=True,
                                      timeout=120))
        out, err = build.communicate(timeout=300)
        took = time.monotonic() - started
        building.clear()
        time.sleep(0.2)
        stop.set()
        for t in threads:
            t.join(timeout=60)
        assert build.returncode == 0, err[-2000:]
        counts = re.search(r"(\d+) built, (\d+) unchanged, 0 skipped, 0 failed", out + err)
        assert counts, out + err  # (3 unchanged, unless the pipeline changed meanwhile)
        assert int(counts[1]) >= 50 and int(counts[1]) + int(counts[2]) == 53
        print(f"\nbuild {took:.1f} s; {len(sent)} requests during it, {len(failures)} failed; "
              f"{len(cli)} kg query runs: "
              f"{sum(r.returncode == 0 for r in cli)} answered")
        assert sent and not failures, failures[:5]
        for counts in seen.values():  # each client saw the reports arrive, never leave
            assert counts == sorted(counts) and 3 <= counts[0] and counts[-1] <= 53
        for run in cli:
            if run.returncode == 0:
                assert 3 <= int(json.loads(run.stdout)[0]["n"]) <= 53
            else:
                assert run.returncode == 1 and "busy" in run.stderr, run.stderr
                assert len(run.stderr.strip().splitlines()) == 1 and "Traceback" not in run.stderr
        assert ask(base, 0)[2] == 53  # the same server, no restart


def test_kg_query_and_a_second_writer_say_busy_in_one_line(tmp_path):
    """While a writer has the store (here: this test, in a write turn that does not give way),
    ``kg query`` waits ``KG_STORE_WAIT`` seconds, then says that the store is busy; another
    ``kg build`` is refused at once, naming the writing process. Afterwards both work."""
    (path, _, _), = made_up_reports(tmp_path / "in", 1)
    store = tmp_path / "store"
    pipeline.build([path], store, progress=False)
    env = {**os.environ, "KG_STORE_WAIT": "0.5"}
    query = [str(KG), "query", COUNT, "--store", str(store), "--format", "csv"]
    build = [str(KG), "build", "-q", "--force", str(path), "--store", str(store)]
    with lock.Writing(store, hold=False) as writer:
        with writer.store() as opened:
            runs = [subprocess.run(command, capture_output=True, text=True, env=env, timeout=60)
                    for command in (query, build)]
            del opened
    for run in runs:
        assert run.returncode == 1 and run.stdout == "", run
        assert len(run.stderr.strip().splitlines()) == 1 and "Traceback" not in run.stderr
    assert "is busy" in runs[0].stderr and "0.5 s" in runs[0].stderr
    assert f"being written by another process (pid {os.getpid()})" in runs[1].stderr
    after = [subprocess.run(command, capture_output=True, text=True, timeout=60)
             for command in (query, build)]
    assert [run.returncode for run in after] == [0, 0] and after[0].stdout.split() == ["n", "1"]
