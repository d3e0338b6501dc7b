"""Precision, recall and F1 against hand annotations (``kg eval``).

Gold files are JSON, one per report (format and rules in ``/work/shared/gold/GUIDELINES.md``):
``city``, ``report_year``, ``review_year`` and the lists ``indicators``, ``projects``,
``policies``, ``industry_chains``, ``counties``. Two ways to score them:

* ``evaluate(gold_dir, store)``: against a built store. Each gold file is matched to the built
  report of the same city and report year; one without a built report counts all its items as
  misses and is listed in ``unmatched``.
* ``cross_validate(gold_dir, texts_dir)`` (:mod:`kg.evaluate.cv`): leave one report out, so the
  learned tagger is scored only on reports it was not trained on.

Both return the same JSON-serialisable dict: ``reports`` (per report: ``scores`` per class,
``attributes``, ``errors`` with the sentence behind each miss and false find), ``overall``
(``micro``, ``macro`` = the mean of the reports' scores, ``attributes``), ``by_province``
(the same summary per province of the reports' cities) and ``unmatched``. Scoring rules are in
:mod:`kg.evaluate.scoring`; ``format_table`` and ``format_errors`` print them.

>>> score(8, 2, 0)["f1"], norm_name(" “八八”战略 ")
(0.889, '八八战略')
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pyoxigraph import Store

from kg.errors import InputError
from kg.evaluate.items import CLASSES, Built, GoldReport, load_gold, norm_name
from kg.evaluate.scoring import assemble, only_classes, score, score_report
from kg.evaluate.tables import format_errors, format_table

__all__ = ["CLASSES", "GoldReport", "cross_validate", "evaluate", "format_errors",
           "format_table", "gold_paths", "load_gold", "norm_name", "only_classes", "score"]


def gold_paths(gold_dir: Path) -> list[Path]:
    """The gold files (``*.json``) of a folder, in name order; none is an ``InputError``."""
    gold_dir = Path(gold_dir)
    paths = sorted(gold_dir.glob("*.json"))
    if not paths:
        raise InputError(f"no gold files (*.json) in {gold_dir}")
    return paths


def evaluate(gold_dir: Path, store: Store) -> dict[str, Any]:
    """Score ``store`` against every gold file in ``gold_dir``.

    Raises ``InputError`` naming the file when a gold file is malformed, and when there is none.
    """
    golds = [load_gold(p) for p in gold_paths(gold_dir)]
    built = Built(store)
    reports = []
    for gold in golds:
        found = built.find(gold.city, gold.report_year)
        if not found:
            reports.append(score_report(gold, None))
            continue
        note = (f"{len(found)} built reports match; scored against {found[0]['report']}"
                if len(found) > 1 else "")
        reports.append(score_report(gold, built.items(found[0], gold.city), found[0]["report"],
                                    note))
    return assemble(reports, gold_dir=str(gold_dir), mode="store")


def cross_validate(gold_dir: Path, texts_dir: Path | None = None, *, jobs: int = 1,
                   progress: bool = False) -> dict[str, Any]:
    """Leave-one-report-out scores of the learned tagger; see :mod:`kg.evaluate.cv`."""
    from kg.evaluate import cv

    return cv.cross_validate(gold_dir, texts_dir, jobs=jobs, progress=progress)
