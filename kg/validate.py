"""SHACL validation of the graph with pyshacl (the one place rdflib is used: pyshacl needs it).

The union of the report graphs is exported as N-Triples by pyoxigraph and parsed by rdflib,
then checked against ``ontology/shapes.ttl`` with the ontology as extra data (for
``rdfs:subClassOf`` inference of ``sh:class``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import RdfFormat, Store, serialize

ONTOLOGY_DIR = Path(__file__).resolve().parent.parent / "ontology"
SHAPES = ONTOLOGY_DIR / "shapes.ttl"
ONTOLOGY = ONTOLOGY_DIR / "gov-kg.ttl"


@dataclass(frozen=True)
class ValidationReport:
    conforms: bool
    violations: int
    text: str


def validate(store: Store, shapes: Path | None = None) -> ValidationReport:
    """Validate the store's graph; ``violations`` counts sh:ValidationResult nodes."""
    import pyshacl
    import rdflib

    from kg.export import union_triples

    data = rdflib.Graph()
    data.parse(data=serialize(union_triples(store), format=RdfFormat.N_TRIPLES) or b"",
               format="nt")
    shapes_graph = rdflib.Graph().parse(shapes or SHAPES, format="turtle")
    ont = rdflib.Graph().parse(ONTOLOGY, format="turtle")
    conforms, results, text = pyshacl.validate(
        data, shacl_graph=shapes_graph, ont_graph=ont, inference="none", abort_on_first=False,
        allow_warnings=True,
    )
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    n = len(set(results.subjects(rdflib.RDF.type, sh.ValidationResult)))
    summary = f"{len(data)} triples checked against {Path(shapes or SHAPES).name}: "
    summary += "conforms, 0 violations" if conforms else f"{n} violations"
    return ValidationReport(conforms, n, summary if conforms else f"{text}\n{summary}")
