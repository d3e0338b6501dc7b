"""Report metadata from the title block (#13): date, session, speaker and office, each with the
line it came from; on title-block shapes seen across ../shared/reports and on corpus/."""

import datetime

import pytest

from kg import queries
from kg.ingest import parse_text
from kg.meta import title_block
from kg.store import select

R = "https://w3id.org/gov-kg/id/report/"


def block(*lines: str):
    return title_block(parse_text("\n\n".join([*lines, "各位代表：", "现在，我代表市人民政府向大会报告工作。"])))


@pytest.mark.parametrize("lines, date, session, office, speaker", [
    (["——2024年1月20日在衢州市第九届人民代表大会第四次会议上", "衢州市人民政府市长 高屹"],
     (2024, 1, 20), "第九届人民代表大会第四次会议", "市长", "高屹"),
    (["政府工作报告", "2025年2月26日", "在成都市第十八届人民代表大会第三次会议上",
      "成都市人民政府市长 王凤朝"], (2025, 2, 26), "第十八届人民代表大会第三次会议", "市长", "王凤朝"),
    (["**——2020年1月5日在通化市第八届人民代表大会第五次会议上**", "**市长 李平**"],
     (2020, 1, 5), "第八届人民代表大会第五次会议", "市长", "李平"),
    (["二〇二一年二月五日在怒江傈僳族自治州第十一届人民代表大会第六次会议第一次全体会议上",
      "怒江傈僳族自治州人民政府州长 李文辉"], (2021, 2, 5), "第十一届人民代表大会第六次会议", "州长",
     "李文辉"),
    (["（2009年2月17日在杭州市第十一届人民代表大会第四次会议上）", "杭州市人民政府市长 蔡 奇"],
     (2009, 2, 17), "第十一届人民代表大会第四次会议", "市长", "蔡奇"),
    (["——2021年1月12日在咸宁市第五届人民代表大会第五次会议上市长王远鹤"],
     (2021, 1, 12), "第五届人民代表大会第五次会议", "市长", "王远鹤"),
    (["—2015 年 2 月 9 日在衢州市第六届人民代表大会第六次会议上", "衢州市代市长 杜世源"],
     (2015, 2, 9), "第六届人民代表大会第六次会议", "代市长", "杜世源"),
    (["——2018年1月15日在乌鲁木齐市第十六届人民代表大会第二次会议上", "市长 伊力哈木·沙比尔"],
     (2018, 1, 15), "第十六届人民代表大会第二次会议", "市长", "伊力哈木·沙比尔"),
    (["——2020年1月5日在永州市第五届人民代表大会第五次会议上", "代市长", "朱洪武"],
     (2020, 1, 5), "第五届人民代表大会第五次会议", "代市长", "朱洪武"),
    (["——2016年1月8日在固原市第四届人民代表大会第五次会议上", "市长 马汉成作政府工作报告"],
     (2016, 1, 8), "第四届人民代表大会第五次会议", "市长", "马汉成"),
    (["（2022年1月7日在福州市十六届人大一次会议上）"], (2022, 1, 7), "第十六届人民代表大会第一次会议",
     "", ""),
    (["——2014年1月9日在南昌市第十四届人民代表大会第四次会议上", "市人民政府代理市长 郭安"],
     (2014, 1, 9), "第十四届人民代表大会第四次会议", "代理市长", "郭安"),
])
def test_title_block_shapes(lines, date, session, office, speaker):
    t = block(*lines)
    assert (t.date, t.session, t.office, t.speaker) == (
        datetime.date(*date), session, office, speaker)


def test_each_field_names_its_line():
    t = block("2025年2月26日", "在成都市第十八届人民代表大会第三次会议上", "成都市人民政府市长 王凤朝")
    assert (t.date_sentence, t.session_sentence, t.speaker_sentence) == (0, 1, 2)
    assert (t.congress, t.session_number) == (18, 3)


def test_no_title_block_no_metadata():
    t = title_block(parse_text("各位代表：\n\n现在，我代表市人民政府，向大会报告工作。\n\n"
                               "一、2023年工作回顾\n\n——2023年5月1日在某会议上，市长张三说。"))
    assert t.empty and t.date is None and t.speaker == ""


def test_a_date_that_is_no_day_is_left_out():
    assert block("——2023年2月30日在衢州市第九届人民代表大会第三次会议上").date is None


def test_report_meta_on_the_corpus(corpus_store):
    q = queries.get("report_meta")
    rows = select(corpus_store, q.text, name="report_meta")
    assert list(rows[0])[:9] == ["report", "city", "reportYear", "deliveryDate", "session",
                                 "congress", "sessionNumber", "speaker", "office"]
    got = {r["report"]: (r["deliveryDate"], r["session"], r["congress"], r["sessionNumber"],
                         r["speaker"], r["office"], r["sessionLine"], r["speakerLine"])
           for r in rows}
    assert got[R + "330800-2020"] == (
        "2020-04-24", "第七届人民代表大会第五次会议", 7, 5, "汤飞帆", "市长",
        "——2020年4月24日在衢州市第七届人民代表大会第五次会议上", "衢州市人民政府市长 汤飞帆")
    assert got[R + "330800-2015"][:6] == (
        "2015-02-09", "第六届人民代表大会第六次会议", 6, 6, "杜世源", "代市长")
    # the other three start at 各位代表: no title block, nothing guessed
    assert [k for k, v in got.items() if v == (None,) * 8] == [
        R + "331100-2024", R + "330500-2024", R + "330800-2024"]
    assert len(rows) == 5


def test_reports_keeps_its_columns(corpus_store):
    q = queries.get("reports")
    rows = select(corpus_store, q.text, name="reports")
    assert list(rows[0]) == ["report", "city", "reportYear", "reviewYear"]
