"""Leave-one-report-out cross-validation of the learned tagger (``kg eval --cv``).

Scoring a store built with the packaged model flatters it: the model was trained on the very
reports it is scored on. Here each gold report is scored by a tagger trained on all the
*other* gold reports (``kg.train.fit``): the held-out text goes through the whole pipeline
(``kg.pipeline.process``), its quads into a fresh in-memory store, and that store is scored by
the same code as ``kg eval --store``. The folds are independent, so they can run in worker
processes (``jobs``); training is deterministic and results come back in gold-file order, so
the scores do not depend on ``jobs``.

A fold's single built report is scored whatever city and years it was given (a wrong city or
year shows in ``city_year``, and the report is not counted as unmatched).
"""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from pyoxigraph import Store
from tqdm import tqdm

from kg.errors import InputError
from kg.evaluate.items import Built, load_gold, same_city
from kg.evaluate.scoring import assemble, score_report


def _text_path(gold_path: Path, texts_dir: Path) -> Path:
    seed = load_gold(gold_path).seed
    path = texts_dir / seed
    if not path.is_file():
        raise InputError(f"gold file {gold_path}: its text {path} is missing")
    return path


def run_fold(held_out: Path, training: list[Path], texts_dir: Path) -> dict[str, Any]:
    """Train on ``training``, build ``held_out``'s text in memory and score it."""
    from kg import ingest, pipeline, rdf, train

    gold = load_gold(held_out)
    tagger = train.fit(training, texts_dir)
    text = ingest.read_text(_text_path(held_out, texts_dir))
    ex = pipeline.process(text, source=gold.seed, tagger=tagger)
    store = Store()
    store.extend(rdf.to_quads(ex, places=pipeline.parent_places(ex),
                              pipeline_version=pipeline.pipeline_version()))
    pipeline.refresh_entities(store)
    built = Built(store)
    if not built.reports:  # cannot happen for a processed text; kept as a plain miss
        return score_report(gold, None)
    report = built.reports[0]
    note = ""
    if not (same_city(str(report["city"] or ""), gold.city)
            and report["reportYear"] == gold.report_year):
        note = (f"the built report is {report['city'] or '未知城市'} {report['reportYear']}; "
                "scored against it")
    return score_report(gold, built.items(report, gold.city), report["report"], note)


def _fold(args: tuple[int, list[str], str]) -> dict[str, Any]:
    i, paths, texts_dir = args
    held = Path(paths[i])
    return run_fold(held, [Path(p) for j, p in enumerate(paths) if j != i], Path(texts_dir))


def cross_validate(gold_dir: Path, texts_dir: Path | None = None, *, jobs: int = 1,
                   progress: bool = False) -> dict[str, Any]:
    """Score every gold report of ``gold_dir`` by a tagger trained on the others.

    ``texts_dir`` (default ``gold_dir/texts``) holds the reports' texts, named by each gold
    file's ``seed``. Needs at least two gold files. Raises ``InputError`` naming the file when
    a gold file is malformed or its text is missing.
    """
    from kg.evaluate import gold_paths

    gold_dir = Path(gold_dir)
    texts_dir = Path(texts_dir) if texts_dir is not None else gold_dir / "texts"
    paths = gold_paths(gold_dir)
    if len(paths) < 2:
        raise InputError(f"{gold_dir}: leave-one-out needs at least two gold files, "
                         f"found {len(paths)}")
    for p in paths:  # fail before any training when a file or text is bad
        _text_path(p, texts_dir)
    work = [(i, [str(p) for p in paths], str(texts_dir)) for i in range(len(paths))]
    bar = tqdm(total=len(work), desc="folds", unit="fold", disable=not progress)
    reports = []
    if jobs > 1:
        with ProcessPoolExecutor(max_workers=min(jobs, len(work))) as pool:
            for r in pool.map(_fold, work):
                reports.append(r)
                bar.update()
    else:
        for item in work:
            reports.append(_fold(item))
            bar.update()
    bar.close()
    return assemble(reports, gold_dir=str(gold_dir), texts_dir=str(texts_dir), mode="cv")
