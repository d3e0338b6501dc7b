"""Two sessions of one city in one year build side by side; two texts of one session conflict;
a title's shared short name is read by the suffix written after it (#12, "bad input loses
nothing"). Made-up report texts, the real `kg build`, an on-disk store."""

from __future__ import annotations

from kg import store
from tests.test_build_robust import kg_build, lines_naming, write

IRI = "https://w3id.org/gov-kg/id/report/"
LISHUI = "331100"  # 丽水市


def annual(date: str, reviewed: int, extra: str = "") -> str:
    """An annual session's report: it reviews ``reviewed`` and plans the year after."""
    return (f"丽水市政府工作报告\n\n——{date}在丽水市第九届人民代表大会第三次会议上\n\n"
            f"市长 甲乙丙\n\n各位代表：\n\n一、{reviewed}年工作回顾\n\n"
            f"{reviewed}年，全市生产总值增长百分之五，山区共富样板区建设开局良好。{extra}\n\n"
            f"二、{reviewed + 1}年工作安排\n\n"
            f"{reviewed + 1}年，全市生产总值预期增长百分之六左右，城乡居民收入稳步提高。\n")


def term(date: str, extra: str = "") -> str:
    """A term session's report: it reviews five years and sets out the next five, no year."""
    return (f"丽水市政府工作报告\n\n——{date}在丽水市第十届人民代表大会第一次会议上\n\n"
            "代市长 丁戊己\n\n各位代表：\n\n一、过去五年工作回顾\n\n"
            f"五年来，全市上下齐心协力，生态优势加快转化为发展优势。{extra}\n\n"
            "二、今后五年的目标任务\n\n"
            "今后五年，我们将奋力建设绿色发展示范区，城乡区域协调发展水平明显提升。\n")


def reports(path) -> list[str]:
    st = store.open_store(path, read_only=True)
    return [g.value.removeprefix(IRI) for g in store.report_graphs(st)]


def test_a_mid_year_term_session_builds_beside_the_annual_report(tmp_path):
    d = tmp_path / "丽水市"
    write(d / "2021.md", annual("2021年2月20日", 2020))
    write(d / "2021-09.md", term("2021年9月16日"))
    out = kg_build(d, "--store", tmp_path / "store")
    assert out.exit_code == 0, out.output
    assert out.output.splitlines()[-1] == "2 built, 0 unchanged, 0 skipped, 0 failed"
    assert reports(tmp_path / "store") == [f"{LISHUI}-2021", f"{LISHUI}-2021-09"]


def test_a_november_term_session_builds_beside_the_next_years_report(tmp_path):
    d = tmp_path / "丽水市"
    write(d / "2016-11.md", term("2016年11月24日"))
    write(d / "2017.md", annual("2017年2月14日", 2016))
    st = tmp_path / "store"
    assert kg_build(d / "2016-11.md", "--store", st).exit_code == 0
    out = kg_build(d / "2017.md", "--store", st)  # a later build: the stored one is no conflict
    assert out.exit_code == 0, out.output
    assert reports(st) == [f"{LISHUI}-2016-11", f"{LISHUI}-2017"]


def test_a_december_session_that_plans_the_next_year_is_that_years_report(tmp_path):
    report = write(tmp_path / "丽水市" / "2023.md", annual("2022年12月28日", 2022))
    out = kg_build(report, "--store", tmp_path / "store")
    assert out.exit_code == 0, out.output
    assert reports(tmp_path / "store") == [f"{LISHUI}-2023"]


def test_two_texts_of_one_session_still_conflict(tmp_path):
    st = tmp_path / "store"
    first = write(tmp_path / "a" / "2021-09.md", term("2021年9月16日"))
    other = write(tmp_path / "b" / "2021.md", term("2021年9月16日", "（下转第二版）"))
    assert kg_build(first, "--store", st).exit_code == 0
    out = kg_build(other, "--store", st)
    assert out.exit_code == 1
    assert lines_naming(out.output, other) == [
        f"failed: {other}: conflict: claims 丽水市 2021, stored from 2021-09.md (a different "
        "text), which is kept; --replace to replace it"]
    annual_a = write(tmp_path / "c" / "2021.md", annual("2021年2月20日", 2020))
    annual_b = write(tmp_path / "d" / "2021.md", annual("2021年2月20日", 2020, "（下转第二版）"))
    out = kg_build(annual_a, annual_b, "--store", st)
    assert out.exit_code == 1 and f"failed: {annual_b}: conflict: claims 丽水市 2021, as " \
        f"{annual_a} (a different text) does in this build" in out.output
    assert reports(st) == [f"{LISHUI}-2021", f"{LISHUI}-2021-09"]


def prefecture(title: str, name: str) -> str:
    return (f"---\ntitle: {title}\n---\n\n——2021年2月3日在{name}第十六届人民代表大会第六次会议上\n\n"
            "州长 庚辛壬\n\n各位代表：\n\n一、2020年工作回顾\n\n"
            "2020年，全州牧业增加值增长百分之四，草原生态保护补助奖励政策落实到户。\n\n"
            "二、2021年工作安排\n\n2021年，全州地区生产总值预期增长百分之七左右。\n")


def test_a_short_name_with_its_suffix_in_the_title_names_the_prefecture(tmp_path):
    # 甘南 is also 甘南县 of 齐齐哈尔市; 甘南州 in the title clue and the session line is the
    # prefecture, as the counties the text names say too
    report = write(tmp_path / "x.md", prefecture("甘南州政府工作报告（2021年2月3日 庚辛壬）",
                                                 "甘南州") + "合作、夏河、玛曲三县市牧民定居点建成。\n")
    out = kg_build(report, "--store", tmp_path / "store")
    assert out.exit_code == 0, out.output
    assert "x.md  甘南藏族自治州 2021 (reviews 2020)" in out.output
    assert reports(tmp_path / "store") == ["623000-2021"]


def test_a_shared_short_name_without_suffix_is_settled_by_the_text(tmp_path):
    # 朝阳 is a city of 辽宁 and districts of 北京 and 长春: the counties named decide
    text = prefecture("朝阳政府工作报告", "朝阳").replace("全州", "全市").replace("州长", "市长")
    report = write(tmp_path / "y.md", text + "建平、凌源、北票三地设施农业扩面提质。\n")
    out = kg_build(report, "--store", tmp_path / "store")
    assert out.exit_code == 0, out.output
    assert "y.md  朝阳市 2021 (reviews 2020)" in out.output
