"""The Python API: :class:`Graph` opens a store and builds, queries, counts and exports it; the
``kg`` command calls the same methods.

Results are :class:`Table`\\ s: the columns in the query's order, rows of plain Python values
(``kg.store.to_python``: ``int`` for integers and years, ``Decimal`` for decimals, ``float``,
``bool``, ``str`` for strings and IRIs, ``None`` when unbound), and ``Table.frame()`` as a
pandas DataFrame typed column by column (``Table.frame`` says how).

>>> import kg
>>> from pathlib import Path
>>> PREFIXES = '''PREFIX gk: <https://w3id.org/gov-kg/ontology#>
... PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> '''
>>> corpus = Path(kg.__file__).resolve().parent.parent / "corpus"
>>> g = kg.Graph()                                  # in memory; kg.Graph(path) on disk
>>> [r.status for r in g.build(corpus / "002_733bae2f39fed286.txt")]
['built']
>>> g.run("reports").rows
({'report': 'https://w3id.org/gov-kg/id/report/331100-2024', 'city': '丽水市', 'reportYear': 2024, 'reviewYear': 2023},)
>>> label = "SELECT ?code ?label WHERE { ?city rdfs:label ?label ; gk:adcode ?code }"
>>> g.query(PREFIXES + label, {"code": "331100"}).rows
({'code': '331100', 'label': '丽水市'},)
>>> df = g.frame("observations")
>>> df[["year", "value"]].dtypes.to_dict()
{'year': Int64Dtype(), 'value': dtype('float64')}
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, TypeVar

from pyoxigraph import BlankNode, Literal, NamedNode, QueryBoolean, QuerySolutions, Store, Variable

from kg import export as exporter
from kg import queries
from kg import store as kgstore
from kg.errors import KGError, QueryError
from kg.outcomes import MAX_CHARS, BuildResult
from kg.vocab import ONTOLOGY, XSD

if TYPE_CHECKING:
    import pandas

T = TypeVar("T")
_XSD = XSD.base
#: Literal datatypes by the kind of column they make (the rest are ``string``).
_KINDS = {
    **{_XSD + t: "integer" for t in ("integer", "int", "long", "short", "byte",
                                     "nonNegativeInteger", "positiveInteger",
                                     "nonPositiveInteger", "negativeInteger", "unsignedInt",
                                     "unsignedLong", "unsignedShort", "gYear")},
    _XSD + "decimal": "decimal", _XSD + "double": "double", _XSD + "float": "double",
    _XSD + "boolean": "boolean", _XSD + "date": "date", _XSD + "dateTime": "date",
}
_NUMERIC = ("integer", "decimal", "double")


def _kind(term: Any) -> str:
    if isinstance(term, Literal):
        return _KINDS.get(term.datatype.value, "string")
    return "iri" if isinstance(term, NamedNode) else "bnode" if isinstance(term, BlankNode) \
        else "other"


def _join(a: str | None, b: str) -> str:
    """The kind of a column holding values of kinds ``a`` (so far) and ``b``."""
    if a is None or a == b:
        return b
    if a in _NUMERIC and b in _NUMERIC:
        return max(a, b, key=_NUMERIC.index)
    if {a, b} <= {"string", "iri"}:
        return "string"
    return "mixed"


@dataclass(frozen=True)
class Table:
    """The result of a SELECT (or ASK: one column ``ask``): columns, rows, and each column's
    kind (``integer``, ``decimal``, ``double``, ``boolean``, ``date``, ``string``, ``iri``,
    ``bnode``, ``mixed``; ``None`` when no row binds it)."""

    columns: tuple[str, ...]
    rows: tuple[dict[str, Any], ...]
    kinds: Mapping[str, str | None] = field(default_factory=dict)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def frame(self) -> pandas.DataFrame:
        """The rows as a DataFrame, a column's dtype by its kind: integers (and ``xsd:gYear``)
        ``Int64`` (nullable, so a year stays an int beside a missing one), decimals and
        doubles ``float64`` (``NaN`` when missing; ``rows`` keeps decimals exact, as
        ``Decimal``), booleans ``boolean``, dates ``datetime64``, strings and IRIs pandas'
        ``str``; a column of mixed kinds keeps its Python objects.

        >>> t = Table(("y", "v"), ({"y": 2024, "v": Decimal("6.5")}, {"y": None, "v": None}),
        ...           {"y": "integer", "v": "decimal"})
        >>> t.frame().dtypes.to_dict()
        {'y': Int64Dtype(), 'v': dtype('float64')}
        """
        import pandas as pd

        data = {}
        for c in self.columns:
            values = [r[c] for r in self.rows]
            kind = self.kinds.get(c)
            if kind == "integer":
                data[c] = pd.array(values, dtype="Int64")
            elif kind in ("decimal", "double"):
                data[c] = pd.array([float("nan") if v is None else float(v) for v in values],
                                   dtype="float64")
            elif kind == "boolean":
                data[c] = pd.array(values, dtype="boolean")
            elif kind == "date":
                data[c] = pd.to_datetime(pd.Series(values, dtype="object"), errors="coerce")
            elif kind in ("string", "iri", "bnode"):
                data[c] = pd.array(values, dtype="str")
            else:
                data[c] = pd.array(values, dtype="object")
        return pd.DataFrame(data, columns=list(self.columns))


def named_queries() -> dict[str, queries.NamedQuery]:
    """The named queries (``queries/*.rq``) by name, each with its description and
    parameters."""
    return queries.load_all()


class Graph:
    """A gov-kg store: ``Graph(path)`` on disk, ``Graph()`` in memory, ``Graph(store)`` around
    an open ``pyoxigraph.Store``.

    An on-disk store is opened for each call and let go after it, read-only under the
    store's shared lock (``kg.store.open_store``), so a ``Graph`` kept open in a notebook
    never holds up a ``kg build`` or ``kg serve`` of the same store; a store that does not
    exist yet is a ``StoreError`` until ``build`` creates it. Queries see the union of the
    report graphs as their default graph.
    """

    def __init__(self, path: str | Path | Store | None = None) -> None:
        self.path = None if path is None or isinstance(path, Store) else Path(path)
        self._memory = path if isinstance(path, Store) else Store() if path is None else None

    def __repr__(self) -> str:
        where = str(self.path) if self.path else "in memory"
        try:
            return f"Graph({where!r}, {len(self)} quads)"
        except KGError as e:  # not built yet, or busy: a repr does not raise
            return f"Graph({where!r}: {e})"

    def __len__(self) -> int:
        """The number of quads in the store (every graph)."""
        return self.read(len)

    @property
    def store(self) -> Store:
        """The pyoxigraph ``Store``: the in-memory one, or the on-disk one opened read-only
        (let go of it soon: a build waits while it is referenced)."""
        return self._memory if self._memory is not None else \
            kgstore.open_store(self.path, read_only=True)

    def read(self, read: Callable[[Store], T]) -> T:
        """``read(store)``, with the store opened for the call only."""
        return read(self.store)

    def build(self, *paths: str | Path, force: bool = False, replace: bool = False,
              jobs: int = 1, city: str | None = None, year: int | None = None,
              max_chars: int = MAX_CHARS, progress: bool = False) -> list[BuildResult]:
        """Build or update the store from report files or folders (default ``corpus/``), as
        ``kg build`` does (``kg.pipeline.build`` has the rules; an on-disk store is created
        if missing and written as the one writer, readers going on): one
        :class:`~kg.outcomes.BuildResult` per file, ``built``, ``unchanged``, ``skipped`` or
        ``error``."""
        from kg import pipeline  # the extractors load their lexicons and model on first use

        return pipeline.build([Path(p) for p in paths] or [Path("corpus")],
                              self._memory if self._memory is not None else self.path,
                              force=force, replace=replace, progress=progress, jobs=jobs,
                              city=city, year=year, max_chars=max_chars)

    def query(self, sparql: str, values: Mapping[str, Any] | None = None, *,
              name: str = "query") -> Table:
        """Run a SELECT or ASK query; ``values`` bind its variables by name (``{"city":
        "衢州市"}``: a string literal; ints, ``Decimal``\\ s, floats and bools as typed
        literals; pyoxigraph terms as they are), each a variable the query selects (Oxigraph's
        substitutions, as for the named queries' parameters). A bad query is a
        ``QueryError`` naming ``name`` (the query, or the file it came from)."""
        bindings = {Variable(k): _term(v) for k, v in (values or {}).items()}
        return self.read(lambda store: _table(store, sparql, bindings, name))

    def run(self, name: str, /, **params: Any) -> Table:
        """Run the named query ``name`` (``named_queries()``) with its parameters, each
        checked and typed as its header declares (a ``QueryError`` otherwise)."""
        q = queries.get(name)
        bindings = q.bindings({k: "" if v is None else str(v) for k, v in params.items()})
        return self.read(lambda store: _table(store, q.text, bindings, f"named query {name!r}"))

    def frame(self, name: str, /, **params: Any) -> pandas.DataFrame:
        """The named query ``name`` as a typed DataFrame (``Table.frame``)."""
        return self.run(name, **params).frame()

    def export(self, output: str | Path | IO[bytes], format: str = "turtle", *,
               graphs: bool | None = None) -> int:
        """Write the graph to a file or binary stream in ``format`` (``kg.formats.NAMES``:
        ``turtle``, ``trig``, ``nquads``, ``ntriples``, ``jsonld``, ``rdfxml``); TriG and
        N-Quads keep the named graphs, the others get their union, unless ``graphs`` says
        otherwise (``kg.export``). The number of quads or triples written."""
        exporter.keeps_graphs(exporter.export_format(format), graphs)  # no empty file on error
        if isinstance(output, str | Path):
            with Path(output).open("wb") as f:
                return self.read(lambda store: exporter.export(store, format, f, graphs=graphs))
        stream = output
        return self.read(lambda store: exporter.export(store, format, stream, graphs=graphs))

    def export_split(self, directory: str | Path, format: str = "turtle"
                     ) -> list[exporter.Part]:
        """One file per report (``衢州市-2024.ttl``), one per derived graph (``entities.ttl``,
        ``targets.ttl``) and ``void.ttl`` describing them, in ``directory``; the files
        written (``kg.export.export_split``)."""
        return self.read(lambda store: exporter.export_split(store, Path(directory), format))

    def stats(self) -> dict[str, int]:
        """Counts: ``reports``, ``quads`` (every graph: a triple stated by two graphs counts
        twice), ``distinct triples``, the instances of each class (``City`` …) and
        ``quads about <class>`` (the quads whose subject is an instance of it)."""
        return self.read(_stats)


def _table(store: Store, sparql: str, bindings: Mapping, name: str) -> Table:
    result = kgstore.query(store, sparql, bindings, name=name)
    if isinstance(result, QueryBoolean):
        return Table(("ask",), ({"ask": bool(result)},), {"ask": "boolean"})
    if not isinstance(result, QuerySolutions):
        raise QueryError(f"{name}: a CONSTRUCT/DESCRIBE query has no table; use `kg export`")
    columns = tuple(v.value for v in result.variables)
    kinds: dict[str, str | None] = dict.fromkeys(columns)
    rows = []
    for solution in result:
        row = {}
        for c in columns:
            term = solution[c]
            row[c] = kgstore.to_python(term)
            if term is not None:
                kinds[c] = _join(kinds[c], _kind(term))
        rows.append(row)
    return Table(columns, tuple(rows), kinds)


def _stats(store: Store) -> dict[str, int]:
    counts: dict[str, int] = {"reports": len(kgstore.report_graphs(store)), "quads": len(store)}
    n = _table(store, "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o "
                      "WHERE { GRAPH ?g { ?s ?p ?o } } }", {}, "stats").rows
    counts["distinct triples"] = n[0]["n"] if n else 0
    for row in _table(store, f"""
            SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE {{ GRAPH ?g {{ ?s a ?class }}
            FILTER(STRSTARTS(STR(?class), "{ONTOLOGY}")) }}
            GROUP BY ?class ORDER BY ?class""", {}, "stats"):
        counts[row["class"].removeprefix(ONTOLOGY)] = row["n"]
    for row in _table(store, f"""
            SELECT ?class (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s a ?class ; ?p ?o }}
            FILTER(STRSTARTS(STR(?class), "{ONTOLOGY}")) }}
            GROUP BY ?class ORDER BY ?class""", {}, "stats"):
        counts[f"quads about {row['class'].removeprefix(ONTOLOGY)}"] = row["n"]
    return counts


def _term(value: Any) -> Any:
    """A Python value as the RDF term a query binds."""
    if isinstance(value, NamedNode | Literal | BlankNode):
        return value
    if isinstance(value, bool):
        return Literal("true" if value else "false", datatype=NamedNode(_XSD + "boolean"))
    if isinstance(value, int):
        return Literal(str(value), datatype=XSD.integer)
    if isinstance(value, Decimal):
        return Literal(str(value), datatype=XSD.decimal)
    if isinstance(value, float):
        return Literal(repr(value), datatype=NamedNode(_XSD + "double"))
    return Literal(str(value))
