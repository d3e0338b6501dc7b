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

from collections import Counter
from collections.abc import Iterable, Mapping

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


def _statistics(out: list[Triple], node: NamedNode, triples: Iterable[Triple],
                count: int) -> None:
    """The counts of one dataset: triples, classes, properties, subjects, objects, and the
    instances of each class."""
    subjects, objects, properties = set(), set(), set()
    instances: dict[NamedNode, set] = {}
    for t in triples:
        subjects.add(t.subject)
        objects.add(t.object)
        properties.add(t.predicate)
        if t.predicate == RDF.type and isinstance(t.object, NamedNode):
            instances.setdefault(t.object, set()).add(t.subject)
    out += [Triple(node, VOID.triples, _int(count)),
            Triple(node, VOID.classes, _int(len(instances))),
            Triple(node, VOID.properties, _int(len(properties))),
            Triple(node, VOID.distinctSubjects, _int(len(subjects))),
            Triple(node, VOID.distinctObjects, _int(len(objects)))]
    for cls, members in sorted(instances.items(), key=lambda kv: kv[0].value):
        partition = NamedNode(f"{node.value}-class-{_local(cls.value)}")
        out += [Triple(node, VOID.classPartition, partition),
                Triple(partition, VOID["class"], cls),
                Triple(partition, VOID.entities, _int(len(members)))]


def describe(store: Store, files: Mapping[NamedNode, str]) -> list[Triple]:
    """The VoID triples of a split export of ``store``: ``files`` maps each graph written to
    its file's name (``kg.export.export_split``)."""
    report_graphs = set(kgstore.report_graphs(store))
    whole = NamedNode(f"{DATASETS}all")
    out = [Triple(whole, RDF.type, VOID.Dataset),
           Triple(whole, DCTERMS.title, Literal("gov-kg: 城市政府工作报告知识图谱")),
           Triple(whole, VOID.uriSpace, Literal(RESOURCE))]
    out += [Triple(whole, VOID.vocabulary, NamedNode(v)) for v in VOCABULARIES]
    nodes = {graph: NamedNode(f"{DATASETS}{key(graph)}") for graph in files}
    owners: dict = {}  # a subject → the datasets describing it
    contents = {}
    for graph, node in nodes.items():
        contents[graph] = {Triple(q.subject, q.predicate, q.object)
                           for q in store.quads_for_pattern(None, None, None, graph)}
        for t in contents[graph]:
            owners.setdefault(t.subject, set()).add(node)
    union: set[Triple] = set()
    for graph, name in files.items():
        node, triples = nodes[graph], contents[graph]
        union.update(triples)
        out += [Triple(whole, VOID.subset, node), Triple(node, RDF.type, VOID.Dataset),
                Triple(node, DCTERMS.identifier, Literal(name))]
        if graph in report_graphs:
            out.append(Triple(node, VOID.rootResource, graph))
        _statistics(out, node, triples, len(triples))
        links = Counter((target, t.predicate) for t in triples
                        for target in owners.get(t.object, ()) if target != node)
        for (target, predicate), n in sorted(links.items(),
                                             key=lambda kv: (kv[0][0].value, kv[0][1].value)):
            linkset = NamedNode(f"{node.value}-to-{target.value.removeprefix(DATASETS)}-"
                                f"{_local(predicate.value)}")
            out += [Triple(linkset, RDF.type, VOID.Linkset),
                    Triple(linkset, VOID.subjectsTarget, node),
                    Triple(linkset, VOID.objectsTarget, target),
                    Triple(linkset, VOID.linkPredicate, predicate),
                    Triple(linkset, VOID.triples, _int(n))]
    _statistics(out, whole, union, len(union))
    return out
