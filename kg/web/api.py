"""``/api/…``: the JSON API behind the explorer (#11).

Every call is SPARQL run by the endpoint's executor (``kg.web.runtime.execute``: the same time
limit, worker pool and result cache as ``/sparql``); user input reaches a query only as a
``substitutions`` value, never as query text. A query stopped for time is a JSON
``{"error": …}`` with the executor's status (503). The queries do not depend on ``limit``,
``offset``, ``class`` or the year range, which are applied here, so paging or moving the year
slider is answered from the cache. Shapes: README, "Explorer API".

Neighbours of a node are read through facts, both directions: a city's reports mention an
entity (``gk:mentions``, facts = the mentions), a city's observations of an indicator
(``gk:indicator``, facts = the observations), a report's city (``gk:city``) and what it
mentions, and the places' hierarchy (``gk:partOf``, ``gk:province``, no facts). A fact's year
is its report's year.
"""

from __future__ import annotations

import json
from collections import defaultdict
from functools import cache, lru_cache
from typing import Any, NoReturn

from flask import Blueprint, Response, abort, current_app, jsonify, request
from pyoxigraph import Literal, NamedNode, QuerySolutions, Store, Variable

from kg import gazetteer
from kg.rdf import CLASS_SLUGS
from kg.validate import ONTOLOGY
from kg.vocab import ONTOLOGY as GK
from kg.vocab import PREFIXES, RESOURCE, XSD
from kg.web import queries, runtime
from kg.web.jobs import Query

bp = Blueprint("api", __name__, url_prefix="/api")

#: Classes a node may have, as the API names them (the local name of the ``gk:`` class).
CLASSES = ("City", "County", "Province", "Report", "Project", "Policy", "IndustryChain",
           "Indicator", "Year")
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
#: Rows an API query may return before it is cut (the API reshapes, it does not stream).
MAX_ROWS = 1_000_000

_HEAD = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())
_TYPES = "VALUES (?type ?class) { " + " ".join(f'(gk:{c} "{c}")' for c in CLASSES) + " }"


# --- running SPARQL ----------------------------------------------------------------------


def _fail(status: int, message: str, headers: dict[str, str] | None = None) -> NoReturn:
    response = jsonify(error=message)
    response.status_code = status
    response.headers.update(headers or {})
    abort(response)


def _select(text: str, name: str, **bindings: Any) -> list[dict[str, Any]]:
    """The solutions of a SELECT as dicts of Python values (IRIs and strings as ``str``,
    integers, decimals as ``float``, booleans); a failed run aborts with its status."""
    return _rows(_answer(text, name, **bindings))


def _answer(text: str, name: str, **bindings: Any) -> bytes:
    """The SPARQL JSON answer of a SELECT run by the executor (or its cache)."""
    subs = {Variable(k): v if isinstance(v, NamedNode | Literal) else Literal(v)
            for k, v in bindings.items()}
    job = Query(_HEAD + text, name=f"API query {name!r}", substitutions=subs,
                solutions_format="JSON", max_rows=MAX_ROWS, base_iri=request.base_url)
    request.environ["kg.operation"] = job.text  # for the error log (kg.web.middleware)
    status, _, body, headers = runtime.execute(
        runtime.executor(), runtime.cache(), job, float(current_app.config["QUERY_TIMEOUT"]))
    if status != 200:
        _fail(status, body.decode("utf-8", "replace").strip(), headers)
    return body


@lru_cache(maxsize=64)
def _rows(body: bytes) -> list[dict[str, Any]]:
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


def _iri(name: str = "iri", required: bool = True) -> NamedNode | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        if required:
            _fail(400, f"parameter {name!r} is required: the IRI of a node")
        return None
    try:
        return NamedNode(raw)
    except ValueError as e:
        _fail(400, f"parameter {name!r} is not an IRI: {e}")


def _int(name: str, default: int | None, low: int = 0, high: int = 10_000) -> int | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        _fail(400, f"parameter {name!r} must be an integer, got {raw!r}")
    if not low <= value <= high:
        _fail(400, f"parameter {name!r} must be between {low} and {high}, got {value}")
    return value


def _class(choices: tuple[str, ...] = CLASSES) -> str | None:
    raw = request.args.get("class", "").strip()
    if raw and raw not in choices:
        _fail(400, f"parameter 'class' must be one of {', '.join(choices)} or empty, got {raw!r}")
    return raw or None


def _years() -> tuple[int, int]:
    return _int("from", 0, 0, 9999) or 0, _int("to", 9999, 0, 9999) or 9999


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
_SLUG_CLASSES = {slug: name for name, slug in CLASS_SLUGS.items()} | {"report": "Report",
                                                                      "year": "Year"}


def _class_of(iri: str) -> str | None:
    """The class an entity IRI was minted for (``gkr:<slug>/<key>``), else None.

    >>> _class_of("https://w3id.org/gov-kg/id/industry-chain/新材料"), _class_of("urn:x")
    ('IndustryChain', None)
    """
    if not iri.startswith(RESOURCE):
        return None
    return _SLUG_CLASSES.get(iri[len(RESOURCE):].partition("/")[0])
#: reports mentioning, of, or observing each node: one query per store version, not per search
_REPORT_COUNTS = """
SELECT ?e (COUNT(DISTINCT ?r) AS ?n) WHERE {
  { GRAPH ?r { ?r gk:mentions ?e } } UNION { GRAPH ?r { ?r gk:city ?e } }
  UNION { GRAPH ?r { ?o gk:indicator ?e } }
} GROUP BY ?e
"""


def _report_counts() -> dict[str, int]:
    return _counts(_answer(_REPORT_COUNTS, "report counts"))


@lru_cache(maxsize=4)
def _counts(body: bytes) -> dict[str, int]:
    return {r["e"]: r["n"] for r in _rows(body)}


@bp.get("/search")
def search() -> Response:
    q = request.args.get("q", "").strip()
    if not q:
        _fail(400, "parameter 'q' is required: the text to search labels and aliases for")
    if len(q) > 200:
        _fail(400, "parameter 'q' is longer than 200 characters")
    scope, limit = _class(SEARCHABLE), _int("limit", 20, 1, 1000)
    matches: dict[str, tuple[str, str, list[str]]] = {}
    for row in _select(_SEARCH, "search", q=q):
        klass = _class_of(row["e"])
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


def _links(x: NamedNode, years: tuple[int, int] = (0, 9999)) -> list[dict[str, Any]]:
    """The edges of ``x`` with a fact (or, for the places' hierarchy, no year) in ``years``:
    ``{"node": {iri, label, class}, "edge": {source, target, predicate, label, years,
    facts}}``, most facts first, then by label."""
    edges: dict[tuple[str, str, str], dict[str, Any]] = {}
    for row in _select(_NEIGHBOURS, "neighbours", x=x):
        year = row.get("year")
        if year is not None and not years[0] <= year <= years[1]:
            continue
        klass = _class_of(row["n"])
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


def _grouped(links: list[dict[str, Any]]) -> list[tuple[dict, list[dict]]]:
    """(node, its edges) per neighbour, most facts first, then by label."""
    by_node: dict[str, tuple[dict, list[dict]]] = {}
    for link in links:
        by_node.setdefault(link["node"]["iri"], (link["node"], []))[1].append(link["edge"])
    return sorted(by_node.values(), key=lambda ne: (
        -sum(len(e["facts"]) for e in ne[1]), ne[0]["label"], ne[0]["iri"]))


@bp.get("/neighbours")
def neighbours() -> Response:
    x = _iri()
    scope = _class()
    limit, offset = _int("limit", 25, 1, 1000), _int("offset", 0, 0, 10**6)
    assert x is not None and limit is not None and offset is not None
    _node_or_404(x)
    grouped = [(n, es) for n, es in _grouped(_links(x, _years()))
               if scope is None or n["class"] == scope]
    page = grouped[offset:offset + limit]
    return jsonify(nodes=[n for n, _ in page], edges=[e for _, es in page for e in es],
                   total=len(grouped), more=offset + limit < len(grouped))


# --- node --------------------------------------------------------------------------------

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
_REPORTS = """
SELECT ?x (COUNT(DISTINCT ?r) AS ?n) WHERE {
  { GRAPH ?r { ?r gk:mentions ?x } } UNION { GRAPH ?r { ?r gk:city ?x } }
  UNION { GRAPH ?r { ?o gk:indicator ?x } } UNION { GRAPH ?x { ?x a gk:Report } BIND (?x AS ?r) }
} GROUP BY ?x
"""


def _node_or_404(x: NamedNode) -> list[dict[str, Any]]:
    rows = _select(_NODE, "node", x=x)
    if not rows:
        _fail(404, f"no node <{x.value}> in the store (a city, county, province, report, "
                   "project, policy, industry chain, indicator or year)")
    return rows


def _reports(x: NamedNode) -> int:
    rows = _select(_REPORTS, "reports", x=x)
    return rows[0]["n"] if rows else 0


@bp.get("/node")
def node() -> Response:
    x = _iri()
    assert x is not None
    rows = _node_or_404(x)
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
    grouped = _grouped(_links(x))
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


@bp.get("/provenance")
def provenance() -> Response:
    fact = _iri("fact", required=False)
    if fact is not None:
        rows = _select(_FACT, "provenance", f=fact)
        if not rows:
            _fail(404, f"no mention or observation <{fact.value}> in the store")
    else:
        x, city = _iri("iri", required=False), _iri("city", required=False)
        if x is None or city is None:
            _fail(400, "give 'fact' (a mention or observation IRI), or 'iri' and 'city'")
        _node_or_404(x)
        # the facts of the neighbours' edges, one query each: Oxigraph answers a bound ?f in
        # 1 ms, a join of the link with the facts' details in 20-40 ms on the sample (it reads
        # every fact of the store), so this stays fast at 1,000 reports
        rows = [row for link in _links(x, _years()) if link["node"]["iri"] == city.value
                for f in link["edge"]["facts"]
                for row in _select(_FACT, "provenance", f=NamedNode(f))]
    facts = {r["f"]: _fact(r) for r in rows}
    return jsonify(facts=sorted(facts.values(), key=lambda f: (f["year"], f["report"],
                                                               f["start"] or 0, f["fact"])))


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
    city = _iri("city")
    assert city is not None
    _node_or_404(city)
    out: dict[tuple, dict[str, Any]] = {}
    for row in _select(_SERIES, "series", c=city):
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
    solutions = store.query(_HEAD + _VOCAB)
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


@bp.get("/vocabulary")
def vocabulary() -> Response:
    return jsonify(vocabulary_of())


# --- views -------------------------------------------------------------------------------

@bp.get("/views/recurring")
def recurring() -> Response:
    limit = _int("limit", 50, 1, 1000)
    named = queries.named_queries()["recurring"]
    scope = _class(("Project", "Policy", "IndustryChain"))
    rows = _select(named.text, "recurring", **({"class": scope} if scope else {}))[:limit]
    nodes = {r["entity"]: {"iri": r["entity"], "label": r["label"], "class": r["class"],
                           "cities": r["cityCount"]} for r in rows}
    edges = []
    for entity in list(nodes):
        # each entity's own neighbour query (cached, shared with /api/neighbours): bound, it
        # takes a few ms, where one query for all 50 joins every mention of the store
        for link in _links(NamedNode(entity)):
            if link["node"]["class"] == "City" and link["edge"]["predicate"] == GK + "mentions":
                nodes.setdefault(link["node"]["iri"], link["node"])
                edges.append(link["edge"])
    return jsonify(nodes=list(nodes.values()), edges=edges)


def _city_entities(city: NamedNode, grouped: list | None = None) -> dict[str, dict[str, Any]]:
    """What a city's reports mention or observe: iri → node with ``facts`` and ``years``
    (``grouped``: the city's ``_grouped(_links(city))`` when the caller has it)."""
    out = {}
    for n, es in grouped if grouped is not None else _grouped(_links(city)):
        mentioned = [e for e in es if e["source"] == city.value
                     and e["predicate"] in (GK + "mentions", GK + "indicator")]
        if mentioned:
            out[n["iri"]] = {**n, "facts": sum(len(e["facts"]) for e in mentioned),
                             "years": sorted({y for e in mentioned for y in e["years"]})}
    return out


@bp.get("/views/city")
def city_view() -> Response:
    city = _iri()
    assert city is not None
    rows = _node_or_404(city)
    if rows[0]["class"] != "City":
        _fail(400, f"<{city.value}> is a {rows[0]['class']}, not a City")
    label = next((r["o"] for r in rows if r.get("p") == PREFIXES["rdfs"] + "label"), city.value)
    grouped = _grouped(_links(city))
    reports = sorted(({"iri": n["iri"], "label": n["label"], "year": es[0]["years"][0]}
                      for n, es in grouped if n["class"] == "Report"),
                     key=lambda r: r["year"])
    classes: dict[str, list[dict]] = defaultdict(list)
    for entity in _city_entities(city, grouped).values():
        classes[entity["class"]].append(entity)
    return jsonify(iri=city.value, label=label, years=[r["year"] for r in reports],
                   reports=reports,
                   classes={c: {"count": len(es), "entities": es} for c, es in classes.items()})


@bp.get("/views/compare")
def compare() -> Response:
    a, b = _iri("a"), _iri("b")
    assert a is not None and b is not None
    for city in (a, b):
        _node_or_404(city)
    ea, eb = _city_entities(a), _city_entities(b)
    ea.pop(b.value, None)
    eb.pop(a.value, None)

    def item(iri: str) -> dict[str, Any]:
        node = ea.get(iri) or eb[iri]
        return {"iri": iri, "label": node["label"], "class": node["class"],
                "a": ea[iri]["facts"] if iri in ea else 0,
                "b": eb[iri]["facts"] if iri in eb else 0,
                "years": sorted({*ea.get(iri, {}).get("years", ()),
                                 *eb.get(iri, {}).get("years", ())})}

    def ordered(iris: set[str]) -> list[dict[str, Any]]:
        return sorted((item(i) for i in iris), key=lambda n: (n["class"], -n["a"] - n["b"],
                                                              n["label"]))
    return jsonify(a=a.value, b=b.value, shared=ordered(ea.keys() & eb.keys()),
                   onlyA=ordered(ea.keys() - eb.keys()), onlyB=ordered(eb.keys() - ea.keys()))


_MAP = """
SELECT ?city ?label ?adcode (COUNT(DISTINCT ?r) AS ?reports) WHERE {
  ?city a gk:City ; gk:adcode ?adcode . OPTIONAL { ?city rdfs:label ?label }
  OPTIONAL { GRAPH ?r { ?r gk:city ?city } }
} GROUP BY ?city ?label ?adcode ORDER BY DESC(?reports) ?adcode
"""


@bp.get("/views/map")
def city_map() -> Response:
    out = []
    for row in _select(_MAP, "map"):
        lonlat = gazetteer.coordinates(str(row["adcode"]))
        if lonlat:
            out.append({"iri": row["city"], "label": row.get("label"), "lon": lonlat[0],
                        "lat": lonlat[1], "reports": row["reports"]})
    return jsonify(out)
