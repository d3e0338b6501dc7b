"""Every input format, each read from a real file written here by the library of its format
(python-docx, fpdf2) or by hand (text, Markdown, HTML)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg import ingest
from kg.errors import InputError
from kg.readers import READERS, SUFFIXES, Source, read

#: The opening of a real report (三亚市, 2014) as found in ../shared/reports, front matter included.
SANYA = """---
title: 三亚市政府工作报告 （2014年2月18日 王勇）
---

——2014年2月18日在三亚市第六届人民代表大会第四次会议上

三亚市市长 王勇

各位代表：

现在，我代表市政府向大会报告工作，请予审议，并请市政协委员和其他列席人员提出意见。

**2013年工作回顾**

过去的一年，面对十分复杂的经济形势、持续加大的转型压力、日益增长的民生需求和艰巨繁重的管理任务，\
市政府在省委、省政府和市委的正确领导下，与全市人民一道，努力奋斗，攻坚克难，取得了新的发展成绩。\
全市实现生产总值373.5亿元，同比增长10.1%（按可比价格计算）。
"""
#: Real shapes: a run-in bold heading CommonMark leaves open (上海市 2025), a footnote
#: reference and its definition (乌海市), an HTML comment (南京市), an ordered list's number.
MARKS = """<!-- 南京市长缪瑞林作政府工作报告。 -->

**（一）聚力扩内需、稳外需，保持经济稳定增长。**强化经济运行调度，注重政策措施协同联动。

全面推行河长制，常态化开展河湖“清四乱”[^1]，实施生态治理试验项目。

2023. 全年地区生产总值增长&nbsp;6%。

[^1]: 清理乱占、乱采、乱堆、乱建。
"""
REPORT = "衢州市政府工作报告\n\n一、2023年工作回顾\n\n全市生产总值增长6.5%。"


def write(tmp_path: Path, name: str, data: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def test_registry_covers_the_suffixes():
    assert tuple(READERS) == SUFFIXES
    assert {fmt for fmt, _, _ in READERS.values()} == {"txt", "md", "html", "pdf", "docx"}


@pytest.mark.parametrize(("encoding", "prefix", "label"), [
    ("utf-8", b"", "utf-8"),
    ("utf-8", b"\xef\xbb\xbf", "utf-8"),
    ("utf-16-le", b"\xff\xfe", "utf-16"),
    ("utf-16-be", b"\xfe\xff", "utf-16"),
    ("gb18030", b"", "gb18030"),
    ("gbk", b"", "gb18030"),
])
def test_text_encodings(tmp_path, encoding, prefix, label):
    path = write(tmp_path, "r.txt", prefix + REPORT.encode(encoding))
    assert read(path) == Source(text=REPORT, title=None, format="txt", encoding=label)


def test_crlf_is_unified_and_offsets_point_into_the_file(tmp_path):
    original = REPORT.replace("\n", "\r\n")
    source = read(write(tmp_path, "R.TXT", original))  # suffixes are case-insensitive
    assert source.text == REPORT
    assert source.offsets is not None
    assert all(original[o] == c for c, o in zip(source.text, source.offsets, strict=True))


def test_markdown_front_matter_and_report(tmp_path):
    source = read(write(tmp_path, "2014.md", SANYA))
    assert (source.format, source.title) == ("md", "三亚市政府工作报告 （2014年2月18日 王勇）")
    assert source.text.startswith("——2014年2月18日在三亚市第六届人民代表大会第四次会议上\n\n")
    assert "title:" not in source.text and "**" not in source.text
    assert "\n\n2013年工作回顾\n\n过去的一年" in source.text


def test_markdown_marks_comments_and_footnotes_go(tmp_path):
    source = read(write(tmp_path, "r.markdown", MARKS))
    assert source.text == ("（一）聚力扩内需、稳外需，保持经济稳定增长。强化经济运行调度，注重政策措施协同联动。\n\n"
                           "全面推行河长制，常态化开展河湖“清四乱”，实施生态治理试验项目。\n\n"
                           "2023.全年地区生产总值增长\u00a06%。")
    assert source.offsets is not None and len(source.offsets) == len(source.text)
    # every character but the separators and the entity comes from where it stands in the file
    for c, o in zip(source.text, source.offsets, strict=True):
        if c not in "\n\u00a0":
            assert MARKS[o] == c
    assert MARKS[source.offsets[source.text.index("\u00a0")]:].startswith("&nbsp;")


def test_markdown_offsets_give_provenance_in_the_file(tmp_path):
    source = read(write(tmp_path, "2014.md", SANYA))
    start = source.text.index("全市实现生产总值")
    assert source.offsets is not None
    at = source.offsets[start]
    assert SANYA[at:at + 8] == "全市实现生产总值"


def test_markdown_in_gbk_with_crlf_html_table_and_indent(tmp_path):
    original = ("---\ntitle: 某市政府工作报告\n---\n    一、工作回顾\n\n"
                "<table><tr><td>生产总值</td><td>增长6.5%</td></tr></table>\n\n完成。\n").replace("\n", "\r\n")
    source = read(write(tmp_path, "r.md", original.encode("gbk")))
    assert (source.encoding, source.title) == ("gb18030", "某市政府工作报告")
    # an indented line is a paragraph (reports hold no code); an HTML block gives its text
    assert source.text == "一、工作回顾\n\n生产总值 增长6.5%\n\n完成。"
    start, end = source.file_span(source.text.index("增长"), len(source.text))
    assert original[start:end] == "增长6.5%</td></tr></table>\r\n\r\n完成。"


def test_utf16_without_bom(tmp_path):
    source = read(write(tmp_path, "r.txt", REPORT.encode("utf-16-le")))
    assert (source.text, source.encoding) == (REPORT, "utf-16-le")


def test_markdown_report_is_inferred_from_its_text_and_title(tmp_path):
    from kg import pipeline

    source = read(write(tmp_path, "2014.md", SANYA))
    doc = pipeline.process(source.text).document
    assert (doc.city.name, doc.report_year, doc.review_year) == ("三亚市", 2014, 2013)
    # the title clue alone names the city and the year
    doc = ingest.parse_text("各位代表：\n\n现在，我代表市政府向大会报告工作。", title=source.title)
    assert (doc.city.name, doc.report_year) == ("三亚市", 2014)
    assert ingest.load(tmp_path / "2014.md").city.name == "三亚市"


PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>2024年衢州市政府工作报告_衢州市人民政府</title>
<style>p { margin: 0 }</style><script>var nav = "首页";</script></head>
<body>
<header><a href="/">衢州市人民政府</a> <a href="/zwgk">政务公开</a></header>
<nav><ul><li><a href="/">首页</a></li><li><a href="/xxgk">信息公开</a></li></ul></nav>
<div class="crumb"><a href="/">首页</a> &gt; <a href="/zfgzbg">政府工作报告</a></div>
<div class="article">
  <h1>2024年衢州市政府工作报告</h1>
  <p>各位代表：</p>
  <p>现在，我代表市人民政府向大会报告工作，请予审议。</p>
  <p><strong>一、2023年工作回顾</strong></p>
  <p>过去一年，全市生产总值增长6.5%，<span>一般公共预算收入</span>增长8.2%。<br>
     衢丽铁路开工建设。</p>
  <table><tr><td>指标</td><td>增长</td></tr><tr><td>生产总值</td><td>6.5%</td></tr></table>
</div>
<div class="related"><h3>相关图解</h3>
  <ul><li><a href="/tj/1">一图读懂2024年衢州市政府工作报告</a></li>
      <li><a href="/tj/2">图解：政府工作报告中的民生实事</a></li></ul></div>
<div class="tools"><a href="javascript:window.print()">打印本页</a> |
  <a href="javascript:window.close()">关闭窗口</a></div>
<footer>主办：衢州市人民政府办公室 备案号：浙ICP备000000号</footer>
</body></html>
"""
PARAGRAPHS = ("各位代表：", "现在，我代表市人民政府向大会报告工作，请予审议。", "一、2023年工作回顾",
              "过去一年，全市生产总值增长6.5%，一般公共预算收入增长8.2%。\n衢丽铁路开工建设。")
RESIDUE = ("相关图解", "一图读懂", "打印本页", "关闭窗口", "首页", "备案号", "政务公开", "var nav", "margin")


@pytest.mark.parametrize("name", ["r.html", "r.HTM"])
def test_html_main_text_without_web_residue(tmp_path, name):
    source = read(write(tmp_path, name, PAGE))
    assert (source.format, source.title) == ("html", "2024年衢州市政府工作报告_衢州市人民政府")
    paragraphs = source.text.split("\n\n")
    for paragraph in PARAGRAPHS:
        assert paragraph in paragraphs
    for residue in RESIDUE:
        assert residue not in source.text
    assert "指标 增长\n\n生产总值 6.5%" in source.text  # a table row is a line, cells apart
    assert source.offsets is not None
    at = source.offsets[source.text.index("衢丽铁路")]
    assert PAGE[at:at + 4] == "衢丽铁路"
    assert ingest.load(tmp_path / name).city.name == "衢州市"


def test_html_residue_as_sibling_paragraphs(tmp_path):
    """No container to drop: the caption of a link list goes with the list, by structure."""
    page = ("<html><body><h1>2024年衢州市政府工作报告</h1><p>各位代表：</p><p>全市生产总值增长6.5%。</p>"
            "<p>相关图解</p><p><a href='/1'>一图读懂2024年衢州市政府工作报告</a></p>"
            "<p><a href='#'>打印本页</a> <a href='#'>关闭窗口</a></p></body></html>")
    source = read(write(tmp_path, "flat.html", page))
    assert source.title == "2024年衢州市政府工作报告"
    assert source.text == "2024年衢州市政府工作报告\n\n各位代表：\n\n全市生产总值增长6.5%。"


@pytest.mark.parametrize("meta", [
    '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">',  # as declared
    '<meta charset="utf-8">',  # mislabelled: the bytes decide
])
def test_html_in_gbk(tmp_path, meta):
    page = PAGE.replace('<meta charset="utf-8">', meta)
    source = read(write(tmp_path, "r.htm", page.encode("gbk")))
    assert source.encoding == "gb18030" and PARAGRAPHS[1] in source.text
    short = read(write(tmp_path, "short.htm", f"{meta}<p>衢州市政府工作报告</p>".encode("gbk")))
    assert short.text == "衢州市政府工作报告"


FONT = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")


def _pdf(lines: list[str] | None, title: str | None = None, width: float = 0) -> bytes:
    """A PDF written by fpdf2: one page per line (Chinese, in WenQuanYi Micro Hei), or with
    ``lines=None`` a page holding only a picture, as a scan has."""
    fpdf = pytest.importorskip("fpdf")
    pdf = fpdf.FPDF()
    if title:
        pdf.set_title(title)
    if lines is None:
        from PIL import Image

        pdf.add_page()
        picture = io.BytesIO()
        Image.new("L", (200, 100), 200).save(picture, format="PNG")
        pdf.image(picture, x=10, y=10, w=100)
        return bytes(pdf.output())
    if not FONT.exists():
        pytest.skip("needs fonts-wqy-microhei (apt-get install fonts-wqy-microhei)")
    pdf.add_font("wqy", fname=str(FONT), collection_font_number=0)
    pdf.set_font("wqy", size=12)
    for line in lines:
        pdf.add_page()
        pdf.multi_cell(width, 8, line)
    return bytes(pdf.output())


def test_pdf_text_layer(tmp_path):
    path = write(tmp_path, "r.PDF", _pdf(["衢州市政府工作报告", "一、2023年工作回顾", "全市生产总值增长6.5%。"],
                                        title="2024年衢州市政府工作报告"))
    source = read(path)
    assert (source.format, source.title, source.offsets) == ("pdf", "2024年衢州市政府工作报告", None)
    assert source.text.split("\n") == ["衢州市政府工作报告", "一、2023年工作回顾", "全市生产总值增长6.5%。"]
    doc = ingest.load(path)
    assert (doc.city.name, doc.report_year) == ("衢州市", 2024)


def test_pdf_of_a_real_report_reads_as_its_markdown(tmp_path):
    """A report laid out over pages by fpdf2 (lines wrapped, a paragraph across a page break)
    gives the sentences of the Markdown it was made from."""
    md = read(write(tmp_path, "2014.md", SANYA)).text
    cut = md.index("市政府在省委")  # the last paragraph runs on to the second page
    path = write(tmp_path, "2014.pdf", _pdf([md[:cut], md[cut:]], width=60))
    from_pdf, from_md = ingest.load(path), ingest.parse_text(md)
    assert [s.text for s in from_pdf.sentences] == [s.text for s in from_md.sentences]


def test_scanned_pdf_is_a_clear_error(tmp_path):
    path = write(tmp_path, "scan.pdf", _pdf(None))
    with pytest.raises(InputError, match=r"scan\.pdf: the PDF has no text layer \(a scan\?\); OCR"):
        read(path)


def test_truncated_and_corrupt_pdf(tmp_path):
    data = _pdf(["衢州市政府工作报告"])
    with pytest.raises(InputError, match="cut.pdf: a truncated PDF"):
        read(write(tmp_path, "cut.pdf", data[: len(data) // 2]))
    with pytest.raises(InputError, match="bad.pdf: a corrupt PDF"):
        read(write(tmp_path, "bad.pdf", b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\n%%EOF\n"))
    with pytest.raises(InputError, match="fake.pdf: not a PDF"):
        read(write(tmp_path, "fake.pdf", "衢州市政府工作报告"))


def _docx(tmp_path: Path, name: str) -> Path:
    docx = pytest.importorskip("docx")
    document = docx.Document()
    document.core_properties.title = "2024年衢州市政府工作报告"
    document.add_heading("衢州市政府工作报告", level=1)
    document.add_paragraph("一、2023年工作回顾")
    table = document.add_table(rows=2, cols=2)
    for r, row in enumerate([("指标", "增长"), ("生产总值", "6.5%")]):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    document.add_paragraph("全市生产总值增长6.5%。")
    path = tmp_path / name
    document.save(str(path))
    return path


def test_docx_paragraphs_and_tables_in_order(tmp_path):
    source = read(_docx(tmp_path, "r.docx"))
    assert (source.format, source.title, source.encoding) == ("docx", "2024年衢州市政府工作报告", None)
    assert source.text.split("\n\n") == ["衢州市政府工作报告", "一、2023年工作回顾", "指标 增长",
                                         "生产总值 6.5%", "全市生产总值增长6.5%。"]


def test_truncated_docx(tmp_path):
    data = _docx(tmp_path, "whole.docx").read_bytes()
    with pytest.raises(InputError, match="cut.docx: not a readable .docx"):
        read(write(tmp_path, "cut.docx", data[: len(data) // 2]))


@pytest.mark.parametrize(("name", "data", "reason"), [
    ("empty.txt", b"", "the file is empty"),
    ("blank.md", b" \n\r\n\t", "the file is empty"),
    ("front.md", "---\ntitle: 某市政府工作报告\n---\n".encode(), "no report text"),
    ("image.txt", bytes(range(256)) * 40, "a binary file"),
    ("latin.txt", bytes(range(128, 256)) * 50, "not UTF-8, UTF-16 or GB18030"),
    ("report.rtf", b"{\\rtf1 hello}", "unknown suffix '.rtf'"),
    ("noext", b"hello", "unknown suffix '\\(none\\)'"),
    ("script.html", b"<script>var a = 1;</script><nav><a href='/'>home</a></nav>", "no report text"),
])
def test_errors_name_the_file_and_the_reason(tmp_path, name, data, reason):
    with pytest.raises(InputError, match=rf"{name}: {reason}"):
        read(write(tmp_path, name, data))


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="missing.txt: cannot read"):
        read(tmp_path / "missing.txt")


_MARKUP = list("一二三四五六七八九十、（）。，“”衢州市年增长5%") + [
    "**", "*", "_", "#", "## ", "\n", "\r\n", "\n\n", "<!--", "-->", "[^1]", "[^1]: ", "<p>", "</p>",
    "<br>", "<a href='x'>", "</a>", "&nbsp;", "&amp;", "\\", "---\n", "title: t\n", "    ", "\t",
    "1. ", "- ", "> ", "|", "```", "<table><tr><td>", "<script>", "\ufeff", "\x00", "\u3000"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(parts=st.lists(st.sampled_from(_MARKUP), max_size=40),
       suffix=st.sampled_from([".txt", ".md", ".html"]),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16"]))
def test_text_readers_never_crash_and_offsets_stay_in_the_file(tmp_path, parts, suffix, encoding):
    original = "".join(parts)
    path = tmp_path / f"fuzz{suffix}"
    path.write_bytes(original.encode(encoding))
    try:
        source = read(path)
    except InputError as e:
        assert str(e).startswith(str(path))
        return
    assert source.text.strip()
    if source.offsets is not None:
        assert len(source.offsets) == len(source.text)
        # into the file as decoded (a two-character file may be decoded as another encoding)
        decoded = path.read_bytes().decode(source.encoding or "utf-8")
        assert all(0 <= o < len(decoded) for o in source.offsets)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=600), suffix=st.sampled_from(SUFFIXES), cut=st.integers(0, 4000))
def test_any_bytes_give_a_source_or_an_input_error(tmp_path, data, suffix, cut):
    """Random bytes, and real PDF and DOCX files cut anywhere, under every suffix."""
    if suffix == ".pdf":
        data = _PDF_BYTES[:cut] + data
    elif suffix == ".docx":
        data = _DOCX_BYTES[:cut * 3] + data
    path = tmp_path / f"fuzz{suffix}"
    path.write_bytes(data)
    try:
        read(path)
    except InputError as e:
        assert str(e).startswith(str(path))


def _docx_bytes() -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph("衢州市政府工作报告")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _pdf_bytes() -> bytes:
    import fpdf

    pdf = fpdf.FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text="Quzhou government work report 2024")
    return bytes(pdf.output())


_PDF_BYTES = _pdf_bytes()
_DOCX_BYTES = _docx_bytes()
