"""The places extractor on the annotated samples and on made-up text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg import ingest
from kg.extract import REGISTRY
from kg.extract.places import places

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT.parent / "shared" / "gold"  # shared/ sits beside the clone, in CI too


def _counties(name: str) -> set[str]:
    doc = ingest.load(ROOT / "corpus" / name)
    mentions = list(places(doc))
    for m in mentions:
        assert doc.text[m.start:m.end] == m.surface
        assert m.attr("code") and len(m.attr("code")) == 6
    return {m.label for m in mentions if m.kind == "County"}


@pytest.mark.parametrize(
    ("name", "expected"),
    [("000_759fef2eaf5c0f7f.txt", {"柯城区", "衢江区", "龙游县", "江山市", "常山县", "开化县"}),
     ("002_733bae2f39fed286.txt", {"莲都区", "龙泉市", "青田县", "缙云县", "遂昌县", "松阳县",
                                   "云和县", "庆元县", "景宁畲族自治县"})],
)
def test_counties_of_annotated_samples(name, expected):
    found = _counties(name)
    assert found == expected
    gold_file = GOLD / name.replace(".txt", ".json")
    if gold_file.exists():
        gold = set(json.loads(gold_file.read_text(encoding="utf-8"))["counties"])
        assert {label for label in found if any(label.startswith(g) for g in gold)} == found
        assert len(gold) == len(found)


def test_registered():
    assert REGISTRY["places"].produces == ("City", "County")
    assert REGISTRY["places"].func is places


def test_city_mentions_and_surfaces():
    doc = ingest.parse_text("2024年衢州市政府工作报告\n\n一、2023年工作回顾\n\n"
                            "柯城、衢江夺得首批称号，衢江保税仓项目投用，与杭州、上海合作。")
    got = [(m.kind, m.label, m.surface, m.attr("code")) for m in places(doc)]
    assert got == [("City", "衢州市", "衢州市", "330800"), ("County", "柯城区", "柯城", "330802"),
                   ("County", "衢江区", "衢江", "330803"), ("County", "衢江区", "衢江", "330803"),
                   ("City", "杭州市", "杭州", "330100"), ("City", "上海市", "上海", "310100")]


def test_river_and_common_words_are_not_places():
    doc = ingest.parse_text("衢州市政府工作报告\n\n推进衢江航道建设和衢江治理，建设示范县，"
                            "发展新兴产业，推动共同富裕，深化与阿里巴巴合作，完善城区功能。")
    assert [m.label for m in places(doc)] == ["衢州市"]


def test_other_cities_counties_are_not_county_mentions():
    doc = ingest.parse_text("丽水市政府工作报告\n\n松阳和江山、义乌合作。")
    assert [(m.kind, m.surface) for m in places(doc)] == [("City", "丽水市"), ("County", "松阳")]


@pytest.mark.parametrize("text", ["", "\n\n", "。。。", "abc 123", "衢江", "北京"])
def test_never_raises(text):
    list(places(ingest.parse_text(text)))


def _county_surfaces(text: str) -> list[str]:
    return [m.surface for m in places(ingest.parse_text(text)) if m.kind == "County"]


def test_own_county_stopwords():
    # 路桥 is a mostly-county stopword in 台州's reports ([own-city]); 道路桥梁 stays a word.
    assert _county_surfaces("台州市政府工作报告\n\n路桥成为国家示范区。") == ["路桥"]
    # 振兴 (丹东's 振兴区) is a word unless coordinated with another of its counties.
    assert _county_surfaces("丹东市政府工作报告\n\n推进乡村振兴，元宝、振兴两区协同。") == ["元宝", "振兴"]
    assert _county_surfaces("丹东市政府工作报告\n\n全面推进乡村振兴。") == []
    # 和县 before 县级 is 市和县级, not the county.
    assert _county_surfaces("马鞍山市政府工作报告\n\n巩固城市和县级公立医院改革成果。") == []


def test_banners_autonomous_counties_and_renamed_units():
    assert _county_surfaces("包头市政府工作报告\n\n打造土右、达茂、固阳3个基地，推进白云达茂口岸建设。") == \
        ["土右", "达茂", "固阳", "白云", "达茂"]
    assert _county_surfaces("济南市政府工作报告\n\n莱芜、钢城加快发展。") == ["莱芜", "钢城"]
    assert _county_surfaces("重庆市政府工作报告\n\n梁平区、石柱县加快发展。") == ["梁平区", "石柱县"]


def test_city_renamed_since_the_table():
    doc = ingest.parse_text("——2023年1月8日在那曲市第二届人民代表大会第二次全体会议上")
    assert (doc.city.name, doc.report_year) == ("那曲市", 2023)
