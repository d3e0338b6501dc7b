"""`kg build` on the sample corpus: cities, years, every class, idempotence, bad input."""

from decimal import Decimal
from pathlib import Path

import pytest

from kg import pipeline, queries, store
from tests.conftest import CORPUS, EXPECTED_REPORTS

CLASSES = ("City", "County", "Project", "Policy", "IndustryChain")


def test_every_report_built(corpus_build):
    _, results = corpus_build
    assert [r.status for r in results] == ["built"] * 5, [r.error for r in results]


def test_reports_query_lists_cities_and_years(corpus_store):
    rows = store.select(corpus_store, queries.get("reports").text)
    assert len(rows) == 5
    got = sorted((r["city"], r["reportYear"], r["reviewYear"]) for r in rows)
    assert got == sorted(EXPECTED_REPORTS.values())


def test_every_class_in_every_report(corpus_store):
    rows = store.select(corpus_store, queries.get("mentions").text)
    per_report = {}
    for r in rows:
        per_report.setdefault(r["report"], set()).add(r["class"])
    assert len(per_report) == 5
    for report, classes in per_report.items():
        assert set(CLASSES) <= classes, (report, set(CLASSES) - classes)
    obs = store.select(corpus_store, queries.get("observations").text)
    assert {r["report"] for r in obs} == set(per_report)


def test_quzhou_2023_gdp_is_an_observation(corpus_store):
    rows = store.select(corpus_store, queries.get("observations").text)
    hits = [r for r in rows if r["city"] == "衢州市" and r["year"] == 2023
            and r["indicator"] == "地区生产总值" and r["measure"] == "level"]
    assert [(r["value"], r["unit"], r["kind"]) for r in hits] == [(Decimal("2125.2"), "亿元", "actual")]
    assert "2125.2亿元" in hits[0]["sentence"]


def test_named_query_columns_are_stable(corpus_store):
    expected = {
        "reports": ["report", "city", "reportYear", "reviewYear"],
        "observations": ["report", "city", "year", "indicator", "value", "unit", "measure",
                         "kind", "sentence"],
        "mentions": ["report", "city", "reportYear", "class", "entity", "label", "surface"],
    }
    for name, columns in expected.items():
        got, _ = store.select_with_columns(corpus_store, queries.get(name).text)
        assert got == columns, name


def test_provenance_offsets_point_into_the_report(corpus_store):
    rows = store.select(corpus_store, """
        PREFIX gk: <https://w3id.org/gov-kg/ontology#>
        SELECT ?file ?surface ?start ?end WHERE { GRAPH ?g {
          ?g gk:sourceFile ?file . ?m gk:inReport ?g ; gk:surface ?surface ;
          gk:startOffset ?start ; gk:endOffset ?end } }""")
    assert rows
    texts = {p.name: p.read_text(encoding="utf-8") for p in CORPUS.glob("*.txt")}
    exact = sum(texts[r["file"]][r["start"]:r["end"]] == r["surface"] for r in rows)
    assert exact / len(rows) > 0.95


def test_building_twice_keeps_the_triple_count(tmp_path):
    path = tmp_path / "store"
    files = sorted(CORPUS.glob("*.txt"))[:2]
    pipeline.build(files, path, progress=False)
    st = store.open_store(path)
    first = len(st)
    del st
    again = pipeline.build(files, path, progress=False)
    assert [r.status for r in again] == ["unchanged", "unchanged"]
    forced = pipeline.build(files, path, progress=False, force=True)
    assert [r.status for r in forced] == ["built", "built"]
    assert len(store.open_store(path)) == first


def test_a_bad_file_is_named_and_loses_nothing(tmp_path):
    path = tmp_path / "store"
    good = sorted(CORPUS.glob("*.txt"))[0]
    pipeline.build([good], path, progress=False)
    before = len(store.open_store(path))
    bad = tmp_path / "bad.txt"
    bad.write_bytes(bytes(range(256)) * 20)
    results = pipeline.build([bad, good], path, progress=False)
    assert results[0].status == "error" and "bad.txt" in results[0].error
    assert results[1].status == "unchanged"
    assert len(store.open_store(path)) == before


def test_parallel_build_gives_the_same_graph(tmp_path, corpus_store):
    path = tmp_path / "store"
    pipeline.build([CORPUS], path, progress=False, jobs=2)
    assert len(store.open_store(path)) == len(corpus_store)


def test_process_is_a_pure_function_of_the_text():
    text = (CORPUS / "000_759fef2eaf5c0f7f.txt").read_text(encoding="utf-8")
    a = pipeline.process(text, source="a.txt")
    b = pipeline.process(text, source="b.txt")
    assert a.entities == b.entities and a.observations == b.observations


@pytest.mark.parametrize("name", sorted(EXPECTED_REPORTS))
def test_summary_names_city_and_years(corpus_build, name):
    _, results = corpus_build
    r = next(r for r in results if Path(r.path).name == name)
    city, report_year, review_year = EXPECTED_REPORTS[name]
    assert (r.city, r.report_year, r.review_year) == (city, report_year, review_year)
    line = next(line for line in pipeline.summary_lines(results) if line.startswith(name))
    assert city in line and str(report_year) in line
