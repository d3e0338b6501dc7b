"""Character features for the sequence tagger (:mod:`kg.extract.tagger`).

Chinese names have no spaces and no capitals, so the tagger works on characters and describes
each one by what a reader would look at:

* the character and its neighbours (unigrams and bigrams in a window of two);
* the jieba token it belongs to (position B/M/E/S, the token itself when short, its dictionary
  part of speech, the tokens before and after): governing verbs (实施, 建成) and head nouns
  (铁路, 工程) are tokens;
* lexicon hits covering it (project type suffixes, programme heads, industry heads, the policy
  lexicon, gazetteer place names): shapes the rules know, as evidence rather than as verdicts;
  and the head that comes next in its stretch of text (a name is read up to its head noun);
* the first word of its stretch between punctuation marks (often the governing verb) and the
  mark that closes it;
* whether it is inside quotation marks, or opens or closes them;
* which rule candidate covers it (``r=B-Project``): the tagger learns how far to trust each;
* the distributional cluster of its token at three granularities (``k32=…``, ``k128=…``,
  ``k512=…``; :mod:`kg.clusters`, learned from unannotated reports): a name in an unseen report
  is made of words the annotated ones never had, but most of them are used like words they had.

jieba's dictionary gets the gazetteer's names and the lexicons' words as user words, so a
place or a head noun stays one token. Part of speech comes from jieba's dictionary (the tag a
word has there), not from its HMM tagger, which is five times slower than segmenting.

>>> feats = sentence_features("建成衢丽铁路。", [])
>>> len(feats), "c=铁" in feats[4], "ps=railwayE" in feats[5]
(7, True, True)
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from functools import cache, lru_cache
from pathlib import Path

import ahocorasick
import jieba

from kg.extract.names import QUOTE_CHARS, QUOTE_PAIRS
from kg.lexicon import load_table, split_multi

#: Short tokens are features themselves; longer ones only by their part of speech.
MAX_TOKEN = 4
#: The word clusters (:mod:`kg.clusters`) and their granularities, coarse to fine.
CLUSTERS_PATH = Path(__file__).resolve().parent.parent / "data" / "models" / "clusters.tsv"
CLUSTER_SIZES = (32, 128, 512)
_NO_CLUSTER = ("k=none",)
_OPEN = frozenset(QUOTE_PAIRS)
_CLOSE = frozenset(QUOTE_PAIRS.values())


def _char_type(c: str) -> str:
    if "\u4e00" <= c <= "\u9fff":
        return "H"
    if c.isdigit():
        return "D"
    if c in QUOTE_CHARS:
        return "Q"
    if c.isascii() and c.isalpha():
        return "L"
    return "P"


@cache
def _lexicon() -> ahocorasick.Automaton:
    """One automaton over every lexicon form: value = tuple of feature strings it adds."""
    hits: dict[str, set[str]] = {}

    def add(word: str, feat: str) -> None:
        if len(word) >= 2:
            hits.setdefault(word, set()).add(feat)

    for row in load_table("project_types"):
        add(row["suffix"], f"ps={row['type']}")
    for row in load_table("policy_heads"):
        add(row["head"], "ph")
    for row in load_table("industry_heads"):
        add(row["head"], "ih")
    for row in load_table("policies"):
        for form in (row["name"], *split_multi(row.get("aliases", ""))):
            add(form, "pl")
    for row in load_table("industry_chains"):
        for form in (row["name"], *split_multi(row.get("aliases", ""))):
            add(form, "il")
    for word, kind in _place_words():
        add(word, f"gz={kind}")
    auto = ahocorasick.Automaton()
    for word, feats in hits.items():
        auto.add_word(word, (len(word), tuple(sorted(feats))))
    auto.make_automaton()
    return auto


@cache
def _place_words() -> tuple[tuple[str, str], ...]:
    from kg.gazetteer import default

    out = []
    for place in default():
        for name in (place.name, *place.aliases):
            if len(name) >= 2:
                out.append((name, place.level))
    return tuple(out)


@cache
def tokenizer() -> jieba.Tokenizer:
    """jieba with the gazetteer and lexicon words added (built once per process)."""
    jieba.setLogLevel(logging.WARNING)
    tok = jieba.Tokenizer()
    tok.initialize()
    for word, _kind in _place_words():
        tok.add_word(word, freq=2000, tag="ns")
    for row in load_table("project_types"):
        tok.add_word(row["suffix"], freq=2000, tag="n")
    for row in (*load_table("policy_heads"), *load_table("industry_heads")):
        tok.add_word(row["head"], freq=2000, tag="n")
    return tok


@cache
def _pos() -> dict[str, str]:
    """Dictionary part of speech of jieba's words (and the user words: ns / n)."""
    import jieba.posseg

    tags = dict(jieba.posseg.dt.word_tag_tab)
    for word, _kind in _place_words():
        tags.setdefault(word, "ns")
    return tags


#: Characters that close a stretch of text a name cannot cross.
_SEGMENT_END = frozenset("，,、；;。：:！？!?（）()")
_TYPES: dict[str, str] = {}


def _type_feature(c: str) -> str:
    f = _TYPES.get(c)
    if f is None:
        f = _TYPES[c] = "t=" + _char_type(c)
    return f


def _short(word: str) -> str:
    return word if len(word) <= MAX_TOKEN else "LONG"


#: Lexicon hits that close a name: project type suffixes, programme and industry heads.
_HEADS = ("ps=", "ph", "ih")


def _heads_ahead(text: str, heads: list[tuple[int, str]], extra: dict[int, list[str]]) -> None:
    """Mark each character with the head that comes next in its stretch of text (``nx=…``): a
    name is read up to its head noun, so the head ahead is evidence for every character of it."""
    heads.sort()
    n = len(text)
    next_end = [n] * (n + 1)
    for j in range(n - 1, -1, -1):
        next_end[j] = j if text[j] in _SEGMENT_END else next_end[j + 1]
    k = 0
    for j in range(n):
        while k < len(heads) and heads[k][0] <= j:
            k += 1
        if k == len(heads):
            break
        start, h = heads[k]
        if next_end[j] >= start:
            extra.setdefault(j, []).append("nx=" + h)


@cache
def _clusters() -> dict[str, tuple[str, ...]]:
    """Word → its distributional cluster at each of :data:`CLUSTER_SIZES` (``k128=17``), from
    the table :mod:`kg.clusters` learns from unannotated reports."""
    out = {}
    with CLUSTERS_PATH.open(encoding="utf-8") as f:
        for line in f:
            word, *ids = line.rstrip("\n").split("\t")
            out[word] = tuple(f"k{k}={i}" for k, i in zip(CLUSTER_SIZES, ids, strict=True))
    return out


def ends_with_head(name: str) -> bool:
    """Whether ``name`` ends with a head the lexicons know: a project type suffix, a programme
    head or an industry head (甲乙工程, 甲乙产业)."""
    last = len(name) - 1
    return any(end == last and any(h.startswith(_HEADS) for h in hits)
               for end, (_length, hits) in _lexicon().iter(name))


@lru_cache(maxsize=4096)
def words(text: str) -> tuple[str, ...]:
    """jieba's words of ``text`` (no HMM), cached: the tagger's features and its checks on the
    names it found read the same sentence."""
    return tuple(tokenizer().lcut(text, HMM=False))


def part_of_speech(word: str) -> str:
    """The dictionary part of speech of ``word`` (``x`` when jieba does not know it)."""
    return _pos().get(word, "x")


def sentence_features(text: str, rule_tags: Sequence[str]) -> list[tuple[str, ...]]:
    """Feature strings of each character of ``text``.

    ``rule_tags[i]`` is ``B-<Class>`` / ``I-<Class>`` where a rule candidate covers character
    ``i`` (``O`` or empty elsewhere); pass ``[]`` for none. Built column by column (one list
    per template), about twice as fast as building each character's list in turn.
    """
    n = len(text)
    if not n:
        return []
    pos = _pos()
    tokens = words(text)
    padded = "\x02\x02" + text + "\x03\x03"
    # per-token columns, repeated over the token's characters
    tpb: list[str] = []
    tw: list[str] = []
    pw: list[str] = []
    nw: list[str] = []
    sf: list[str] = []
    kc: list[tuple[str, ...]] = []
    clusters = _clusters()
    prev, first = "<s>", ""
    last = len(tokens) - 1
    for k, tok in enumerate(tokens):
        length = len(tok)
        tag = pos.get(tok, "x")
        if k == 0 or tokens[k - 1][-1] in _SEGMENT_END:
            first = "sf=" + _short(tok)
        word, before = "tw=" + _short(tok), "pw=" + _short(prev)
        after = "nw=" + (_short(tokens[k + 1]) if k < last else "</s>")
        if length == 1:
            tpb.append("tp=S" + tag)
        else:
            tpb.append("tp=B" + tag)
            tpb.extend(["tp=M" + tag] * (length - 2))
            tpb.append("tp=E" + tag)
        tw.extend([word] * length)
        pw.extend([before] * length)
        nw.extend([after] * length)
        sf.extend([first] * length)
        kc.extend([clusters.get(tok, _NO_CLUSTER)] * length)
        prev = tok
    se: list[str] = [""] * n
    close = "se=$"
    for j in range(n - 1, -1, -1):
        if text[j] in _SEGMENT_END:
            close = "se=" + text[j]
        se[j] = close
    rows = list(zip(
        ["c=" + c for c in text], ["c-1=" + c for c in padded[1:n + 1]],
        ["c+1=" + c for c in padded[3:-1]], ["c-2=" + c for c in padded[:n]],
        ["c+2=" + c for c in padded[4:]], ["b-1=" + padded[j + 1:j + 3] for j in range(n)],
        ["b+1=" + padded[j + 2:j + 4] for j in range(n)],
        ["b-2=" + padded[j:j + 2] for j in range(n)],
        ["b+2=" + padded[j + 3:j + 5] for j in range(n)], [_type_feature(c) for c in text],
        tpb, tw, pw, nw, sf, se, strict=True))
    extra: dict[int, list[str]] = {}
    depth = 0
    for j, c in enumerate(text):
        if c in _OPEN and not depth:
            depth = 1
            if j + 1 < n:
                extra.setdefault(j + 1, []).append("qo")
        elif c in _CLOSE and depth:
            depth = 0
            if j:
                extra.setdefault(j - 1, []).append("qc")
        elif depth:
            extra.setdefault(j, []).append("q")
    heads: list[tuple[int, str]] = []
    for end, (length, hits) in _lexicon().iter(text):
        start = end - length + 1
        for j in range(start, end + 1):
            where = "B" if j == start else ("E" if j == end else "I")
            extra.setdefault(j, []).extend([h + where for h in hits])
        heads.extend((start, h) for h in hits if h.startswith(_HEADS))
    if heads:
        _heads_ahead(text, heads, extra)
    for j, t in enumerate(rule_tags):
        if t and t != "O":
            extra.setdefault(j, []).append("r=" + t)
    for j, more in extra.items():
        rows[j] = (*rows[j], *more)
    return [(*r, *k) for r, k in zip(rows, kc, strict=True)]
