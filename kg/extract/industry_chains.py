"""Industry chains: chains, clusters and priority industries the text names as such.

One function per rule:

* ``collective``: collective designations (``<N>大<modifier>产业链``);
* ``quoted_head``: a quoted core before an industry head (``“5+5”产业``, ``“<number>”<modifier>产业链``);
* ``members``: the members of a list closed by an industry head (``A、B、C等未来产业``;
  ``A、B、……、C产业`` with a shared head; ``A、B、C全产业链``);
* ``named_head``: ``<X><head>`` naming one chain (``<X>产业`` growing a chain: ``推动<X>产业
  建链延链``; ``<sector>产业`` → the sector).

Heads are in ``industry_heads.tsv``; known sector names and aliases in ``industry_chains.tsv``.
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
    split_items,
    unquote,
)
from kg.lexicon import load_table, load_words, split_multi
from kg.model import Document, Mention, Sentence

KIND = "IndustryChain"
RULES = ("collective", "quoted_head", "members", "named_head")
#: After "<X>产业", words that show the text is growing a chain (建链延链, 全链融合 …).
_CHAIN_WORDS = re.compile(r"(?:的)?(?:[建延补强全]链|集群|组链|链式|全链|$)")
#: A count of chains: 六大, 5个, 八个, 十条 (digits or Chinese numerals, then 大/个/条; not one).
_NUMBER = r"(?:(?<![0-9])(?!1个)[0-9]{1,2}个|(?!一[大个条])[一二三四五六七八九十两]{1,2}[大个条])"
#: <count><modifier>产业(链|集群), not a count of an industry's plans, platforms, parks, bases,
#: funds or projects (五大产业基地 counts bases).
_COLLECTIVE = re.compile(_NUMBER + r"[^，、。；“”大个]{0,6}?(?:产业链|产业集群|产业)"
                         r"(?!三年|行动|计划|工程|平台|园|基地|基金|项目|集聚区)")
_COUNT = re.compile(r"[一二三四五六七八九十两]大")
#: A list's last item ends with the count and modifiers of the collective (甲5个百亿级).
_COUNT_END = re.compile(_NUMBER + r"[\u4e00-\u9fff]{0,5}$")
_ZONE = re.compile(r".*?(?:新城|园区|开发区|高新区|经开区)")
_GROW = ("做大做强", "培育壮大", "发展壮大", "做强", "培育")
_CANON_TAILS = ("全链条产业", "全产业链", "产业链", "产业")
#: A list closed by 等 and a modifier before the head (A、B等先进制造业, “X”特色产业链), or by
#: 等为代表的 / 等为主的 (以A、B等为代表的<modifier>产业: A and B are examples of the chain).
_LISTED = re.compile(r"等(为(?:代表|主|重点|核心|龙头|主导)的)?([\u4e00-\u9fff]{0,6})$")
_QUOTED_MODIFIER = re.compile(r"[”’」』]([\u4e00-\u9fff]{1,4})$")


def _lead(text: str, a: int, b: int) -> int:
    return after_lead(text, a, b, extra=load_words("industry_lead_words"))


@cache
def _heads() -> tuple[tuple[str, str], ...]:
    rows = load_table("industry_heads")
    return tuple(sorted(((r["head"], r["role"]) for r in rows), key=lambda h: -len(h[0])))


@cache
def _head_automaton() -> ahocorasick.Automaton:
    auto = ahocorasick.Automaton()
    for order, (head, role) in enumerate(_heads()):
        auto.add_word(head, (order, head, role))
    auto.make_automaton()
    return auto


@cache
def _sectors() -> dict[str, str]:
    out: dict[str, str] = {}
    for row in load_table("industry_chains"):
        for form in (row["name"], *split_multi(row.get("aliases", ""))):
            out.setdefault(norm_key(form), row["name"])
    return out


@cache
def _sector_tails() -> tuple[str, ...]:
    return tuple(_sectors())


def canonical_chain(name: str) -> str:
    """Canonical chain name: lexicon alias, or ``<X>产业`` → X when X ends with a known sector.

    >>> canonical_chain("涂料新材料产业"), canonical_chain("海洋康养产业")
    ('涂料新材料', '海洋康养产业')
    """
    name = unquote(name).strip()
    known = _sectors().get(norm_key(name))
    if known:
        return known
    for tail in _CANON_TAILS:
        if name.endswith(tail) and len(name) > len(tail) + 1:
            base = name[: -len(tail)]
            if base.endswith(_sector_tails()):
                return base
    return name


def _stop(name: str) -> bool:
    return matches_pattern(name, load_words("industry_stopwords"))


def _member_ok(name: str) -> bool:
    return 2 <= len(name) <= 10 and is_cjk_name(name, 2) and not _stop(name) \
        and not re.search(r"\d|的|\+$", name)  # a count, a description, an "X+" slogan


def _collective(text: str, a: int, b: int) -> list[Candidate]:
    """Rule ``collective``: ``<N>大<X>产业链``, ``<N>个<X>产业集群``, ``<N>大<X>产业``."""
    return [Candidate(m.start(), m.end(), 3, m.group(0), "collective")
            for m in _COLLECTIVE.finditer(text, a, b)]


def _quoted_head(text: str, a: int, hs: int, he: int, role: str) -> list[Candidate]:
    """Rule ``quoted_head``: ``“<core>”<head>``."""
    qa = text.rfind("“", a, hs - 1)
    core = text[qa + 1 : hs - 1]  # hs - 1 is the closing quote
    if qa >= 0 and role in ("named", "both") and not _stop(core) and not core.endswith("+"):
        return [Candidate(qa, he, 3, unquote(text[qa:he]), "quoted_head")]
    return []


def _is_place(name: str) -> bool:
    try:
        from kg.gazetteer import default
    except ImportError:  # pragma: no cover - the gazetteer is another module's concern
        return False
    return bool(default().lookup(name))


def _numbered_quote(text: str, a: int, qb: int) -> bool:
    """The quote closing at ``qb`` holds a numbered designation (“1315”, “8+1”)."""
    qa = text.rfind("“", a, qb)
    return qa >= 0 and any(c.isdigit() for c in text[qa:qb])


def _members(text: str, items: list[tuple[int, int]]) -> list[Candidate]:
    """Rule ``members``: each item of a list closed by the head."""
    out = []
    for ia, ib in items:
        ia = _lead(text, ia, ib)
        count = _COUNT_END.search(text, ia, ib)
        ib = count.start() if count else ib
        name = canonical_chain(text[ia:ib])
        if _member_ok(name) and not _is_place(name):  # 甲县、乙县等…产业: places, not chains
            out.append(Candidate(ia, ib, 2, name, "members"))
    return out


def _named_head(text: str, a: int, b: int, item: tuple[int, int], he: int,
                role: str) -> list[Candidate]:
    """Rule ``named_head``: the last item plus the head names one chain."""
    ia, ib = item
    ia = _lead(text, ia, ib)
    zone = _ZONE.match(text, ia, ib)
    ia = zone.end() if zone else ia
    name = text[ia:he]
    grow = text[max(a, ia - 4) : ia].endswith(_GROW)
    if role == "both" and not (_CHAIN_WORDS.match(text, he, b) or grow):
        return []
    if _COUNT.match(name) or "+" in name or re.search(r"\d", name):
        return []
    if 2 <= ib - ia <= 10 and is_cjk_name(name, 4) and "的" not in name and not _stop(name):
        return [Candidate(ia, he, 1, canonical_chain(name), "named_head")]
    return []


def _clause_candidates(text: str, a: int, b: int) -> list[Candidate]:
    out = _collective(text, a, b)
    # Longer heads claim their span first (产业 inside 未来产业 is not a head of its own).
    hits = sorted(((v[0], last + 1 - len(v[1]), last + 1, v[1], v[2])
                   for last, v in _head_automaton().iter(text, a, b)))
    taken: list[tuple[int, int]] = []
    for _order, hs, he, head, role in hits:
        if any(x < he and hs < y for x, y in taken):
            continue
        taken.append((hs, he))
        if hs > a and text[hs - 1] in QUOTE_CHARS:
            out += _quoted_head(text, a, hs, he, role)
            continue
        modified = _QUOTED_MODIFIER.search(text, a, hs)
        if modified and head in ("产业链", "产业集群") and _numbered_quote(text, a, modified.start()):
            out += _quoted_head(text, a, modified.start() + 1, he, role)
            continue
        listed_m = _LISTED.search(text, a, hs)
        if listed_m and listed_m.group(1):  # 以A、B等为代表的<X>产业: the chain is <X>产业
            ms = listed_m.start(2)
            if listed_m.group(2) and is_cjk_name(text[ms:he], 4) and not _stop(text[ms:he]):
                out.append(Candidate(ms, he, 1, canonical_chain(text[ms:he]), "named_head"))
            continue
        listed = listed_m is not None
        end = listed_m.start() if listed_m else hs
        start = _lead(text, max([a] + [y for x, y in taken if y <= hs]), end)
        items = split_items(text, start, end, conj="和与")
        if head == "产业" and not (listed or _CHAIN_WORDS.match(text, he, b)) or any(
            c in QUOTE_CHARS for c in text[start:end]
        ):
            continue
        counted = bool(items) and _COUNT_END.search(text, *items[-1]) is not None
        if role in ("members", "both") and (listed or len(items) >= 3) or (
                counted and len(items) >= 2):  # A、B、C5个…产业集群: members, whatever the head
            out += _members(text, items)
        elif role in ("named", "both") and items:
            out += _named_head(text, a, b, items[-1], he, role)
    return out


def candidates(doc: Document) -> list[tuple[Sentence, Candidate]]:
    """The chosen (non-overlapping) candidates of each sentence, with the rule that found them."""
    out = []
    for sentence in doc.sentences:
        text = sentence.text
        found = [c for a, b in clauses(text) for c in _clause_candidates(text, a, b)]
        out += [(sentence, c) for c in drop_overlaps(found)]
    return out


@register("industry_chains", produces=(KIND,))
def extract_industry_chains(doc: Document) -> Iterator[Mention]:
    """IndustryChain mentions of ``doc``."""
    for sentence, cand in candidates(doc):
        yield mention(doc, sentence, KIND, cand.name, cand.start, cand.end)
