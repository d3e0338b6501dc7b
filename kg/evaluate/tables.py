"""Fixed-width text of an evaluation: the score tables and the list of errors.

Widths count CJK characters as two columns, so Chinese labels line up in a terminal.

>>> _pad("衢州", 6) + "|"
'衢州  |'
>>> _excerpt("全市生产总值达到2125.2亿元、增长6.8%", "增长", width=12)
'…亿元、增长6…'
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from typing import Any

from kg.evaluate.scoring import ATTRIBUTES

_COUNTS = (("tp", 6), ("fp", 6), ("fn", 6))
_RATES = (("precision", 11), ("recall", 8), ("f1", 7))
_ATTR_WIDTH = 9
SENTENCE_WIDTH = 80


def _width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


def _pad(s: str, n: int, right: bool = False) -> str:
    fill = " " * max(0, n - _width(s))
    return fill + s if right else s + fill


def _num(x: float | None) -> str:
    return "—" if x is None else f"{x:.3f}"


def _excerpt(sentence: str, *needles: str, width: int = SENTENCE_WIDTH) -> str:
    """At most ``width`` columns of ``sentence``, centred on the first needle it contains."""
    sentence = " ".join(sentence.split())
    if _width(sentence) <= width:
        return sentence
    at = next((i for n in needles if n and (i := sentence.find(n)) >= 0), 0)
    start = end = at
    used = 0
    while used < width - 2 and (start > 0 or end < len(sentence)):
        if end < len(sentence) and (end - at <= at - start or start == 0):
            used += _width(sentence[end])
            end += 1
        else:
            start -= 1
            used += _width(sentence[start])
    return ("…" if start > 0 else "") + sentence[start:end] + ("…" if end < len(sentence) else "")


# --- score tables -----------------------------------------------------------------------------


def _attribute_columns(result: dict[str, Any]) -> list[tuple[str, str]]:
    """(class, attribute) of every attribute column a table of this result needs."""
    present = {cls for s in _summaries(result) for cls in s["attributes"]}
    return [(cls, name) for cls, names in ATTRIBUTES.items() if cls in present for name in names]


def _summaries(result: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield result["overall"]
    yield from result["by_province"].values()


def _row(label: str, cls: str, counts: dict[str, Any] | None, rates: dict[str, Any],
         columns: list[tuple[str, str]], w: int, attrs: dict[str, Any] | None = None,
         attrs_of: str = "") -> str:
    """One table row; ``attrs`` fill the attribute columns of class ``attrs_of``."""
    line = _pad(label, w) + _pad(cls, 18)
    line += "".join(_pad(str(counts[k]) if counts else "", n, True) for k, n in _COUNTS)
    line += "".join(_pad(_num(rates.get(k)), n, True) for k, n in _RATES)
    for c, name in columns:
        cell = (_num(attrs[name]["accuracy"])
                if attrs is not None and c == attrs_of and name in attrs else "")
        line += _pad(cell, _ATTR_WIDTH, True)
    return line.rstrip()


def _block(label: str, scores: dict[str, Any], attributes: dict[str, Any],
           columns: list[tuple[str, str]], w: int) -> list[str]:
    """Rows of one report or group: a row per class, and the indicators' figures row."""
    lines = []
    for cls, s in scores.items():
        attrs = attributes.get(cls, {})
        if cls == "indicators":
            lines.append(_row(label, cls, s, s, columns, w))
            if "figures" in attrs:
                lines.append(_row("", "  figures", attrs["figures"], attrs["figures"], columns,
                                  w, attrs, cls))
        else:
            lines.append(_row(label, cls, s, s, columns, w, attrs, cls))
        label = ""
    return lines


def format_table(result: dict[str, Any], by: str = "report") -> str:
    """The scores as a fixed-width table: one block per report (``by="report"``) or per
    province (``by="province"``), then the micro and macro averages over all reports.

    Attribute columns are accuracies on matched items: ``kind`` and ``measure`` on the
    indicators' ``figures`` row (matched on indicator, year, unit and value), ``type`` of
    projects, ``level`` of policies.

    >>> from kg.evaluate.scoring import score
    >>> overall = {"micro": {"indicators": score(9, 1, 0)}, "attributes": {},
    ...            "macro": {"indicators": {"precision": 0.9, "recall": 1.0, "f1": 0.947}}}
    >>> print(format_table({"reports": [], "unmatched": [], "overall": overall,
    ...                     "by_province": {}}))
    report             class               tp    fp    fn  precision  recall     f1
    overall (micro)    indicators           9     1     0      0.900   1.000  0.947
    <BLANKLINE>
    overall (macro)    indicators                              0.900   1.000  0.947
    """
    columns = _attribute_columns(result)
    blocks: list[tuple[str, dict, dict]] = []
    if by == "province":
        for name, s in result["by_province"].items():
            blocks.append((f"{name} ({s['reports']})", s["micro"], s["attributes"]))
    else:
        for r in result["reports"]:
            label = f"{r['city']} {r['report_year']}" + ("" if r["matched"] else " (no report)")
            blocks.append((label, r["scores"], r["attributes"]))
    overall = result["overall"]
    blocks.append(("overall (micro)", overall["micro"], overall["attributes"]))
    w = max([_width(b[0]) for b in blocks] + [len("overall (micro)")]) + 4
    head = _pad("report" if by != "province" else "province", w) + _pad("class", 18)
    head += "".join(_pad(h, n, True) for h, n in _COUNTS + _RATES)
    head += "".join(_pad(name, _ATTR_WIDTH, True) for _, name in columns)
    parts = [_block(label, scores, attributes, columns, w)
             for label, scores, attributes in blocks]
    parts.append([_row("overall (macro)" if i == 0 else "", cls, None, s, [], w)
                  for i, (cls, s) in enumerate(overall["macro"].items())])
    lines = [head] + "\n\n".join("\n".join(p) for p in parts).splitlines()
    if result.get("mode") == "cv":
        lines[:0] = ["leave-one-report-out: each report scored by a tagger trained on the "
                     "others", ""]
    if result.get("unmatched"):
        lines.append("")
        lines.append("no built report for: " + ", ".join(result["unmatched"])
                     + " (all their items count as false negatives)")
    return "\n".join(lines)


# --- errors -----------------------------------------------------------------------------------

_KINDS = (("false_negatives", "missed"), ("false_positives", "false"),
          ("wrong_attributes", "wrong"))


def format_errors(result: dict[str, Any]) -> str:
    """Every miss (with the gold quote), false find (with the sentence it was read from) and
    wrong attribute, per report and class.

    >>> entry = {"item": "杭衢高铁", "sentence": "加快杭衢高铁建设"}
    >>> report = {"city": "衢州市", "report_year": 2024, "gold_file": "a.json",
    ...           "errors": {"projects": {"false_negatives": [entry], "false_positives": []}}}
    >>> print(format_errors({"reports": [report]}))
    衢州市 2024  a.json
      projects: 1 missed, 0 false
        missed  杭衢高铁  «加快杭衢高铁建设»
    """
    lines: list[str] = []
    for r in result["reports"]:
        if lines:
            lines.append("")
        lines.append(f"{r['city']} {r['report_year']}  {r['gold_file']}"
                     + ("" if r.get("matched", True) else "  (no built report)"))
        for cls, errs in r["errors"].items():
            counts = f"{len(errs['false_negatives'])} missed, {len(errs['false_positives'])} false"
            if errs.get("wrong_attributes"):
                counts += f", {len(errs['wrong_attributes'])} wrong attribute"
            lines.append(f"  {cls}: {counts}")
            entries = [(tag, e) for key, tag in _KINDS for e in errs.get(key, ())]
            w = min(max([_width(_what(e)) for _, e in entries] + [0]), 36)
            for tag, e in entries:
                sentence = _excerpt(e.get("sentence") or "", *_needles(e))
                lines.append(f"    {tag:<6}  {_pad(_what(e), w)}"
                             + (f"  «{sentence}»" if sentence else "").rstrip())
    return "\n".join(lines)


def _needles(entry: dict[str, Any]) -> list[str]:
    """What to centre a long sentence on: the surface, the name, an indicator's number."""
    number = re.search(r"(\d[\d.]*)\D*$", entry["item"])
    return [entry.get("surface", ""), entry["item"], number.group(1) if number else ""]


def _what(entry: dict[str, Any]) -> str:
    if "attribute" in entry:
        return f"{entry['item']}  {entry['attribute']} {entry['gold']}→{entry['built'] or '-'}"
    return entry["item"] + (f"  [{entry['why']}]" if entry.get("why") else "")
