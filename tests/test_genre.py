"""Issue 3, item 5: the pipeline holds up on the genre's variations (a made-up Henan report)."""

from kg import pipeline

HENAN = """洛阳市人民政府工作报告
各位代表：
一、过去五年工作回顾过去五年，是洛阳发展史上极不平凡的五年。我们深入实施“十大战略”，全市生产总值年均增长6.1%。
2025年，全市生产总值达到5800亿元、增长5.5%，一般公共预算收入增长6.2%。
{long}
二、2026年目标任务
今年是“十五五”开局之年。全市生产总值增长5.5%左右，规上工业增加值增长7%以上。
加快呼南高铁焦洛平段建设，开工建设洛阳机场三期改扩建工程。
偃师、孟津、新安要强化县域经济。
"""

FILLER = "我们坚持稳中求进工作总基调，推动高质量发展，统筹发展和安全，" * 180


def test_a_henan_report_with_a_long_paragraph_and_run_in_heading():
    text = HENAN.format(long=FILLER)
    assert len(FILLER) > 5000
    ex = pipeline.process(text)
    doc = ex.document
    assert doc.city is not None and doc.city.name == "洛阳市"
    assert (doc.report_year, doc.review_year) == (2026, 2025)
    policies = {e.label: e.attr("level") for e in ex.entities if e.kind == "Policy"}
    assert policies.get("十大战略") == "provincial"
    gdp = {(o.year, o.kind, o.measure, str(o.value)) for o in ex.observations
           if o.indicator == "地区生产总值"}
    assert (2025, "actual", "level", "5800") in gdp
    assert (2025, "actual", "growth", "5.5") in gdp
    assert (2026, "target", "growth", "5.5") in gdp
    assert not any(o.value == 6.1 for o in ex.observations)  # 年均 over five years: not annual
    counties = {e.label for e in ex.entities if e.kind == "County"}
    assert {"偃师区", "孟津区", "新安县"} & counties or {"偃师市", "孟津县", "新安县"} & counties


def test_long_paragraph_sentences_keep_offsets():
    text = HENAN.format(long=FILLER)
    doc = pipeline.process(text).document
    assert doc.sentences[-1].end <= len(text)
    assert all(0 <= s.start <= s.end <= len(text) for s in doc.sentences)


DECEMBER_MARKDOWN = """---
title: 洛阳市政府工作报告
---

——2030年12月20日在洛阳市第十届人民代表大会第三次会议上

**一、2030年工作回顾**

2030年，全市生产总值达到9100亿元、增长5.1%。

**二、2031年主要目标和重点任务**

全市生产总值增长5%左右，一般公共预算收入增长4%。
"""


def test_a_markdown_report_delivered_in_december():
    ex = pipeline.process(DECEMBER_MARKDOWN)
    doc = ex.document
    assert (doc.report_year, doc.review_year) == (2030, 2030)
    assert [s.kind for s in doc.sentences if "增长" in s.text] == ["review", "plan"]
    got = {(o.indicator, o.measure, o.kind, o.year, str(o.value)) for o in ex.observations}
    assert got == {("地区生产总值", "level", "actual", 2030, "9100"),
                   ("地区生产总值", "growth", "actual", 2030, "5.1"),
                   ("地区生产总值", "growth", "target", 2031, "5"),
                   ("一般公共预算收入", "growth", "target", 2031, "4")}
