"""What recurs across cities and years: SPARQL results → NetworkX graphs, tables and charts.

Everything is read from the store through SPARQL (``REPORT_ENTITIES`` below and the named
queries ``indicator_series``, ``diffusion`` and ``targets``), never from extractor internals.
The graph is bipartite: city nodes and *topic* entity nodes (projects, policies, industry
chains; cities and counties are left out because every report names its own), an edge when a
city's report mentions the entity, weighted by the number of such reports. All outputs are
sorted, and Louvain runs with a fixed seed, so the same store gives the same files;
centrality and communities are ``kg.centrality``'s (an estimated betweenness above
``BETWEENNESS_EXACT_MAX`` nodes, which the GraphML file says in its graph attribute
``betweenness``). GraphML and GEXF are streamed (``kg.graphio``:
the bytes networkx's writers give, without their copy of the whole document).
Charts with a column, a line or a colour per city show up to ``CHART_CITIES`` cities, those
with the most reports, and say so in their titles.

>>> from pyoxigraph import Store
>>> sorted(analyze(Store(), __import__("tempfile").mkdtemp(), progress=False))[:3]
['centrality', 'chart_diffusion', 'chart_indicator']
"""

from __future__ import annotations

import csv
import gc
import json
import multiprocessing
import os
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import combinations
from operator import itemgetter
from pathlib import Path
from typing import Any

import networkx as nx
from tqdm import tqdm

from kg import queries
from kg.centrality import annotate_centrality, city_nodes
from kg.graphio import write_gexf, write_graphml
from kg.store import select

TOPIC_CLASSES = ("Project", "Policy", "IndustryChain")
CLASS_NAMES = {"Project": "项目", "Policy": "政策", "IndustryChain": "产业链"}
MEASURE_NAMES = {"growth": "增速", "level": "总量", "share": "占比", "intensity": "强度"}
#: The indicator charted across cities when the store has it (else the best-covered one).
INDICATOR = ("地区生产总值", "growth")
#: Entities of each class on the timeline chart.
TIMELINE_PER_CLASS = 12
#: Cities of the charts with a column, a line or a colour per city (the policy and similarity
#: heatmaps, the indicator series, the timeline): past this many, the ones with the most
#: reports, and the titles say so (#12: 300 cities would make heatmaps of 45,000 pixels a side
#: and legends of hundreds of lines).
CHART_CITIES = 40

#: One row per (report, topic entity it mentions), with the report's city and year; each
#: entity's class and label from the default graph (the entities graph, in a store ``kg build``
#: lays out). What ``report_entities`` reads, in three parts (a test compares them).
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


_PREFIXES = """
PREFIX gk: <https://w3id.org/gov-kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""
#: The three parts of ``REPORT_ENTITIES``: the reports, their mentions, the topic entities.
_REPORTS = _PREFIXES + """
SELECT DISTINCT ?report ?cityNode ?city ?year WHERE {
  GRAPH ?report {
    ?report a gk:Report ; gk:city ?cityNode .
    OPTIONAL { ?report gk:reportYear ?year }
  }
  ?cityNode rdfs:label ?city .
}
"""
_MENTIONS = _PREFIXES + "SELECT ?report ?entity WHERE { GRAPH ?report { ?report gk:mentions ?entity } }"
_TOPICS = _PREFIXES + """
SELECT ?entity ?class ?label WHERE {
  ?entity a ?type ; rdfs:label ?label .
  FILTER (?type IN (gk:Project, gk:Policy, gk:IndustryChain))
  BIND (STRAFTER(STR(?type), "#") AS ?class)
}
"""


def report_entities(store) -> list[dict[str, Any]]:
    """The rows of ``REPORT_ENTITIES``: who mentions what, where and when, in the order of
    ``ORDER BY ?city ?year ?class ?label ?report`` (a report without a year first). Read as
    its reports, mentions and entities, joined and sorted here: Oxigraph's join of the three
    took 11 s of a national store, their scans 6 s (#12)."""
    reports: dict[str, list[tuple[str, str, int | None]]] = defaultdict(list)
    for r in select(store, _REPORTS, name="analyses: reports"):
        reports[r["report"]].append((r["cityNode"], r["city"], r["year"]))
    topics: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for r in select(store, _TOPICS, name="analyses: topic entities"):
        topics[r["entity"]].append((r["class"], r["label"]))
    found: dict[tuple, None] = {}  # DISTINCT
    for m in select(store, _MENTIONS, name="analyses: mentions"):
        report, entity = m["report"], m["entity"]
        if report in reports and entity in topics:
            for node, city, year in reports[report]:
                for cls, label in topics[entity]:
                    found[(report, node, city, year, cls, entity, label)] = None
    columns = ("report", "cityNode", "city", "year", "class", "entity", "label")
    rows = [dict(zip(columns, row, strict=True)) for row in found]
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
    edge_years = {k: sorted({y for y in reps.values() if y is not None})
                  for k, reps in edges.items()}
    # an entity's reports and years: those of its edges, summed once (#12)
    mentioned: dict[str, int] = defaultdict(int)
    seen: dict[str, set[int]] = defaultdict(set)
    for (city, entity), reps in edges.items():
        mentioned[entity] += len(reps)
        seen[entity].update(edge_years[(city, entity)])
    g = nx.Graph(name="gov-kg: cities and the entities their reports mention")
    for node, c in sorted(cities.items(), key=lambda kv: (kv[1]["label"], kv[0])):
        years = sorted({y for y in c["reports"].values() if y is not None})
        g.add_node(node, label=c["label"], kind="city", bipartite=0, reports=len(c["reports"]),
                   years=years, **{"class": "City"})
    for node, e in sorted(entities.items(), key=lambda kv: (kv[1]["class"], kv[1]["label"])):
        g.add_node(node, label=e["label"], kind="entity", bipartite=1, **{"class": e["class"]},
                   reports=mentioned[node], years=sorted(seen[node]))
    g.add_edges_from((city, entity, {"weight": len(reps), "years": edge_years[(city, entity)]})
                     for (city, entity), reps in sorted(edges.items()))
    return g


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


# ---- writing -------------------------------------------------------------------------------

def _write_csv(path: Path, columns: list[str], rows: Iterable[dict[str, Any]]) -> Path:
    """``csv.DictWriter`` (extra keys ignored, a missing one left empty), by ``itemgetter``
    while every row has every column: a third of the time for the national tables (#12)."""
    rows = rows if isinstance(rows, list) else list(rows)
    with path.open("w", encoding="utf-8", newline="") as f:
        if len(columns) > 1:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(columns)
            try:
                w.writerows(map(itemgetter(*columns), rows))
                return path
            except KeyError:
                f.seek(0)
                f.truncate()
        dw = csv.DictWriter(f, columns, lineterminator="\n", extrasaction="ignore")
        dw.writeheader()
        dw.writerows(rows)
    return path


def _recurrence_row(r: Recurrence) -> dict[str, Any]:
    return {"entity": r.entity, "class": r.cls, "label": r.label, "city_count": len(r.cities),
            "cities": " | ".join(r.cities), "years": " | ".join(map(str, r.years)),
            "report_count": r.reports, "first_seen": r.first_seen, "last_seen": r.last_seen}


def _recurrence_json(recs: Iterable[Recurrence]) -> str:
    """``json.dumps(rows, ensure_ascii=False, indent=2)``, a row per recurrence as ``asdict``
    would give it with ``cls`` → ``class`` and ``reports`` → ``report_count`` at the end and the
    timeline as objects; by hand, as the json module indents in pure Python (8 s for 185,858
    rows, #12).

    >>> r = Recurrence("e", "Policy", "x", ("A",), (), 1, None, None, (("A", None, None, 1),))
    >>> _recurrence_json([r]) == json.dumps([dict(entity="e", label="x", cities=["A"], years=[],
    ...     first_seen=None, last_seen=None, timeline=[dict(city="A", first_year=None,
    ...     last_year=None, reports=1)], **{"class": "Policy"}, report_count=1)],
    ...     ensure_ascii=False, indent=2)
    True
    """
    text = json.encoder.encode_basestring  # type: ignore[attr-defined]

    def num(v: int | None) -> str:
        return "null" if v is None else str(v)

    def array(items: list[str], pad: str) -> str:
        if not items:
            return "[]"
        return "[\n" + ",\n".join(f"{pad}  {x}" for x in items) + f"\n{pad}]"

    def obj(pairs: list[tuple[str, str]], pad: str) -> str:
        return "{\n" + ",\n".join(f'{pad}  "{k}": {v}' for k, v in pairs) + f"\n{pad}}}"

    return array([obj([
        ("entity", text(r.entity)), ("label", text(r.label)),
        ("cities", array([text(c) for c in r.cities], "    ")),
        ("years", array([str(y) for y in r.years], "    ")),
        ("first_seen", num(r.first_seen)), ("last_seen", num(r.last_seen)),
        ("timeline", array([obj([("city", text(c)), ("first_year", num(a)),
                                 ("last_year", num(b)), ("reports", str(n))], "      ")
                            for c, a, b, n in r.timeline], "    ")),
        ("class", text(r.cls)), ("report_count", str(r.reports))], "  ") for r in recs], "")


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
    # reports per (node or edge, year), counted over the distinct (report, city, entity, year):
    # a report has one city, so each is one report of its entity and of its edge (#12)
    seen = {(r["report"], r["cityNode"], r["entity"], r["year"]) for r in rows
            if r["year"] is not None}
    counts = Counter((e, y) for _, _, e, y in seen)
    counts.update(((c, e) if c < e else (e, c), y) for _, c, e, y in seen)
    counts.update((c, y) for _, c, y in {(rep, c, y) for rep, c, _, y in seen})
    per_year: dict[Any, dict[int, int]] = defaultdict(dict)
    for (key, year), n in counts.items():
        per_year[key][year] = n
    h.graph["mode"] = "dynamic"
    items = [(n, d) for n, d in h.nodes(data=True)]
    items += [((u, v) if u < v else (v, u), d) for u, v, d in h.edges(data=True)]
    for key, d in items:
        years = per_year.get(key)
        if not years:
            continue
        if len(years) == 1:  # most of them (#12)
            ((y, n),) = years.items()
            d["spells"] = [(f"{y}-01-01", f"{y}-12-31")]
            d["reports_in_year"] = [(n, f"{y}-01-01", f"{y}-12-31")]
        else:
            d["spells"] = _spells(years)
            d["reports_in_year"] = [(years[y], f"{y}-01-01", f"{y}-12-31")
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
        # Millions of rows, dicts and tuples, none of them in a cycle: the collector's passes
        # over them were a sixth of a national run (#12). On again for the charts (matplotlib's
        # figures are cycles).
        collecting = gc.isenabled()
        gc.disable()
        try:
            rows = report_entities(store)
            done("graph")
            g = bipartite_graph(rows)
            recs = recurrences(rows)
            done("centrality")
            annotate_centrality(g)
            sims = city_similarity(g)
            done("files")
            written = _tables(out, g, recs, sims)
            graph_files = _GraphFilesAside(out, g, rows)
        finally:
            if collecting:
                gc.enable()
        try:
            done("charts")
            written |= _charts(store, out, rows, recs, sims)
            written |= adoption.outputs(store, out, _write_csv, rows)
            written |= graph_files()
        finally:
            graph_files.stop()
        done("")
    return dict(sorted(written.items()))


def _graph_files(out: Path, g: nx.Graph, rows: list[dict[str, Any]]) -> dict[str, Path]:
    flat = _flat(g)  # one copy for both files (#12)
    return {"graphml": write_graphml(flat, out / "graph.graphml"),
            "gexf": write_gexf(_dynamic(flat, rows), out / "graph.gexf")}


class _GraphFilesAside:
    """``_graph_files`` in a forked process while this one draws the charts (#12: on the
    national store they are 13 s and 11 s of CPU, done one after the other before); calling
    it waits and returns what was written. Where ``fork`` is missing (Windows, one core) the
    files are written at once, here. The child is given the graph by ``fork`` (nothing is
    copied or pickled) and exits without closing anything of its parent's (the store)."""

    def __init__(self, out: Path, g: nx.Graph, rows: list[dict[str, Any]]) -> None:
        self.paths = {"graphml": out / "graph.graphml", "gexf": out / "graph.gexf"}
        self.process: Any = None
        if "fork" in multiprocessing.get_all_start_methods() and (os.cpu_count() or 1) > 1:
            self.process = multiprocessing.get_context("fork").Process(
                target=_graph_files, args=(out, g, rows), name="kg-analyze-graph-files",
                daemon=True)
            self.process.start()
        else:
            self.paths = _graph_files(out, g, rows)

    def __call__(self) -> dict[str, Path]:
        if self.process is not None:
            self.process.join()
            if self.process.exitcode != 0:
                raise RuntimeError(f"writing {', '.join(map(str, self.paths.values()))} failed "
                                   f"(exit code {self.process.exitcode}; its error is above)")
        return self.paths

    def stop(self) -> None:
        """Stop the child if the charts failed (or were interrupted) before it finished."""
        if self.process is not None and self.process.is_alive():
            self.process.terminate()
            self.process.join()


def _tables(out: Path, g: nx.Graph, recs: list[Recurrence],
            sims: list[dict[str, Any]]) -> dict[str, Path]:
    rec_cols = ["entity", "class", "label", "city_count", "cities", "years", "report_count",
                "first_seen", "last_seen"]
    written = {"recurrence": _write_csv(out / "recurrence.csv", rec_cols,
                                        map(_recurrence_row, recs))}
    path = out / "recurrence.json"
    path.write_text(_recurrence_json(recs) + "\n", encoding="utf-8")
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
