"""Benchmark the explorer page (``/``) in headless Debian Chromium, driven by Playwright.

Usage::

    .venv/bin/python bench/bench_explorer.py                    # corpus/ built into a temp store
    .venv/bin/python bench/bench_explorer.py --repeat 10
    .venv/bin/python bench/bench_explorer.py --synthetic 1000   # also 1,000 synthetic reports
    .venv/bin/python bench/bench_explorer.py --store output/store

Figures (milliseconds, min / median / max over ``--repeat`` fresh pages; the clock is the
page's own ``performance.now()``, whose origin is the navigation, read after the next animation
frame so the canvas has drawn):

* ``first graph (shared link)``: navigation to a link that places 衢丽铁路 with its
  neighbours (``/?seeds=…&x=…``) until the graph is drawn (goal < 2 s);
* ``first graph (recurring view)``: the same for ``/?view=recurring``;
* ``expand``: a click on "expand all" in the side panel of 衢州市 until its new neighbours are
  drawn (goal < 500 ms);
* ``1,000 nodes: add + layout``: 1,000 synthetic nodes and 1,500 edges added in one batch and
  laid out (fcose, draft quality above 300 nodes), drawn;
* ``1,000 nodes: expand 25``: 25 more nodes next to one of them, laid out alone (placed nodes
  stay still), drawn;
* ``1,000 nodes: year range``: moving the year slider over that graph, drawn.

``--synthetic N`` also builds ``tests/web_fixtures.build_sample_store(path, reports=N)`` (eight
cities, N report graphs) and times the first graph and an expansion of a city on it.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from web_fixtures import build_sample_store, kg_serve  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
QULI = "https://w3id.org/gov-kg/id/project/衢丽铁路"
QUZHOU = "https://w3id.org/gov-kg/id/city/330800"

DRAWN = "new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(performance.now()))))"
#: a selector, not wait_for_function (which evaluates a string: the page's CSP forbids it)
IDLE = "body[data-ready=true][data-busy='0']"

EXPAND = """async (iri) => {
  await explorer.app.select(iri);
  const button = document.querySelector('#panel button.expand-all');
  const before = explorer.cy.nodes().length;
  const t0 = performance.now();
  button.click();
  await new Promise(r => { const tick = () => document.body.dataset.busy === '0'
    ? r() : requestAnimationFrame(tick); requestAnimationFrame(tick); });
  await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  return [performance.now() - t0, explorer.cy.nodes().length - before];
}"""

SYNTHETIC = """async () => {
  const g = explorer.app.graph, cy = explorer.cy;
  const classes = ['City', 'County', 'Project', 'Policy', 'IndustryChain', 'Indicator'];
  const nodes = [], edges = [];
  for (let i = 0; i < 1000; i++) nodes.push({iri: 'urn:n' + i, label: '节点' + i,
    class: classes[i % classes.length]});
  for (let i = 1; i < 1000; i++) edges.push({source: 'urn:n' + Math.floor(Math.sqrt(i) * 7 % i),
    target: 'urn:n' + i, predicate: 'p', label: '提及', years: [2015 + i % 10], facts: []});
  for (let i = 0; i < 500; i++) edges.push({source: 'urn:n' + (i * 7 % 1000),
    target: 'urn:n' + (i * 13 % 997 + 1), predicate: 'q', label: '提及', years: [2020], facts: []});
  const draw = () => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  explorer.app.reset();
  let t0 = performance.now();
  g.add(nodes, edges);
  await g.layoutAll();
  await draw();
  const add = performance.now() - t0;
  const size = [cy.nodes().length, cy.edges().length];
  const more = [], moreEdges = [];
  for (let i = 0; i < 25; i++) {
    more.push({iri: 'urn:m' + i, label: '新' + i, class: 'Project'});
    moreEdges.push({source: 'urn:n5', target: 'urn:m' + i, predicate: 'p', label: '提及',
      years: [2024], facts: []});
  }
  const before = Object.fromEntries(cy.nodes().map(n => [n.id(), n.position()]));
  t0 = performance.now();
  const fresh = g.add(more, moreEdges, {around: 'urn:n5'});
  await g.layoutNew(fresh, 'urn:n5');
  await draw();
  const expand = performance.now() - t0;
  const moved = Object.entries(before).filter(([id, p]) => {
    const q = cy.getElementById(id).position(); return Math.hypot(p.x - q.x, p.y - q.y) > 0.5;
  }).length;
  t0 = performance.now();
  explorer.app.years.set(2016, 2018);
  await draw();
  const years = performance.now() - t0;
  return {add, expand, years, moved, nodes: size[0], edges: size[1]};
}"""


def link(iri: str) -> str:
    return f"/?seeds={quote(iri)}&x={quote(json.dumps([[iri]]))}"


def first_graph(browser, url: str) -> float:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    try:
        page.goto(url)
        page.wait_for_selector(IDLE, state="attached", timeout=30_000)
        if not page.evaluate("explorer.cy.nodes().length"):
            raise RuntimeError(f"no graph at {url}: {page.inner_text('#status')}")
        return page.evaluate(DRAWN)
    finally:
        context.close()


def expand(browser, base: str, seed: str, city: str) -> tuple[float, int]:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    try:
        page.goto(base + link(seed))
        page.wait_for_selector(IDLE, state="attached", timeout=30_000)
        if not page.evaluate("explorer.cy.nodes().length"):
            raise RuntimeError(f"no graph to expand: {page.inner_text('#status')}")
        return tuple(page.evaluate(EXPAND, city))
    finally:
        context.close()


def synthetic_canvas(browser, base: str) -> dict:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    try:
        page.goto(base + "/")
        page.wait_for_selector(IDLE, state="attached", timeout=30_000)
        return page.evaluate(SYNTHETIC)
    finally:
        context.close()


def stats(values: list[float]) -> str:
    if not values:
        return f"{'-':>8} {'-':>8} {'-':>8}"
    return (f"{min(values):8.0f} {statistics.median(values):8.0f} {max(values):8.0f}")


def attempt(rows: list, name: str, goal: str, run) -> list | None:
    """Run ``run()``; on failure add a row saying why (the page's status line) instead."""
    try:
        return run()
    except Exception as error:  # noqa: BLE001 - a benchmark reports, it does not stop
        rows.append((f"{name}: FAILED {str(error).splitlines()[0][:90]}", [], goal))
        return None


def measure(browser, base: str, repeat: int, label: str, *, seed: str, city: str,
            canvas: bool) -> list[tuple[str, list[float], str]]:
    rows: list[tuple[str, list[float], str]] = []
    for name, url in (("first graph (shared link)", base + link(seed)),
                      ("first graph (recurring view)", base + "/?view=recurring")):
        values = attempt(rows, f"{label}: {name}", "< 2000",
                         lambda url=url: [first_graph(browser, url) for _ in range(repeat)])
        if values:
            rows.append((f"{label}: {name}", values, "< 2000"))
    runs = attempt(rows, f"{label}: expand", "< 500",
                   lambda: [expand(browser, base, seed, city) for _ in range(repeat)])
    if runs:
        rows.append((f"{label}: expand ({runs[0][1]} new nodes)", [r[0] for r in runs], "< 500"))
    if canvas:
        synth = [synthetic_canvas(browser, base) for _ in range(max(1, repeat // 2))]
        size = f"{synth[0]['nodes']} nodes, {synth[0]['edges']} edges"
        rows.append((f"1,000 nodes: add + layout ({size})", [s["add"] for s in synth], ""))
        rows.append((f"1,000 nodes: expand 25 ({synth[0]['moved']} placed nodes moved)",
                     [s["expand"] for s in synth], "< 500"))
        rows.append(("1,000 nodes: year range", [s["years"] for s in synth], ""))
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, help="a built store (default: corpus/ built now)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--synthetic", type=int, default=0, metavar="N",
                        help="also time a synthetic store of N reports")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    rows = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        store = args.store
        if store is None:
            from kg import pipeline

            store = Path(tmp) / "corpus"
            pipeline.build([ROOT / "corpus"], store, progress=False)
        with kg_serve(store, "--workers", "2", "--access-log", "off") as base:
            label = "sample" if args.store is None else f"store {args.store.name}"
            rows += measure(browser, base, args.repeat, label, seed=QULI, city=QUZHOU,
                            canvas=True)
        if args.synthetic:
            path = Path(tmp) / "synthetic"
            t0 = time.perf_counter()
            quads = build_sample_store(path, reports=args.synthetic)
            built = time.perf_counter() - t0
            print(f"synthetic store: {args.synthetic} reports, {quads} quads, built in {built:.1f} s")
            with kg_serve(path, "--workers", "2", "--access-log", "off") as base:
                rows += measure(browser, base, args.repeat, f"synthetic {args.synthetic}",
                                seed="https://w3id.org/gov-kg/id/project/衢丽铁路",
                                city=QUZHOU, canvas=False)
        browser.close()
    width = max(len(r[0]) for r in rows)
    print(f"{'figure (ms)':<{width}} {'min':>8} {'median':>8} {'max':>8}  goal")
    for name, values, goal in rows:
        print(f"{name:<{width}} {stats(values)}  {goal}")


if __name__ == "__main__":
    main()
