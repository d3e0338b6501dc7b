"""Industry chains: chains, clusters and priority industries the text names as such.

One function per rule:

* ``collective``: collective designations (``六大标志性产业链``, ``八大特色产业链``);
* ``quoted_head``: a quoted core before an industry head (``“5+5”产业``, ``“1315”特色产业链``);
* ``members``: the members of a list closed by an industry head (``A、B、C等未来产业``;
  ``A、B、……、C产业`` with a shared head; ``A、B、C全产业链``);
* ``named_head``: ``<X><head>`` naming one chain (``<X>产业`` growing a chain: ``推动<X>产业
  建链延链``; ``<X>全链条产业`` → X).

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
_COLLECTIVE = re.compile(r"[一二三四五六七八九十两]大[^，、。；“”大]{0,6}?产业链(?!三年|行动|计划|工程)")
_COUNT = re.compile(r"[一二三四五六七八九十两]大")
_COUNT_END = re.compile(r"[一二三四五六七八九十两]大$")
_ZONE = re.compile(r".*?(?:新城|园区|开发区|高新区|经开区)")
_GROW = ("做大做强", "培育壮大", "发展壮大", "做强", "培育")
_CANON_TAILS = ("全链条产业", "全产业链", "产业链", "产业")


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

    >>> canonical_chain("化工新材料产业"), canonical_chain("中医药大健康产业")
    ('化工新材料', '中医药大健康产业')
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
        and not re.search(r"\d", name)


def _collective(text: str, a: int, b: int) -> list[Candidate]:
    """Rule ``collective``: ``<N>大<X>产业链``."""
    return [Candidate(m.start(), m.end(), 3, m.group(0), "collective")
            for m in _COLLECTIVE.finditer(text, a, b)]


def _quoted_head(text: str, a: int, hs: int, he: int, role: str) -> list[Candidate]:
    """Rule ``quoted_head``: ``“<core>”<head>``."""
    qa = text.rfind("“", a, hs - 1)
    if qa >= 0 and role in ("named", "both") and not _stop(text[qa + 1 : hs - 1]):
        return [Candidate(qa, he, 3, unquote(text[qa:he]), "quoted_head")]
    return []


def _members(text: str, items: list[tuple[int, int]]) -> list[Candidate]:
    """Rule ``members``: each item of a list closed by the head."""
    out = []
    for ia, ib in items:
        ia = _lead(text, ia, ib)
        count = _COUNT_END.search(text, ia, ib)
        ib = count.start() if count else ib
        name = canonical_chain(text[ia:ib])
        if _member_ok(name):
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
    if _COUNT.match(name) or "+" in name:
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
        listed = hs > a and text[hs - 1] == "等"
        end = hs - 1 if listed else hs
        start = _lead(text, max([a] + [y for x, y in taken if y <= hs]), end)
        items = split_items(text, start, end, conj="和")
        if head == "产业" and not _CHAIN_WORDS.match(text, he, b) or any(
            c in QUOTE_CHARS for c in text[start:end]
        ):
            continue
        if role in ("members", "both") and (listed or len(items) >= 3):
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
