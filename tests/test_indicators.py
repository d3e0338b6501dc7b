"""The indicator extractor on short sentences written for these tests (not from the corpus)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.extract import REGISTRY
from kg.extract.indicators import bound, extract, lexicon
from kg.extract.numbers import find_quantities, parse_number
from kg.model import MEASURES, Document, Sentence


def make_doc(sentences: list[str], kinds: list[str] | None = None,
             review_year: int | None = 2022, report_year: int | None = 2023) -> Document:
    """A Document whose text is the sentences joined (normalised text = original text)."""
    kinds = kinds or ["review"] * len(sentences)
    text, sents = "", []
    for i, (s, k) in enumerate(zip(sentences, kinds, strict=True)):
        sents.append(Sentence(index=i, start=len(text), end=len(text) + len(s), text=s,
                              kind=k, norm_start=len(text)))
        text += s
    return Document(text=text, norm=text, offsets=tuple(range(len(text) + 1)),
                    sentences=tuple(sents), content_hash="test", review_year=review_year,
                    report_year=report_year)


def rows(sentence: str, kind: str = "review", **years) -> list[tuple]:
    doc = make_doc([sentence], [kind], **years)
    return [(o.indicator, o.value, o.unit, o.measure, o.kind, o.year)
            for o in extract(doc)]


def D(x: str) -> Decimal:
    return Decimal(x)


def test_registered():
    assert REGISTRY["indicators"].produces == ("Observation",)
    assert REGISTRY["indicators"].func is extract


def test_level_and_growth_are_two_records():
    assert rows("全市地区生产总值达到980亿元、增长5.5%。") == [
        ("地区生产总值", D("980"), "亿元", "level", "actual", 2022),
        ("地区生产总值", D("5.5"), "%", "growth", "actual", 2022),
    ]


def test_subject_carries_over_a_comma_but_not_a_semicolon():
    assert rows("一般公共预算收入96.3亿元，同比增长4.1%；增长2%。") == [
        ("一般公共预算收入", D("96.3"), "亿元", "level", "actual", 2022),
        ("一般公共预算收入", D("4.1"), "%", "growth", "actual", 2022),
    ]


def test_offsets_and_surface_point_into_the_text():
    doc = make_doc(["过去一年，全市生产总值达到980亿元。"])
    (o,) = extract(doc)
    assert doc.text[o.start:o.end] == "生产总值达到980亿元"
    assert o.surface == "生产总值" and o.sentence == 0


def test_fenbie_distributes_over_the_named_indicators():
    assert rows("民间投资和制造业投资分别增长12.5%、9.1%，") == [
        ("民间投资", D("12.5"), "%", "growth", "actual", 2022),
        ("制造业投资", D("9.1"), "%", "growth", "actual", 2022),
    ]


def test_fenbie_skips_list_items_that_are_not_indicators():
    got = rows("确保民间投资、交通投资和水利投资分别增长8%以上。", "plan")
    assert got == [("民间投资", D("8"), "%", "growth", "target", 2023)]


def test_shared_head_ellipsis():
    got = rows("城镇、农村居民人均可支配收入分别达到61020元和35210元。")
    assert got == [
        ("城镇居民人均可支配收入", D("61020"), "元", "level", "actual", 2022),
        ("农村居民人均可支配收入", D("35210"), "元", "level", "actual", 2022),
    ]


def test_urban_rural_pair_is_split_for_levels_and_growth():
    got = rows("城乡居民人均可支配收入分别为52000元和29000元，增长4.6%和6.9%。")
    assert [(i, v, m) for i, v, _, m, _, _ in got] == [
        ("城镇居民人均可支配收入", D("52000"), "level"),
        ("农村居民人均可支配收入", D("29000"), "level"),
        ("城镇居民人均可支配收入", D("4.6"), "growth"),
        ("农村居民人均可支配收入", D("6.9"), "growth"),
    ]


def test_one_figure_said_of_each_subject_before_it():
    got = rows("城镇居民人均可支配收入41230元，农民人均纯收入17650元，均增长6.2%。")
    assert [(i, v, m) for i, v, _, m, _, _ in got] == [
        ("城镇居民人均可支配收入", D("41230"), "level"),
        ("农村居民人均可支配收入", D("17650"), "level"),
        ("城镇居民人均可支配收入", D("6.2"), "growth"),
        ("农村居民人均可支配收入", D("6.2"), "growth"),
    ]
    assert len(rows("地区生产总值1830亿元，增长6.5%，均高于全省。")) == 2


def test_a_bare_item_shares_the_head_of_the_item_after_it():
    assert rows("服务业、甲乙产业投资比重分别提高到41%和12%。", "plan") == []
    assert rows("服务业和甲乙产业增加值分别增长7%、9%。") == []


def test_urban_rural_pair_with_one_figure_is_ambiguous():
    assert rows("城乡居民收入增长7%。") == []
    assert rows("城镇和农村居民人均可支配收入增长8%。") == []


def test_one_growth_figure_for_indicators_written_in_full_is_each_one_s():
    assert rows("地区生产总值、人均地区生产总值、全员劳动生产率增长7%。", "plan") == [
        ("地区生产总值", D("7"), "%", "growth", "target", 2023),
        ("人均地区生产总值", D("7"), "%", "growth", "target", 2023),
    ]
    assert rows("城镇居民人均可支配收入和农民人均纯收入实际增长8%。", "plan") == [
        ("城镇居民人均可支配收入", D("8"), "%", "growth", "target", 2023),
        ("农村居民人均可支配收入", D("8"), "%", "growth", "target", 2023),
    ]
    # a level is no such figure: two indicators do not reach one value
    assert rows("地区生产总值、一般公共预算收入达到100亿元。") == []


@pytest.mark.parametrize("sentence, value, unit, measure, qualifier", [
    ("地区生产总值增长5.5%左右", "5.5", "%", "growth", "左右"),
    ("固定资产投资增长8%以上", "8", "%", "growth", "以上"),
    ("城镇调查失业率控制在5.5%以内", "5.5", "%", "level", "以内"),
    ("进出口总额突破600亿元", "600", "亿元", "level", "突破"),
    ("实际使用外资超过2亿美元", "2", "亿美元", "level", "超过"),
    ("研发投入强度达到2.8%", "2.8", "%", "intensity", ""),
    ("常住人口城镇化率提高到65%", "65", "%", "share", ""),
    ("城镇新增就业4.2万人以上", "4.2", "万人", "level", "以上"),
])
def test_targets_of_the_plan(sentence, value, unit, measure, qualifier):
    doc = make_doc([f"今年主要预期目标是：{sentence}。"], ["plan"])
    (o,) = extract(doc)
    assert (o.value, o.unit, o.measure, o.kind, o.year, o.qualifier) == (
        D(value), unit, measure, "target", 2023, qualifier)


def test_a_range_target_is_its_low_end_with_the_range_kept():
    doc = make_doc(["主要预期目标是：地区生产总值增长6.5%—7%，单位生产总值能耗下降2-3%。"], ["plan"])
    got = [(o.indicator, o.value, o.qualifier) for o in extract(doc)]
    assert got == [("地区生产总值", D("6.5"), "6.5-7"), ("单位生产总值能耗", D("-2"), "2-3")]
    assert bound("6.5-7", "target", "growth", D("6.5")) == "atLeast"
    assert bound("2-3", "target", "growth", D("-2")) == "atMost"
    assert [q.value for q in find_quantities("PM2.5-10%，增长5%-3%")] == [D("10"), D("5"), D("3")]


def test_the_economy_s_growth_is_the_gdp_s():
    assert rows("主要预期目标是：经济增长7.5%以上，", "plan") == [
        ("地区生产总值", D("7.5"), "%", "growth", "target", 2023)]
    assert rows("甲乙经济增长15%，科技进步对经济增长的贡献率达到60%，经济作物面积增长20%。") == []


def test_a_part_of_the_year_gives_way_to_the_year_s_own_figure():
    got = rows("前三季度，地区生产总值增长5.1%，居全省第2位，预计全年增长4.9%。")
    assert got == [("地区生产总值", D("4.9"), "%", "growth", "actual", 2022)]
    assert rows("1—11月份，固定资产投资增长12.6%；") == [
        ("固定资产投资", D("12.6"), "%", "growth", "actual", 2022)]


def test_this_year_s_goals_announced_under_the_five_year_plan_are_targets():
    doc = make_doc(["对接“十五五”规划，今年的主要预期目标是：地区生产总值增长5.5%左右。",
                    "今后五年的主要目标是：地区生产总值年均增长6%。"], ["plan", "plan"])
    assert [(o.indicator, o.value, o.kind) for o in extract(doc)] == [
        ("地区生产总值", D("5.5"), "target")]


def test_a_report_states_each_headline_figure_once():
    got = rows("地区生产总值首次突破3000亿元，达到3062.5亿元，增长6.1%。")
    assert [(i, v) for i, v, *_ in got] == [("地区生产总值", D("3062.5")), ("地区生产总值", D("6.1"))]
    assert rows("主要预期目标是：地区生产总值增长6%以上，力争增长7%。", "plan") == [
        ("地区生产总值", D("6"), "%", "growth", "target", 2023)]
    doc = make_doc(["固定资产投资增长11.5%。", "甲乙园区固定资产投资增长20%。", "固定资产投资增长9%。"])
    assert [o.value for o in extract(doc)] == [D("11.5")]  # the first; a park's is no city's


def test_a_figure_of_several_past_years_gives_way_to_the_year_s():
    doc = make_doc(["城镇新增就业21.5万人。", "城镇新增就业4.3万人。"])
    doc = replace(doc, sentences=(replace(doc.sentences[0], section="一、过去五年工作回顾"),
                                  replace(doc.sentences[1], section="二、2022年工作回顾")))
    assert [o.value for o in extract(doc)] == [D("4.3")]


def test_estimate_in_the_review_is_an_actual():
    doc = make_doc(["全社会研发投入强度预计达到2.9%，居全省前列。"], ["review"])
    (o,) = extract(doc)
    assert (o.indicator, o.kind, o.year, o.qualifier) == ("研发投入强度", "actual", 2022, "预计")


def test_outside_both_sections_target_words_decide():
    assert rows("力争社会消费品零售总额增长7%。", "other")[0][4] == "target"
    assert rows("社会消费品零售总额增长7%。", "other")[0][4] == "actual"


def test_chinese_numerals():
    assert rows("全市生产总值增长百分之六点五，城镇新增就业三点二万人。") == [
        ("地区生产总值", D("6.5"), "%", "growth", "actual", 2022),
        ("城镇新增就业", D("3.2"), "万人", "level", "actual", 2022),
    ]


def test_decline_is_a_negative_growth():
    assert rows("单位生产总值能耗下降3.1%。") == [
        ("单位生产总值能耗", D("-3.1"), "%", "growth", "actual", 2022)]


def test_sub_sector_figure_is_rejected():
    assert rows("数字经济核心产业服务业增加值增长20.3%。") == []
    assert rows("高端装备、节能环保、新材料产业增加值分别增长15%、12%、9%。") == []


def test_county_and_platform_figures_are_rejected():
    assert rows("南湖区生产总值增长9%，") == []
    assert rows("支持高铁新城扩容提质，力争规上工业总产值增长20%以上。", "plan") == []
    assert rows("支持高铁新城扩容提质，全市规上工业总产值增长12%。", "plan") != []


def test_a_county_of_the_city_scopes_the_sentence():
    from kg import gazetteer

    doc = make_doc(["支持柯城加快发展，力争规上工业增加值增长12%以上。"], ["plan"])
    assert list(extract(doc)) != []  # without a city, 柯城 is not known as a county
    city = gazetteer.default().by_code("330800")
    assert list(extract(replace(doc, city=city))) == []


def test_share_of_a_sub_sector_is_not_an_indicator():
    assert rows("八大特色产业集群产值占规上工业比重达到58.2%。") == []


def test_rank_is_not_a_value():
    assert rows("民间投资增长6.6%、居全省第二，") == [
        ("民间投资", D("6.6"), "%", "growth", "actual", 2022)]


def test_counts_and_thresholds_are_not_indicators():
    assert rows("新引进亿元以上项目86个，固定资产投资首次突破千亿元，增长9.4%。") == [
        ("固定资产投资", D("9.4"), "%", "growth", "actual", 2022)]
    assert rows("引进10亿元以上项目12个。") == []


def test_figure_qualifying_a_noun_is_skipped():
    assert rows("出口总额50亿元的企业新增3家。") == []


def test_increment_in_money_is_not_a_level():
    assert rows("一般公共预算收入增加12亿元。") == []


def test_multi_year_averages_are_skipped():
    assert rows("五年来，地区生产总值年均增长6.9%。") == []


def test_figures_of_another_year_are_skipped():
    # a goal for a later year is no annual target, and a past year's figure is no actual
    assert rows("到2027年，全市生产总值突破3000亿元。", "plan") == []
    assert rows("到2023年，全市生产总值突破3000亿元。", "plan") != []
    assert rows("力争到2026年，常住人口城镇化率达68%。", "review") == []


def test_change_from_a_start_value_gives_the_end_value():
    assert rows("五年来，地区生产总值从1580亿元增加到2360亿元。") == [
        ("地区生产总值", D("2360"), "亿元", "level", "actual", 2022)]
    assert rows("生产总值由2017年的800亿元增长至2022年的1260亿元。") == [
        ("地区生产总值", D("1260"), "亿元", "level", "actual", 2022)]
    assert rows("生产总值由2012年的500亿元增长至2017年的800亿元。") == []


def test_a_paragraph_announcing_targets_gives_targets():
    doc = make_doc(["今年全市经济社会发展的主要预期目标是：生产总值增长6%左右；",
                    "一般公共预算收入增长5%。"], ["review", "review"])
    assert [(o.indicator, o.kind, o.year) for o in extract(doc)] == [
        ("地区生产总值", "target", 2023), ("一般公共预算收入", "target", 2023)]


def test_multi_year_sections_give_no_targets():
    doc = make_doc(["城镇登记失业率控制在4.5%以内。"], ["plan"])
    doc = replace(doc, sentences=(replace(doc.sentences[0], section="二、今后五年的主要任务"),))
    assert list(extract(doc)) == []


def test_a_section_of_five_years_and_the_year_gives_the_year_s_targets():
    section = "二、“十四五”时期主要目标和2023年重点任务"
    texts = [section, "推动民生福祉取得新突破，城镇新增就业4万人以上。",
             "2023年是全面贯彻党的二十大精神的开局之年。", "主要预期目标是：地区生产总值增长6%左右；",
             "城镇新增就业8000人以上。"]
    doc = make_doc(texts, ["plan"] * len(texts))
    doc = replace(doc, sentences=tuple(replace(s, section=section, paragraph=i)
                                       for i, s in enumerate(doc.sentences)))
    assert [(o.indicator, o.value, o.year) for o in extract(doc)] == [
        ("地区生产总值", D("6"), 2023), ("城镇新增就业", D("8000"), 2023)]


def test_real_and_nominal_growth_are_growth():
    assert rows("城镇居民人均可支配收入42700元，实际增长6.1%。") == [
        ("城镇居民人均可支配收入", D("42700"), "元", "level", "actual", 2022),
        ("城镇居民人均可支配收入", D("6.1"), "%", "growth", "actual", 2022),
    ]
    assert rows("居民人均可支配收入名义增长5.1%。", "plan") == [
        ("居民人均可支配收入", D("5.1"), "%", "growth", "target", 2023)]
    # the cue is not peeled off an indicator that starts with it
    assert rows("实际使用外资增长5%。") == [("实际使用外资", D("5"), "%", "growth", "actual", 2022)]


def test_a_prefix_is_no_prefix_where_a_longer_surface_starts():
    assert rows("全社会消费品零售总额205亿元，增长13%。") == [
        ("社会消费品零售总额", D("205"), "亿元", "level", "actual", 2022),
        ("社会消费品零售总额", D("13"), "%", "growth", "actual", 2022),
    ]


def test_a_prefecture_s_own_figures():
    assert rows("全州一般公共预算收入108.5亿元、增长5%。") == [
        ("一般公共预算收入", D("108.5"), "亿元", "level", "actual", 2022),
        ("一般公共预算收入", D("5"), "%", "growth", "actual", 2022),
    ]


def test_an_aim_in_the_review_is_not_an_actual():
    assert rows("规上工业增加值达到850亿元、力争突破900亿元。") == [
        ("规上工业增加值", D("850"), "亿元", "level", "actual", 2022)]


def test_older_and_regional_wording_maps_to_the_canonical_name():
    got = rows("地方财政一般预算收入18.6亿元，农民人均纯收入4230元，实际利用外商直接投资1.2亿美元。")
    assert [(i, v, u) for i, v, u, *_ in got] == [
        ("一般公共预算收入", D("18.6"), "亿元"), ("农村居民人均可支配收入", D("4230"), "元"),
        ("实际使用外资", D("1.2"), "亿美元")]
    assert rows("社会商品零售总额增长11.2%，")[0][0] == "社会消费品零售总额"
    assert rows("直接利用外资增长18.5%，")[0][0] == "实际使用外资"


def test_synonyms_name_known_indicators():
    from kg.lexicon import load_table

    names = {r["indicator"] for r in load_table("indicators")}
    assert all(r["indicator"] in names for r in load_table("indicator_synonyms"))


def test_share_of_output_or_investment():
    assert rows("第三产业占地区生产总值比重提高到47.5%，") == [
        ("服务业增加值", D("47.5"), "%", "share", "actual", 2022)]
    assert rows("全社会研发经费支出占生产总值的比重达2.1%，") == [
        ("研发投入强度", D("2.1"), "%", "intensity", "actual", 2022)]
    assert rows("民间投资占比达55%，") == [("民间投资", D("55"), "%", "share", "actual", 2022)]
    assert rows("地区生产总值占全省比重达8.5%，") == []


def test_percentage_point_changes_are_not_indicators():
    assert rows("服务业增加值占比提高1.5个百分点，城镇登记失业率下降0.2个百分点。") == []


def test_fenbie_gathers_the_subjects_of_earlier_clauses():
    got = rows("财政总收入88.2亿元，一般公共预算收入51.3亿元，分别增长7.1%、6.4%。")
    assert [(i, v, m) for i, v, _, m, _, _ in got] == [
        ("财政总收入", D("88.2"), "level"), ("一般公共预算收入", D("51.3"), "level"),
        ("财政总收入", D("7.1"), "growth"), ("一般公共预算收入", D("6.4"), "growth")]


def test_three_sectors_distribute():
    got = rows("其中一、二、三产分别增长3.1%、6.2%、5.4%。")
    assert [i for i, *_ in got] == ["农林牧渔业增加值", "第二产业增加值", "服务业增加值"]


def test_a_ratio_is_a_bare_number_in_times():
    assert rows("城乡居民收入倍差缩小至1.92。") == [
        ("城乡居民收入倍差", D("1.92"), "倍", "level", "actual", 2022)]


def test_a_city_wide_figure_driven_by_a_sub_sector_is_city_wide():
    assert rows("八大产业链产值增长12%，带动规上工业增加值增长8.6%。") == [
        ("规上工业增加值", D("8.6"), "%", "growth", "actual", 2022)]


def test_missing_years_follow_from_each_other():
    assert rows("地区生产总值增长6%左右。", "plan", review_year=2022, report_year=None)[0][5] == 2023
    assert rows("地区生产总值增长6%左右。", "plan", review_year=None, report_year=None) == []


def test_lexicon_is_consistent():
    surfaces, ordered = lexicon()
    assert len(ordered) == len(surfaces) and all(len(a) >= len(b)
                                                  for a, b in zip(ordered, ordered[1:], strict=False))
    for inds in surfaces.values():
        assert all(i.measure in MEASURES and i.units for i in inds)


def test_numbers():
    assert parse_number("3,200.5") == D("3200.5")
    assert parse_number("百亿") is None
    assert [q.unit for q in find_quantities("增长6个百分点，PM2.5浓度下降，总额9.8亿美元")] == [
        "个百分点", "亿美元"]


#: CJK that indicator sentences use, digits, and the punctuation the grammar splits at.
_CHARS = st.characters(
    categories=(),
    include_characters="生产总值地区增长分别和与及、，；。：%亿元万人美元左右以上以内突破超过全市省第一二三"
                       "十百千点城乡镇农村居民收入占比重达到为控制在下降年均预计力争新城区县"
                       "0123456789.（）“”! ",
)
_TOKENS = st.lists(st.sampled_from(
    ["地区生产总值", "城乡居民收入", "城镇、农村居民人均可支配收入", "分别增长", "百分之六",
     "5.5%", "和", "、", "，", "12亿元", "左右", "全省第一", "支持高铁新城", "到2030年"]),
    max_size=12).map("".join)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.one_of(st.text(alphabet=_CHARS, max_size=60), _TOKENS),
                min_size=1, max_size=3),
       st.lists(st.sampled_from(["review", "plan", "other"]), min_size=3, max_size=3))
def test_never_raises(sentences, kinds):
    doc = make_doc(sentences, kinds[:len(sentences)])
    for o in extract(doc):
        assert o.measure in MEASURES and o.kind in ("actual", "target")
        assert 0 <= o.start <= o.end <= len(doc.text)


def test_cumulative_totals_run_on_over_the_listed_figures():
    assert rows("五年累计完成固定资产投资3200亿元，实际利用外资41亿美元，开放水平提高。") == []
    assert rows("累计发放补贴2亿元，举办展会12场，社会消费品零售总额增长7.5%。") == [
        ("社会消费品零售总额", D("7.5"), "%", "growth", "actual", 2022)]


def test_a_short_word_after_a_sector_continues_that_sector():
    assert rows("电子信息产业实现销售收入80亿元，出口3亿美元。") == []
    assert rows("进出口总额120亿美元，其中出口70亿美元。")[1][:3] == ("出口总额", D("70"), "亿美元")


def test_a_cue_inside_a_surface_is_not_peeled():
    assert rows("经济总量首次突破1800亿元大关。") == [
        ("地区生产总值", D("1800"), "亿元", "level", "actual", 2022)]


def test_a_zone_opening_a_clause_scopes_the_sentence():
    assert rows("临港经济开发区加快发展，进出口总额突破30亿美元。") == []
    assert rows("推动各县（市、区）协同发展，规上工业增加值增长9%。", "plan") == []


def test_a_clause_with_a_subject_of_its_own_ends_a_zone_s_scope():
    # the zone's clause is an event of its own; the figures after a new subject are the city's
    assert rows("甲乙保税区通过国家验收，丙丁外包示范城市成功获批，外贸进出口232.4亿元、增长20.4%。") == [
        ("进出口总额", D("232.4"), "亿元", "level", "actual", 2022),
        ("进出口总额", D("20.4"), "%", "growth", "actual", 2022),
    ]
    # clauses that open with a verb or an adverbial word go on with the zone
    assert rows("支持甲乙新城加强配套，动态储备500亩熟地，加快打造大平台，"
                "力争规上工业总产值增长15%以上。", "plan") == []


def test_a_predicate_before_a_list_mark_keeps_the_subject():
    # 、 between two things said of one indicator, as a comma would be
    assert rows("社会消费品零售总额超过上年水平、同比增长8.8%。") == [
        ("社会消费品零售总额", D("8.8"), "%", "growth", "actual", 2022)]
    assert rows("地区生产总值迈上新台阶、达到1012.9亿元。") == [
        ("地区生产总值", D("1012.9"), "亿元", "level", "actual", 2022)]
    # a list of indicators is still a list
    assert rows("地区生产总值、一般公共预算收入分别增长8%、9%。") == [
        ("地区生产总值", D("8"), "%", "growth", "actual", 2022),
        ("一般公共预算收入", D("9"), "%", "growth", "actual", 2022),
    ]


def test_a_milestone_step_is_a_threshold():
    assert rows("城镇和农村居民人均可支配收入分别跨上5万元和2万元台阶。") == []


def test_a_year_opening_a_sentence_scopes_its_semicolon_run_on():
    doc = make_doc(["到2027年，常住人口城镇化率达到70%；", "服务业增加值占比达到55%；"],
                   ["review", "review"])
    assert list(extract(doc)) == []


def test_a_paragraph_of_five_year_goals_gives_no_targets():
    doc = make_doc(["今后五年的主要目标是：力争地区生产总值迈上新台阶；",
                    "城乡居民人均可支配收入分别达到60000元和25000元。"], ["review", "review"])
    assert list(extract(doc)) == []


def test_plan_auxiliaries_are_cues():
    assert rows("固定资产投资要增长12%，社会消费品零售总额将达到300亿元。", "plan") == [
        ("固定资产投资", D("12"), "%", "growth", "target", 2023),
        ("社会消费品零售总额", D("300"), "亿元", "level", "target", 2023)]


def test_a_december_report_plans_the_year_after_the_one_it_reviews():
    doc = make_doc(["全市生产总值增长6.2%。", "全市生产总值增长5%左右。"], ["review", "plan"],
                   review_year=2031, report_year=2031)
    assert [(o.kind, o.year) for o in extract(doc)] == [("actual", 2031), ("target", 2032)]
    doc = make_doc(["全市生产总值增长6.2%。", "全市生产总值增长5%左右。"], ["review", "plan"],
                   review_year=None, report_year=2031)
    assert [(o.kind, o.year) for o in extract(doc)] == [("actual", 2030), ("target", 2031)]


def test_a_paragraph_of_overall_goals_over_five_years_gives_no_targets():
    doc = make_doc(["今后五年全市发展的总体目标是：全面建成现代化强市。",
                    "规上工业增加值达到900亿元。"], ["plan", "plan"])
    assert list(extract(doc)) == []
    doc = make_doc(["今年全市发展的总体目标是：", "规上工业增加值增长8%。"], ["plan", "plan"])
    assert [(o.indicator, o.kind, o.year) for o in extract(doc)] == [("规上工业增加值", "target", 2023)]
