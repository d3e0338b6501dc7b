"""The Oxigraph store: open, replace a report's named graph in one transaction, query.

Functions take a ``pyoxigraph.Store`` or a path (``None`` = in memory), like pyoxigraph's own
``Store(path=None)``. Queries see the union of the report graphs as their default graph.

>>> store = open_store(None)
>>> g = NamedNode("https://w3id.org/gov-kg/id/report/x")
>>> q = Quad(g, NamedNode("http://example.org/p"), Literal("1"), g)
>>> replace_graph(store, g, [q]); replace_graph(store, g, [q])
>>> replace_graph(store, g, graph_bytes([q]))
>>> len(store)
1
>>> select(store, "SELECT ?o WHERE { ?s ?p ?o }")
[{'o': '1'}]
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from pyoxigraph import (
    BlankNode,
    Literal,
    NamedNode,
    Quad,
    QueryBoolean,
    QuerySolutions,
    RdfFormat,
    Store,
    Triple,
    Variable,
    serialize,
)

from kg import lock
from kg.errors import QueryError, StoreError

DEFAULT_STORE = Path("output/store")
_XSD = "http://www.w3.org/2001/XMLSchema#"
_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_INTEGERS = {_XSD + t for t in ("integer", "int", "long", "short", "nonNegativeInteger",
                                 "positiveInteger", "gYear")}


def open_store(path: str | Path | None | Store = DEFAULT_STORE, *, read_only: bool = False) -> Store:
    """Open (creating if needed) the on-disk store at ``path``; ``None`` gives an in-memory one.

    ``read_only``: for a command that reads the store while others may write it (``kg query``,
    ``kg export`` …): the handle is opened and kept under a shared hold of the store's lock
    (:func:`kg.lock.hold_while_open`), so no writer changes the store while it is referenced.
    Otherwise the handle is a plain read-write one, for a store nobody else reads at the same
    time; to write one that is served, use :func:`writing`.

    Raises ``StoreError`` naming the path when it cannot be opened, for example while
    ``kg build`` writes it (``kg.lock.Busy``: after ``kg.lock.READ_WAIT`` seconds).
    """
    if isinstance(path, Store):
        return path
    if path is None:
        return Store()
    path = Path(path)
    try:
        if read_only:
            if not path.exists():
                raise StoreError(f"store {path} does not exist: run `kg build` first")
            return lock.hold_while_open(path)
        path.mkdir(parents=True, exist_ok=True)
        return Store(str(path))
    except OSError as e:
        raise StoreError(f"cannot open store {path}: {e}") from e


def writing(path: str | Path | None | Store = DEFAULT_STORE, **options) -> lock.Writing:
    """The store's one writer (:class:`kg.lock.Writing`; ``options`` go there):
    ``with writing(path) as w, w.store() as store: replace_graph(store, …)``, each block one
    exclusive turn while readers (``kg serve``'s workers, ``kg query``) wait. A ``Store`` (or
    ``None``, a new in-memory one) is written as it is, without locks.

    >>> with writing(None) as w, w.store() as store:
    ...     store.update("INSERT DATA { <http://e.org/s> <http://e.org/p> 1 }")
    """
    return lock.Writing(Store() if path is None else path, **options)


def graph_bytes(quads: Iterable[Quad]) -> bytes:
    """The triples of ``quads`` as N-Triples: how a build's workers hand a report's graph to
    the writer (serialised and parsed by Oxigraph in Rust: a report of 3,434 quads passes in
    under 10 ms, where pickling the ``Quad`` objects took 61 ms, #12)."""
    return serialize((Triple(q.subject, q.predicate, q.object) for q in quads),
                     format=RdfFormat.N_TRIPLES) or b""


def replace_graph(store: Store, graph: NamedNode, quads: Iterable[Quad] | bytes) -> None:
    """Replace the named graph ``graph`` by ``quads`` (or N-Triples bytes of its triples,
    :func:`graph_bytes`) in one transaction.

    The quads are written as one SPARQL Update (``DROP SILENT GRAPH`` + ``INSERT DATA``):
    Oxigraph evaluates all of an update's operations in one transaction and commits it as one
    RocksDB write batch, a single write-ahead-log record that recovery replays whole or not at
    all. So a crash (SIGKILL included: ``tests/test_crash_safety.py``) leaves the old graph or
    the new one, never half. The log is not synced at each commit: a power cut may lose the
    last reports written, but still never half of one.

    A graph that holds nothing yet is written by ``Store.extend``, also one transaction, with
    nothing to drop: it takes less than half the memory of the update (the entities graph of
    300 reports, 119,735 quads: 189 MiB instead of 423 MiB, #12).
    """
    if next(store.quads_for_pattern(None, None, None, graph), None) is None:
        try:
            if isinstance(quads, bytes):  # Store.load is one transaction too
                store.load(quads, format=RdfFormat.N_TRIPLES, to_graph=graph)
            else:
                store.extend(Quad(q.subject, q.predicate, q.object, graph) for q in quads)
        except (OSError, SyntaxError) as e:
            raise StoreError(f"cannot write graph <{graph.value}>: {e}") from e
        return
    triples = (quads if isinstance(quads, bytes) else graph_bytes(quads)).decode("utf-8")
    update = f"DROP SILENT GRAPH <{graph.value}> ;\nINSERT DATA {{ GRAPH <{graph.value}> {{\n{triples}\n}} }}"
    try:
        store.update(update)
    except (OSError, SyntaxError) as e:
        raise StoreError(f"cannot write graph <{graph.value}>: {e}") from e


def remove_graph(store: Store, graph: NamedNode) -> None:
    store.update(f"DROP SILENT GRAPH <{graph.value}>")


def graph_value(store: Store, graph: NamedNode, predicate: NamedNode) -> str | None:
    """The first object of ``predicate`` in ``graph`` (e.g. a report's content hash)."""
    for quad in store.quads_for_pattern(None, predicate, None, graph):
        obj = quad.object
        return str(obj) if isinstance(obj, Triple) else obj.value
    return None


def query(store: Store, sparql: str, bindings: Mapping[Variable, Any] | None = None,
          *, name: str = "query"):
    """Run a SPARQL query over the union of the report graphs; errors name the query."""
    try:
        return store.query(sparql, use_default_graph_as_union=True,
                           substitutions=dict(bindings or {}))
    except (SyntaxError, RuntimeError) as e:  # RuntimeError: e.g. a substituted variable
        raise QueryError(f"{name}: {e}") from e  # that the query does not project


def to_python(term: Any) -> Any:
    """A result term as a plain Python value: int/Decimal/float/bool for numeric and boolean
    literals, the lexical form for other literals, the IRI string for named nodes."""
    if term is None:
        return None
    if isinstance(term, Literal):
        dt = term.datatype.value
        try:
            if dt in _INTEGERS:
                return int(term.value)
            if dt == _XSD + "decimal":
                return Decimal(term.value)
            if dt in (_XSD + "double", _XSD + "float"):
                return float(term.value)
            if dt == _XSD + "boolean":
                return term.value in ("true", "1")
        except ValueError:
            return term.value
        return term.value
    if isinstance(term, NamedNode | BlankNode):
        return term.value
    return str(term)


def select(store: Store, sparql: str, bindings: Mapping[Variable, Any] | None = None,
           *, name: str = "query") -> list[dict[str, Any]]:
    """Rows of a SELECT query as dicts of plain Python values (see ``to_python``)."""
    result = query(store, sparql, bindings, name=name)
    if not isinstance(result, QuerySolutions):
        raise QueryError(f"{name}: not a SELECT query")
    names = [v.value for v in result.variables]
    return [{n: to_python(sol[n]) for n in names} for sol in result]


def select_with_columns(store: Store, sparql: str, bindings=None, *, name: str = "query"
                        ) -> tuple[list[str], list[dict[str, Any]]]:
    """Like ``select`` but also returns the projected column names in order."""
    result = query(store, sparql, bindings, name=name)
    if isinstance(result, QueryBoolean):
        return ["ask"], [{"ask": bool(result)}]
    if not isinstance(result, QuerySolutions):
        raise QueryError(f"{name}: a CONSTRUCT/DESCRIBE query has no table; use `kg export`")
    names = [v.value for v in result.variables]
    return names, [{n: to_python(sol[n]) for n in names} for sol in result]


def report_graphs(store: Store) -> list[NamedNode]:
    """The named graphs that hold a ``gk:Report`` (not the entities graph), sorted."""
    report = NamedNode("https://w3id.org/gov-kg/ontology#Report")
    return sorted((g for g in store.named_graphs() if isinstance(g, NamedNode)
                   and next(store.quads_for_pattern(g, _TYPE, report, g), None) is not None),
                  key=lambda g: g.value)
