"""JSON-LD 1.1 with an ``@context``: compact names under ``kg.vocab.PREFIXES``, one node
object per subject (pyoxigraph's JSON-LD serializer writes full IRIs and no context).

Triples are the default graph; quads are one ``{"@id": graph, "@graph": [...]}`` per named
graph. A string literal is a JSON string, other literals ``{"@value", "@type"}`` or
``{"@value", "@language"}`` with their lexical form, so the output reads back (pyoxigraph,
rdflib) as the same statements.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from itertools import groupby
from typing import IO

from pyoxigraph import BlankNode, DefaultGraph, Literal, NamedNode, Quad, Triple

from kg.vocab import RDF, XSD

_CACHE = 100_000  # IRIs remembered as compacted


class _Compact:
    """IRIs as JSON-LD compact IRIs (``gk:Report``) under the ``@context``'s prefixes."""

    def __init__(self, prefixes: Mapping[str, str]) -> None:
        self.prefixes = sorted(prefixes.items(), key=lambda kv: -len(kv[1]))
        self.cache: dict[str, str] = {}

    def iri(self, iri: str) -> str:
        text = self.cache.get(iri)
        if text is None:  # a suffix starting "//" would read as an absolute IRI
            text = next((f"{p}:{iri[len(ns):]}" for p, ns in self.prefixes
                         if iri.startswith(ns) and not iri[len(ns):].startswith("//")), iri)
            if len(self.cache) > _CACHE:  # bounded: a large store has millions of IRIs
                self.cache.clear()
            self.cache[iri] = text
        return text

    def node(self, term) -> str:
        return f"_:{term.value}" if isinstance(term, BlankNode) else self.iri(term.value)

    def value(self, term) -> object:
        if not isinstance(term, Literal):
            return {"@id": self.node(term)}
        if term.language:
            return {"@value": term.value, "@language": term.language}
        if term.datatype == XSD.string:
            return term.value
        return {"@value": term.value, "@type": self.iri(term.datatype.value)}


def _nodes(statements: Iterable[Triple | Quad], compact: _Compact) -> Iterator[dict]:
    """Node objects, one per run of statements about one subject."""
    node: dict = {}
    subject = None
    for s in statements:
        if s.subject != subject:
            if node:
                yield node
            subject, node = s.subject, {"@id": compact.node(s.subject)}
        if s.predicate == RDF.type and not isinstance(s.object, Literal):
            node.setdefault("@type", []).append(compact.node(s.object))
        else:
            node.setdefault(compact.iri(s.predicate.value), []).append(compact.value(s.object))
    if node:
        yield node


def write_jsonld(statements: Iterable[Triple] | Iterable[Quad], output: IO[bytes],
                 prefixes: Mapping[str, str]) -> int:
    """JSON-LD 1.1 with an ``@context`` of ``prefixes``: triples as the default graph, quads
    as one ``{"@id": graph, "@graph": [...]}`` per named graph; their number.

    >>> import io
    >>> from kg.vocab import RDFS
    >>> s = NamedNode("https://w3id.org/gov-kg/id/city/330800")
    >>> out = io.BytesIO()
    >>> write_jsonld([Triple(s, RDFS.label, Literal("衢州市"))], out, {"city": s.value[:-6],
    ...              "rdfs": RDFS.base})
    1
    >>> print(out.getvalue().decode())
    {"@context": {"city": "https://w3id.org/gov-kg/id/city/", "rdfs": "http://www.w3.org/2000/01/rdf-schema#"},
     "@graph": [
    {"@id": "city:330800", "rdfs:label": ["衢州市"]}
    ]}
    """
    compact = _Compact(prefixes)
    written = 0

    def dump(value: object) -> bytes:
        return json.dumps(value, ensure_ascii=False).encode("utf-8")

    def counted(items: Iterable) -> Iterator:
        nonlocal written
        for item in items:
            written += 1
            yield item

    output.write(b'{"@context": ' + dump(dict(prefixes)) + b',\n "@graph": [\n')
    for i, (graph, group) in enumerate(groupby(counted(statements), key=_graph)):
        nodes = b",\n".join(dump(n) for n in _nodes(group, compact))
        if graph is not None:
            nodes = b'{"@id": ' + dump(compact.node(graph)) + b', "@graph": [\n' + nodes + \
                b"\n]}"
        output.write(b",\n" + nodes if i else nodes)
    output.write(b"\n]}\n")
    return written


def _graph(s: Triple | Quad) -> NamedNode | BlankNode | None:
    g = getattr(s, "graph_name", None)
    return None if g is None or isinstance(g, DefaultGraph) else g
