"""Character features for the sequence tagger (:mod:`kg.extract.tagger`).

Chinese names have no spaces and no capitals, so the tagger works on characters and describes
each one by what a reader would look at:

* the character and its neighbours (unigrams and bigrams in a window of two);
* the jieba token it belongs to (position B/M/E/S, the token itself when short, its dictionary
  part of speech, the tokens before and after): governing verbs (实施, 建成) and head nouns
  (铁路, 工程) are tokens;
* lexicon hits covering it (project type suffixes, programme heads, industry heads, the policy
  lexicon, gazetteer place names): shapes the rules know, as evidence rather than as verdicts;
* whether it is inside quotation marks, or opens or closes them;
* which rule candidate covers it (``r=B-Project``): the tagger learns how far to trust each.

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
from functools import cache

import ahocorasick
import jieba

from kg.extract.names import QUOTE_CHARS, QUOTE_PAIRS
from kg.lexicon import load_table, split_multi

#: Short tokens are features themselves; longer ones only by their part of speech.
MAX_TOKEN = 4
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


def _segment_features(text: str, tokens: Sequence[str], feats: list[list[str]]) -> None:
    """Context of the stretch between punctuation marks: its first word (often the governing
    verb), the mark that closes it, and how far each character is from either end."""
    starts = []
    i = 0
    for tok in tokens:
        starts.append((i, tok))
        i += len(tok)
    n = len(text)
    seg_start, first = 0, ""
    k = 0
    bounds = [j for j, c in enumerate(text) if c in _SEGMENT_END] + [n]
    b = 0
    for j in range(n):
        while k < len(starts) and starts[k][0] <= j:
            if starts[k][0] == seg_start:
                first = starts[k][1]
            k += 1
        while bounds[b] < j:
            b += 1
        end = bounds[b]
        close = text[end] if end < n else "$"
        if j == end:
            seg_start = j + 1
            continue
        feats[j].extend((f"sf={first if len(first) <= MAX_TOKEN else 'LONG'}", f"se={close}",
                         f"ds={min(j - seg_start, 5)}", f"de={min(end - j - 1, 5)}"))


def sentence_features(text: str, rule_tags: Sequence[str]) -> list[list[str]]:
    """Feature strings of each character of ``text``.

    ``rule_tags[i]`` is ``B-<Class>`` / ``I-<Class>`` where a rule candidate covers character
    ``i`` (``O`` or empty elsewhere); pass ``[]`` for none.
    """
    n = len(text)
    pos = _pos()
    tokens = tokenizer().lcut(text, HMM=False)
    feats: list[list[str]] = [[] for _ in range(n)]
    padded = "\x02\x02" + text + "\x03\x03"
    i = 0
    prev = "<s>"
    for k, tok in enumerate(tokens):
        nxt = tokens[k + 1] if k + 1 < len(tokens) else "</s>"
        length = len(tok)
        tag = pos.get(tok, "x")
        word = tok if length <= MAX_TOKEN else "LONG"
        shared = (f"tw={word}", f"tpos={tag}", f"pw={prev if len(prev) <= MAX_TOKEN else 'LONG'}",
                  f"nw={nxt if len(nxt) <= MAX_TOKEN else 'LONG'}", f"tl={min(length, 6)}")
        for j in range(length):
            p = i + j + 2
            c = padded[p]
            place = "S" if length == 1 else ("B" if j == 0 else ("E" if j == length - 1 else "M"))
            feats[i + j] = [
                "bias", f"c={c}", f"c-1={padded[p - 1]}", f"c+1={padded[p + 1]}",
                f"c-2={padded[p - 2]}", f"c+2={padded[p + 2]}",
                f"b-1={padded[p - 1:p + 1]}", f"b+1={padded[p:p + 2]}",
                f"b-2={padded[p - 2:p]}", f"b+2={padded[p + 1:p + 3]}",
                f"t={_char_type(c)}", f"tp={place}", f"tpB={place}{tag}", *shared,
            ]
        prev = tok
        i += length
    _segment_features(text, tokens, feats)
    depth = 0
    for j, c in enumerate(text):
        if c in _OPEN and not depth:
            depth = 1
            if j + 1 < n:
                feats[j + 1].append("qo")
        elif c in _CLOSE and depth:
            depth = 0
            if j:
                feats[j - 1].append("qc")
        elif depth:
            feats[j].append("q")
    for end, (length, hits) in _lexicon().iter(text):
        start = end - length + 1
        for j in range(start, end + 1):
            where = "B" if j == start else ("E" if j == end else "I")
            feats[j].extend(f"{h}{where}" for h in hits)
    for j, t in enumerate(rule_tags):
        if t and t != "O":
            feats[j].append(f"r={t}")
    return feats
