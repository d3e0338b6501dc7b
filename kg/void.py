"""A VoID description (https://www.w3.org/TR/void/) of a split export, for ``void.ttl``.

The whole export is ``dataset:all``; each file is a ``void:subset`` of it (``dataset:entities``,
``dataset:<report key>`` with the report as its ``void:rootResource``; the file name is its
``dcterms:identifier``) with its triples, classes, properties, distinct subjects and objects
and one ``void:classPartition`` per class. A file's links into another (its triples whose
object the other file describes: a report's mentions of the entities, the targets' links to
the reports' observations) are one ``void:Linkset`` per file and predicate. IRIs are absolute,
so the file loads on its own (a relative ``void:dataDump`` would need a base IRI).
"""

from __future__ import annotations

from collections.abc import Mapping

from pyoxigraph import Literal, NamedNode, Store, Triple

from kg import store as kgstore
from kg.rdf import unmint
from kg.vocab import DCTERMS, ONTOLOGY, PREFIXES, RDF, RESOURCE, SKOS, VOID, XSD

#: Where the VoID datasets are named.
DATASETS = f"{RESOURCE}void/"
PREFIXES = {**PREFIXES, "dataset": DATASETS}
VOCABULARIES = (ONTOLOGY, RDF.base, "http://www.w3.org/2000/01/rdf-schema#", SKOS.base,
                "http://purl.org/linked-data/cube#")


def _int(n: int) -> Literal:
    return Literal(str(n), datatype=XSD.integer)


def _local(iri: str) -> str:
    """A class or property IRI as a name part: ``gk-Observation``, ``qb-Observation``."""
    ns = max((ns for ns in PREFIXES.values() if iri.startswith(ns)), key=len, default="")
    name = next((p for p, v in PREFIXES.items() if v == ns), "") if ns else ""
    return "".join(c if c.isalnum() else "-" for c in f"{name}-{iri[len(ns):]}".strip("-"))


def key(graph: NamedNode) -> str:
    """A graph's key: ``entities`` for ``gkr:graph/entities``, ``330800-2024`` for
    ``gkr:report/330800-2024``."""
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in unmint(graph.value)[1])


#: Per graph (``?g``; none for the whole, each triple once): triples, properties, subjects,
#: objects.
_COUNTS = """SELECT {g} (COUNT(*) AS ?triples) (COUNT(DISTINCT ?p) AS ?properties)
  (COUNT(DISTINCT ?s) AS ?subjects) (COUNT(DISTINCT ?o) AS ?objects)
WHERE {{ {inner} }} {group}"""
#: Per graph and class, the class's instances.
_CLASSES = """SELECT {g} ?class (COUNT(DISTINCT ?s) AS ?n)
WHERE {{ GRAPH ?g {{ ?s a ?class }} FILTER(isIRI(?class)) }} GROUP BY {g} ?class"""
#: A graph's links into another: its statements whose object the other describes.
_LINKS = """SELECT ?g ?h ?p (COUNT(*) AS ?n) WHERE {
  { SELECT DISTINCT ?h ?o WHERE { GRAPH ?h { ?o ?q ?x } } }
  GRAPH ?g { ?s ?p ?o }
  FILTER(?g != ?h)
} GROUP BY ?g ?h ?p"""


def _rows(store: Store, sparql: str) -> list[dict]:
    return kgstore.select(store, sparql, name="void.ttl")


def _statistics(out: list[Triple], node: NamedNode, counts: dict,
                classes: list[tuple[str, int]]) -> None:
    """One dataset's triples, classes, properties, distinct subjects and objects, and a class
    partition per class with its instances."""
    out += [Triple(node, VOID.triples, _int(counts.get("triples", 0))),
            Triple(node, VOID.classes, _int(len(classes))),
            Triple(node, VOID.properties, _int(counts.get("properties", 0))),
            Triple(node, VOID.distinctSubjects, _int(counts.get("subjects", 0))),
            Triple(node, VOID.distinctObjects, _int(counts.get("objects", 0)))]
    for cls, n in sorted(classes):
        partition = NamedNode(f"{node.value}-class-{_local(cls)}")
        out += [Triple(node, VOID.classPartition, partition),
                Triple(partition, VOID["class"], NamedNode(cls)),
                Triple(partition, VOID.entities, _int(n))]


def describe(store: Store, files: Mapping[NamedNode, str]) -> list[Triple]:
    """The VoID triples of a split export of ``store``: ``files`` maps each graph written to
    its file's name (``kg.export.export_split``). Counted by SPARQL aggregates, in the store."""
    report_graphs = set(kgstore.report_graphs(store))
    whole = NamedNode(f"{DATASETS}all")
    out = [Triple(whole, RDF.type, VOID.Dataset),
           Triple(whole, DCTERMS.title, Literal("gov-kg: 城市政府工作报告知识图谱")),
           Triple(whole, VOID.uriSpace, Literal(RESOURCE))]
    out += [Triple(whole, VOID.vocabulary, NamedNode(v)) for v in VOCABULARIES]
    nodes = {graph.value: NamedNode(f"{DATASETS}{key(graph)}") for graph in files}
    counts = {r["g"]: r for r in _rows(store, _COUNTS.format(
        g="?g", inner="GRAPH ?g { ?s ?p ?o }", group="GROUP BY ?g"))}
    classes: dict[str, list[tuple[str, int]]] = {}
    for r in _rows(store, _CLASSES.format(g="?g")):
        classes.setdefault(r["g"], []).append((r["class"], r["n"]))
    links: dict[str, list[tuple[str, str, int]]] = {}
    for r in _rows(store, _LINKS):
        if r["g"] in nodes and r["h"] in nodes:
            links.setdefault(r["g"], []).append((r["h"], r["p"], r["n"]))
    for graph, name in files.items():
        node = nodes[graph.value]
        out += [Triple(whole, VOID.subset, node), Triple(node, RDF.type, VOID.Dataset),
                Triple(node, DCTERMS.identifier, Literal(name))]
        if graph in report_graphs:
            out.append(Triple(node, VOID.rootResource, graph))
        _statistics(out, node, counts.get(graph.value, {}), classes.get(graph.value, []))
        for target, predicate, n in sorted(links.get(graph.value, [])):
            linkset = NamedNode(f"{node.value}-to-{nodes[target].value.removeprefix(DATASETS)}"
                                f"-{_local(predicate)}")
            out += [Triple(linkset, RDF.type, VOID.Linkset),
                    Triple(linkset, VOID.subjectsTarget, node),
                    Triple(linkset, VOID.objectsTarget, nodes[target]),
                    Triple(linkset, VOID.linkPredicate, NamedNode(predicate)),
                    Triple(linkset, VOID.triples, _int(n))]
    whole_counts = _rows(store, _COUNTS.format(
        g="", inner="{ SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } }", group=""))
    whole_classes = _rows(store, _CLASSES.format(g=""))
    _statistics(out, whole, whole_counts[0] if whole_counts else {},
                [(r["class"], r["n"]) for r in whole_classes])
    return out
