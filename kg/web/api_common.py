"""What the explorer's API endpoints share (``kg.web.api``, ``kg.web.api_views``).

Running a SELECT through the endpoint's executor (``kg.web.runtime.execute``: the same time
limit, worker pool and result cache as ``/sparql``) into rows of Python values; JSON errors
(``{"error": …}`` with a status, and the executor's headers for a query stopped for time);
the request parameters; and a node's links through facts, which the node, neighbour,
provenance and view endpoints all read.

Links are read through facts, both directions: a city's reports mention an entity
(``gk:mentions``, facts = the mentions), a city's observations of an indicator
(``gk:indicator``, facts = the observations), a report's city (``gk:city``) and what it
mentions, and the places' hierarchy (``gk:partOf``, ``gk:province``, no facts). A fact's year
is its report's year.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any, NoReturn

from flask import abort, current_app, jsonify, request
from pyoxigraph import Literal, NamedNode, Variable

from kg.rdf import CLASS_SLUGS
from kg.vocab import PREFIXES, RESOURCE, XSD
from kg.web import runtime
from kg.web.jobs import Query

#: Classes a node may have, as the API names them (the local name of the ``gk:`` class).
CLASSES = ("City", "County", "Province", "Report", "Project", "Policy", "IndustryChain",
           "Indicator", "Year")
#: Rows an API query may return before it is cut (the API reshapes, it does not stream).
MAX_ROWS = 1_000_000

HEAD = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())
_TYPES = "VALUES (?type ?class) { " + " ".join(f'(gk:{c} "{c}")' for c in CLASSES) + " }"


# --- running SPARQL ----------------------------------------------------------------------


def fail(status: int, message: str, headers: dict[str, str] | None = None) -> NoReturn:
    response = jsonify(error=message)
    response.status_code = status
    response.headers.update(headers or {})
    abort(response)


def select(text: str, name: str, **bindings: Any) -> list[dict[str, Any]]:
    """The solutions of a SELECT as dicts of Python values (IRIs and strings as ``str``,
    integers, decimals as ``float``, booleans); a failed run aborts with its status."""
    return rows_of(answer(text, name, **bindings))


def answer(text: str, name: str, **bindings: Any) -> bytes:
    """The SPARQL JSON answer of a SELECT run by the executor (or its cache)."""
    subs = {Variable(k): v if isinstance(v, NamedNode | Literal) else Literal(v)
            for k, v in bindings.items()}
    job = Query(HEAD + text, name=f"API query {name!r}", substitutions=subs,
                solutions_format="JSON", max_rows=MAX_ROWS, base_iri=request.base_url)
    request.environ[runtime.OPERATION] = job.text
    status, _, body, headers = runtime.execute(
        runtime.executor(), runtime.cache(), job, float(current_app.config["QUERY_TIMEOUT"]))
    if status != 200:
        fail(status, body.decode("utf-8", "replace").strip(), headers)
    return body


@lru_cache(maxsize=64)
def rows_of(body: bytes) -> list[dict[str, Any]]:
    """Parsed once per answer: the result cache hands back the same ``bytes`` object, whose
    hash Python keeps, so a cached query costs no JSON parsing either (callers only read)."""
    return [{k: _python(v) for k, v in row.items()}
            for row in json.loads(body)["results"]["bindings"]]


def _python(term: dict[str, str]) -> Any:
    value, datatype = term["value"], term.get("datatype", "")
    if datatype == XSD.integer.value:
        return int(value)
    if datatype in (XSD.decimal.value, XSD.base + "double", XSD.base + "float"):
        return float(value)
    if datatype == XSD.base + "boolean":
        return value == "true"
    return value


def iri_arg(name: str = "iri", required: bool = True) -> NamedNode | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        if required:
            fail(400, f"parameter {name!r} is required: the IRI of a node")
        return None
    try:
        return NamedNode(raw)
    except ValueError as e:
        fail(400, f"parameter {name!r} is not an IRI: {e}")


def int_arg(name: str, default: int | None, low: int = 0, high: int = 10_000) -> int | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        fail(400, f"parameter {name!r} must be an integer, got {raw!r}")
    if not low <= value <= high:
        fail(400, f"parameter {name!r} must be between {low} and {high}, got {value}")
    return value


def class_arg(choices: tuple[str, ...] = CLASSES) -> str | None:
    raw = request.args.get("class", "").strip()
    if raw and raw not in choices:
        fail(400, f"parameter 'class' must be one of {', '.join(choices)} or empty, got {raw!r}")
    return raw or None


def years_arg() -> tuple[int, int]:
    return int_arg("from", 0, 0, 9999) or 0, int_arg("to", 9999, 0, 9999) or 9999


@lru_cache(maxsize=1024)
def short(iri: str) -> str:
    """``gk:projectType`` for the IRI of a known prefix, else the IRI.

    >>> short("https://w3id.org/gov-kg/ontology#projectType"), short("urn:x")
    ('gk:projectType', 'urn:x')
    """
    best = max((base for base in PREFIXES.values() if iri.startswith(base)), key=len, default="")
    if not best:
        return iri
    prefix = next(p for p, base in PREFIXES.items() if base == best)
    return f"{prefix}:{iri[len(best):]}"


_SLUG_CLASSES = {slug: name for name, slug in CLASS_SLUGS.items()} | {"report": "Report",
                                                                      "year": "Year"}


def class_of(iri: str) -> str | None:
    """The class an entity IRI was minted for (``gkr:<slug>/<key>``), else None.

    >>> class_of("https://w3id.org/gov-kg/id/industry-chain/新材料"), class_of("urn:x")
    ('IndustryChain', None)
    """
    if not iri.startswith(RESOURCE):
        return None
    return _SLUG_CLASSES.get(iri[len(RESOURCE):].partition("/")[0])


# --- links through facts ---------------------------------------------------------------

_NEIGHBOURS = """
SELECT ?x ?n (SAMPLE(?l) AS ?label) ?p ?dir ?year
       (GROUP_CONCAT(DISTINCT STR(?f); separator=" ") AS ?facts) WHERE {
  # the links first (a subquery keeps Oxigraph to that order), then the labels; the class
  # comes from the IRI: a join with ``?n a ?type`` reads every typed node (1 ms → 40 ms)
  { SELECT ?x ?n ?p ?dir ?year ?f WHERE {
  { GRAPH ?r { ?r gk:city ?x ; gk:reportYear ?year . ?f gk:inReport ?r ; gk:mentionOf ?n . }
     FILTER (?n != ?x) BIND (gk:mentions AS ?p) BIND ("out" AS ?dir) }
  UNION
  { GRAPH ?r { ?f gk:mentionOf ?x ; gk:inReport ?r . ?r gk:city ?n ; gk:reportYear ?year . }
     FILTER (?n != ?x) BIND (gk:mentions AS ?p) BIND ("in" AS ?dir) }
  UNION
  { GRAPH ?x { ?f gk:inReport ?x ; gk:mentionOf ?n . ?x gk:reportYear ?year . }
     BIND (gk:mentions AS ?p) BIND ("out" AS ?dir) }
  UNION
  { GRAPH ?r { ?f gk:refArea ?x ; gk:indicator ?n . ?r gk:reportYear ?year . }
     BIND (gk:indicator AS ?p) BIND ("out" AS ?dir) }
  UNION
  { GRAPH ?r { ?f gk:indicator ?x ; gk:refArea ?n . ?r gk:reportYear ?year . }
     BIND (gk:indicator AS ?p) BIND ("in" AS ?dir) }
  UNION
  { GRAPH ?x { ?x gk:city ?n ; gk:reportYear ?year } BIND (gk:city AS ?p) BIND ("out" AS ?dir) }
  UNION
  { GRAPH ?n { ?n gk:city ?x ; gk:reportYear ?year } BIND (gk:city AS ?p) BIND ("in" AS ?dir) }
  UNION
  { ?x ?p ?n . VALUES ?p { gk:partOf gk:province } BIND ("out" AS ?dir) }
  UNION
  { ?n ?p ?x . VALUES ?p { gk:partOf gk:province } BIND ("in" AS ?dir) }
  } }
  OPTIONAL { ?n rdfs:label ?l }
} GROUP BY ?x ?n ?p ?dir ?year
"""


def links_of(x: NamedNode, years: tuple[int, int] = (0, 9999)) -> list[dict[str, Any]]:
    """The edges of ``x`` with a fact (or, for the places' hierarchy, no year) in ``years``:
    ``{"node": {iri, label, class}, "edge": {source, target, predicate, label, years,
    facts}}``, most facts first, then by label."""
    edges: dict[tuple[str, str, str], dict[str, Any]] = {}
    for row in select(_NEIGHBOURS, "neighbours", x=x):
        year = row.get("year")
        if year is not None and not years[0] <= year <= years[1]:
            continue
        klass = class_of(row["n"])
        if klass is None:
            continue
        key = (row["n"], row["p"], row["dir"])
        if key not in edges:
            source, target = (x.value, row["n"]) if row["dir"] == "out" else (row["n"], x.value)
            edges[key] = {"node": {"iri": row["n"], "label": row.get("label", row["n"]),
                                   "class": klass},
                          "edge": {"source": source, "target": target, "predicate": row["p"],
                                   "label": short(row["p"]), "years": [], "facts": []}}
        edge = edges[key]["edge"]
        if year is not None:
            edge["years"].append(year)
        edge["facts"].extend(row.get("facts", "").split())
    for link in edges.values():
        link["edge"]["years"].sort()
        link["edge"]["facts"].sort()
    return list(edges.values())


def by_neighbour(links: list[dict[str, Any]]) -> list[tuple[dict, list[dict]]]:
    """(node, its edges) per neighbour, most facts first, then by label."""
    by_node: dict[str, tuple[dict, list[dict]]] = {}
    for link in links:
        by_node.setdefault(link["node"]["iri"], (link["node"], []))[1].append(link["edge"])
    return sorted(by_node.values(), key=lambda ne: (
        -sum(len(e["facts"]) for e in ne[1]), ne[0]["label"], ne[0]["iri"]))


def facts_of(x: NamedNode, years: tuple[int, int] = (0, 9999),
             other: NamedNode | None = None) -> dict[str, int]:
    """The facts of ``x``'s links (to ``other`` only, if given) from a report of ``years``:
    fact IRI → its report's year. The same rows as ``links_of``, read from the cache."""
    out: dict[str, int] = {}
    for row in select(_NEIGHBOURS, "neighbours", x=x):
        year = row.get("year")
        if (year is None or not years[0] <= year <= years[1] or class_of(row["n"]) is None
                or (other is not None and row["n"] != other.value)):
            continue
        out.update(dict.fromkeys(row.get("facts", "").split(), year))
    return out


_NODE = f"""
SELECT ?x ?class ?p ?o ?isIri ?olabel WHERE {{
  ?x a ?type . {_TYPES}
  OPTIONAL {{
    ?x ?p ?o . FILTER (?p NOT IN (rdf:type, gk:mentions))
    BIND (isIRI(?o) AS ?isIri)
    OPTIONAL {{ ?o rdfs:label ?olabel }}
  }}
}}
"""


def node_or_404(x: NamedNode) -> list[dict[str, Any]]:
    rows = select(_NODE, "node", x=x)
    if not rows:
        fail(404, f"no node <{x.value}> in the store (a city, county, province, report, "
                  "project, policy, industry chain, indicator or year)")
    return rows
