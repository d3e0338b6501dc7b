"""``kg eval``: scores, attributes, groups and errors against a real store.

Two stores: one written by ``kg.rdf.to_quads`` from hand-made extractions of tiny made-up
reports (every score is known), and one built by ``kg build`` from made-up texts (the
whole pipeline; only what any working extractor finds is asserted). ``--cv`` trains real
taggers on three tiny made-up reports.
"""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from pyoxigraph import Store

from kg import gazetteer, pipeline, queries, rdf
from kg.cli import main
from kg.errors import InputError
from kg.evaluate import (
    CLASSES,
    cross_validate,
    evaluate,
    format_errors,
    format_table,
    load_gold,
    norm_name,
    only_classes,
    score,
)
from kg.model import Entity, Extraction, Mention, ObservationMention
from kg.store import select
from tests.helpers import make_doc

# --- a store from hand-made extractions -------------------------------------------------------

QUZHOU = ("一、2023年工作回顾。全市生产总值达到2125.2亿元、增长6.8%。民间投资增长9%。"
          "衢丽铁路衢州至松阳段开工建设。柯城大道改造提升。深入实施“八八战略”，推进“千万工程”。"
          "柯城、景宁和开化协同发展。二、2024年目标任务。生产总值增长7%左右。固定资产投资增长5%。"
          "加快新材料产业链发展。")
LISHUI = "全市生产总值增长7.4%。莲都加快发展。"

#: (class, label, surface, attrs) and (indicator, surface, value, unit, measure, kind, year).
QUZHOU_NAMES = [
    ("Project", "衢丽铁路", "衢丽铁路衢州至松阳段", (("type", "railway"),)),
    ("Project", "柯城大道", "柯城大道", (("type", "urban"),)),
    ("Policy", "八八战略", "“八八战略”", (("level", "national"),)),  # gold: provincial
    ("Policy", "千万工程", "“千万工程”", (("level", "provincial"),)),
    ("IndustryChain", "新材料", "新材料", ()),
    ("County", "柯城区", "柯城、", ()),
    ("County", "景宁畲族自治县", "景宁", ()),
    ("County", "开化县", "开化", ()),
]
QUZHOU_FIGURES = [
    ("地区生产总值", "2125.2亿元", "2125.2", "亿元", "level", "actual", 2023),
    ("地区生产总值", "6.8%", "6.8", "%", "growth", "actual", 2023),
    ("民间投资", "9%", "9", "%", "growth", "actual", 2023),  # gold: 8.9
    ("地区生产总值", "7%", "7", "%", "growth", "target", 2024),
    ("固定资产投资", "5%", "5", "%", "growth", "actual", 2024),  # gold: target
]


def extraction(text: str, city: str, years: tuple[int, int], names=(), figures=()) -> Extraction:
    gz = gazetteer.default()
    (place,) = [p for p in gz.lookup(city) if p.level == "city"]
    doc = replace(make_doc(text), city=place, report_year=years[0], review_year=years[1])

    def locate(surface: str) -> tuple[int, int, int]:
        start = text.index(surface)
        (sentence,) = [s.index for s in doc.sentences if s.start <= start < s.end]
        return sentence, start, start + len(surface)

    entities = []
    for cls, label, surface, attrs in names:
        surface = surface.rstrip("、")
        sentence, start, end = locate(surface)
        key = label
        if cls == "County":
            (county,) = [p for p in gz.lookup(label) if p.level == "county"]
            key, attrs = county.code, (("code", county.code),)
        mention = Mention(cls, label, surface, sentence, start, end, attrs)
        entities.append(Entity(cls, key, label, attrs, (surface,), (mention,)))
    observations = []
    for indicator, needle, value, unit, measure, kind, year in figures:
        sentence, start, end = locate(needle)
        observations.append(ObservationMention(indicator, indicator, Decimal(value), unit,
                                               measure, kind, year, sentence, start, end))
    return Extraction(doc, tuple(entities), tuple(observations))


def made_store() -> Store:
    store = Store()
    for ex in (extraction(QUZHOU, "衢州市", (2024, 2023), QUZHOU_NAMES, QUZHOU_FIGURES),
               extraction(LISHUI, "丽水市", (2024, 2023), [("County", "莲都区", "莲都", ())],
                          [("地区生产总值", "7.4%", "7.4", "%", "growth", "actual", 2023)])):
        store.extend(rdf.to_quads(ex, places=pipeline.parent_places(ex)))
    pipeline.refresh_entities(store)
    return store


def figure(indicator, value, unit, measure, kind, year, quote=""):
    return {"indicator": indicator, "value": value, "unit": unit, "measure": measure,
            "kind": kind, "year": year, "quote": quote}


GOLD = {
    "a.json": {
        "seed": "a.txt", "city": "衢州市", "report_year": 2024, "review_year": 2023,
        "evidence_city_year": "一、2023年工作回顾",
        "indicators": [
            figure("地区生产总值", 2125.2, "亿元", "level", "actual", 2023,
                   "全市生产总值达到2125.2亿元、增长6.8%"),
            figure("地区生产总值", 6.8, "%", "growth", "actual", 2023),
            figure("地区生产总值", 7, "%", "growth", "target", 2024),
            figure("民间投资", 8.9, "%", "growth", "actual", 2023, "民间投资增长8.9%"),
            figure("固定资产投资", 5, "%", "growth", "target", 2024, "固定资产投资增长5%"),
        ],
        "projects": [{"name": "衢丽铁路", "surface": "衢丽铁路衢州至松阳段", "type": "railway"},
                     {"name": "杭衢高铁", "type": "railway", "quote": "杭衢高铁建成通车"}],
        "policies": [{"name": "八八战略", "surface": "“八八战略”", "level": "provincial",
                      "quote": "深入实施“八八战略”"},
                     {"name": "“千万工程”", "level": "provincial"}],
        "industry_chains": [{"name": "新材料"}],
        "counties": ["柯城", "景宁", "龙游"],
    },
    "b.json": {
        "seed": "b.txt", "city": "丽水市", "report_year": 2024, "review_year": 2023,
        "indicators": [figure("地区生产总值", 7.4, "%", "growth", "actual", 2023)],
        "policies": [{"name": "八八战略", "level": "provincial", "quote": "忠实践行“八八战略”"}],
        "counties": ["莲都"],
    },
    "c.json": {  # no built report
        "seed": "c.txt", "city": "临沂市", "report_year": 2018, "review_year": 2017,
        "indicators": [figure("地区生产总值", 8, "%", "growth", "actual", 2017)],
        "projects": [{"name": "鲁南高铁", "type": "railway"}],
    },
}


def write_gold(folder: Path, gold: dict = GOLD) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in gold.items():
        (folder / name).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    (folder / "README.md").write_text("not gold", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    return evaluate(write_gold(tmp_path_factory.mktemp("gold")), made_store())


def counts(s: dict) -> tuple[int, int, int]:
    return s["tp"], s["fp"], s["fn"]


def test_scores_per_report_and_class(result):
    a, b, c = result["reports"]
    assert [r["gold_file"] for r in result["reports"]] == ["a.json", "b.json", "c.json"]
    assert a["report"].endswith("/report/330800-2024") and a["matched"]
    s = a["scores"]
    assert list(s) == list(CLASSES)
    assert s["city_year"] == score(1, 0, 0)
    assert s["indicators"] == score(3, 2, 2)
    assert counts(s["projects"]) == (1, 1, 1)
    assert s["policies"] == score(2, 0, 0)  # a wrong level is still the right name
    assert s["industry_chains"] == score(1, 0, 0)
    assert s["counties"] == score(2, 1, 1)
    assert b["scores"] == {"city_year": score(1, 0, 0), "indicators": score(1, 0, 0),
                           "policies": score(0, 0, 1), "counties": score(1, 0, 0)}
    assert not c["matched"] and c["report"] is None
    assert c["scores"] == {"city_year": score(0, 0, 1), "indicators": score(0, 0, 1),
                           "projects": score(0, 0, 1)}
    assert result["unmatched"] == ["c.json"]
    json.dumps(result)  # JSON-serialisable


def test_micro_and_macro(result):
    overall = result["overall"]
    assert overall["reports"] == 3
    assert overall["micro"]["indicators"] == score(4, 2, 3)
    assert overall["micro"]["policies"] == score(2, 0, 1)
    macro = overall["macro"]["indicators"]
    # per report F1: 0.6, 1.0 and 0.0 (nothing found); precision undefined for c
    assert macro == {"reports": 3, "precision": 0.8, "recall": 0.533, "f1": 0.533}
    assert overall["macro"]["projects"] == {"reports": 2, "precision": 0.5, "recall": 0.25,
                                            "f1": 0.25}


def test_attributes_are_scored_on_matched_items(result):
    attrs = result["reports"][0]["attributes"]
    # the figures: indicator, year, unit and value; 固定资产投资 is found with the wrong kind
    assert attrs["indicators"]["figures"] == score(4, 1, 1)
    assert attrs["indicators"]["kind"] == {"n": 4, "correct": 3, "accuracy": 0.75,
                                           "confusions": {"target→actual": 1}}
    assert attrs["indicators"]["measure"]["accuracy"] == 1.0
    assert attrs["projects"]["type"] == {"n": 1, "correct": 1, "accuracy": 1.0,
                                         "confusions": {}}
    assert attrs["policies"]["level"] == {"n": 2, "correct": 1, "accuracy": 0.5,
                                          "confusions": {"provincial→national": 1}}
    overall = result["overall"]["attributes"]
    assert overall["indicators"]["figures"] == score(5, 1, 2)
    assert overall["policies"]["level"]["accuracy"] == 0.5


def test_by_province(result):
    groups = result["by_province"]
    assert list(groups) == ["山东省", "浙江省"]
    assert groups["浙江省"]["gold_files"] == ["a.json", "b.json"]
    assert groups["浙江省"]["micro"]["indicators"] == score(4, 2, 2)
    assert groups["山东省"]["micro"]["indicators"] == score(0, 0, 1)
    assert groups["山东省"]["macro"]["indicators"]["f1"] == 0.0
    assert [r["province"] for r in result["reports"]] == ["浙江省", "浙江省", "山东省"]
    lines = format_table(result, by="province").splitlines()
    assert lines[0].split()[:3] == ["province", "class", "tp"]
    zj = lines.index(next(line for line in lines if line.startswith("浙江省 (2)")))
    assert lines[zj].split()[2:7] == ["city_year", "2", "0", "0", "1.000"]
    assert lines[zj + 1].split()[:4] == ["indicators", "4", "2", "2"]


def test_errors_show_the_sentence(result):
    errors = result["reports"][0]["errors"]
    assert errors["projects"]["false_negatives"] == [
        {"item": "杭衢高铁", "sentence": "杭衢高铁建成通车"}]
    assert errors["projects"]["false_positives"] == [
        {"item": "柯城大道", "sentence": "柯城大道改造提升。"}]
    fn = {e["item"]: e for e in errors["indicators"]["false_negatives"]}
    assert fn["固定资产投资 2024 target growth 5%"] == {
        "item": "固定资产投资 2024 target growth 5%", "sentence": "固定资产投资增长5%",
        "why": "built as actual growth"}
    assert fn["民间投资 2023 actual growth 8.9%"]["sentence"] == "民间投资增长8.9%"
    fp = {e["item"]: e for e in errors["indicators"]["false_positives"]}
    assert fp["民间投资 2023 actual growth 9%"] == {"item": "民间投资 2023 actual growth 9%",
                                                    "sentence": "民间投资增长9%。"}
    assert fp["固定资产投资 2024 actual growth 5%"]["why"] == "gold has target growth"
    assert errors["policies"]["wrong_attributes"] == [
        {"item": "八八战略", "attribute": "level", "gold": "provincial", "built": "national",
         "sentence": "深入实施“八八战略”"}]
    assert errors["counties"]["false_positives"] == [
        {"item": "开化", "sentence": "柯城、景宁和开化协同发展。"}]
    assert errors["counties"]["false_negatives"] == [{"item": "龙游", "sentence": ""}]
    assert errors["city_year"]["false_negatives"] == []
    c = result["reports"][2]["errors"]
    assert c["city_year"]["false_negatives"][0]["item"] == "临沂市 report 2018 review 2017"

    text = format_errors(result)
    assert "衢州市 2024  a.json" in text
    assert "  projects: 1 missed, 1 false" in text
    assert "    false   柯城大道  «柯城大道改造提升。»" in text
    assert "[built as actual growth]  «固定资产投资增长5%»" in text
    assert "    wrong   八八战略  level provincial→national  «深入实施“八八战略”»" in text
    assert "临沂市 2018  c.json  (no built report)" in text


def test_only_classes(result):
    kept = only_classes(result, ["projects"])
    assert [list(r["scores"]) for r in kept["reports"]] == [["projects"], [], ["projects"]]
    assert list(kept["overall"]["micro"]) == ["projects"]
    assert list(kept["by_province"]["浙江省"]["attributes"]) == ["projects"]
    assert "policies" not in format_errors(kept)


def test_table(result):
    lines = format_table(result).splitlines()
    assert lines[0].split() == ["report", "class", "tp", "fp", "fn", "precision", "recall",
                                "f1", "kind", "measure", "type", "level"]
    assert lines[1].startswith("衢州市 2024") and lines[1].split()[2:6] == ["city_year", "1", "0", "0"]
    figures = next(line for line in lines if line.strip().startswith("figures"))
    assert figures.split() == ["figures", "4", "1", "1", "0.800", "0.800", "0.800", "0.750",
                               "1.000"]
    policies = next(line for line in lines if line.strip().startswith("policies"))
    assert policies.split()[-1] == "0.500"  # the level column
    assert any(line.startswith("临沂市 2018 (no report)") for line in lines)
    macro = lines.index(next(line for line in lines if line.startswith("overall (macro)")))
    assert lines[macro + 1].split() == ["indicators", "0.800", "0.533", "0.533"]
    assert "no built report for: c.json" in lines[-1]


def test_mention_sentences_query():
    q = queries.get("mention_sentences")
    rows = select(made_store(), q.text, name=q.name)
    assert list(rows[0]) == ["report", "class", "entity", "label", "level", "projectType",
                             "surface", "start", "sentence"]
    row = next(r for r in rows if r["label"] == "衢丽铁路")
    assert (row["class"], row["projectType"], row["level"], row["surface"], row["sentence"]) \
        == ("Project", "railway", None, "衢丽铁路衢州至松阳段", "衢丽铁路衢州至松阳段开工建设。")
    assert QUZHOU[row["start"]:].startswith("衢丽铁路")
    assert next(r for r in rows if r["label"] == "八八战略")["level"] == "national"


@pytest.mark.parametrize("content, message", [
    ("{not json", "cannot read JSON"),
    ("[1, 2]", "expected a JSON object"),
    ('{"city": "衢州市"}', "`report_year`"),
    ('{"city": "衢州市", "report_year": 2024, "indicators": {}}', "`indicators` must be a list"),
    ('{"city": "衢州市", "report_year": 2024, "indicators": [{"indicator": "x"}]}',
     "indicators[0]"),
    ('{"city": "衢州市", "report_year": 2024, "indicators": [{"indicator": "x", "year": 2023,'
     ' "kind": "actual", "measure": "level", "unit": "%", "value": "many"}]}', "indicators[0]"),
    ('{"city": "衢州市", "report_year": 2024, "projects": [{"surface": "x"}]}', "projects[0]"),
])
def test_bad_gold_names_the_file(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match="bad.json") as e:
        evaluate(tmp_path, made_store())
    assert message in str(e.value)
    with pytest.raises(InputError, match="bad.json"):
        load_gold(path)


def test_no_gold_files(tmp_path):
    with pytest.raises(InputError, match="no gold files"):
        evaluate(tmp_path, Store())
    with pytest.raises(InputError, match="no gold files"):
        cross_validate(tmp_path)


def test_empty_store(tmp_path):
    result = evaluate(write_gold(tmp_path), Store())
    assert result["overall"]["micro"]["indicators"] == score(0, 0, 7)
    assert result["overall"]["micro"]["indicators"]["precision"] is None
    assert result["unmatched"] == ["a.json", "b.json", "c.json"]


def test_names_ignore_quotes_and_width():
    assert norm_name("“千万工程”") == norm_name(" 千万 工程 ") == "千万工程"
    assert norm_name("１０＋２重点工作") == "10+2重点工作"


def test_class_option_lists_every_class():
    option = next(p for p in main.commands["eval"].params if p.name == "classes")
    assert tuple(option.type.choices) == CLASSES


# --- the whole pipeline: kg build, then kg eval -----------------------------------------------

TEXTS = {
    "q.txt": """政府工作报告
——2024年1月10日在衢州市第八届人民代表大会第四次会议上
一、2023年工作回顾
过去一年，全市生产总值达到2125.2亿元、增长6.8%。衢丽铁路衢州至松阳段开工建设。
深入实施“八八战略”，推进“千万工程”。柯城、衢江和开化协同发展。
二、2024年目标任务
全市生产总值增长7%左右。加快新材料产业链发展。
""",
    "l.txt": """政府工作报告
——2024年1月12日在丽水市第五届人民代表大会第四次会议上
一、2023年工作回顾
过去一年，全市生产总值增长7.4%。衢丽铁路开工建设，杭温高铁建成通车。
忠实践行“八八战略”，深化“千万工程”。莲都、龙泉和缙云加快发展。
二、2024年目标任务
全市生产总值增长6.5%左右。
""",
    "y.txt": """政府工作报告
——2018年1月8日在临沂市第十九届人民代表大会第二次会议上
一、2017年工作回顾
过去一年，全市生产总值增长8%。鲁南高铁开工建设。兰山、罗庄和河东协同发展。
实施“乡村振兴战略”。
二、2018年目标任务
全市生产总值增长7.5%左右。
""",
}
TEXT_GOLD = {
    "q.json": {"seed": "q.txt", "city": "衢州市", "report_year": 2024, "review_year": 2023,
               "indicators": [figure("地区生产总值", 2125.2, "亿元", "level", "actual", 2023)],
               "projects": [{"name": "衢丽铁路", "type": "railway"},
                            {"name": "杭衢高铁", "type": "railway",
                             "quote": "杭衢高铁建成通车"}],
               "policies": [{"name": "八八战略", "level": "provincial"}],
               "counties": ["柯城", "衢江", "开化"]},
    "l.json": {"seed": "l.txt", "city": "丽水市", "report_year": 2024, "review_year": 2023,
               "projects": [{"name": "衢丽铁路", "type": "railway"},
                            {"name": "杭温高铁", "type": "railway"}],
               "policies": [{"name": "八八战略", "level": "provincial"},
                            {"name": "千万工程", "level": "provincial"}],
               "counties": ["莲都", "龙泉", "缙云"]},
    "y.json": {"seed": "y.txt", "city": "临沂市", "report_year": 2018, "review_year": 2017,
               "projects": [{"name": "鲁南高铁", "type": "railway"}],
               "policies": [{"name": "乡村振兴战略", "level": "national"}],
               "counties": ["兰山", "罗庄", "河东"]},
}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("corpus")
    gold = write_gold(root / "gold", TEXT_GOLD)
    (gold / "texts").mkdir()
    for name, text in TEXTS.items():
        (gold / "texts" / name).write_text(text, encoding="utf-8")
    store = root / "store"
    run = CliRunner().invoke(main, ["build", str(gold / "texts"), "--store", str(store), "-q"])
    assert run.exit_code == 0, run.output
    return gold, store


def invoke(*args: str):
    return CliRunner().invoke(main, ["eval", *args])


def test_cli_table_and_json(corpus):
    gold, store = corpus
    run = invoke("--gold", str(gold), "--store", str(store))
    assert run.exit_code == 0, run.output
    lines = run.output.splitlines()
    assert lines[0].split()[:2] == ["report", "class"]
    assert any(line.startswith("衢州市 2024") for line in lines)
    assert any(line.startswith("overall (micro)") for line in lines)
    assert any(line.startswith("overall (macro)") for line in lines)
    data = json.loads(invoke("--gold", str(gold), "--store", str(store),
                             "--format", "json").output)
    assert data["mode"] == "store" and data["unmatched"] == []
    q = data["reports"][1]
    assert q["gold_file"] == "q.json" and q["scores"]["city_year"] == score(1, 0, 0)
    assert q["scores"]["indicators"]["tp"] == 1  # 生产总值达到2125.2亿元
    assert q["scores"]["counties"]["tp"] == 3
    misses = {e["item"]: e for e in q["errors"]["projects"]["false_negatives"]}
    assert misses["杭衢高铁"]["sentence"] == "杭衢高铁建成通车"
    assert set(data["by_province"]) == {"浙江省", "山东省"}


def test_cli_by_province_and_errors(corpus):
    gold, store = corpus
    run = invoke("--gold", str(gold), "--store", str(store), "--by", "province")
    assert run.exit_code == 0, run.output
    assert any(line.startswith("浙江省 (2)") for line in run.output.splitlines())
    assert any(line.startswith("山东省 (1)") for line in run.output.splitlines())
    run = invoke("--gold", str(gold), "--store", str(store), "--errors", "--class", "projects")
    assert run.exit_code == 0, run.output
    assert "  projects: " in run.output and "policies" not in run.output
    assert "    missed  杭衢高铁" in run.output and "«杭衢高铁建成通车»" in run.output
    # a false find shows the sentence of the report it was read from
    data = json.loads(invoke("--gold", str(gold), "--store", str(store), "--format", "json",
                             "--class", "projects").output)
    for r in data["reports"]:
        text = TEXTS[r["gold_file"].replace(".json", ".txt")]
        assert all(e["sentence"] and e["sentence"] in text
                   for e in r["errors"]["projects"]["false_positives"])
        assert list(r["scores"]) == ["projects"]


def test_cli_errors_name_the_file(corpus, tmp_path):
    _, store = corpus
    (tmp_path / "bad.json").write_text("{", encoding="utf-8")
    run = invoke("--gold", str(tmp_path), "--store", str(store))
    assert run.exit_code == 1 and "bad.json" in run.output
    gold, _ = corpus
    run = invoke("--gold", str(gold), "--store", str(store), "--jobs", "2")
    assert run.exit_code == 2 and "--jobs go with --cv" in run.output


# --- leave one report out ---------------------------------------------------------------------


def test_cross_validation(corpus):
    gold, _ = corpus
    serial = cross_validate(gold)
    assert serial["mode"] == "cv" and serial["texts_dir"] == str(gold / "texts")
    assert [r["gold_file"] for r in serial["reports"]] == ["l.json", "q.json", "y.json"]
    assert all(r["matched"] and r["scores"]["city_year"]["tp"] == 1 for r in serial["reports"])
    assert serial["overall"]["micro"]["counties"]["tp"] >= 6
    assert set(serial["by_province"]) == {"浙江省", "山东省"}
    assert cross_validate(gold, gold / "texts", jobs=2) == serial  # jobs change nothing

    run = invoke("--cv", "--gold", str(gold), "-q", "--by", "province")
    assert run.exit_code == 0, run.output
    assert run.output.startswith("leave-one-report-out")
    assert any(line.startswith("浙江省 (2)") for line in run.output.splitlines())
    run = invoke("--cv", "--gold", str(gold), "-q", "--errors", "--class", "projects")
    assert run.exit_code == 0 and "  projects: " in run.output


def test_cross_validation_needs_the_texts(tmp_path):
    write_gold(tmp_path, TEXT_GOLD)
    with pytest.raises(InputError, match=r"l\.json: its text .*l\.txt is missing"):
        cross_validate(tmp_path)
    one = write_gold(tmp_path / "one", {"q.json": TEXT_GOLD["q.json"]})
    with pytest.raises(InputError, match="at least two gold files"):
        cross_validate(one)
