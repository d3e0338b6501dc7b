"""Shared helpers for the name extractors (projects, policies, industry chains).

Chinese reports write names in three ways this module helps with:

* quoted, often stacked or with a head noun after the quote: ``“凤凰行动”“雄鹰行动”``,
  ``企业上市“3030”行动``;
* enumerated with a shared head noun: ``城北、衢化、双西港片区`` (three 片区);
* after a governing verb run: ``深入实施融资畅通工程`` (the name starts after ``深入实施``).

Everything works on ``Sentence.text`` offsets; :func:`mention` maps them to the original text.

>>> unquote("“八八战略”")
'八八战略'
>>> clauses("开工甬金衢上高速，建成杭衢铁路。")
[(0, 8), (9, 15)]
>>> split_items("城北、衢化和双西港", 0, 9)
[(0, 2), (3, 5), (6, 9)]
>>> strip_lead("深入实施融资畅通工程")
4
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import cache

from kg.lexicon import load_words
from kg.model import Document, Mention, Sentence

#: Opening → closing quotation marks; both the curly and the corner forms occur in reports.
QUOTE_PAIRS = {"“": "”", "‘": "’", "「": "」", "『": "』", '"': '"', "＂": "＂"}
QUOTE_CHARS = frozenset("“”‘’「」『』\"＂")
#: Clause separators (a name never spans one).
CLAUSE_PUNCT = "，,；;。！？!?：:\n"
#: Enumeration separators between list items.
LIST_SEPS = "、/"

_WS = re.compile(r"\s+")


def unquote(s: str) -> str:
    """Drop every quotation mark (``“五链”融合`` → ``五链融合``)."""
    return "".join(c for c in s if c not in QUOTE_CHARS)


def norm_key(s: str) -> str:
    """Key form of a name: no quotes or whitespace, NFKC (full-width → half-width).

    >>> norm_key("“不动产＋生态价值” 融资模式")
    '不动产+生态价值融资模式'
    """
    return _WS.sub("", unicodedata.normalize("NFKC", unquote(s)))


def clauses(text: str) -> list[tuple[int, int]]:
    """Spans of the clauses of ``text`` (split at commas, semicolons …, never inside quotes)."""
    spans, start, close = [], 0, ""
    for i, c in enumerate(text):
        if close:
            if c == close or c in "。；;\n":
                close = ""
            continue
        if c in QUOTE_PAIRS:
            close = QUOTE_PAIRS[c]
        elif c in CLAUSE_PUNCT:
            if i > start:
                spans.append((start, i))
            start = i + 1
    if start < len(text):
        spans.append((start, len(text)))
    return spans


def split_items(text: str, a: int, b: int, conj: str = "和及与") -> list[tuple[int, int]]:
    """Split ``text[a:b]`` into list items at 、 (and at ``conj`` outside quotes)."""
    items, start, depth = [], a, 0
    for i in range(a, b):
        c = text[i]
        if c in QUOTE_PAIRS and depth == 0 and c not in "\"＂":
            depth = 1
        elif c in QUOTE_CHARS and depth:
            depth = 0
        if depth == 0 and (c in LIST_SEPS or c in conj):
            if i > start:
                items.append((start, i))
            start = i + 1
    if b > start:
        items.append((start, b))
    return items


@cache
def _lead_words() -> tuple[str, ...]:
    words = set(load_words("lead_words"))
    return tuple(sorted(words, key=len, reverse=True))


def strip_lead(
    text: str, start: int = 0, end: int | None = None, words: Iterable[str] | None = None
) -> int:
    """Index after the run of governing verbs and adverbs that opens ``text[start:end]``."""
    end = len(text) if end is None else end
    words = _lead_words() if words is None else tuple(words)
    moved = True
    while moved and start < end:
        moved = False
        for w in words:
            if text.startswith(w, start) and start + len(w) <= end:
                start += len(w)
                moved = True
                break
    return start


def after_lead(text: str, start: int, end: int, extra: Iterable[str] = ()) -> int:
    """Start of a name in ``text[start:end]``: after the first governing-verb run, if any.

    >>> after_lead("全市上下深入实施国资国企改革攻坚深化提升行动", 0, 24)
    8
    """
    words = sorted({w for w in (*_lead_words(), *extra) if len(w) >= 2}, key=len, reverse=True)
    for i in range(start, end):
        if any(text.startswith(w, i) and i + len(w) <= end for w in words):
            return strip_lead(text, i, end, words)
    return start


def quoted_spans(text: str, a: int = 0, b: int | None = None) -> list[tuple[int, int]]:
    """Spans (including the marks) of the quoted stretches of ``text[a:b]``.

    >>> quoted_spans("“凤凰行动”“雄鹰行动”")
    [(0, 6), (6, 12)]
    """
    b = len(text) if b is None else b
    spans, i = [], a
    while i < b:
        c = text[i]
        close = QUOTE_PAIRS.get(c)
        if close is not None:
            j = text.find(close, i + 1, b)
            if j > i + 1 and not any(p in text[i + 1 : j] for p in "。；;"):
                spans.append((i, j + 1))
                i = j + 1
                continue
        i += 1
    return spans


def mention(
    doc: Document,
    sentence: Sentence,
    kind: str,
    label: str,
    a: int,
    b: int,
    attrs: Iterable[tuple[str, str]] = (),
) -> Mention:
    """A Mention of ``sentence.text[a:b]`` with original-text offsets."""
    start, end = doc.span(sentence, a, b)
    return Mention(
        kind=kind,
        label=label,
        surface=doc.text[start:end],
        sentence=sentence.index,
        start=start,
        end=end,
        attrs=tuple(sorted(attrs)),
    )


def drop_overlaps(found: list[tuple[int, int, int, object]]) -> list[object]:
    """Keep the best non-overlapping candidates: ``(start, end, priority, item)``.

    Higher priority wins, then the longer span; the result is in text order.

    >>> drop_overlaps([(0, 4, 1, "a"), (2, 6, 2, "b"), (7, 9, 0, "c")])
    ['b', 'c']
    """
    chosen: list[tuple[int, int, int, object]] = []
    for cand in sorted(found, key=lambda f: (-f[2], -(f[1] - f[0]), f[0])):
        if all(cand[1] <= c[0] or cand[0] >= c[1] for c in chosen):
            chosen.append(cand)
    return [c[3] for c in sorted(chosen, key=lambda c: (c[0], c[1]))]


def is_cjk_name(s: str, min_len: int = 2) -> bool:
    """True when ``s`` has at least ``min_len`` CJK characters or digits and no clause marks."""
    core = [c for c in s if "\u4e00" <= c <= "\u9fff" or c.isdigit()]
    return len(core) >= min_len and not any(c in CLAUSE_PUNCT for c in s)


def strip_view(text: str) -> tuple[str, list[int]]:
    """``text`` without quotation marks, and the index in ``text`` of each remaining char.

    >>> strip_view("省“32条”")
    ('省32条', [0, 2, 3, 4])
    """
    keep = [i for i, c in enumerate(text) if c not in QUOTE_CHARS]
    return "".join(text[i] for i in keep), keep


def matches_pattern(word: str, patterns: Iterable[str]) -> bool:
    """Stop-list match: ``*X`` ends with X, ``X*`` starts with X, ``*X*`` contains X, else exact.

    >>> matches_pattern("集体林权制度改革", ["*制度改革", "两个确立"])
    True
    """
    for p in patterns:
        if p.startswith("*") and p.endswith("*") and len(p) > 2:
            if p[1:-1] in word:
                return True
        elif p.startswith("*"):
            if word.endswith(p[1:]):
                return True
        elif p.endswith("*"):
            if word.startswith(p[:-1]):
                return True
        elif word == p:
            return True
    return False
