"""Policies: named strategies, programmes, actions, reforms, numbered packages and documents.

Five sources, best first when they overlap:

1. the lexicon ``policies.tsv`` (well-known national and provincial policies, with aliases);
2. documents in 《》 whose title ends like a regulation (条例, 规定, 意见 …);
3. numbered packages (``民营经济42条``, ``省“32条”`` borrowing the topic of its neighbour);
4. quoted names, with the head noun that follows (``企业上市“3030”行动``) or bare when their
   shape or list context marks them as a programme (``“一县一园”``, ``“以地养老”…等新模式``);
5. unquoted names closed by a programme head after a governing verb (``深入实施融资畅通工程``).

Level: the lexicon's (when its province is the report's), else a 省/国家/市 marker written in
front, else municipal.
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
    norm_key,
    quoted_spans,
    split_items,
    strip_view,
    unquote,
)
from kg.lexicon import load_table, load_words, split_multi
from kg.model import Document, Mention

KIND = "Policy"
#: A quoted core shaped like a programme: 一县一园, 双招双引, 六治六提, 大排查大起底大整治, 链长制.
_SHAPES = re.compile(
    r"^(?:([一两双三四五六七八九十百千万大])([^、，]{1,3})\1([^、，]{1,4})(?:\1[^、，]{1,4})*"
    r"|[^、，]{1,3}长制)$"
)
#: After a list of quoted items, ``等 … <head>`` makes them all programmes.
_LIST_HEAD = re.compile(r"^等[^，。；、“”]{0,8}?(?:模式|机制|改革|举措|做法|政策|行动|工程)")
_NUMBERED = re.compile(r"(\d+|[一二三四五六七八九十]+项举措)条?")


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
def _heads() -> tuple[tuple[str, str, bool, int], ...]:
    rows = load_table("policy_heads")
    gaps = {"融合": 0, "建设": 0, "攻坚": 0, "机制": 8, "模式": 6, "新模式": 2, "体系": 10}
    out = [(r["head"], r["mode"], r["unquoted"] == "yes", gaps.get(r["head"], 8)) for r in rows]
    return tuple(sorted(out, key=lambda h: len(h[0]), reverse=True))


@cache
def _markers() -> tuple[tuple[str, str], ...]:
    rows = load_table("policy_markers")
    return tuple(sorted(((r["marker"], r["level"]) for r in rows), key=lambda m: -len(m[0])))


def lookup(name: str, province: str | None) -> tuple[str, str] | None:
    """Canonical name and level of a lexicon policy, or None.

    >>> lookup("“千村示范、万村整治”工程", "330000")
    ('千万工程', 'provincial')
    >>> lookup("十大战略", "330000") is None
    True
    """
    forms, _ = _lexicon()
    entry = forms.get(norm_key(name))
    if entry is None:
        stripped, _level = strip_markers(unquote(name))
        entry = forms.get(norm_key(stripped)) if stripped != unquote(name) else None
    if entry is None:
        return None
    canonical, level, home = entry
    if home and province and home != province:
        return None
    return canonical, level


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


def _reject(core: str, before: str, after: str) -> bool:
    if matches_pattern(core, load_words("policy_stopwords")) or core.endswith(_project_suffixes()):
        return True
    if re.search(r"\d+[个家项座所条]$", before):  # a counted facility type or designation
        return True
    if any(after.startswith(w) for w in load_words("policy_reject_after")):
        return True
    return any(before.endswith(w) for w in load_words("policy_reject_before"))


@cache
def _project_suffixes() -> tuple[str, ...]:
    rows = load_table("project_types")
    return tuple(r["suffix"] for r in rows if r["strength"] == "strong") + ("大道",)


def _head_after(text: str, qb: int, end: int) -> tuple[str, str, int] | None:
    """The programme head that follows a closing quote at ``qb``: (head, mode, end)."""
    best = None
    for head, mode, _unq, gap in _heads():
        for j in range(qb, min(end, qb + gap + 1)):
            if text[j] in QUOTE_CHARS or text[j] in "、和与及等" or (text[j] == "的" and mode == "keep"):
                break
            if text.startswith(head, j) and (best is None or j + len(head) > best[2]):
                best = (head, mode, j + len(head))
                break
    return best


def _core_head(core: str) -> bool:
    """A quoted core that ends with its own programme head (“万名农民素质工程”, “三源治理”)."""
    return len(core) >= 4 and (
        core.endswith(("治理", "经验")) or any(core.endswith(h) for h, m, _u, _g in _heads() if m == "keep")
    )


def _quoted(text: str, a: int, b: int, out: list) -> None:
    spans = quoted_spans(text, a, b)
    for n, (qa, qb) in enumerate(spans):
        core = text[qa + 1 : qb - 1]
        if not is_cjk_name(core.replace("+", "加").replace("＋", "加").replace("，", ""), 1):
            continue
        if len(core) > 24:
            continue
        item_a = max([a] + [i + 1 for i in range(a, qa) if text[i] in "、，和与及"])
        before, after = text[a:qa], text[qb:b]
        head = _head_after(text, qb, b)
        if _reject(core, before, "" if head and after.startswith(head[0]) else after):
            continue
        start = after_lead(text, item_a, qa)
        prefix, pre_level = strip_markers(unquote(text[start:qa]), whole=True)
        level = pre_level or _marker_before(text, start)
        keep_prefix = (
            2 <= len(prefix) <= 6
            and len(core) <= 4
            and not any(c in prefix for c in "及和的与、")
            and (item_a == a or text[item_a - 1] not in "、和与及")  # not a list's last item
        )
        if head is not None:
            _head, mode, he = head
            numeric = any(c.isdigit() for c in core) or len(core) <= 2
            if mode == "keep" or (numeric and _head != "建设"):
                name = (prefix if keep_prefix and mode == "keep" else "") + core + text[qb:he]
                span_a = start if keep_prefix and mode == "keep" else qa
                if not matches_pattern(name, load_words("policy_stopwords")):
                    out.append((span_a, he, 3, name, level))
            else:
                out.append((qa, qb, 2, core, level))
            continue
        if _core_head(core):
            out.append((start if keep_prefix else qa, qb, 2, (prefix if keep_prefix else "") + core, level))
            continue
        # list context: “A”、“B”等新模式 (look past the following quoted items)
        k = n
        while k + 1 < len(spans) and text[spans[k][1] : spans[k + 1][0]] in ("", "、"):
            k += 1
        listed = bool(_LIST_HEAD.match(text[spans[k][1] : b]))
        if listed or _SHAPES.match(core):
            out.append((qa, qb, 1, core, level))


def _unquoted(text: str, a: int, b: int, out: list) -> None:
    stop = load_words("policy_stopwords")
    blockers = tuple(load_words("policy_head_blockers"))
    for head, _mode, unquoted, _gap in _heads():
        if not unquoted:
            continue
        for m in re.finditer(re.escape(head), text[a:b]):
            hs, he = a + m.start(), a + m.end()
            if hs > a and text[hs - 1] in QUOTE_CHARS or text.startswith(blockers, he):
                continue
            if hs > a and text[hs - 1] == "等":  # 技能人才共富能力提升、农民素质提升促共富等行动
                for ia, ib in split_items(text, a, hs - 1, conj=""):
                    s0 = after_lead(text, ia, ib)
                    name = text[s0:ib] + head
                    if is_cjk_name(text[s0:ib], 4) and not matches_pattern(name, stop):
                        out.append((s0, ib, 1, name, _marker_before(text, s0)))
                continue
            item_a = max([a] + [i + 1 for i in range(a, hs) if text[i] in "、"])
            start = after_lead(text, item_a, hs)
            if start == item_a:  # an unquoted name needs a governing verb in front
                continue
            name, level = strip_markers(text[start:he], levels_only=True)
            pre = name[: -len(head)]
            if not (4 <= len(pre) <= 18) or any(c in QUOTE_CHARS for c in text[start:he]):
                continue
            if not is_cjk_name(pre, 4) or re.match(r"^\d|^[一二三四五六七八九十]+[个项]", pre):
                continue
            if matches_pattern(name, stop) or name.endswith(_project_suffixes()):
                continue
            out.append((start, he, 1, name, level or _marker_before(text, start)))


def _packages(text: str, a: int, b: int, out: list) -> None:
    view, idx = strip_view(text[a:b])
    topic = ""
    for ia, ib in split_items(view, 0, len(view), conj="和与及"):
        m = re.search(r"(\d+)条$|([一二三四五六七八九十]+项举措)$", view[ia:ib])
        if not m:
            continue
        start = after_lead(view, ia, ia + m.start())
        pre, level = strip_markers(view[start : ia + m.start()], whole=True)
        if pre.endswith("国家"):
            pre, level = pre[:-2], "national"
        last = a + idx[ib - 1] + 1
        quoted = last < len(text) and text[last] in QUOTE_CHARS
        if pre and not (quoted or pre.endswith(tuple(load_words("policy_package_topics")))):
            continue
        if not pre:
            if not topic or not level:
                continue
            pre = topic
        topic = re.sub(r"[省市]$|国家$", "", pre)
        name = pre + view[ia + m.start() : ib]
        s, e = a + idx[start], a + idx[ib - 1] + 1
        if text[e : e + 1] in QUOTE_CHARS:
            e += 1
        out.append((s, e, 2, name, level or _marker_before(text, s)))


def _documents(text: str, out: list) -> None:
    suffixes = tuple(load_words("policy_document_suffixes"))
    for m in re.finditer(r"《([^《》]{2,40})》", text):
        title = m.group(1)
        if title.endswith(suffixes):
            level = "national" if title.startswith(("中华人民共和国", "国务院", "国家")) else (
                "provincial" if re.match(r"^..省|^省", title) else "municipal")
            out.append((m.start(1), m.end(1), 3, title, level))


def _lexicon_hits(text: str, out: list) -> None:
    forms, pattern = _lexicon()
    if pattern is None:
        return
    view, idx = strip_view(text)
    for m in pattern.finditer(view):
        name, level, home = forms[norm_key(m.group(0))]
        s, e = idx[m.start()], idx[m.end() - 1] + 1
        if e < len(text) and text[e] in "”’」』" and s > 0 and text[s - 1] in "“‘「『":
            s, e = s - 1, e + 1
        out.append((s, e, 3, name, level, home))


def _candidates(text: str) -> list:
    out: list = []
    _lexicon_hits(text, out)
    _documents(text, out)
    for a, b in clauses(text):
        _packages(text, a, b, out)
        _quoted(text, a, b, out)
        _unquoted(text, a, b, out)
    return out


@register("policies", produces=(KIND,))
def extract_policies(doc: Document) -> Iterator[Mention]:
    """Policy mentions of ``doc``, each with a ``level`` attribute."""
    province = doc.city.parent if doc.city is not None else None
    for sentence in doc.sentences:
        text = sentence.text
        found = []
        for cand in _candidates(text):
            s, e, prio, name, level = cand[:5]
            if len(cand) == 6 and cand[5] and province and cand[5] != province:
                prio, level = 1, _marker_before(text, s)  # another province's programme
            else:
                known = lookup(name, province)
                if known is not None:
                    name, level = known
            if len(unquote(name)) < 2:
                continue
            found.append((s, e, prio, (unquote(name), level or "municipal")))
        for name, level, s, e in drop_overlaps([(f[0], f[1], f[2], (*f[3], f[0], f[1])) for f in found]):
            yield mention(doc, sentence, KIND, name, s, e, (("level", level),))
