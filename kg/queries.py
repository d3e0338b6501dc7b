"""Named SPARQL queries: ``queries/*.rq`` by name, with their description and parameters.

Each file starts with a comment header::

    # description: One row per report: its city and the years it covers.
    # param: city (string, optional): the city's full Chinese name, e.g. 衢州市

Parameters are bound with Oxigraph's ``substitutions`` (SEP-0007), never pasted into the query
text, so a value cannot change the query. Types: ``string``, ``integer``, ``decimal``, ``iri``.
A required parameter that is missing, or a value of the wrong type, is a ``QueryError``.

>>> q = NamedQuery.parse("demo", "# description: Demo.\\n# param: year (integer, required): a year\\nSELECT ?year {}")
>>> q.params[0].name, q.params[0].type, q.params[0].required
('year', 'integer', True)
>>> q.bindings({"year": "2024"})
{<Variable value=year>: <Literal value=2024 datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#integer>>}
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from pyoxigraph import Literal, NamedNode, Variable

from kg.errors import QueryError

#: Where the named queries live: ``queries/`` at the project root.
QUERY_DIR = Path(__file__).resolve().parent.parent / "queries"

_PARAM = re.compile(
    r"#\s*param:\s*(?P<name>\w+)\s*\((?P<type>string|integer|decimal|iri)"
    r"(?:\s*,\s*(?P<req>required|optional))?\)\s*:?\s*(?P<doc>.*)"
)
_XSD = "http://www.w3.org/2001/XMLSchema#"


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    required: bool
    description: str

    def term(self, raw: str, query: str) -> Literal | NamedNode:
        """The RDF term for a raw string value; a bad value is a QueryError."""
        try:
            if self.type == "integer":
                return Literal(str(int(raw)), datatype=NamedNode(_XSD + "integer"))
            if self.type == "decimal":
                return Literal(str(Decimal(raw)), datatype=NamedNode(_XSD + "decimal"))
            if self.type == "iri":
                return NamedNode(raw)
        except (ValueError, InvalidOperation) as e:
            raise QueryError(
                f"query {query!r}: parameter {self.name!r} must be {self.type}, got {raw!r}"
            ) from e
        return Literal(raw)


@dataclass(frozen=True)
class NamedQuery:
    name: str
    description: str
    params: tuple[Param, ...]
    text: str

    @classmethod
    def parse(cls, name: str, text: str) -> NamedQuery:
        description, params = [], []
        for line in text.splitlines():
            line = line.strip()
            if not line.startswith("#"):
                if line:
                    break
                continue
            if m := _PARAM.match(line):
                params.append(
                    Param(m["name"], m["type"], m["req"] == "required", m["doc"].strip())
                )
            elif m := re.match(r"#\s*description:\s*(.*)", line):
                description.append(m[1].strip())
            elif description and not re.match(r"#\s*\w+:", line):
                description.append(line.lstrip("#").strip())  # continued description
        return cls(name, " ".join(d for d in description if d), tuple(params), text)

    def bindings(self, values: dict[str, str] | None = None) -> dict[Variable, Literal | NamedNode]:
        """Substitutions for ``Store.query`` from raw string values."""
        values = dict(values or {})
        known = {p.name: p for p in self.params}
        unknown = sorted(set(values) - set(known))
        if unknown:
            raise QueryError(
                f"query {self.name!r} has no parameter {', '.join(unknown)}; "
                f"its parameters: {', '.join(known) or 'none'}"
            )
        out: dict[Variable, Literal | NamedNode] = {}
        for p in self.params:
            if p.name in values and values[p.name] != "":
                out[Variable(p.name)] = p.term(values[p.name], self.name)
            elif p.required:
                raise QueryError(
                    f"query {self.name!r} needs parameter {p.name!r} ({p.type}): {p.description}"
                )
        return out

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "description": self.description,
            "parameters": [
                {"name": p.name, "type": p.type, "required": p.required,
                 "description": p.description}
                for p in self.params
            ],
        }


def load_all(directory: Path | None = None) -> dict[str, NamedQuery]:
    """All named queries in ``directory`` (default ``queries/``), by file stem."""
    directory = Path(directory or QUERY_DIR)
    return {
        p.stem: NamedQuery.parse(p.stem, p.read_text(encoding="utf-8"))
        for p in sorted(directory.glob("*.rq"))
    }


def get(name: str, directory: Path | None = None) -> NamedQuery:
    """One named query; an unknown name is a QueryError listing the known ones."""
    queries = load_all(directory)
    if name not in queries:
        raise QueryError(
            f"no named query {name!r} in {directory or QUERY_DIR}; "
            f"known: {', '.join(queries) or 'none'}"
        )
    return queries[name]
