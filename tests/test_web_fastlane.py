"""The WSGI fast lane answers ``GET /sparql?query=`` exactly as the Flask view does, and hands
every other request to Flask."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from werkzeug.test import Client, EnvironBuilder
from werkzeug.wrappers import Request

sys.path.insert(0, str(Path(__file__).parent))
from web_fixtures import build_sample_store  # noqa: E402

from kg.web import create_app  # noqa: E402
from kg.web.middleware import Middleware as FastLane  # noqa: E402
from kg.web.middleware import _args
from kg.web.runtime import not_utf8  # noqa: E402

GK = "PREFIX gk: <https://w3id.org/gov-kg/ontology#> "
G0 = "https://w3id.org/gov-kg/id/report/330800-2020"
SELECT = GK + "SELECT ?r WHERE { ?r a gk:Report } ORDER BY ?r"
COMPARED = ("Content-Type", "Content-Length", "X-KG-Truncated", "X-KG-Row-Limit", "Warning",
            "Retry-After", "Access-Control-Allow-Origin", "Access-Control-Expose-Headers")


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    path = tmp_path_factory.mktemp("fastlane") / "store"
    build_sample_store(path, reports=3, sentences=4)
    app = create_app({"STORE_PATH": str(path), "TESTING": True, "MAX_ROWS": 5})
    yield app
    app.extensions["kg.executor"].close()


@pytest.fixture()
def clients(app):
    """(fast lane client, Flask-only client, list of requests that reached Flask)."""
    lane: FastLane = app.wsgi_app
    reached: list[str] = []
    flask = lane.flask

    def counting(environ, start_response):
        reached.append(environ["PATH_INFO"])
        return flask(environ, start_response)

    lane.flask = counting
    flask_only = FastLane.__new__(FastLane)  # the same middleware, its short path closed
    flask_only.app, flask_only.flask = app, flask
    flask_only._short_path = lambda environ, start_response: None  # type: ignore[method-assign]
    yield Client(app), Client(flask_only), reached
    lane.flask = flask


def same(a, b) -> None:
    assert a.status_code == b.status_code
    assert a.data == b.data
    for name in COMPARED:
        assert a.headers.get(name) == b.headers.get(name), name


CASES = [
    ({"query": SELECT}, {}),
    ({"query": SELECT}, {"Accept": "text/csv"}),
    ({"query": SELECT}, {"Accept": "text/csv;q=0.5, application/sparql-results+xml"}),
    ({"query": SELECT, "format": "tsv"}, {"Accept": "text/csv"}),
    ({"query": "CONSTRUCT WHERE { ?s a ?o } LIMIT 2", "format": "json-ld"}, {}),
    ({"query": "ASK { ?s ?p ?o }"}, {"Accept": "application/sparql-results+xml"}),
    ({"query": "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 3"}, {"Accept": "text/turtle"}),
    ({"query": "CONSTRUCT WHERE { ?s ?p ?o }"}, {"Accept": "application/n-triples"}),  # cut
    ({"query": "SELECT * WHERE { ?s ?p ?o }"}, {}),  # cut at MAX_ROWS
    ({"query": GK + "SELECT ?r WHERE { GRAPH ?g { ?r a gk:Report } }",
      "named-graph-uri": G0}, {}),
    ({"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "default-graph-uri": G0}, {}),
    ({"query": "SELECT ?x WHERE {"}, {}),  # syntax error: 400 with the parser's message
    ({"query": SELECT}, {"Accept": "image/png"}),  # 406
    ({"query": SELECT}, {"Accept": "application/sparql-results+json; charset=utf-8"}),
    ({"query": SELECT}, {"Accept": "text/csv;charset=utf-8;q=0.5, text/tab-separated-values"}),
    ({"query": "CONSTRUCT WHERE { ?s a ?o } LIMIT 2"}, {"Accept": "text/turtle; charset=utf-8"}),
    ({"query": "CONSTRUCT { <s> <p> 1 } WHERE {}"}, {"Accept": "text/turtle"}),  # base: the URL
    ({"query": "BASE <http://e.org/> CONSTRUCT { <s> <p> 1 } WHERE {}", "x": "y"},
     {"Accept": "text/turtle"}),
]


@pytest.mark.parametrize(("params", "headers"), CASES)
def test_fast_lane_answers_like_flask(clients, params, headers):
    fast, flask_only, reached = clients
    a = fast.get("/sparql", query_string=params, headers=headers)
    assert reached == []  # answered by the fast lane
    b = flask_only.get("/sparql", query_string=params, headers=headers)
    same(a, b)
    assert a.status_code in (200, 400, 406)


def test_relative_iris_resolve_against_the_url_on_the_fast_lane(clients):
    fast, flask_only, reached = clients
    params, headers = ({"query": "CONSTRUCT { <s> <p> 1 } WHERE {}", "x": "y"},
                       {"Accept": "text/turtle", "Host": "example.net:8080"})
    r = fast.get("/sparql", query_string=params, headers=headers)
    assert r.status_code == 200 and not reached
    assert r.data == b"<http://example.net:8080/s> <http://example.net:8080/p> 1 .\n"
    same(r, flask_only.get("/sparql", query_string=params, headers=headers))


def test_truncation_is_reported_on_the_fast_lane(clients):
    fast, _, reached = clients
    r = fast.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p ?o }"})
    assert r.status_code == 200 and not reached
    assert r.headers["X-KG-Truncated"] == "true" and r.headers["X-KG-Row-Limit"] == "5"
    assert len(r.json["results"]["bindings"]) == 5


@pytest.mark.parametrize(("method", "path", "params", "status"), [
    ("GET", "/sparql", {}, 200),  # service description
    ("GET", "/sparql", {"query": SELECT, "format": "png"}, 400),  # bad format=
    ("GET", "/sparql", {"update": "CLEAR ALL"}, 400),
    ("GET", "/sparql", [("query", SELECT), ("query", SELECT)], 400),
    ("HEAD", "/sparql", {"query": SELECT}, 200),
    ("POST", "/sparql", {"query": SELECT}, 200),
    ("GET", "/queries", {}, 200),
    ("GET", "/health", {}, 200),
])
def test_other_requests_reach_flask(clients, method, path, params, status):
    fast, _, reached = clients
    if method == "POST":
        r = fast.post(path, data=params)
    else:
        r = fast.open(path, method=method, query_string=params)
    assert r.status_code == status
    assert reached == [path]
    assert r.headers["Access-Control-Allow-Origin"] == "*"


def test_query_not_utf8_reaches_flask_for_its_400(clients):
    fast, _, reached = clients
    r = fast.get("/sparql?query=%FF%FE")
    assert r.status_code == 400 and reached == ["/sparql"]
    assert r.data == b"the 'query' parameter is not UTF-8 text once percent-decoded\n"


@given(st.lists(st.tuples(st.text(), st.text()), max_size=4),
       st.text(alphabet="%+&=;?#aZ09\u8862\u00ff", max_size=30))
def test_query_string_parsing_is_werkzeugs(pairs, raw):
    """``_args`` parses exactly as ``Request.args`` (encoded pairs and raw junk alike), or gives
    ``None`` exactly when a parameter is not UTF-8 (which Flask answers)."""
    from urllib.parse import urlencode

    for query_string in (urlencode(pairs), raw, urlencode(pairs) + "&" + raw):
        environ = EnvironBuilder(path="/sparql").get_environ()
        environ["QUERY_STRING"] = query_string.encode().decode("latin1")
        args = _args(environ)
        if not_utf8(query_string.encode()) is not None:
            assert args is None
        else:
            assert args == Request(environ).args
