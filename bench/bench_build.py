"""Benchmark the extraction against plain jieba segmentation on the same texts.

Usage::

    .venv/bin/python bench/bench_build.py                          # the gold texts, 3 runs
    .venv/bin/python bench/bench_build.py --repeat 5
    .venv/bin/python bench/bench_build.py /work/shared/reports --sample 100
    KG_TAGGER=off .venv/bin/python bench/bench_build.py            # the rules alone

One run reads the texts once, warms jieba's dictionary and every stage (gazetteer, lexicons,
model) on the first text, then, ``--repeat`` times over all the texts:

1. ``jieba.lcut`` characters/s: the anchor, a plain segmentation of each text;
2. ``kg.pipeline.process`` characters/s: the whole extraction of a report (ingest, every
   extractor, the learned tagger when present, resolve), as ``kg build`` runs it per file;
3. each stage timed on its own: ``ingest.parse_text``, every entry of
   ``kg.extract.REGISTRY``, the tagger, ``resolve.resolve``; their shares of the stages' sum.

It prints the min and median of each figure over the repeats and the ratio build/jieba (the
goal is at least 0.5: extracting a report costs no more than twice segmenting it). The clock
is the process's CPU time by default, which other sessions on a shared machine disturb less
than the wall clock (``--clock wall`` for that). Writing quads and the store is not timed.
"""

from __future__ import annotations

import argparse
import logging
import random
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_TEXTS = ROOT.parent / "shared" / "gold" / "texts"

import jieba  # noqa: E402

from kg import extract, ingest, pipeline, resolve  # noqa: E402
from kg.extract import tagger as tagger_module  # noqa: E402
from kg.model import Mention  # noqa: E402


def read_texts(folder: Path, sample: int | None, seed: int) -> list[tuple[str, str]]:
    """(name, text) of the ``*.txt`` and ``*.md`` files under ``folder`` (a sample if asked)."""
    files = sorted(p for p in folder.rglob("*") if p.suffix in (".txt", ".md")
                   and p.name.lower() != "readme.md")
    if sample is not None and sample < len(files):
        files = sorted(random.Random(seed).sample(files, sample))
    if not files:
        sys.exit(f"{folder}: no .txt or .md files to benchmark")
    return [(str(p.relative_to(folder)), ingest.read_text(p)) for p in files]


def one_run(texts: list[tuple[str, str]], clock: Callable[[], float], tagger) -> dict[str, float]:
    """Seconds for jieba, for ``process`` and for each stage, over all the texts once."""
    out: dict[str, float] = defaultdict(float)
    t0 = clock()
    for _, text in texts:
        jieba.lcut(text)
    out["jieba"] = clock() - t0
    t0 = clock()
    for name, text in texts:
        pipeline.process(text, source=name, tagger=tagger)
    out["build"] = clock() - t0
    for name, text in texts:
        t = clock()
        doc = ingest.parse_text(text, source=name)
        out["stage:ingest"] += clock() - t
        mentions: list[Mention] = []
        for info in extract.REGISTRY.values():
            t = clock()
            found = list(info.func(doc))
            out[f"stage:{info.name}"] += clock() - t
            mentions += [m for m in found if isinstance(m, Mention)]
        if tagger is not None:
            t = clock()
            tagged = tagger.mentions(doc, mentions)
            out["stage:tagger"] += clock() - t
            mentions = extract.merge(mentions, tagged)
        t = clock()
        resolve.resolve(doc, mentions)
        out["stage:resolve"] += clock() - t
    return dict(out)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", nargs="?", type=Path, default=DEFAULT_TEXTS,
                        help=f"folder of report texts (default: {DEFAULT_TEXTS})")
    parser.add_argument("--repeat", type=int, default=3, help="runs over all the texts")
    parser.add_argument("--sample", type=int, help="benchmark this many files, drawn at random")
    parser.add_argument("--seed", type=int, default=9, help="seed of --sample")
    parser.add_argument("--clock", choices=("cpu", "wall"), default="cpu")
    args = parser.parse_args(argv)

    clock = time.process_time if args.clock == "cpu" else time.perf_counter
    texts = read_texts(args.folder, args.sample, args.seed)
    chars = sum(len(t) for _, t in texts)
    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()  # load the dictionary now: its load time is not segmentation
    tagger = tagger_module.default()
    pipeline.process(texts[0][1], tagger=tagger)  # warm the gazetteer, lexicons and model
    runs = [one_run(texts, clock, tagger) for _ in range(max(1, args.repeat))]

    def figure(key: str) -> list[float]:
        return [r.get(key, 0.0) for r in runs]

    print(f"{len(texts)} texts, {chars:,} characters, {len(runs)} runs, {args.clock} clock, "
          f"tagger {'on' if tagger is not None else 'off'}")
    print(f"{'':22}{'min':>12}{'median':>12}")
    speeds = {}
    for key in ("jieba", "build"):
        cps = [chars / s if s else float("inf") for s in figure(key)]
        speeds[key] = cps
        print(f"{key + ' chars/s':22}{min(cps):>12,.0f}{statistics.median(cps):>12,.0f}")
    ratios = [b / j for b, j in zip(speeds["build"], speeds["jieba"], strict=True)]
    print(f"{'ratio build/jieba':22}{min(ratios):>12.2f}{statistics.median(ratios):>12.2f}"
          "   (goal >= 0.50)")
    print()
    stage_keys = [k for k in runs[0] if k.startswith("stage:")]
    total = statistics.median([sum(r[k] for k in stage_keys) for r in runs])
    print(f"{'stage':22}{'median s':>12}{'share':>9}{'chars/s':>12}")
    for key in sorted(stage_keys, key=lambda k: -statistics.median(figure(k))):
        sec = statistics.median(figure(key))
        cps = f"{chars / sec:>12,.0f}" if sec else f"{'-':>12}"
        print(f"{key[6:]:22}{sec:>12.3f}{sec / total:>9.1%}{cps}")
    print(f"{'sum of stages':22}{total:>12.3f}{1:>9.1%}")


if __name__ == "__main__":
    main()
