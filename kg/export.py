"""Export formats, by name: a registry, so adding a format is one entry and a test walks them all.

Triple formats (Turtle, N-Triples, JSON-LD, RDF/XML) get the union of the report graphs, each
triple once; dataset formats (TriG, N-Quads) keep one named graph per report.

>>> sorted(FORMATS)
['jsonld', 'nquads', 'ntriples', 'rdfxml', 'trig', 'turtle']
>>> from pyoxigraph import Store
>>> import io
>>> export(Store(), "turtle", io.BytesIO())
0
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import IO

from pyoxigraph import RdfFormat, Store, Triple, serialize

from kg.errors import KGError
from kg.vocab import PREFIXES


@dataclass(frozen=True)
class ExportFormat:
    name: str
    rdf_format: RdfFormat
    dataset: bool  # keeps named graphs
    media_type: str
    extension: str


FORMATS: dict[str, ExportFormat] = {
    f.name: f
    for f in (
        ExportFormat("turtle", RdfFormat.TURTLE, False, "text/turtle", "ttl"),
        ExportFormat("trig", RdfFormat.TRIG, True, "application/trig", "trig"),
        ExportFormat("nquads", RdfFormat.N_QUADS, True, "application/n-quads", "nq"),
        ExportFormat("ntriples", RdfFormat.N_TRIPLES, False, "application/n-triples", "nt"),
        ExportFormat("jsonld", RdfFormat.JSON_LD, True, "application/ld+json", "jsonld"),
        ExportFormat("rdfxml", RdfFormat.RDF_XML, False, "application/rdf+xml", "rdf"),
    )
}
ALIASES = {"ttl": "turtle", "nq": "nquads", "nt": "ntriples", "json-ld": "jsonld",
           "xml": "rdfxml", "rdf": "rdfxml", "n-quads": "nquads", "n-triples": "ntriples"}


def get_format(name: str) -> ExportFormat:
    key = ALIASES.get(name.lower(), name.lower())
    if key not in FORMATS:
        raise KGError(f"unknown export format {name!r}; choose one of {', '.join(FORMATS)}")
    return FORMATS[key]


def union_triples(store: Store) -> list[Triple]:
    """Every triple of the report graphs once, sorted (a deterministic, readable export)."""
    seen = {Triple(q.subject, q.predicate, q.object) for q in store}
    return sorted(seen, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))


def export(store: Store, fmt: str, output: IO[bytes]) -> int:
    """Write the graph in format ``fmt`` to ``output``; returns the number of triples/quads."""
    f = get_format(fmt)
    prefixes = PREFIXES if f.rdf_format in (RdfFormat.TURTLE, RdfFormat.TRIG) else None
    if f.dataset:
        quads = sorted(store, key=lambda q: (str(q.graph_name), str(q.subject),
                                             str(q.predicate), str(q.object)))
        serialize(quads, output, f.rdf_format, prefixes=prefixes)
        return len(quads)
    triples = union_triples(store)
    serialize(triples, output, f.rdf_format, prefixes=prefixes)
    return len(triples)
