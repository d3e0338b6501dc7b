"""Policy names: the canonical form of a name and its level (national, provincial, municipal).

A name's canonical form is the lexicon's (``policies.tsv``: a well-known policy under its
aliases, in the form most annotated reports use), else the name without quotation marks.
Its level (:func:`policy_level`) is the lexicon's when the policy is national or the report
province's own, else a 省/国家/市 marker written in front of it, else national for a name the
reports of many provinces use (``policy_spread.tsv``, :mod:`kg.spread`), else municipal.
"""

from __future__ import annotations

import re
from functools import cache

from kg.extract.names import norm_key, unquote
from kg.lexicon import load_table, split_multi


@cache
def _lexicon() -> tuple[dict[str, tuple[str, str, str]], re.Pattern[str] | None]:
    forms: dict[str, tuple[str, str, str]] = {}
    raw: set[str] = set()
    for row in load_table("policies"):
        entry = (row["name"], row["level"], row.get("province", ""))
        for form in (row["name"], *split_multi(row.get("aliases", ""))):
            forms.setdefault(norm_key(form), entry)
            raw.update((unquote(form), norm_key(form)))
    alts = sorted(raw, key=len, reverse=True)
    return forms, (re.compile("|".join(map(re.escape, alts))) if alts else None)


@cache
def _markers() -> tuple[tuple[str, str], ...]:
    rows = load_table("policy_markers")
    return tuple(sorted(((r["marker"], r["level"]) for r in rows), key=lambda m: -len(m[0])))


def canonical_policy(name: str) -> str:
    """The canonical name of a policy: no quotation marks; a lexicon alias → its name.

    >>> canonical_policy("“千村示范、万村整治”工程"), canonical_policy("新时代“枫桥经验”")
    ('千万工程', '枫桥经验')
    """
    forms, _ = _lexicon()
    name = unquote(name).strip()
    entry = forms.get(norm_key(name))
    if entry is None:
        stripped, _level = strip_markers(name)
        entry = forms.get(norm_key(stripped)) if stripped != name else None
    return entry[0] if entry else name


def lookup(name: str, province: str | None) -> tuple[str, str] | None:
    """Canonical name and level of a lexicon policy, or None.

    >>> lookup("“千村示范、万村整治”工程", "330000")
    ('千万工程', 'provincial')
    >>> lookup("十大战略", "330000") is None
    True
    """
    forms, _ = _lexicon()
    entry = forms.get(norm_key(canonical_policy(name)))
    if entry is None:
        return None
    canonical, level, home = entry
    if home and province and home != province:
        return None
    return canonical, level


def policy_level(name: str, before: str, province: str | None) -> str:
    """Level of a policy named ``name`` written after ``before`` in a report of ``province``.

    The lexicon's level (when the policy is the report province's own or national), else a
    省/国家/市 marker opening the name or closing ``before``, else national for a name the
    reports of many provinces use (``policy_spread.tsv``, see :mod:`kg.spread`), else municipal.

    >>> policy_level("千万工程", "", "330000"), policy_level("稳外贸15条", "落实省", None)
    ('provincial', 'provincial')
    >>> policy_level("人才新政", "出台", None)
    'municipal'
    """
    known = lookup(name, province)
    if known is not None:
        return known[1]
    stripped, level = strip_markers(unquote(name), levels_only=True)
    level = level or _marker_before(before, len(before))
    return level or unmarked_level(stripped, province)


def unmarked_level(name: str, province: str | None) -> str:
    """The level of a policy that no lexicon entry or marker places, in a report of
    ``province``: national for a name the reports of many provinces use (``policy_spread.tsv``),
    provincial for one that names the report's province (两美浙江 in a Zhejiang report) or that
    several cities of that province alone use, else municipal (also for another province's
    programme: a name of that shape here is the city's own)."""
    if norm_key(canonical_policy(name)) in _lexicon()[0]:
        return "municipal"
    if m := _WHOSE_STRATEGY.search(name):  # 工业强市 is the city's, 制造强省 the province's
        return {"省": "provincial", "国": "national"}.get(m[1], "municipal")
    if province and any(n in name for n in _province_names(province)):
        return "provincial"
    home = _spread().get(norm_key(name))
    if home is None:
        return "municipal"
    if not home:
        return "national"
    return "provincial" if home == province else "municipal"


#: A strategy named for whom it strengthens (工业强市, 科教兴市, 制造强省, 科技强国).
_WHOSE_STRATEGY = re.compile(r"(?:强|兴|立)(市|州|盟|省|国)$")


@cache
def _province_names(code: str) -> tuple[str, ...]:
    """The names of the province ``code`` (浙江省, 浙江); none for a code the gazetteer lacks."""
    from kg import gazetteer

    try:
        place = gazetteer.default().by_code(code)
    except KeyError:
        return ()
    return (place.name, *place.aliases) if place.level == "province" else ()


@cache
def _spread() -> dict[str, str]:
    """Policy name (its :func:`norm_key`) → ``""`` for a name the reports of many provinces use,
    the province code for one of a single province's."""
    return {norm_key(row["name"]): row.get("home") or "" for row in load_table("policy_spread")}


def strip_markers(name: str, *, whole: bool = False, levels_only: bool = False) -> tuple[str, str]:
    """Drop leading 省/市/国家/县域… markers; the level they imply ('' if none).

    ``whole`` allows the name to be a marker only (a prefix such as ``省``);
    ``levels_only`` keeps scope words without a level (新时代 …).

    >>> strip_markers("省民营经济32条")
    ('民营经济32条', 'provincial')
    >>> strip_markers("县域", whole=True)
    ('', '')
    """
    level = ""
    moved = True
    while moved:
        moved = False
        for marker, lev in _markers():
            if levels_only and not lev:
                continue
            if name.startswith(marker) and (whole or len(name) > len(marker) + 1):
                name, level, moved = name[len(marker) :], level or lev, True
                break
    return name, level


def _marker_before(text: str, a: int) -> str:
    for marker, level in _markers():
        if level and text.endswith(marker, 0, a):
            return level
    return ""
