"""Projects: railways, highways, airports, waterways, power stations, parks, urban renewal …

Found by shape, not by a list of names (every report brings new ones):

* a list item ending with a type suffix from ``project_types.tsv`` (铁路, 国道, 抽蓄电站, 片区 …)
  in a clause with a construction verb (开工, 建成, 推进 …); the name starts after the governing
  verb run (``开工建设乌溪江混合抽蓄电站``);
* the items of ``A、B、C等(重大)项目`` or ``“A”、“B”等…街区`` lists, whatever their shape;
* ``<proper name>项目`` (``衢州极电项目`` → 衢州极电).

Bare list items share the head noun of the last one: ``城北、衢化、双西港片区`` → 城北片区 …
The canonical name is the shortest proper name (:func:`canonical_project`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache

from kg.extract import register
from kg.extract.names import (
    QUOTE_CHARS,
    after_lead,
    clauses,
    drop_overlaps,
    is_cjk_name,
    matches_pattern,
    mention,
    split_items,
    unquote,
)
from kg.lexicon import load_table, load_words
from kg.model import Document, Mention

KIND = "Project"
_SEGMENT = re.compile(r"(?:[^，、。；和]{0,10}?至[^，、。；和]{1,10}?段|[^，、。；和至]{2,4}段)")
_PHASE = re.compile(r"(?:[一二三四五]期(?:工程|项目)?|启动区)")
_ROADS = ("铁路", "高速公路", "高速", "国道", "省道", "航道", "公路", "快速路")
#: Segment and phase qualifiers dropped from a canonical name.
_CANON = re.compile(
    r"^(?P<base>.+?(?:" + "|".join(_ROADS) + r"))(?:[^至]{0,10}至.{1,12}段|.{2,5}段)$"
)
_LIST_END = re.compile(r"等([^，。；“”]{0,12}?)(项目)")


@cache
def _types() -> tuple[tuple[str, str, str], ...]:
    rows = load_table("project_types")
    return tuple(sorted(((r["suffix"], r["type"], r["strength"]) for r in rows),
                        key=lambda t: -len(t[0])))


def canonical_project(label: str) -> str:
    """Shortest proper name: no quotes, segment or phase qualifiers, trailing 项目; 高速公路 → 高速.

    >>> canonical_project("衢丽铁路衢州至松阳段")
    '衢丽铁路'
    >>> canonical_project("义龙庆高速公路庆元段")
    '义龙庆高速'
    >>> canonical_project("创新金融中心一期")
    '创新金融中心'
    >>> canonical_project("衢州极电项目")
    '衢州极电'
    """
    name = unquote(label).strip()
    m = _CANON.match(name)
    if m:
        name = m.group("base")
    name = re.sub(r"(?:[一二三四五]期(?:工程|项目)?|启动区)$", "", name)
    if name.endswith("项目") and len(name) > 4:
        name = name[:-2]
    if name.endswith("高速公路"):
        name = name[:-2]
    return name


def type_of(name: str, *, in_list: bool = False) -> tuple[str, str] | None:
    """(suffix, type) of the longest type suffix ``name`` ends with."""
    for suffix, typ, strength in _types():
        if name.endswith(suffix) and (in_list or strength != "list"):
            return suffix, typ
    return None


def _suffix_end(text: str, a: int, b: int) -> tuple[int, str, str] | None:
    """The furthest type suffix in ``text[a:b]``: (end, suffix, type)."""
    best = None
    for suffix, typ, strength in _types():
        if strength == "list":
            continue
        i = text.find(suffix, a, b)
        while i >= 0:
            if best is None or i + len(suffix) > best[0]:
                best = (i + len(suffix), suffix, typ)
            i = text.find(suffix, i + 1, b)
    return best


def _lead(text: str, a: int, b: int) -> int:
    """Start of a name in ``text[a:b]``: after governing verbs, construction verbs and quotes."""
    s0 = after_lead(text, a, b, extra=load_words("project_verbs"))
    while s0 < b and text[s0] in QUOTE_CHARS:
        s0 += 1
    return s0


def _generic(name: str) -> bool:
    if re.search(r"\d+[个家所座条项批月]|[二三四五六七八九十]大", name):
        return True
    return matches_pattern(name, load_words("project_stopwords")) or not is_cjk_name(name, 3)


def _strip_county(name: str, gazetteer) -> str:
    """Drop a county or development-zone prefix from a company-like project name."""
    m = re.match(r"^.{2,4}?(?:经开区|高新区|开发区)", name)
    if m and len(name) - m.end() >= 3:
        return name[m.end() :]
    if gazetteer is None:
        return name
    for s, e, _word, places in gazetteer.find_all(name[:4]):
        if s == 0 and any(p.level == "county" for p in places) and len(name) - e >= 4:
            return name[e:]
    return name


def _gazetteer():
    try:
        from kg.gazetteer import default
    except ImportError:  # pragma: no cover - the gazetteer is another module's concern
        return None
    return default()


def _split_pair(text: str, a: int, b: int) -> list[tuple[int, int]]:
    """``A和B`` → two items when both end with a type suffix (not 申和传感器)."""
    k = text.find("和", a, b)
    if k > a and type_of(text[a:k]) and type_of(text[k + 1 : b]):
        return [(a, k), (k + 1, b)]
    return [(a, b)]


def _clause_projects(text: str, a: int, b: int, gazetteer) -> list:
    body = text[a:b]
    if any(w in body for w in load_words("project_honour_words")):
        return []
    verbs = any(v in body for v in load_words("project_verbs"))
    list_end, list_type, industrial = b, None, False
    m = _LIST_END.search(body)
    if m and any(v in m.group(1) for v in (*load_words("project_verbs"), *load_words("lead_words"))):
        m = None
    if m:
        list_end = a + m.start()
        industrial = "制造业" in m.group(1) or "产业" in m.group(1)
    else:
        m2 = re.search(r"等([^，。；“”]{0,12})", body)
        hit = _suffix_end(text, a + m2.start(), a + m2.end()) if m2 else None
        if m2 and hit:
            list_end, list_type = a + m2.start(), hit[2]
    in_list = list_end < b
    if not (verbs or in_list):
        return []
    out = []
    items = split_items(text, a, list_end, conj="" if list_end < b else "和与")
    if in_list:  # split "A和B" inside a list only when both halves end with a type suffix
        items = [part for ia, ib in items for part in _split_pair(text, ia, ib)]
    found: list[tuple[int, int, str, str] | None] = []
    for ia, ib in items:
        hit = _suffix_end(text, ia, ib)
        if hit:
            e, suffix, typ = hit
            s0 = _lead(text, ia, e - len(suffix))
            de = text.rfind("的", s0, e - len(suffix))
            s0 = de + 1 if de >= 0 else s0
            if e - len(suffix) - s0 < 2:
                found.append(None)
                continue
            seg = _SEGMENT.match(text, e, ib) or _PHASE.match(text, e, ib)
            e = seg.end() if seg else e
            if text.startswith("项目", e):
                e += 2
            if e < ib and text[e] in QUOTE_CHARS:
                e += 1
            found.append((s0, e, typ, ""))
            continue
        s0 = _lead(text, ia, ib)
        if in_list:
            e = ib
            while e > s0 and text[e - 1] in QUOTE_CHARS:
                e -= 1
            typ = type_of(unquote(text[s0:e]), in_list=True)
            kind = typ[1] if typ else (list_type or ("industrial" if industrial else "other"))
            found.append((s0, e, kind, ""))
            continue
        m3 = re.search(r"项目", text[ia:ib])
        s0 = _lead(text, ia, ia + m3.start()) if m3 else s0
        pre = text[s0 : ia + m3.start()] if m3 else ""
        if m3 and len(pre) >= 3 and not any(w in pre for w in load_words("project_generic_words")):
            found.append((s0, ia + m3.end(), "industrial", ""))
        else:
            found.append(None)
    # shared head noun: 城北、衢化、双西港片区 → 城北片区 …
    last = found[-1] if found else None
    if last is not None and not in_list:
        tail_name = canonical_project(unquote(text[last[0] : last[1]]))
        tail = type_of(tail_name)
        if tail and len(tail_name) - len(tail[0]) > 4:
            tail = None
        for k, f in enumerate(found[:-1]):
            ia, ib = items[k]
            s0 = _lead(text, ia, ib)
            own_head = text[ib - 1] in "路街桥园馆站"  # 盈川东路 is already a name
            if f is None and tail and 1 <= ib - s0 <= 4 and is_cjk_name(text[s0:ib], 2) and not own_head:
                found[k] = (s0, ib, tail[1], tail[0])
    for f in found:
        if f is None:
            continue
        s0, e, typ, shared = f
        name = canonical_project(unquote(text[s0:e]) + shared)
        if typ == "industrial" or industrial:
            name = _strip_county(name, gazetteer)
        if _generic(name) or name.startswith(("和", "与", "及")):
            continue
        out.append((s0, e, 1, (name, typ)))
    return out


@register("projects", produces=(KIND,))
def extract_projects(doc: Document) -> Iterator[Mention]:
    """Project mentions of ``doc``, each with a ``type`` attribute."""
    gazetteer = _gazetteer()
    for sentence in doc.sentences:
        text = sentence.text
        found = []
        for a, b in clauses(text):
            found += _clause_projects(text, a, b, gazetteer)
        for item in drop_overlaps([(f[0], f[1], f[2], (*f[3], f[0], f[1])) for f in found]):
            name, typ, s, e = item
            yield mention(doc, sentence, KIND, name, s, e, (("type", typ),))
