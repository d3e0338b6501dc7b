"""``kg export``: the graph in any of ``kg.formats.EXPORTS``, named as in ``kg.formats.NAMES``.

By default TriG and N-Quads keep one named graph per report and per derived graph (entities,
targets); Turtle, N-Triples, RDF/XML and JSON-LD get the union of the graphs, each triple
once. ``graphs=True`` keeps the graphs in JSON-LD too, ``graphs=False`` gives TriG and N-Quads
the union.

Turtle and TriG are written by :mod:`kg.turtle` (prefixed names without escapes), JSON-LD by
:mod:`kg.jsonld` with an ``@context`` of ``kg.vocab.PREFIXES`` (pyoxigraph writes neither);
N-Triples, N-Quads and RDF/XML by pyoxigraph. Statements stream subject by subject in natural
order (``triples``, ``quads``), so an export is deterministic and needs little memory. Every format reads back as the same triples or quads
(``tests/test_export.py``). ``export_split`` writes one file per report, the entities file and
a VoID description (:mod:`kg.void`).

>>> from pyoxigraph import Store
>>> import io
>>> export(Store(), "turtle", io.BytesIO())
0
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from pyoxigraph import (
    DefaultGraph,
    Literal,
    NamedNode,
    Quad,
    RdfFormat,
    Store,
    Triple,
    serialize,
)

from kg import jsonld, turtle, void
from kg.errors import KGError
from kg.formats import EXPORTS, by_name, names
from kg.rdf import ENTITIES_GRAPH, unmint
from kg.store import report_graphs
from kg.vocab import GK, PREFIXES, RDF, RDFS

#: Dataset formats that keep the named graphs unless told otherwise (``graphs=False``).
GRAPHS_BY_DEFAULT = (RdfFormat.TRIG, RdfFormat.N_QUADS)
#: The ways ``kg export --split`` cuts the graph (one file per …).
SPLITS = ("report",)
VOID_FILE = "void.ttl"
#: Where the derived graphs (entities, targets) are named.
GRAPHS = ENTITIES_GRAPH.value.rpartition("/")[0] + "/"


_TYPE = RDF.type


def _order(t: Triple | Quad) -> tuple:
    """A subject's statements: ``rdf:type`` first, then by predicate and object."""
    return t.predicate != _TYPE, t.predicate.value, str(t.object)


def _subjects(store: Store, graph: NamedNode | DefaultGraph | None) -> list:
    """The distinct subjects of ``graph`` (None: of every graph), in natural order."""
    if graph is None:
        result = store.query("SELECT DISTINCT ?s WHERE { { ?s ?p ?o } UNION "
                             "{ GRAPH ?g { ?s ?p ?o } } }")
    else:
        result = store.query("SELECT DISTINCT ?s WHERE { ?s ?p ?o }", default_graph=graph)
    return sorted((row[0] for row in result), key=turtle.natural)  # type: ignore[union-attr]


def triples(store: Store, graph: NamedNode | None = None) -> Iterator[Triple]:
    """The triples of ``graph``, or of every graph (their union, each triple once), one
    subject after the other in natural order (``sentence:9`` before ``sentence:10``), read
    subject by subject so that a large store is written without being held in memory."""
    for s in _subjects(store, graph):
        last = None
        for q in sorted(store.quads_for_pattern(s, None, None, graph), key=_order):
            if last is None or q.object != last.object or q.predicate != last.predicate:
                yield q.triple  # a triple stated in two graphs is written once
            last = q


def quads(store: Store) -> Iterator[Quad]:
    """Every quad, graph by graph (the default graph first, then by name), each graph in the
    order of ``triples``."""
    graphs: list = sorted(store.named_graphs(), key=turtle.natural)
    if next(store.quads_for_pattern(None, None, None, DefaultGraph()), None) is not None:
        graphs.insert(0, DefaultGraph())
    for g in graphs:
        for s in _subjects(store, g):
            yield from sorted(store.quads_for_pattern(s, None, None, g), key=_order)


def union_triples(store: Store) -> list[Triple]:
    """Every triple of the store's graphs once, in the order of ``triples``."""
    return list(triples(store))


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
        return write(quads(store), f, output, PREFIXES)
    return write(triples(store), f, output, PREFIXES)


def write(statements: Iterable[Triple] | Iterable[Quad], f: RdfFormat, output: IO[bytes],
          prefixes: Mapping[str, str]) -> int:
    """Write triples or quads in ``f``, in the order given (triples go to the default graph of
    a dataset format; quads to a triple format are a ``TypeError``); their number."""
    if f == RdfFormat.TURTLE:
        return turtle.write_turtle(statements, output, prefixes)
    if f == RdfFormat.TRIG:
        return turtle.write_trig(as_quads(statements), output, prefixes)
    if f == RdfFormat.JSON_LD:
        return jsonld.write_jsonld(statements, output, prefixes)
    written = 0

    def counted(items: Iterable) -> Iterator:
        nonlocal written
        for item in items:
            written += 1
            yield item

    serialize(counted(as_quads(statements) if f.supports_datasets else statements), output, f)
    return written


def as_quads(statements: Iterable[Triple | Quad]) -> Iterator[Quad]:
    """Quads as they are, triples in the default graph."""
    for s in statements:
        yield s if isinstance(s, Quad) else Quad(s.subject, s.predicate, s.object,
                                                 DefaultGraph())


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
        path = directory / f"{stem}.{f.file_extension}"
        with path.open("wb") as out:
            n = write(triples(store, graph), f, out, report_prefixes(store, graph))
        parts.append(Part(graph, path, n))
    with (directory / VOID_FILE).open("wb") as out:
        turtle.write_turtle(void.describe(store, {p.graph: p.path.name for p in parts}), out,
                            void.PREFIXES)
    return parts
