"""Diffusion (#13): per policy, the cities adopting it by year and the provinces naming it first;
on hand-made rows, on the synthetic store (tests/data/synthetic/reports.trig) and on corpus/."""

import csv
from pathlib import Path

import pytest
from pyoxigraph import RdfFormat, Store

from kg import queries
from kg.adoption import diffusion
from kg.analyses import analyze, recurrences, report_entities
from kg.store import select

FIXTURE = Path(__file__).parent / "data" / "synthetic" / "reports.trig"
R = "https://w3id.org/gov-kg/id/"


def rows(*cities: tuple[str, str | None, int], entity: str = R + "policy/河长制") -> list[dict]:
    return [dict(entity=entity, city=c, province=p, firstYear=y) for c, p, y in cities]


def test_adoption_by_year_and_provinces_in_order():
    (d,) = diffusion(rows(("湖州市", "浙江省", 2016), ("无锡市", "江苏省", 2008),
                          ("苏州市", "江苏省", 2009), ("衢州市", "浙江省", 2014),
                          ("合肥市", "安徽省", 2016), ("北京市", None, 2017)))
    assert (d.label, d.first_year, d.first_cities, d.cities) == ("河长制", 2008, ("无锡市",), 6)
    assert d.adoption == ((2008, 1, 1), (2009, 1, 2), (2014, 1, 3), (2016, 2, 5), (2017, 1, 6))
    # a province's first year is its first city's; a municipality is its own province
    assert d.provinces == (("江苏省", 2008, "无锡市", 2), ("浙江省", 2014, "衢州市", 2),
                           ("安徽省", 2016, "合肥市", 1), ("北京市", 2017, "北京市", 1))


def test_most_cities_first_then_earliest():
    found = diffusion(rows(("A市", "P", 2020), entity=R + "policy/甲")
                      + rows(("A市", "P", 2021), ("B市", "P", 2022), entity=R + "policy/乙")
                      + rows(("C市", "Q", 2019), entity=R + "policy/丙"))
    assert [d.label for d in found] == ["乙", "丙", "甲"]
    assert diffusion([]) == []


@pytest.fixture(scope="module")
def analysed(tmp_path_factory):
    store = Store()
    store.load(path=str(FIXTURE), format=RdfFormat.TRIG)
    out = tmp_path_factory.mktemp("analysis")
    return out, analyze(store, out, progress=False)


def _csv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_diffusion_table(analysed):
    out, written = analysed
    assert written["diffusion"] == out / "diffusion.csv"
    got = [(r["label"], r["city_count"], r["first_year"], r["first_cities"], r["first_provinces"],
            r["province_count"], r["adoption"]) for r in _csv(out / "diffusion.csv")]
    assert got == [
        ("千万工程", "3", "2023", "衢州市", "浙江省", "1", "2023:1 | 2024:3"),
        ("共同富裕示范区", "2", "2024", "丽水市 | 衢州市", "浙江省", "1", "2024:2"),
        ("山区26县跨越式高质量发展", "1", "2024", "丽水市", "浙江省", "1", "2024:1"),
    ]


def test_diffusion_provinces(analysed):
    got = [(r["label"], r["rank"], r["province"], r["first_year"], r["first_city"], r["cities"])
           for r in _csv(analysed[0] / "diffusion_provinces.csv")]
    assert got[0] == ("千万工程", "1", "浙江省", "2023", "衢州市", "3")
    assert len(got) == 3


def test_adoption_chart(analysed):
    data = analysed[1]["chart_diffusion"].read_bytes()
    assert data.startswith(b"\x89PNG") and len(data) > 10_000


def test_diffusion_agrees_with_recurrence_on_the_corpus(corpus_store):
    q = queries.get("diffusion")
    spread = {d.entity: d for d in diffusion(
        select(corpus_store, q.text, q.bindings({"class": "Policy"}), name="diffusion"))}
    recs = {r.entity: r for r in recurrences(report_entities(corpus_store)) if r.cls == "Policy"}
    assert set(spread) == set(recs) and len(spread) > 20
    for entity, d in spread.items():
        r = recs[entity]
        assert (d.cities, d.first_year) == (len(r.cities), r.first_seen), d.label
        assert d.first_cities == tuple(sorted(c for c, first, _, _ in r.timeline
                                              if first == r.first_seen))
    assert spread[R + "policy/八八战略"].provinces[0][0] == "浙江省"


@pytest.mark.parametrize("cls", ["Policy", "Project", "IndustryChain"])
def test_diffusion_rows_are_the_named_querys(cls, corpus_store):
    """kg analyze takes the diffusion rows from the rows it has read already (#12): the same
    rows, in the same order, as the named query on the synthetic store and on corpus/."""
    from kg.adoption import diffusion_rows

    synthetic = Store()
    synthetic.load(path=str(FIXTURE), format=RdfFormat.TRIG)
    q = queries.get("diffusion")
    for store in (synthetic, corpus_store):
        expected = select(store, q.text, q.bindings({"class": cls}), name="diffusion")
        assert diffusion_rows(store, report_entities(store), cls) == expected
        assert expected
