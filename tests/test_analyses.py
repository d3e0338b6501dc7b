"""analyze() on the synthetic store (tests/data/synthetic/reports.trig): known recurrences,
Jaccard similarities worked out by hand, a dynamic GEXF, readable PNGs with Chinese glyphs."""

import csv
import json
import warnings
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner
from matplotlib import font_manager
from pyoxigraph import RdfFormat, Store

from kg import charts
from kg.analyses import analyze

FIXTURE = Path(__file__).parent / "data" / "synthetic" / "reports.trig"
R = "https://w3id.org/gov-kg/id/"
FILES = {
    "recurrence": "recurrence.csv", "recurrence_json": "recurrence.json",
    "timeline": "timeline.csv", "city_similarity": "city_similarity.csv",
    "centrality": "centrality.csv", "graphml": "graph.graphml", "gexf": "graph.gexf",
    "chart_policies": "city_policy_heatmap.png", "chart_timeline": "recurring_timeline.png",
    "chart_indicator": "indicator_series.png", "chart_similarity": "city_similarity.png",
    "diffusion": "diffusion.csv", "diffusion_provinces": "diffusion_provinces.csv",
    "chart_diffusion": "diffusion_curves.png", "targets": "targets.csv",
}


def _store() -> Store:
    st = Store()
    st.load(path=str(FIXTURE), format=RdfFormat.TRIG)
    return st


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("analysis")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        written = analyze(_store(), out, progress=False)
    return out, written, [str(w.message) for w in caught]


def _csv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_writes_every_file(run):
    out, written, _ = run
    assert written == {k: out / v for k, v in FILES.items()}
    assert all(p.stat().st_size > 0 for p in written.values())


def test_recurrence_rows(run):
    out = run[0]
    rows = [(r["class"], r["label"], r["city_count"], r["cities"], r["years"],
             r["report_count"], r["first_seen"], r["last_seen"])
            for r in _csv(out / "recurrence.csv")]
    assert rows == [
        ("Policy", "千万工程", "3", "丽水市 | 衢州市 | 金华市", "2023 | 2024", "3", "2023", "2024"),
        ("IndustryChain", "新材料", "2", "衢州市 | 金华市", "2023 | 2024", "3", "2023", "2024"),
        ("Project", "衢丽铁路", "2", "丽水市 | 衢州市", "2023 | 2024", "3", "2023", "2024"),
        ("IndustryChain", "生物医药", "2", "丽水市 | 金华市", "2024", "2", "2024", "2024"),
        ("Policy", "共同富裕示范区", "2", "丽水市 | 衢州市", "2024", "2", "2024", "2024"),
        ("IndustryChain", "高端装备", "1", "衢州市", "2023", "1", "2023", "2023"),
        ("Policy", "山区26县跨越式高质量发展", "1", "丽水市", "2024", "1", "2024", "2024"),
        ("Project", "杭衢高铁", "1", "衢州市", "2024", "1", "2024", "2024"),
        ("Project", "金义新区综合枢纽", "1", "金华市", "2024", "1", "2024", "2024"),
    ]


def test_recurrence_json_timeline(run):
    data = json.loads((run[0] / "recurrence.json").read_text(encoding="utf-8"))
    rail = next(d for d in data if d["label"] == "衢丽铁路")
    assert rail["entity"] == R + "project/衢丽铁路"
    assert rail["cities"] == ["丽水市", "衢州市"] and rail["years"] == [2023, 2024]
    assert rail["timeline"] == [
        {"city": "丽水市", "first_year": 2024, "last_year": 2024, "reports": 1},
        {"city": "衢州市", "first_year": 2023, "last_year": 2024, "reports": 2},
    ]
    timeline = _csv(run[0] / "timeline.csv")
    assert len(timeline) == sum(len(d["timeline"]) for d in data) == 15


def test_city_similarity_is_jaccard(run):
    # topic entities: 衢州 6 (衢丽铁路 杭衢高铁 千万工程 共同富裕示范区 新材料 高端装备),
    # 丽水 5 (衢丽铁路 千万工程 共同富裕示范区 山区26县… 生物医药),
    # 金华 4 (千万工程 金义新区综合枢纽 新材料 生物医药)
    rows = [(r["city_a"], r["city_b"], r["shared"], r["union"], float(r["jaccard"]),
             r["shared_labels"]) for r in _csv(run[0] / "city_similarity.csv")]
    assert rows == [
        ("丽水市", "衢州市", "3", "8", round(3 / 8, 6), "共同富裕示范区 | 千万工程 | 衢丽铁路"),
        ("丽水市", "金华市", "2", "7", round(2 / 7, 6), "生物医药 | 千万工程"),
        ("衢州市", "金华市", "2", "8", round(2 / 8, 6), "新材料 | 千万工程"),
    ]


def test_centrality(run):
    rows = {r["label"]: r for r in _csv(run[0] / "centrality.csv")}
    assert len(rows) == 12
    assert rows["千万工程"]["degree_centrality"] == "1.0"  # all three cities
    assert rows["衢州市"]["degree"] == "6" and rows["衢州市"]["weighted_degree"] == "8"
    assert float(rows["衢州市"]["betweenness"]) > float(rows["金华市"]["betweenness"])
    assert {r["community"] for r in rows.values()} <= {"0", "1", "2"}


def test_graphml(run):
    g = nx.read_graphml(run[0] / "graph.graphml")
    assert g.number_of_nodes() == 12 and g.number_of_edges() == 15  # 6 + 5 + 4
    edge = g.edges[R + "city/330800", R + "project/衢丽铁路"]
    assert edge["weight"] == 2 and edge["years"] == "2023 2024"
    assert g.nodes[R + "policy/千万工程"]["label"] == "千万工程"


def _nx_graphml(g: nx.Graph, folder: Path) -> bytes:
    nx.write_graphml(g, folder / "nx.graphml")
    return (folder / "nx.graphml").read_bytes()


def _nx_gexf(g: nx.Graph) -> bytes:
    """networkx's GEXF of ``g``, without the date it was written."""
    import re

    gexf = re.sub(r' lastmodifieddate="[^"]*"', "", "\n".join(nx.generate_gexf(g)), count=1)
    return f"<?xml version='1.0' encoding='utf-8'?>\n{gexf}\n".encode()


def test_streamed_graph_files_are_networkx_files(run, tmp_path):
    """The streamed GraphML and GEXF are the bytes networkx's writers give for the same graph,
    and read back as the graph analyze built (nodes, edges, every attribute)."""
    from kg import analyses

    out = run[0]
    rows = analyses.report_entities(_store())
    built = analyses.bipartite_graph(rows)
    analyses.annotate_centrality(built)
    flat = analyses._flat(built)
    assert (out / "graph.graphml").read_bytes() == _nx_graphml(flat, tmp_path)
    again = nx.read_graphml(out / "graph.graphml")
    assert dict(again.nodes(data=True)) == dict(flat.nodes(data=True))
    assert {frozenset((u, v)): d for u, v, d in again.edges(data=True)} == {
        frozenset((u, v)): d for u, v, d in flat.edges(data=True)}
    dynamic = analyses._dynamic(flat, rows)
    assert (out / "graph.gexf").read_bytes() == _nx_gexf(dynamic)
    back = nx.read_gexf(out / "graph.gexf")
    assert sorted(back) == sorted(dynamic) and back.number_of_edges() == 15
    for n, d in dynamic.nodes(data=True):
        assert {k: back.nodes[n][k] for k in d} == d
    for u, v, d in dynamic.edges(data=True):
        assert {k: back.edges[u, v][k] for k in d} == d


def _odd_graph() -> nx.Graph:
    """Escapes (quotes, ampersands, tabs, newlines, CR, CJK, astral), empty and absent values,
    mixed types of one attribute, an isolated node, static and dynamic lists."""
    g = nx.Graph(name='a "name" & <more>\tτ', note=3)
    g.add_node('n&1 "x"', label="甲\n乙\r丙\t<b>&'", years="", score=1.5, flag=True,
               spells=[("2020-01-01", "2021-12-31")], reports_in_year=[(2, "2020-01-01", None)])
    g.add_node("n2", score=2, big=float("inf"), tiny=-0.0, kind="\U0001f600 emoji")
    g.add_node("alone")
    g.add_edge('n&1 "x"', "n2", weight=3, years="2020 2021", label="e<1>",
               spells=[("2020-01-01", "2020-12-31")], reports_in_year=[(1, "2020-01-01",
                                                                        "2020-12-31")])
    g.add_edge("n2", "n3")
    return g


@pytest.mark.parametrize("graph", [nx.Graph(), nx.Graph(name="empty"), _odd_graph()],
                         ids=["bare", "empty", "odd"])
def test_streamed_writers_match_networkx_on_odd_graphs(graph, tmp_path):
    from kg.graphio import write_gexf, write_graphml

    plain = graph.copy()
    for _, d in plain.nodes(data=True):
        d.pop("spells", None), d.pop("reports_in_year", None)
    for _, _, d in plain.edges(data=True):
        d.pop("spells", None), d.pop("reports_in_year", None)
    graphml = _nx_graphml(plain, tmp_path)
    assert write_graphml(plain, tmp_path / "g.graphml").read_bytes() == graphml
    assert write_gexf(graph, tmp_path / "g.gexf").read_bytes() == _nx_gexf(graph)
    assert not (tmp_path / "g.gexf.part").exists()
    nx.read_gexf(tmp_path / "g.gexf")
    assert nx.utils.graphs_equal(nx.read_graphml(tmp_path / "g.graphml"),
                                 nx.read_graphml(tmp_path / "nx.graphml"))


def test_streamed_writers_refuse_what_xml_cannot_hold(tmp_path):
    from kg.graphio import write_gexf, write_graphml

    g = nx.Graph([("a", "b")])
    g.nodes["a"]["label"] = "bell\x07"
    with pytest.raises(ValueError, match="no XML can hold"):
        write_graphml(g, tmp_path / "g.graphml")
    with pytest.raises(ValueError, match="no XML can hold"):
        write_gexf(g, tmp_path / "g.gexf")


def test_gexf_is_dynamic(run):
    path = run[0] / "graph.gexf"
    g = nx.read_gexf(path)
    assert g.graph["mode"] == "dynamic"
    root = ET.parse(path).getroot()
    graph = root.find("{http://www.gexf.net/1.2draft}graph")
    assert graph.get("mode") == "dynamic" and graph.get("timeformat") == "date"
    assert g.nodes[R + "industry-chain/高端装备"]["spells"] == [("2023-01-01", "2023-12-31")]
    assert g.nodes[R + "city/330800"]["spells"] == [("2023-01-01", "2024-12-31")]
    edge = g.edges[R + "city/330800", R + "project/衢丽铁路"]
    assert edge["spells"] == [("2023-01-01", "2024-12-31")]
    assert edge["reports_in_year"] == [(1, "2023-01-01", "2023-12-31"),
                                       (1, "2024-01-01", "2024-12-31")]


def test_pngs_render_chinese(run):
    out, written, messages = run
    for key in ("chart_policies", "chart_timeline", "chart_indicator", "chart_similarity",
                "chart_diffusion"):
        data = written[key].read_bytes()
        assert data.startswith(b"\x89PNG") and len(data) > 10_000
    assert not [m for m in messages if "missing from font" in m or "findfont" in m]


def test_cjk_font_resolves_to_cjk_glyphs():
    font = charts.cjk_font()
    found = font_manager.findfont(font_manager.FontProperties(family=font.name),
                                  fallback_to_default=False)
    labels = "千万工程新材料生物医药共同富裕示范区衢丽铁路丽水市衢州市金华市（）：、"
    assert charts.covers(found, charts.SAMPLE + labels)
    assert not charts.covers(font_manager.findfont("DejaVu Sans"), "政府")


def test_deterministic(run, tmp_path):
    analyze(_store(), tmp_path, progress=False)
    for name in FILES.values():
        assert (tmp_path / name).read_bytes() == (run[0] / name).read_bytes(), name


def test_graph_files_written_beside_the_charts_fail_loudly(tmp_path, monkeypatch):
    """The GraphML and GEXF are written in a forked process while the charts are drawn; if
    that process fails, analyze says which files and raises, rather than returning paths of
    files that were never written."""
    import kg.analyses

    def broken(out, g, rows):
        raise OSError("disk full")

    monkeypatch.setattr(kg.analyses, "_graph_files", broken)
    with pytest.raises((RuntimeError, OSError), match="graph.graphml|disk full"):
        analyze(_store(), tmp_path, progress=False)
    assert not (tmp_path / "graph.gexf").exists()
    assert (tmp_path / "recurrence.csv").is_file()  # what was written before stays


def test_cli(tmp_path):
    from kg.cli import main

    store = Store(str(tmp_path / "store"))
    store.load(path=str(FIXTURE), format=RdfFormat.TRIG)
    store.flush()
    del store
    result = CliRunner().invoke(main, ["analyze", "--store", str(tmp_path / "store"),
                                       "--out", str(tmp_path / "out"), "-q"])
    assert result.exit_code == 0, result.output
    assert "recurrence.csv" in result.output
    assert (tmp_path / "out" / "graph.gexf").is_file()


def _random_bipartite(seed: int) -> nx.Graph:
    """Cities and entities as kg analyze draws them, with entities one city names (leaves),
    shared ones, and, every third graph, a component of its own and an isolated node."""
    import random

    rnd = random.Random(seed)
    cities = [f"c{i}" for i in range(rnd.randint(1, 7))]
    g = nx.Graph()
    g.add_nodes_from(cities)
    for e in range(rnd.randint(1, 40)):
        for c in rnd.sample(cities, min(rnd.choice([1, 1, 1, 2, 7]), len(cities))):
            g.add_edge(c, f"e{e}")
    if seed % 3 == 0:
        g.add_edges_from([("x", "y"), ("y", "z")])
        g.add_node("alone")
    return g


@pytest.mark.parametrize("seed", range(40))
def test_leaf_betweenness_is_exact_without_pivots(seed):
    from kg.centrality import _pivot_betweenness

    g = _random_bipartite(seed)
    expected = nx.betweenness_centrality(g, normalized=False, weight=None)
    got = _pivot_betweenness(g, pivots=None)
    assert list(got) == list(expected)
    assert got == pytest.approx(expected, abs=1e-9)


def test_sampled_betweenness_above_the_threshold(monkeypatch, tmp_path):
    """Past BETWEENNESS_EXACT_MAX nodes: an estimate from a few pivots, the same on every run,
    said in the GraphML; the cities keep their order on the synthetic store, and pivots from
    every node that is not a leaf give the exact values."""
    from kg import centrality

    exact = {r["label"]: float(r["betweenness"])
             for r in _csv_of(centrality, tmp_path / "exact", monkeypatch, None)}
    first = _csv_of(centrality, tmp_path / "a", monkeypatch, 3)
    assert first == _csv_of(centrality, tmp_path / "b", monkeypatch, 3)
    sampled = {r["label"]: float(r["betweenness"]) for r in first}
    assert set(sampled) == set(exact) and sampled != exact
    cities = ["衢州市", "丽水市", "金华市"]
    assert sorted(cities, key=exact.get) == sorted(cities, key=sampled.get)
    g = nx.read_graphml(tmp_path / "a" / "graph.graphml")
    assert g.graph["betweenness"].startswith("estimated: degree-1 nodes exactly")
    assert "betweenness" not in nx.read_graphml(tmp_path / "exact" / "graph.graphml").graph
    every = {r["label"]: float(r["betweenness"])
             for r in _csv_of(centrality, tmp_path / "all", monkeypatch, 100)}
    assert every == pytest.approx(exact, abs=2e-6)


def _csv_of(centrality, out: Path, monkeypatch, pivots: int | None) -> list[dict]:
    with monkeypatch.context() as m:
        if pivots is not None:
            m.setattr(centrality, "BETWEENNESS_EXACT_MAX", 0)
            m.setattr(centrality, "BETWEENNESS_PIVOTS", pivots)
        analyze(_store(), out, progress=False)
    return _csv(out / "centrality.csv")


def test_chart_cities_past_the_limit(monkeypatch):
    from kg import analyses

    rows = [dict(city=c, report=f"{c}{i}") for c, n in (("B", 3), ("A", 1), ("C", 2))
            for i in range(n)]
    assert analyses._chart_cities(rows) == (["A", "B", "C"], "")
    monkeypatch.setattr(analyses, "CHART_CITIES", 2)
    assert analyses._chart_cities(rows) == (["B", "C"], "（报告最多的 2 个城市）")


@pytest.mark.parametrize("seed", range(60))
def test_louvain_is_networkxs(seed):
    """kg.centrality.louvain gives networkx's communities, seed for seed: weighted random
    graphs with self-loops, string labels, isolated nodes and no edges at all."""
    import random

    from kg.centrality import louvain

    rnd = random.Random(seed)
    n = rnd.randint(0, 60)
    g = nx.gnm_random_graph(n, rnd.randint(0, 3 * n + 1), seed=seed)
    for u, v in g.edges:
        g.edges[u, v]["weight"] = rnd.choice([1, 1, 2, 3])
    if seed % 4 == 0 and n:
        g.add_edge(0, 0, weight=2)
    if seed % 5 == 0:
        g = nx.relabel_nodes(g, {u: f"n{(u * 7) % (n + 1)}" for u in g})
    for s in (42, seed):
        assert louvain(g, seed=s) == nx.community.louvain_communities(g, weight="weight", seed=s)
    g = _random_bipartite(seed)
    nx.set_edge_attributes(g, 1, "weight")
    assert louvain(g) == nx.community.louvain_communities(g, weight="weight", seed=42)


def test_report_entities_are_the_querys_rows(corpus_store):
    """report_entities reads REPORT_ENTITIES in three parts (#12): the same rows, in the order
    of ORDER BY ?city ?year ?class ?label ?report, on the synthetic store and on corpus/."""
    from kg import analyses
    from kg.store import select

    for store in (_store(), corpus_store):
        expected = select(store, analyses.REPORT_ENTITIES)
        expected.sort(key=lambda r: (r["city"], r["year"] is not None, r["year"] or 0,
                                     r["class"], r["label"], r["report"]))
        assert analyses.report_entities(store) == expected and expected
