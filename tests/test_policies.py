"""Policies: quoted names, head nouns, numbered packages, levels (hand-written cases)."""

from __future__ import annotations

import pytest

from kg.extract.policies import extract_policies, numeric_core_end
from kg.extract.policy_names import lookup, policy_level
from kg.model import Place
from kg.resolve import resolve
from tests.helpers import make_doc

ZHEJIANG_CITY = Place("330700", "金华市", "city", "330000", ("金华",))
HENAN_CITY = Place("410100", "郑州市", "city", "410000", ("郑州",))




def policies(text: str, city: Place | None = None) -> dict[str, str | None]:
    doc = make_doc(text, city)
    return {e.label: e.attr("level") for e in resolve(doc, list(extract_policies(doc)))}


def test_stacked_quotes_are_two_policies():
    assert policies("深入实施“凤凰行动”“雄鹰行动”。", ZHEJIANG_CITY) == {
        "凤凰行动": "provincial", "雄鹰行动": "provincial"}


def test_quoted_core_with_modifier_and_head_noun():
    assert policies("深入实施人才集聚“2049”计划。") == {"人才集聚2049计划": "municipal"}


def test_quoted_core_plus_head_noun_without_quotes_in_the_name():
    assert policies("推动“三链”融合。") == {"三链融合": "municipal"}


def test_province_and_city_markers_set_the_level():
    assert policies("落实省“稳经济28条”和市“惠企30条”。") == {
        "稳经济28条": "provincial", "惠企30条": "municipal"}


def test_numbered_package_borrows_the_topic_of_its_neighbour():
    assert policies("落实稳外贸国家“20条”、省“15条”。") == {
        "稳外贸20条": "national", "稳外贸15条": "provincial"}


@pytest.mark.parametrize(
    "text",
    [
        "跑出发展“加速度”。",  # metaphor
        "组建“城发集团”。",  # company label
        "上线“浙里办”平台。",  # app / platform
        "夺得“金牛鼎”。",  # honour
        "坚定拥护“两个确立”。",  # political formula
    ],
)
def test_quoted_non_policies_are_rejected(text):
    assert policies(text) == {}


def test_alias_resolves_to_one_entity():
    doc = make_doc("深化“千村示范、万村整治”工程，推进新时代“千万工程”。")
    (entity,) = resolve(doc, list(extract_policies(doc)))
    assert (entity.label, entity.attr("level")) == ("千万工程", "provincial")
    assert "千村示范、万村整治工程" in entity.aliases
    assert len(entity.mentions) == 2


def test_list_closed_by_a_mode_head_makes_each_item_a_policy():
    assert set(policies("全面推行“一窗受理”、“容缺审批”等新模式。")) == {"一窗受理", "容缺审批"}


def test_unquoted_programme_after_a_governing_verb():
    assert policies("深入实施城乡风貌提升工程。") == {"城乡风貌提升工程": "municipal"}


def test_level_is_relative_to_the_report_province():
    assert policies("深入实施“十大战略”。", HENAN_CITY) == {"十大战略": "provincial"}
    assert policies("深入实施“十大战略”。", ZHEJIANG_CITY) == {"十大战略": "municipal"}
    assert lookup("枫桥经验", "410000") == ("枫桥经验", "national")


def test_documents_in_book_title_marks():
    assert policies("施行《台州市城市绿化条例》。") == {"台州市城市绿化条例": "municipal"}


@pytest.mark.parametrize("text", ["编制“十五五”规划。", "夺得“金鼎”。", "坚持“稳”字当头。"])
def test_plan_periods_honours_and_single_characters_are_not_policies(text):
    assert policies(text) == {}


def test_policy_level_from_lexicon_marker_or_default():
    assert policy_level("千万工程", "深化", "330000") == "provincial"
    assert policy_level("稳就业20条", "落实国家", None) == "national"
    assert policy_level("国务院甲乙12条", "落实", None) == "national"


def test_a_strategy_named_for_whom_it_strengthens_is_theirs():
    assert policy_level("工业强市", "坚持", "330000") == "municipal"  # however widespread
    assert policy_level("甲乙强省", "建设", "330000") == "provincial"
    assert policy_level("甲乙强国", "建设", "330000") == "national"
    assert policy_level("甲乙强市", "落实省", "330000") == "provincial"  # a marker decides first
    assert policy_level("人才集聚计划", "实施", None) == "municipal"


def test_a_name_the_reports_of_many_provinces_use_is_national_whichever_finds_it():
    from kg.lexicon import load_table

    widespread = next(r["name"] for r in load_table("policy_spread")
                      if policy_level(r["name"], "", None) == "national"
                      and policies(f"深入实施“{r['name']}”。"))
    assert policies(f"深入实施“{widespread}”。") == {widespread: "national"}  # a rule's find
    assert policies("深入实施“甲乙丙丁”行动。") == {"甲乙丙丁行动": "municipal"}


@pytest.mark.parametrize(("text", "core", "name"), [
    ("落实“甲乙”工作机制", "“甲乙”", "“甲乙”"),  # words: the core says what it is
    ("落实“四五六”工作机制要求", "四五六", "四五六”工作机制"),  # figures take their head
    ("落实“四五六”工作机制要求", "“四五六”", "“四五六”工作机制"),
    ("推进“7+3”建设", "7+3", "7+3"),  # 建设 is what is done, not a name's head
    ("深化“六个一”合作", "六个一", "六个一"),  # no programme head after it
])
def test_a_quoted_figure_takes_the_programme_head_after_it(text, core, name):
    a = text.index(core)
    assert text[a:numeric_core_end(text, a, a + len(core))] == name
