"""Targets against outcomes (#13): a report's target for a year, against what a later report
says happened that year.

A report plans its year: 地区生产总值增长6.5%左右 is a target observation (``gk:kind "target"``)
of the report's graph; the next report reviews the year: 增长6.8% is an actual of *its* graph.
``refresh`` links each target to the actual of the same city, indicator, measure, unit and year
stated by the first later report that reviews that year (the report with the smallest review
year not before it; the first such sentence in it), as a ``gk:TargetOutcome`` with a status,
the gap (actual − target) and the bound it was read by. The links live in their own graph,
``kg.rdf.TARGETS_GRAPH``, recomputed from the report graphs after each build like the entities
graph: a pure function of the stored reports, so a rebuild changes nothing and a replaced or
removed report takes its links with it.

How a target is read (``gk:bound`` on the target observation, from its qualifier:
:func:`kg.extract.indicators.bound`; in a store built before observations carried it, the same
function reads the stored ``gk:qualifier``), and the status ``judge`` gives:

- ``about`` (左右, 上下): met when the actual is within the tolerance of the target, exceeded
  beyond it on the side the target moves to (up, or down for a decline such as 下降3%左右),
  missed on the other side;
- ``atLeast`` (以上, 突破, 超过, or no qualifier: a figure to reach) and ``atMost`` of a decline
  (下降3%: the signed value −3 at most): missed short of it, met up to the tolerance past it,
  exceeded further;
- ``atMost`` of a cap (以内, 以下, 控制在 on a figure that is not a decline): met at or under
  it, missed over it; a cap is never exceeded.

The tolerance (``TOLERANCE``): 0.5 percentage points for per-cent and per-mille figures, 2% of
the target for other units. A target of 6.5%左右 is met by 6.0% to 7.0%.

>>> judge(Decimal("6.5"), Decimal("6.8"), "about", "%", "growth")
Judgement(status='met', gap=Decimal('0.3'), tolerance=Decimal('0.5'))
>>> judge(Decimal("8"), Decimal("7.1"), "atLeast", "%", "growth").status
'missed'
>>> judge(Decimal("3"), Decimal("0.2"), "atMost", "%", "growth")
Judgement(status='met', gap=Decimal('-2.8'), tolerance=None)
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from pyoxigraph import Literal, NamedNode, Quad, Store

from kg import rdf
from kg import store as kgstore
from kg.extract.indicators import bound
from kg.vocab import GK, ONTOLOGY, RDF

STATUSES = ("met", "missed", "exceeded")
#: Units whose figures are rates, for which the tolerance is absolute (percentage points).
RATE_UNITS = frozenset(("%", "‰", "个百分点", "百分点"))
#: (absolute tolerance for rates, relative tolerance for other units).
TOLERANCE = (Decimal("0.5"), Decimal("0.02"))

#: Every target and actual of a city, with its report's review year and the sentence index.
_OBSERVATIONS = f"""
PREFIX gk: <{ONTOLOGY}>
SELECT ?o ?report ?reviewYear ?kind ?area ?indicator ?measure ?unit ?year ?value ?bound
       ?qualifier ?index WHERE {{
  GRAPH ?report {{
    ?report a gk:Report .
    ?o a gk:Observation ; gk:kind ?kind ; gk:refArea ?area ; gk:indicator ?indicator ;
       gk:measure ?measure ; gk:unit ?unit ; gk:year ?year ; gk:value ?value ;
       gk:inSentence/gk:sentenceIndex ?index .
    OPTIONAL {{ ?report gk:reviewYear ?reviewYear }}
    OPTIONAL {{ ?o gk:bound ?bound }}
    OPTIONAL {{ ?o gk:qualifier ?qualifier }}
  }}
}}"""


@dataclass(frozen=True)
class Judgement:
    """A target's status against its actual, the gap (actual − target) and the tolerance used
    (None for a cap, which has none)."""

    status: str
    gap: Decimal
    tolerance: Decimal | None


@dataclass(frozen=True)
class TargetOutcome:
    """One target observation against one actual observation (IRIs), as ``judge`` reads it."""

    target: str
    actual: str
    bound: str
    judgement: Judgement


def tolerance(target: Decimal, unit: str) -> Decimal:
    """How far from ``target`` an actual still meets it (see the module's docstring).

    >>> tolerance(Decimal("6.5"), "%"), tolerance(Decimal("2200"), "亿元")
    (Decimal('0.5'), Decimal('44.00'))
    """
    absolute, relative = TOLERANCE
    return absolute if unit in RATE_UNITS else abs(target) * relative


def judge(target: Decimal, actual: Decimal, read: str, unit: str, measure: str) -> Judgement:
    """Met, missed or exceeded: ``actual`` against ``target`` read as ``read`` (a ``gk:bound``)."""
    gap = actual - target
    decline = measure == "growth" and target < 0
    if read == "atMost" and not decline:  # a cap: under it is all one
        return Judgement("met" if gap <= 0 else "missed", gap, None)
    tol = tolerance(target, unit)
    if read == "about":
        ahead = -gap if decline else gap
        status = "met" if abs(gap) <= tol else "exceeded" if ahead > 0 else "missed"
    else:  # a figure to reach: up to it (atLeast), or down to it (atMost of a decline)
        ahead = -gap if read == "atMost" else gap
        status = "missed" if ahead < 0 else "met" if ahead <= tol else "exceeded"
    return Judgement(status, gap, tol)


def outcomes(rows: list[dict[str, Any]]) -> list[TargetOutcome]:
    """Link each report's first target per (city, indicator, measure, unit, year) to the actual
    stated by the first later report reviewing that year; rows as ``_OBSERVATIONS`` gives them.

    >>> row = dict(area="c", indicator="i", measure="growth", unit="%", year=2023,
    ...            bound=None, qualifier=None)
    >>> rows = [row | dict(o="t", report="r23", reviewYear=2022, kind="target", index=4,
    ...                    value=Decimal("6.5"), qualifier="左右"),
    ...         row | dict(o="a", report="r24", reviewYear=2023, kind="actual", index=9,
    ...                    value=Decimal("6.8"))]
    >>> [(o.target, o.actual, o.bound, o.judgement.status) for o in outcomes(rows)]
    [('t', 'a', 'about', 'met')]
    """
    targets: dict[tuple, dict[str, dict[str, Any]]] = defaultdict(dict)
    actuals: dict[tuple, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        key = (r["area"], r["indicator"], r["measure"], r["unit"], r["year"])
        if r["kind"] == "target":
            first = targets[key].get(r["report"])
            if first is None or r["index"] < first["index"]:
                targets[key][r["report"]] = r
        elif r["kind"] == "actual" and r["reviewYear"] is not None and r["reviewYear"] >= r["year"]:
            actuals[key].append(r)
    found = []
    for key, by_report in sorted(targets.items()):
        for report, t in sorted(by_report.items()):
            later = [a for a in actuals.get(key, ()) if a["report"] != report]
            if not later:
                continue
            a = min(later, key=lambda a: (a["reviewYear"], a["report"], a["index"]))
            read = t["bound"] or bound(t["qualifier"] or "", "target", t["measure"], t["value"])
            found.append(TargetOutcome(t["o"], a["o"], read,
                                       judge(t["value"], a["value"], read, t["unit"],
                                             t["measure"])))
    return found


def outcome_iri(target: str) -> NamedNode:
    """The TargetOutcome of a target observation: ``<observation>/outcome`` (one per target)."""
    return NamedNode(f"{target}/outcome")


def quads(found: list[TargetOutcome]) -> list[Quad]:
    """The quads of ``kg.rdf.TARGETS_GRAPH`` for ``found``."""
    g, t = rdf.TARGETS_GRAPH, GK
    out = []
    for o in found:
        node = outcome_iri(o.target)
        j = o.judgement
        triples: list[tuple[NamedNode, NamedNode | Literal]] = [
            (RDF.type, t.TargetOutcome), (t.targetObservation, NamedNode(o.target)),
            (t.actualObservation, NamedNode(o.actual)), (t.status, Literal(j.status)),
            (t.gap, rdf._dec(j.gap)), (t.bound, Literal(o.bound))]
        if j.tolerance is not None:
            triples.append((t.tolerance, rdf._dec(j.tolerance)))
        out += [Quad(node, p, obj, g) for p, obj in triples]
    return out


def refresh(store: Store) -> int:
    """Recompute the targets graph from the report graphs, in one transaction; the number of
    target outcomes."""
    rows = kgstore.select(store, _OBSERVATIONS, name="targets: observations")
    found = outcomes(rows)
    kgstore.replace_graph(store, rdf.TARGETS_GRAPH, quads(found))
    return len(found)
