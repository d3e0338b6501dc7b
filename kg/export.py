"""``kg export``: the graph in any of ``kg.formats.EXPORTS``, named as in ``kg.formats.NAMES``.

Triple formats (Turtle, N-Triples, RDF/XML) get the union of the report graphs, each triple
once; dataset formats (TriG, N-Quads, JSON-LD) keep one named graph per report.

>>> from pyoxigraph import Store
>>> import io
>>> export(Store(), "turtle", io.BytesIO())
0
"""

from __future__ import annotations

from typing import IO

from pyoxigraph import RdfFormat, Store, Triple, serialize

from kg.errors import KGError
from kg.formats import EXPORTS, by_name, names
from kg.vocab import PREFIXES


def union_triples(store: Store) -> list[Triple]:
    """Every triple of the report graphs once, sorted (a deterministic, readable export)."""
    seen = {Triple(q.subject, q.predicate, q.object) for q in store}
    return sorted(seen, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))


def export(store: Store, fmt: str, output: IO[bytes]) -> int:
    """Write the graph in format ``fmt`` to ``output``; returns the number of triples/quads."""
    f = by_name(fmt, EXPORTS)
    if f is None:
        raise KGError(f"unknown export format {fmt!r}; choose one of {', '.join(names(EXPORTS))}")
    prefixes = PREFIXES if f in (RdfFormat.TURTLE, RdfFormat.TRIG) else None
    if f.supports_datasets:
        quads = sorted(store, key=lambda q: (str(q.graph_name), str(q.subject),
                                             str(q.predicate), str(q.object)))
        serialize(quads, output, f, prefixes=prefixes)
        return len(quads)
    triples = union_triples(store)
    serialize(triples, output, f, prefixes=prefixes)
    return len(triples)
