"""Targets against outcomes (#13) on made-up consecutive reports of one city: the 2023 report
sets targets, the 2024 report states what 2023 brought; real builds into real stores."""

from decimal import Decimal as D
from pathlib import Path

import pytest
from pyoxigraph import Store

from kg import pipeline, queries, rdf, targets
from kg.store import open_store, select
from kg.validate import validate

REPORT_2023 = """2023年衢州市政府工作报告

——2023年1月10日在衢州市第九届人民代表大会第三次会议上

衢州市人民政府市长 高屹

各位代表：

一、2022年工作回顾

2022年，全市地区生产总值增长6.2%。

二、2023年目标任务

今年经济社会发展的主要预期目标是：地区生产总值增长6.5%左右，固定资产投资增长8%以上，\
居民消费价格涨幅控制在3%以内，一般公共预算收入增长6%。
"""

REPORT_2024 = """2024年衢州市政府工作报告

——2024年1月20日在衢州市第九届人民代表大会第四次会议上

衢州市人民政府市长 高屹

各位代表：

一、2023年工作回顾

2023年，全市地区生产总值增长{gdp}%，固定资产投资增长7.1%，居民消费价格涨幅为0.2%，\
一般公共预算收入增长9.5%。

二、2024年目标任务

今年经济社会发展的主要预期目标是：地区生产总值增长6%左右。
"""

R = "https://w3id.org/gov-kg/id/report/"
COLUMNS = ("city", "indicator", "measure", "year", "target", "actual", "status", "gap")


def write(folder: Path, gdp: str = "6.8") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "2023.txt").write_text(REPORT_2023, encoding="utf-8")
    (folder / "2024.txt").write_text(REPORT_2024.format(gdp=gdp), encoding="utf-8")
    return folder


def outcomes(store: Store, **params: str) -> list[tuple]:
    q = queries.get("targets")
    return [tuple(r[c] for c in COLUMNS)
            for r in select(store, q.text, q.bindings(params), name="targets")]


def graph(store: Store) -> set:
    return {(q.subject, q.predicate, q.object)
            for q in store.quads_for_pattern(None, None, None, rdf.TARGETS_GRAPH)}


@pytest.fixture()
def built(tmp_path):
    path = tmp_path / "store"
    pipeline.build([write(tmp_path / "texts")], path, progress=False)
    return tmp_path, path


def test_each_target_against_the_next_reports_actual(built):
    store = open_store(built[1])
    assert outcomes(store) == [
        ("衢州市", "一般公共预算收入", "growth", 2023, D("6"), D("9.5"), "exceeded", D("3.5")),
        ("衢州市", "固定资产投资", "growth", 2023, D("8"), D("7.1"), "missed", D("-0.9")),
        ("衢州市", "地区生产总值", "growth", 2023, D("6.5"), D("6.8"), "met", D("0.3")),
        ("衢州市", "居民消费价格", "growth", 2023, D("3"), D("0.2"), "met", D("-2.8")),
    ]
    # 2024's target has no outcome yet; 2022's actual had no target
    assert outcomes(store, indicator="地区生产总值", city="衢州市") == [
        ("衢州市", "地区生产总值", "growth", 2023, D("6.5"), D("6.8"), "met", D("0.3"))]


def test_how_each_bound_was_read(built):
    q = queries.get("targets")
    rows = select(open_store(built[1]), q.text, name="targets")
    assert [(r["indicator"], r["bound"], r["tolerance"], r["targetReport"], r["actualReport"])
            for r in rows] == [
        ("一般公共预算收入", "atLeast", D("0.5"), R + "330800-2023", R + "330800-2024"),
        ("固定资产投资", "atLeast", D("0.5"), R + "330800-2023", R + "330800-2024"),
        ("地区生产总值", "about", D("0.5"), R + "330800-2023", R + "330800-2024"),
        ("居民消费价格", "atMost", None, R + "330800-2023", R + "330800-2024"),
    ]


def test_the_links_conform_to_the_shapes(built):
    report = validate(open_store(built[1]))
    assert report.conforms, report.text


def test_rebuilding_is_idempotent(built):
    tmp, path = built
    first = graph(open_store(path))
    pipeline.build([tmp / "texts"], path, progress=False, force=True)
    assert graph(open_store(path)) == first and len(first) == 4 * 7 - 1  # a cap: no tolerance


def test_a_replaced_report_replaces_its_links(built):
    tmp, path = built
    write(tmp / "texts", gdp="5.1")
    (result, *_) = [r for r in pipeline.build([tmp / "texts" / "2024.txt"], path,
                                              progress=False, replace=True)]
    assert result.status == "built"
    rows = outcomes(open_store(path), indicator="地区生产总值")
    assert rows == [("衢州市", "地区生产总值", "growth", 2023, D("6.5"), D("5.1"), "missed",
                     D("-1.4"))]


def test_one_report_alone_has_no_outcomes(tmp_path):
    (tmp_path / "2023.txt").write_text(REPORT_2023, encoding="utf-8")
    path = tmp_path / "store"
    pipeline.build([tmp_path / "2023.txt"], path, progress=False)
    store = open_store(path)
    assert outcomes(store) == [] and graph(store) == set()


@pytest.mark.parametrize("target, actual, read, unit, measure, status", [
    ("6.5", "6.0", "about", "%", "growth", "met"),      # the tolerance's edge
    ("6.5", "7.1", "about", "%", "growth", "exceeded"),
    ("6.5", "5.9", "about", "%", "growth", "missed"),
    ("-3", "-4", "about", "%", "growth", "exceeded"),   # a decline: down is ahead
    ("8", "8", "atLeast", "%", "growth", "met"),
    ("8", "8.5", "atLeast", "%", "growth", "met"),
    ("8", "8.6", "atLeast", "%", "growth", "exceeded"),
    ("2200", "2230", "atLeast", "亿元", "level", "met"),  # within 2% of the target
    ("2200", "2250", "atLeast", "亿元", "level", "exceeded"),
    ("-3", "-2.5", "atMost", "%", "growth", "missed"),  # 下降3%: declined less
    ("-3", "-5", "atMost", "%", "growth", "exceeded"),
    ("4.5", "4.5", "atMost", "%", "level", "met"),      # a cap: at it is within it
    ("4.5", "1.2", "atMost", "%", "level", "met"),      # ... and never exceeded
    ("4.5", "4.6", "atMost", "%", "level", "missed"),
])
def test_judge(target, actual, read, unit, measure, status):
    j = targets.judge(D(target), D(actual), read, unit, measure)
    assert j.status == status and j.gap == D(actual) - D(target)


def test_the_first_later_report_is_the_outcome():
    base = dict(area="c", indicator="i", measure="growth", unit="%", year=2023, bound="atLeast",
                qualifier=None, kind="actual")
    rows = [base | dict(o="t", report="r2023", reviewYear=2022, kind="target", index=3,
                        value=D("7")),
            base | dict(o="t2", report="r2023", reviewYear=2022, kind="target", index=8,
                        value=D("9")),  # restated later in the same report: the first counts
            base | dict(o="a25", report="r2025", reviewYear=2024, index=1, value=D("6.9")),
            base | dict(o="a24", report="r2024", reviewYear=2023, index=5, value=D("7.2")),
            base | dict(o="x", report="r2023", reviewYear=2022, index=2, value=D("1"))]
    (found,) = targets.outcomes(rows)
    assert (found.target, found.actual, found.judgement.status) == ("t", "a24", "met")


def test_analyze_charts_each_city(built, tmp_path):
    from kg.analyses import analyze

    out = tmp_path / "analysis"
    written = analyze(open_store(built[1]), out, progress=False)
    chart = written["chart_targets:衢州市"]
    assert chart == out / "targets" / "衢州市.png"
    assert chart.read_bytes().startswith(b"\x89PNG") and chart.stat().st_size > 20_000
    lines = (out / "targets.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0].split(",")[:8] == list(COLUMNS) and len(lines) == 5
    assert lines[3].startswith("衢州市,地区生产总值,growth,2023,6.5,6.8,met,0.3,%,about,0.5,")
    # a store without the city's outcomes leaves no chart of it behind
    analyze(Store(), out, progress=False)
    assert not chart.exists()
