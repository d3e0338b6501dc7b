"""Golden results of the named queries on a synthetic store whose recurrences are known.

tests/data/synthetic/reports.trig: 衢州市 (reports 2023 and 2024), 丽水市 and 金华市 (2024).
千万工程 is in three cities; 新材料, 生物医药, 共同富裕示范区 and 衢丽铁路 in two; 杭衢高铁,
金义新区综合枢纽, 高端装备 and 山区26县跨越式高质量发展 in one. 丽水市's report also names 衢州市
(a City, which recurring.rq leaves out).
"""

import random
from decimal import Decimal
from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, Store

from kg import queries
from kg.errors import QueryError
from kg.store import select

FIXTURE = Path(__file__).parent / "data" / "synthetic" / "reports.trig"
R = "https://w3id.org/gov-kg/id/"
MINE = ("recurring", "entity_timeline", "city_profile", "indicator_series", "diffusion",
        "targets", "report_meta")


@pytest.fixture(scope="module")
def store() -> Store:
    st = Store()
    st.load(path=str(FIXTURE), format=RdfFormat.TRIG)
    return st


def run(store: Store, name: str, **params: str) -> list[dict]:
    q = queries.get(name)
    return select(store, q.text, q.bindings(params), name=name)


def table(rows: list[dict], *columns: str) -> list[tuple]:
    return [tuple(r[c] for c in columns) for r in rows]


@pytest.mark.parametrize("name", MINE)
def test_header_has_description_and_params(name):
    q = queries.get(name)
    assert len(q.description) > 40
    assert all(p.description for p in q.params)


@pytest.mark.parametrize("name,param", [("entity_timeline", "label"), ("city_profile", "city"),
                                        ("indicator_series", "indicator")])
def test_required_param(name, param):
    q = queries.get(name)
    assert [p.name for p in q.params if p.required] == [param]
    with pytest.raises(QueryError, match=param):
        q.bindings({})


def test_recurring(store):
    rows = run(store, "recurring")
    assert list(rows[0]) == ["class", "entity", "label", "cityCount", "cities", "years"]
    assert table(rows, "class", "label", "cityCount", "cities", "years") == [
        ("Policy", "千万工程", 3, "丽水市 | 衢州市 | 金华市", "2023 | 2024"),
        ("IndustryChain", "新材料", 2, "衢州市 | 金华市", "2023 | 2024"),
        ("IndustryChain", "生物医药", 2, "丽水市 | 金华市", "2024"),
        ("Policy", "共同富裕示范区", 2, "丽水市 | 衢州市", "2024"),
        ("Project", "衢丽铁路", 2, "丽水市 | 衢州市", "2023 | 2024"),
    ]
    assert rows[0]["entity"] == R + "policy/千万工程"


def test_recurring_by_class(store):
    rows = run(store, "recurring", **{"class": "Project"})
    assert table(rows, "label", "cities") == [("衢丽铁路", "丽水市 | 衢州市")]
    assert run(store, "recurring", **{"class": "County"}) == []


def test_entity_timeline(store):
    rows = run(store, "entity_timeline", label="衢丽铁路")
    assert table(rows, "class", "city", "reportYear", "report", "mentionCount", "surfaces",
                 "sectionKinds") == [
        ("Project", "衢州市", 2023, R + "report/330800-2023", 1, "衢丽铁路衢州至松阳段", "plan"),
        ("Project", "丽水市", 2024, R + "report/331100-2024", 1, "衢丽铁路", "review"),
        ("Project", "衢州市", 2024, R + "report/330800-2024", 2, "衢丽铁路 | 衢丽铁路衢州段",
         "review | plan"),
    ]
    assert {r["label"] for r in rows} == {"衢丽铁路"}
    assert {r["entity"] for r in rows} == {R + "project/衢丽铁路"}


def test_entity_timeline_county_and_unknown(store):
    rows = run(store, "entity_timeline", label="柯城区")
    assert table(rows, "class", "city", "reportYear", "mentionCount") == [
        ("County", "衢州市", 2023, 1), ("County", "衢州市", 2024, 1)]
    assert run(store, "entity_timeline", label="不存在的项目") == []


def test_city_profile(store):
    rows = run(store, "city_profile", city="衢州市")
    assert table(rows, "city", "class", "label", "reportCount", "years", "sharedCount",
                 "sharedWith") == [
        ("衢州市", "County", "柯城区", 2, "2023 | 2024", 0, ""),
        ("衢州市", "IndustryChain", "新材料", 2, "2023 | 2024", 1, "金华市"),
        ("衢州市", "IndustryChain", "高端装备", 1, "2023", 0, ""),
        ("衢州市", "Policy", "千万工程", 1, "2023", 2, "丽水市 | 金华市"),
        ("衢州市", "Policy", "共同富裕示范区", 1, "2024", 1, "丽水市"),
        ("衢州市", "Project", "衢丽铁路", 2, "2023 | 2024", 1, "丽水市"),
        ("衢州市", "Project", "杭衢高铁", 1, "2024", 0, ""),
    ]


def test_city_profile_names_other_cities(store):
    rows = run(store, "city_profile", city="丽水市")
    assert table(rows, "class", "label", "sharedCount", "sharedWith") == [
        ("City", "衢州市", 1, "衢州市"),
        ("IndustryChain", "生物医药", 1, "金华市"),
        ("Policy", "千万工程", 2, "衢州市 | 金华市"),
        ("Policy", "共同富裕示范区", 1, "衢州市"),
        ("Policy", "山区26县跨越式高质量发展", 0, ""),
        ("Project", "衢丽铁路", 1, "衢州市"),
    ]
    assert run(store, "city_profile", city="杭州市") == []


def _many_cities() -> tuple[Store, dict[str, dict], dict[str, tuple[str, str, str, int]]]:
    """A store of 12 cities, 1–3 reports each, mentioning overlapping entities of every class
    (a county and another city too); the entities graph holds labels and types, the report
    graphs hold the reports, as ``kg build`` lays them out. Also returns the entities
    (IRI → class and label) and the reports (IRI → city IRI, city label, year)."""
    rnd = random.Random(12)
    gk, a = "https://w3id.org/gov-kg/ontology#", NamedNode(
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    label = NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    entities_graph = NamedNode(R + "graph/entities")
    cities = {f"{R}city/{i}": f"城{i}市" for i in range(12)}
    entities = {f"{R}{cls.lower()}/{i}": {"class": cls, "label": f"{cls}{i}"}
                for cls in ("Project", "Policy", "IndustryChain") for i in range(15)}
    entities[R + "county/1"] = {"class": "County", "label": "某县"}
    entities |= {c: {"class": "City", "label": lab} for c, lab in cities.items()}
    st = Store()
    for node, e in entities.items():
        st.add(Quad(NamedNode(node), a, NamedNode(gk + e["class"]), entities_graph))
        st.add(Quad(NamedNode(node), label, Literal(e["label"]), entities_graph))
    reports = {}
    for c, city in cities.items():
        for year in rnd.sample(range(2019, 2025), rnd.randint(1, 3)):
            r = NamedNode(f"{R}report/{c[-2:]}-{year}")
            reports[r.value] = (c, city, year)
            st.add(Quad(r, a, NamedNode(gk + "Report"), r))
            st.add(Quad(r, NamedNode(gk + "city"), NamedNode(c), r))
            st.add(Quad(r, NamedNode(gk + "reportYear"), Literal(year), r))
            for e in rnd.sample(sorted(entities), 12) + [c]:  # a report names its own city
                st.add(Quad(r, NamedNode(gk + "mentions"), NamedNode(e), r))
    return st, entities, reports


def test_city_profile_is_what_python_counts():
    """Every city's rows against the same counts done by hand, on a store where many entities
    are shared: the query reads only the asked city's reports, then each entity's others."""
    st, entities, reports = _many_cities()
    mentions = {(q.graph_name.value, q.object.value) for q in st.quads_for_pattern(
        None, NamedNode("https://w3id.org/gov-kg/ontology#mentions"), None)}
    for city in sorted({c for _, c, _ in reports.values()}):
        mine = {(r, e) for r, e in mentions if reports[r][1] == city and e != reports[r][0]}
        expected = []
        for e in sorted({e for _, e in mine}):
            years = sorted({reports[r][2] for r, e2 in mine if e2 == e})
            others = sorted({reports[r][1] for r, e2 in mentions if e2 == e} - {city})
            expected.append((city, entities[e]["class"], entities[e]["label"], e,
                             sum(e2 == e for _, e2 in mine), " | ".join(map(str, years)),
                             len(others), " | ".join(others)))
        expected.sort(key=lambda t: (t[1], -t[4], -t[6], t[2]))
        got = table(run(st, "city_profile", city=city), "city", "class", "label", "entity",
                    "reportCount", "years", "sharedCount", "sharedWith")
        assert got == expected, city


def test_indicator_series(store):
    rows = run(store, "indicator_series", indicator="地区生产总值")
    assert table(rows, "city", "year", "value", "unit", "measure", "kind", "qualifier",
                 "report") == [
        ("丽水市", 2023, Decimal("7"), "%", "growth", "actual", None, R + "report/331100-2024"),
        ("衢州市", 2022, Decimal("6.2"), "%", "growth", "actual", None, R + "report/330800-2023"),
        ("衢州市", 2023, Decimal("6"), "%", "growth", "actual", None, R + "report/330800-2024"),
        ("金华市", 2023, Decimal("5.5"), "%", "growth", "actual", None, R + "report/330700-2024"),
        ("衢州市", 2023, Decimal("6.5"), "%", "growth", "target", None, R + "report/330800-2023"),
        ("衢州市", 2024, Decimal("6"), "%", "growth", "target", "左右", R + "report/330800-2024"),
        ("衢州市", 2023, Decimal("2125.2"), "亿元", "level", "actual", None,
         R + "report/330800-2024"),
    ]
    assert {r["indicator"] for r in rows} == {"地区生产总值"}


def test_indicator_series_optional_filters(store):
    rows = run(store, "indicator_series", indicator="地区生产总值", measure="growth",
               kind="target", city="衢州市")
    assert table(rows, "year", "value", "qualifier") == [(2023, Decimal("6.5"), None),
                                                         (2024, Decimal("6"), "左右")]
    rows = run(store, "indicator_series", indicator="一般公共预算收入")
    assert table(rows, "city", "year", "value", "unit") == [
        ("丽水市", 2023, Decimal("180.5"), "亿元")]


def test_diffusion(store):
    rows = run(store, "diffusion", **{"class": "Policy"})
    assert list(rows[0]) == ["entity", "class", "city", "province", "firstYear"]
    assert table(rows, "entity", "city", "province", "firstYear") == [
        (R + "policy/共同富裕示范区", "丽水市", "浙江省", 2024),
        (R + "policy/共同富裕示范区", "衢州市", "浙江省", 2024),
        (R + "policy/千万工程", "衢州市", "浙江省", 2023),
        (R + "policy/千万工程", "丽水市", "浙江省", 2024),
        (R + "policy/千万工程", "金华市", "浙江省", 2024),
        (R + "policy/山区26县跨越式高质量发展", "丽水市", "浙江省", 2024),
    ]
    rows = run(store, "diffusion")
    assert {r["class"] for r in rows} == {"Policy", "Project", "IndustryChain"} and len(rows) == 15
    assert table(run(store, "diffusion", **{"class": "Project"}), "entity", "city", "firstYear") == [
        (R + "project/杭衢高铁", "衢州市", 2024), (R + "project/衢丽铁路", "衢州市", 2023),
        (R + "project/衢丽铁路", "丽水市", 2024), (R + "project/金义新区综合枢纽", "金华市", 2024)]


def test_targets_and_report_meta_without_their_data(store):
    # the synthetic store has no targets graph and no title blocks: no rows, the columns kept
    assert run(store, "targets") == []
    rows = run(store, "report_meta")
    assert table(rows, "city", "reportYear", "deliveryDate", "speaker") == [
        ("丽水市", 2024, None, None), ("衢州市", 2023, None, None), ("衢州市", 2024, None, None),
        ("金华市", 2024, None, None)]
