"""Industry chains: chains, clusters and priority industries the text names as such.

* collective designations: ``六大标志性产业链``, ``“5+5”产业``, ``“1315”特色产业链``,
  ``生态工业主导产业``;
* the members of a list closed by an industry head: ``新型储能、智慧交通、元宇宙等未来产业``,
  ``新材料、新能源、……、特种纸产业`` (shared head), ``双柚、油茶、茶叶全产业链``;
* ``<X>产业`` growing chains (``推动新型涉水产业建链延链``; ``半导体全链条产业`` → 半导体).

Heads are in ``industry_heads.tsv``; known sector names and aliases in ``industry_chains.tsv``.
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
    split_items,
    unquote,
)
from kg.lexicon import load_table, load_words, split_multi
from kg.model import Document, Mention

KIND = "IndustryChain"
#: After "<X>产业", words that show the text is growing a chain (建链延链, 全链融合 …).
_CHAIN_WORDS = re.compile(r"(?:的)?(?:[建延补强全]链|集群|组链|链式|全链|$)")
_COLLECTIVE = re.compile(r"[一二三四五六七八九十两]大[^，、。；“”大]{0,6}?产业链(?!三年|行动|计划|工程)")
_ZONE = re.compile(r".*?(?:新城|园区|开发区|高新区|经开区)")
_GROW = ("做大做强", "培育壮大", "发展壮大", "做强", "培育")


def _lead(text: str, a: int, b: int) -> int:
    return after_lead(text, a, b, extra=load_words("industry_lead_words"))


@cache
def _heads() -> tuple[tuple[str, str], ...]:
    rows = load_table("industry_heads")
    return tuple(sorted(((r["head"], r["role"]) for r in rows), key=lambda h: -len(h[0])))


@cache
def _sectors() -> dict[str, str]:
    out: dict[str, str] = {}
    for row in load_table("industry_chains"):
        for form in (row["name"], *split_multi(row.get("aliases", ""))):
            out.setdefault(norm_key(form), row["name"])
    return out


def canonical_chain(name: str) -> str:
    """Canonical chain name: lexicon alias, or ``<X>产业`` → X when X ends with a known sector.

    >>> canonical_chain("化工新材料产业"), canonical_chain("中医药大健康产业")
    ('化工新材料', '中医药大健康产业')
    """
    name = unquote(name).strip()
    known = _sectors().get(norm_key(name))
    if known:
        return known
    for tail in ("全链条产业", "全产业链", "产业链", "产业"):
        if name.endswith(tail) and len(name) > len(tail) + 1:
            base = name[: -len(tail)]
            if any(base.endswith(s) for s in _sectors()):
                return base
    return name


def _member_ok(name: str) -> bool:
    return (
        2 <= len(name) <= 10
        and is_cjk_name(name, 2)
        and not matches_pattern(name, load_words("industry_stopwords"))
        and not re.search(r"\d", name)
    )


def _clause_chains(text: str, a: int, b: int) -> list:
    out = []
    body = text[a:b]
    for m in _COLLECTIVE.finditer(body):
        out.append((a + m.start(), a + m.end(), 3, m.group(0)))
    taken: list[tuple[int, int]] = []
    stop = load_words("industry_stopwords")
    for head, role in _heads():
        for m in re.finditer(re.escape(head), body):
            hs, he = a + m.start(), a + m.end()
            if any(x < he and hs < y for x, y in taken):
                continue  # part of a longer head (产业 in 未来产业)
            taken.append((hs, he))
            taken.sort()
            if hs > a and text[hs - 1] in QUOTE_CHARS:  # “5+5”产业, “以竹代塑”产业
                qa = text.rfind("“", a, hs - 1)
                core = text[qa + 1 : hs - 1]
                if qa >= 0 and role in ("named", "both") and not matches_pattern(core, stop):
                    out.append((qa, he, 3, unquote(text[qa:he])))
                continue
            listed = hs > a and text[hs - 1] == "等"
            end = hs - 1 if listed else hs
            start = _lead(text, max([a] + [y for x, y in taken if y <= hs]), end)
            items = split_items(text, start, end, conj="和")
            after = text[he:b]
            if head == "产业" and not _CHAIN_WORDS.match(after) or any(
                c in QUOTE_CHARS for c in text[start:end]
            ):
                continue
            if role in ("members", "both") and (listed or len(items) >= 3):
                for ia, ib in items:
                    ia = _lead(text, ia, ib)
                    count = re.search(r"[一二三四五六七八九十两]大$", text[ia:ib])
                    ib = ia + count.start() if count else ib
                    name = canonical_chain(text[ia:ib])
                    if _member_ok(name):
                        out.append((ia, ib, 2, name))
                continue
            if role in ("named", "both") and len(items) >= 1:
                ia, ib = items[-1]
                ia = _lead(text, ia, ib)
                zone = _ZONE.match(text, ia, ib)
                ia = zone.end() if zone else ia
                name = text[ia:he]
                grow = text[max(a, ia - 4) : ia].endswith(_GROW)
                if role == "both" and not (_CHAIN_WORDS.match(after) or grow):
                    continue
                if re.match(r"[一二三四五六七八九十两]大", name) or "+" in name:
                    continue
                if 2 <= ib - ia <= 10 and is_cjk_name(name, 4) and "的" not in name:
                    if not matches_pattern(name, load_words("industry_stopwords")):
                        out.append((ia, he, 1, canonical_chain(name)))
    return out


@register("industry_chains", produces=(KIND,))
def extract_industry_chains(doc: Document) -> Iterator[Mention]:
    """IndustryChain mentions of ``doc``."""
    for sentence in doc.sentences:
        text = sentence.text
        found = []
        for a, b in clauses(text):
            found += _clause_chains(text, a, b)
        for name, s, e in drop_overlaps([(f[0], f[1], f[2], (f[3], f[0], f[1])) for f in found]):
            yield mention(doc, sentence, KIND, name, s, e)
