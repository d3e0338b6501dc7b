"""The one format registry (kg.formats): every name and every served format is reachable."""

import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from pyoxigraph import QueryResultsFormat, RdfFormat

from kg.formats import (
    ATTRIBUTES,
    DATASETS,
    EXPORTS,
    GRAPHS,
    NAMES,
    RESULTS,
    by_media_type,
    by_name,
    content_type,
)

SERVED = (*RESULTS, *GRAPHS, *DATASETS)


@pytest.mark.parametrize("name", NAMES)
def test_every_name_names_a_served_format(name):
    assert {by_name(name, kind) for kind in (RESULTS, GRAPHS, DATASETS)} - {None}


@pytest.mark.parametrize("fmt", SERVED, ids=str)
def test_every_served_format_has_a_name_its_media_type_and_a_worker_name(fmt):
    kind = type(fmt)
    assert any(fmt in formats for formats in NAMES.values())
    assert by_media_type(fmt.media_type, SERVED) == fmt
    assert getattr(kind, ATTRIBUTES[fmt]) == fmt


def test_purposes():
    assert all(f.supports_datasets for f in DATASETS) and DATASETS[0] == RdfFormat.TRIG
    assert set(EXPORTS) == set(GRAPHS) | set(DATASETS)
    assert RESULTS[0] == QueryResultsFormat.JSON and GRAPHS[0] == RdfFormat.TURTLE


@pytest.mark.parametrize("name,kind,fmt", [
    ("n3", GRAPHS, RdfFormat.TURTLE),  # SPARQLWrapper's N3 is served as Turtle
    ("json", GRAPHS, RdfFormat.JSON_LD), ("json", RESULTS, QueryResultsFormat.JSON),
    ("xml", GRAPHS, RdfFormat.RDF_XML), ("xml", RESULTS, QueryResultsFormat.XML),
    ("text/plain", GRAPHS, RdfFormat.N_TRIPLES), (" TTL ", EXPORTS, RdfFormat.TURTLE),
    ("csv", GRAPHS, None), ("yaml", EXPORTS, None),
])
def test_by_name(name, kind, fmt):
    assert by_name(name, kind) == fmt


# --- the endpoint negotiates from this registry ---------------------------------------------

sys.path.insert(0, str(Path(__file__).parent))
from web_fixtures import build_sample_store  # noqa: E402

from kg.web import create_app  # noqa: E402

SELECT = "SELECT ?s WHERE { ?s ?p ?o } LIMIT 2"
CONSTRUCT = "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 2"


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    path = tmp_path_factory.mktemp("formats") / "store"
    build_sample_store(path, reports=2, sentences=2)
    app = create_app({"STORE_PATH": str(path), "TESTING": True})
    yield app.test_client()
    app.extensions["kg.executor"].close()


@pytest.mark.parametrize("path,query,fmt", [
    *(("/sparql", SELECT, f) for f in RESULTS), *(("/sparql", CONSTRUCT, f) for f in GRAPHS),
    *(("/store", None, f) for f in DATASETS),
], ids=lambda v: getattr(v, "file_extension", None))
def test_every_served_format_is_negotiated_by_its_media_type(client, path, query, fmt):
    r = client.get(path, query_string={"query": query} if query else {},
                   headers={"Accept": f"image/png;q=0.5, {fmt.media_type}"})
    assert r.status_code == 200 and r.content_type == content_type(fmt)
    if isinstance(fmt, RdfFormat):
        assert list(ox.parse(r.data, format=fmt))
    elif fmt != QueryResultsFormat.CSV:  # CSV results are lossy: pyoxigraph does not read them
        assert list(ox.parse_query_results(r.data, format=fmt))


@pytest.mark.parametrize("path,query,accept,mimetype", [
    ("/sparql", SELECT, "application/json", "application/sparql-results+json"),
    ("/sparql", SELECT, "text/xml;q=0.9, text/csv;q=0.1", "application/sparql-results+xml"),
    ("/sparql", CONSTRUCT, "text/plain", "application/n-triples"),
    ("/sparql", None, "application/x-turtle", "text/turtle"),  # the service description
    ("/store", None, "text/x-nquads", "application/n-quads"),
])
def test_media_types_pyoxigraph_knows_as_aliases_are_accepted(client, path, query, accept,
                                                              mimetype):
    r = client.get(path, query_string={"query": query} if query else {},
                   headers={"Accept": accept})
    assert r.status_code == 200 and r.mimetype == mimetype
