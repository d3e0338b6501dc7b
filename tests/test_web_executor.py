"""The query worker pool: results of any size cross, a dead worker is replaced, a runaway
query is stopped at its deadline, a worker past its memory cap is replaced with a 503, and
runaways cannot hold every worker."""

from __future__ import annotations

import json
import sys
import threading
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from web_fixtures import build_sample_store  # noqa: E402

from kg.web.executor import Executor, MemoryCap, QueryTimeout, Stopped  # noqa: E402
from kg.web.jobs import Dump, Query  # noqa: E402


@pytest.fixture(scope="module")
def pool(tmp_path_factory):
    path = tmp_path_factory.mktemp("executor") / "store"
    build_sample_store(path, reports=4, sentences=40)
    pool = Executor(path, size=2)
    yield pool
    pool.close()


def test_large_result_crosses_the_socket(pool):
    r = pool.run(Query("CONSTRUCT WHERE { ?s ?p ?o }", graph_format="N_TRIPLES",
                     max_rows=1_000_000), 30)
    assert r.status == 200 and r.content_type == "application/n-triples"
    assert len(r.body) > 256 * 1024  # more than one recv
    count = pool.run(Query("SELECT (COUNT(*) AS ?n) { SELECT DISTINCT ?s ?p ?o { ?s ?p ?o } }"), 30)
    n = int(json.loads(count.body)["results"]["bindings"][0]["n"]["value"])
    assert r.body.count(b" .\n") == n


def test_a_dead_worker_is_an_error_then_replaced(pool):
    proc = pool._checkout(time.monotonic() + 10, "test")
    proc.process.kill()
    proc.process.wait()
    pool._give_back(proc)
    with pytest.raises(OSError, match="query worker failed"):
        pool.run(Query("ASK {}"), 5)
    deadline = time.monotonic() + 10
    while True:  # the replacement starts in the background; requests meanwhile still work
        r = pool.run(Query("ASK {}"), 5)
        assert r.status == 200 and json.loads(r.body)["boolean"] is True
        if len(pool._idle) >= 2 or time.monotonic() > deadline:
            break
        time.sleep(0.05)


def test_runaway_is_stopped_at_the_deadline(pool):
    start = time.monotonic()
    with pytest.raises(QueryTimeout, match="time limit"):
        pool.run(Query("SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"), 0.5)
    assert time.monotonic() - start < 1.5
    assert pool.run(Query("ASK {}"), 5).status == 200


VALUES = ('SELECT ?x WHERE { VALUES ?x { "a\\nb" "c\\td" "e\\\\nf" "multi\\n\\nline" '
          '<http://example.org/x> } }')


@pytest.mark.parametrize(("max_rows", "rows", "truncated"), [(10, 5, False), (5, 5, False),
                                                            (4, 4, True), (1, 1, True)])
def test_row_limit_counts_rows_not_newlines(pool, max_rows, rows, truncated):
    r = pool.run(Query(VALUES, max_rows=max_rows), 10)
    values = [b["x"]["value"] for b in json.loads(r.body)["results"]["bindings"]]
    assert len(values) == rows and r.truncated is truncated
    assert values == ["a\nb", "c\td", "e\\nf", "multi\n\nline", "http://example.org/x"][:rows]


def test_cut_results_in_every_format(pool):
    import csv
    import io

    from pyoxigraph import QueryResultsFormat, parse_query_results

    for fmt in ("JSON", "XML", "CSV", "TSV"):
        r = pool.run(Query("SELECT * WHERE { ?s ?p ?o }", solutions_format=fmt, max_rows=7), 10)
        assert r.status == 200 and r.truncated
        if fmt == "CSV":  # lossy: pyoxigraph does not parse it back
            rows = list(csv.reader(io.StringIO(r.body.decode())))
            assert sorted(rows[0]) == ["o", "p", "s"] and len(rows) == 8
        else:
            parsed = parse_query_results(r.body, getattr(QueryResultsFormat, fmt))
            assert len(list(parsed)) == 7


def test_a_stream_closed_early_gives_a_fresh_worker(pool):
    head, body = pool.stream(Dump(graph_format="N_QUADS"), 10)
    assert head.status == 200 and head.content_type == "application/n-quads" and not head.body
    chunks = iter(body)
    assert next(chunks)  # the first chunk, then the client goes away
    body.close()
    assert pool.run(Query("ASK {}"), 5).status == 200
    head, body = pool.stream(Dump(graph_format="N_QUADS"), 10)
    quads = b"".join(body).count(b" .\n")
    count = pool.run(Query("SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }"), 10)
    assert quads == int(json.loads(count.body)["results"]["bindings"][0]["n"]["value"]) > 1000


def test_a_dump_of_an_unknown_graph_is_404_whole(pool):
    head, body = pool.stream(Dump(name="graph <x>", graph_format="TURTLE",
                                  graph="http://example.org/none"), 10)
    assert head.status == 404 and b"no graph <http://example.org/none>" in head.body
    assert list(body) == []


RUNAWAY = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def test_a_worker_past_its_memory_cap_is_a_503_and_replaced(tmp_path):
    path = tmp_path / "store"
    build_sample_store(path, reports=4, sentences=40)
    capped = Executor(path, size=1, memory_mb=300)
    try:
        start = time.monotonic()
        with pytest.raises(MemoryCap, match="300 MiB memory cap") as stopped:
            capped.run(Query("SELECT * { ?a ?b ?c . ?d ?e ?f } ORDER BY ?a ?b ?c ?d ?e ?f"
                             " LIMIT 1"), 60)
        assert stopped.value.status == 503 and time.monotonic() - start < 30
        assert capped.run(Query("ASK {}"), 10).status == 200  # its successor answers
    finally:
        capped.close()


def test_runaways_cannot_hold_every_worker(tmp_path):
    """Ten runaway queries at once: a light query still gets a worker quickly (the runaways
    beyond the long-query slots give way), and the runaways end as 503s."""
    path = tmp_path / "store"
    build_sample_store(path, reports=4, sentences=40)
    pool = Executor(path, size=3)
    outcomes: list[str] = []

    def runaway() -> None:
        try:
            pool.run(Query(RUNAWAY), 4)
            outcomes.append("answered")
        except Stopped as e:
            outcomes.append(type(e).__name__)

    try:
        pool.run(Query("ASK {}"), 10)  # one warm worker
        threads = [threading.Thread(target=runaway) for _ in range(10)]
        for t in threads:
            t.start()
        time.sleep(0.5)  # the runaways hold the long slots and the rest of the pool
        waits = []
        for _ in range(5):
            start = time.monotonic()
            assert pool.run(Query("ASK {}"), 10).status == 200
            waits.append(time.monotonic() - start)
        for t in threads:
            t.join()
    finally:
        pool.close()
    # ~0.1 s (long_after) + a worker start (~40 ms) on an idle machine; slack for a busy one
    assert max(waits) < 1.5, waits
    assert "answered" not in outcomes and len(outcomes) == 10
    assert {"Busy", "QueryTimeout"} >= set(outcomes) and "Busy" in outcomes


def test_a_long_job_runs_niced_and_workers_come_back_at_normal_priority(tmp_path):
    import os

    from kg.web.executor import LONG_NICE

    path = tmp_path / "store"
    build_sample_store(path, reports=4, sentences=40)
    pool = Executor(path, size=2, long_after=0.05)

    def runaway() -> None:
        with pytest.raises(QueryTimeout):
            pool.run(Query(RUNAWAY), 1.0)

    try:
        pool.run(Query("ASK {}"), 10)
        [proc] = pool._idle
        done = threading.Thread(target=runaway)
        done.start()
        time.sleep(0.3)
        assert os.getpriority(os.PRIO_PROCESS, proc.process.pid) == LONG_NICE
        done.join()
        deadline = time.monotonic() + 10
        while not pool._idle and time.monotonic() < deadline:  # given back, or replaced
            time.sleep(0.05)
        assert pool._idle, "the killed worker's successor never came back"
        assert all(os.getpriority(os.PRIO_PROCESS, p.process.pid) == 0 for p in pool._idle)
        assert pool.run(Query("ASK {}"), 10).status == 200
    finally:
        pool.close()
