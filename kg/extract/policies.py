"""Policies: named strategies, programmes, actions, reforms, numbered packages and documents.

One function per rule, best first when they overlap:

1. ``lexicon``: the lexicon ``policies.tsv`` (well-known national and provincial policies, with
   aliases);
2. ``document``: documents in 《》 whose title ends like a regulation (条例, 规定, 意见 …);
3. ``package``: numbered packages (``<topic>42条``; a bare ``省“15条”`` borrows the topic of
   its neighbour);
4. quoted names: ``quoted_head`` with the head noun that follows (``<modifier>“3030”行动``),
   ``quoted_core_head`` when the quote holds its own head (``“<X>工程”``), ``quoted_shape`` /
   ``quoted_list`` bare when their shape or list context marks them as a programme
   (``“一县一园”``, ``“A”、“B”等新模式``);
5. unquoted names closed by a programme head: ``unquoted_head`` after a governing verb
   (``深入实施<X>工程``), ``unquoted_list`` for the items of ``A、B等行动``.

Canonical names and levels are in :mod:`kg.extract.policy_names` (:func:`policy_level`: the
lexicon's, else a 省/国家/市 marker, else national for a widespread name, else municipal).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache

import ahocorasick

from kg.extract import register
from kg.extract.names import (
    QUOTE_CHARS,
    Candidate,
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
from kg.extract.policy_names import (
    _lexicon,
    _marker_before,
    canonical_policy,
    lookup,
    strip_markers,
    unmarked_level,
)
from kg.lexicon import load_table, load_words
from kg.model import Document, Mention, Sentence

KIND = "Policy"
RULES = ("lexicon", "document", "package", "quoted_head", "quoted_core_head", "quoted_shape",
         "quoted_list", "unquoted_head", "unquoted_list")
#: A quoted core shaped like a programme: 一X一Y, 双X双Y, 三X三Y, 大X大Y大Z, <X>长制.
_SHAPES = re.compile(
    r"^(?:([一两双三四五六七八九十百千万大])([^、，]{1,3})\1([^、，]{1,4})(?:\1[^、，]{1,4})*"
    r"|[^、，]{1,3}长制)$"
)
#: After a list of quoted items, ``等 … <head>`` makes them all programmes.
_LIST_HEAD = re.compile(r"^等[^，。；、“”]{0,8}?(?:模式|机制|改革|举措|做法|政策|行动|工程)")
_PACKAGE = re.compile(r"(\d+)条$|([一二三四五六七八九十]+项举措)$")
_DOCUMENT = re.compile(r"《([^《》]{2,40})》")
_COUNTED_BEFORE = re.compile(r"\d+[个家项座所条]$")  # a counted facility type or designation
_COUNTED_NAME = re.compile(r"^\d|^[一二三四五六七八九十]+[个项]|\d+[个项]")
#: An honour or trophy (<X>鼎, <X>杯, 一等奖) is not a policy.
_HONOUR = re.compile(r"[鼎杯奖]$")
#: A five-year plan period (十四五, 十X五规划) names a time, not a programme.
_PLAN_PERIOD = re.compile(r"^十[一二三四五六七八九]?五(?:规划|时期|期间)?$")
#: How far after a closing quote a head may stand (“<X>”<modifier>机制): default 8.
_GAPS = {"融合": 0, "建设": 0, "攻坚": 0, "机制": 8, "模式": 6, "新模式": 2, "体系": 10}
_MAX_GAP = max((8, *_GAPS.values()))
#: Characters of a quoted core that is only a figure (“四五六”, “7+3”, “2＋6”).
_NUMERIC_CORE = frozenset("0123456789０１２３４５６７８９一二两三四五六七八九十百千万个+＋")


@cache
def _heads() -> tuple[tuple[str, str, bool, int], ...]:
    rows = load_table("policy_heads")
    out = [(r["head"], r["mode"], r["unquoted"] == "yes", _GAPS.get(r["head"], 8)) for r in rows]
    return tuple(sorted(out, key=lambda h: len(h[0]), reverse=True))


@cache
def _head_automaton() -> ahocorasick.Automaton:
    """The heads that close an unquoted name."""
    auto = ahocorasick.Automaton()
    for order, (head, _mode, unquoted, _gap) in enumerate(_heads()):
        if unquoted:
            auto.add_word(head, (order, head))
    auto.make_automaton()
    return auto


@cache
def _project_suffixes() -> tuple[str, ...]:
    rows = load_table("project_types")
    return tuple(r["suffix"] for r in rows if r["strength"] == "strong") + ("大道",)


def _stop(name: str) -> bool:
    return bool(_PLAN_PERIOD.match(name) or _HONOUR.search(name)) or matches_pattern(
        name, load_words("policy_stopwords"))


def _reject(core: str, before: str, after: str) -> bool:
    if _stop(core) or core.endswith(_project_suffixes()) or _COUNTED_BEFORE.search(before):
        return True
    if after.startswith(load_words("policy_reject_after")):
        return True
    return before.endswith(load_words("policy_reject_before"))


def _head_after(text: str, qb: int, end: int) -> tuple[str, str, int] | None:
    """The programme head that follows a closing quote at ``qb``: (head, mode, end).

    Each head may stand up to its gap after the quote, not past another quote or a list
    separator (nor past 的 for a head that joins the name); the furthest-reaching head wins.
    """
    best, seen, keep_blocked = None, set(), False
    by_first = _heads_by_first_char()
    for j in range(qb, min(end, qb + _MAX_GAP + 1)):
        c = text[j]
        if c in QUOTE_CHARS or c in "、和与及等":
            break
        keep_blocked = keep_blocked or c == "的"
        for head, mode, gap in by_first.get(c, ()):
            if head in seen or j - qb > gap or (keep_blocked and mode == "keep"):
                continue
            if text.startswith(head, j):
                seen.add(head)
                if best is None or j + len(head) > best[2]:
                    best = (head, mode, j + len(head))
    return best


def numeric_core_end(text: str, a: int, b: int) -> int:
    """Where a policy named by the quoted core ``text[a:b]`` ends: after the programme head that
    follows the quote when the core is only numerals (“四五六”工作机制: the figures alone do
    not say what the policy is, so the head is part of its name), else ``b``.

    >>> text = "落实“四五六”工作机制要求"
    >>> text[3:numeric_core_end(text, 3, 6)]
    '四五六”工作机制'
    """
    if b > a and text[b - 1] in QUOTE_CHARS:
        qb = b
    elif b < len(text) and text[b] in QUOTE_CHARS:
        qb = b + 1
    else:
        return b  # not a quoted core
    core = unquote(text[a:b])
    if not core or any(c not in _NUMERIC_CORE for c in core):
        return b
    head = _head_after(text, qb, len(text))
    return head[2] if head is not None and head[0] != "建设" else b


def programme_head(name: str) -> str:
    """The longest programme head kept in names (``policy_heads.tsv``, mode ``keep``) that
    ``name`` ends with and is more than, or ``""``.

    >>> programme_head("甲乙专项行动"), programme_head("甲乙")
    ('专项行动', '')
    """
    return next((h for h, mode, _u, _g in _heads()
                 if mode == "keep" and name.endswith(h) and len(name) > len(h)), "")


@cache
def _heads_by_first_char() -> dict[str, tuple[tuple[str, str, int], ...]]:
    out: dict[str, list[tuple[str, str, int]]] = {}
    for head, mode, _unquoted, gap in _heads():
        out.setdefault(head[0], []).append((head, mode, gap))
    return {c: tuple(hs) for c, hs in out.items()}


def _core_head(core: str) -> bool:
    """A quoted core that ends with its own programme head (“<X>素质工程”, “<X>治理”)."""
    return len(core) >= 4 and (
        core.endswith(("治理", "经验")) or any(core.endswith(h) for h, m, _u, _g in _heads() if m == "keep")
    )


def _quoted(text: str, a: int, b: int) -> list[Candidate]:
    """Rules ``quoted_head``, ``quoted_core_head``, ``quoted_shape`` and ``quoted_list``."""
    out = []
    spans = quoted_spans(text, a, b)
    for n, (qa, qb) in enumerate(spans):
        core = text[qa + 1 : qb - 1]
        if not is_cjk_name(core.replace("+", "加").replace("＋", "加").replace("，", ""), 1):
            continue
        if len(core) > 24 or len(unquote(core)) < 2 and not core.isdigit():
            continue  # one quoted character is a slogan word (“稳”字当头), not a name
        item_a = max([a] + [i + 1 for i in range(a, qa) if text[i] in "、，和与及"])
        before, after = text[a:qa], text[qb:b]
        head = _head_after(text, qb, b)
        if _reject(core, before, "" if head and after.startswith(head[0]) else after):
            continue
        start = after_lead(text, item_a, qa)
        prefix, pre_level = strip_markers(unquote(text[start:qa]), whole=True)
        level = (("level", pre_level or _marker_before(text, start)),)
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
                with_prefix = keep_prefix and mode == "keep"
                name = (prefix if with_prefix else "") + core + text[qb:he]
                if not _stop(name):
                    out.append(Candidate(start if with_prefix else qa, he, 3, name, "quoted_head", level))
            else:
                out.append(Candidate(qa, qb, 2, core, "quoted_head", level))
            continue
        if _core_head(core):
            name = (prefix if keep_prefix else "") + core
            out.append(Candidate(start if keep_prefix else qa, qb, 2, name, "quoted_core_head", level))
            continue
        # list context: “A”、“B”等新模式 (look past the following quoted items)
        k = n
        while k + 1 < len(spans) and text[spans[k][1] : spans[k + 1][0]] in ("", "、"):
            k += 1
        if _LIST_HEAD.match(text[spans[k][1] : b]):
            out.append(Candidate(qa, qb, 1, core, "quoted_list", level))
        elif _SHAPES.match(core):
            out.append(Candidate(qa, qb, 1, core, "quoted_shape", level))
    return out


def _unquoted(text: str, a: int, b: int) -> list[Candidate]:
    """Rules ``unquoted_head`` and ``unquoted_list``."""
    out = []
    blockers = load_words("policy_head_blockers")
    for last, (_order, head) in sorted(_head_automaton().iter(text, a, b), key=lambda h: h[1][0]):
        he = last + 1
        hs = he - len(head)
        if hs > a and text[hs - 1] in QUOTE_CHARS or text.startswith(blockers, he) \
                or text.startswith(blockers, hs):
            continue
        if hs > a and text[hs - 1] == "等":
            out += _unquoted_list(text, a, hs - 1, head)
            continue
        cand = _unquoted_head(text, a, hs, he, head)
        if cand is not None:
            out.append(cand)
    return out


def _unquoted_list(text: str, a: int, b: int, head: str) -> list[Candidate]:
    """Rule ``unquoted_list``: ``A、B等<head>`` → A<head>, B<head>."""
    out = []
    for ia, ib in split_items(text, a, b, conj=""):
        s0 = after_lead(text, ia, ib)
        name = text[s0:ib] + head
        if is_cjk_name(text[s0:ib], 4) and not _stop(name):
            out.append(Candidate(s0, ib, 1, name, "unquoted_list",
                                 (("level", _marker_before(text, s0)),)))
    return out


#: Parts of speech no name opens with: particles (了, 等, 的). Not conjunctions or
#: prepositions: 和 and 与 open names too (和美乡村, 与民同行).


def _opens_with_function_word(name: str) -> bool:
    """True when ``name`` opens with a particle: the governing verb was missed and the
    clause's grammar came in (了一系列…行动, 等…工程).

    >>> _opens_with_function_word("了一批专项行动"), _opens_with_function_word("和美乡村建设行动")
    (True, False)
    """
    from kg.extract.features import part_of_speech, tokenizer

    first = tokenizer().lcut(name, HMM=False)[0]
    return part_of_speech(first).startswith("u")


def _unquoted_head(text: str, a: int, hs: int, he: int, head: str) -> Candidate | None:
    """Rule ``unquoted_head``: ``<governing verb><name><head>``."""
    item_a = max([a] + [i + 1 for i in range(a, hs) if text[i] == "、"])
    start = after_lead(text, item_a, hs)
    if start == item_a:  # an unquoted name needs a governing verb in front
        return None
    name, level = strip_markers(text[start:he], levels_only=True)
    pre = name[: -len(head)]
    if not (4 <= len(pre) <= 18) or any(c in QUOTE_CHARS for c in text[start:he]):
        return None
    if not is_cjk_name(pre, 4) or _COUNTED_NAME.match(pre):
        return None
    if _stop(name) or name.endswith(_project_suffixes()) or _opens_with_function_word(name):
        return None
    return Candidate(start, he, 1, name, "unquoted_head",
                     (("level", level or _marker_before(text, start)),))


def _packages(text: str, a: int, b: int) -> list[Candidate]:
    """Rule ``package``: ``<topic>N条`` / ``<topic>N项举措``; a bare one borrows the topic."""
    out: list[Candidate] = []
    if text.find("条", a, b) < 0 and text.find("项举措", a, b) < 0:
        return out
    view, idx = strip_view(text[a:b])
    topic = ""
    for ia, ib in split_items(view, 0, len(view), conj="和与及"):
        m = _PACKAGE.search(view, ia, ib)
        if not m:
            continue
        start = after_lead(view, ia, m.start())
        pre, level = strip_markers(view[start : m.start()], whole=True)
        if pre.endswith("国家"):
            pre, level = pre[:-2], "national"
        last = a + idx[ib - 1] + 1
        quoted = last < len(text) and text[last] in QUOTE_CHARS
        if pre and not (quoted or pre.endswith(load_words("policy_package_topics"))):
            continue
        if not pre:
            if not topic or not level:
                continue
            pre = topic
        topic = re.sub(r"[省市]$|国家$", "", pre)
        name = pre + view[m.start() : ib]
        s, e = a + idx[start], a + idx[ib - 1] + 1
        if text[e : e + 1] in QUOTE_CHARS:
            e += 1
        out.append(Candidate(s, e, 2, name, "package",
                             (("level", level or _marker_before(text, s)),)))
    return out


def _documents(text: str) -> list[Candidate]:
    """Rule ``document``: a title in 《》 ending like a regulation or plan."""
    out = []
    suffixes = load_words("policy_document_suffixes")
    for m in _DOCUMENT.finditer(text):
        title = m.group(1)
        if title.endswith(suffixes):
            level = "national" if title.startswith(("中华人民共和国", "国务院", "国家")) else (
                "provincial" if re.match(r"^..省|^省", title) else "municipal")
            out.append(Candidate(m.start(1), m.end(1), 3, title, "document", (("level", level),)))
    return out


def _lexicon_hits(text: str, province: str | None) -> list[Candidate]:
    """Rule ``lexicon``; another province's programme keeps only the level written before it."""
    forms, pattern = _lexicon()
    if pattern is None:
        return []
    out = []
    view, idx = strip_view(text)
    for m in pattern.finditer(view):
        name, level, home = forms[norm_key(m.group(0))]
        s, e = idx[m.start()], idx[m.end() - 1] + 1
        if e < len(text) and text[e] in "”’」』" and s > 0 and text[s - 1] in "“‘「『":
            s, e = s - 1, e + 1
        if home and province and home != province:
            out.append(Candidate(s, e, 1, name, "lexicon", (("level", _marker_before(text, s)),)))
        else:
            out.append(Candidate(s, e, 3, name, "lexicon", (("level", level),)))
    return out


def _sentence_candidates(text: str, province: str | None) -> list[Candidate]:
    found = _lexicon_hits(text, province) + _documents(text)
    for a, b in clauses(text):
        found += _packages(text, a, b) + _quoted(text, a, b) + _unquoted(text, a, b)
    out = []
    for cand in found:
        name, level = unquote(cand.name), cand.attr("level")
        if cand.rule != "lexicon":
            known = lookup(name, province)
            if known is not None:
                name, level = known
        if "的" in name and cand.rule not in ("document", "lexicon", "quoted_head"):
            continue  # a description (具有<X>的工程), not a name
        if len(name) >= 2:
            out.append(Candidate(cand.start, cand.end, cand.priority, canonical_policy(name),
                                 cand.rule, (("level", level or unmarked_level(name, province)),)))
    return drop_overlaps(out)


def candidates(doc: Document) -> list[tuple[Sentence, Candidate]]:
    """The chosen (non-overlapping) candidates of each sentence, with the rule that found them."""
    province = doc.city.parent if doc.city is not None else None
    return [(s, c) for s in doc.sentences for c in _sentence_candidates(s.text, province)]


@register("policies", produces=(KIND,))
def extract_policies(doc: Document) -> Iterator[Mention]:
    """Policy mentions of ``doc``, each with a ``level`` attribute."""
    for sentence, cand in candidates(doc):
        yield mention(doc, sentence, KIND, cand.name, cand.start, cand.end, cand.attrs)
