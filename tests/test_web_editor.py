"""The editor page's data: every named query's tab runs as it is on the corpus store (required
parameters bound to their examples), and the vocabulary lists the ontology's terms."""

from __future__ import annotations

import json
import re

import pytest

from kg.queries import load_all
from kg.web import create_app
from kg.web.editor import editable


@pytest.fixture(scope="module")
def client(corpus_build):
    app = create_app({"STORE_PATH": str(corpus_build[0]), "TESTING": True,
                      "EXECUTOR_WORKERS": 1})
    return app.test_client()


@pytest.mark.parametrize("name", sorted(load_all()))
def test_each_tab_runs_as_it_is(client, name):
    query = load_all()[name]
    r = client.post("/sparql", data={"query": editable(query)},
                    headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200, r.get_data(as_text=True)
    rows = json.loads(r.data)["results"]["bindings"]
    if any(p.required for p in query.params):
        assert rows, f"{name}: its example parameters find nothing in the sample corpus"


def test_the_page_carries_each_named_query_as_data(client):
    page = client.get("/editor").get_data(as_text=True)
    data = json.loads(re.search(r'<script type="application/json" id="editor-data">(.*?)'
                                r"</script>", page, re.S).group(1))
    assert [t["name"] for t in data["tabs"]] == list(load_all())
    assert data["endpoint"] == "/sparql" and data["vocabulary"] == "/api/vocabulary?store=1"


def test_vocabulary_lists_classes_and_properties_with_labels(client):
    v = client.get("/api/vocabulary", query_string={"store": 1}).get_json()
    gk = "https://w3id.org/gov-kg/ontology#"
    city = next(c for c in v["classes"] if c["iri"] == gk + "City")
    assert city["zh"] == "地级市" and city["inStore"] is True
    properties = {p["iri"]: p for p in v["properties"]}
    label = "http://www.w3.org/2000/01/rdf-schema#label"
    assert {gk + "mentions", gk + "value", label} <= set(properties)
    assert properties[label]["inStore"] and properties[label]["prefixed"] == "rdfs:label"
    assert not set(properties) & {c["iri"] for c in v["classes"]}
    assert v["prefixes"]["gk"] == gk
