"""Policy spread across provinces (kg.spread) and the level it gives a name (policy_level)."""

from __future__ import annotations

from kg import spread
from kg.extract.policy_names import policy_level

CAPITALS = ("杭州市", "合肥市", "南京市", "济南市", "福州市", "武汉市", "长沙市", "成都市")


def test_a_name_counts_where_the_reports_of_enough_provinces_write_it(tmp_path):
    for k, city in enumerate(CAPITALS):
        (tmp_path / city).mkdir()
        extra = "推行“甲乙制”。" if k < 2 else ""
        (tmp_path / city / "2020.md").write_text(f"全面推行河 长制。{extra}", encoding="utf-8")
    seen = {(city, city) for city in CAPITALS}  # eight provinces' reports, as the store says
    names = {"河长制": seen, "甲乙制": seen, "丙丁工程": seen}
    rows = spread.verified(names, tmp_path)
    assert rows == [("河长制", 8, 8, "")]  # spaces aside; 甲乙制 in two provinces; 丙丁工程 nowhere
    out = spread.write(rows, tmp_path / "spread.tsv")
    assert out.read_text(encoding="utf-8").splitlines()[-1] == "河长制\t8\t8\t"


def test_a_name_of_several_cities_of_one_province_alone_is_that_province_s(tmp_path):
    zhejiang = ("杭州市", "宁波市", "温州市")
    for city in (*zhejiang, "合肥市"):
        (tmp_path / city).mkdir()
        text = "深化“甲乙行动”。" if city in zhejiang else "深化“丙丁行动”。"
        (tmp_path / city / "2021.md").write_text(text + "推进“戊己工程”。", encoding="utf-8")
    names = {"甲乙行动": {("浙江省", c) for c in zhejiang}, "丙丁行动": {("安徽省", "合肥市")},
             "戊己工程": {("浙江省", c) for c in zhejiang}}
    rows = spread.verified(names, tmp_path)
    assert rows == [("甲乙行动", 1, 3, "330000")]  # 戊己工程 is Anhui's too; 丙丁 one city


def test_a_home_province_s_name_is_provincial_there_and_the_city_s_own_elsewhere(monkeypatch):
    from kg.extract import policy_names

    monkeypatch.setattr(policy_names, "_spread", lambda: {"甲乙行动": "330000"})
    assert policy_level("甲乙行动", "深化", "330000") == "provincial"
    assert policy_level("甲乙行动", "深化", "340000") == "municipal"


def test_a_widespread_name_without_a_marker_is_national():
    assert policy_level("一企一策", "推行", "330000") == "national"  # in 30 provinces' reports
    assert policy_level("甲乙丙丁计划", "实施", "330000") == "municipal"
    assert policy_level("一企一策", "深化省", None) == "provincial"  # a marker still decides
