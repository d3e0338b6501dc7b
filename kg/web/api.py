"""``/api/…``: the JSON API behind the explorer (#11): the entity endpoints (search, node,
neighbours, provenance, series, vocabulary); the views are ``kg.web.api_views``, what both
share (running SPARQL, JSON errors, parameters, a node's links) ``kg.web.api_common``.

Every call is SPARQL run by the endpoint's executor (``kg.web.runtime.execute``: the same time
limit, worker pool and result cache as ``/sparql``); user input reaches a query only as a
``substitutions`` value, never as query text. A query stopped for time is a JSON
``{"error": …}`` with the executor's status (503). The queries do not depend on ``limit``,
``offset``, ``class`` or the year range, which are applied here, so paging or moving the year
slider is answered from the cache. Shapes: README, "Explorer API".
"""

from __future__ import annotations

from collections import defaultdict
from functools import cache, lru_cache
from typing import Any

from flask import Blueprint, Response, jsonify, request
from pyoxigraph import NamedNode, QuerySolutions, Store

from kg import gazetteer
from kg.validate import ONTOLOGY
from kg.vocab import ONTOLOGY as GK
from kg.vocab import PREFIXES
from kg.web.api_common import (
    HEAD,
    answer,
    by_neighbour,
    class_arg,
    class_of,
    facts_of,
    fail,
    int_arg,
    iri_arg,
    links_of,
    node_or_404,
    rows_of,
    select,
    short,
    years_arg,
)

bp = Blueprint("api", __name__, url_prefix="/api")

#: What the search box scopes by.
SEARCHABLE = ("City", "County", "Project", "Policy", "IndustryChain", "Indicator")
#: A legend suggestion per class (colour-blind-safe Okabe–Ito colours, Cytoscape shapes).
STYLE = {
    "City": ("#0072B2", "round-rectangle"), "County": ("#56B4E9", "ellipse"),
    "Province": ("#999999", "hexagon"), "Report": ("#000000", "rectangle"),
    "Project": ("#E69F00", "diamond"), "Policy": ("#D55E00", "triangle"),
    "IndustryChain": ("#009E73", "pentagon"), "Indicator": ("#CC79A7", "star"),
    "Year": ("#F0E442", "tag"),
}


# --- search ------------------------------------------------------------------------------

#: Labels and aliases containing ?q, with the node's label. The class comes from the IRI
#: (``kg.rdf.mint``): joining ``?e a ?type`` here makes Oxigraph read every node (90 ms →
#: 1.5 s at 200 reports).
_SEARCH = """
SELECT ?q ?e ?m ?l WHERE {
  { ?e rdfs:label ?m BIND (?m AS ?l) } UNION { ?e skos:altLabel ?m . ?e rdfs:label ?l }
  FILTER (CONTAINS(LCASE(STR(?m)), LCASE(STR(?q))))
}
"""


#: reports mentioning, of, or observing each node: one query per store version, not per search
_REPORT_COUNTS = """
SELECT ?e (COUNT(DISTINCT ?r) AS ?n) WHERE {
  { GRAPH ?r { ?r gk:mentions ?e } } UNION { GRAPH ?r { ?r gk:city ?e } }
  UNION { GRAPH ?r { ?o gk:indicator ?e } }
} GROUP BY ?e
"""


def _report_counts() -> dict[str, int]:
    return _counts(answer(_REPORT_COUNTS, "report counts"))


@lru_cache(maxsize=4)
def _counts(body: bytes) -> dict[str, int]:
    return {r["e"]: r["n"] for r in rows_of(body)}


@bp.get("/search")
def search() -> Response:
    q = request.args.get("q", "").strip()
    if not q:
        fail(400, "parameter 'q' is required: the text to search labels and aliases for")
    if len(q) > 200:
        fail(400, "parameter 'q' is longer than 200 characters")
    scope, limit = class_arg(SEARCHABLE), int_arg("limit", 20, 1, 1000)
    matches: dict[str, tuple[str, str, list[str]]] = {}
    for row in select(_SEARCH, "search", q=q):
        klass = class_of(row["e"])
        if klass is None or (klass != scope if scope else klass not in SEARCHABLE):
            continue
        matches.setdefault(row["e"], (klass, row["l"], []))[2].append(row["m"])
    reports, results = _report_counts(), list[dict[str, Any]]()
    for iri, (klass, label, names) in matches.items():
        names.sort(key=lambda m: (not m.lower().startswith(q.lower()), m != label, len(m)))
        results.append({"iri": iri, "label": label, "class": klass, "matched": names[0],
                        "reports": reports.get(iri, 0)})
    results.sort(key=lambda r: (not r["matched"].lower().startswith(q.lower()),
                                -r["reports"], len(r["label"]), r["label"]))
    return jsonify(results=results[:limit])


# --- neighbours --------------------------------------------------------------------------


@bp.get("/neighbours")
def neighbours() -> Response:
    x = iri_arg()
    scope = class_arg()
    limit, offset = int_arg("limit", 25, 1, 1000), int_arg("offset", 0, 0, 10**6)
    assert x is not None and limit is not None and offset is not None
    node_or_404(x)
    grouped = [(n, es) for n, es in by_neighbour(links_of(x, years_arg()))
               if scope is None or n["class"] == scope]
    page = grouped[offset:offset + limit]
    return jsonify(nodes=[n for n, _ in page], edges=[e for _, es in page for e in es],
                   total=len(grouped), more=offset + limit < len(grouped))


# --- node --------------------------------------------------------------------------------

_REPORTS = """
SELECT ?x (COUNT(DISTINCT ?r) AS ?n) WHERE {
  { GRAPH ?r { ?r gk:mentions ?x } } UNION { GRAPH ?r { ?r gk:city ?x } }
  UNION { GRAPH ?r { ?o gk:indicator ?x } } UNION { GRAPH ?x { ?x a gk:Report } BIND (?x AS ?r) }
} GROUP BY ?x
"""


def _reports(x: NamedNode) -> int:
    rows = select(_REPORTS, "reports", x=x)
    return rows[0]["n"] if rows else 0


@bp.get("/node")
def node() -> Response:
    x = iri_arg()
    assert x is not None
    rows = node_or_404(x)
    label, aliases, properties, seen = None, [], [], set()
    for row in rows:
        p, o = row.get("p"), row.get("o")
        if p is None or (p, o) in seen:
            continue
        seen.add((p, o))
        if p == PREFIXES["rdfs"] + "label" and label is None:
            label = o
        elif p == PREFIXES["skos"] + "altLabel":
            aliases.append(o)
        else:
            properties.append({"predicate": p, "label": short(p), "value": row.get("olabel", o),
                               "iri": o if row.get("isIri") else None})
    klass = rows[0]["class"]
    grouped = by_neighbour(links_of(x))
    counts: dict[str, int] = defaultdict(int)
    for n, _ in grouped:
        counts[n["class"]] += 1
    body: dict[str, Any] = {"iri": x.value, "label": label or x.value, "class": klass,
                            "aliases": sorted(aliases), "properties": properties,
                            "neighbours": dict(counts), "reports": _reports(x)}
    if klass == "City":
        body.update(_city_extras(x, properties, grouped))
    return jsonify(body)


def _city_extras(x: NamedNode, properties: list[dict], grouped) -> dict[str, Any]:
    places = {(n["iri"], e["predicate"]): n for n, es in grouped for e in es}
    counties = sorted(({"iri": n["iri"], "label": n["label"]} for (i, p), n in places.items()
                       if p == GK + "partOf" and n["class"] == "County"),
                      key=lambda c: c["iri"])
    province = next(({"iri": n["iri"], "label": n["label"]} for (i, p), n in places.items()
                     if p == GK + "province"), None)
    adcode = next((p["value"] for p in properties if p["predicate"] == GK + "adcode"), None)
    lonlat = gazetteer.coordinates(str(adcode)) if adcode else None
    return {"counties": counties, "province": province,
            "coordinates": {"lon": lonlat[0], "lat": lonlat[1]} if lonlat else None}


# --- provenance --------------------------------------------------------------------------

_FACT_DETAILS = """
    ?f gk:inSentence ?s ; gk:surface ?surface .
    ?s gk:text ?sentence ; gk:startOffset ?ss . OPTIONAL { ?s gk:section ?section }
    ?report gk:city ?city ; gk:reportYear ?year . OPTIONAL { ?report rdfs:label ?reportLabel }
"""
#: one mention or observation, ?f, with its sentence and report
_FACT = f"""
SELECT ?f ?kind ?e ?report ?reportLabel ?city ?cityLabel ?year ?section ?sentence ?ss ?fs ?fe
       ?surface ?value ?unit ?measure ?okind ?qualifier WHERE {{
  {{ GRAPH ?report {{
      ?f a gk:Mention ; gk:mentionOf ?e ; gk:startOffset ?fs ; gk:endOffset ?fe . {_FACT_DETAILS}
    }} BIND ("mention" AS ?kind) }}
  UNION
  {{ GRAPH ?report {{
      ?f a gk:Observation ; gk:indicator ?e ; gk:value ?value . {_FACT_DETAILS}
      OPTIONAL {{ ?f gk:unit ?unit }} OPTIONAL {{ ?f gk:measure ?measure }}
      OPTIONAL {{ ?f gk:kind ?okind }} OPTIONAL {{ ?f gk:qualifier ?qualifier }}
    }} BIND ("observation" AS ?kind) }}
  OPTIONAL {{ ?city rdfs:label ?cityLabel }}
}}
"""


def _fact(row: dict[str, Any]) -> dict[str, Any]:
    sentence, surface = row["sentence"], row["surface"]
    start = end = None
    if row["kind"] == "mention":
        start, end = row["fs"] - row["ss"], row["fe"] - row["ss"]
        if sentence[start:end] != surface:  # offsets into normalised text: fall back
            start = end = None
    if start is None and surface in sentence:
        start = sentence.index(surface)
        end = start + len(surface)
    fact = {"fact": row["f"], "kind": row["kind"], "entity": row["e"],
            "report": row["report"], "reportLabel": row.get("reportLabel"),
            "city": row["city"], "cityLabel": row.get("cityLabel"), "year": row["year"],
            "section": row.get("section"), "sentence": sentence, "start": start, "end": end,
            "surface": surface}
    if row["kind"] == "observation":
        fact.update(value=row["value"], unit=row.get("unit"), measure=row.get("measure"),
                    observationKind=row.get("okind"), qualifier=row.get("qualifier"))
    return fact


def _in_report(fact: str) -> tuple[str, str, int]:
    """Where a fact stands without reading it: (report, kind, number) of its IRI
    ``<report>/mention/7`` (``kg.rdf.to_quads`` numbers an entity's mentions in order).

    >>> _in_report("https://w3id.org/gov-kg/id/report/330800-2024/mention/7")
    ('https://w3id.org/gov-kg/id/report/330800-2024', 'mention', 7)
    """
    rest, _, number = fact.rpartition("/")
    report, _, kind = rest.rpartition("/")
    return report, kind, int(number) if number.isdigit() else -1


def _details(facts: list[str]) -> list[dict[str, Any]]:
    """The facts with their sentences and reports, in the order given, one query each:
    Oxigraph answers a bound ?f in 1 ms, a join of a node's links with the facts' details in
    20-40 ms on the sample (it reads every fact of the store), so this stays fast at 1,000
    reports."""
    out = {}
    for f in facts:
        for row in select(_FACT, "provenance", f=NamedNode(f)):
            out[row["f"]] = _fact(row)
    return list(out.values())


@bp.get("/provenance")
def provenance() -> Response:
    fact = iri_arg("fact", required=False)
    if fact is not None:
        facts = _details([fact.value])
        if not facts:
            fail(404, f"no mention or observation <{fact.value}> in the store")
        return jsonify(facts=facts)
    x, city = iri_arg("iri", required=False), iri_arg("city", required=False)
    if x is None:
        fail(400, "give 'fact' (a mention or observation IRI), or 'iri' (and 'city' for the "
                  "facts linking it to one city)")
    node_or_404(x)
    years = facts_of(x, years_arg(), city)
    if city is not None:
        return jsonify(facts=sorted(_details(list(years)), key=lambda f: (
            f["year"], f["report"], f["start"] or 0, f["fact"])))
    # every city's: one list, newest report first, paged before any fact is read
    limit, offset = int_arg("limit", 50, 1, 1000), int_arg("offset", 0, 0, 10**6)
    assert limit is not None and offset is not None
    order = sorted(years, key=lambda f: (-years[f], *_in_report(f), f))
    return jsonify(facts=_details(order[offset:offset + limit]), total=len(order),
                   more=offset + limit < len(order))


# --- series ------------------------------------------------------------------------------

_SERIES = """
SELECT ?c ?indicator ?label ?measure ?unit ?year ?value ?kind ?report ?qualifier WHERE {
  # the city's observations first (a subquery keeps Oxigraph to that order: 116 ms → 3 ms)
  { SELECT ?c ?report ?indicator ?year ?value ?kind ?measure ?unit ?qualifier WHERE {
    GRAPH ?report {
      ?o gk:refArea ?c ; gk:indicator ?indicator ; gk:year ?year ; gk:value ?value ;
         gk:kind ?kind .
      OPTIONAL { ?o gk:measure ?measure } OPTIONAL { ?o gk:unit ?unit }
      OPTIONAL { ?o gk:qualifier ?qualifier }
    }
  } }
  ?indicator rdfs:label ?label .
} ORDER BY ?label ?measure ?unit ?year ?kind ?report
"""


@bp.get("/series")
def series() -> Response:
    city = iri_arg("city")
    assert city is not None
    node_or_404(city)
    out: dict[tuple, dict[str, Any]] = {}
    for row in select(_SERIES, "series", c=city):
        key = (row["indicator"], row.get("measure"), row.get("unit"))
        s = out.setdefault(key, {"indicator": row["indicator"], "label": row["label"],
                                 "measure": row.get("measure"), "unit": row.get("unit"),
                                 "points": []})
        s["points"].append({"year": row["year"], "value": row["value"], "kind": row["kind"],
                            "report": row["report"], "qualifier": row.get("qualifier")})
    return jsonify(series=list(out.values()))


# --- vocabulary --------------------------------------------------------------------------

_VOCAB = """
SELECT ?term ?what ?zh ?en WHERE {
  ?term a ?what . VALUES ?what { owl:Class owl:ObjectProperty owl:DatatypeProperty }
  FILTER (isIRI(?term))
  OPTIONAL { ?term rdfs:label ?zh FILTER (LANG(?zh) = "zh") }
  OPTIONAL { ?term rdfs:label ?en FILTER (LANG(?en) = "en") }
} ORDER BY ?term
"""


@cache
def vocabulary_of(path: str = str(ONTOLOGY)) -> dict[str, Any]:
    """Classes (with a legend style) and properties of the ontology file, with zh/en labels."""
    store = Store()
    store.bulk_load(path=path)
    classes, properties = [], []
    solutions = store.query(HEAD + _VOCAB)
    assert isinstance(solutions, QuerySolutions)
    for row in solutions:
        iri = row["term"].value
        item = {"name": iri.removeprefix(GK), "iri": iri, "prefixed": short(iri),
                "zh": row["zh"].value if row["zh"] else None,
                "en": row["en"].value if row["en"] else None}
        if row["what"].value.endswith("Class"):
            colour, shape = STYLE.get(item["name"], ("#777777", "ellipse"))
            classes.append({**item, "colour": colour, "shape": shape})
        else:
            kind = "object" if row["what"].value.endswith("ObjectProperty") else "datatype"
            properties.append({**item, "kind": kind})
    return {"classes": classes, "properties": properties, "prefixes": PREFIXES}


_USED = """
SELECT DISTINCT ?term ?what WHERE {
  { [] a ?term BIND ("class" AS ?what) } UNION { [] ?term [] BIND ("property" AS ?what) }
}
"""


@bp.get("/vocabulary")
def vocabulary() -> Response:
    """The ontology's terms; with ``?store=1`` also every class and property the store uses
    (for the editor's completion; one full scan per store version, then cached), each term
    flagged ``inStore``."""
    terms = vocabulary_of()
    if request.args.get("store") not in ("1", "true"):
        return jsonify(terms)
    used = {(row["what"], row["term"]) for row in select(_USED, "vocabulary in the store")}
    out = {"prefixes": terms["prefixes"]}
    for what, key in (("class", "classes"), ("property", "properties")):
        known = [{**t, "inStore": (what, t["iri"]) in used} for t in terms[key]]
        iris = {t["iri"] for t in known}
        known += [{"name": iri, "iri": iri, "prefixed": short(iri), "zh": None, "en": None,
                   "inStore": True} for w, iri in sorted(used) if w == what and iri not in iris]
        out[key] = known
    return jsonify(out)

