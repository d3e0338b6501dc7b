"""The Python API (#13): ``kg.Graph`` on the sample corpus, every named query as rows and as a
typed DataFrame, ad-hoc queries with bound values, errors that name the query, and the CLI
giving what the API gives (one code path)."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

import kg
from kg.cli import main

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
GK = "PREFIX gk: <https://w3id.org/gov-kg/ontology#>\n"


@pytest.fixture(scope="module")
def graph(corpus_build) -> kg.Graph:
    return kg.Graph(corpus_build[0])


def example(p) -> str:
    m = re.search(r"e\.g\. (\S+)", p.description)
    return m[1] if m else "x"


def test_exports_resolve():
    assert set(kg.__all__) == set(kg._EXPORTS)
    for name in kg.__all__:
        assert getattr(kg, name).__name__ == name
    assert issubclass(kg.QueryError, kg.KGError) and set(kg.__all__) <= set(dir(kg))
    with pytest.raises(AttributeError, match="no attribute 'Grpah'"):
        kg.Grpah  # noqa: B018


def test_named_query_rows_have_python_types(graph):
    reports = graph.run("reports")
    assert reports.columns == ("report", "city", "reportYear", "reviewYear")
    assert len(reports) == 5 and {r["city"] for r in reports} == {"衢州市", "丽水市", "湖州市"}
    assert all(isinstance(r["reportYear"], int) for r in reports)
    obs = graph.run("observations")
    assert obs.rows and {r["city"] for r in obs} >= {"衢州市", "丽水市", "湖州市"}
    assert all(isinstance(r["value"], Decimal) and isinstance(r["year"], int) for r in obs)
    assert obs.kinds["year"] == "integer" and obs.kinds["city"] == "string"
    assert obs.kinds["report"] == "iri"


def test_observations_frame_is_typed(graph):
    df = graph.frame("observations")
    assert len(df) == len(graph.run("observations")) > 100
    assert df["year"].dtype == "Int64" and df["value"].dtype == "float64"
    assert pd.api.types.is_string_dtype(df["city"]) and pd.api.types.is_string_dtype(df["unit"])
    growth = df[(df.city == "衢州市") & (df.indicator == "地区生产总值") & (df.measure == "growth")]
    assert len(growth) and set(growth["kind"]) <= {"actual", "target"}
    assert growth["year"].between(2013, 2025).all()


@pytest.mark.parametrize("name", sorted(kg.named_queries()))
def test_every_named_query_frames(graph, name):
    q = kg.named_queries()[name]
    params = {p.name: example(p) for p in q.params if p.required}
    table = graph.run(name, **params)
    df = table.frame()
    assert list(df.columns) == list(table.columns) and len(df) == len(table)
    for c in table.columns:
        kind = table.kinds[c]
        if kind == "integer":
            assert df[c].dtype == "Int64", c
        elif kind in ("decimal", "double"):
            assert df[c].dtype == "float64", c
        elif kind in ("string", "iri"):
            assert pd.api.types.is_string_dtype(df[c]), c


def test_frame_dtypes_with_missing_values():
    t = kg.Table(("y", "v", "ok", "d", "s", "m"),
                 ({"y": 2024, "v": Decimal("6.5"), "ok": True, "d": "2024-01-05", "s": "a",
                   "m": 1},
                  {"y": None, "v": None, "ok": None, "d": None, "s": None, "m": "x"}),
                 {"y": "integer", "v": "decimal", "ok": "boolean", "d": "date", "s": "string",
                  "m": "mixed"})
    df = t.frame()
    assert df.dtypes.astype(str).to_dict() == {"y": "Int64", "v": "float64", "ok": "boolean",
                                                "d": "datetime64[us]", "s": "str",
                                                "m": "object"}
    assert df["y"].isna().tolist() == [False, True] and df["v"].tolist()[0] == 6.5


def test_ad_hoc_query_binds_values_by_type(graph):
    q = GK + "SELECT ?r ?year WHERE { ?r a gk:Report ; gk:reportYear ?year } ORDER BY ?r"
    assert len(graph.query(q)) == 5
    in_2024 = graph.query(q, {"year": 2024})
    assert len(in_2024) == 3 and {r["year"] for r in in_2024} == {2024}
    assert graph.query(q, {"year": "2024"}).rows == ()  # a string is not the integer 2024
    ask = graph.query(GK + "ASK { ?r a gk:Report }")
    assert ask.columns == ("ask",) and ask.rows == ({"ask": True},)


def test_errors_name_the_query(graph):
    with pytest.raises(kg.QueryError, match="^query: "):
        graph.query("SELECT WHERE {")
    with pytest.raises(kg.QueryError, match="my.rq: "):
        graph.query("SELECT WHERE {", name="my.rq")
    with pytest.raises(kg.QueryError, match="no named query 'nope'"):
        graph.run("nope")
    with pytest.raises(kg.QueryError, match="needs parameter 'city'"):
        graph.run("city_profile")
    with pytest.raises(kg.QueryError, match="has no parameter cty"):
        graph.run("city_profile", cty="衢州市")
    with pytest.raises(kg.QueryError, match="no table"):
        graph.query("CONSTRUCT WHERE { ?s ?p ?o }")
    missing = kg.Graph(Path("/nonexistent/store"))
    with pytest.raises(kg.StoreError, match="does not exist: run `kg build` first"):
        len(missing)
    assert repr(missing) == ("Graph('/nonexistent/store': store /nonexistent/store does not "
                             "exist: run `kg build` first)")


def test_build_on_disk_then_unchanged(tmp_path):
    g = kg.Graph(tmp_path / "store")
    first = g.build(CORPUS / "002_733bae2f39fed286.txt")
    assert [r.status for r in first] == ["built"] and first[0].city == "丽水市"
    assert [r.status for r in g.build(CORPUS / "002_733bae2f39fed286.txt")] == ["unchanged"]
    assert g.run("reports").rows[0]["city"] == "丽水市"
    assert repr(g).startswith(f"Graph('{tmp_path / 'store'}', ") and len(g) > 1000


def test_in_memory_graph_exports_and_counts():
    g = kg.Graph()
    assert repr(g) == "Graph('in memory', 0 quads)"
    g.build(CORPUS / "003_7c5903245687c230.txt")
    counts = g.stats()
    assert counts["reports"] == 1 and counts["quads"] == len(g)
    assert counts["quads about Report"] > 0 and "triples about Report" not in counts
    from io import BytesIO
    out = BytesIO()
    assert g.export(out, "nquads") == len(g)


def test_export_to_a_path_checks_the_format_first(graph, tmp_path):
    target = tmp_path / "x.yaml"
    with pytest.raises(kg.KGError, match="unknown export format 'yaml'"):
        graph.export(target, "yaml")
    assert not target.exists()
    assert graph.export(tmp_path / "x.ttl") == graph.stats()["distinct triples"]


# --- the CLI gives what the API gives -----------------------------------------------------------

def test_cli_query_and_stats_are_the_api(graph, corpus_build):
    path = str(corpus_build[0])
    runner = CliRunner()
    out = runner.invoke(main, ["query", "--store", path, "-n", "city_profile", "-p",
                               "city=丽水市", "--format", "json"])
    assert out.exit_code == 0, out.output
    rows = graph.run("city_profile", city="丽水市").rows
    assert len(rows) > 10
    assert json.loads(out.output) == [{k: v if isinstance(v, int) else str(v)
                                       for k, v in r.items()} for r in rows]
    out = runner.invoke(main, ["stats", "--store", path, "--format", "json"])
    assert json.loads(out.output) == graph.stats()


def test_docs_api_md_runs():
    """Every example of docs/api.md, as a doctest (the docs cannot drift from the API)."""
    import doctest

    path = Path(__file__).resolve().parent.parent / "docs" / "api.md"
    result = doctest.testfile(str(path), module_relative=False,
                              optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 20 and result.failed == 0


def test_readme_python_example_runs(tmp_path, monkeypatch):
    """The README's Python API block, run as it is in a folder with corpus/ beside it."""
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Python API", 1)[1]
    code = section.split("```python\n", 1)[1].split("```", 1)[0]
    (tmp_path / "corpus").symlink_to(CORPUS)
    monkeypatch.chdir(tmp_path)
    names: dict = {}
    exec(compile(code, "README.md", "exec"), names)
    assert len(names["df"]) > 100 and names["df"]["year"].dtype == "Int64"
    assert (tmp_path / "graph.ttl").stat().st_size > 100_000
    assert names["g"].stats()["reports"] == 5
