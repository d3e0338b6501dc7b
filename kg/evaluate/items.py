"""What ``kg eval`` matches: gold files and the store, both turned into ``Item``s per class.

A gold file (format of ``/work/shared/gold``) gives one ``GoldReport``; the store, read only
through the named queries ``reports``, ``observations`` and ``mention_sentences``, gives a
``Built`` whose ``items(report)`` has the same shape. An ``Item`` carries what matching
compares (``keys``), how to print it (``label``), the sentence that explains it (the gold
``quote``, or the sentence the store read it from) and the attributes scored separately.

>>> norm_name(" “八八”战略 ")
'八八战略'
>>> indicator_key("地区生产总值", 2023, "actual", "level", "亿元", 2125.20)[-1]
Decimal('2125.2')
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Hashable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from pyoxigraph import Store

from kg import gazetteer, queries
from kg.errors import InputError
from kg.store import select

CLASSES = ("city_year", "indicators", "projects", "policies", "industry_chains", "counties")
#: Gold list key → entity class of ``queries/mention_sentences.rq``.
NAME_CLASSES = {"projects": "Project", "policies": "Policy", "industry_chains": "IndustryChain"}
#: Gold list key → the attribute scored on matched names (gold field = attribute name).
NAME_ATTRIBUTES = {"projects": "type", "policies": "level"}
#: County-level suffixes, longest first: 柯城区 → 柯城, 景宁畲族自治县 → 景宁.
COUNTY_SUFFIXES = ("畲族自治县", "自治县", "自治旗", "区", "县", "市", "旗")
INDICATOR_FIELDS = ("indicator", "year", "kind", "measure", "unit", "value")
UNKNOWN_PROVINCE = "未知省份"

_QUOTES = re.compile(r"[“”‘’\"'「」『』＂]|\s+")

IndicatorKey = tuple[str, int, str, str, str, Decimal]


@dataclass(frozen=True)
class Item:
    """One gold record or one thing the store holds, as matching sees it.

    ``keys``: what matching compares (one key for gold; a built county also matches its short
    forms); ``surface``: how the sentence writes it, when known; ``figure``: an indicator's key
    without kind and measure; ``attrs``: the attributes scored on matched items (policy level,
    project type, an indicator's kind and measure).
    """

    keys: tuple[Hashable, ...]
    label: str
    sentence: str = ""
    surface: str = ""
    attrs: tuple[tuple[str, str | None], ...] = ()
    figure: Hashable = None

    def attr(self, name: str) -> str | None:
        return dict(self.attrs).get(name)


@dataclass(frozen=True)
class GoldReport:
    """One gold file: the report's city and years, and its items per annotated class."""

    path: Path
    seed: str
    city: str
    report_year: int
    review_year: int | None
    province: str
    items: dict[str, tuple[Item, ...]]


def norm_name(name: str) -> str:
    """A name without quotation marks or whitespace, NFKC-normalised (full-width → ASCII)."""
    return _QUOTES.sub("", unicodedata.normalize("NFKC", name))


def indicator_key(indicator: str, year: Any, kind: str, measure: str, unit: str,
                  value: Any) -> IndicatorKey:
    """The matching key of an observation; values compare numerically (10.0 == 10)."""
    if isinstance(value, float):
        value = repr(value)
    return (str(indicator), int(year), str(kind), str(measure), str(unit),
            Decimal(str(value)).normalize())


def indicator_item(key: IndicatorKey, sentence: str, surface: str = "") -> Item:
    name, year, kind, measure, unit, value = key
    return Item(keys=(key,), label=f"{name} {year} {kind} {measure} {value:f}{unit}",
                sentence=sentence, surface=surface, attrs=(("kind", kind), ("measure", measure)),
                figure=(name, year, unit, value))


def city_year_item(city: str, report_year: Any, review_year: Any, sentence: str = "") -> Item:
    return Item(keys=((city, report_year, review_year),),
                label=f"{city} report {report_year} review {review_year}", sentence=sentence)


def province_of(city: str) -> str:
    """The province of a prefecture-level city named in full or short (衢州市, 衢州).

    >>> province_of("衢州市"), province_of("不存在市")
    ('浙江省', '未知省份')
    """
    gz = gazetteer.default()
    cities = [p for p in gz.lookup(city) if p.level == "city"]
    if len(cities) != 1:
        return UNKNOWN_PROVINCE
    return gz.province_of(cities[0]).name


# --- gold -------------------------------------------------------------------------------------


def load_gold(path: Path) -> GoldReport:
    """One gold file, checked; a malformed one is an ``InputError`` naming the file."""
    path = Path(path)
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
    city, review_year = data["city"], data.get("review_year")
    items: dict[str, tuple[Item, ...]] = {"city_year": (city_year_item(city, data["report_year"], review_year,
                                          str(data.get("evidence_city_year") or "")),)}
    if "indicators" in data:
        items["indicators"] = _gold_indicators(path, data["indicators"])
    for key in (*NAME_CLASSES, "counties"):
        if key in data:
            items[key] = _gold_names(path, key, data[key])
    return GoldReport(path=path, seed=str(data.get("seed") or path.with_suffix(".txt").name),
                      city=city, report_year=data["report_year"], review_year=review_year,
                      province=province_of(city), items=items)


def _gold_indicators(path: Path, records: list[Any]) -> tuple[Item, ...]:
    out = []
    for n, rec in enumerate(records):
        if not isinstance(rec, dict) or any(f not in rec for f in INDICATOR_FIELDS):
            raise InputError(f"gold file {path}: indicators[{n}] needs the fields "
                             f"{', '.join(INDICATOR_FIELDS)}")
        try:
            key = indicator_key(*(rec[f] for f in INDICATOR_FIELDS))
        except (ValueError, TypeError, InvalidOperation) as e:
            raise InputError(f"gold file {path}: indicators[{n}]: {e}") from e
        out.append(indicator_item(key, str(rec.get("quote") or ""),
                                  str(rec.get("surface") or "")))
    return tuple(out)


def _gold_names(path: Path, key: str, records: list[Any]) -> tuple[Item, ...]:
    """Named records, one item per normalised name (the first record of a name wins)."""
    attr = NAME_ATTRIBUTES.get(key)
    out: dict[str, Item] = {}
    for n, rec in enumerate(records):
        name = rec.get("name") if isinstance(rec, dict) else rec
        if not isinstance(name, str) or not name.strip():
            raise InputError(f"gold file {path}: {key}[{n}] has no `name`")
        rec = rec if isinstance(rec, dict) else {}
        attrs = ((attr, rec.get(attr)),) if attr else ()
        out.setdefault(norm_name(name), Item(keys=(norm_name(name),), label=norm_name(name),
                                             sentence=str(rec.get("quote") or ""),
                                             surface=str(rec.get("surface") or ""), attrs=attrs))
    return tuple(out.values())


# --- store ------------------------------------------------------------------------------------


def _rows(store: Store, name: str) -> list[dict[str, Any]]:
    return select(store, queries.get(name).text, name=f"named query {name!r}")


def strip_county_suffix(label: str) -> str:
    """柯城区 → 柯城, 景宁畲族自治县 → 景宁; a name the suffix would leave one character of stays."""
    for suffix in COUNTY_SUFFIXES:
        if label.endswith(suffix) and len(label) - len(suffix) >= 2:
            return label[: -len(suffix)]
    return label


class Built:
    """What the store says, as ``Item``s per report IRI and class."""

    def __init__(self, store: Store) -> None:
        self.reports = _rows(store, "reports")
        self._items: dict[str, dict[str, list[Item]]] = {}
        for row in _rows(store, "observations"):
            key = indicator_key(row["indicator"], row["year"], row["kind"], row["measure"],
                                row["unit"], row["value"])
            self._add(row["report"], "indicators", indicator_item(key, row["sentence"] or ""))
        self._names(_rows(store, "mention_sentences"))

    def _add(self, report: str, cls: str, item: Item) -> None:
        self._items.setdefault(report, {}).setdefault(cls, []).append(item)

    def _names(self, rows: list[dict[str, Any]]) -> None:
        """One item per entity (counties) or per normalised name (the rest), its sentence
        the first mention's; rows come ordered by report, class, label and offset."""
        classes = {cls: key for key, cls in NAME_CLASSES.items()}
        groups: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
        for row in rows:
            if row["class"] == "County":
                groups.setdefault((row["report"], "counties", row["entity"]), []).append(row)
            elif row["class"] in classes:
                group_key = (row["report"], classes[row["class"]], norm_name(str(row["label"])))
                groups.setdefault(group_key, []).append(row)
        for (report, cls, key), group in groups.items():
            first = min(group, key=lambda r: (r["start"] is None, r["start"] or 0))
            if cls == "counties":
                label = str(first["label"])
                keys = sorted({label, strip_county_suffix(label), *(r["surface"] for r in group)})
                item = Item(keys=tuple(keys), label=min(keys, key=len),
                            sentence=first["sentence"] or "", surface=first["surface"])
            else:
                attr = NAME_ATTRIBUTES.get(cls)
                value = next((r[_ATTR_COLUMNS[attr]] for r in group
                              if r[_ATTR_COLUMNS[attr]]), None) if attr else None
                item = Item(keys=(key,), label=key, sentence=first["sentence"] or "",
                            surface=first["surface"], attrs=((attr, value),) if attr else ())
            self._add(report, cls, item)

    def find(self, city: str, report_year: int) -> list[dict[str, Any]]:
        """The built reports of this city (full or short name) and report year, by IRI."""
        return sorted((r for r in self.reports if r["reportYear"] == report_year
                       and same_city(str(r["city"] or ""), city)), key=lambda r: r["report"])

    def items(self, report: dict[str, Any], city: str) -> dict[str, tuple[Item, ...]]:
        """A built report's items per class (its city written as the gold ``city`` when the
        two name the same place)."""
        found = {cls: tuple(items) for cls, items in self._items.get(report["report"], {}).items()}
        built_city = str(report["city"] or "")
        found["city_year"] = (city_year_item(city if same_city(built_city, city) else built_city,
                                             report["reportYear"], report["reviewYear"]),)
        return found


def same_city(a: str, b: str) -> bool:
    """Whether two city names are the same written in full or short (衢州市, 衢州)."""
    return bool(a) and a.removesuffix("市") == b.removesuffix("市")


_ATTR_COLUMNS = {"type": "projectType", "level": "level"}
