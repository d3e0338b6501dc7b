"""kg.rdf (quads of one report) and kg.store (one transaction per report) on a made-up report."""

from decimal import Decimal

import pyoxigraph as ox
import pytest

from kg import pipeline, rdf, store
from kg.errors import QueryError, StoreError
from kg.model import Document, Entity, Extraction, Mention, ObservationMention, Place, Sentence

TEXT = "全市地区生产总值达到980亿元。加快甲乙铁路建设。"
CITY = Place(code="410300", name="洛阳市", level="city", parent="410000", aliases=("洛阳",))
PROVINCE = Place(code="410000", name="河南省", level="province", aliases=("河南",))


def make_extraction(text: str = TEXT) -> Extraction:
    s0 = Sentence(index=0, start=0, end=14, text=text[:14], kind="review")
    s1 = Sentence(index=1, start=14, end=len(text), text=text[14:], kind="plan", norm_start=14)
    doc = Document(text=text, norm=text, offsets=tuple(range(len(text) + 1)), sentences=(s0, s1),
                   content_hash="a" * 64, source="x.txt", city=CITY, report_year=2024,
                   review_year=2023)
    m = Mention("Project", "甲乙铁路", "甲乙铁路", 1, 16, 20, (("type", "railway"),))
    project = Entity("Project", "甲乙铁路", "甲乙铁路", (("type", "railway"),), (), (m,))
    obs = ObservationMention("地区生产总值", "地区生产总值", Decimal("980"), "亿元", "level",
                             "actual", 2023, 0, 2, 14)
    return Extraction(doc, (project,), (obs,))


def graph_of(quads):
    return {(q.subject, q.predicate, q.object) for q in quads}


def test_quads_are_a_pure_function_of_the_extraction():
    a, b = rdf.to_quads(make_extraction()), rdf.to_quads(make_extraction())
    assert a == b
    assert {q.graph_name for q in a} == {ox.NamedNode("https://w3id.org/gov-kg/id/report/410300-2024")}


def test_report_and_observation_triples():
    st = store.open_store(None)
    ex = make_extraction()
    g = rdf.report_iri(ex.document)
    store.replace_graph(st, g, rdf.to_quads(ex, places={"410000": PROVINCE}))
    pipeline.refresh_entities(st)
    rows = store.select(st, """
        PREFIX gk: <https://w3id.org/gov-kg/ontology#>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT ?city ?province ?value ?unit ?year ?sentence WHERE {
          ?r gk:city ?c . ?c rdfs:label ?city ; gk:province/rdfs:label ?province .
          ?o gk:refArea ?c ; gk:value ?value ; gk:unit ?unit ; gk:year ?year ;
             gk:inSentence/gk:text ?sentence }""")
    assert rows == [{"city": "洛阳市", "province": "河南省", "value": Decimal("980"),
                     "unit": "亿元", "year": 2023, "sentence": TEXT[:14]}]


def test_report_iri_falls_back_to_the_content_hash():
    ex = make_extraction()
    doc = Document(text=ex.document.text, norm=ex.document.norm, offsets=ex.document.offsets,
                   sentences=ex.document.sentences, content_hash="b" * 64)
    assert rdf.report_iri(doc).value.endswith("/report/h-" + "b" * 16)


def test_mint_is_stable_and_encodes_ascii_only():
    assert rdf.mint("project", "衢丽铁路") == rdf.mint("project", " 衢丽铁路 ")
    assert rdf.mint("policy", "5+2 计划").value.endswith("/policy/5%2B2%20计划")


def test_replace_graph_is_idempotent_and_replaces():
    st = store.open_store(None)
    ex = make_extraction()
    g = rdf.report_iri(ex.document)
    quads = rdf.to_quads(ex)
    store.replace_graph(st, g, quads)
    store.replace_graph(st, g, quads)
    assert len(st) == len(quads)
    store.replace_graph(st, g, quads[:3])
    assert len(st) == 3


def test_read_only_store_that_does_not_exist(tmp_path):
    with pytest.raises(StoreError, match="kg build"):
        store.open_store(tmp_path / "missing", read_only=True)


def test_bad_query_names_the_query():
    with pytest.raises(QueryError, match="my-query"):
        store.select(store.open_store(None), "SELECT WHERE {", name="my-query")
