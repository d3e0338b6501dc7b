"""Benchmark ``kg serve`` against ``oxigraph serve-read-only`` on the same store.

Usage::

    .venv/bin/python bench/bench_sparql.py                 # build the sample corpus, 10 s runs
    .venv/bin/python bench/bench_sparql.py --duration 3    # shorter
    .venv/bin/python bench/bench_sparql.py --store output/store
    .venv/bin/python bench/bench_sparql.py --synthetic 64  # 64 synthetic reports (~75k triples)

Runs the ``recurring`` and ``observations`` named queries and a one-row lookup at concurrency
1 and 8 against both servers (oxigraph through ``/query`` with ``--union-default-graph``), all
asking for SPARQL JSON, twice each:

* **uncached**: every request's text differs, so no cache can answer it: the named queries get
  an always-true ``FILTER(n = n)`` with a new ``n`` each time, the lookup a ``FILTER`` on an IRI
  that changes (both through ``GET /sparql?query=`` and oxigraph's ``/query``);
* **cached**: the same text again and again (kg: ``GET /queries/<name>`` and the same lookup
  URL), which kg's result cache answers after the first time; oxigraph has no such cache.

It prints one table: requests/s, p50 and p99 latency, and the kg/oxigraph ratios. The load
generator is threads with ``http.client`` keep-alive connections (reconnecting when a server
closes one).
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from kg.queries import load_all  # noqa: E402

LOOKUP = ('PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> '
          'SELECT ?city WHERE { ?city rdfs:label "衢州市" } LIMIT 1')
ACCEPT = "application/sparql-results+json"
_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)


def varied(text: str, counter: itertools.count, *, iri: bool = False) -> Callable[[], str]:
    """A function giving ``text`` with a new always-true ``FILTER`` each call: on a number, or
    (``iri``) on an IRI that ``?city`` never is."""
    match = _WHERE.search(text)
    assert match, "the query needs a WHERE { … } block"

    def next_text() -> str:
        n = next(counter)
        condition = f"?city != <urn:x:{n}>" if iri else f"{n} = {n}"
        return f"{text[:match.end()]} FILTER({condition}) {text[match.end():]}"

    return next_text


def fresh_path(prefix: str, fresh: Callable[[], str]) -> str:
    return prefix + urllib.parse.urlencode({"query": fresh()})


def build_store(args, workdir: Path) -> Path:
    if args.store:
        return Path(args.store).resolve()
    path = workdir / "store"
    if args.synthetic:
        from web_fixtures import build_sample_store

        build_sample_store(path, reports=args.synthetic, sentences=60)
    else:
        from kg import pipeline

        pipeline.build([ROOT / "corpus"], path, progress=False)
    return path


def wait_up(port: int, path: str, proc: subprocess.Popen, what: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"{what} exited with status {proc.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", path)
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.1)
    sys.exit(f"{what} did not answer on port {port}")


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def one_request(conn: http.client.HTTPConnection, path: str) -> bytes:
    conn.request("GET", path, headers={"Accept": ACCEPT})
    response = conn.getresponse()
    body = response.read()
    if response.status != 200:
        raise RuntimeError(f"GET {path[:80]}… → {response.status}: {body[:200]!r}")
    return body


def load(port: int, path: str | Callable[[], str], concurrency: int, seconds: float) -> dict:
    """Requests/s and latency percentiles of ``concurrency`` keep-alive clients asking for
    ``path`` (or a new ``path()`` each request)."""
    paths = path if callable(path) else (lambda: path)
    latencies: list[list[float]] = [[] for _ in range(concurrency)]
    errors: list[str] = []
    start_gate = threading.Barrier(concurrency + 1)
    stop_at = [0.0]

    def client(i: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        one_request(conn, paths())  # connect and warm up
        start_gate.wait()
        mine = latencies[i]
        while True:
            target = paths()
            if (t0 := time.perf_counter()) >= stop_at[0]:
                break
            try:
                one_request(conn, target)
            except (OSError, http.client.HTTPException, RuntimeError) as e:
                errors.append(str(e))
                conn.close()
                continue
            mine.append(time.perf_counter() - t0)
        conn.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(concurrency)]
    for t in threads:
        t.start()
    stop_at[0] = time.perf_counter() + seconds
    start_gate.wait()
    began = time.perf_counter()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - began
    all_latencies = sorted(x for per in latencies for x in per)
    n = len(all_latencies)
    if not n:
        raise RuntimeError(f"no request succeeded: {errors[:3]}")
    return {"rps": n / elapsed, "p50": all_latencies[n // 2] * 1000,
            "p99": all_latencies[min(n - 1, int(n * 0.99))] * 1000, "n": n,
            "errors": len(errors)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--store", help="an existing store (default: build the sample corpus)")
    parser.add_argument("--synthetic", type=int, default=0,
                        help="build this many synthetic reports instead of the corpus")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per cell")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8])
    parser.add_argument("--workers", type=int, default=2, help="kg serve --workers")
    parser.add_argument("--server", default="granian", choices=["granian", "gunicorn"],
                        help="kg serve --server")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="kg-bench-"))
    procs: list[subprocess.Popen] = []
    try:
        store = build_store(args, workdir)
        copy = workdir / "oxigraph-copy"
        shutil.copytree(store, copy)
        oxi_port, kg_port = free_port(), free_port()
        oxigraph = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or "oxigraph"
        procs.append(subprocess.Popen(
            [oxigraph, "serve-read-only", "--location", str(copy), "--bind",
             f"127.0.0.1:{oxi_port}", "--union-default-graph"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        procs.append(subprocess.Popen(
            [sys.executable, "-m", "kg.cli", "serve", "--store", str(store), "--port",
             str(kg_port), "--workers", str(args.workers), "--server", args.server],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        wait_up(oxi_port, "/query?query=ASK%7B%7D", procs[0], "oxigraph")
        wait_up(kg_port, "/health", procs[1], "kg serve")

        named = load_all()
        cases = [
            ("recurring", named["recurring"].text, "/queries/recurring"),
            ("observations", named["observations"].text, "/queries/observations"),
            ("one-row lookup", LOOKUP, "/sparql?" + urllib.parse.urlencode({"query": LOOKUP})),
        ]
        rows = []
        counter = itertools.count()
        for label, text, kg_path in cases:
            oxi_path = "/query?" + urllib.parse.urlencode({"query": text})
            kg_body = one_request(http.client.HTTPConnection("127.0.0.1", kg_port), kg_path)
            oxi_body = one_request(http.client.HTTPConnection("127.0.0.1", oxi_port), oxi_path)
            n_rows = len(json.loads(kg_body)["results"]["bindings"])
            assert n_rows == len(json.loads(oxi_body)["results"]["bindings"]), label
            fresh = varied(text, counter, iri=text is LOOKUP)
            probe = fresh()
            for conn_port, prefix in ((kg_port, "/sparql?"), (oxi_port, "/query?")):
                body = one_request(http.client.HTTPConnection("127.0.0.1", conn_port),
                                   prefix + urllib.parse.urlencode({"query": probe}))
                assert len(json.loads(body)["results"]["bindings"]) == n_rows, label
            for c in args.concurrency:
                for kind in ("uncached", "cached"):
                    if kind == "uncached":
                        kg_target = partial(fresh_path, "/sparql?", fresh)
                        oxi_target = partial(fresh_path, "/query?", fresh)
                    else:
                        kg_target, oxi_target = kg_path, oxi_path
                    oxi = load(oxi_port, oxi_target, c, args.duration)
                    kg = load(kg_port, kg_target, c, args.duration)
                    rows.append((label, kind, n_rows, c, oxi, kg))
                    print(f"  {label} {kind} c={c}: oxigraph {oxi['rps']:.0f}/s, "
                          f"kg {kg['rps']:.0f}/s", file=sys.stderr)
        with urllib_json(kg_port) as health:
            print(f"\nstore: {health['triples']} triples, {health['graphs']} graphs; "
                  f"{args.duration:g} s per cell; kg serve --workers {args.workers} "
                  f"--server {args.server}\n")
        print_table(rows)
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
        shutil.rmtree(workdir, ignore_errors=True)


class urllib_json:
    """``with urllib_json(port) as health``: the kg server's /health document."""

    def __init__(self, port: int) -> None:
        self.port = port

    def __enter__(self) -> dict:
        conn = http.client.HTTPConnection("127.0.0.1", self.port)
        conn.request("GET", "/health")
        return json.loads(conn.getresponse().read())

    def __exit__(self, *exc) -> None:
        return None


def print_table(rows) -> None:
    head = ("query", "kg cache", "rows", "conc", "oxi req/s", "oxi p50", "oxi p99", "kg req/s", "kg p50",
            "kg p99", "kg/oxi req/s", "kg/oxi p99")
    lines = [head]
    for label, kind, n_rows, c, oxi, kg in rows:
        lines.append((label, kind, str(n_rows), str(c), f"{oxi['rps']:.0f}", f"{oxi['p50']:.2f} ms",
                      f"{oxi['p99']:.2f} ms", f"{kg['rps']:.0f}", f"{kg['p50']:.2f} ms",
                      f"{kg['p99']:.2f} ms", f"{kg['rps'] / oxi['rps']:.2f}",
                      f"{kg['p99'] / oxi['p99']:.2f}"))
    widths = [max(len(line[i]) for line in lines) for i in range(len(head))]
    for i, line in enumerate(lines):
        print("| " + " | ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True))
              + " |")
        if i == 0:
            print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    errors = sum(oxi["errors"] + kg["errors"] for *_, oxi, kg in rows)
    if errors:
        print(f"\n{errors} failed requests (not counted)")


if __name__ == "__main__":
    main()
