"""How policies spread and whether targets were met: the diffusion and targets outputs of
``kg analyze`` (``diffusion.csv``, ``diffusion_provinces.csv``, ``diffusion_curves.png``,
``targets.csv``, ``targets/<city>.png``). Targets are read through the named query
``targets``; diffusion from the rows ``kg analyze`` has already read (``REPORT_ENTITIES``) and
the cities' provinces, the rows the named query ``diffusion`` gives (``diffusion_rows``; a test
compares them), without its second walk over every mention of the store (10 s of a national
store, #12).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg import queries
from kg.analyses import INDICATOR, MEASURE_NAMES
from kg.rdf import unmint
from kg.store import select, select_with_columns

#: Curves drawn in ``diffusion_curves.png`` (the most diffused policies).
DIFFUSION_CURVES = 10
#: Indicator series per city chart of ``targets/``.
TARGET_PANELS = 6

CsvWriter = Callable[[Path, list[str], Iterable[dict[str, Any]]], Path]


#: Each city's province, by label.
_PROVINCES = """
PREFIX gk: <https://w3id.org/gov-kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?cityNode ?province WHERE { ?cityNode gk:province/rdfs:label ?province }
"""


def outputs(store, out: Path, write_csv: CsvWriter,
            rows: list[dict[str, Any]]) -> dict[str, Path]:
    """Write the diffusion and targets tables and charts to ``out``; what was written, by name.
    ``rows``: those of ``kg.analyses.report_entities``."""
    return _diffusion(store, out, write_csv, rows) | _targets(store, out, write_csv)


def diffusion_rows(store, rows: Iterable[dict[str, Any]], cls: str = "Policy"
                   ) -> list[dict[str, Any]]:
    """The rows of the named query ``diffusion`` with ``class`` = ``cls``, in its order, from
    the rows of ``kg.analyses.report_entities`` (the reports with a year, ``cityNode`` and
    ``city``, the entities of class ``cls``) and the provinces of the cities."""
    provinces: dict[str, list[str]] = defaultdict(list)
    for r in select(store, _PROVINCES, name="adoption: provinces"):
        provinces[r["cityNode"]].append(r["province"])
    first: dict[tuple[str, str, str], int] = {}
    for r in rows:
        year = r["year"]
        if r["class"] == cls and year is not None:
            key = (r["entity"], r["cityNode"], r["city"])
            if key not in first or year < first[key]:
                first[key] = year
    none: list[str | None] = [None]
    found = {(entity, city, province, year): None for (entity, node, city), year in first.items()
             for province in (sorted(provinces[node]) if node in provinces else none)}
    return [{"entity": e, "class": cls, "city": c, "province": p, "firstYear": y}
            for e, c, p, y in sorted(found, key=lambda k: (k[0], k[3], k[1], k[2] or ""))]


@dataclass(frozen=True)
class Diffusion:
    """How one policy spread: the cities naming it, from the first year on."""

    entity: str
    label: str
    first_year: int
    first_cities: tuple[str, ...]
    #: (year, cities naming it for the first time that year, cities so far), by year
    adoption: tuple[tuple[int, int, int], ...]
    #: (province, the year its first city named it, that city, cities of the province),
    #: earliest province first
    provinces: tuple[tuple[str, int, str, int], ...]

    @property
    def cities(self) -> int:
        return self.adoption[-1][2]


def diffusion(rows: Iterable[dict[str, Any]]) -> list[Diffusion]:
    """Per entity, from the rows of the named query ``diffusion`` (entity, city, province,
    firstYear): adoption by year and the provinces in the order they named it; most cities
    first.

    >>> rows = [dict(entity="gkr:policy/x", city=c, province=p, firstYear=y) for c, p, y in
    ...         (("A", "P", 2019), ("B", "Q", 2019), ("C", "P", 2021))]
    >>> d = diffusion(rows)[0]
    >>> d.label, d.first_year, d.first_cities, d.adoption, d.provinces
    ('x', 2019, ('A', 'B'), ((2019, 2, 2), (2021, 1, 3)), (('P', 2019, 'A', 2), ('Q', 2019, 'B', 1)))
    """
    firsts: dict[str, dict[str, tuple[int, str]]] = defaultdict(dict)
    for r in rows:
        if r["firstYear"] is not None:
            firsts[r["entity"]][r["city"]] = (r["firstYear"], r["province"] or r["city"])
    out = []
    for entity, cities in firsts.items():
        years = sorted({y for y, _ in cities.values()})
        new = [sum(y == year for y, _ in cities.values()) for year in years]
        adoption = tuple((year, n, sum(new[:i + 1])) for i, (year, n) in enumerate(zip(years, new,
                                                                                   strict=True)))
        provinces: dict[str, list[tuple[int, str]]] = defaultdict(list)
        for city, (year, province) in cities.items():
            provinces[province].append((year, city))
        ranked = sorted((min(v)[0], p, min(v)[1], len(v)) for p, v in provinces.items())
        out.append(Diffusion(entity, unmint(entity)[1], years[0],
                             tuple(sorted(c for c, (y, _) in cities.items() if y == years[0])),
                             adoption, tuple((p, y, c, n) for y, p, c, n in ranked)))
    out.sort(key=lambda d: (-d.cities, d.first_year, d.label))
    return out


def _diffusion(store, out: Path, write_csv: CsvWriter,
               rows: list[dict[str, Any]]) -> dict[str, Path]:
    """Per policy, cities adopting by year and the provinces naming it first; the curves."""
    from kg import charts

    spread = diffusion(diffusion_rows(store, rows))
    table = [{"entity": d.entity, "label": d.label, "city_count": d.cities,
             "first_year": d.first_year, "first_cities": " | ".join(d.first_cities),
             "first_provinces": " | ".join(p for p, y, _, _ in d.provinces if y == d.first_year),
             "province_count": len(d.provinces),
             "adoption": " | ".join(f"{y}:{n}" for y, _, n in d.adoption)} for d in spread]
    columns = ["entity", "label", "city_count", "first_year", "first_cities", "first_provinces",
               "province_count", "adoption"]
    written = {"diffusion": write_csv(out / "diffusion.csv", columns, table)}
    provinces = [{"entity": d.entity, "label": d.label, "rank": i, "province": p,
                  "first_year": y, "first_city": c, "cities": n}
                 for d in spread for i, (p, y, c, n) in enumerate(d.provinces, 1)]
    written["diffusion_provinces"] = write_csv(
        out / "diffusion_provinces.csv",
        ["entity", "label", "rank", "province", "first_year", "first_city", "cities"], provinces)
    written["chart_diffusion"] = charts.adoption(
        out / "diffusion_curves.png",
        {f"{d.label}（{d.cities}）": [(y, n) for y, _, n in d.adoption]
         for d in spread[:DIFFUSION_CURVES]},
        title="政策扩散：提及各政策的城市数（按首次提及的报告年份累计）")
    return written


def _targets(store, out: Path, write_csv: CsvWriter) -> dict[str, Path]:
    """The targets table and, per city, target against actual over the years
    (``targets/<city>.png``, up to ``TARGET_PANELS`` indicator series, GDP growth first)."""
    from kg import charts

    q = queries.get("targets")
    columns, rows = select_with_columns(store, q.text, name="named query 'targets'")
    written = {"targets": write_csv(out / "targets.csv", columns, rows)}
    folder = out / "targets"
    for stale in sorted(folder.glob("*.png")):  # charts of cities the store no longer has
        stale.unlink()
    series: dict[str, dict[tuple[str, str, str], list[charts.TargetPoint]]] = defaultdict(
        lambda: defaultdict(list))
    for r in rows:
        series[r["city"]][(r["indicator"], r["measure"], r["unit"])].append(charts.TargetPoint(
            r["year"], float(r["target"]), float(r["actual"]), r["status"], _band(r)))
    for city, by_series in sorted(series.items()):
        keys = sorted(by_series, key=lambda k: ((k[0], k[1]) != INDICATOR, -len(by_series[k]), k))
        panels = [(f"{i}{MEASURE_NAMES.get(m, m)}（{u}）", by_series[(i, m, u)])
                  for i, m, u in keys[:TARGET_PANELS]]
        folder.mkdir(exist_ok=True)
        written[f"chart_targets:{city}"] = charts.targets(
            folder / f"{city}.png", panels, title=f"{city}：历年目标与实际")
    return written


def _band(row: dict[str, Any]) -> tuple[float, float]:
    """The actuals that meet a target, below and above it (``kg.targets.judge``): about ±
    the tolerance, a figure to reach up to the tolerance past it, a cap nothing drawn."""
    tol = float(row["tolerance"] or 0)
    if row["bound"] == "about":
        return tol, tol
    return (0.0, tol) if row["bound"] == "atLeast" else (tol, 0.0)
