"""Shared helpers for the name extractors (projects, policies, industry chains).

Chinese reports write names in three ways this module helps with:

* quoted, often stacked or with a head noun after the quote: ``“<A>行动”“<B>行动”``,
  ``<modifier>“<number>”行动``;
* enumerated with a shared head noun: ``<A>、<B>、<C>片区`` (three 片区);
* after a governing verb run: ``深入实施<X>工程`` (the name starts after ``深入实施``).

Everything works on ``Sentence.text`` offsets; :func:`mention` maps them to the original text.
Each rule of an extractor proposes :class:`Candidate` s; :func:`drop_overlaps` keeps the best.

>>> unquote("“八八战略”")
'八八战略'
>>> clauses("开工甲乙丙高速，建成丁戊铁路。")
((0, 7), (8, 14))
>>> split_items("城东、城西和南湖新区", 0, 10)
[(0, 2), (3, 5), (6, 10)]
>>> strip_lead("深入实施城乡绿道贯通工程")
4
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache

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
#: A reference to an endnote (〔30〕, [3]); a document number's year (〔2021〕) is none.
_NOTE_MARK = re.compile(r"〔[0-9]{1,3}〕|\[[0-9]{1,3}\]")
#: An item number opening a name (9.甲乙工程, 33〕甲乙行动: a list or an endnote's number).
_ENUMERATION = re.compile(r"^[0-9]{1,3}(?:[.．、]|〕|\))(?![0-9])")


@dataclass(frozen=True)
class Candidate:
    """A name one rule proposes in a sentence: ``Sentence.text[start:end]``.

    ``priority`` decides overlaps (higher wins, then the longer span); ``rule`` names the rule
    that proposed it (a feature for the tagger, and the place to look when it is wrong);
    ``attrs`` are the Mention's attributes (``("type", "railway")``, ``("level", …)``).
    """

    start: int
    end: int
    priority: int
    name: str
    rule: str
    attrs: tuple[tuple[str, str], ...] = ()

    def attr(self, key: str, default: str = "") -> str:
        return dict(self.attrs).get(key, default)


def unquote(s: str) -> str:
    """Drop every quotation mark (``“五链”融合`` → ``五链融合``)."""
    return "".join(c for c in s if c not in QUOTE_CHARS)


def close_brackets(name: str) -> str:
    """``name`` without note markers (甲乙三〔30〕: a reference to the report's endnotes; a
    document number keeps its year, 国发〔2021〕) or an item number in front (9.甲乙工程), and
    cut before an opening bracket that nothing closes (a span that ran into a parenthesis:
    甲乙医院（丙 → 甲乙医院); balanced brackets stay (甲（乙）创新中心).

    >>> close_brackets("甲乙医院（丙丁"), close_brackets("甲（乙）创新中心"), close_brackets("三个甲〔30〕")
    ('甲乙医院', '甲（乙）创新中心', '三个甲')
    >>> close_brackets("9.甲乙761工程"), close_brackets("1.5万吨甲乙"), close_brackets("5+5产业")
    ('甲乙761工程', '1.5万吨甲乙', '5+5产业')
    """
    name = _NOTE_MARK.sub("", _ENUMERATION.sub("", name))
    opened: list[int] = []
    for i, c in enumerate(name):
        if c in "（(":
            opened.append(i)
        elif c in "）)" and opened:
            opened.pop()
    cut = name[: opened[0]].strip() if opened else name
    return cut if len(cut) >= 2 else name


def norm_key(s: str) -> str:
    """Key form of a name: no quotes or whitespace, NFKC (full-width → half-width).

    >>> norm_key("“甲＋乙” 融资模式")
    '甲+乙融资模式'
    """
    return _WS.sub("", unicodedata.normalize("NFKC", unquote(s)))


@lru_cache(maxsize=1024)
def clauses(text: str) -> tuple[tuple[int, int], ...]:
    """Spans of the clauses of ``text`` (split at commas, semicolons …, never inside quotes).

    Cached: the three name extractors split the same sentences.
    """
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
    return tuple(spans)


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
def _lead_pattern(extra: tuple[str, ...] = ()) -> re.Pattern[str]:
    """One alternation over the lead words (and ``extra``), longest first: a match is the
    longest word at the leftmost position, as a reader would take it."""
    words = {w for w in (*load_words("lead_words"), *extra) if len(w) >= 2}
    return re.compile("|".join(map(re.escape, sorted(words, key=lambda w: (-len(w), w)))))


def strip_lead(text: str, start: int = 0, end: int | None = None, extra: tuple[str, ...] = ()) -> int:
    """Index after the run of governing verbs and adverbs that opens ``text[start:end]``."""
    end = len(text) if end is None else end
    pattern = _lead_pattern(extra)
    while start < end:
        m = pattern.match(text, start, end)
        if m is None:
            break
        start = m.end()
    return start


def after_lead(text: str, start: int, end: int, extra: tuple[str, ...] = ()) -> int:
    """Start of a name in ``text[start:end]``: after the first governing-verb run, if any.

    >>> after_lead("全市上下深入实施乡村电商提质行动", 0, 16)
    8
    """
    m = _lead_pattern(extra).search(text, start, end)
    return strip_lead(text, m.start(), end, extra) if m else start


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


def drop_overlaps(found: Iterable[Candidate]) -> list[Candidate]:
    """Keep the best non-overlapping candidates, in text order.

    Higher priority wins, then the longer span, then the earlier one.

    >>> cands = [Candidate(0, 4, 1, "a", "r"), Candidate(2, 6, 2, "b", "r"), Candidate(7, 9, 0, "c", "r")]
    >>> [c.name for c in drop_overlaps(cands)]
    ['b', 'c']
    """
    chosen: list[Candidate] = []
    for cand in sorted(found, key=lambda c: (-c.priority, c.start - c.end, c.start)):
        if all(cand.end <= c.start or cand.start >= c.end for c in chosen):
            chosen.append(cand)
    return sorted(chosen, key=lambda c: (c.start, c.end))


def is_cjk_name(s: str, min_len: int = 2) -> bool:
    """True when ``s`` has at least ``min_len`` CJK characters or digits and no clause marks."""
    core = [c for c in s if "\u4e00" <= c <= "\u9fff" or c.isdigit()]
    return len(core) >= min_len and not any(c in CLAUSE_PUNCT for c in s)


def strip_view(text: str) -> tuple[str, list[int]]:
    """``text`` without quotation marks, and the index in ``text`` of each remaining char.

    >>> strip_view("省“32条”")
    ('省32条', [0, 2, 3, 4])
    """
    if not QUOTE_CHARS.intersection(text):
        return text, list(range(len(text)))
    keep = [i for i, c in enumerate(text) if c not in QUOTE_CHARS]
    return "".join(text[i] for i in keep), keep


def matches_pattern(word: str, patterns: tuple[str, ...]) -> bool:
    """Stop-list match: ``*X`` ends with X, ``X*`` starts with X, ``*X*`` contains X, else exact.

    >>> matches_pattern("户籍管理制度改革", ("*制度改革", "两个确立"))
    True
    """
    exact, prefixes, suffixes, inner = _compiled_patterns(tuple(patterns))
    return (
        word in exact
        or word.startswith(prefixes)
        or word.endswith(suffixes)
        or (inner is not None and inner.search(word) is not None)
    )


@cache
def _compiled_patterns(
    patterns: tuple[str, ...],
) -> tuple[frozenset[str], tuple[str, ...], tuple[str, ...], re.Pattern[str] | None]:
    exact, prefixes, suffixes, inner = set(), [], [], []
    for p in patterns:
        if p.startswith("*") and p.endswith("*") and len(p) > 2:
            inner.append(p[1:-1])
        elif p.startswith("*"):
            suffixes.append(p[1:])
        elif p.endswith("*"):
            prefixes.append(p[:-1])
        else:
            exact.add(p)
    pattern = re.compile("|".join(map(re.escape, inner))) if inner else None
    return frozenset(exact), tuple(prefixes), tuple(suffixes), pattern
