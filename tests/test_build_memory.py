"""The build's memory (#12): the writer flushes the store as it goes (``FLUSH_QUADS``), so
RocksDB's memtables do not hold every report written since the start; a new graph is written
by ``Store.load`` (``Store.extend`` for quads) and an existing one by DROP + INSERT DATA, with
the same content."""

from __future__ import annotations

from pathlib import Path

from pyoxigraph import Literal, NamedNode, Quad, Store

from kg import outcomes, pipeline
from kg.outcomes import Outcome, Writer
from kg.store import graph_bytes, replace_graph
from tests.test_build_robust import made_up_reports

P = NamedNode("http://example.org/p")


class CountingStore:
    """A store that counts its flushes and passes everything else on."""

    def __init__(self) -> None:
        self.store, self.flushes = Store(), 0

    def flush(self) -> None:
        self.flushes += 1
        self.store.flush()

    def __getattr__(self, name: str):
        return getattr(self.store, name)


def outcome(k: int, n: int) -> Outcome:
    """A worker's outcome of ``n`` quads for the report ``k``."""
    g = NamedNode(f"https://w3id.org/gov-kg/id/report/{k}")
    quads = [Quad(g, P, Literal(str(i)), g) for i in range(n)]
    summary = {"report": g.value, "city": f"城市{k}", "report_year": 2020, "review_year": 2019,
               "counts": {}}
    return Outcome(Path(f"{k}.txt"), f"hash{k}", graph_bytes(quads), summary, triples=n)


def test_the_writer_flushes_the_store_every_flush_quads(monkeypatch):
    monkeypatch.setattr(outcomes, "FLUSH_QUADS", 100)
    store = CountingStore()
    writer = Writer(store, {}, replace=False)  # type: ignore[arg-type]
    flushes = []
    for k in range(10):
        assert writer.write(outcome(k, 30)).status == "built"
        flushes.append(store.flushes)
    assert flushes == [0, 0, 0, 1, 1, 1, 1, 2, 2, 2]  # after 120 quads, then 120 more
    assert len(store.store) == 300


def test_a_new_graph_and_a_replaced_one_hold_the_same_quads():
    g, s = NamedNode("https://w3id.org/gov-kg/id/report/x"), NamedNode(outcome(0, 0).summary["report"])
    fresh, replaced = Store(), Store()
    replace_graph(fresh, g, outcome(0, 5).graph or b"")  # new: Store.load
    replace_graph(replaced, g, outcome(0, 9).graph or b"")
    replace_graph(replaced, g, outcome(0, 5).graph or b"")  # existing: DROP + INSERT DATA
    expected = {Quad(s, P, Literal(str(i)), g) for i in range(5)}  # in the graph given
    assert set(fresh) == set(replaced) == expected


def test_a_build_flushed_after_every_report_stores_the_same_graphs(tmp_path, monkeypatch):
    made_up_reports(tmp_path / "texts", 3, chars=1500)
    pipeline.build([tmp_path / "texts"], tmp_path / "default", progress=False)
    monkeypatch.setattr(outcomes, "FLUSH_QUADS", 1)
    pipeline.build([tmp_path / "texts"], tmp_path / "flushed", progress=False)
    default, flushed = Store.read_only(str(tmp_path / "default")), \
        Store.read_only(str(tmp_path / "flushed"))
    assert set(default) == set(flushed) and len(default) > 0
