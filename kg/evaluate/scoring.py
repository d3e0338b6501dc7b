"""Matching gold items against built ones, and the scores: per report, micro, macro, groups.

Per class: true positives, false positives and false negatives with precision, recall and F1.
Names match after ``norm_name``; indicators match on indicator, year, kind, measure, unit and
value. Scored apart, so a reader sees *why* something missed:

* ``figures``: indicators matched on indicator, year, unit and value only, with the accuracy of
  ``kind`` and ``measure`` on those pairs (a wrong kind is a found figure, not a missing one);
* ``type`` of matched projects and ``level`` of matched policies (accuracy, with the confusions).

>>> score(8, 2, 0)
{'tp': 8, 'fp': 2, 'fn': 0, 'precision': 0.8, 'recall': 1.0, 'f1': 0.889}
>>> accuracy([("actual", "actual"), ("actual", "target")])["accuracy"]
0.5
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from statistics import mean
from typing import Any

from kg.evaluate.items import CLASSES, NAME_ATTRIBUTES, GoldReport, Item

#: Attributes scored per class, in table order.
ATTRIBUTES = {"indicators": ("kind", "measure"), **{k: (v,) for k, v in NAME_ATTRIBUTES.items()}}


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 3)


def score(tp: int, fp: int, fn: int) -> dict[str, Any]:
    """Counts with precision, recall and F1 (None when undefined: nothing predicted / no gold)."""
    p = tp / (tp + fp) if tp + fp else None
    r = tp / (tp + fn) if tp + fn else None
    f = 2 * p * r / (p + r) if p and r else (0.0 if (p is not None or r is not None) else None)
    return {"tp": tp, "fp": fp, "fn": fn, "precision": _round(p), "recall": _round(r),
            "f1": _round(f)}


def accuracy(pairs: Iterable[tuple[str | None, str | None]]) -> dict[str, Any]:
    """Agreement of (gold, built) attribute values; pairs whose gold value is unset don't count.
    ``confusions`` counts the disagreements as ``"gold→built"`` (``-`` when built has none)."""
    scored = [(g, b) for g, b in pairs if g]
    wrong = Counter(f"{g}→{b or '-'}" for g, b in scored if g != b)
    correct = len(scored) - sum(wrong.values())
    return {"n": len(scored), "correct": correct,
            "accuracy": _round(correct / len(scored)) if scored else None,
            "confusions": dict(sorted(wrong.items(), key=lambda kv: (-kv[1], kv[0])))}


def _sum_accuracy(accs: Sequence[dict[str, Any]]) -> dict[str, Any]:
    n, correct = sum(a["n"] for a in accs), sum(a["correct"] for a in accs)
    confusions: Counter[str] = Counter()
    for a in accs:
        confusions.update(a["confusions"])
    return {"n": n, "correct": correct, "accuracy": _round(correct / n) if n else None,
            "confusions": dict(sorted(confusions.items(), key=lambda kv: (-kv[1], kv[0])))}


# --- matching ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Match:
    """Gold and built items paired one to one; what is left over are the errors."""

    pairs: tuple[tuple[Item, Item], ...]
    missed: tuple[Item, ...]  # gold without a built item: false negatives
    extra: tuple[Item, ...]  # built without a gold item: false positives


def match(gold: Sequence[Item], built: Sequence[Item],
          keys: Callable[[Item], Iterable[Hashable]] = lambda item: item.keys) -> Match:
    """Pair each gold item, in order, with the first unpaired built item sharing a key."""
    index: dict[Hashable, list[int]] = {}
    for j, b in enumerate(built):
        for k in keys(b):
            index.setdefault(k, []).append(j)
    used: set[int] = set()
    pairs: list[tuple[Item, Item]] = []
    missed: list[Item] = []
    for g in gold:
        found = next((j for k in keys(g) for j in index.get(k, ()) if j not in used), None)
        if found is None:
            missed.append(g)
        else:
            used.add(found)
            pairs.append((g, built[found]))
    extra = tuple(b for j, b in enumerate(built) if j not in used)
    return Match(tuple(pairs), tuple(missed), extra)


def _entry(item: Item, why: str = "") -> dict[str, str]:
    out = {"item": item.label, "sentence": item.sentence}
    if item.surface and item.surface != item.label:
        out["surface"] = item.surface
    if why:
        out["why"] = why
    return out


def _kind_measure(item: Item) -> str:
    return f"{item.attr('kind')} {item.attr('measure')}"


def compare(cls: str, gold: Sequence[Item], built: Sequence[Item]) -> dict[str, Any]:
    """Score, attribute scores and errors of one class of one report."""
    m = match(gold, built)
    out: dict[str, Any] = {"score": score(len(m.pairs), len(m.extra), len(m.missed)),
                           "attributes": {}}
    fn_why: dict[int, str] = {}
    fp_why: dict[int, str] = {}
    if cls == "indicators":
        # a miss that is the right figure with the wrong kind or measure says so
        loose = match(m.missed, m.extra, keys=lambda item: (item.figure,))
        figure_pairs = m.pairs + loose.pairs
        out["attributes"]["figures"] = score(len(figure_pairs), len(loose.extra),
                                             len(loose.missed))
        for name in ATTRIBUTES[cls]:
            out["attributes"][name] = accuracy((g.attr(name), b.attr(name))
                                               for g, b in figure_pairs)
        for g, b in loose.pairs:
            fn_why[id(g)] = f"built as {_kind_measure(b)}"
            fp_why[id(b)] = f"gold has {_kind_measure(g)}"
    wrong: list[dict[str, Any]] = []
    if attr := NAME_ATTRIBUTES.get(cls):
        out["attributes"][attr] = accuracy((g.attr(attr), b.attr(attr)) for g, b in m.pairs)
        wrong = [{"item": g.label, "attribute": attr, "gold": g.attr(attr),
                  "built": b.attr(attr), "sentence": g.sentence}
                 for g, b in m.pairs if g.attr(attr) and g.attr(attr) != b.attr(attr)]
    out["errors"] = {
        "false_negatives": sorted((_entry(g, fn_why.get(id(g), "")) for g in m.missed),
                                  key=lambda e: e["item"]),
        "false_positives": sorted((_entry(b, fp_why.get(id(b), "")) for b in m.extra),
                                  key=lambda e: e["item"]),
    }
    if wrong:
        out["errors"]["wrong_attributes"] = sorted(wrong, key=lambda e: e["item"])
    return out


# --- reports and summaries ----------------------------------------------------------------------


def score_report(gold: GoldReport, built: Mapping[str, Sequence[Item]] | None,
                 report: str | None = None, note: str = "") -> dict[str, Any]:
    """One gold report against the items of its built report (``None``: there is none, and
    every gold item is a miss). A class the gold file does not annotate is not scored."""
    result: dict[str, Any] = {
        "gold_file": gold.path.name, "city": gold.city, "province": gold.province,
        "report_year": gold.report_year, "review_year": gold.review_year, "report": report,
        "matched": built is not None, "scores": {}, "attributes": {}, "errors": {},
    }
    if note:
        result["note"] = note
    for cls in CLASSES:
        if cls not in gold.items:
            continue
        c = compare(cls, gold.items[cls], (built or {}).get(cls, ()))
        result["scores"][cls] = c["score"]
        if c["attributes"]:
            result["attributes"][cls] = c["attributes"]
        result["errors"][cls] = c["errors"]
    return result


def summarise(reports: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Micro scores (counts summed over reports), macro scores (the mean of the reports'
    precision, recall and F1, over reports where each is defined) and attribute scores."""
    micro, macro, attributes = {}, {}, {}
    for cls in CLASSES:
        scored = [r["scores"][cls] for r in reports if cls in r["scores"]]
        if not scored:
            continue
        micro[cls] = score(*(sum(s[k] for s in scored) for k in ("tp", "fp", "fn")))
        macro[cls] = {"reports": len(scored)} | {
            k: _round(mean(vals)) if (vals := [s[k] for s in scored if s[k] is not None])
            else None for k in ("precision", "recall", "f1")}
        per_report = [r["attributes"][cls] for r in reports if cls in r.get("attributes", {})]
        if per_report:
            attrs: dict[str, Any] = {}
            if cls == "indicators":
                attrs["figures"] = score(*(sum(a["figures"][k] for a in per_report)
                                           for k in ("tp", "fp", "fn")))
            for name in ATTRIBUTES.get(cls, ()):
                attrs[name] = _sum_accuracy([a[name] for a in per_report])
            attributes[cls] = attrs
    return {"reports": len(reports), "micro": micro, "macro": macro, "attributes": attributes}


def group_by(reports: Sequence[dict[str, Any]], field: str) -> dict[str, dict[str, Any]]:
    """``summarise`` per value of a report field (``province``), groups in name order."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for r in reports:
        groups.setdefault(str(r[field]), []).append(r)
    return {name: summarise(rs) | {"gold_files": [r["gold_file"] for r in rs]}
            for name, rs in sorted(groups.items())}


def assemble(reports: list[dict[str, Any]], **about: Any) -> dict[str, Any]:
    """The whole evaluation: reports, overall summary, per-province summaries, unmatched."""
    return {**about, "reports": reports, "overall": summarise(reports),
            "by_province": group_by(reports, "province"),
            "unmatched": [r["gold_file"] for r in reports if not r["matched"]]}


def only_classes(result: dict[str, Any], classes: Sequence[str]) -> dict[str, Any]:
    """The result restricted to some classes (``kg eval --class``)."""
    def keep(d: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in d.items() if k in classes}

    def summary(s: dict[str, Any]) -> dict[str, Any]:
        return s | {part: keep(s[part]) for part in ("micro", "macro", "attributes")}

    reports = [r | {part: keep(r[part]) for part in ("scores", "attributes", "errors")}
               for r in result["reports"]]
    return result | {"reports": reports, "overall": summary(result["overall"]),
                     "by_province": {k: summary(v) for k, v in result["by_province"].items()}}
