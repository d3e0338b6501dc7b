"""Read-only by default; SPARQL Update and Graph Store writes only with the bearer token;
named queries over HTTP."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from pyoxigraph import RdfFormat, parse

sys.path.insert(0, str(Path(__file__).parent))
from web_fixtures import build_sample_store  # noqa: E402

from kg.rdf import ENTITIES_GRAPH  # noqa: E402
from kg.web import create_app  # noqa: E402

TOKEN = "s3cret"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
G0 = "https://w3id.org/gov-kg/id/report/330800-2020"
NEW = "https://w3id.org/gov-kg/id/report/test-new"
INSERT = f'INSERT DATA {{ GRAPH <{NEW}> {{ <{NEW}> <http://www.w3.org/2000/01/rdf-schema#label> "新报告" }} }}'
ASK_NEW = f"ASK {{ <{NEW}> ?p ?o }}"


@pytest.fixture()
def make_app(tmp_path):
    """``make_app(**config)``: an app over a fresh store; its workers stop after the test."""
    path = tmp_path / "store"
    build_sample_store(path, reports=2, sentences=4)
    apps = []

    def make(**config):
        app = create_app({"STORE_PATH": str(path), "TESTING": True, **config})
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.extensions["kg.executor"].close()


def ask(client, query: str) -> bool:
    return json.loads(client.get("/sparql", query_string={"query": query}).data)["boolean"]


# --- SPARQL Update --------------------------------------------------------------------------


def test_update_is_403_without_a_configured_token(make_app):
    client = make_app().test_client()
    r = client.post("/sparql", data={"update": INSERT}, headers=AUTH)
    assert r.status_code == 403 and b"read-only" in r.data
    r = client.post("/sparql", data=INSERT, content_type="application/sparql-update")
    assert r.status_code == 403
    assert not ask(client, ASK_NEW)


def test_update_without_authorization_is_401(make_app):
    client = make_app(UPDATE_TOKEN=TOKEN).test_client()
    r = client.post("/sparql", data={"update": INSERT})
    assert r.status_code == 401 and r.headers["WWW-Authenticate"].startswith("Bearer")


def test_update_with_a_wrong_token_is_403(make_app):
    client = make_app(UPDATE_TOKEN=TOKEN).test_client()
    r = client.post("/sparql", data={"update": INSERT}, headers={"Authorization": "Bearer nope"})
    assert r.status_code == 403


def test_update_with_the_token_is_applied(make_app):
    client = make_app(UPDATE_TOKEN=TOKEN).test_client()
    assert not ask(client, ASK_NEW)  # a worker holds the store read-only meanwhile
    r = client.post("/sparql", data=INSERT, content_type="application/sparql-update",
                    headers=AUTH)
    assert r.status_code == 204
    assert ask(client, ASK_NEW)
    r = client.post("/sparql", data={"update": f"DROP GRAPH <{NEW}>"}, headers=AUTH)
    assert r.status_code == 204
    assert not ask(client, ASK_NEW)


def test_update_relative_iris_resolve_against_the_endpoint_url(make_app):
    client = make_app(UPDATE_TOKEN=TOKEN).test_client()
    r = client.post("/sparql", data={"update": "INSERT DATA { <a> <b> <c> }"}, headers=AUTH)
    host = r.request.host_url
    assert r.status_code == 204 and r.data == b""
    assert ask(client, f"ASK {{ <{host}a> <{host}b> <{host}c> }}")
    r = client.post("/sparql", data="BASE <http://e.org/> INSERT DATA { <a> <b> <c> }",
                    content_type="application/sparql-update", headers=AUTH)
    assert r.status_code == 204
    assert ask(client, "ASK { <http://e.org/a> <http://e.org/b> <http://e.org/c> }")


def test_bad_update_is_400(make_app):
    client = make_app(UPDATE_TOKEN=TOKEN).test_client()
    r = client.post("/sparql", data={"update": "INSERT DATO {}"}, headers=AUTH)
    assert r.status_code == 400 and r.data.startswith(b"SPARQL update: error at 1:")


def test_service_description_lists_update_when_enabled(make_app):
    r = make_app(UPDATE_TOKEN=TOKEN).test_client().get("/sparql")
    assert b"SPARQL11Update" in r.data


# --- Graph Store Protocol -------------------------------------------------------------------


def test_gsp_get_named_graph(make_app):
    r = make_app().test_client().get("/store", query_string={"graph": G0},
                                     headers={"Accept": "application/n-triples"})
    assert r.status_code == 200 and r.mimetype == "application/n-triples"
    triples = list(parse(r.data, format=RdfFormat.N_TRIPLES))
    assert len(triples) > 50 and any(t.subject.value == G0 for t in triples)


def test_gsp_get_default_graph_is_the_stored_default_graph_not_the_union(make_app):
    client = make_app().test_client()
    r = client.get("/rdf-graph-store?default", headers={"Accept": "application/n-triples"})
    assert r.status_code == 200 and r.mimetype == "application/n-triples"
    assert r.data == b""  # the built store keeps everything in report graphs
    assert ask(client, f"ASK {{ <{G0}> ?p ?o }}")  # queries still see the union


def ntriples(data: bytes) -> set[str]:
    return {str(t) for t in parse(data, format=RdfFormat.N_TRIPLES)}


def test_gsp_put_default_round_trips_and_delete_empties_it(make_app):
    client = make_app(UPDATE_TOKEN=TOKEN).test_client()
    body = (f'<{NEW}> <http://www.w3.org/2000/01/rdf-schema#label> "默认" .\n'
            f'<{NEW}> <http://www.w3.org/2000/01/rdf-schema#comment> "d" .\n')
    r = client.put("/store?default", data=body, content_type="application/n-triples",
                   headers=AUTH)
    assert r.status_code == 204 and r.data == b""
    r = client.get("/store?default", headers={"Accept": "application/n-triples"})
    assert r.status_code == 200 and r.mimetype == "application/n-triples"
    assert ntriples(r.data) == ntriples(body.encode())
    extra = f'<{NEW}> <http://www.w3.org/2000/01/rdf-schema#seeAlso> <{G0}> .\n'
    r = client.post("/store?default", data=extra, content_type="text/turtle", headers=AUTH)
    assert r.status_code == 204
    r = client.get("/store", query_string={"default": "", "format": "ntriples"})
    assert ntriples(r.data) == ntriples((body + extra).encode())
    r = client.get("/store", query_string={"graph": G0, "format": "ntriples"})
    assert not any(NEW in t for t in ntriples(r.data))  # report graphs untouched
    r = client.delete("/store?default", headers=AUTH)
    assert r.status_code == 204 and r.data == b""
    r = client.get("/store?default", headers={"Accept": "application/n-triples"})
    assert r.status_code == 200 and r.data == b""
    assert ask(client, f"ASK {{ <{G0}> ?p ?o }}")


def test_gsp_post_to_the_store_creates_a_graph_with_a_location(make_app):
    client = make_app(UPDATE_TOKEN=TOKEN).test_client()
    body = f'<{NEW}> <http://www.w3.org/2000/01/rdf-schema#label> "新" .\n'
    r = client.post("/store", data=body, content_type="text/turtle", headers=AUTH)
    assert r.status_code == 201 and r.data == b""
    location = r.headers["Location"]
    assert location.startswith("http://localhost/store/") and len(location) > 24
    r = client.get("/store", query_string={"graph": location, "format": "ntriples"})
    assert r.status_code == 200 and ntriples(r.data) == ntriples(body.encode())
    r = client.get(location, headers={"Accept": "application/n-triples"})
    assert r.status_code == 200 and r.mimetype == "application/n-triples"
    assert ntriples(r.data) == ntriples(body.encode())
    r = client.post("/store", data=body, content_type="text/turtle", headers=AUTH)
    assert r.status_code == 201 and r.headers["Location"] != location
    assert client.get("/store", query_string={"default": "", "format": "ntriples"}).data == b""


def test_gsp_post_to_the_store_needs_the_token(make_app):
    client = make_app(UPDATE_TOKEN=TOKEN).test_client()
    r = client.post("/store", data="", content_type="text/turtle")
    assert r.status_code == 401 and "Location" not in r.headers
    r = make_app().test_client().post("/store", data="", content_type="text/turtle",
                                      headers=AUTH)
    assert r.status_code == 403


def test_gsp_get_direct_unknown_graph_is_404(make_app):
    r = make_app().test_client().get("/store/nope")
    assert r.status_code == 404 and b"http://localhost/store/nope" in r.data


def test_gsp_unknown_graph_is_404(make_app):
    r = make_app().test_client().get("/store", query_string={"graph": NEW})
    assert r.status_code == 404 and NEW.encode() in r.data


def test_gsp_graph_and_default_together_is_400(make_app):
    r = make_app().test_client().get("/store", query_string={"graph": G0, "default": ""})
    assert r.status_code == 400 and b"exactly one" in r.data


def test_gsp_get_without_a_graph_is_the_whole_dataset(make_app):
    client = make_app().test_client()
    r = client.get("/store")
    assert r.status_code == 200 and r.mimetype == "application/trig"
    trig = list(parse(r.data, format=RdfFormat.TRIG))
    r = client.get("/store", headers={"Accept": "application/n-quads"})
    assert r.status_code == 200 and r.mimetype == "application/n-quads"
    quads = list(parse(r.data, format=RdfFormat.N_QUADS))
    assert sorted(map(str, trig)) == sorted(map(str, quads))
    assert {q.graph_name.value for q in quads} == {G0, G0.replace("330800", "330100"),
                                                   ENTITIES_GRAPH.value}
    count = client.get("/sparql", query_string={
        "query": "SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }"}).json
    assert len(quads) == int(count["results"]["bindings"][0]["n"]["value"])
    assert client.get("/store", query_string={"format": "nquads"}).data == r.data


def test_gsp_dataset_in_a_triple_format_is_406(make_app):
    client = make_app().test_client()
    r = client.get("/store", headers={"Accept": "text/turtle"})
    assert r.status_code == 406 and b"application/trig" in r.data
    assert client.get("/store", query_string={"format": "csv"}).status_code == 400


def test_gsp_get_is_never_cut_at_the_row_limit(make_app):
    client = make_app(MAX_ROWS=5).test_client()
    r = client.get("/store", query_string={"graph": G0, "format": "ntriples"})
    assert r.status_code == 200 and "X-KG-Truncated" not in r.headers
    assert len(list(parse(r.data, format=RdfFormat.N_TRIPLES))) > 50
    assert len(list(parse(client.get("/store").data, format=RdfFormat.TRIG))) > 100


def test_gsp_get_streams_a_large_dataset_in_chunks(tmp_path):
    from kg.web.jobs import _CHUNK

    path = tmp_path / "big"
    build_sample_store(path, reports=12, sentences=60)
    app = create_app({"STORE_PATH": str(path), "TESTING": True})
    try:
        r = app.test_client().get("/store", headers={"Accept": "application/n-quads"},
                                  buffered=False)
        chunks = list(r.response)
        r.close()
        assert len(chunks) > 1 and all(len(c) >= _CHUNK for c in chunks[:-1])
        quads = list(parse(b"".join(chunks), format=RdfFormat.N_QUADS))
        assert len({q.graph_name for q in quads}) == 12 + 1  # and the entities graph
        # the worker was given back: the next request is answered
        assert app.test_client().get("/health").json["reports"] == 12
    finally:
        app.extensions["kg.executor"].close()


def test_gsp_writes_are_403_when_read_only(make_app):
    client = make_app().test_client()
    for method in ("put", "post", "delete"):
        r = getattr(client, method)("/store", query_string={"graph": G0}, data="",
                                    content_type="text/turtle", headers=AUTH)
        assert r.status_code == 403, method


def test_gsp_put_post_delete_with_the_token(make_app):
    client = make_app(UPDATE_TOKEN=TOKEN).test_client()
    body = f'<{NEW}> <http://www.w3.org/2000/01/rdf-schema#label> "a" .'
    r = client.put("/store", query_string={"graph": NEW}, data=body,
                   content_type="text/turtle", headers=AUTH)
    assert r.status_code == 201
    r = client.post("/store", query_string={"graph": NEW}, data=body.replace('"a"', '"b"'),
                    content_type="application/n-triples", headers=AUTH)
    assert r.status_code == 204
    r = client.get("/store", query_string={"graph": NEW, "format": "ntriples"})
    assert len(r.data.splitlines()) == 2
    r = client.put("/store", query_string={"graph": NEW}, data=body, content_type="text/turtle",
                   headers=AUTH)
    assert r.status_code == 204
    assert len(client.get("/store", query_string={"graph": NEW, "format": "ntriples"})
               .data.splitlines()) == 1
    assert client.delete("/store", query_string={"graph": NEW}, headers=AUTH).status_code == 204
    assert client.get("/store", query_string={"graph": NEW}).status_code == 404
    assert client.delete("/store", query_string={"graph": NEW}, headers=AUTH).status_code == 404


def test_gsp_wrong_body_type_is_415(make_app):
    r = make_app(UPDATE_TOKEN=TOKEN).test_client().put(
        "/store", query_string={"graph": NEW}, data="x", content_type="text/plain-ish",
        headers=AUTH)
    assert r.status_code == 415


def test_gsp_unparsable_body_is_400(make_app):
    r = make_app(UPDATE_TOKEN=TOKEN).test_client().put(
        "/store", query_string={"graph": NEW}, data="<a> <b>", content_type="text/turtle",
        headers=AUTH)
    assert r.status_code == 400 and b"cannot parse" in r.data


# --- named queries --------------------------------------------------------------------------


@pytest.fixture()
def query_dir(tmp_path) -> Path:
    d = tmp_path / "queries"
    d.mkdir()
    (d / "reports.rq").write_text(
        "# description: Reports of a city.\n"
        "# param: city (string, required): the city's name, e.g. 衢州市\n"
        "# param: year (integer, optional): report year\n"
        "PREFIX gk: <https://w3id.org/gov-kg/ontology#>\n"
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
        "SELECT DISTINCT ?report ?city ?year WHERE { ?report a gk:Report ; gk:city/rdfs:label ?city ;"
        " gk:reportYear ?y . FILTER(!BOUND(?year) || ?y = ?year) }\n", encoding="utf-8")
    return d


def test_queries_lists_names_descriptions_parameters(make_app, query_dir):
    r = make_app(QUERY_DIR=str(query_dir)).test_client().get("/queries")
    assert r.status_code == 200 and r.mimetype == "application/json"
    (q,) = r.get_json()
    assert q["name"] == "reports" and q["description"] == "Reports of a city."
    assert [p["name"] for p in q["parameters"]] == ["city", "year"]
    assert q["url"] == "http://localhost/queries/reports"


def test_named_query_runs_with_parameters_and_negotiation(make_app, query_dir):
    client = make_app(QUERY_DIR=str(query_dir)).test_client()
    r = client.get("/queries/reports", query_string={"city": "衢州市", "year": "2020"},
                   headers={"Accept": "text/csv"})
    assert r.status_code == 200 and r.mimetype == "text/csv"
    assert r.data.decode().splitlines() == ["report,city,year", f"{G0},衢州市,2020"]
    r = client.get("/queries/reports", query_string={"city": "衢州市", "format": "json"})
    assert r.mimetype == "application/sparql-results+json"


def test_named_query_relative_iris_resolve_against_its_url(make_app, query_dir):
    (query_dir / "relative.rq").write_text("# description: A relative IRI.\n"
                                           "CONSTRUCT { <s> <p> 1 } WHERE {}\n")
    r = make_app(QUERY_DIR=str(query_dir)).test_client().get(
        "/queries/relative", headers={"Accept": "text/turtle"})
    host = r.request.host_url  # the base is <host>queries/relative
    assert r.status_code == 200
    assert r.data == f"<{host}queries/s> <{host}queries/p> 1 .\n".encode()


def test_unknown_named_query_is_404(make_app, query_dir):
    r = make_app(QUERY_DIR=str(query_dir)).test_client().get("/queries/nope")
    assert r.status_code == 404 and b"'nope'" in r.data and b"reports" in r.data


def test_missing_parameter_is_400(make_app, query_dir):
    r = make_app(QUERY_DIR=str(query_dir)).test_client().get("/queries/reports")
    assert r.status_code == 400 and b"query 'reports' needs parameter 'city'" in r.data


def test_bad_parameter_is_400(make_app, query_dir):
    r = make_app(QUERY_DIR=str(query_dir)).test_client().get(
        "/queries/reports", query_string={"city": "衢州市", "year": "soon"})
    assert r.status_code == 400 and b"'year' must be integer" in r.data


def test_unknown_parameter_is_400(make_app, query_dir):
    r = make_app(QUERY_DIR=str(query_dir)).test_client().get(
        "/queries/reports", query_string={"city": "衢州市", "colour": "red"})
    assert r.status_code == 400 and b"no parameter colour" in r.data


def test_project_named_queries_are_served(make_app):
    client = make_app().test_client()
    names = [q["name"] for q in client.get("/queries").get_json()]
    assert "observations" in names
    r = client.get("/queries/observations", headers={"Accept": "text/csv"})
    assert r.status_code == 200 and r.data.startswith(b"report,city,year,indicator")
