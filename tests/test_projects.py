"""Projects: type suffixes, list heads, shared head nouns, segment stripping (hand-written cases)."""

from __future__ import annotations

import pytest

from kg.extract.projects import candidates, canonical_project, extract_projects, project_type
from kg.resolve import resolve
from tests.helpers import make_doc


def projects(text: str) -> dict[str, tuple[str | None, tuple[str, ...]]]:
    doc = make_doc(text)
    return {e.label: (e.attr("type"), e.aliases)
            for e in resolve(doc, list(extract_projects(doc)))}


def test_shared_head_noun_over_numbered_roads():
    assert projects("加快351国道、320国道改造。") == {
        "351国道": ("highway", ()), "320国道": ("highway", ())}


def test_shared_head_noun_gives_bare_items_the_suffix():
    found = projects("推进城东、城西片区有机更新。")
    assert set(found) == {"城东片区", "城西片区"}
    assert found["城东片区"] == ("urban", ("城东",))  # the surface is the bare item


def test_shared_head_across_he():
    assert set(projects("建成城南和滨江邻里中心。")) == {"城南邻里中心", "滨江邻里中心"}


def test_county_prefix_that_belongs_to_the_name_stays():
    found = projects("开工建设龙泉抽蓄电站和遂昌抽蓄电站。")
    assert found == {"龙泉抽蓄电站": ("energy", ()), "遂昌抽蓄电站": ("energy", ())}


@pytest.mark.parametrize(
    ("text", "name", "surface"),
    [
        ("杭温铁路义乌至温州段建成通车。", "杭温铁路", "杭温铁路义乌至温州段"),
        ("建成104国道平阳至苍南段。", "104国道", "104国道平阳至苍南段"),
        ("溧宁高速公路溧阳段开工。", "溧宁高速", "溧宁高速公路溧阳段"),
        ("甲乙高铁丙城至丁镇段开工建设。", "甲乙高铁", "甲乙高铁丙城至丁镇段"),
        ("建成甲乙大道延伸段。", "甲乙大道", "甲乙大道延伸段"),
    ],
)
def test_segment_qualifiers_are_stripped_but_kept_as_alias(text, name, surface):
    found = projects(text)
    assert list(found) == [name]
    assert surface in found[name][1]


def test_name_that_is_county_and_river():
    # 衢江 is a district and a river: the prefix belongs to both project names.
    found = projects("推进衢江航道整治和衢江抽水蓄能电站建设。")
    assert found == {"衢江航道": ("port_waterway", ()), "衢江抽水蓄能电站": ("energy", ())}


def test_items_of_a_project_list_whatever_their_shape():
    found = projects("开工建设云峰新材料、龙腾科技等项目。")
    assert found == {"云峰新材料": ("industrial", ()), "龙腾科技": ("industrial", ())}


def test_items_of_a_project_list_whatever_their_length():
    assert set(projects("甲乙、丙丁等一批商贸物流项目落户。")) == {"甲乙", "丙丁"}
    assert projects("推进甲乙、丙丁等建设。") == {}  # no 项目 closes the list: two characters are too few


def test_named_project_drops_trailing_xiangmu():
    assert projects("宁德时代项目顺利投产。") == {"宁德时代": ("industrial", ("宁德时代项目",))}


@pytest.mark.parametrize(
    "text",
    ["谋划一批重大项目。", "南湖历史文化街区入选国家级旅游休闲街区。", "新建未来社区8个。"],
)
def test_generic_phrases_and_honours_are_not_projects(text):
    assert projects(text) == {}


@pytest.mark.parametrize(
    ("label", "canonical"),
    [("金华机场一期", "金华机场"), ("“梦想小镇”项目", "梦想小镇"), ("杭绍台高速公路", "杭绍台高速")],
)
def test_canonical_project(label, canonical):
    assert canonical_project(label) == canonical


def test_offsets_point_at_the_surface():
    doc = make_doc("首先，开工建设龙泉抽蓄电站。")
    (m,) = extract_projects(doc)
    assert doc.text[m.start:m.end] == m.surface == "龙泉抽蓄电站"


@pytest.mark.parametrize(
    ("text", "name", "typ"),
    [
        ("开工建设城南第二人民医院。", "城南第二人民医院", "other"),
        ("建成河西污水处理厂。", "河西污水处理厂", "water"),
        ("推进滨湖物流基地建设。", "滨湖物流基地", "park_platform"),
    ],
)
def test_facility_heads_close_a_project(text, name, typ):
    assert projects(text) == {name: (typ, ())}


@pytest.mark.parametrize("text", ["新建三级医院2家。", "推进10亿级项目建设。", "加快全国首个智慧码头建设。"])
def test_counted_and_described_phrases_are_not_names(text):
    assert "全国首个智慧码头" not in projects(text) and "三级医院" not in projects(text)
    assert "10亿级" not in projects(text)


def test_project_type_from_the_suffix():
    assert [project_type(n) for n in ("甲乙铁路", "丙丁抽水蓄能电站", "某某新材料", "城市书房")] == [
        "railway", "energy", "industrial", "other"]


def test_candidates_name_their_rule():
    doc = make_doc("开工建设甲乙铁路，推进城东、城西片区改造。")
    assert sorted((c.name, c.rule) for _s, c in candidates(doc)) == [
        ("城东片区", "shared_head"), ("城西片区", "type_suffix"), ("甲乙铁路", "type_suffix")]


def test_a_strong_suffix_names_a_project_without_a_construction_verb():
    assert projects("推动甲乙铁路纳规。") == {"甲乙铁路": ("railway", ())}
    assert projects("甲乙片区人口增加。") == {}  # a weak suffix needs the verb


def test_a_grade_inside_a_name_is_part_of_it():
    assert projects("实施甲乙河三级航道整治工程。") == {"甲乙河三级航道整治工程": ("water", ())}


def test_a_list_closed_by_a_kind_of_project_names_each_item():
    assert set(projects("加快甲乙丙、丁戊己等续建项目建设。")) == {"甲乙丙", "丁戊己"}


def test_bare_names_before_a_named_project_are_projects_too():
    assert set(projects("推进甲乙丙数控机床、丁戊己刀片项目建设。")) == {"甲乙丙数控机床", "丁戊己刀片"}
