"""The indicator extractor's word lists, loaded once: indicators with their surfaces, cue words
and the openers that scope a figure to a sub-area.

The tables are data beside the code (``kg/data/lexicon/``): ``indicators.tsv`` (name, measure
of a per-cent figure, units of a level, the share it gives), ``indicator_synonyms.tsv``
(older and regional wording), ``indicator_pairs.tsv`` (a collapsed pair such as 城乡居民收入),
``indicator_cues.tsv`` (growth verbs, qualifiers, prefixes) and ``indicator_subareas.tsv``.
An ``Indicator`` also says which measure a figure of it can be (``Indicator.measure_of``).

>>> surfaces, ordered = lexicon()
>>> [i.name for i in surfaces["城乡居民收入"]]
['城镇居民人均可支配收入', '农村居民人均可支配收入']
>>> bool(subarea_pattern(None).match("高新区实现生产总值"))
True
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from kg import gazetteer
from kg.lexicon import load_table, split_multi


@dataclass(frozen=True)
class Indicator:
    name: str
    measure: str  # the measure of a per-cent figure without a growth verb
    units: frozenset[str]  # units of a level figure ("倍" = a bare number)
    share: tuple[str, str] | None = None  # (indicator, measure) of "X占比 / X占GDP比重"

    def measure_of(self, unit: str, *, growth: bool, share: bool) -> tuple[str, str | None, str]:
        """(indicator, measure, unit) of a figure in ``unit``; measure None when the indicator
        cannot have it. A change in percentage points is never a headline figure.

        >>> gdp = lexicon()[0]["地区生产总值"][0]
        >>> gdp.measure_of("亿元", growth=False, share=False), gdp.measure_of("亿元", growth=True, share=False)
        (('地区生产总值', 'level', '亿元'), ('地区生产总值', None, '亿元'))
        """
        if unit in ("个百分点", "百分点"):
            return self.name, None, unit
        if share:  # 服务业占GDP比重达33.1%: the share, or the intensity of a spending
            if unit != "%" or growth or self.share is None:
                return self.name, None, unit
            return self.share[0], self.share[1], unit
        if unit == "%":
            if growth:
                return self.name, "growth", unit
            return self.name, self.measure if "%" in self.units else None, unit
        if growth:
            return self.name, None, unit  # 增长18亿元 is an increment, not a level
        if unit == "" and "倍" in self.units:
            return self.name, "level", "倍"
        return self.name, "level" if unit and unit in self.units else None, unit



@cache
def lexicon() -> tuple[dict[str, tuple[Indicator, ...]], tuple[str, ...]]:
    """Surface → indicators (two for a collapsed pair), and all surfaces longest first."""
    by_name: dict[str, Indicator] = {}
    surfaces: dict[str, tuple[Indicator, ...]] = {}
    for row in load_table("indicators"):
        share = tuple(row["share"].split(":", 1)) if row.get("share") else None
        ind = Indicator(row["indicator"], row["measure"], frozenset(split_multi(row["units"])),
                        share)  # type: ignore[arg-type]
        by_name[ind.name] = ind
        surfaces[ind.name] = (ind,)
    for row in load_table("indicator_synonyms"):
        surfaces[row["surface"]] = (by_name[row["indicator"]],)
    for row in load_table("indicator_pairs"):
        surfaces[row["surface"]] = tuple(by_name[n] for n in split_multi(row["indicators"]))
    return surfaces, tuple(sorted(surfaces, key=len, reverse=True))


@cache
def cues() -> tuple[dict[str, tuple[str, str]], tuple[str, ...], tuple[str, ...]]:
    """Gap cue → (role, qualifier); gap cues and subject prefixes, longest first."""
    gap: dict[str, tuple[str, str]] = {}
    prefixes = []
    for row in load_table("indicator_cues"):
        if row["role"] == "prefix":
            prefixes.append(row["cue"])
        else:
            gap[row["cue"]] = (row["role"], row.get("qualifier", ""))
    return (gap, tuple(sorted(gap, key=len, reverse=True)),
            tuple(sorted(prefixes, key=len, reverse=True)))


@cache
def subarea_pattern(city_code: str | None) -> re.Pattern[str]:
    rows = load_table("indicator_subareas")
    openers = [r["word"] for r in rows if r["kind"] == "opener"]
    suffixes = [r["word"] for r in rows if r["kind"] == "suffix"]
    names: list[str] = []
    if city_code:
        for place in gazetteer.default().counties_of(city_code):
            names += [place.name, *place.aliases]
    names += [r["word"] for r in rows if r["kind"] == "area"]
    counties = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    zones = rf"[\u4e00-\u9fff]{{1,8}}?(?:{'|'.join(map(re.escape, suffixes))})"
    # a zone is never the city itself, so it scopes also as a clause's actor; a county only
    # after a governing verb (a county opening a clause is often just where something happened)
    return re.compile(rf"^\s*(?:(?:{'|'.join(openers)})?{zones}|(?:{'|'.join(openers)})(?:{counties}))")
