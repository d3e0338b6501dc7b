"""The endpoint as a real server (``kg serve`` on 127.0.0.1, under Granian and under gunicorn)
with real clients: SPARQLWrapper, rdflib's SPARQLStore, and a runaway query stopped by the time
limit."""

from __future__ import annotations

import json
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from web_fixtures import build_sample_store, kg_serve  # noqa: E402

TIMEOUT = 1.5
GK = "PREFIX gk: <https://w3id.org/gov-kg/ontology#> "
REPORTS = GK + "SELECT ?r WHERE { ?r a gk:Report } ORDER BY ?r"
RUNAWAY = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("served") / "store"
    build_sample_store(path, reports=4)
    return path


LOGS: dict[str, Path] = {}  # base URL → the directory of that server's access and error logs


@pytest.fixture(scope="module", params=["granian", "gunicorn"])
def server(request, store, tmp_path_factory):
    """Base URL of ``kg serve --server <param>`` over a 4-report store, stopped after use."""
    logs = tmp_path_factory.mktemp(f"logs-{request.param}")
    with kg_serve(store, "--workers", "2", "--timeout", str(TIMEOUT),
                  "--server", request.param, "--access-log", str(logs / "access.log"),
                  "--error-log", str(logs / "error.log")) as base:
        LOGS[base] = logs
        yield base


def get(url: str, **params) -> tuple[int, str, bytes, float]:
    """(status, content type, body, seconds) of a GET."""
    start = time.monotonic()
    try:
        with urllib.request.urlopen(url + "?" + urllib.parse.urlencode(params), timeout=30) as r:
            return r.status, r.headers["Content-Type"], r.read(), time.monotonic() - start
    except urllib.error.HTTPError as e:
        return e.code, e.headers["Content-Type"], e.read(), time.monotonic() - start


def test_sparqlwrapper_select_json(server):
    from SPARQLWrapper import JSON, SPARQLWrapper

    client = SPARQLWrapper(server + "/sparql")
    client.setQuery(REPORTS)
    client.setReturnFormat(JSON)
    result = client.query().convert()
    assert [b["r"]["value"] for b in result["results"]["bindings"]][-1].endswith("330800-2020")
    assert len(result["results"]["bindings"]) == 4


def test_sparqlwrapper_select_xml_by_post(server):
    from SPARQLWrapper import POST, XML, SPARQLWrapper

    client = SPARQLWrapper(server + "/sparql")
    client.setQuery(REPORTS)
    client.setMethod(POST)
    client.setReturnFormat(XML)
    document = client.query().convert()  # an xml.dom.minidom Document
    uris = [n.firstChild.data for n in document.getElementsByTagName("uri")]
    assert len(uris) == 4 and uris[-1].endswith("330800-2020")


def test_rdflib_sparqlstore(server):
    from rdflib import Graph
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    graph = Graph(SPARQLStore(server + "/sparql", returnFormat="json"))
    rows = list(graph.query(GK + "SELECT DISTINCT ?label WHERE { ?c a gk:City ; "
                            "<http://www.w3.org/2000/01/rdf-schema#label> ?label } ORDER BY ?label"))
    assert sorted(str(r[0]) for r in rows) == sorted(["衢州市", "杭州市", "宁波市", "温州市"])


def test_rdflib_service_clause(server):
    from rdflib import Graph

    report = "<https://w3id.org/gov-kg/ontology#Report>"
    rows = list(Graph().query(f"SELECT ?r WHERE {{ SERVICE <{server}/sparql> {{ ?r a {report} }} }}"))
    assert len(rows) == 4


def test_runaway_query_is_stopped_while_others_answer(server):
    outcome: dict = {}
    runaway = threading.Thread(
        target=lambda: outcome.update(slow=get(server + "/sparql", query=RUNAWAY)))
    runaway.start()
    time.sleep(0.3)  # the runaway holds a worker; a simple query must still answer quickly
    status, ctype, body, seconds = get(server + "/sparql", query=REPORTS)
    assert status == 200 and seconds < 1.0
    runaway.join(timeout=TIMEOUT + 10)
    status, ctype, body, seconds = outcome["slow"]
    assert status == 503 and ctype.startswith("text/plain")
    assert b"time limit" in body
    assert TIMEOUT - 0.1 < seconds < TIMEOUT + 2.0
    # and the server still answers (the killed worker is replaced)
    for _ in range(4):
        assert get(server + "/sparql", query=REPORTS)[0] == 200


def test_ten_runaways_leave_room_for_a_light_query(server):
    """Ten runaway queries at once cannot hold every query process: a light query (its text
    new each time, so no cache answers it) is answered meanwhile, within ~100 ms on an idle
    machine (0.1 s before a runaway gives way, plus a process start)."""
    outcomes: list[tuple[int, bytes]] = []
    runaways = [threading.Thread(target=lambda: outcomes.append(
        get(server + "/sparql", query=RUNAWAY)[::2])) for _ in range(10)]
    for t in runaways:
        t.start()
    time.sleep(0.4)
    waits = []
    for n in range(5):
        status, _, _, seconds = get(server + "/sparql", query=f"ASK {{ FILTER({n} = {n}) }}")
        assert status == 200
        waits.append(seconds)
    for t in runaways:
        t.join(timeout=TIMEOUT + 10)
    assert sorted(waits)[2] < 0.5 and max(waits) < 2.5, waits  # slack for a shared machine
    assert {status for status, _ in outcomes} == {503}, outcomes


def test_requests_and_errors_are_logged(server):
    get(server + "/sparql", query="ASK { FILTER(1 = 1) }")
    get(server + "/sparql", query="SELECT ?x WHERE { ?x")
    deadline = time.monotonic() + 5
    while True:  # each server process writes its own lines as its requests end
        access = (LOGS[server] / "access.log").read_text(encoding="utf-8")
        errors = (LOGS[server] / "error.log").read_text(encoding="utf-8")
        if "SELECT ?x WHERE { ?x" in errors or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert '"GET /sparql?query=ASK+%7B+FILTER%281+%3D+1%29+%7D" 200' in access
    assert "WARNING GET /sparql → 400: SELECT ?x WHERE { ?x" in errors


def test_health_over_http(server):
    status, ctype, body, _ = get(server + "/health")
    assert status == 200 and ctype == "application/json"
    assert json.loads(body)["reports"] == 4


def test_idle_keep_alive_connections_do_not_lock_others_out(server):
    import http.client

    host, port = urllib.parse.urlsplit(server).netloc.split(":")
    idle = []
    for _ in range(12):  # more than workers x threads, each left open after one request
        conn = http.client.HTTPConnection(host, int(port), timeout=10)
        conn.request("GET", "/health")
        assert conn.getresponse().read()
        idle.append(conn)
    try:
        status, _, body, seconds = get(server + "/sparql", query=REPORTS)
        assert status == 200 and seconds < 2.0
        assert len(json.loads(body)["results"]["bindings"]) == 4
    finally:
        for conn in idle:
            conn.close()
