"""The `kg` command through Click's runner: real store, real files."""

import json

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.formats import EXPORTS
from kg.store import open_store


@pytest.fixture(scope="module")
def runner():
    return CliRunner()


def test_query_by_name_lists_five_reports(runner, corpus_build):
    path, _ = corpus_build
    out = runner.invoke(main, ["query", "--store", str(path), "--name", "reports", "--format", "json"])
    assert out.exit_code == 0, out.output
    rows = json.loads(out.output)
    assert len(rows) == 5 and {r["city"] for r in rows} == {"衢州市", "丽水市", "湖州市"}
    assert all(isinstance(r["reportYear"], int) for r in rows)


@pytest.mark.parametrize("fmt", ["table", "csv", "tsv"])
def test_query_formats(runner, corpus_build, fmt):
    path, _ = corpus_build
    out = runner.invoke(main, ["query", "--store", str(path), "-n", "reports", "--format", fmt])
    assert out.exit_code == 0 and "衢州市" in out.output
    assert "reportYear" in out.output.splitlines()[0]


def test_query_text_and_file(runner, corpus_build, tmp_path):
    path, _ = corpus_build
    q = "SELECT (COUNT(*) AS ?n) WHERE { ?s a <https://w3id.org/gov-kg/ontology#Report> }"
    out = runner.invoke(main, ["query", "--store", str(path), q, "--format", "csv"])
    assert out.output.split() == ["n", "5"]
    f = tmp_path / "q.rq"
    f.write_text(q, encoding="utf-8")
    out = runner.invoke(main, ["query", "--store", str(path), "--file", str(f), "--format", "csv"])
    assert out.output.split() == ["n", "5"]


def test_bad_query_is_a_clear_error(runner, corpus_build):
    path, _ = corpus_build
    out = runner.invoke(main, ["query", "--store", str(path), "SELECT WHERE {"])
    assert out.exit_code == 1 and "error: query:" in out.output
    out = runner.invoke(main, ["query", "--store", str(path), "--name", "nope"])
    assert out.exit_code == 1 and "no named query 'nope'" in out.output


@pytest.mark.parametrize("fmt", EXPORTS, ids=lambda f: f.file_extension)
def test_export_round_trips(runner, corpus_build, tmp_path, fmt):
    from kg.export import keeps_graphs, union_triples
    from kg.store import open_store

    path, _ = corpus_build
    target = tmp_path / f"graph.{fmt.file_extension}"
    out = runner.invoke(main, ["export", "--store", str(path), "--format", fmt.file_extension,
                               "-o", str(target)])
    assert out.exit_code == 0, out.output
    original = open_store(path, read_only=True)
    parsed = list(ox.parse(path=str(target), format=fmt))
    unit = "quads" if keeps_graphs(fmt, None) else "triples"
    assert f"wrote {len(parsed)} {unit} to {target}" in out.output
    if keeps_graphs(fmt, None):
        assert set(parsed) == set(original)
    else:
        assert {ox.Triple(t.subject, t.predicate, t.object) for t in parsed} == set(union_triples(original))


def test_turtle_export_uses_readable_prefixes(runner, corpus_build):
    path, _ = corpus_build
    out = runner.invoke(main, ["export", "--store", str(path), "--format", "turtle"])
    assert "@prefix gk: <https://w3id.org/gov-kg/ontology#>" in out.output
    assert "gk:Report" in out.output


def test_validate_finds_no_violation(runner, corpus_build):
    path, _ = corpus_build
    out = runner.invoke(main, ["validate", "--store", str(path)])
    assert out.exit_code == 0, out.output[-2000:]
    assert "0 violations" in out.output


def test_validate_reports_violations(runner, tmp_path):
    from kg.store import open_store

    st = open_store(tmp_path / "s")
    st.update("""PREFIX gk: <https://w3id.org/gov-kg/ontology#>
        INSERT DATA { GRAPH <https://w3id.org/gov-kg/id/report/x> {
          <https://w3id.org/gov-kg/id/report/x> a gk:Report ; gk:reportYear "soon" } }""")
    del st
    out = runner.invoke(main, ["validate", "--store", str(tmp_path / "s")])
    assert out.exit_code == 1 and "violations" in out.output


def test_stats_counts_classes(runner, corpus_build):
    path, _ = corpus_build
    out = runner.invoke(main, ["stats", "--store", str(path), "--format", "json"])
    counts = json.loads(out.output)
    assert counts["reports"] == 5 and counts["Report"] == 5
    assert counts["quads"] == len(open_store(path, read_only=True))
    assert counts["quads about Report"] > 0 and not any("triples about" in k for k in counts)
    for cls in ("City", "County", "Project", "Policy", "IndustryChain", "Indicator", "Observation"):
        assert counts[cls] > 0, cls


def test_export_split_writes_a_folder(runner, corpus_build, tmp_path):
    from kg.export import SPLITS

    path, _ = corpus_build
    split = next(p for p in main.commands["export"].params if p.name == "split")
    assert list(split.type.choices) == list(SPLITS)
    out = runner.invoke(main, ["export", "--store", str(path), "--split", "report", "-o",
                               str(tmp_path / "out")])
    assert out.exit_code == 0, out.output
    assert (tmp_path / "out" / "衢州市-2024.ttl").exists() and (tmp_path / "out" / "void.ttl").exists()
    assert "and void.ttl to" in out.output
    for args, message in ((["--split", "report"], "give the folder with -o DIR"),
                          (["-o", str(tmp_path / "out")], "is a folder"),
                          (["--split", "report", "--union", "-o", str(tmp_path / "o2")],
                           "no --graphs/--union"),
                          (["--format", "ttl", "--graphs"], "Turtle holds one graph")):
        out = runner.invoke(main, ["export", "--store", str(path), *args])
        assert out.exit_code != 0 and message in out.output, (args, out.output)


def test_query_param_goes_with_name(runner, corpus_build):
    path, _ = corpus_build
    out = runner.invoke(main, ["query", "--store", str(path), "ASK {}", "-p", "x=1"])
    assert out.exit_code == 2 and "--param goes with --name" in out.output
