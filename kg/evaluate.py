"""Precision, recall and F1 of a built store against hand annotations (``kg eval``).

Gold files are JSON (one per report, format of ``/work/shared/gold``): ``city``, ``report_year``,
``review_year`` and lists ``indicators``, ``projects``, ``policies``, ``industry_chains``,
``counties``. The store is read only through the named queries ``reports``, ``observations``
and ``mentions``. Each gold file is matched to the built report of the same city and report
year; a gold file without one counts all its items as misses and is listed in ``unmatched``.

Scores are counts of true positives, false positives and false negatives per category, per
report and summed over reports (micro average). A category a gold file does not annotate
(its key is missing) is not scored for that report.

>>> score(8, 2, 0)
{'tp': 8, 'fp': 2, 'fn': 0, 'precision': 0.8, 'recall': 1.0, 'f1': 0.889}
>>> norm_name(" “八八”战略 ")
'八八战略'
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from pyoxigraph import Store

from kg import queries
from kg.errors import InputError
from kg.store import select

CATEGORIES = ("city_year", "indicators", "projects", "policies", "industry_chains", "counties")
#: Gold list key → entity class of ``queries/mentions.rq``.
NAME_CLASSES = {"projects": "Project", "policies": "Policy", "industry_chains": "IndustryChain"}
#: County-level suffixes, longest first: 柯城区 → 柯城, 景宁畲族自治县 → 景宁.
COUNTY_SUFFIXES = ("畲族自治县", "自治县", "自治旗", "区", "县", "市", "旗")
INDICATOR_FIELDS = ("indicator", "year", "kind", "measure", "unit", "value")
MAX_LISTED = 50

_QUOTES = re.compile(r"[“”‘’\"'「」『』＂]|\s+")

IndicatorKey = tuple[str, int, str, str, str, Decimal]


def norm_name(name: str) -> str:
    """A name without quotation marks or whitespace, NFKC-normalised (full-width → ASCII)."""
    return _QUOTES.sub("", unicodedata.normalize("NFKC", name))


def score(tp: int, fp: int, fn: int) -> dict[str, Any]:
    """Counts with precision, recall and F1 (None when undefined: nothing predicted / no gold)."""
    p = tp / (tp + fp) if tp + fp else None
    r = tp / (tp + fn) if tp + fn else None
    f = 2 * p * r / (p + r) if p and r else (0.0 if (p is not None or r is not None) else None)
    return {"tp": tp, "fp": fp, "fn": fn, "precision": _round(p), "recall": _round(r),
            "f1": _round(f)}


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 3)


# --- gold -------------------------------------------------------------------------------------


def load_gold(path: Path) -> dict[str, Any]:
    """One gold file, checked; a malformed one is an ``InputError`` naming the file."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise InputError(f"gold file {path}: cannot read JSON: {e}") from e
    if not isinstance(data, dict):
        raise InputError(f"gold file {path}: expected a JSON object, got {type(data).__name__}")
    for key, typ in (("city", str), ("report_year", int)):
        if not isinstance(data.get(key), typ) or isinstance(data.get(key), bool):
            raise InputError(f"gold file {path}: `{key}` must be a {typ.__name__}")
    for key in ("indicators", *NAME_CLASSES, "counties"):
        if key in data and not isinstance(data[key], list):
            raise InputError(f"gold file {path}: `{key}` must be a list")
    return data


def _gold_indicators(path: Path, items: list[Any]) -> list[IndicatorKey]:
    keys = []
    for n, item in enumerate(items):
        if not isinstance(item, dict) or any(f not in item for f in INDICATOR_FIELDS):
            raise InputError(f"gold file {path}: indicators[{n}] needs the fields "
                             f"{', '.join(INDICATOR_FIELDS)}")
        try:
            keys.append(indicator_key(item["indicator"], item["year"], item["kind"],
                                      item["measure"], item["unit"], item["value"]))
        except (ValueError, TypeError, InvalidOperation) as e:
            raise InputError(f"gold file {path}: indicators[{n}]: {e}") from e
    return keys


def _gold_names(path: Path, key: str, items: list[Any]) -> set[str]:
    names = set()
    for n, item in enumerate(items):
        name = item.get("name") if isinstance(item, dict) else item
        if not isinstance(name, str) or not name.strip():
            raise InputError(f"gold file {path}: {key}[{n}] has no `name`")
        names.add(norm_name(name))
    return names


def indicator_key(indicator: str, year: Any, kind: str, measure: str, unit: str,
                  value: Any) -> IndicatorKey:
    """The matching key of an observation; values compare numerically (10.0 == 10)."""
    if isinstance(value, float):
        value = repr(value)
    return (str(indicator), int(year), str(kind), str(measure), str(unit),
            Decimal(str(value)).normalize())


def _fmt_indicator(k: IndicatorKey) -> str:
    return f"{k[0]} {k[1]} {k[2]} {k[3]} {k[5]:f}{k[4]}"


# --- store ------------------------------------------------------------------------------------


def _rows(store: Store, name: str) -> list[dict[str, Any]]:
    return select(store, queries.get(name).text, name=f"named query {name!r}")


def _strip_suffix(label: str) -> str:
    for suffix in COUNTY_SUFFIXES:
        if label.endswith(suffix) and len(label) - len(suffix) >= 2:
            return label[: -len(suffix)]
    return label


class _Built:
    """What the store says, grouped by report IRI."""

    def __init__(self, store: Store) -> None:
        self.reports = _rows(store, "reports")
        self.indicators: dict[str, list[IndicatorKey]] = {}
        for row in _rows(store, "observations"):
            key = indicator_key(row["indicator"], row["year"], row["kind"], row["measure"],
                                row["unit"], row["value"])
            self.indicators.setdefault(row["report"], []).append(key)
        self.names: dict[tuple[str, str], set[str]] = {}
        self.counties: dict[str, list[set[str]]] = {}
        for row in _rows(store, "mentions"):
            report, cls, label = row["report"], row["class"], str(row["label"])
            if cls == "County":
                surfaces = [s for s in str(row["surface"] or "").split(" | ") if s]
                keys = {label, _strip_suffix(label), *surfaces}
                self.counties.setdefault(report, []).append(keys)
            else:
                self.names.setdefault((report, cls), set()).add(norm_name(label))

    def find(self, city: str, report_year: int) -> list[dict[str, Any]]:
        wanted = {city, city.removesuffix("市")}
        return [r for r in self.reports if r["reportYear"] == report_year
                and (r["city"] in wanted or str(r["city"] or "").removesuffix("市") in wanted)]


# --- matching ---------------------------------------------------------------------------------


def _compare_multiset(gold: Iterable, pred: Iterable, fmt=str) -> tuple[dict, dict]:
    g, p = Counter(gold), Counter(pred)
    tp, fp, fn = g & p, p - g, g - p
    return (score(sum(tp.values()), sum(fp.values()), sum(fn.values())),
            _errors(fp.elements(), fn.elements(), fmt))


def _compare_counties(gold: Iterable[str], pred: list[set[str]]) -> tuple[dict, dict]:
    missing, unused = [], list(pred)
    for name in sorted(set(gold)):
        hit = next((keys for keys in unused if name in keys), None)
        if hit is None:
            missing.append(name)
        else:
            unused.remove(hit)
    extra = [min(keys, key=len) for keys in unused]
    tp = len(set(gold)) - len(missing)
    return score(tp, len(extra), len(missing)), _errors(extra, missing)


def _errors(fp: Iterable, fn: Iterable, fmt=str) -> dict[str, list[str]]:
    return {"false_positives": sorted(fmt(x) for x in fp)[:MAX_LISTED],
            "false_negatives": sorted(fmt(x) for x in fn)[:MAX_LISTED]}


def _evaluate_file(path: Path, gold: dict[str, Any], built: _Built) -> dict[str, Any]:
    found = sorted(built.find(gold["city"], gold["report_year"]), key=lambda r: r["report"])
    report = found[0] if found else None
    iri = report["report"] if report else None
    result: dict[str, Any] = {
        "gold_file": path.name, "city": gold["city"], "report_year": gold["report_year"],
        "review_year": gold.get("review_year"), "report": iri, "matched": report is not None,
        "scores": {}, "errors": {},
    }
    if len(found) > 1:
        result["note"] = f"{len(found)} built reports match; scored against {iri}"
    comparisons: dict[str, tuple[dict, dict]] = {}
    gold_cy = (gold["city"], gold["report_year"], gold.get("review_year"))
    pred_cy = ([(gold["city"], report["reportYear"], report["reviewYear"])] if report else [])
    comparisons["city_year"] = _compare_multiset(
        [gold_cy], pred_cy, lambda t: f"{t[0]} report {t[1]} review {t[2]}")
    if "indicators" in gold:
        comparisons["indicators"] = _compare_multiset(
            _gold_indicators(path, gold["indicators"]), built.indicators.get(iri, []),
            _fmt_indicator)
    for key, cls in NAME_CLASSES.items():
        if key in gold:
            comparisons[key] = _compare_multiset(
                _gold_names(path, key, gold[key]), built.names.get((iri, cls), set()))
    if "counties" in gold:
        comparisons["counties"] = _compare_counties(
            _gold_names(path, "counties", gold["counties"]), built.counties.get(iri, []))
    for cat, (s, errs) in comparisons.items():
        result["scores"][cat] = s
        result["errors"][cat] = errs
    return result


def evaluate(gold_dir: Path, store: Store) -> dict[str, Any]:
    """Score ``store`` against every ``*.json`` gold file in ``gold_dir``.

    Returns a JSON-serialisable dict: ``reports`` (one entry per gold file, with ``scores``
    and the first false positives / negatives per category under ``errors``), ``overall``
    (micro-averaged scores per category) and ``unmatched`` (gold files without a built report).
    Raises ``InputError`` naming the file when a gold file is malformed, and when there is none.
    """
    gold_dir = Path(gold_dir)
    paths = sorted(gold_dir.glob("*.json"))
    if not paths:
        raise InputError(f"no gold files (*.json) in {gold_dir}")
    built = _Built(store)
    reports = [_evaluate_file(p, load_gold(p), built) for p in paths]
    overall = {}
    for cat in CATEGORIES:
        scored = [r["scores"][cat] for r in reports if cat in r["scores"]]
        if scored:
            overall[cat] = score(*(sum(s[k] for s in scored) for k in ("tp", "fp", "fn")))
    return {"gold_dir": str(gold_dir), "reports": reports, "overall": overall,
            "unmatched": [r["gold_file"] for r in reports if not r["matched"]]}


# --- table ------------------------------------------------------------------------------------


def _width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


def _pad(s: str, n: int, right: bool = False) -> str:
    fill = " " * max(0, n - _width(s))
    return fill + s if right else s + fill


def format_table(result: dict[str, Any]) -> str:
    """The scores as a fixed-width table: one block per report, then the micro average.

    >>> print(format_table({"reports": [], "unmatched": [],
    ...                     "overall": {"indicators": score(9, 1, 0)}}))
    report             category           tp    fp    fn   precision  recall     f1
    overall (micro)    indicators          9     1     0       0.900   1.000  0.947
    """
    def num(x: float | None) -> str:
        return "—" if x is None else f"{x:.3f}"

    rows = []
    for r in result["reports"]:
        label = f"{r['city']} {r['report_year']}" + ("" if r["matched"] else " (no report)")
        for cat, s in r["scores"].items():
            rows.append((label, cat, s))
            label = ""
    label = "overall (micro)"
    for cat, s in result["overall"].items():
        rows.append((label, cat, s))
        label = ""
    w = max([_width(x[0]) for x in rows] + [len("overall (micro)")]) + 4
    lines = [_pad("report", w) + _pad("category", 16)
             + "".join(_pad(h, n, True) for h, n in (("tp", 6), ("fp", 6), ("fn", 6),
                                                      ("precision", 12), ("recall", 8),
                                                      ("f1", 7)))]
    for label, cat, s in rows:
        if label and len(lines) > 1:
            lines.append("")
        lines.append(_pad(label, w) + _pad(cat, 16) + _pad(str(s["tp"]), 6, True)
                     + _pad(str(s["fp"]), 6, True) + _pad(str(s["fn"]), 6, True)
                     + _pad(num(s["precision"]), 12, True) + _pad(num(s["recall"]), 8, True)
                     + _pad(num(s["f1"]), 7, True))
    if result.get("unmatched"):
        lines.append("")
        lines.append("no built report for: " + ", ".join(result["unmatched"])
                     + " (all their items count as false negatives)")
    return "\n".join(lines)
