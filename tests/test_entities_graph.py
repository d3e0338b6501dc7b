"""The entities graph (#10): each shared node described once, whatever subset was (re)built."""

import io
import re

import pyoxigraph as ox

from kg import pipeline, rdf, store
from kg.export import export
from tests.conftest import CORPUS, ROOT

GK = "https://w3id.org/gov-kg/ontology#"
QUZHOU = ox.NamedNode("https://w3id.org/gov-kg/id/city/330800")
LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")


def graph(st, name=rdf.ENTITIES_GRAPH):
    return {(q.subject, q.predicate, q.object) for q in st.quads_for_pattern(None, None, None, name)}


def count(st, sparql):
    return store.select(st, sparql)[0]["n"]


def test_the_union_holds_each_triple_once(corpus_store):
    quads = count(corpus_store, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    distinct = count(corpus_store, "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o "
                                   "WHERE { ?s ?p ?o } }")
    assert quads == distinct == len(corpus_store)


def test_the_readme_first_query_counts_each_report_once(corpus_store):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    query = re.search(r"--data-urlencode \\\n\s*'query=(.*?)'", readme, re.S).group(1)
    rows = store.select(corpus_store, query)
    assert {r["city"]: r["n"] for r in rows} == {"衢州市": 3, "丽水市": 1, "湖州市": 1}


def test_report_graphs_describe_no_shared_node(corpus_store):
    rows = store.select(corpus_store, f"""
        SELECT DISTINCT ?s WHERE {{ GRAPH ?g {{ ?s <{LABEL.value}> ?label }}
          FILTER (?g != <{rdf.ENTITIES_GRAPH.value}>) }}""")
    assert rows and all("/report/" in r["s"] for r in rows)
    assert (QUZHOU, LABEL, ox.Literal("衢州市")) in graph(corpus_store)


def test_building_a_subset_then_the_rest_gives_the_full_build(tmp_path, corpus_store):
    path = tmp_path / "store"
    files = sorted(CORPUS.glob("*.txt"))
    pipeline.build(files[:2], path, progress=False)
    st = store.open_store(path)
    first = graph(st)
    mentioned = {r["e"] for r in store.select(st, f"SELECT DISTINCT ?e WHERE {{ GRAPH ?g {{ "
                                                  f"?m <{GK}mentionOf> ?e }} }}")}
    assert {s.value for s, _, _ in first} >= mentioned
    assert first < graph(corpus_store)  # only what the two reports refer to
    del st
    pipeline.build(files, path, progress=False)
    assert graph(store.open_store(path)) == graph(corpus_store)


def test_replacing_a_report_drops_what_only_it_said(tmp_path):
    """The same report (same city and year) with half its text: the entities graph is that of
    a store holding only the shorter text, as if the longer one had never been built."""
    text = sorted(CORPUS.glob("*.txt"))[0].read_text(encoding="utf-8")
    full, half = tmp_path / "full" / "r.txt", tmp_path / "half" / "r.txt"
    for path, body in ((full, text), (half, text[: len(text) // 2])):
        path.parent.mkdir()
        path.write_text(body, encoding="utf-8")
    replaced, fresh = tmp_path / "replaced", tmp_path / "fresh"
    pipeline.build([full], replaced, progress=False)
    before = graph(store.open_store(replaced))
    results = pipeline.build([half], replaced, progress=False, replace=True)  # a conflict (#12)
    assert results[0].status == "built"
    pipeline.build([half], fresh, progress=False)
    a, b = store.open_store(replaced), store.open_store(fresh)
    assert graph(a) == graph(b) and graph(a) < before
    assert len(a) == len(b) and len(store.report_graphs(a)) == 1


def test_refresh_is_idempotent(tmp_path):
    path = tmp_path / "store"
    pipeline.build(sorted(CORPUS.glob("*.txt"))[:1], path, progress=False)
    st = store.open_store(path)
    first = graph(st)
    assert pipeline.refresh_entities(st) == len(first)
    assert graph(st) == first


def test_export_includes_the_entities(corpus_store):
    out = io.BytesIO()
    export(corpus_store, "ntriples", out)
    triples = {(t.subject, t.predicate, t.object)
               for t in ox.parse(out.getvalue(), format=ox.RdfFormat.N_TRIPLES)}
    assert (QUZHOU, LABEL, ox.Literal("衢州市")) in triples
    assert graph(corpus_store) <= triples
    out = io.BytesIO()
    export(corpus_store, "nquads", out)
    graphs = {q.graph_name for q in ox.parse(out.getvalue(), format=ox.RdfFormat.N_QUADS)}
    assert rdf.ENTITIES_GRAPH in graphs and len(graphs) == 6
