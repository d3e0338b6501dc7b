"""``kg build --target URL``: the graphs go to a real SPARQL 1.1 Graph Store endpoint.

``oxigraph serve`` (the ``oxigraph`` command of the test extras) runs on 127.0.0.1 on a free
port; what it holds afterwards is read back over HTTP (``GET /store`` as N-Quads) and compared
quad for quad with the session's local build of the same corpus. ``kg serve --update-token``
is the endpoint that asks for a token (401 without one, 403 for a wrong one). Every failure is
one line naming the URL, exit status 1, and leaves the target as it was.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from pyoxigraph import RdfFormat, parse

from kg import rdf
from kg.cli import main
from kg.remote import graph_url
from tests.conftest import CORPUS, ROOT
from tests.web_fixtures import build_sample_store, free_port, kg_serve

OXIGRAPH = Path(sys.executable).parent / "oxigraph"
ONE = CORPUS / "004_f4139d6273d944ae.txt"


@pytest.fixture
def oxigraph(tmp_path) -> Iterator[str]:
    """``oxigraph serve`` on a free port of 127.0.0.1; its Graph Store URL (``…/store``)."""
    assert OXIGRAPH.exists(), f"{OXIGRAPH} missing: `make install` installs the test extras"
    port = free_port()
    with (tmp_path / "oxigraph.log").open("wb") as log:
        proc = subprocess.Popen([str(OXIGRAPH), "serve", "--location", str(tmp_path / "ox"),
                                 "--bind", f"127.0.0.1:{port}"], stdout=log, stderr=log)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 20
        while True:
            try:
                urllib.request.urlopen(base + "/", timeout=2).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    proc.kill()
                    pytest.fail("oxigraph serve did not start: "
                                + (tmp_path / "oxigraph.log").read_text()[-2000:])
                time.sleep(0.1)
        try:
            yield base + "/store"
        finally:
            proc.terminate()
            proc.wait(timeout=10)


def dataset(store_url: str) -> set:
    """Every quad the endpoint holds (``GET`` of the whole dataset as N-Quads)."""
    request = urllib.request.Request(store_url, headers={"Accept": "application/n-quads"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return set(parse(response.read(), format=RdfFormat.N_QUADS))


def kg_build(*args: str):
    return CliRunner().invoke(main, ["build", *args])


def test_target_holds_the_graphs_of_a_local_build(oxigraph, corpus_store):
    # a targets graph left from an earlier build: this one has none, so it is emptied
    stale = urllib.request.Request(graph_url(oxigraph, rdf.TARGETS_GRAPH.value), method="PUT",
                                   data=b'<urn:x:old> <urn:x:p> "stale" .\n',
                                   headers={"Content-Type": "application/n-triples"})
    urllib.request.urlopen(stale, timeout=10).close()
    run = subprocess.run([sys.executable, "-m", "kg.cli", "build", str(CORPUS), "--target",
                          oxigraph], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[-2] == "5 built, 0 unchanged, 0 skipped, 0 failed"
    graphs = len({g.value for g in corpus_store.named_graphs()}
                 | {rdf.ENTITIES_GRAPH.value, rdf.TARGETS_GRAPH.value})  # derived: always
    assert lines[-1].startswith(f"sent {graphs} graphs ({len(corpus_store):,} triples, "), \
        lines[-1]
    assert f" MB) to {oxigraph} in " in lines[-1]
    local = set(corpus_store)
    assert dataset(oxigraph) == local
    assert kg_build(str(CORPUS), "--target", oxigraph, "-q").exit_code == 0
    assert dataset(oxigraph) == local  # sent again: each PUT replaced its graph


def test_a_staging_store_sends_every_report_it_holds(oxigraph, corpus_store, tmp_path):
    staging = str(tmp_path / "staging")
    first = kg_build(str(CORPUS / "000_759fef2eaf5c0f7f.txt"), "--store", staging,
                     "--target", oxigraph, "-q")
    assert first.exit_code == 0, first.output
    assert len(dataset(oxigraph)) < len(corpus_store)
    rest = kg_build(str(CORPUS), "--store", staging, "--target", oxigraph, "-q")
    assert rest.exit_code == 0, rest.output
    assert "4 built, 1 unchanged" in rest.output
    # the entities and targets graphs describe all five reports, as a local build's do
    assert dataset(oxigraph) == set(corpus_store)


def _one_error_line(result, url: str) -> str:
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"error: --target {url}: "), lines[0]
    assert "Traceback" not in result.output
    return lines[0]


def test_connection_refused_and_bad_url_fail_before_building(tmp_path):
    url = f"http://127.0.0.1:{free_port()}/store"
    line = _one_error_line(kg_build(str(ONE), "--target", url), url)
    assert "cannot connect" in line and "nothing was built or sent" in line
    line = _one_error_line(kg_build(str(ONE), "--target", "notaurl"), "notaurl")
    assert "not an http:// or https:// URL" in line


def test_a_path_that_is_no_graph_store_changes_nothing(oxigraph):
    assert kg_build(str(ONE), "--target", oxigraph, "-q").exit_code == 0
    before = dataset(oxigraph)
    url = oxigraph.removesuffix("/store") + "/nothing-here"
    line = _one_error_line(kg_build(str(CORPUS), "--target", url, "-q"), url)
    assert "404" in line and "nothing was built or sent" in line
    assert dataset(oxigraph) == before


def test_a_token_endpoint_refuses_without_and_takes_with_the_token(tmp_path):
    store = tmp_path / "served"
    size = build_sample_store(store, reports=2)
    with kg_serve(store, "--update-token", "s3cret") as base:
        url = base + "/store"
        line = _one_error_line(kg_build(str(ONE), "--target", url, "-q"), url)
        assert "401" in line and "--token" in line and "nothing was built or sent" in line
        line = _one_error_line(kg_build(str(ONE), "--target", url, "--token", "wrong", "-q"),
                               url)
        assert "403" in line and "nothing was built or sent" in line
        assert len(dataset(url)) == size  # nothing written
        env_run = CliRunner(env={"KG_TARGET_TOKEN": "s3cret"}).invoke(
            main, ["build", str(ONE), "--target", url, "-q"])
        assert env_run.exit_code == 0, env_run.output
        served = dataset(url)
        assert len(served) > size
        assert any("330800-2015" in q.graph_name.value for q in served)  # 衢州市 2015


def test_token_needs_a_target():
    result = kg_build(str(ONE), "--token", "t")
    assert result.exit_code == 2 and "--token is for --target" in result.output
    assert os.environ.get("KG_TARGET_TOKEN") is None
