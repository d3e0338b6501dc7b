"""The ontology's terms, reached through closed namespace objects.

An unknown term is an error, not a silently minted IRI (like rdflib's closed namespaces), and a
test checks that every ``GK`` term is declared in ``ontology/gov-kg.ttl``.

>>> GK.Project.value
'https://w3id.org/gov-kg/ontology#Project'
>>> GK.Projekt
Traceback (most recent call last):
...
AttributeError: 'Projekt' is not a term of https://w3id.org/gov-kg/ontology#
"""

from __future__ import annotations

from pyoxigraph import NamedNode


class Namespace:
    """A closed set of IRIs under one base; ``ns.term`` gives a ``NamedNode``."""

    def __init__(self, base: str, terms: str | tuple[str, ...]) -> None:
        self.base = base
        self.terms = frozenset(terms.split() if isinstance(terms, str) else terms)
        self._nodes: dict[str, NamedNode] = {}

    def __getattr__(self, name: str) -> NamedNode:
        if name.startswith("_") or name not in self.terms:
            raise AttributeError(f"{name!r} is not a term of {self.base}")
        node = self._nodes.get(name)
        if node is None:  # made once: exports and analyses ask for rdf:type a million times
            node = self._nodes[name] = NamedNode(self.base + name)
        return node

    def __getitem__(self, name: str) -> NamedNode:
        return self.__getattr__(name)

    def __contains__(self, iri: object) -> bool:
        value = getattr(iri, "value", iri)
        return isinstance(value, str) and value.startswith(self.base) and (
            value[len(self.base):] in self.terms
        )


ONTOLOGY = "https://w3id.org/gov-kg/ontology#"
#: Base of instance IRIs (see kg/rdf.py for how they are minted).
RESOURCE = "https://w3id.org/gov-kg/id/"

GK = Namespace(
    ONTOLOGY,
    """
    Place Province City County Year Report Sentence Mention Project Policy IndustryChain
    Indicator Observation
    adcode province partOf yearValue
    city reportYear reviewYear coversYear contentHash pipelineVersion sourceFile characterCount
    text startOffset endOffset section sectionKind sentenceIndex inReport inSentence
    mentions mentionOf surface canonicalLabel
    projectType policyLevel
    indicator value unit measure kind year refPeriod refArea qualifier
    TargetOutcome targetObservation actualObservation status gap tolerance bound
    deliveryDate session congressNumber sessionNumber speaker office
    dateSource sessionSource speakerSource
    """,
)

RDF = Namespace("http://www.w3.org/1999/02/22-rdf-syntax-ns#", "type")
RDFS = Namespace("http://www.w3.org/2000/01/rdf-schema#", "label comment subClassOf domain range")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#", "string integer decimal gYear")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#", "prefLabel altLabel hiddenLabel notation")
PROV = Namespace("http://www.w3.org/ns/prov#", "wasDerivedFrom Entity")
DCTERMS = Namespace("http://purl.org/dc/terms/", "title source isPartOf identifier")
QB = Namespace("http://purl.org/linked-data/cube#", "Observation")
VOID = Namespace(
    "http://rdfs.org/ns/void#",
    "Dataset Linkset subset triples entities classes properties distinctSubjects "
    "distinctObjects classPartition class propertyPartition property dataDump linkPredicate "
    "subjectsTarget objectsTarget uriSpace vocabulary rootResource",
)

#: One prefix per kind of instance IRI (``gkr:`` + a class slug of ``kg/rdf.py``), so that an
#: instance's local name is its key alone and Turtle needs no escape: ``city:330800``, not
#: ``gkr:city\/330800`` (``/`` may not stand unescaped in a local name).
INSTANCE_PREFIXES: dict[str, str] = {
    name: f"{RESOURCE}{slug}/" for name, slug in (
        ("report", "report"), ("city", "city"), ("county", "county"), ("province", "province"),
        ("project", "project"), ("policy", "policy"), ("chain", "industry-chain"),
        ("indicator", "indicator"), ("year", "year"), ("graph", "graph"),
    )
}

#: Prefixes used in exports, named queries and the endpoint's examples.
PREFIXES: dict[str, str] = {
    "gk": ONTOLOGY,
    "gkr": RESOURCE,
    "rdf": RDF.base,
    "rdfs": RDFS.base,
    "xsd": XSD.base,
    "skos": SKOS.base,
    "prov": PROV.base,
    "dcterms": DCTERMS.base,
    "qb": QB.base,
    "schema": "https://schema.org/",
    "owl": "http://www.w3.org/2002/07/owl#",
    "sh": "http://www.w3.org/ns/shacl#",
    "void": VOID.base,
    **INSTANCE_PREFIXES,
}
