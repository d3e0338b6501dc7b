"""A small, real on-disk store following docs/rdf-model.md, for the web tests and the benchmark.

``build_sample_store(path, reports=4)`` writes one named graph per report (report, sentences,
mentions of projects/policies, observations) with ``kg.store.replace_graph`` and then the
entities graph with ``kg.pipeline.refresh_entities``, so the endpoint reads exactly what
``kg build`` would write: ``reports + 1`` named graphs.
"""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pyoxigraph import Literal, NamedNode, Quad

from kg.pipeline import refresh_entities
from kg.store import open_store, replace_graph

GK = "https://w3id.org/gov-kg/ontology#"
R = "https://w3id.org/gov-kg/id/"
RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
LABEL = NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
XSD = "http://www.w3.org/2001/XMLSchema#"

CITIES = [("330800", "衢州市"), ("330100", "杭州市"), ("330200", "宁波市"), ("330300", "温州市"),
          ("330400", "嘉兴市"), ("330500", "湖州市"), ("330600", "绍兴市"), ("330700", "金华市")]
PROJECTS = ["衢丽铁路", "杭衢高铁", "金华港", "甬舟铁路", "义甬舟开放大通道", "温州机场"]
POLICIES = ["千万工程", "共同富裕", "数字经济一号工程"]
INDICATORS = [("地区生产总值", "亿元"), ("一般公共预算收入", "亿元"), ("固定资产投资", "%"),
              ("社会消费品零售总额", "亿元"), ("城镇居民人均可支配收入", "元")]


def _int(v: int) -> Literal:
    return Literal(str(v), datatype=NamedNode(XSD + "integer"))


def _dec(v: float) -> Literal:
    return Literal(f"{v:.1f}", datatype=NamedNode(XSD + "decimal"))


def report_quads(index: int, sentences: int = 12) -> tuple[NamedNode, list[Quad]]:
    """The quads of one synthetic report graph (city ``index % 8``, year ``2020 + index // 8``):
    the report's own facts; the shared nodes are described by the entities graph."""
    adcode, city_name = CITIES[index % len(CITIES)]
    year = 2020 + index // len(CITIES)
    g = NamedNode(f"{R}report/{adcode}-{year}")
    city = NamedNode(f"{R}city/{adcode}")
    gk = lambda t: NamedNode(GK + t)  # noqa: E731
    quads: list[Quad] = []

    def add(s, p, o):
        quads.append(Quad(s, p, o, g))

    add(g, RDF_TYPE, gk("Report"))
    add(g, LABEL, Literal(f"{city_name}{year}年政府工作报告"))
    add(g, gk("city"), city)
    add(g, gk("reportYear"), _int(year))
    add(g, gk("reviewYear"), _int(year - 1))
    for i in range(sentences):
        sent = NamedNode(f"{g.value}/sentence/{i}")
        add(sent, RDF_TYPE, gk("Sentence"))
        add(sent, gk("inReport"), g)
        add(sent, gk("sentenceIndex"), _int(i))
        add(sent, gk("text"), Literal(f"{city_name}第{i}句：推进{PROJECTS[i % len(PROJECTS)]}建设。"))
        kind, name = ("Project", PROJECTS[(i + index) % len(PROJECTS)]) if i % 2 == 0 else (
            "Policy", POLICIES[(i + index) % len(POLICIES)])
        entity = NamedNode(f"{R}{kind.lower()}/{name}")
        add(g, gk("mentions"), entity)
        m = NamedNode(f"{g.value}/mention/{i}")
        add(m, RDF_TYPE, gk("Mention"))
        add(m, gk("mentionOf"), entity)
        add(m, gk("surface"), Literal(name))
        add(m, gk("canonicalLabel"), Literal(name))
        add(m, gk("inReport"), g)
        add(m, gk("inSentence"), sent)
        ind_name, unit = INDICATORS[i % len(INDICATORS)]
        ind = NamedNode(f"{R}indicator/{ind_name}")
        o = NamedNode(f"{g.value}/observation/{i}")
        add(o, RDF_TYPE, gk("Observation"))
        add(o, gk("indicator"), ind)
        add(o, gk("value"), _dec(100 + 37.5 * i + index))
        add(o, gk("unit"), Literal(unit))
        add(o, gk("measure"), Literal("level"))
        add(o, gk("kind"), Literal("actual" if i % 3 else "target"))
        add(o, gk("year"), _int(year - 1))
        add(o, gk("refArea"), city)
        add(o, gk("inReport"), g)
        add(o, gk("inSentence"), sent)
    return g, quads


def build_sample_store(path: str | Path, reports: int = 4, sentences: int = 12) -> int:
    """Write ``reports`` report graphs into the on-disk store at ``path``, then the entities
    graph as ``kg build`` does (``refresh_entities``); returns the store's size."""
    store = open_store(path)
    for i in range(reports):
        g, quads = report_quads(i, sentences)
        replace_graph(store, g, quads)
    refresh_entities(store)
    store.flush()
    size = len(store)
    del store  # release RocksDB's write lock so read-only processes can open it
    return size


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def kg_serve(store: str | Path, *options: str) -> Iterator[str]:
    """Run ``kg serve --store STORE OPTIONS…`` on a free port until ``/health`` says ok; yield
    its base URL; stop it (SIGTERM, then kill) afterwards. Its standard error (the logs) goes
    to a temporary file, never a pipe nobody reads; the test fails naming its end when the
    server does not start within 20 s."""
    import tempfile

    import pytest

    port = free_port()
    with tempfile.TemporaryFile() as errors:
        proc = subprocess.Popen(
            [sys.executable, "-m", "kg.cli", "serve", "--store", str(store), "--port",
             str(port), *options], stdout=subprocess.DEVNULL, stderr=errors)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(base + "/health", timeout=2) as r:
                    if json.load(r)["status"] == "ok":
                        break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    proc.kill()
                    proc.wait()
                    errors.seek(0)
                    pytest.fail(f"kg serve did not start: {errors.read().decode()[-2000:]}")
                time.sleep(0.1)
        try:
            yield base
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
