"""A bounded load run against ``kg serve`` on 127.0.0.1 (#12).

Usage::

    .venv/bin/python bench/bench_load.py                    # build corpus/ into a temp store
    .venv/bin/python bench/bench_load.py --store output/store
    .venv/bin/python bench/bench_load.py --requests 2000 --concurrency 8

Sends ``--requests`` (10,000) requests from ``--concurrency`` (16) threads, each on its own
keep-alive ``http.client`` connection (reconnecting when the server closes one), mixed:

* light: a one-row label lookup whose text varies (a label of the store, a new ``LIMIT``
  comment each time), so most are new to the result cache;
* named: ``GET /queries/<name>`` of every named query, a required parameter bound to its
  example (the same URLs again and again: the result cache's case; each is asked once alone
  before the load unless ``--cold``).

Every answer must be 200; anything else is an error and the first ones are printed with their
status and body. Prints requests/s and p50/p90/p99/max latency, overall and per kind; exit 1 on
any error. The server is ``kg serve`` with its defaults (Granian, 2 processes), started here on
a free port and stopped at the end.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from kg.queries import load_all  # noqa: E402

ACCEPT = "application/sparql-results+json"
LABELS = ["衢州市", "丽水市", "湖州市", "衢丽铁路", "杭衢高铁", "八八战略", "千万工程", "地区生产总值",
          "新材料", "柯城区", "不存在的名字"]


def named_urls() -> list[str]:
    urls = []
    for name, q in sorted(load_all().items()):
        params = {}
        for p in q.params:
            if p.required:
                m = re.search(r"e\.g\. (\S+)", p.description)
                params[p.name] = m[1] if m else "x"
        urls.append(f"/queries/{name}?{urllib.parse.urlencode(params)}" if params
                    else f"/queries/{name}")
    return urls


def light_url(n: int) -> str:
    label = LABELS[n % len(LABELS)]
    query = ("PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
             f'SELECT ?x WHERE {{ ?x rdfs:label "{label}" }} LIMIT 1 # {n}')
    return "/sparql?" + urllib.parse.urlencode({"query": query})


def warm(port: int, urls: list[str], rounds: int = 6) -> None:
    """Ask each named query alone, before the load, on ``rounds`` fresh connections (each
    server process has its own result cache, and a new connection may reach either): a named
    query's URL repeats, so under load the cache answers it. Cold, a long one (``mentions``:
    the whole store's mentions, ~2.5 s) asked among 16 clients gives way with a 503 to the
    waiting queries, as ``kg.web.executor`` is designed to (``--cold`` shows it)."""
    for url in urls:
        took = []
        for _ in range(rounds):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            t0 = time.perf_counter()
            conn.request("GET", url, headers={"Accept": ACCEPT})
            resp = conn.getresponse()
            resp.read()
            took.append(time.perf_counter() - t0)
            conn.close()
        print(f"warm-up {resp.status} {max(took):6.3f} s (slowest of {rounds})  {url[:60]}")


def run(port: int, requests: int, concurrency: int, *, cold: bool = False) -> int:
    named = named_urls()
    if not cold:
        warm(port, named)
    counter = itertools.count()
    lock = threading.Lock()
    times: dict[str, list[float]] = {"light": [], "named": []}
    errors: list[str] = []

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while (i := next(counter)) < requests:
            kind = "named" if i % 4 == 0 else "light"
            url = named[(i // 4) % len(named)] if kind == "named" else light_url(i)
            t0 = time.perf_counter()
            for attempt in (1, 2):
                try:
                    conn.request("GET", url, headers={"Accept": ACCEPT})
                    resp = conn.getresponse()
                    body = resp.read()
                    break
                except (http.client.HTTPException, OSError) as e:
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                    if attempt == 2:
                        resp, body = None, repr(e).encode()
            took = time.perf_counter() - t0
            with lock:
                if resp is not None and resp.status == 200:
                    times[kind].append(took)
                else:
                    status = resp.status if resp is not None else "no answer"
                    errors.append(f"{status} {url[:120]}: {body[:200]!r}")
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - start
    every = times["light"] + times["named"]
    print(f"{requests} requests, concurrency {concurrency}: {len(errors)} errors, "
          f"{wall:.1f} s, {requests / wall:,.0f} requests/s")
    print(f"{'kind':<8}{'n':>7}{'p50 ms':>9}{'p90 ms':>9}{'p99 ms':>9}{'max ms':>9}")
    for kind, ts in (("light", times["light"]), ("named", times["named"]), ("all", every)):
        if ts:
            q = statistics.quantiles(ts, n=100)
            print(f"{kind:<8}{len(ts):>7}{q[49] * 1e3:>9.1f}{q[89] * 1e3:>9.1f}"
                  f"{q[98] * 1e3:>9.1f}{max(ts) * 1e3:>9.1f}")
    for e in errors[:10]:
        print("error:", e)
    return 1 if errors else 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--store", type=Path, help="a built store (default: corpus/ built here)")
    ap.add_argument("--requests", type=int, default=10_000)
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--cold", action="store_true", help="no warm-up of the named queries")
    args = ap.parse_args()

    from web_fixtures import kg_serve

    tmp = Path(tempfile.mkdtemp(prefix="kg-load-"))
    try:
        store = args.store
        if store is None:
            store = tmp / "store"
            subprocess.run([sys.executable, "-m", "kg.cli", "build", "-q", "--store", str(store),
                            str(ROOT / "corpus")], check=True)
        with kg_serve(store, "--access-log", "off", "--error-log", "off") as base:
            return run(int(base.rsplit(":", 1)[1]), args.requests, args.concurrency,
                       cold=args.cold)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
