"""``kg export``: the graph in any of ``kg.formats.EXPORTS``, named as in ``kg.formats.NAMES``.

By default TriG and N-Quads keep one named graph per report (and the entities graph); Turtle,
N-Triples, RDF/XML and JSON-LD get the union of the graphs, each triple once. ``graphs=True``
keeps the graphs in JSON-LD too, ``graphs=False`` gives TriG and N-Quads the union.

Turtle and TriG are written by :mod:`kg.turtle` (prefixed names without escapes), JSON-LD here
with an ``@context`` of ``kg.vocab.PREFIXES`` (pyoxigraph writes neither); N-Triples, N-Quads
and RDF/XML by pyoxigraph. Every format reads back as the same triples or quads
(``tests/test_export.py``). ``export_split`` writes one file per report, the entities file and
a VoID description (:mod:`kg.void`).

>>> from pyoxigraph import Store
>>> import io
>>> export(Store(), "turtle", io.BytesIO())
0
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from pyoxigraph import (
    BlankNode,
    DefaultGraph,
    Literal,
    NamedNode,
    Quad,
    RdfFormat,
    Store,
    Triple,
    serialize,
)

from kg import turtle, void
from kg.errors import KGError
from kg.formats import EXPORTS, by_name, names
from kg.rdf import ENTITIES_GRAPH, unmint
from kg.store import report_graphs
from kg.vocab import GK, PREFIXES, RDF, RDFS, XSD

#: Dataset formats that keep the named graphs unless told otherwise (``graphs=False``).
GRAPHS_BY_DEFAULT = (RdfFormat.TRIG, RdfFormat.N_QUADS)
#: The ways ``kg export --split`` cuts the graph (one file per …).
SPLITS = ("report",)
VOID_FILE = "void.ttl"
#: Where the derived graphs (entities, targets) are named.
GRAPHS = ENTITIES_GRAPH.value.rpartition("/")[0] + "/"


def union_triples(store: Store) -> list[Triple]:
    """Every triple of the report graphs once, sorted (a deterministic, readable export)."""
    seen = {Triple(q.subject, q.predicate, q.object) for q in store}
    return sorted(seen, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))


def export_format(fmt: str) -> RdfFormat:
    """The export format a short name or media type names; a KGError listing them otherwise."""
    f = by_name(fmt, EXPORTS)
    if f is None:
        raise KGError(f"unknown export format {fmt!r}; choose one of {', '.join(names(EXPORTS))}")
    return f


def keeps_graphs(f: RdfFormat, graphs: bool | None) -> bool:
    """Whether an export in ``f`` keeps the named graphs (``graphs``: the caller's choice)."""
    if graphs is None:
        return f in GRAPHS_BY_DEFAULT
    if graphs and not f.supports_datasets:
        raise KGError(f"{f.name} holds one graph; keep the named graphs in "
                      f"{', '.join(g.name for g in EXPORTS if g.supports_datasets)}")
    return graphs


def export(store: Store, fmt: str, output: IO[bytes], *, graphs: bool | None = None) -> int:
    """Write the graph in format ``fmt`` to ``output``; the number of quads written (with the
    graphs kept) or of triples (the union)."""
    f = export_format(fmt)
    if keeps_graphs(f, graphs):
        quads = sorted(store, key=lambda q: (str(q.graph_name), str(q.subject),
                                             str(q.predicate), str(q.object)))
        return write(quads, f, output, PREFIXES)
    return write(union_triples(store), f, output, PREFIXES)


def write(statements: Sequence[Triple] | Sequence[Quad], f: RdfFormat, output: IO[bytes],
          prefixes: Mapping[str, str]) -> int:
    """Write triples (one graph) or quads (a dataset) in ``f``; their number."""
    quads = bool(statements) and isinstance(statements[0], Quad)
    if f == RdfFormat.TURTLE:
        return turtle.write_turtle(statements, output, prefixes)  # type: ignore[arg-type]
    if f == RdfFormat.TRIG:
        return turtle.write_trig(as_quads(statements), output, prefixes)
    if f == RdfFormat.JSON_LD:
        return write_jsonld(statements, output, prefixes)
    serialize(as_quads(statements) if f.supports_datasets and not quads else statements,
              output, f)
    return len(statements)


def as_quads(statements: Iterable[Triple | Quad]) -> list[Quad]:
    """Quads as they are, triples in the default graph."""
    return [s if isinstance(s, Quad) else Quad(s.subject, s.predicate, s.object, DefaultGraph())
            for s in statements]


# --- JSON-LD ---------------------------------------------------------------------------------

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


def _nodes(statements: Iterable[Triple | Quad], compact: _Compact) -> Iterable[dict]:
    """Node objects, one per subject of sorted ``statements``."""
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


def write_jsonld(statements: Sequence[Triple] | Sequence[Quad], output: IO[bytes],
                 prefixes: Mapping[str, str]) -> int:
    """JSON-LD 1.1 with an ``@context`` of ``prefixes``: triples as the default graph, quads
    as one ``{"@id": graph, "@graph": [...]}`` per named graph; their number.

    >>> import io
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
    key = lambda s: (str(getattr(s, "graph_name", "")), str(s.subject),  # noqa: E731
                     str(s.predicate), str(s.object))
    ordered = sorted(statements, key=key)

    def dump(value: object) -> bytes:
        return json.dumps(value, ensure_ascii=False).encode("utf-8")

    output.write(b'{"@context": ' + dump(dict(prefixes)) + b',\n "@graph": [\n')
    first = True
    for graph, group in _by_graph(ordered):
        if not first:
            output.write(b",\n")
        first = False
        if graph is None:
            output.write(b",\n".join(dump(n) for n in _nodes(group, compact)))
        else:
            output.write(b'{"@id": ' + dump(compact.node(graph)) + b', "@graph": [\n')
            output.write(b",\n".join(dump(n) for n in _nodes(group, compact)))
            output.write(b"\n]}")
    output.write(b"\n]}\n")
    return len(ordered)


def _by_graph(ordered: list) -> Iterable[tuple[NamedNode | BlankNode | None, list]]:
    """(graph name or None for the default graph, its statements), in order."""
    start = 0
    for i in range(1, len(ordered) + 1):
        g = _graph(ordered[start])
        if i == len(ordered) or _graph(ordered[i]) != g:
            yield g, ordered[start:i]
            start = i


def _graph(s: Triple | Quad) -> NamedNode | BlankNode | None:
    g = getattr(s, "graph_name", None)
    return None if g is None or isinstance(g, DefaultGraph) else g


# --- one file per report ---------------------------------------------------------------------

@dataclass(frozen=True)
class Part:
    """One file of a split export: the graph it holds and how many triples."""

    graph: NamedNode
    path: Path
    triples: int


_UNSAFE = re.compile(r'[\x00-\x1f/\\:*?"<>|]')


def file_stems(store: Store) -> dict[NamedNode, str]:
    """A file name (without suffix) for each named graph: the graphs under ``gkr:graph/`` by
    their name (``entities``, ``targets``), first; a report's ``<city>-<year>`` (衢州市-2024,
    the year its IRI names: the year the report plans), ``<city>-<adcode>-<year>`` where two
    cities share a name, its IRI's key when it has no city; another graph by its IRI's key."""
    city_of = {}
    for q in store.quads_for_pattern(None, GK.city, None, None):
        if q.subject == q.graph_name and isinstance(q.object, NamedNode):
            label = next(store.quads_for_pattern(q.object, RDFS.label, None, ENTITIES_GRAPH), None)
            city_of[q.subject] = label.object.value if label and isinstance(
                label.object, Literal) else None
    reports: dict[NamedNode, tuple[str, str, str]] = {}
    for g in report_graphs(store):
        code, _, year = unmint(g.value)[1].rpartition("-")
        reports[g] = (city_of.get(g) or "", code, year)
    codes_by_name: dict[str, set[str]] = {}
    for name, code, _ in reports.values():
        codes_by_name.setdefault(name, set()).add(code)
    out = {g: unmint(g.value)[1] for g in sorted(
        (g for g in store.named_graphs() if isinstance(g, NamedNode) and g not in reports),
        key=lambda g: (g != ENTITIES_GRAPH, not g.value.startswith(GRAPHS), g.value))}
    for g, (name, code, year) in reports.items():
        if not name or not code:
            out[g] = unmint(g.value)[1]
        elif len(codes_by_name[name]) > 1:
            out[g] = f"{name}-{code}-{year}"
        else:
            out[g] = f"{name}-{year}"
    return {g: _UNSAFE.sub("_", stem) or "graph" for g, stem in out.items()}


def report_prefixes(store: Store, graph: NamedNode) -> dict[str, str]:
    """``PREFIXES`` and, for a report graph, one prefix per kind of node minted under the
    report's IRI (``sentence:3`` for ``<report>/sentence/3``), so that they need no escape."""
    prefixes = dict(PREFIXES)
    base = graph.value + "/"
    for q in store.quads_for_pattern(None, RDF.type, None, graph):
        iri = q.subject.value if isinstance(q.subject, NamedNode) else ""
        kind = iri[len(base):].partition("/")[0] if iri.startswith(base) else ""
        if kind and kind not in prefixes and re.fullmatch(r"[A-Za-z][A-Za-z0-9-]*", kind):
            prefixes[kind] = f"{base}{kind}/"
    return prefixes


def export_split(store: Store, directory: Path, fmt: str = "turtle") -> list[Part]:
    """One file per named graph (``file_stems``: ``entities.ttl``, ``targets.ttl``,
    ``衢州市-2024.ttl`` …) and ``void.ttl`` describing them (:mod:`kg.void`), in ``directory``
    (created if needed); each file holds its graph's triples and loads on its own. The files
    written, the entities first."""
    f = export_format(fmt)
    directory = Path(directory)
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise KGError(f"cannot write to {directory}: {e}") from e
    stems = file_stems(store)
    parts = []
    for graph, stem in stems.items():
        triples = [Triple(q.subject, q.predicate, q.object)
                   for q in store.quads_for_pattern(None, None, None, graph)]
        path = directory / f"{stem}.{f.file_extension}"
        with path.open("wb") as out:
            n = write(triples, f, out, report_prefixes(store, graph))
        parts.append(Part(graph, path, n))
    with (directory / VOID_FILE).open("wb") as out:
        turtle.write_turtle(void.describe(store, {p.graph: p.path.name for p in parts}), out,
                            void.PREFIXES)
    return parts
