"""Coordinated project names that share one head noun.

Reports name several projects of one kind in a list and write their head noun once, after the
list: ``A、B、C等5条高速公路`` (A高速公路 …), ``A、B、C3个专科医院``, ``A、B等国家湿地公园``. The
annotators name each item with the shared head. The list is closed by ``等`` and/or a count
(``5条``, ``3个``, ``三大``), then the head: the words up to a project type suffix
(``kg/data/lexicon/project_types.tsv``), after an optional quoted modifier (“甲乙”). With
a count and no ``等``, the list has exactly that many items (the last ones before it).

Items that have a type suffix of their own keep their names; an item too generic to be a
name (a frequent dictionary word: 城市、农村污水处理厂) or an attribute (…型, …类) is not
named. A list whose head is ``项目`` names its items as they are (甲山、乙湖等项目), so
there is nothing to add and :func:`enumerated` leaves it to the tagger.

>>> text = "加快甲乙、丙丁等5条高速公路建设"
>>> [(text[a:b], name) for a, b, name in enumerated(text)]
[('甲乙', '甲乙高速公路'), ('丙丁', '丙丁高速公路')]
>>> [name for _, _, name in enumerated("确保骨科、儿科、眼科3个专科医院开诊")]
['骨科专科医院', '儿科专科医院', '眼科专科医院']
>>> enumerated("推进城市、农村等污水处理厂建设")
[]
"""

from __future__ import annotations

import re

from kg import gazetteer
from kg.extract.features import part_of_speech, tokenizer
from kg.extract.names import QUOTE_CHARS, clauses, strip_lead
from kg.extract.numbers import parse_number
from kg.extract.projects import common_word, type_of

#: A count that closes a list: digits or a Chinese numeral, and a measure word (条 个 座 …)
#: or 大 (三大工程). Built from characters, not phrases.
_NUMERAL = "0123456789０１２３４５６７８９一二两三四五六七八九十"
_COUNT = re.compile(f"[{_NUMERAL}]{{1,3}}[条个座处家所项批类大]")
#: The most characters a head may take before its type suffix ends (国家湿地公园).
MAX_HEAD = 8
#: Longest list item (a county and a proper name after it).
MAX_ITEM = 10
#: Last characters of attributive items (生态观光型、民俗民宿型…): kinds, not names.
_ATTRIBUTIVE_END = "型类式性级等"
_SEPARATORS = "、和及与"
#: Parts of speech of the clause's words before the first item (加快, 全力, 精心, 发展): the
#: parts of speech of :func:`kg.extract.tagger.trim_start` and the adverbial and verbal nouns,
#: for words of two characters or more.
_NO_START = frozenset({"v", "vn", "d", "p", "c", "ad", "vd"})
#: What follows the first place of a route (甲至乙公路): the place is part of the name.
_ROUTE = "至到—-－"


def _head(text: str, start: int, end: int) -> str:
    """The head noun phrase at ``text[start:end]``: up to the end of the first project type
    suffix that starts within :data:`MAX_HEAD` characters (longest suffix there), after one
    optional quoted modifier; ``""`` when there is none."""
    if start < end and text[start] in QUOTE_CHARS:
        close = next((i for i in range(start + 1, min(end, start + 16)) if text[i] in QUOTE_CHARS),
                     -1)
        if close < 0:
            return ""
        start = close + 1
    window = text[start : min(end, start + MAX_HEAD + 4)]
    for e in range(2, len(window) + 1):
        hit = type_of(window[:e])
        if hit and e - len(hit[0]) <= MAX_HEAD:
            longer = [k for k in range(e + 1, len(window) + 1)
                      if (h := type_of(window[:k])) and k - len(h[0]) == e - len(hit[0])]
            return window[: longer[-1] if longer else e]
    return ""


def _nameable(item: str) -> bool:
    """A bare item that can be a name: short, no attribute, no quote, no common word, and no
    verb of two characters or more (an item with a verb is a clause: 被评为…, 规划建设…)."""
    if not (2 <= len(item) <= MAX_ITEM and item[-1] not in _ATTRIBUTIVE_END
            and not any(c in QUOTE_CHARS or c.isdigit() for c in item)
            and not common_word(item)):
        return False
    return not _has_verb(item)


def _continues(text: str, at: int, end: int, head: str) -> bool:
    """Whether the head is only the start of a longer noun phrase (a project suffix inside an
    industry's name: the list's head is not a project): the first word of two characters or more after it, over
    single characters other than conjunctions, is a noun."""
    words = tokenizer().lcut(text[at : min(end, at + len(head) + 8)], HMM=False)
    k, n = 0, 0
    while k < len(words) and n < len(head):
        n += len(words[k])
        k += 1
    for w in words[k:]:
        if len(w) >= 2:
            return part_of_speech(w) in ("n", "nz")
        if w in _SEPARATORS or w == "等":
            return False
    return False


def _has_verb(words: str) -> bool:
    """Whether ``words`` holds a verb of two characters or more, or the passive 被."""
    return "被" in words or any(len(w) >= 2 and part_of_speech(w) == "v"
                               for w in tokenizer().lcut(words, HMM=False))


def _without_county(item: str) -> int:
    """Where ``item``'s name starts after a county-level place that opens it (甲县乙山 →
    乙山): in a list each item's county is where it is, the shared head says what it is."""
    found = gazetteer.default().find_all(item)
    if found and found[0][0] == 0 and len(item) - found[0][1] >= 2 \
            and item[found[0][1]] not in _ROUTE and any(p.level == "county" for p in found[0][3]):
        return found[0][1]
    return 0


def _items(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The list items in ``text[start:end]``: split at 、 and at 和/及/与 between two items of
    two characters or more; the first after the clause's governing verbs."""
    spans, a = [], start
    for i in range(start, end + 1):
        if i == end or text[i] == "、":
            spans.extend(_split_conjunction(text, a, i))
            a = i + 1
    if not spans:
        return []
    a, b = spans[0]
    spans[0] = (lead_end(text, a, b), b)
    return spans


def lead_end(text: str, a: int, b: int) -> int:
    """Where the first item of a list in ``text[a:b]`` starts: after the clause's governing
    verbs and the words of a part of speech in :data:`_NO_START` before it (one word stays).

    >>> lead_end("加快甲乙", 0, 4)
    2
    """
    a = strip_lead(text, a, b)
    words = tokenizer().lcut(text[a:b], HMM=False)
    while len(words) > 1 and len(words[0]) >= 2 and part_of_speech(words[0]) in _NO_START:
        a += len(words[0])
        words = words[1:]
    return a


def _split_conjunction(text: str, a: int, b: int) -> list[tuple[int, int]]:
    for k in range(b - 3, a + 1, -1):
        if text[k] in _SEPARATORS[1:]:
            return [*_split_conjunction(text, a, k), (k + 1, b)]
    return [(a, b)]


def enumerated(text: str) -> list[tuple[int, int, str]]:
    """``(start, end, name)`` of each bare item of a list closed by ``等`` or a count and a
    shared head: the item's span in ``text`` and its name with the head.

    The closing word and the head are whole words (高等级公路 closes nothing; 新区域 is not
    新区), the head holds no verb, preposition, conjunction or adverb (a preposition: the words after 等 are a clause)."""
    out: list[tuple[int, int, str]] = []
    for ca, cb in clauses(text):
        if "、" not in text[ca:cb] and "等" not in text[ca:cb]:
            continue
        bounds: set[int] = set()
        for k in range(ca + 2, cb):
            if text[k] != "等" and text[k] not in _NUMERAL:
                continue
            bounds = bounds or _boundaries(text, ca, cb)  # the words, once a closing may be here
            etc = text[k] == "等" and k in bounds and k + 1 in bounds
            count = _COUNT.match(text, k + etc, cb)
            if not etc and (count is None or k not in bounds or text[k - 1] in _NUMERAL
                            or text[k - 1] in "第"):
                continue
            head_start = count.end() if count else k + 1
            first = tokenizer().lcut(text[head_start : head_start + 4], HMM=False)
            if not count and first and part_of_speech(first[0]) == "m":  # 等一批公路
                head_start += len(first[0])
            head = _head(text, head_start, cb)
            at = text.find(head, head_start) if head else -1
            if not head or at + len(head) not in bounds or not _head_words(head) \
                    or any(c.isdigit() for c in head) \
                    or _continues(text, at, cb, head):
                continue
            items = _items(text, ca, k)
            if count and not etc:
                n = _count_value(count.group())
                if n is None or n > len(items) or n < 2:
                    continue
                items = items[-n:]
            if len(items) < (1 if etc and count else 2):
                continue
            for a, b in items:
                a += _without_county(text[a:b])
                item = text[a:b]
                if type_of(item) or not _nameable(item) or _headed(item, head):
                    continue
                out.append((a, b, item + head))
            break  # one closing per clause
    return out


def _headed(item: str, head: str) -> bool:
    """Whether ``item`` already ends like ``head`` (甲开发区 + 园区, 甲物流 + 物流园): it has a
    head of its own."""
    return item[-1] == head[-1] or any(item.endswith(head[:j]) for j in range(1, len(head)))


def _boundaries(text: str, a: int, b: int) -> set[int]:
    """Where the words of ``text[a:b]`` start and end (jieba, no HMM)."""
    out, i = {a, b}, a
    for w in tokenizer().lcut(text[a:b], HMM=False):
        i += len(w)
        out.add(i)
    return out


#: Parts of speech a head noun phrase never holds (a preposition after 等产业 …).
_NOT_IN_HEAD = frozenset({"v", "p", "c", "d", "r", "u", "ad"})


def _head_words(head: str) -> bool:
    return "被" not in head and not any(
        part_of_speech(w) in _NOT_IN_HEAD and (len(w) >= 2 or part_of_speech(w) != "v")
        for w in tokenizer().lcut(head, HMM=False))


def _count_value(count: str) -> int | None:
    """The number a count states (``3个`` → 3, ``三大`` → 3, ``十二条`` → 12)."""
    digits = "".join(c for c in count if c in _NUMERAL)
    value = 10 if digits == "十" else parse_number(digits)  # a bare 十 is a magnitude there
    return int(value) if value is not None else None


def with_enumerations(text: str, found: list[tuple[int, int, str, str]]
                      ) -> list[tuple[int, int, str, str]]:
    """``found`` (tagged ``(start, end, label, class)``) with the items of :func:`enumerated`
    lists: an item replaces the tagged projects inside it, is added where nothing was
    tagged, and gives way to a tagged policy or chain.

    >>> with_enumerations("加快甲乙、丙丁等5条高速公路建设", [(2, 4, "甲乙", "Project")])
    [(2, 4, '甲乙高速公路', 'Project'), (5, 7, '丙丁高速公路', 'Project')]
    """
    out = list(found)
    for a, b, name in enumerated(text):
        hit = [f for f in out if f[0] < b and a < f[1]]
        if any(f[3] != "Project" or f[0] < a or f[1] > b for f in hit):
            continue
        out = [f for f in out if f not in hit] + [(a, b, name, "Project")]
    return sorted(out)
