"""Exports read back as what was stored (#13): every format of ``kg.formats.EXPORTS``, with
pyoxigraph and with rdflib; one Turtle file per report, the entities file and ``void.ttl``,
each loading on its own; Turtle's local names never escaped; JSON-LD with an ``@context``.

The store is the sample corpus built once (``conftest.corpus_build``); Hypothesis writes
made-up triples with awkward IRIs and literals through the Turtle, TriG and JSON-LD writers.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg import export, jsonld, turtle, void
from kg.errors import KGError
from kg.formats import EXPORTS
from kg.rdf import ENTITIES_GRAPH
from kg.vocab import GK, PREFIXES, RDF, VOID

OPTIONS = [(f, graphs) for f in EXPORTS for graphs in (None, True, False)
           if not (graphs and not f.supports_datasets)]


def as_default(statements) -> set[ox.Quad]:
    return {ox.Quad(s.subject, s.predicate, s.object, ox.DefaultGraph()) for s in statements}


def expected(store: ox.Store, keeps: bool) -> set[ox.Quad]:
    return set(store) if keeps else as_default(store)


def with_rdflib(data: bytes, fmt: ox.RdfFormat) -> set[ox.Quad]:
    """What rdflib reads from ``data``, handed back to pyoxigraph through N-Quads."""
    if fmt.supports_datasets:
        ds = rdflib.Dataset()
        ds.parse(data=data, format=fmt.media_type)
        nquads = ds.serialize(format="nquads", encoding="utf-8")
    else:
        g = rdflib.Graph()
        g.parse(data=data, format=fmt.media_type)
        nquads = g.serialize(format="nt", encoding="utf-8")
    return {ox.Quad(q.subject, q.predicate, q.object,
                    q.graph_name if isinstance(q.graph_name, ox.NamedNode)
                    and not q.graph_name.value.startswith("urn:x-rdflib:") else ox.DefaultGraph())
            for q in ox.parse(nquads, format=ox.RdfFormat.N_QUADS)}


@pytest.fixture(scope="module")
def exported(corpus_store):
    """Each format and graphs option → the bytes exported and the count returned."""
    out = {}
    for f, graphs in OPTIONS:
        buffer = io.BytesIO()
        n = export.export(corpus_store, f.file_extension, buffer, graphs=graphs)
        out[f, graphs] = buffer.getvalue(), n
    return out


@pytest.mark.parametrize("fmt,graphs", OPTIONS,
                         ids=[f"{f.file_extension}-{g}" for f, g in OPTIONS])
def test_every_format_round_trips_through_a_fresh_store(corpus_store, exported, fmt, graphs):
    data, n = exported[fmt, graphs]
    keeps = export.keeps_graphs(fmt, graphs)
    fresh = ox.Store()
    fresh.load(data, format=fmt)
    assert set(fresh) == expected(corpus_store, keeps)
    assert n == len(fresh) and n > 10_000


@pytest.mark.parametrize("fmt,graphs", OPTIONS,
                         ids=[f"{f.file_extension}-{g}" for f, g in OPTIONS])
def test_every_format_reads_back_with_rdflib(corpus_store, exported, fmt, graphs):
    data, _ = exported[fmt, graphs]
    assert with_rdflib(data, fmt) == expected(corpus_store, export.keeps_graphs(fmt, graphs))


def test_defaults_graphs_for_trig_and_nquads_the_union_for_the_others():
    keeps = {f.file_extension: export.keeps_graphs(f, None) for f in EXPORTS}
    assert keeps == {"ttl": False, "nt": False, "jsonld": False, "rdf": False, "trig": True,
                     "nq": True}
    with pytest.raises(KGError, match="holds one graph"):
        export.keeps_graphs(ox.RdfFormat.TURTLE, True)
    with pytest.raises(KGError, match="unknown export format 'yaml'"):
        export.export(ox.Store(), "yaml", io.BytesIO())


# --- readable Turtle --------------------------------------------------------------------------

def outside_strings(text: str) -> str:
    return re.sub(r'"(?:[^"\\\n]|\\.)*"', '""', text)


@pytest.mark.parametrize("fmt", [ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG], ids=str)
def test_turtle_names_need_no_escapes(exported, fmt):
    text = exported[fmt, None][0].decode()
    code = outside_strings(text)
    assert "\\" not in code  # no `gkr:city\/110100`, no `policy:2\%2B2`
    for expected_name in ("city:330800 a gk:City", "gk:province province:330000",
                          "gk:mentionOf policy:八八战略", "gk:refPeriod year:2023",
                          "report:330800-2024"):
        assert expected_name in text
    # an IRI written whole could not have been a prefixed name
    for iri in set(re.findall(r"<([^>]*)>", code)) - set(PREFIXES.values()):
        for ns in PREFIXES.values():
            assert not (iri.startswith(ns) and turtle._LOCAL.fullmatch(iri, len(ns))), iri


def test_jsonld_has_a_context_and_compact_names(exported, corpus_store):
    doc = json.loads(exported[ox.RdfFormat.JSON_LD, None][0])
    assert doc["@context"] == PREFIXES
    nodes = {n["@id"]: n for n in doc["@graph"]}
    assert "@graph" not in nodes["report:330800-2024"]  # the union: no graph objects
    city = nodes["city:330800"]
    assert city["@type"] == ["gk:City"] and city["rdfs:label"] == ["衢州市"]
    assert city["gk:province"] == [{"@id": "province:330000"}]
    graphs = json.loads(exported[ox.RdfFormat.JSON_LD, True][0])["@graph"]
    assert {g["@id"] for g in graphs} == {"graph:entities", "report:330500-2024",
                                          "report:330800-2015", "report:330800-2020",
                                          "report:330800-2024", "report:331100-2024"}


# --- one file per report ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def split(corpus_store, tmp_path_factory):
    directory = tmp_path_factory.mktemp("split") / "out"
    return directory, export.export_split(corpus_store, directory)


def test_split_names_one_file_per_report_and_the_entities(split, corpus_store):
    directory, parts = split
    names = {p.name for p in directory.iterdir()}
    derived = {f"{g.value.rpartition('/')[2]}.ttl" for g in corpus_store.named_graphs()
               if g.value.startswith(export.GRAPHS)}  # entities, and targets (#13 item 1)
    assert "entities.ttl" in derived
    assert names == {"void.ttl", "丽水市-2024.ttl", "湖州市-2024.ttl", "衢州市-2015.ttl",
                     "衢州市-2020.ttl", "衢州市-2024.ttl"} | derived
    assert parts[0].graph == ENTITIES_GRAPH and parts[0].path.name == "entities.ttl"
    assert {p.graph for p in parts} == set(corpus_store.named_graphs())


def test_each_split_file_loads_on_its_own_and_together_they_are_the_store(split,
                                                                         corpus_store):
    _, parts = split
    together = ox.Store()
    for part in parts:
        data = part.path.read_bytes()
        alone = list(ox.parse(data, format=ox.RdfFormat.TURTLE))  # no base IRI needed
        assert len(alone) == part.triples
        assert with_rdflib(data, ox.RdfFormat.TURTLE) == as_default(alone)
        assert "\\" not in outside_strings(data.decode())
        together.load(data, format=ox.RdfFormat.TURTLE, to_graph=part.graph)
    assert set(together) == set(corpus_store)


def test_report_files_name_their_sentences_mentions_and_observations(split):
    text = (split[0] / "衢州市-2024.ttl").read_text(encoding="utf-8")
    assert ("@prefix sentence: <https://w3id.org/gov-kg/id/report/330800-2024/sentence/> ."
            in text)
    assert re.search(r"^mention:0 a gk:Mention ;\n    gk:endOffset \d+ ;", text, re.M)
    assert re.search(r"^observation:0 a ", text, re.M)
    assert "gk:inSentence sentence:" in text


def test_void_counts_each_file_its_classes_and_links(split, corpus_store):
    directory, parts = split
    data = (directory / "void.ttl").read_bytes()
    g = ox.Store()
    g.load(data, format=ox.RdfFormat.TURTLE)
    assert with_rdflib(data, ox.RdfFormat.TURTLE) == set(g)

    def value(s, p):
        return next(g.quads_for_pattern(s, p, None)).object

    whole = ox.NamedNode(void.DATASETS + "all")
    subsets = {q.object for q in g.quads_for_pattern(whole, VOID.subset, None)}
    assert len(subsets) == len(parts) >= 6
    for part in parts:
        node = ox.NamedNode(void.DATASETS + void.key(part.graph))
        assert node in subsets
        assert int(value(node, VOID.triples).value) == part.triples
        assert value(node, ox.NamedNode("http://purl.org/dc/terms/identifier")).value == \
            part.path.name
    assert int(value(whole, VOID.triples).value) == len(export.union_triples(corpus_store))
    report = ox.NamedNode(void.DATASETS + "330800-2024")
    assert value(report, VOID.rootResource) == ox.NamedNode(
        "https://w3id.org/gov-kg/id/report/330800-2024")
    # the links of a report into the entities file, one linkset per predicate
    entities = ox.NamedNode(void.DATASETS + "entities")
    links = {value(q.subject, VOID.linkPredicate): int(value(q.subject, VOID.triples).value)
             for q in g.quads_for_pattern(None, VOID.subjectsTarget, report)
             if value(q.subject, VOID.objectsTarget) == entities}
    graph = ox.NamedNode("https://w3id.org/gov-kg/id/report/330800-2024")
    mentions = sum(1 for _ in corpus_store.quads_for_pattern(None, GK.mentionOf, None, graph))
    assert links[GK.mentionOf] == mentions and links[GK.city] == 1
    assert set(links) >= {GK.mentionOf, GK.city, GK.indicator, GK.refPeriod, GK.coversYear}
    # class partitions: the sentences of the report
    partition = ox.NamedNode(void.DATASETS + "330800-2024-class-gk-Sentence")
    sentences = sum(1 for _ in corpus_store.quads_for_pattern(None, RDF.type, GK.Sentence, graph))
    assert value(partition, VOID["class"]) == GK.Sentence
    assert int(value(partition, VOID.entities).value) == sentences


def made_up_store(*cities: tuple[str, str, int]) -> ox.Store:
    """Report graphs of (adcode, city name, year), the names in the entities graph."""
    store = ox.Store()
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    for code, name, year in cities:
        report = ox.NamedNode(f"https://w3id.org/gov-kg/id/report/{code}-{year}")
        city = ox.NamedNode(f"https://w3id.org/gov-kg/id/city/{code}")
        store.add(ox.Quad(report, RDF.type, GK.Report, report))
        store.add(ox.Quad(report, GK.city, city, report))
        store.add(ox.Quad(city, label, ox.Literal(name), ENTITIES_GRAPH))
    return store


def test_two_cities_of_one_name_get_their_adcodes(tmp_path):
    store = made_up_store(("110100", "北京市", 2024), ("990100", "北京市", 2024),
                          ("330800", "衢/州", 2023))
    names = sorted(p.path.name for p in export.export_split(store, tmp_path))
    assert names == ["entities.ttl", "北京市-110100-2024.ttl", "北京市-990100-2024.ttl",
                     "衢_州-2023.ttl"]


@pytest.mark.parametrize("fmt", ["ntriples", "jsonld"])
def test_split_in_other_formats(corpus_store, tmp_path, fmt):
    parts = export.export_split(corpus_store, tmp_path, fmt)
    f = export.export_format(fmt)
    assert all(p.path.suffix == f".{f.file_extension}" for p in parts)
    for p in parts:
        assert len(list(ox.parse(path=str(p.path), format=f))) == p.triples
    assert (tmp_path / "void.ttl").exists()


# --- the writers on made-up data ------------------------------------------------------------

R = "https://w3id.org/gov-kg/id/"
KEYS = st.lists(st.sampled_from([*"衢州市a1-._~/“”—（）·:!", "%2B", "%20"]),
                max_size=8).map("".join)
IRIS = st.builds(lambda kind, key: ox.NamedNode(f"{R}{kind}/{key}"),
                 st.sampled_from(["city", "policy", "report", "void", "report/1-2/sentence"]),
                 KEYS)
XSD = "http://www.w3.org/2001/XMLSchema#"
LITERALS = st.one_of(
    st.text().map(ox.Literal),
    st.builds(ox.Literal, st.text(), language=st.sampled_from(["zh", "en", "zh-Hans"])),
    st.builds(lambda v, t: ox.Literal(v, datatype=ox.NamedNode(XSD + t)),
              st.sampled_from(["1", "+2", "-0", "007", "6.5", ".5", "5.", "1e3", "true", "0",
                               "false", "x"]),
              st.sampled_from(["integer", "decimal", "boolean", "double", "gYear"])),
)
TRIPLES = st.lists(st.builds(ox.Triple, IRIS, st.sampled_from([RDF.type, GK.surface, GK.city]),
                             st.one_of(IRIS, LITERALS)), max_size=12)
GRAPHS = st.sampled_from([ox.DefaultGraph(), ENTITIES_GRAPH, ox.NamedNode(R + "report/1-2")])
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(TRIPLES)
def test_turtle_writer_round_trips_anything(triples):
    data = turtle.turtle(triples, PREFIXES)
    assert set(ox.parse(data, format=ox.RdfFormat.TURTLE)) == as_default(triples)
    assert "\\" not in outside_strings(data.decode())


@FUZZ
@given(st.lists(st.tuples(TRIPLES, GRAPHS), max_size=3))
def test_trig_and_jsonld_writers_round_trip_anything(groups):
    quads = [ox.Quad(t.subject, t.predicate, t.object, g) for ts, g in groups for t in ts]
    for write, fmt in ((turtle.write_trig, ox.RdfFormat.TRIG),
                       (jsonld.write_jsonld, ox.RdfFormat.JSON_LD)):
        buffer = io.BytesIO()
        assert write(quads, buffer, PREFIXES) == len(quads)
        assert set(ox.parse(buffer.getvalue(), format=fmt)) == set(quads), fmt


def test_writers_refuse_a_prefix_turtle_cannot_name():
    with pytest.raises(ValueError, match="not Turtle prefix names: 1x"):
        turtle.turtle([], {"1x": R})


# --- kg export on the command line -------------------------------------------------------------

def test_export_into_head_ends_quietly(corpus_build):
    """`kg export | head`: the reader stops early; no BrokenPipeError, no traceback."""
    path, _ = corpus_build
    shell = (f"{sys.executable} -m kg.cli export --store {path} --format nquads | head -n 2; "
             "exit ${PIPESTATUS[0]}")
    r = subprocess.run(["bash", "-c", shell], capture_output=True, text=True, timeout=120,
                       cwd=Path(__file__).resolve().parent.parent)
    assert r.stderr == "" and r.returncode == 0, r.stderr[-2000:]
    assert len(r.stdout.splitlines()) == 2
