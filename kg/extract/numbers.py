"""Quantities in report text: a number (Arabic or Chinese) with its unit and qualifiers.

Only quantities with a unit of an indicator are found (money, people, per cent, percentage
points); counts (项目215个), ranks (全省第一) and years are not quantities here. A bare order of
magnitude (突破千亿元, 超百亿) is a threshold, not a precise value, and is skipped.

>>> [(q.value, q.unit, q.post) for q in find_quantities("达到2125.2亿元、增长6.8%左右")]
[(Decimal('2125.2'), '亿元', ''), (Decimal('6.8'), '%', '左右')]
>>> [(q.value, q.unit) for q in find_quantities("增长百分之八点五，达到三点零八万人")]
[(Decimal('8.5'), '%'), (Decimal('3.08'), '万人')]
>>> find_quantities("固定资产投资首次突破千亿元，引进项目215个")
[]
>>> [(q.value, q.post) for q in find_quantities("增长6.5%—7%，增长3-4%")]
[(Decimal('6.5'), '6.5-7'), (Decimal('3'), '3-4')]
>>> parse_number("1,964.44")
Decimal('1964.44')
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import cn2an

from kg.lexicon import load_table

#: Qualifiers written after a figure (增长6%左右, 5%以内): kept on the observation.
POST_QUALIFIERS = ("左右", "以上", "以内", "以下", "上下")

_CN_DIGITS = "零〇一二两三四五六七八九"
_CN_NUMERAL = f"[{_CN_DIGITS}十百千万亿点]"
_ARABIC = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"


@dataclass(frozen=True)
class Quantity:
    """A figure in a text: ``text[start:end]`` is the number, unit and post-qualifier."""

    start: int
    end: int
    value: Decimal
    unit: str
    post: str = ""  # 左右 / 以上 / 以内 / …


def units() -> tuple[str, ...]:
    """Indicator units from ``indicator_units.tsv``, longest first (亿美元 before 美元)."""
    return tuple(sorted((r["unit"] for r in load_table("indicator_units")),
                        key=len, reverse=True))


def _pattern() -> re.Pattern[str]:
    unit_alt = "|".join(re.escape(u) for u in units())
    posts = "|".join(POST_QUALIFIERS)
    return re.compile(
        rf"(?:百分之(?P<pct>{_CN_NUMERAL}+)"
        rf"|(?P<num>{_ARABIC})\s*(?P<unit>{unit_alt})"
        rf"|(?<![{_CN_DIGITS}十百千万亿点])(?P<cn>{_CN_NUMERAL}+?)(?P<cnunit>{unit_alt}))"
        rf"(?P<post>{posts})?"
    )


_PATTERN: re.Pattern[str] | None = None


def parse_number(text: str) -> Decimal | None:
    """``"2125.2"``, ``"1,964.44"``, ``"二千一百点五"`` → Decimal; None when not a number.

    A bare magnitude (``千``, ``百亿``) has no digit and is not a precise value.

    >>> parse_number("二千一百二十五点二"), parse_number("千"), parse_number("两万")
    (Decimal('2125.2'), None, Decimal('20000'))
    """
    text = text.strip()
    if not text:
        return None
    if text[0].isdigit():
        try:
            return Decimal(text.replace(",", ""))
        except InvalidOperation:
            return None
    if not any(c in _CN_DIGITS for c in text):
        return None
    try:
        value = cn2an.cn2an(text, "smart")
    except (ValueError, TypeError, KeyError, IndexError):
        return None
    return Decimal(str(value)) if value is not None else None


_BARE = re.compile(rf"(?<![第前后A-Za-z0-9.+/-])(?P<num>\d+\.\d+|\d+)(?P<post>{'|'.join(POST_QUALIFIERS)})?"
                   r"(?=$|[，,；;。！？!?、）)])")


def find_quantities(text: str, *, bare: bool = True) -> list[Quantity]:
    """Every figure with an indicator unit in ``text``, in order.

    With ``bare``, numbers without a unit that end a clause (倍差缩小至1.57，) are included with
    the unit ``""``; numbers after 第/前 (ranks) never are.

    >>> [(q.value, q.unit) for q in find_quantities("倍差缩小至1.57，居全省第3，前4。")]
    [(Decimal('1.57'), '')]
    """
    global _PATTERN
    if _PATTERN is None:
        _PATTERN = _pattern()
    found = []
    if bare:
        found = [Quantity(m.start(), m.end(), Decimal(m["num"]), "", m["post"] or "")
                 for m in _BARE.finditer(text)]
    for m in _PATTERN.finditer(text):
        if m["pct"] is not None:
            value, unit = parse_number(m["pct"]), "%"
        elif m["num"] is not None:
            value, unit = parse_number(m["num"]), m["unit"]
            if unit == "％":
                unit = "%"
        else:
            value, unit = parse_number(m["cn"]), m["cnunit"]
        if value is None or (m["num"] is not None and _inside_token(text, m.start())):
            continue
        if m["num"] is not None and (r := _RANGE_START.search(text, 0, m.start())):
            low = parse_number(r["num"])
            if low is not None and low < value and (r["unit"] or m["unit"]) == m["unit"]:
                found = [q for q in found if q.end <= r.start()]
                found.append(Quantity(r.start(), m.end(), low, unit,
                                      m["post"] or f"{r['num']}-{m['num']}"))
                continue
        found.append(Quantity(m.start(), m.end(), value, unit, m["post"] or ""))
    return sorted(found, key=lambda q: q.start)


#: The low end of a range written before a figure (6.5-7%, 5%—6%): the figure
#: is the range's high end; the quantity is the low end, the range its qualifier.
_RANGE_START = re.compile(rf"(?<![\d.A-Za-z])(?P<num>{_ARABIC})\s*(?P<unit>%|％)?\s*[-－—~～]\s*$")


def _inside_token(text: str, start: int) -> bool:
    """A number glued to Latin letters or a decimal point is part of a code (5G, PM2.5)."""
    return start > 0 and (text[start - 1].isascii() and (text[start - 1].isalnum()
                                                         or text[start - 1] == "."))
