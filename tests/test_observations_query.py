"""``queries/observations.rq`` and its ``city`` parameter (#12) on a store built from corpus/.

The named query steers Oxigraph's plan (a branch on the parameter, LATERAL), so its rows are
checked against the plain formulation it replaced, and against that formulation's rows filtered
in Python: with the city, the observations of that city's reports; without it, every one.
"""

import json
from collections import Counter

import pytest
from click.testing import CliRunner
from pyoxigraph import Literal, NamedNode, Quad, Store

from kg import queries
from kg.cli import main
from kg.store import select

GK = "https://w3id.org/gov-kg/ontology#"
#: The query before the parameter: one join, the OPTIONAL planned over the whole store.
PLAIN = f"""PREFIX gk: <{GK}>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?report ?city ?year ?indicator ?value ?unit ?measure ?kind ?sentence WHERE {{
  GRAPH ?report {{
    ?o a gk:Observation ;
       gk:indicator ?i ;
       gk:value ?value ; gk:unit ?unit ; gk:measure ?measure ; gk:kind ?kind ; gk:year ?year ;
       gk:inSentence/gk:text ?sentence .
  }}
  ?i rdfs:label ?indicator .
  OPTIONAL {{ GRAPH ?report {{ ?o gk:refArea ?area }} ?area rdfs:label ?city }}
}}
ORDER BY ?city ?year ?indicator ?measure ?kind ?report"""
#: What ORDER BY sorts on: rows equal on these may come in either order.
KEYS = ("city", "year", "indicator", "measure", "kind", "report")


@pytest.fixture(scope="module")
def store(corpus_store) -> Store:
    """The corpus store, plus a graph whose observation has no report, city or area: the
    unparameterised query lists it (with ?city unbound), no city's does."""
    st = Store()
    st.extend(corpus_store.quads_for_pattern(None, None, None, None))
    g, o, s = (NamedNode("https://example.org/stray" + p) for p in ("", "/obs", "/sentence"))
    indicator = next(st.quads_for_pattern(None, NamedNode(GK + "indicator"), None)).object
    st.extend(Quad(o, NamedNode(GK + p), v, g) for p, v in [
        ("indicator", indicator), ("value", Literal("1.5", datatype=NamedNode(
            "http://www.w3.org/2001/XMLSchema#decimal"))), ("unit", Literal("%")),
        ("measure", Literal("growth")), ("kind", Literal("actual")),
        ("year", Literal(2023)), ("inSentence", s)])
    st.add(Quad(o, NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                NamedNode(GK + "Observation"), g))
    st.add(Quad(s, NamedNode(GK + "text"), Literal("增长1.5%。"), g))
    return st


def report_cities(store: Store) -> dict[str, str]:
    return {r["report"]: r["city"] for r in select(store, queries.get("reports").text)}


def run(store: Store, **params: str) -> list[dict]:
    q = queries.get("observations")
    return select(store, q.text, q.bindings(params), name="observations")


def same_rows(got: list[dict], expected: list[dict]) -> None:
    assert [tuple(r[k] for k in KEYS) for r in got] == [tuple(r[k] for k in KEYS)
                                                        for r in expected]
    assert Counter(tuple(r.items()) for r in got) == Counter(tuple(r.items()) for r in expected)


def test_without_the_city_every_observation(store):
    plain = select(store, PLAIN)
    assert any(r["city"] is None for r in plain) and len(plain) > 100
    same_rows(run(store), plain)
    same_rows(run(store, city=""), plain)


def test_each_city_gets_its_reports_observations(store):
    plain, cities = select(store, PLAIN), report_cities(store)
    assert sorted(set(cities.values())) == ["丽水市", "湖州市", "衢州市"]
    for city in set(cities.values()):
        expected = [r for r in plain if cities.get(r["report"]) == city]
        assert expected and all(r["city"] == city for r in expected)
        same_rows(run(store, city=city), expected)


def test_a_city_without_reports_has_no_observations(store):
    assert run(store, city="北京市") == []
    assert run(store, city="浙江省") == []


def test_kg_query_with_the_city_parameter(corpus_build, corpus_store):
    out = CliRunner().invoke(main, ["query", "--store", str(corpus_build[0]), "-n",
                                    "observations", "--param", "city=丽水市", "--format", "json"])
    assert out.exit_code == 0, out.output
    rows = json.loads(out.output)
    expected = [r for r in select(corpus_store, PLAIN)
                if report_cities(corpus_store)[r["report"]] == "丽水市"]
    assert len(rows) == len(expected) > 10
    assert {r["city"] for r in rows} == {"丽水市"}
    assert [tuple(r[k] for k in KEYS) for r in rows] == [tuple(r[k] for k in KEYS)
                                                         for r in expected]
    assert Counter((r["report"], r["value"], r["unit"], r["sentence"]) for r in rows) == Counter(
        (r["report"], str(r["value"]), r["unit"], r["sentence"]) for r in expected)
