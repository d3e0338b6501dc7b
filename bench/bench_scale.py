"""Scale on the real corpus (#12): build ``../shared/reports`` and measure what one machine does.

Usage::

    .venv/bin/python bench/bench_scale.py                       # every report, ~10+ minutes
    .venv/bin/python bench/bench_scale.py --limit 200           # 200 reports spread over the folder
    .venv/bin/python bench/bench_scale.py --store /tmp/s --jobs 2 --repeat 30

One run, in order:

1. reads every report as ``kg build`` does (``kg.readers.read``): reports and characters;
2. ``jieba.lcut`` over the same texts (at most ``--jieba-chars`` of them, spread over the
   corpus), the anchor of the build's characters/s per core;
3. ``kg build -q --jobs N`` into a new store (``--store``; refused if it exists and was not made
   by this script), in a subprocess: wall time, CPU time of the whole process tree (children
   included, from ``getrusage``), and its peak memory, sampled every 0.2 s over every process of
   the tree from ``/proc``: the sum of resident sets (RSS, counting pages that forked workers
   share once per process) and of proportional sets (PSS, counting each page once);
4. the store's size on disk and its quads;
5. the named queries ``observations`` and ``city_profile`` (both with their ``city`` parameter:
   the city with the most reports unless ``--city``) and ``recurring`` run ``--repeat``
   times each in process on a read-only handle (after one warm-up run; fewer, at least 3,
   past ``--budget`` seconds of runs): p50 and p99 (with 20 runs, p99 is the slowest);
6. ``kg analyze`` wall time (a subprocess; its outputs under the store's sibling ``analysis``);
7. what the corpus yields: reports per province and per year, the most recurring policies.

Figures print as they come; ``--json FILE`` also writes them. The machine's other work shows in
every figure: run it alone.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing
import os
import queue
import resource
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPORTS = ROOT.parent / "shared" / "reports"
MARK = ".bench_scale"  # marks a store this script made, so that it may replace it

import jieba  # noqa: E402
from pyoxigraph import Store  # noqa: E402

from kg import lock, queries, readers  # noqa: E402
from kg.store import select  # noqa: E402

KG = Path(sys.executable).parent / "kg"
GK = "https://w3id.org/gov-kg/ontology#"


def report_files(folder: Path, limit: int | None) -> list[Path]:
    """The report files under ``folder`` (README.md aside); ``limit`` of them evenly spread."""
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix in readers.SUFFIXES
                   and p.name.lower() != "readme.md")
    if limit is not None and limit < len(files):
        step = len(files) / limit
        files = [files[int(k * step)] for k in range(limit)]
    return files


def descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    out, todo = [pid], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def memory(pids: list[int]) -> tuple[int, int]:
    """(RSS, PSS) in bytes summed over ``pids`` (``/proc/PID/smaps_rollup``)."""
    rss = pss = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Rss:"):
                    rss += int(line.split()[1]) * 1024
                elif line.startswith("Pss:"):
                    pss += int(line.split()[1]) * 1024
        except OSError:
            continue  # gone meanwhile
    return rss, pss


def run_measured(command: list[str], timeout: float | None = None) -> dict:
    """Run ``command``; its wall time, the CPU time of its process tree, peak RSS and PSS
    (``status`` None: stopped after ``timeout`` seconds)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = [0, 0]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.2):
            rss, pss = memory(descendants(proc.pid))
            peak[0], peak[1] = max(peak[0], rss), max(peak[1], pss)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        for pid in reversed(descendants(proc.pid)):
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        out, err = proc.communicate()
        proc.returncode = None
    wall = time.perf_counter() - start
    done.set()
    sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"status": proc.returncode, "wall_s": wall, "cpu_s": cpu, "peak_rss": peak[0],
            "peak_pss": peak[1], "stdout": out, "stderr": err}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def timed(path: Path, text: str, bindings: dict, repeat: int, budget: float,
          timeout: float) -> tuple[int, list[float]] | None:
    """Rows and the seconds of each run of the query, in a child process that opens the store
    read-only: ``repeat`` runs after a warm-up (fewer once ``budget`` seconds are spent; a
    query slower than that counts its first run); None if it ran past ``timeout`` seconds."""
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    child = context.Process(target=_time_query, args=(path, text, bindings, repeat, budget,
                                                      results), daemon=True)
    child.start()
    try:
        return results.get(timeout=timeout)
    except queue.Empty:
        return None
    finally:
        child.kill()
        child.join()


def _time_query(path: Path, text: str, bindings: dict, repeat: int, budget: float,
                results) -> None:
    with lock.reading(path):
        store = Store.read_only(str(path))
        times: list[float] = []
        while len(times) < repeat + 1 and (len(times) < 2 or sum(times[1:]) < budget):
            t = time.perf_counter()
            rows = len(list(store.query(text, use_default_graph_as_union=True,
                                        substitutions=bindings)))
            times.append(time.perf_counter() - t)
            if times[0] > budget:
                break
        results.put((rows, times[1:] or times))


def size_on_disk(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def fmt_bytes(n: float) -> str:
    return f"{n / 2**30:.2f} GiB" if n >= 2**30 else f"{n / 2**20:.0f} MiB"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("reports", nargs="?", type=Path, default=REPORTS)
    ap.add_argument("--limit", type=int, help="build N reports spread over the folder")
    ap.add_argument("--store", type=Path, default=Path("/tmp/scale_store"))
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=20, help="runs of each query (p50/p99)")
    ap.add_argument("--budget", type=float, default=60.0,
                    help="seconds of runs per query before stopping short of --repeat")
    ap.add_argument("--timeout", type=float, default=300.0,
                    help="seconds after which a query's runs are stopped")
    ap.add_argument("--analyze-timeout", type=float, default=900.0,
                    help="seconds after which kg analyze is stopped")
    ap.add_argument("--city", help="the city of observations and city_profile")
    ap.add_argument("--skip-build", action="store_true",
                    help="measure the store a previous run left (no jieba, no build)")
    ap.add_argument("--jieba-chars", type=int, default=3_000_000,
                    help="characters segmented by jieba for the anchor figure")
    ap.add_argument("--json", type=Path, help="also write the figures to this file")
    args = ap.parse_args()
    figures: dict = {}

    def say(key: str, value, text: str) -> None:
        figures[key] = value
        print(text, flush=True)

    if args.store.exists() and any(args.store.iterdir()) and not (args.store / MARK).exists():
        sys.exit(f"{args.store} exists and was not made by this script: give a new --store")
    if not args.skip_build:
        build_store(args, say)
    with lock.reading(args.store):
        store = Store.read_only(str(args.store))
        t = time.perf_counter()
        quads = len(store)
        say("store", {"bytes": size_on_disk(args.store), "quads": quads,
                      "len_s": time.perf_counter() - t},
            f"store: {fmt_bytes(size_on_disk(args.store))} on disk, {quads:,} quads")
        counts = select(store, f"""PREFIX gk: <{GK}> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
            SELECT ?city (COUNT(*) AS ?n) WHERE {{ GRAPH ?r {{ ?r a gk:Report ; gk:city ?c }}
            ?c rdfs:label ?city }} GROUP BY ?city ORDER BY DESC(?n) ?city LIMIT 1""")
        city = args.city or (counts[0]["city"] if counts else "衢州市")
        cases = {
            f"observations ({city})": (queries.get("observations").text,
                                       queries.get("observations").bindings({"city": city})),
            "recurring": (queries.get("recurring").text, {}),
            f"city_profile ({city})": (queries.get("city_profile").text,
                                       queries.get("city_profile").bindings({"city": city})),
        }
        for name, (text, bindings) in cases.items():
            timing = timed(args.store, text, bindings, args.repeat, args.budget, args.timeout)
            if timing is None:
                say(f"query {name}", {"timeout_s": args.timeout},
                    f"query {name}: not done within {args.timeout:g} s (stopped)")
                continue
            rows, times = timing
            p50, p99 = percentile(times, 0.5), percentile(times, 0.99)
            say(f"query {name}", {"rows": rows, "p50_s": p50, "p99_s": p99, "runs": len(times)},
                f"query {name}: {rows:,} rows, p50 {1000 * p50:.1f} ms, p99 {1000 * p99:.1f} ms"
                f" ({len(times)} runs)")
        yields = corpus_yield(store)
        del store
    analysis = args.store.parent / (args.store.name + "-analysis")
    analyze = run_measured([str(KG), "analyze", "-q", "--store", str(args.store), "--out",
                            str(analysis)], timeout=args.analyze_timeout)
    ended = (f"exit {analyze['status']}" if analyze["status"] is not None
             else f"stopped after {args.analyze_timeout:g} s")
    say("analyze", {k: v for k, v in analyze.items() if k not in ("stdout", "stderr")},
        f"kg analyze: wall {analyze['wall_s']:.1f} s ({ended}), peak RSS "
        f"{fmt_bytes(analyze['peak_rss'])}" + (f"\n    {analyze['stderr'].strip()[-500:]}"
                                               if analyze["status"] else ""))
    figures["yield"] = yields
    print_yield(yields)
    if args.json:
        args.json.write_text(json.dumps(figures, ensure_ascii=False, indent=1))


def build_store(args: argparse.Namespace, say) -> None:
    """Steps 1-3: read the reports, time jieba over them, build them into a new store."""
    if args.store.exists():
        subprocess.run(["rm", "-rf", str(args.store)], check=True)
    args.store.mkdir(parents=True)
    (args.store / MARK).write_text("made by bench/bench_scale.py; replaced by its next run\n")
    files = report_files(args.reports, args.limit)
    texts = [readers.read(p).text for p in files]
    chars = sum(map(len, texts))
    say("input", {"files": len(files), "chars": chars},
        f"input: {len(files)} report files, {chars:,} characters ({args.reports})")
    jieba.lcut("预热")  # loads the dictionary
    sample = texts[:: max(1, round(chars / args.jieba_chars))] if chars > args.jieba_chars \
        else texts
    t = time.process_time()
    for text in sample:
        jieba.lcut(text)
    jieba_rate = sum(map(len, sample)) / (time.process_time() - t)
    say("jieba_chars_per_s", jieba_rate,
        f"jieba.lcut: {jieba_rate:,.0f} characters/s (CPU; {sum(map(len, sample)):,} characters)")

    build = run_measured([str(KG), "build", "-q", "--jobs", str(args.jobs), *map(str, files),
                          "--store", str(args.store)])
    summary = build["stdout"].strip().splitlines()[-1:] or build["stderr"].strip().splitlines()[-1:]
    failed = [line for line in build["stderr"].splitlines() if line.startswith("failed:")]
    per_core = chars / build["cpu_s"]
    say("build", {k: v for k, v in build.items() if k not in ("stdout", "stderr")} |
        {"summary": summary, "chars_per_s_per_core": per_core, "failed_lines": failed[:50]},
        f"kg build --jobs {args.jobs}: {summary[0] if summary else '?'} (exit {build['status']});"
        f" wall {build['wall_s']:.1f} s ({chars / build['wall_s']:,.0f} characters/s), CPU "
        f"{build['cpu_s']:.1f} s: {per_core:,.0f} characters/s per core = "
        f"{per_core / jieba_rate:.2f}x jieba.lcut; peak memory of the build's processes: RSS "
        f"{fmt_bytes(build['peak_rss'])}, PSS {fmt_bytes(build['peak_pss'])}")
    for line in failed[:10]:
        print("   ", line)



def corpus_yield(store: Store) -> dict:
    """Reports per province and year; the policies named by the most cities."""
    rows = select(store, f"""PREFIX gk: <{GK}> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT ?province ?year (COUNT(DISTINCT ?r) AS ?n) WHERE {{
          GRAPH ?r {{ ?r a gk:Report ; gk:city ?c ; gk:reportYear ?year }}
          OPTIONAL {{ ?c gk:province/rdfs:label ?p }} OPTIONAL {{ ?c rdfs:label ?cl }}
          BIND (COALESCE(?p, ?cl) AS ?province) }} GROUP BY ?province ?year""")
    by_province: dict[str, Counter] = {}
    for r in rows:
        by_province.setdefault(r["province"] or "?", Counter())[int(r["year"])] += r["n"]
    recurring = select(store, queries.get("recurring").text,
                       queries.get("recurring").bindings({"class": "Policy"}))
    return {"by_province": {p: dict(sorted(c.items())) for p, c in sorted(by_province.items())},
            "top_policies": [(r["label"], r["cityCount"]) for r in recurring[:20]]}


def print_yield(yields: dict) -> None:
    by_province = yields["by_province"]
    years: Counter = Counter()
    print("reports per province (first-last report year):")
    line = []
    for province, counts in sorted(by_province.items(), key=lambda kv: -sum(kv[1].values())):
        years.update(counts)
        line.append(f"{province} {sum(counts.values())} ({min(counts)}-{max(counts)})")
    for k in range(0, len(line), 6):
        print("    " + ", ".join(line[k:k + 6]))
    print("reports per year: " + ", ".join(f"{y}: {n}" for y, n in sorted(years.items())))
    print("most recurring policies (cities naming them): " + ", ".join(
        f"{label} {n}" for label, n in yields["top_policies"]))


if __name__ == "__main__":
    os.environ.setdefault("TQDM_DISABLE", "1")
    main()
