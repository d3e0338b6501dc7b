"""Ingest on the real corpus and on made-up reports: decoding, normalisation, offsets,
segmentation, city and years."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg import ingest
from kg.errors import InputError
from tests.conftest import EXPECTED_REPORTS

CORPUS = Path(__file__).resolve().parents[1] / "corpus"

EXPECTED = EXPECTED_REPORTS  # checked by reading the texts


@pytest.fixture(scope="module")
def docs():
    return {name: ingest.load(CORPUS / name) for name in EXPECTED}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_city_and_years(docs, name):
    doc = docs[name]
    assert (doc.city.name, doc.report_year, doc.review_year) == EXPECTED[name]
    assert doc.evidence and doc.source == name
    assert doc.content_hash == hashlib.sha256(doc.text.encode("utf-8")).hexdigest()


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_offsets_map_back_exactly(docs, name):
    doc = docs[name]
    assert len(doc.offsets) == len(doc.norm) + 1 and doc.offsets[-1] == len(doc.text)
    assert list(doc.offsets) == sorted(set(doc.offsets))
    for s in doc.sentences:
        assert doc.norm[s.norm_start : s.norm_start + len(s.text)] == s.text
        assert ingest.normalise(doc.text[s.start : s.end])[0] == s.text
        assert doc.span(s, 0, len(s.text)) == (s.start, s.end)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_sections_and_kinds(docs, name):
    doc = docs[name]
    kinds = [s.kind for s in doc.sentences]
    assert kinds[0] == "other"
    first_review, first_plan = kinds.index("review"), kinds.index("plan")
    assert first_review < first_plan
    assert "review" not in kinds[first_plan:]
    review = doc.sentences[first_review]
    assert review.section.startswith("一、") and "回顾" in review.section
    assert [s.index for s in doc.sentences] == list(range(len(doc.sentences)))


def test_heading_running_into_its_paragraph(docs):
    doc = docs["000_759fef2eaf5c0f7f.txt"]
    head = next(s for s in doc.sentences if s.text.startswith("（一）经济运行稳进提质"))
    assert head.text == "（一）经济运行稳进提质。"
    after = doc.sentences[head.index + 1]
    assert after.section == "一、2023年工作回顾 / （一）经济运行稳进提质"
    assert after.kind == "review"


def test_spaces_in_numbers_removed(docs):
    doc = docs["004_f4139d6273d944ae.txt"]
    assert doc.norm.startswith("2015年浙江省衢州市政府工作报告\n")
    assert "1121亿元" in doc.norm and "1121 亿元" in doc.text
    assert "2014年工作回顾" in doc.norm and " " not in doc.norm.split("一、")[1][:10]
    # Half-width headings become Chinese ones.
    assert any(s.section.endswith("（一）调结构促转型，经济平稳健康运行") for s in doc.sentences)


def test_normalisation_rules():
    norm, offsets = ingest.normalise("增长 7. 5 %，ＧＤＰ(生产总值)达到１２３亿元 , PM 2.5下降")
    assert norm == "增长7.5%，GDP（生产总值）达到123亿元，PM 2.5下降"
    assert len(offsets) == len(norm) + 1


def test_wrapped_lines_are_joined_and_paragraphs_kept():
    lines = ["全市生产总值达到2125.2亿元、增长6.8%，固定资产投资增长11.4%，一般公共",
             "预算收入增长18%，城乡居民收入稳步提高，社会大局和谐稳定，各项事业全面",
             "进步。",
             "二、2024年目标任务",
             "今年是中华人民共和国成立75周年，全市生产总值增长6%左右。"]
    doc = ingest.parse_text("\n".join(lines))
    assert "一般公共预算收入" in doc.norm and "全面进步。" in doc.norm
    assert doc.norm.count("\n") == 2
    assert doc.report_year == 2024 and doc.review_year == 2023
    assert doc.sentences[-1].kind == "plan"
    for s in doc.sentences:
        assert "\n" not in s.text


def test_long_paragraph_without_punctuation():
    text = "衢州" + "推进项目建设" * 900 + "。" + "增长" * 1000
    doc = ingest.parse_text(text)
    assert "".join(s.text for s in doc.sentences) == doc.norm
    assert doc.sentences[-1].end == len(text)


def test_non_zhejiang_city_by_counting():
    text = ("各位代表：\n\n一、2022年工作回顾\n\n过去一年，洛阳经济运行稳中向好，偃师、孟津撤县设区，"
            "新安、伊川工业增加值增长较快。洛阳都市圈建设全面起势，郑州、开封合作深化。\n\n"
            "二、2023年工作安排\n\n今年是全面贯彻党的二十大精神的开局之年，我们要奋力谱写洛阳新篇章。")
    doc = ingest.parse_text(text, source="whatever.txt")
    assert doc.city.name == "洛阳市" and doc.city.parent == "410000"
    assert (doc.report_year, doc.review_year) == (2023, 2022)


def test_non_zhejiang_city_by_title_and_anniversary():
    text = ("苏州市人民政府工作报告\n\n各位代表：\n\n"
            "今年是中国共产党成立一百周年，是“十四五”规划的开局之年。昆山、张家港、常熟要走在前列。")
    doc = ingest.parse_text(text)
    assert doc.city.name == "苏州市"
    assert (doc.report_year, doc.review_year) == (2021, 2020)


def test_source_is_not_used_for_inference():
    text = (CORPUS / "000_759fef2eaf5c0f7f.txt").read_text(encoding="utf-8")
    a, b = ingest.parse_text(text, "a.txt"), ingest.parse_text(text, "2019_杭州市.txt")
    assert (a.city, a.report_year, a.sentences) == (b.city, b.report_year, b.sentences)


def test_empty_and_unknown():
    doc = ingest.parse_text("")
    assert (doc.norm, doc.offsets, doc.sentences) == ("", (0,), ())
    assert (doc.city, doc.report_year, doc.review_year) == (None, None, None)


def test_decode_utf8_bom_and_gb18030(tmp_path):
    text = (CORPUS / "002_733bae2f39fed286.txt").read_text(encoding="utf-8")
    (tmp_path / "bom.txt").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    (tmp_path / "gb.txt").write_bytes(text.encode("gb18030"))
    assert ingest.read_text(tmp_path / "bom.txt") == text
    assert ingest.read_text(tmp_path / "gb.txt") == text
    assert ingest.load(tmp_path / "gb.txt").city.name == "丽水市"


def test_undecodable_file_names_it(tmp_path):
    path = tmp_path / "report.txt"
    path.write_bytes(bytes(range(128, 256)) * 40)
    with pytest.raises(InputError, match="report.txt.*UTF-8"):
        ingest.read_text(path)
    with pytest.raises(InputError, match="missing.txt"):
        ingest.load(tmp_path / "missing.txt")


@pytest.mark.parametrize(
    ("text", "years"),
    [("一、过去五年工作回顾\n\n过去五年，我们圆满完成“十三五”规划目标。\n\n二、今后五年目标任务\n\n要……",
      (2021, 2020)),
     ("一、“十三五”时期工作回顾\n\n成绩很大。\n\n二、2021年工作安排\n\n要……", (2021, 2020)),
     ("今年是新中国成立七十五周年。", (2024, 2023)),
     ("今年是新中国成立十十周年。", (None, None))],
)
def test_years_from_periods_and_anniversaries(text, years):
    doc = ingest.parse_text(text)
    assert (doc.report_year, doc.review_year) == years


def test_own_city_alias_beats_same_named_county():
    from kg.extract.places import places

    doc = ingest.parse_text("安阳市人民政府工作报告\n\n安阳经济增长，安阳县、林州协同发展。")
    got = [(m.kind, m.label) for m in places(doc)]
    assert got == [("City", "安阳市"), ("City", "安阳市"), ("County", "安阳县"), ("County", "林州市")]


def test_short_gbk_and_binary_without_nul(tmp_path):
    short = tmp_path / "short.txt"
    short.write_bytes("衢州市政府工作报告。".encode("gbk"))
    assert ingest.read_text(short) == "衢州市政府工作报告。"
    binary = tmp_path / "image.png"
    binary.write_bytes(bytes(range(128, 256)) * 50)
    with pytest.raises(InputError, match="image.png"):
        ingest.read_text(binary)


_ALPHABET = list("一二三四五六七八九十、（）()。，；！？!?;:,.%％０１２ 　\n\r\t衢州市柯城年是75周五开局回顾目标任务ＡaZ⾼*#＊")


@settings(max_examples=300, deadline=None)
@given(st.text(st.sampled_from(_ALPHABET), max_size=120) | st.text(max_size=60))
def test_any_text_parses_with_exact_offsets(text):
    doc = ingest.parse_text(text)
    assert len(doc.offsets) == len(doc.norm) + 1 and doc.offsets[-1] == len(text)
    assert list(doc.offsets) == sorted(set(doc.offsets))
    for s in doc.sentences:
        assert s.text and doc.norm[s.norm_start : s.norm_start + len(s.text)] == s.text
        assert 0 <= s.start < s.end <= len(text)


MARKDOWN = """---
title: 2031年青田市政府工作报告
---

——2031年1月9日在青田市第九届人民代表大会第二次会议上

**一、2030年工作回顾**

过去一年，全市经济**稳中有进**，*人计划入选者增加。

**（一）产业升级。**新建厂房三座。

**二、2031年主要目标和重点任务**

## （一）扩大投资

全年开工项目五十个。

**三、加强政府自身建设** 我们要恪守为民之责，提高行政效能。
"""


def test_markdown_headings_give_sections_and_kinds():
    doc = ingest.parse_text(MARKDOWN)
    assert "**" not in doc.norm and "##" not in doc.norm and "*人计划" in doc.norm
    by_start = {s.text[:6]: s for s in doc.sentences}
    assert by_start["过去一年，全"].kind == "review"
    assert by_start["过去一年，全"].section == "一、2030年工作回顾"
    assert by_start["新建厂房三座"].section == "一、2030年工作回顾 / （一）产业升级"
    assert by_start["全年开工项目"].kind == "plan"
    assert by_start["全年开工项目"].section == "二、2031年主要目标和重点任务 / （一）扩大投资"
    # a bold heading run into its paragraph without a stop ends at its closing mark
    assert by_start["三、加强政府"].text == "三、加强政府自身建设"
    assert by_start["我们要恪守为"].section == "三、加强政府自身建设"
    assert by_start["我们要恪守为"].kind == "plan"
    assert (doc.report_year, doc.review_year) == (2031, 2030)


def test_markdown_marks_keep_offsets_exact():
    doc = ingest.parse_text(MARKDOWN)
    for s in doc.sentences:
        assert doc.span(s, 0, len(s.text)) == (s.start, s.end)
        assert ingest.normalise(doc.text[s.start : s.end])[0] == s.text
    s = next(s for s in doc.sentences if s.text.startswith("过去一年"))
    a, b = doc.span(s, s.text.index("稳中有进"), s.text.index("稳中有进") + 4)
    assert doc.text[a:b] == "稳中有进"


@pytest.mark.parametrize(
    ("headings", "kinds"),
    [(["一、2030年的主要工作", "二、2031年主要工作任务", "三、改革开放持续深化"],
      ["review", "plan", "plan"]),
     (["一、过去五年工作回顾", "二、“十六五”时期发展目标与要求", "三、2031年工作重点"],
      ["review", "plan", "plan"]),
     (["一、坚持稳中求进", "二、着力扩大内需"], ["other", "other"]),
     # goals and tasks completed in a year a later heading follows: the review
     (["一、甲乙协力，较好完成2030年目标任务", "二、全力做好2031年的工作"], ["review", "plan"])],
)
def test_uncued_top_headings_placed_by_their_years_and_goals(headings, kinds):
    text = "\n\n".join(f"{h}\n\n我们做了许多工作。" for h in headings)
    doc = ingest.parse_text(text)
    got = [next(s.kind for s in doc.sentences if s.section == h) for h in headings]
    assert got == kinds


def test_numbered_headings_under_unnumbered_top_headings_are_its_parts():
    text = ("**2030年工作回顾**\n\n一、稳增长促发展，实力增强\n\n全年增长百分之六。\n\n"
            "**2031年主要工作**\n\n一、坚定不移扩大投资\n\n全年开工项目五十个。")
    doc = ingest.parse_text(text)
    last = {s.text: s for s in doc.sentences}
    assert last["全年增长百分之六。"].section == "2030年工作回顾 / 一、稳增长促发展，实力增强"
    assert last["全年增长百分之六。"].kind == "review"
    assert last["全年开工项目五十个。"].section == "2031年主要工作 / 一、坚定不移扩大投资"
    assert last["全年开工项目五十个。"].kind == "plan"
