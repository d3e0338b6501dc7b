"""What recurs across cities and years: SPARQL results → NetworkX graphs, tables and charts.

Everything is read from the store through SPARQL (``REPORT_ENTITIES`` below and the named queries
``indicator_series``, ``diffusion`` and ``targets``), never from extractor internals. The graph is bipartite: city nodes and
*topic* entity nodes (projects, policies, industry chains; cities and counties are left out
because every report names its own), an edge when a city's report mentions the entity, weighted
by the number of such reports. All outputs are sorted, and Louvain runs with a fixed seed, so
the same store gives the same files.

Betweenness is exact up to ``BETWEENNESS_EXACT_MAX`` nodes. A larger graph (a national store:
186,172 nodes) gets an estimate, the same for the same store: the degree-1 nodes (91 % of them,
entities one city names) are taken out exactly, then shortest paths are counted from
``BETWEENNESS_PIVOTS`` source nodes drawn with ``SEED`` (``_pivot_betweenness``); the GraphML
file says so in its graph attribute ``betweenness``. Charts with a column, a line or a colour
per city show up to ``CHART_CITIES`` cities, those with the most reports, and say so in their
titles.

>>> from pyoxigraph import Store
>>> sorted(analyze(Store(), __import__("tempfile").mkdtemp(), progress=False))[:3]
['centrality', 'chart_diffusion', 'chart_indicator']
"""

from __future__ import annotations

import csv
import json
import random
import re
from collections import defaultdict, deque
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path
from typing import Any

import networkx as nx
from networkx.algorithms import bipartite
from tqdm import tqdm

from kg import queries
from kg.store import select

TOPIC_CLASSES = ("Project", "Policy", "IndustryChain")
CLASS_NAMES = {"Project": "项目", "Policy": "政策", "IndustryChain": "产业链"}
MEASURE_NAMES = {"growth": "增速", "level": "总量", "share": "占比", "intensity": "强度"}
#: The indicator charted across cities when the store has it (else the best-covered one).
INDICATOR = ("地区生产总值", "growth")
SEED = 42
#: Graphs of more nodes get sampled betweenness (networkx's ``k`` source pivots, seeded with
#: ``SEED``); exact betweenness costs nodes × edges, hours on a national store (#12).
BETWEENNESS_EXACT_MAX = 2_000
#: Source pivots of sampled betweenness.
BETWEENNESS_PIVOTS = 100
#: Entities of each class on the timeline chart.
TIMELINE_PER_CLASS = 12
#: Cities of the charts with a column, a line or a colour per city (the policy and similarity
#: heatmaps, the indicator series, the timeline): past this many, the ones with the most
#: reports, and the titles say so (#12: 300 cities would make heatmaps of 45,000 pixels a side
#: and legends of hundreds of lines).
CHART_CITIES = 40

#: One row per (report, topic entity it mentions), with the report's city and year. The reports
#: first (a few thousand rows), then their mentions, each one's class and label looked up in the
#: default graph (the entities graph, in a store ``kg build`` lays out); the classes by FILTER,
#: since Oxigraph would start from a ``VALUES (?type ?class)`` join, that is from every entity
#: of the store (#12).
REPORT_ENTITIES = """
PREFIX gk: <https://w3id.org/gov-kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?report ?cityNode ?city ?year ?class ?entity ?label WHERE {
  {
    SELECT ?report ?cityNode ?city ?year WHERE {
      GRAPH ?report {
        ?report a gk:Report ; gk:city ?cityNode .
        OPTIONAL { ?report gk:reportYear ?year }
      }
      ?cityNode rdfs:label ?city .
    }
  }
  GRAPH ?report { ?report gk:mentions ?entity }
  ?entity a ?type ; rdfs:label ?label .
  FILTER (?type IN (gk:Project, gk:Policy, gk:IndustryChain))
  BIND (STRAFTER(STR(?type), "#") AS ?class)
}
"""

#: Indicator series by coverage, to chart when ``INDICATOR`` is missing.
_INDICATOR_COVERAGE = """
PREFIX gk: <https://w3id.org/gov-kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?indicator ?measure (COUNT(DISTINCT ?area) AS ?cities) (COUNT(DISTINCT ?year) AS ?years)
WHERE {
  GRAPH ?r { ?o a gk:Observation ; gk:indicator ?i ; gk:measure ?measure ;
                gk:refArea ?area ; gk:year ?year . }
  ?i rdfs:label ?indicator .
}
GROUP BY ?indicator ?measure
ORDER BY DESC(?cities) DESC(?years) ?indicator ?measure
"""


@dataclass(frozen=True)
class Recurrence:
    """One topic entity: where and when the reports mention it."""

    entity: str
    cls: str
    label: str
    cities: tuple[str, ...]
    years: tuple[int, ...]
    reports: int
    first_seen: int | None
    last_seen: int | None
    #: city → (first year, last year, number of reports of that city)
    timeline: tuple[tuple[str, int | None, int | None, int], ...]


def report_entities(store) -> list[dict[str, Any]]:
    """The rows of ``REPORT_ENTITIES``: who mentions what, where and when, in the order of
    ``ORDER BY ?city ?year ?class ?label ?report`` (a report without a year first), sorted
    here: a quarter of the query's time in Oxigraph, a second in Python (#12)."""
    rows = select(store, REPORT_ENTITIES, name="analyses: report entities")
    rows.sort(key=lambda r: (r["city"], r["year"] is not None, r["year"] or 0, r["class"],
                             r["label"], r["report"]))
    return rows


def recurrences(rows: Iterable[dict[str, Any]]) -> list[Recurrence]:
    """Per entity: cities, years, report count and per-city first/last year; most cities first.

    >>> rows = [dict(report="r1", city="A", year=2023, entity="e", **{"class": "Policy"},
    ...              label="x"), dict(report="r2", city="B", year=2024, entity="e",
    ...              **{"class": "Policy"}, label="x")]
    >>> r = recurrences(rows)[0]
    >>> r.cities, r.years, r.reports, r.timeline
    (('A', 'B'), (2023, 2024), 2, (('A', 2023, 2023, 1), ('B', 2024, 2024, 1)))
    """
    meta: dict[str, tuple[str, str]] = {}
    reports: dict[str, dict[str, dict[str, int | None]]] = defaultdict(lambda: defaultdict(dict))
    for r in rows:
        meta[r["entity"]] = (r["class"], r["label"])
        reports[r["entity"]][r["city"]][r["report"]] = r["year"]
    out = []
    for entity, (cls, label) in meta.items():
        per_city = reports[entity]
        timeline = []
        for city in sorted(per_city):
            ys = sorted(y for y in per_city[city].values() if y is not None)
            timeline.append((city, ys[0] if ys else None, ys[-1] if ys else None,
                             len(per_city[city])))
        years = sorted({y for c in per_city.values() for y in c.values() if y is not None})
        out.append(Recurrence(entity, cls, label, tuple(sorted(per_city)), tuple(years),
                              sum(len(c) for c in per_city.values()),
                              years[0] if years else None, years[-1] if years else None,
                              tuple(timeline)))
    out.sort(key=lambda r: (-len(r.cities), -r.reports, r.cls, r.label, r.entity))
    return out


def bipartite_graph(rows: Iterable[dict[str, Any]]) -> nx.Graph:
    """Cities and topic entities; edge weight = reports of the city mentioning the entity."""
    rows = list(rows)
    cities: dict[str, dict] = {}
    entities: dict[str, dict] = {}
    edges: dict[tuple[str, str], dict[str, int | None]] = defaultdict(dict)
    for r in rows:
        cities.setdefault(r["cityNode"], {"label": r["city"], "reports": {}})
        cities[r["cityNode"]]["reports"][r["report"]] = r["year"]
        entities.setdefault(r["entity"], {"label": r["label"], "class": r["class"]})
        edges[(r["cityNode"], r["entity"])][r["report"]] = r["year"]
    g = nx.Graph(name="gov-kg: cities and the entities their reports mention")
    for node, c in sorted(cities.items(), key=lambda kv: (kv[1]["label"], kv[0])):
        years = sorted({y for y in c["reports"].values() if y is not None})
        g.add_node(node, label=c["label"], kind="city", bipartite=0, reports=len(c["reports"]),
                   years=years, **{"class": "City"})
    for node, e in sorted(entities.items(), key=lambda kv: (kv[1]["class"], kv[1]["label"])):
        g.add_node(node, label=e["label"], kind="entity", bipartite=1, **{"class": e["class"]})
    for (city, entity), reps in sorted(edges.items()):
        g.add_edge(city, entity, weight=len(reps),
                   years=sorted({y for y in reps.values() if y is not None}))
    for node, data in g.nodes(data=True):
        if data["kind"] == "entity":
            data["reports"] = sum(g.edges[node, c]["weight"] for c in g[node])
            data["years"] = sorted({y for c in g[node] for y in g.edges[node, c]["years"]})
    return g


def city_nodes(g: nx.Graph) -> list[str]:
    return [n for n, d in g.nodes(data=True) if d["kind"] == "city"]


def city_similarity(g: nx.Graph) -> list[dict[str, Any]]:
    """Every pair of cities: the topic entities both mention and their Jaccard similarity
    (shared / all entities of either city), most similar first."""
    cities = city_nodes(g)
    mentioned = {c: set(g[c]) for c in cities}  # once per city, not per pair (#12)
    key = {n: (d["class"], d["label"]) for n, d in g.nodes(data=True) if d["kind"] == "entity"}
    out = []
    for a, b in combinations(cities, 2):
        la, lb = g.nodes[a]["label"], g.nodes[b]["label"]
        if lb < la:
            a, b, la, lb = b, a, lb, la
        shared = sorted(mentioned[a] & mentioned[b], key=key.__getitem__)
        union = len(mentioned[a]) + len(mentioned[b]) - len(shared)
        row = {"city_a": la, "city_b": lb, "shared": len(shared), "union": union,
               "jaccard": round(len(shared) / union, 6) if union else 0.0}
        classes = [key[n][0] for n in shared]
        for cls in TOPIC_CLASSES:
            row[f"shared_{cls}"] = classes.count(cls)
        row["shared_labels"] = " | ".join(key[n][1] for n in shared)
        out.append(row)
    out.sort(key=lambda r: (-r["jaccard"], -r["shared"], r["city_a"], r["city_b"]))
    return out


def annotate_centrality(g: nx.Graph, *, seed: int = SEED) -> list[list[str]]:
    """Add degree, bipartite degree centrality, betweenness and a Louvain community to every
    node; return the communities (lists of nodes, largest first)."""
    cities = city_nodes(g)
    degree = bipartite.degree_centrality(g, cities) if cities else {}
    pivots = None
    if len(g) > BETWEENNESS_EXACT_MAX:
        pivots = BETWEENNESS_PIVOTS
        g.graph["betweenness"] = (f"estimated: degree-1 nodes exactly, then the shortest paths "
                                  f"from {pivots} source nodes (seed {seed}); exact up to "
                                  f"{BETWEENNESS_EXACT_MAX} nodes")
    between = _bipartite_betweenness(g, cities, pivots=pivots, seed=seed) if cities else {}
    found = nx.community.louvain_communities(g, weight="weight", seed=seed) if len(g) else []
    communities = sorted((sorted(c) for c in found), key=lambda c: (-len(c), c[0]))
    member = {n: i for i, c in enumerate(communities) for n in c}
    for n, d in g.nodes(data=True):
        d["degree"] = g.degree(n)
        d["weighted_degree"] = g.degree(n, weight="weight")
        d["degree_centrality"] = round(degree.get(n, 0.0), 6)
        d["betweenness"] = round(between.get(n, 0.0), 6)
        d["community"] = member.get(n, -1)
    return communities


def _side_maximum(n: int, m: int) -> float:
    """The largest betweenness a node of a bipartite side of ``n`` nodes can have against
    ``m`` on the other side (Borgatti and Halgin 2011, as networkx computes it); 0 when no
    node of the side can lie between two others."""
    if m == 0:
        return 0.0
    s, t = divmod(n - 1, m)
    return ((m**2) * ((s + 1) ** 2) + m * (s + 1) * (2 * t - s - 1) - t * (2 * s - t + 3)) / 2.0


def _bipartite_betweenness(g: nx.Graph, cities: list[str], *, pivots: int | None = None,
                           seed: int = SEED) -> dict[str, float]:
    """``networkx.bipartite.betweenness_centrality``, each side normalised by its largest
    possible value, except that a side whose largest value is 0 stays 0: networkx divides by
    it, which a store of one city (or of one entity) reaches (#12). With ``pivots``, estimated
    by ``_pivot_betweenness``.

    >>> g = nx.Graph([("c", "a"), ("c", "b")])
    >>> _bipartite_betweenness(g, ["c"])
    {'c': 1.0, 'a': 0.0, 'b': 0.0}
    """
    top = set(cities)
    if pivots is None:
        raw = nx.betweenness_centrality(g, normalized=False, weight=None)
    else:
        raw = _pivot_betweenness(g, pivots=pivots, seed=seed)
    most = {True: _side_maximum(len(top), len(g) - len(top)),
            False: _side_maximum(len(g) - len(top), len(top))}
    return {v: b / most[v in top] if most[v in top] else 0.0 for v, b in raw.items()}


def _pivot_betweenness(g: nx.Graph, *, pivots: int | None, seed: int = SEED
                       ) -> dict[str, float]:
    """Betweenness as ``networkx.betweenness_centrality(g, normalized=False)`` gives it, with
    the leaves (degree-1 nodes: most entities are named by one city only) taken out first,
    exactly: a leaf lies on no shortest path, and its neighbour lies on all of the leaf's.
    Brandes' accumulation on the rest counts each node once more per leaf it carries. With
    ``pivots``, the shortest paths from that many of the remaining nodes only (drawn with
    ``seed``), scaled up to all of them: an estimate, the same for the same graph; exact
    without.

    >>> g = nx.path_graph(4)
    >>> _pivot_betweenness(g, pivots=None) == nx.betweenness_centrality(g, normalized=False)
    True
    """
    leaves = {v for v in g if g.degree(v) == 1 and g.degree(next(iter(g[v]))) > 1}
    core = [v for v in g if v not in leaves]
    carried = dict.fromkeys(core, 0)
    for leaf in leaves:
        carried[next(iter(g[leaf]))] += 1
    weight = {v: 1 + n for v, n in carried.items()}
    adjacent = {v: [u for u in g[v] if u not in leaves] for v in core}
    sources = core
    if pivots is not None and pivots < len(core):
        sources = random.Random(seed).sample(core, pivots)
    between = dict.fromkeys(g, 0.0)
    for s in sources:
        order: list[str] = []
        pred: dict[str, list[str]] = {s: []}
        sigma, dist = {s: 1}, {s: 0}
        queue = deque([s])
        while queue:
            v = queue.popleft()
            order.append(v)
            for u in adjacent[v]:
                if u not in dist:
                    dist[u], sigma[u], pred[u] = dist[v] + 1, 0, []
                    queue.append(u)
                if dist[u] == dist[v] + 1:
                    sigma[u] += sigma[v]
                    pred[u].append(v)
        delta = dict.fromkeys(order, 0.0)
        for u in reversed(order):
            share = (weight[u] + delta[u]) / sigma[u]
            for v in pred[u]:
                delta[v] += sigma[v] * share
            if u != s:
                between[u] += weight[s] * delta[u]
    scale = len(core) / len(sources) / 2 if sources else 0.0  # each pair was counted twice
    size = {v: len(c) for c in nx.connected_components(g) for v in c}
    for v, a in carried.items():
        # the paths from v's leaves: to the rest of v's component but v and its leaves, and
        # between them
        between[v] = between[v] * scale + a * (size[v] - 1 - a) + a * (a - 1) / 2
    return between


# ---- writing -------------------------------------------------------------------------------

def _write_csv(path: Path, columns: list[str], rows: Iterable[dict[str, Any]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, columns, lineterminator="\n", extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)
    return path


def _recurrence_row(r: Recurrence) -> dict[str, Any]:
    return {"entity": r.entity, "class": r.cls, "label": r.label, "city_count": len(r.cities),
            "cities": " | ".join(r.cities), "years": " | ".join(map(str, r.years)),
            "report_count": r.reports, "first_seen": r.first_seen, "last_seen": r.last_seen}


def _recurrence_json(r: Recurrence) -> dict[str, Any]:
    """``asdict(r)`` with ``cls`` → ``class`` and ``reports`` → ``report_count`` at the end, the
    timeline as objects; built by hand, as ``asdict`` deep-copies every value (#12)."""
    return {"entity": r.entity, "label": r.label, "cities": list(r.cities),
            "years": list(r.years), "first_seen": r.first_seen, "last_seen": r.last_seen,
            "timeline": [dict(zip(("city", "first_year", "last_year", "reports"), t,
                                  strict=True)) for t in r.timeline],
            "class": r.cls, "report_count": r.reports}


def _flat(g: nx.Graph) -> nx.Graph:
    """A copy whose attribute values GraphML can hold (years as text, no None)."""
    h = g.copy()
    for _, d in h.nodes(data=True):
        d["years"] = " ".join(map(str, d.get("years", [])))
    for _, _, d in h.edges(data=True):
        d["years"] = " ".join(map(str, d["years"]))
    return h


def _spells(years: Iterable[int]) -> list[tuple[str, str]]:
    """Runs of consecutive years as GEXF date spells, e.g. 2022–2023 → 2022-01-01..2023-12-31."""
    runs: list[list[int]] = []
    for y in sorted(set(years)):
        if runs and y == runs[-1][1] + 1:
            runs[-1][1] = y
        else:
            runs.append([y, y])
    return [(f"{a}-01-01", f"{b}-12-31") for a, b in runs]


def _dynamic(h: nx.Graph, rows: list[dict[str, Any]]) -> nx.Graph:
    """``h`` (a ``_flat`` copy, changed in place) for Gephi's timeline: nodes and edges live in
    their report years (spells), and ``reports_in_year`` is a dynamic attribute (reports
    mentioning it that year)."""
    per_year: dict[Any, dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
    for r in rows:
        if r["year"] is not None:
            city, entity = r["cityNode"], r["entity"]
            edge = (city, entity) if city < entity else (entity, city)
            for key in (city, entity, edge):
                per_year[key][r["year"]].add(r["report"])
    h.graph["mode"] = "dynamic"
    items = [(n, d) for n, d in h.nodes(data=True)]
    items += [((u, v) if u < v else (v, u), d) for u, v, d in h.edges(data=True)]
    for key, d in items:
        years = per_year.get(key)
        if years:
            d["spells"] = _spells(years)
            d["reports_in_year"] = [(len(years[y]), f"{y}-01-01", f"{y}-12-31")
                                    for y in sorted(years)]
    return h


def _indicator_lines(store) -> tuple[str, str, str, dict[str, dict[str, list]]]:
    """(indicator, measure, unit, lines[city][kind] = [(year, value)]) for the series chart;
    a figure restated by several reports is taken from the latest report."""
    indicator, measure = INDICATOR
    coverage = select(store, _INDICATOR_COVERAGE, name="analyses: indicator coverage")
    if coverage and not any((c["indicator"], c["measure"]) == INDICATOR for c in coverage):
        indicator, measure = coverage[0]["indicator"], coverage[0]["measure"]
    q = queries.get("indicator_series")
    rows = select(store, q.text, q.bindings({"indicator": indicator, "measure": measure}),
                  name="named query 'indicator_series'")
    latest: dict[tuple[str, str, int], tuple[str, float, str]] = {}
    for r in rows:
        key = (r["city"], r["kind"], r["year"])
        if key not in latest or r["report"] > latest[key][0]:
            latest[key] = (r["report"], float(r["value"]), r["unit"])
    lines: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for (city, kind, year), (_, value, _) in sorted(latest.items()):
        lines[city][kind].append((year, value))
    units = sorted({u for _, _, u in latest.values()})
    return indicator, measure, "、".join(units), lines


def _charts(store, out: Path, rows: list[dict[str, Any]], recs: list[Recurrence],
            sims: list[dict[str, Any]]) -> dict[str, Path]:
    from kg import charts

    cities, which = _chart_cities(rows)
    spans: dict[str, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    for r in rows:
        if r["year"] is not None:
            spans[r["entity"]][r["city"]].add(r["year"])
    written = {}
    policies = [r for r in recs if r.cls == "Policy"][:30]
    column = {city: j for j, city in enumerate(cities)}
    grid = [[0.0] * len(cities) for _ in policies]
    for i, policy in enumerate(policies):
        for city, _, _, n in policy.timeline:
            if city in column:
                grid[i][column[city]] = n
    written["chart_policies"] = charts.heatmap(
        out / "city_policy_heatmap.png", [r.label for r in policies], cities, grid,
        title=f"各城市政府工作报告提及的政策（格内为报告数）{which}")
    # per class, the most seen: most (city, year) sightings, then most cities
    ranked = sorted((r for r in recs if len(r.cities) > 1 or len(r.years) > 1),
                    key=lambda r: (-sum(map(len, spans[r.entity].values())), -len(r.cities)))
    recurring = [r for cls in TOPIC_CLASSES
                 for r in [r for r in ranked if r.cls == cls][:TIMELINE_PER_CLASS]]
    names = [f"{r.label}（{CLASS_NAMES[r.cls]}）" for r in recurring]
    written["chart_timeline"] = charts.timeline(
        out / "recurring_timeline.png", names,
        {n: {c: sorted(ys) for c, ys in spans[r.entity].items() if not which or c in column}
         for n, r in zip(names, recurring, strict=True)},
        title=f"跨城市、跨年份反复出现的项目、政策与产业链{which}")
    indicator, measure, unit, lines = _indicator_lines(store)
    if which:
        lines = {city: v for city, v in lines.items() if city in column}
    written["chart_indicator"] = charts.series(
        out / "indicator_series.png", lines,
        title=f"{indicator}{MEASURE_NAMES.get(measure, measure)}：各城市历年实际与目标{which}",
        ylabel=unit or measure)
    value = {(s["city_a"], s["city_b"]): s["jaccard"] for s in sims}
    # the diagonal (1) is left blank so that the colours spread over the pairs
    matrix = [[value.get((min(a, b), max(a, b)), 0.0) for b in cities] for a in cities]
    written["chart_similarity"] = charts.heatmap(
        out / "city_similarity.png", cities, cities, matrix, cmap="Blues", fmt="{:.2f}",
        title=f"城市相似度（共同提及的项目、政策、产业链的 Jaccard 系数）{which}")
    return written


def _chart_cities(rows: list[dict[str, Any]]) -> tuple[list[str], str]:
    """The cities of the per-city charts, sorted, and what the titles add when they are not all
    of them: up to ``CHART_CITIES``, those with the most reports (then by name).

    >>> _chart_cities([dict(city="B", report="r1"), dict(city="A", report="r2")])
    (['A', 'B'], '')
    """
    reports: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        reports[r["city"]].add(r["report"])
    if len(reports) <= CHART_CITIES:
        return sorted(reports), ""
    most = sorted(reports, key=lambda c: (-len(reports[c]), c))[:CHART_CITIES]
    return sorted(most), f"（报告最多的 {CHART_CITIES} 个城市）"


def analyze(store, out_dir: str | Path, *, progress: bool = True) -> dict[str, Path]:
    """Write the recurrence tables, city similarity, centrality, GraphML, dynamic GEXF and PNG
    charts to ``out_dir``; return what was written, by name."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    from kg import adoption

    with tqdm(total=5, desc="analyze", unit="step", disable=not progress, leave=False) as bar:
        def done(next_step: str) -> None:
            bar.update()
            bar.set_postfix_str(next_step)

        bar.set_postfix_str("query")
        rows = report_entities(store)
        done("graph")
        g = bipartite_graph(rows)
        recs = recurrences(rows)
        done("centrality")
        annotate_centrality(g)
        sims = city_similarity(g)
        done("files")
        written = _tables(out, g, recs, sims) | _graph_files(out, g, rows)
        done("charts")
        written |= _charts(store, out, rows, recs, sims)
        written |= adoption.outputs(store, out, _write_csv)
        done("")
    return dict(sorted(written.items()))


def _graph_files(out: Path, g: nx.Graph, rows: list[dict[str, Any]]) -> dict[str, Path]:
    flat = _flat(g)  # one copy for both files (#12)
    nx.write_graphml(flat, out / "graph.graphml")
    gexf = "\n".join(nx.generate_gexf(_dynamic(flat, rows)))
    # no lastmodifieddate (today): the same store gives the same file
    gexf = re.sub(r' lastmodifieddate="[^"]*"', "", gexf, count=1)
    (out / "graph.gexf").write_text(f"<?xml version='1.0' encoding='utf-8'?>\n{gexf}\n",
                                    encoding="utf-8")
    return {"graphml": out / "graph.graphml", "gexf": out / "graph.gexf"}


def _tables(out: Path, g: nx.Graph, recs: list[Recurrence],
            sims: list[dict[str, Any]]) -> dict[str, Path]:
    rec_cols = ["entity", "class", "label", "city_count", "cities", "years", "report_count",
                "first_seen", "last_seen"]
    written = {"recurrence": _write_csv(out / "recurrence.csv", rec_cols,
                                        map(_recurrence_row, recs))}
    path = out / "recurrence.json"
    path.write_text(json.dumps([_recurrence_json(r) for r in recs], ensure_ascii=False,
                               indent=2) + "\n", encoding="utf-8")
    written["recurrence_json"] = path
    timeline = [{"entity": r.entity, "class": r.cls, "label": r.label, "city": c,
                 "first_year": first, "last_year": last, "reports": n}
                for r in recs for c, first, last, n in r.timeline]
    written["timeline"] = _write_csv(out / "timeline.csv", ["entity", "class", "label", "city",
                                     "first_year", "last_year", "reports"], timeline)
    sim_cols = ["city_a", "city_b", "jaccard", "shared", "union"]
    sim_cols += [f"shared_{c}" for c in TOPIC_CLASSES] + ["shared_labels"]
    written["city_similarity"] = _write_csv(out / "city_similarity.csv", sim_cols, sims)
    cols = ["node", "label", "kind", "class", "degree", "weighted_degree", "degree_centrality",
            "betweenness", "community"]
    cent = [{"node": n, **d} for n, d in g.nodes(data=True)]
    cent.sort(key=lambda r: (r["kind"] != "city", -r["betweenness"], -r["degree"], r["label"]))
    written["centrality"] = _write_csv(out / "centrality.csv", cols, cent)
    return written
