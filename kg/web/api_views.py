"""``/api/views/…``: the explorer's ready-made views (#11): the recurring entities as a
graph, one city's entities, two cities compared, the cities on a map. Shapes: README,
"Explorer API"; how the queries run: ``kg.web.api_common``.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from flask import Blueprint, Response, jsonify
from pyoxigraph import NamedNode

from kg import gazetteer
from kg.vocab import ONTOLOGY as GK
from kg.vocab import PREFIXES
from kg.web import queries
from kg.web.api_common import (
    by_neighbour,
    class_arg,
    fail,
    int_arg,
    iri_arg,
    links_of,
    node_or_404,
    select,
)

bp = Blueprint("api_views", __name__, url_prefix="/api/views")


@bp.get("/recurring")
def recurring() -> Response:
    limit = int_arg("limit", 50, 1, 1000)
    per_entity = int_arg("cities", 12, 1, 1000)  # the cities naming it most, drawn per entity
    named = queries.named_queries()["recurring"]
    scope = class_arg(("Project", "Policy", "IndustryChain"))
    # the named query ends with its ORDER BY: the LIMIT keeps the answer (and its parsing) to
    # the rows shown; on 973 reports the full answer is 8,700 rows, 4 MB of JSON
    rows = select(f"{named.text}\nLIMIT {limit}", "recurring",
                  **({"class": scope} if scope else {}))
    nodes = {r["entity"]: {"iri": r["entity"], "label": r["label"], "class": r["class"],
                           "cities": r["cityCount"]} for r in rows}
    edges = []
    for entity in list(nodes):
        # each entity's own neighbour query (cached, shared with /api/neighbours): bound, it
        # takes a few ms, where one query for all 50 joins every mention of the store
        cities = [link for link in links_of(NamedNode(entity))
                  if link["node"]["class"] == "City" and link["edge"]["predicate"] == GK + "mentions"]
        for link in cities[:per_entity]:  # most facts first
            nodes.setdefault(link["node"]["iri"], link["node"])
            # the facts' count, not their IRIs: a widely named policy has thousands (on 973
            # reports, 3.7 MB for 50 entities); the panel asks /api/provenance for them
            edge = link["edge"]
            edges.append({**edge, "facts": [], "factCount": len(edge["facts"])})
    return jsonify(nodes=list(nodes.values()), edges=edges)


def _city_entities(city: NamedNode, grouped: list | None = None) -> dict[str, dict[str, Any]]:
    """What a city's reports mention or observe: iri → node with ``facts`` and ``years``
    (``grouped``: the city's ``by_neighbour(links_of(city))`` when the caller has it)."""
    out = {}
    for n, es in grouped if grouped is not None else by_neighbour(links_of(city)):
        mentioned = [e for e in es if e["source"] == city.value
                     and e["predicate"] in (GK + "mentions", GK + "indicator")]
        if mentioned:
            out[n["iri"]] = {**n, "facts": sum(len(e["facts"]) for e in mentioned),
                             "years": sorted({y for e in mentioned for y in e["years"]})}
    return out


@bp.get("/city")
def city_view() -> Response:
    city = iri_arg()
    assert city is not None
    rows = node_or_404(city)
    if rows[0]["class"] != "City":
        fail(400, f"<{city.value}> is a {rows[0]['class']}, not a City")
    label = next((r["o"] for r in rows if r.get("p") == PREFIXES["rdfs"] + "label"), city.value)
    grouped = by_neighbour(links_of(city))
    reports = sorted(({"iri": n["iri"], "label": n["label"], "year": es[0]["years"][0]}
                      for n, es in grouped if n["class"] == "Report"),
                     key=lambda r: r["year"])
    classes: dict[str, list[dict]] = defaultdict(list)
    for entity in _city_entities(city, grouped).values():
        classes[entity["class"]].append(entity)
    return jsonify(iri=city.value, label=label, years=[r["year"] for r in reports],
                   reports=reports,
                   classes={c: {"count": len(es), "entities": es} for c, es in classes.items()})


@bp.get("/compare")
def compare() -> Response:
    a, b = iri_arg("a"), iri_arg("b")
    assert a is not None and b is not None
    for city in (a, b):
        node_or_404(city)
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


@bp.get("/map")
def city_map() -> Response:
    out = []
    for row in select(_MAP, "map"):
        lonlat = gazetteer.coordinates(str(row["adcode"]))
        if lonlat:
            out.append({"iri": row["city"], "label": row.get("label"), "lon": lonlat[0],
                        "lat": lonlat[1], "reports": row["reports"]})
    return jsonify(out)
