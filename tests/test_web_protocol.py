"""The SPARQL 1.1 Protocol, one test per behaviour, through ``app.test_client()``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from pyoxigraph import QueryResultsFormat, RdfFormat, parse, parse_query_results

sys.path.insert(0, str(Path(__file__).parent))
from web_fixtures import build_sample_store  # noqa: E402

from kg.web import create_app  # noqa: E402

GK = "PREFIX gk: <https://w3id.org/gov-kg/ontology#> "
REPORTS = GK + "SELECT ?r WHERE { ?r a gk:Report } ORDER BY ?r"
CONSTRUCT = GK + "CONSTRUCT { ?r a gk:Report } WHERE { ?r a gk:Report }"
G0 = "https://w3id.org/gov-kg/id/report/330800-2020"
G1 = "https://w3id.org/gov-kg/id/report/330100-2020"
JSON_TYPE = "application/sparql-results+json"


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("web") / "store"
    build_sample_store(path, reports=4)
    return path


def _app(path: Path, **config):
    app = create_app({"STORE_PATH": str(path), "TESTING": True, **config})
    return app


@pytest.fixture(scope="module")
def app(store):
    app = _app(store)
    yield app
    app.extensions["kg.executor"].close()


@pytest.fixture()
def client(app):
    return app.test_client()


def rows(response) -> list[dict]:
    return json.loads(response.data)["results"]["bindings"]


# --- the three ways to send a query ---------------------------------------------------------


def test_get_query_answers_json_by_default(client):
    r = client.get("/sparql", query_string={"query": REPORTS})
    assert r.status_code == 200
    assert r.mimetype == JSON_TYPE
    assert [b["r"]["value"] for b in rows(r)][:1] == ["https://w3id.org/gov-kg/id/report/330100-2020"]
    assert len(rows(r)) == 4


def test_post_form_query(client):
    r = client.post("/sparql", data={"query": REPORTS})
    assert r.status_code == 200 and r.mimetype == JSON_TYPE
    assert len(rows(r)) == 4


def test_post_direct_query(client):
    r = client.post("/sparql", data=REPORTS.encode(), content_type="application/sparql-query")
    assert r.status_code == 200 and r.mimetype == JSON_TYPE
    assert len(rows(r)) == 4


def test_default_graph_is_the_union_of_report_graphs(client):
    r = client.get("/sparql", query_string={"query": GK + "SELECT (COUNT(DISTINCT ?r) AS ?n) "
                                            "{ ?r a gk:Report }"})
    assert rows(r)[0]["n"]["value"] == "4"


def test_default_graph_uri_restricts_the_dataset(client):
    r = client.get("/sparql", query_string={"query": REPORTS, "default-graph-uri": G0})
    assert [b["r"]["value"] for b in rows(r)] == [G0]


def test_named_graph_uri_restricts_graph_patterns(client):
    q = "SELECT DISTINCT ?g { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g"
    r = client.post("/sparql", data={"query": q, "named-graph-uri": [G0, G1]})
    assert [b["g"]["value"] for b in rows(r)] == [G1, G0]


def test_bad_graph_uri_is_400(client):
    r = client.get("/sparql", query_string={"query": REPORTS, "default-graph-uri": "not an iri"})
    assert r.status_code == 400 and b"SPARQL query" in r.data


# --- negotiation ----------------------------------------------------------------------------


@pytest.mark.parametrize("accept,mimetype,fmt", [
    ("application/sparql-results+xml", "application/sparql-results+xml", QueryResultsFormat.XML),
    ("text/csv", "text/csv", QueryResultsFormat.CSV),
    ("text/tab-separated-values", "text/tab-separated-values", QueryResultsFormat.TSV),
    ("application/json", JSON_TYPE, QueryResultsFormat.JSON),
    ("text/csv;q=0.5, application/sparql-results+xml;q=0.9", "application/sparql-results+xml",
     QueryResultsFormat.XML),
    ("text/html, */*;q=0.1", JSON_TYPE, QueryResultsFormat.JSON),
])
def test_select_results_follow_accept_q_values(client, accept, mimetype, fmt):
    r = client.get("/sparql", query_string={"query": REPORTS}, headers={"Accept": accept})
    assert r.status_code == 200 and r.mimetype == mimetype
    if fmt == QueryResultsFormat.CSV:
        assert r.data.decode().splitlines()[0] == "r" and len(r.data.splitlines()) == 5
    else:
        assert len(list(parse_query_results(r.data, fmt))) == 4


def test_format_parameter_overrides_accept(client):
    r = client.get("/sparql", query_string={"query": REPORTS, "format": "tsv"},
                   headers={"Accept": "application/sparql-results+xml"})
    assert r.mimetype == "text/tab-separated-values"
    assert r.data.decode().splitlines()[:2] == ["?r", f"<{G1}>"]


def test_unknown_format_parameter_is_400(client):
    r = client.get("/sparql", query_string={"query": REPORTS, "format": "yaml"})
    assert r.status_code == 400 and b"unknown format='yaml'" in r.data


def test_ask_answers_a_boolean(client):
    r = client.get("/sparql", query_string={"query": GK + "ASK { ?r a gk:Report }"})
    assert r.status_code == 200 and r.mimetype == JSON_TYPE
    assert json.loads(r.data)["boolean"] is True


@pytest.mark.parametrize("accept,fmt", [
    (None, RdfFormat.TURTLE),
    ("application/n-triples", RdfFormat.N_TRIPLES),
    ("application/ld+json", RdfFormat.JSON_LD),
    ("application/rdf+xml", RdfFormat.RDF_XML),
    ("application/rdf+xml;q=0.2, text/turtle;q=0.8", RdfFormat.TURTLE),
])
def test_construct_results_follow_accept(client, accept, fmt):
    headers = {"Accept": accept} if accept else {}
    r = client.get("/sparql", query_string={"query": CONSTRUCT}, headers=headers)
    assert r.status_code == 200 and r.mimetype == fmt.media_type
    assert len(list(parse(r.data, format=fmt))) == 4


@pytest.mark.parametrize("name,fmt", [
    ("turtle", RdfFormat.TURTLE), ("ttl", RdfFormat.TURTLE), ("n3", RdfFormat.TURTLE),
    ("ntriples", RdfFormat.N_TRIPLES), ("nt", RdfFormat.N_TRIPLES),
    ("jsonld", RdfFormat.JSON_LD), ("json-ld", RdfFormat.JSON_LD),
    ("rdfxml", RdfFormat.RDF_XML), ("rdf+xml", RdfFormat.RDF_XML), ("rdf", RdfFormat.RDF_XML),
    ("xml", RdfFormat.RDF_XML),
])
def test_construct_format_parameter(client, name, fmt):
    r = client.get("/sparql", query_string={"query": CONSTRUCT, "format": name})
    assert r.status_code == 200 and r.mimetype == fmt.media_type
    assert len(list(parse(r.data, format=fmt))) == 4


@pytest.mark.parametrize("query,accept,mimetype", [
    (REPORTS, "application/sparql-results+json; charset=utf-8", JSON_TYPE),
    (REPORTS, "text/csv;charset=utf-8;q=0.5, application/sparql-results+xml;charset=utf-8;q=0.9",
     "application/sparql-results+xml"),
    (CONSTRUCT, "text/turtle; charset=utf-8", "text/turtle"),
    (CONSTRUCT, 'application/ld+json; profile="http://www.w3.org/ns/json-ld#compacted"',
     "application/ld+json"),
])
def test_accept_parameters_other_than_q_do_not_block_a_match(client, query, accept, mimetype):
    r = client.get("/sparql", query_string={"query": query}, headers={"Accept": accept})
    assert r.status_code == 200 and r.mimetype == mimetype


def test_service_description_accepts_a_charset_parameter(client):
    r = client.get("/sparql", headers={"Accept": "text/turtle; charset=utf-8"})
    assert r.status_code == 200 and r.mimetype == "text/turtle"


def test_unservable_accept_is_406(client):
    r = client.get("/sparql", query_string={"query": REPORTS}, headers={"Accept": "image/png"})
    assert r.status_code == 406 and b"SELECT/ASK" in r.data


def test_construct_as_csv_is_406(client):
    r = client.get("/sparql", query_string={"query": CONSTRUCT}, headers={"Accept": "text/csv"})
    assert r.status_code == 406 and b"CONSTRUCT/DESCRIBE" in r.data


# --- base IRI -------------------------------------------------------------------------------


@pytest.mark.parametrize("send", ["get", "post form", "post body"])
def test_relative_iris_resolve_against_the_endpoint_url(client, send):
    query, turtle = "CONSTRUCT { <s> <p> 1 } WHERE {}", {"Accept": "text/turtle"}
    if send == "get":
        r = client.get("/sparql", query_string={"query": query, "x": "y"}, headers=turtle)
    elif send == "post form":
        r = client.post("/sparql", data={"query": query}, headers=turtle)
    else:
        r = client.post("/sparql", data=query, content_type="application/sparql-query",
                        headers=turtle)
    host = r.request.host_url  # e.g. http://localhost/: the base is <host>sparql
    assert r.status_code == 200 and r.mimetype == "text/turtle"
    assert r.data == f"<{host}s> <{host}p> 1 .\n".encode()


def test_a_base_in_the_query_is_kept(client):
    r = client.get("/sparql", query_string={"query": "BASE <http://e.org/> "
                                            "CONSTRUCT { <s> <p> 1 } WHERE {}"},
                   headers={"Accept": "text/turtle"})
    assert r.status_code == 200
    assert r.data == b"<http://e.org/s> <http://e.org/p> 1 .\n"


# --- errors ---------------------------------------------------------------------------------


def test_bad_query_is_400_with_the_parser_message(client):
    r = client.get("/sparql", query_string={"query": "SELEC ?x {}"})
    assert r.status_code == 400 and r.mimetype == "text/plain"
    assert r.data.startswith(b"SPARQL query: error at 1:")


def test_both_query_and_update_is_400(client):
    r = client.post("/sparql", data={"query": REPORTS, "update": "CLEAR ALL"})
    assert r.status_code == 400 and b"exactly one" in r.data


def test_neither_query_nor_update_is_400(client):
    r = client.post("/sparql", data={"format": "json"})
    assert r.status_code == 400 and b"exactly one" in r.data


def test_two_query_parameters_by_get_is_400(client):
    r = client.get("/sparql", query_string=[("query", REPORTS), ("query", CONSTRUCT)])
    assert r.status_code == 400
    assert r.data == b"more than one 'query' parameter: send one operation per request\n"


def test_two_query_parameters_by_post_form_is_400(client):
    r = client.post("/sparql", data={"query": [REPORTS, CONSTRUCT]})
    assert r.status_code == 400
    assert r.data == b"more than one 'query' parameter: send one operation per request\n"


def test_two_update_parameters_by_post_form_is_400(client):
    r = client.post("/sparql", data={"update": ["CLEAR ALL", "CLEAR ALL"]})
    assert r.status_code == 400
    assert r.data == b"more than one 'update' parameter: send one operation per request\n"


def test_query_in_the_url_and_the_form_is_400(client):
    r = client.post("/sparql", query_string={"query": "ASK {}"}, data={"query": REPORTS})
    assert r.status_code == 400 and b"more than one 'query'" in r.data


@pytest.mark.parametrize("param", ["query", "update"])
def test_direct_post_with_a_query_in_the_url_is_400(client, param):
    r = client.post("/sparql", query_string={param: "ASK {}"}, data=REPORTS,
                    content_type="application/sparql-query")
    assert r.status_code == 400 and b"cannot also have" in r.data


def test_query_not_utf8_by_get_is_400(client):
    r = client.get("/sparql?query=%FF%FE")
    assert r.status_code == 400
    assert r.data == b"the 'query' parameter is not UTF-8 text once percent-decoded\n"


def test_query_not_utf8_by_post_form_is_400(client):
    r = client.post("/sparql", data=b"query=%FF%FE", content_type="application/x-www-form-urlencoded")
    assert r.status_code == 400
    assert r.data == b"the 'query' parameter is not UTF-8 text once percent-decoded\n"


def test_query_not_utf8_by_post_body_is_400(client):
    r = client.post("/sparql", data=b"ASK { \xff\xfe }", content_type="application/sparql-query")
    assert r.status_code == 400 and r.data == b"the request body is not UTF-8\n"


def test_update_by_get_is_400(client):
    r = client.get("/sparql", query_string={"update": "CLEAR ALL"})
    assert r.status_code == 400 and b"POST" in r.data


def test_wrong_body_type_is_415(client):
    r = client.post("/sparql", data=REPORTS, content_type="text/plain")
    assert r.status_code == 415 and b"text/plain" in r.data


def test_oversized_request_is_413(store):
    app = _app(store, MAX_CONTENT_LENGTH=1000)
    big = REPORTS + " #" + "x" * 2000
    client = app.test_client()
    assert client.post("/sparql", data={"query": big}).status_code == 413
    r = client.post("/sparql", data=big, content_type="application/sparql-query")
    assert r.status_code == 413 and r.mimetype == "text/plain"


def test_unknown_path_is_404_text(client):
    r = client.get("/nowhere")
    assert r.status_code == 404 and r.mimetype == "text/plain"


# --- service description, CORS --------------------------------------------------------------


def test_bare_get_is_the_service_description(client):
    r = client.get("/sparql")
    assert r.status_code == 200 and r.mimetype == "text/turtle"
    triples = list(parse(r.data, format=RdfFormat.TURTLE, base_iri="http://localhost/"))
    sd = "http://www.w3.org/ns/sparql-service-description#"
    objects = {t.object.value for t in triples}
    assert sd + "SPARQL11Query" in objects and sd + "UnionDefaultGraph" in objects
    assert sd + "SPARQL11Update" not in objects


def test_service_description_negotiates_rdf_formats(client):
    r = client.get("/sparql", headers={"Accept": "application/ld+json"})
    assert r.mimetype == "application/ld+json" and json.loads(r.data)


def test_browser_is_sent_to_the_editor(client):
    r = client.get("/sparql", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert r.status_code == 303 and r.headers["Location"] == "/editor"
    assert client.get("/sparql", headers={"Accept": "text/turtle"}).mimetype == "text/turtle"


def test_pages_may_load_from_this_server_only(client):
    import re

    r = client.get("/sparql", headers={"Accept": "text/html"}, follow_redirects=True)
    assert r.request.path == "/editor"
    policy = r.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy and b"<style" not in r.data and b" style=" not in r.data
    for script in re.findall(rb"<script[^>]*>", r.data):  # code from files; data is not run
        assert b" src=" in script or b'type="application/json"' in script, script
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    for href in re.findall(rb'(?:href|src)="(/static/[^"]+)"', r.data):  # what the page loads is here
        assert client.get(href.decode()).status_code == 200


def test_cors_headers_on_responses(client):
    r = client.get("/sparql", query_string={"query": REPORTS}, headers={"Origin": "http://x"})
    assert r.headers["Access-Control-Allow-Origin"] == "*"


def test_cors_preflight(client):
    r = client.options("/sparql", headers={"Origin": "http://x",
                                           "Access-Control-Request-Method": "POST"})
    assert r.status_code == 200
    assert "POST" in r.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in r.headers["Access-Control-Allow-Headers"]


# --- row limit ------------------------------------------------------------------------------


def test_row_limit_is_stated_in_headers(store):
    app = _app(store, MAX_ROWS=3)
    client = app.test_client()
    r = client.get("/sparql", query_string={"query": REPORTS})
    assert r.status_code == 200 and len(rows(r)) == 3
    assert r.headers["X-KG-Truncated"] == "true" and r.headers["X-KG-Row-Limit"] == "3"
    assert "truncated" in r.headers["Warning"]
    r = client.get("/sparql", query_string={"query": CONSTRUCT, "format": "ntriples"})
    assert len(r.data.splitlines()) == 3 and r.headers["X-KG-Truncated"] == "true"
    r = client.get("/sparql", query_string={"query": REPORTS + " LIMIT 3"})
    assert "X-KG-Truncated" not in r.headers
    app.extensions["kg.executor"].close()


# --- health ---------------------------------------------------------------------------------


def test_health(client):
    r = client.get("/health")
    assert r.status_code == 200 and r.mimetype == "application/json"
    body = r.get_json()
    assert body["status"] == "ok" and body["triples"] > 500
    assert body["reports"] == 4 and body["graphs"] == 5  # and the entities graph
    assert body["version"]
