"""``kg.evaluate`` against a tiny gold folder and a tiny store filled with SPARQL Update."""

from __future__ import annotations

import json

import pytest
from pyoxigraph import Store

from kg.errors import InputError
from kg.evaluate import evaluate, format_table, load_gold, norm_name, score

PREFIXES = """
PREFIX gk: <https://w3id.org/gov-kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""
ID = "https://w3id.org/gov-kg/id/"


def _observation(n: int, indicator: str, value: str, unit: str, measure: str, kind: str,
                 year: int) -> str:
    return f"""
      <R/observation/{n}> a gk:Observation ; gk:indicator <{ID}indicator/{indicator}> ;
          gk:value "{value}"^^xsd:decimal ; gk:unit "{unit}" ; gk:measure "{measure}" ;
          gk:kind "{kind}" ; gk:year {year} ; gk:refArea <{ID}city/330800> ;
          gk:inReport <R> ; gk:inSentence <R/sentence/0> .
      <{ID}indicator/{indicator}> a gk:Indicator ; rdfs:label "{indicator}" ."""


def _mention(n: int, cls: str, slug: str, label: str, surface: str) -> str:
    return f"""
      <R/mention/{n}> a gk:Mention ; gk:mentionOf <{ID}{slug}/{label}> ; gk:surface "{surface}" ;
          gk:inReport <R> ; gk:inSentence <R/sentence/0> .
      <{ID}{slug}/{label}> a gk:{cls} ; rdfs:label "{label}" ."""


def build_store(review_year: int = 2023) -> Store:
    body = "".join([
        _observation(0, "地区生产总值", "2125.20", "亿元", "level", "actual", 2023),
        _observation(1, "地区生产总值", "6.8", "%", "growth", "actual", 2023),
        _observation(2, "地区生产总值", "7.0", "%", "growth", "target", 2024),
        _observation(3, "民间投资", "9", "%", "growth", "actual", 2023),  # wrong value
        _mention(0, "Project", "project", "衢丽铁路", "衢丽铁路衢州至松阳段"),
        _mention(1, "Policy", "policy", "八八战略", "“八八战略”"),
        _mention(2, "IndustryChain", "industry-chain", "新材料", "新材料"),
        _mention(3, "County", "county", "柯城区", "柯城"),
        _mention(4, "County", "county", "景宁畲族自治县", "景宁畲族自治县"),
        _mention(5, "County", "county", "开化县", "开化"),
    ])
    report = ID + "report/330800-2024"
    update = PREFIXES + f"""
    INSERT DATA {{ GRAPH <{report}> {{
      <{report}> a gk:Report ; gk:city <{ID}city/330800> ; gk:reportYear 2024 ;
          gk:reviewYear {review_year} .
      <{ID}city/330800> a gk:City ; rdfs:label "衢州市" .
      <{report}/sentence/0> a gk:Sentence ; gk:text "全市生产总值达到2125.2亿元、增长6.8%" .
      {body.replace("<R", "<" + report)}
    }} }}"""
    store = Store()
    store.update(update)
    return store


GOLD = {
    "city": "衢州市", "report_year": 2024, "review_year": 2023,
    "indicators": [
        {"indicator": "地区生产总值", "year": 2023, "kind": "actual", "value": 2125.2,
         "unit": "亿元", "measure": "level"},
        {"indicator": "地区生产总值", "year": 2023, "kind": "actual", "value": 6.8,
         "unit": "%", "measure": "growth"},
        {"indicator": "地区生产总值", "year": 2024, "kind": "target", "value": 7,
         "unit": "%", "measure": "growth"},
        {"indicator": "民间投资", "year": 2023, "kind": "actual", "value": 8.9,
         "unit": "%", "measure": "growth"},
    ],
    "projects": [{"name": "衢丽铁路", "surface": "衢丽铁路衢州至松阳段"},
                 {"name": "杭衢高铁"}],
    "policies": [{"name": "“八八战略”"}],
    "industry_chains": [{"name": "新材料"}],
    "counties": ["柯城", "景宁", "龙游"],
}


@pytest.fixture
def gold_dir(tmp_path):
    (tmp_path / "a.json").write_text(json.dumps(GOLD, ensure_ascii=False), encoding="utf-8")
    (tmp_path / "README.md").write_text("not gold", encoding="utf-8")
    return tmp_path


def test_scores_per_category(gold_dir):
    result = evaluate(gold_dir, build_store())
    (report,) = result["reports"]
    assert report["matched"] and report["report"].endswith("/report/330800-2024")
    s = report["scores"]
    assert s["city_year"] == score(1, 0, 0)
    assert (s["indicators"]["tp"], s["indicators"]["fp"], s["indicators"]["fn"]) == (3, 1, 1)
    assert (s["projects"]["tp"], s["projects"]["fp"], s["projects"]["fn"]) == (1, 0, 1)
    assert s["policies"]["f1"] == 1.0 and s["industry_chains"]["f1"] == 1.0
    assert (s["counties"]["tp"], s["counties"]["fp"], s["counties"]["fn"]) == (2, 1, 1)
    assert result["overall"]["indicators"] == s["indicators"]
    assert result["unmatched"] == []
    json.dumps(result)  # JSON-serialisable


def test_errors_list_the_misses(gold_dir):
    errors = evaluate(gold_dir, build_store())["reports"][0]["errors"]
    assert errors["indicators"] == {"false_positives": ["民间投资 2023 actual growth 9%"],
                                    "false_negatives": ["民间投资 2023 actual growth 8.9%"]}
    assert errors["projects"]["false_negatives"] == ["杭衢高铁"]
    assert errors["counties"] == {"false_positives": ["开化"], "false_negatives": ["龙游"]}


def test_wrong_review_year_is_a_miss(gold_dir):
    s = evaluate(gold_dir, build_store(review_year=2022))["reports"][0]["scores"]["city_year"]
    assert (s["tp"], s["fp"], s["fn"]) == (0, 1, 1)


def test_gold_without_a_report_counts_as_misses(gold_dir):
    gold = dict(GOLD, city="丽水市")
    (gold_dir / "a.json").write_text(json.dumps(gold, ensure_ascii=False), encoding="utf-8")
    result = evaluate(gold_dir, build_store())
    assert result["unmatched"] == ["a.json"]
    s = result["reports"][0]["scores"]
    assert s["indicators"] == score(0, 0, 4)
    assert s["counties"]["fn"] == 3 and s["city_year"]["fn"] == 1
    assert "no built report for: a.json" in format_table(result)


def test_empty_store(gold_dir):
    result = evaluate(gold_dir, Store())
    assert result["overall"]["indicators"]["recall"] == 0.0
    assert result["overall"]["indicators"]["precision"] is None


@pytest.mark.parametrize("content, message", [
    ("{not json", "cannot read JSON"),
    ("[1, 2]", "expected a JSON object"),
    ('{"city": "衢州市"}', "`report_year`"),
    ('{"city": "衢州市", "report_year": 2024, "indicators": {}}', "`indicators` must be a list"),
    ('{"city": "衢州市", "report_year": 2024, "indicators": [{"indicator": "x"}]}',
     "indicators[0]"),
    ('{"city": "衢州市", "report_year": 2024, "projects": [{"surface": "x"}]}', "projects[0]"),
])
def test_bad_gold_names_the_file(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match="bad.json") as e:
        evaluate(tmp_path, build_store())
    assert message in str(e.value)
    if content.startswith("{not"):
        with pytest.raises(InputError):
            load_gold(path)


def test_no_gold_files(tmp_path):
    with pytest.raises(InputError, match="no gold files"):
        evaluate(tmp_path, Store())


def test_values_compare_numerically_and_names_ignore_quotes():
    assert norm_name("“千万工程”") == norm_name(" 千万 工程 ") == "千万工程"


def test_table_is_aligned(gold_dir):
    table = format_table(evaluate(gold_dir, build_store()))
    lines = [line for line in table.splitlines() if line.strip()]
    assert lines[0].split()[:3] == ["report", "category", "tp"]
    assert any(line.startswith("衢州市 2024") for line in lines)
    assert any(line.startswith("overall (micro)") for line in lines)
