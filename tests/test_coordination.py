"""Coordinated project names sharing one head noun written after the list (kg.extract.coordination)."""

from __future__ import annotations

import pytest

from kg.extract.coordination import enumerated, with_enumerations
from kg.extract.projects import extract_projects, lent_head
from kg.extract.tagger import coordinated
from kg.ingest import parse_text


def names(text: str) -> list[str]:
    return [name for _, _, name in enumerated(text)]


@pytest.mark.parametrize(("text", "expected"), [
    ("加快甲乙、丙丁等5条高速公路建设", ["甲乙高速公路", "丙丁高速公路"]),
    ("甲乙等3条“丙丁”高速公路加快建设", ["甲乙高速公路"]),  # 等 and a count: one item
    ("推进甲湖、乙山、丙湾等国家湿地公园保护开发", ["甲湖国家湿地公园", "乙山国家湿地公园",
                                              "丙湾国家湿地公园"]),
    ("确保骨科、肝胆2个专科医院开诊运营", ["骨科专科医院", "肝胆专科医院"]),
])
def test_items_take_the_head_after_the_closing(text, expected):
    assert names(text) == expected


def test_a_count_takes_that_many_items_from_the_end():
    # the first segment holds another name before 和: three items, three names
    assert names("加快甲电站和思南乙山、印江丙渠、德江丁屋基3个抽水蓄能前期工作") == [
        "乙山抽水蓄能", "丙渠抽水蓄能", "丁屋基抽水蓄能"]  # each item's county is dropped


def test_items_joined_by_he_are_two():
    assert names("启动甲乙、丙丁和戊己等高速公路建设") == [
        "甲乙高速公路", "丙丁高速公路", "戊己高速公路"]


def test_a_route_keeps_its_first_place():
    assert names("百灵庙至白云、固阳至红泥井等一批公路建成通车") == [
        "百灵庙至白云公路", "固阳至红泥井公路"]


@pytest.mark.parametrize("text", [
    "推进城市、农村等污水处理厂建设",            # common words, not names
    "建设一批生态观光型、民俗民宿型等特色小镇",     # attributes, not names
    "加快甲乙、丙丁等项目建设",                    # 项目 adds nothing: left to the tagger
    "发展甲轮、乙轴等轨道交通走行系统产业链",        # the head goes on: not a project's
    "甲村、乙村等被评为省级特色小镇",               # a verb before the head
    "加快甲乙、丙丁高速公路建设",                  # no closing word: left to the tagger
    "加快甲乙、丙丁高等级公路建设",                 # 等 inside a word closes nothing
    "推动电子信息、电子商务等产业向园区集聚",        # a preposition in the head
    "加快建设甲线、乙线等172公里轨道交通",           # a length, not a head
    "依托甲乙工业园、丙丁开发区等园区发展",           # items with heads of their own
    "加快建设甲乙、丙丁等新区域",                   # 新区 is not a word of 新区域
])
def test_no_names(text):
    assert names(text) == []


def test_items_replace_tagged_parts_and_give_way_to_policies():
    text = "加快甲乙、丙丁等5条高速公路建设"
    assert with_enumerations(text, [(2, 4, "甲乙", "Project")]) == [
        (2, 4, "甲乙高速公路", "Project"), (5, 7, "丙丁高速公路", "Project")]
    assert with_enumerations(text, [(2, 7, "甲乙、丙丁", "Policy")]) == [
        (2, 7, "甲乙、丙丁", "Policy")]


@pytest.mark.parametrize(("last", "bare", "head"), [
    ("丙丁通用机场", ["甲乙", "戊己"], "通用机场"),  # the items stand parallel to 丙丁
    ("丙丁机场", ["甲乙"], "机场"),
    ("丙丁化工园区", ["甲乙"], "化工园区"),
    ("丙丁考古遗址公园", ["甲乙丙"], "考古遗址公园"),  # a tie of cuts: the longer head
    ("丙丁", ["甲乙"], ""),  # no type suffix, no head
])
def test_a_list_lends_what_follows_the_parallel_part(last, bare, head):
    assert lent_head(last, bare) == head


def test_tagged_lists_lend_the_whole_head_and_drop_the_verb_before_the_first_item():
    text = "加快甲乙、丙丁、戊己通用机场建设"
    assert [name for _, _, name, _ in coordinated(text, [(0, 14, "Project")])] == [
        "甲乙通用机场", "丙丁通用机场", "戊己通用机场"]
    # a first item with a suffix of its own keeps its name, governing word or not
    assert [name for _, _, name, _ in coordinated("建设路、解放路", [(0, 7, "Project")])] == [
        "建设路", "解放路"]


def test_the_rules_lend_the_whole_head_too():
    found = {m.label for m in extract_projects(parse_text("加快甲乙、丙丁化工园区建设。"))}
    assert found == {"甲乙化工园区", "丙丁化工园区"}


def test_a_bare_item_the_tagger_left_out_between_two_tagged_ones_joins_the_list():
    text = "加快甲乙、丙丁、戊己通用机场建设"
    got = coordinated(text, [(2, 4, "Project"), (8, 14, "Project")])
    assert [name for _, _, name, _ in got] == ["甲乙通用机场", "丙丁通用机场", "戊己通用机场"]
    # a longer item between them is a name of its own the tagger did not take: left alone
    text = "加快甲乙、丙丁戊己庚、辛壬通用机场建设"
    got = coordinated(text, [(2, 4, "Project"), (11, 17, "Project")])
    assert [name for _, _, name, _ in got] == ["甲乙", "辛壬通用机场"]


def test_coordinated_policies_share_the_programme_head_of_the_last():
    text = "开展甲乙、丙丁、戊己专项行动"
    got = coordinated(text, [(2, 4, "Policy"), (5, 7, "Policy"), (8, 14, "Policy")])
    assert [name for _, _, name, _ in got] == ["甲乙专项行动", "丙丁专项行动", "戊己专项行动"]
    # a quoted item is a name as it is; an item with a head of its own keeps it
    got = coordinated("推进“甲乙”、丙丁计划、戊己行动", [(2, 6, "Policy"), (7, 11, "Policy"),
                                                (12, 16, "Policy")])
    assert [name for _, _, name, _ in got] == ["“甲乙”", "丙丁计划", "戊己行动"]


@pytest.mark.parametrize("head", ["保卫战", "专项斗争", "战役"])
def test_campaign_heads_are_lent_to_the_items_before_them(head):
    text = f"甲乙、丙丁{head}"
    assert [name for _, _, name, _ in coordinated(text, [(0, 2, "Policy"), (3, len(text), "Policy")])] \
        == [f"甲乙{head}", f"丙丁{head}"]
