"""Limits, cache and logs of the endpoint, through the one middleware: too deep a nesting is a
400 before the parser, answers are cached until the store changes, every request leaves an
access-log line and every error an error-log line with its query."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, Quad

sys.path.insert(0, str(Path(__file__).parent))
from web_fixtures import build_sample_store  # noqa: E402

from kg.store import open_store  # noqa: E402
from kg.web import create_app  # noqa: E402

TOKEN = "s3cret"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


@pytest.fixture()
def app(tmp_path):
    path = tmp_path / "store"
    build_sample_store(path, reports=2, sentences=4)
    app = create_app({"STORE_PATH": str(path), "TESTING": True, "UPDATE_TOKEN": TOKEN})
    yield app
    app.extensions["kg.executor"].close()


def count(client) -> int:
    r = client.get("/sparql", query_string={"query": COUNT})
    assert r.status_code == 200
    return int(r.json["results"]["bindings"][0]["n"]["value"])


def cache_stats(client) -> dict:
    return client.get("/health").json["cache"]


@pytest.mark.parametrize("send", ["get", "post"])
def test_a_query_nested_5000_deep_is_400_before_the_parser(app, send):
    deep = "SELECT * WHERE " + "{" * 5000 + "?s ?p ?o" + "}" * 5000
    client = app.test_client()
    if send == "get":
        r = client.get("/sparql", query_string={"query": deep})
    else:
        r = client.post("/sparql", data=deep, content_type="application/sparql-query")
    assert r.status_code == 400
    assert b"nest deeper than 128 levels" in r.data
    assert count(client) > 0  # the worker is alive


def test_an_update_nested_too_deep_is_400(app):
    deep = "INSERT { <s> <p> <o> } WHERE " + "{" * 500 + "}" * 500
    r = app.test_client().post("/sparql", data=deep, content_type="application/sparql-update",
                               headers=AUTH)
    assert r.status_code == 400 and b"nest deeper" in r.data


def test_nesting_in_strings_and_iris_does_not_count(app):
    query = "SELECT ?x WHERE { BIND(\"" + "{(" * 200 + "\" AS ?x) }"
    r = app.test_client().get("/sparql", query_string={"query": query})
    assert r.status_code == 200


def test_answers_are_cached_until_a_write(app):
    client = app.test_client()
    before = cache_stats(client)
    n = count(client)
    assert count(client) == n  # the same text again: from the cache
    after = cache_stats(client)
    assert after["hits"] == before["hits"] + 1 and after["misses"] == before["misses"] + 1
    r = client.post("/sparql", data="INSERT DATA { GRAPH <http://e.org/g> { <s> <p> 1 } }",
                    content_type="application/sparql-update", headers=AUTH)
    assert r.status_code == 204
    assert count(client) == n + 1  # not the cached answer


def test_a_write_by_another_process_invalidates_the_cache(app):
    client = app.test_client()
    n = count(client)
    store = open_store(app.config["STORE_PATH"])  # as `kg build` does, beside the readers
    store.add(Quad(NamedNode("http://e.org/s"), NamedNode("http://e.org/p"), Literal("x"),
                   NamedNode("http://e.org/g")))
    store.flush()
    del store
    assert count(client) == n + 1


def test_formats_and_datasets_are_cached_apart(app):
    client = app.test_client()
    json_ = client.get("/sparql", query_string={"query": COUNT})
    csv = client.get("/sparql", query_string={"query": COUNT}, headers={"Accept": "text/csv"})
    graph = client.get("/sparql", query_string={
        "query": COUNT, "default-graph-uri": "https://w3id.org/gov-kg/id/report/330800-2020"})
    assert json_.mimetype != csv.mimetype
    assert graph.json["results"]["bindings"][0]["n"] != json_.json["results"]["bindings"][0]["n"]


def test_every_request_is_logged_and_errors_with_their_query(app, caplog):
    client = app.test_client()
    with caplog.at_level(logging.INFO, logger="kg.web"):
        # buffered: the test client closes the body at once, as a server does when it is sent
        client.get("/sparql", query_string={"query": "ASK {}"}, buffered=True)
        client.post("/sparql", data="SELECT ?x WHERE {\n  ?x ?y", buffered=True,
                    content_type="application/sparql-query")
    access = [r.getMessage() for r in caplog.records if r.name == "kg.web.access"]
    errors = [r for r in caplog.records if r.name == "kg.web.error"]
    assert len(access) == 2
    assert '"GET /sparql?query=ASK+%7B%7D" 200' in access[0]
    assert '"POST /sparql" 400' in access[1]
    assert len(errors) == 1 and errors[0].levelno == logging.WARNING
    assert errors[0].getMessage().endswith("POST /sparql → 400: SELECT ?x WHERE { ?x ?y")


def test_an_unexpected_error_is_a_plain_500_with_a_traceback_logged(app, caplog):
    @app.get("/boom")
    def boom():
        raise RuntimeError("kaboom")

    with caplog.at_level(logging.INFO, logger="kg.web"):
        r = app.test_client().get("/boom", buffered=True)
    assert r.status_code == 500 and r.mimetype == "text/plain"
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    traced = [r for r in caplog.records if r.name == "kg.web.error" and r.exc_info]
    assert traced and "kaboom" in str(traced[0].exc_info[1])
