"""The query worker pool: frames of any size both ways, a dead worker is replaced, a runaway
query is stopped at its deadline."""

from __future__ import annotations

import json
import socket
import sys
import threading
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from web_fixtures import build_sample_store  # noqa: E402

from kg.web.executor import (  # noqa: E402
    Executor,
    Job,
    QueryTimeout,
    Result,
    _decode_result,
    _encode_result,
    _FrameReader,
    _send_frame,
)


@pytest.fixture(scope="module")
def pool(tmp_path_factory):
    path = tmp_path_factory.mktemp("executor") / "store"
    build_sample_store(path, reports=4, sentences=40)
    pool = Executor(path, size=2)
    yield pool
    pool.close()


@pytest.mark.parametrize("size", [0, 1, 3, 4, 5, 65_536, 256 * 1024 - 4, 256 * 1024,
                                  3 * 1024 * 1024 + 7])
def test_frames_of_any_size_arrive_whole(size):
    payload = bytes(range(256)) * (size // 256) + bytes(size % 256)
    a, b = socket.socketpair()
    with a, b:
        sender = threading.Thread(target=_send_frame, args=(a, payload))
        sender.start()
        got = _FrameReader(b).read()
        sender.join()
    assert bytes(got) == payload


def test_frames_sent_back_to_back_are_read_in_order():
    a, b = socket.socketpair()
    payloads = [b"head", b"", b"d" * 300_000, b"e"]
    with a, b:
        sender = threading.Thread(target=lambda: [_send_frame(a, p) for p in payloads])
        sender.start()
        frames = _FrameReader(b)
        assert [bytes(frames.read()) for _ in payloads] == payloads
        sender.join()


def test_closed_peer_is_eof():
    a, b = socket.socketpair()
    a.close()
    with b, pytest.raises(EOFError):
        _FrameReader(b).read()


def test_result_round_trip():
    result = Result(206, "text/turtle; charset=utf-8", "规划 ✓".encode() * 3, True)
    assert _decode_result(_encode_result(result)) == result


def test_large_result_crosses_the_socket(pool):
    r = pool.run(Job("CONSTRUCT WHERE { ?s ?p ?o }", graph_format="N_TRIPLES",
                     max_rows=1_000_000), 30)
    assert r.status == 200 and r.content_type == "application/n-triples"
    assert len(r.body) > 256 * 1024  # more than one recv
    count = pool.run(Job("SELECT (COUNT(*) AS ?n) { SELECT DISTINCT ?s ?p ?o { ?s ?p ?o } }"), 30)
    n = int(json.loads(count.body)["results"]["bindings"][0]["n"]["value"])
    assert r.body.count(b" .\n") == n


def test_a_dead_worker_is_an_error_then_replaced(pool):
    proc = pool._idle.get()
    proc.process.kill()
    proc.process.wait()
    pool._idle.put(proc)
    with pytest.raises(OSError, match="query worker failed"):
        pool.run(Job("ASK {}"), 5)
    deadline = time.monotonic() + 10
    while True:  # the replacement starts in the background; requests meanwhile still work
        r = pool.run(Job("ASK {}"), 5)
        assert r.status == 200 and json.loads(r.body)["boolean"] is True
        if pool._idle.qsize() >= 2 or time.monotonic() > deadline:
            break
        time.sleep(0.05)


def test_runaway_is_stopped_at_the_deadline(pool):
    start = time.monotonic()
    with pytest.raises(QueryTimeout, match="time limit"):
        pool.run(Job("SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"), 0.5)
    assert time.monotonic() - start < 1.5
    assert pool.run(Job("ASK {}"), 5).status == 200


VALUES = ('SELECT ?x WHERE { VALUES ?x { "a\\nb" "c\\td" "e\\\\nf" "multi\\n\\nline" '
          '<http://example.org/x> } }')


@pytest.mark.parametrize(("max_rows", "rows", "truncated"), [(10, 5, False), (5, 5, False),
                                                            (4, 4, True), (1, 1, True)])
def test_row_limit_counts_rows_not_newlines(pool, max_rows, rows, truncated):
    r = pool.run(Job(VALUES, max_rows=max_rows), 10)
    values = [b["x"]["value"] for b in json.loads(r.body)["results"]["bindings"]]
    assert len(values) == rows and r.truncated is truncated
    assert values == ["a\nb", "c\td", "e\\nf", "multi\n\nline", "http://example.org/x"][:rows]


def test_cut_results_in_every_format(pool):
    import csv
    import io

    from pyoxigraph import QueryResultsFormat, parse_query_results

    for fmt in ("JSON", "XML", "CSV", "TSV"):
        r = pool.run(Job("SELECT * WHERE { ?s ?p ?o }", solutions_format=fmt, max_rows=7), 10)
        assert r.status == 200 and r.truncated
        if fmt == "CSV":  # lossy: pyoxigraph does not parse it back
            rows = list(csv.reader(io.StringIO(r.body.decode())))
            assert sorted(rows[0]) == ["o", "p", "s"] and len(rows) == 8
        else:
            parsed = parse_query_results(r.body, getattr(QueryResultsFormat, fmt))
            assert len(list(parsed)) == 7


def test_a_stream_closed_early_gives_a_fresh_worker(pool):
    head, body = pool.stream(Job("", kind="dump", graph_format="N_QUADS"), 10)
    assert head.status == 200 and head.content_type == "application/n-quads" and not head.body
    chunks = iter(body)
    assert next(chunks)  # the first chunk, then the client goes away
    body.close()
    assert pool.run(Job("ASK {}"), 5).status == 200
    head, body = pool.stream(Job("", kind="dump", graph_format="N_QUADS"), 10)
    quads = b"".join(body).count(b" .\n")
    count = pool.run(Job("SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }"), 10)
    assert quads == int(json.loads(count.body)["results"]["bindings"][0]["n"]["value"]) > 1000


def test_a_dump_of_an_unknown_graph_is_404_whole(pool):
    head, body = pool.stream(Job("", name="graph <x>", kind="dump", graph_format="TURTLE",
                                 dump_graph="http://example.org/none"), 10)
    assert head.status == 404 and b"no graph <http://example.org/none>" in head.body
    assert list(body) == []
