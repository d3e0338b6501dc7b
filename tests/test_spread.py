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
    names = {"河长制": set(CAPITALS), "甲乙制": set(CAPITALS), "丙丁工程": set(CAPITALS)}
    rows = spread.verified(names, tmp_path)
    assert rows == [("河长制", 8, 8)]  # spaces aside; 甲乙制 in two provinces; 丙丁工程 nowhere
    out = spread.write(rows, tmp_path / "spread.tsv")
    assert out.read_text(encoding="utf-8").splitlines()[-1] == "河长制\t8\t8"


def test_a_widespread_name_without_a_marker_is_national():
    assert policy_level("一企一策", "推行", "330000") == "national"  # in 30 provinces' reports
    assert policy_level("甲乙丙丁计划", "实施", "330000") == "municipal"
    assert policy_level("一企一策", "深化省", None) == "provincial"  # a marker still decides
