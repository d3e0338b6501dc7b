"""Every ``kg`` command on an empty store, a one-report store and a one-city store exits 0
with sensible output (#12): a store with nothing to compare (no city, one city, one year) is
where ratios, layouts and charts divide by zero.

The stores are real: ``kg build`` of one file of ``corpus/`` and of the reports of 衢州市, and a
fresh ``kg.store.open_store`` for the empty one. ``kg eval`` runs against a tiny gold written
here (``../shared/gold`` is not in CI); ``kg train`` reads no store. ``kg serve`` on a port in use
(by another ``kg serve`` or any program) exits 1 with one line naming the port.
"""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg import ingest
from kg import queries as named
from kg.cli import main
from kg.store import open_store

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
sys.path.insert(0, str(Path(__file__).parent))  # web_fixtures
EXPORT_FORMATS = ("turtle", "trig", "nquads", "ntriples", "jsonld", "rdfxml")
GOLD = {"seed": "x.txt", "city": "衢州市", "report_year": 2024, "review_year": 2023,
        "indicators": [{"indicator": "地区生产总值", "value": 6.8, "unit": "%",
                        "measure": "growth", "kind": "actual", "year": 2023}],
        "policies": [{"name": "八八战略", "level": "provincial"}]}


def _example(p: named.Param) -> str:
    m = re.search(r"e\.g\. (\S+)", p.description)
    return m[1] if m else "x"


def _commands() -> list[tuple[str, list[str]]]:
    cmds: list[tuple[str, list[str]]] = [
        ("query --list", ["query", "--list"]),
        ("query SPARQL", ["query", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"]),
        ("stats", ["stats"]),
        ("stats json", ["stats", "--format", "json"]),
        ("validate", ["validate"]),
        ("analyze", ["analyze", "-q", "--out", "{tmp}/analysis"]),
        ("eval", ["eval", "-q", "--gold", "{gold}"]),
        ("eval json errors", ["eval", "-q", "--gold", "{gold}", "--errors"]),
    ]
    for name, q in sorted(named.load_all().items()):
        params = [a for p in q.params if p.required for a in ("-p", f"{p.name}={_example(p)}")]
        for fmt in ("table", "json"):
            cmds.append((f"query --name {name} {fmt}",
                         ["query", "--name", name, *params, "--format", fmt]))
    for fmt in EXPORT_FORMATS:
        cmds.append((f"export {fmt}", ["export", "--format", fmt, "-o", f"{{tmp}}/x.{fmt}"]))
    return cmds


COMMANDS = _commands()


def _city(path: Path) -> str | None:
    doc = ingest.load(path)
    return doc.city.name if doc.city else None


@pytest.fixture(scope="module")
def stores(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("small_stores")
    runner = CliRunner()
    reports = sorted(CORPUS.glob("*.txt"))
    quzhou = [p for p in reports if _city(p) == "衢州市"]
    assert len(quzhou) >= 2, quzhou
    out = {"empty": root / "empty", "one report": root / "one_report",
           "one city": root / "one_city"}
    empty = open_store(out["empty"])
    del empty  # release RocksDB's lock: the commands open it read-only
    for name, files in (("one report", quzhou[:1]), ("one city", quzhou)):
        r = runner.invoke(main, ["build", "-q", "--store", str(out[name]), *map(str, files)])
        assert r.exit_code == 0, r.output
    return out


@pytest.fixture(scope="module")
def gold(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("gold")
    (folder / "x.json").write_text(json.dumps(GOLD, ensure_ascii=False), encoding="utf-8")
    return folder


@pytest.mark.parametrize("store_name", ["empty", "one report", "one city"])
@pytest.mark.parametrize(("what", "args"), COMMANDS, ids=[c[0] for c in COMMANDS])
def test_command_on_small_store(stores, gold, tmp_path, store_name, what, args):
    args = [a.replace("{tmp}", str(tmp_path)).replace("{gold}", str(gold)) for a in args]
    result = CliRunner().invoke(main, [*args, "--store", str(stores[store_name])])
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        what, store_name, result.output)
    assert result.exit_code == 0, (what, store_name, result.output)
    assert "Traceback" not in result.output
    if what.startswith("export"):
        assert (tmp_path / f"x.{args[2]}").exists()
    elif what.startswith("analyze"):
        assert (tmp_path / "analysis").is_dir() and any((tmp_path / "analysis").iterdir())
    elif what == "stats json":
        counts = json.loads(result.stdout)
        assert (counts.get("reports", 0) > 0) == (store_name != "empty"), counts
    else:
        assert result.output.strip(), (what, store_name)


def _serve(store: Path, port: int, *options: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kg.cli", "serve", "--store", str(store),
                           "--port", str(port), *options], capture_output=True, text=True,
                           timeout=60)


def _one_clear_line(r: subprocess.CompletedProcess, port: int) -> None:
    assert r.returncode == 1, (r.returncode, r.stderr[-2000:])
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and f"port {port}" in lines[0] and "in use" in lines[0], r.stderr


@pytest.mark.parametrize("server", ["granian", "gunicorn"])
def test_serve_on_a_port_held_by_another_program(stores, server):
    """A port held by any listener: one line naming it, exit 1 (was a 157-line traceback)."""
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        _one_clear_line(_serve(stores["one report"], port, "--server", server), port)


def test_serve_on_a_port_of_another_kg_serve(stores):
    """A second kg serve on a port in use: refused, not started beside the first (Granian's
    SO_REUSEPORT would let it share the port and split the requests between two stores)."""
    from web_fixtures import kg_serve

    with kg_serve(stores["one report"], "--access-log", "off") as base:
        port = int(base.rsplit(":", 1)[1])
        _one_clear_line(_serve(stores["one city"], port), port)
        with urllib.request.urlopen(base + "/health", timeout=10) as r:
            assert json.load(r)["reports"] == 1  # still the first server's store
