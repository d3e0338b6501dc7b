"""Headline indicators: city-wide statistics with an explicit figure, actual or target.

A report states its figures in a small clause grammar, which this module reads clause by clause::

    [prefix] SUBJECT [cues] VALUES   全市|生产总值|达到|2125.2亿元
    、[cues] VALUES                  、增长6.8%            (the subject carries over)
    A和B [分别 cue] V1、V2            制造业投资和高新技术产业投资分别增长30.4%、28.2%

SUBJECT is one or more indicator surfaces from ``indicator_synonyms.tsv`` (or a collapsed pair
such as 城乡居民收入 from ``indicator_pairs.tsv``) and nothing else: a subject with any other word
before or inside it (柯城区生产总值, 数字经济核心产业制造业增加值, 六大标志性产业链产值占比) is not a
headline figure and yields nothing. The cue words (``indicator_cues.tsv``) decide the measure:
a growth verb makes a rate of change, otherwise the figure is a level, or the indicator's
share/intensity for a per-cent figure. A figure followed by a noun (10亿元以上项目) qualifies
that noun and is skipped. Sentences of the plan give targets for the report year; those of the
review give actuals for the review year, except a paragraph that states the year's targets
(主要预期目标是：…). A figure of another year (到2025年…, 从2015年的…增加到…) is not that year's.

>>> t = "全市地区生产总值达到980亿元、增长5.5%。"
>>> s = Sentence(index=0, start=0, end=len(t), text=t, kind="review")
>>> doc = Document(t, t, tuple(range(len(t) + 1)), (s,), "", report_year=2024, review_year=2023)
>>> [(o.indicator, str(o.value), o.unit, o.measure, o.kind, o.year) for o in extract(doc)]
[('地区生产总值', '980', '亿元', 'level', 'actual', 2023), ('地区生产总值', '5.5', '%', 'growth', 'actual', 2023)]
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from kg.extract import register
from kg.extract.indicator_lexicon import Indicator, cues, lexicon, subarea_pattern
from kg.extract.numbers import Quantity, find_quantities
from kg.model import Document, ObservationMention, Sentence

__all__ = ["BOUNDS", "Indicator", "bound", "cues", "extract", "lexicon"]

_HARD = "；;。！？!?\n"  # ends a subject's scope
_SOFT = "，,：:"  # a clause boundary the subject carries over
_SEP = "、和与及"  # between list items
_LIST_GAP = re.compile(r"\s*(?:以及|、|和|与|及)\s*")
_OTHER_ITEM = re.compile(r"(?:(?!以及|[、和与及])[^，,；;。：:])+")
_FOLLOW_OK = re.compile(r"\s*(?:$|[，,；;。！？!?：:、）)（(]|高于|低于|快于|慢于|位居|居|位列|列|排名|大关)")
#: A statistician's remark in brackets (（预计数，下同）, （按可比价计算）): read as blank space.
_REMARK = re.compile(r"[（(](?:[^（）()]{0,14}[，,]\s*)?(?:下同|按?(?:可比价格?|现价|当年价)(?:计算)?"
                     r"|(?:初步)?(?:预计|统计|测算|快报)数?)[)）]")
_PAREN = re.compile(r"\s*(?:（[^（）]{1,12}）|\([^()]{1,12}\))")
_YEAR = re.compile(r"(?:^|[，,；;：:])\s*(?:力争|争取|确保|预计)?(?:到|至|在)?((?:19|20)\d{2})年(?:底|末)?(?![\u4e00-\u9fff]*以来)")
_LEAD_YEAR = re.compile(r"(?:20\d{2}|今|去|明)年度?")
_RANK = re.compile(r"^\s*[、，]?\s*(?:连续\d+年)?(?:位居|居|位列|列|排名)?(?:全[省国市]|全国同类城市|全省山区)"
                   r"(?:\w{0,4})?(?:第[\d一二三四五六七八九十]+|前[\d一二三四五六七八九十]+)"
                   r"(?:位|名)?\s*$")
_FILLER = re.compile(r"^\s*(?:按可比价格?计算|同比|比上年|扣除[^，,]{0,10}因素)\s*$")
_TARGET_HINT = re.compile(r"预期目标|力争|确保|争取|目标为|目标是")
#: A sentence announcing the coming year's targets: it and the rest of its paragraph are targets.
_TARGET_OPENER = re.compile(r"(?:预期|主要|发展|总体)目标(?:建议)?(?:是|为|[：:])|目标建议为")
#: A section of several years' goals (今后五年, “十四五”时期): its figures are no annual targets.
_MULTI_YEAR = re.compile(r"(?:今后|未来)(?:五|几)年|十[一二三四五六七八九]五”?(?:时期|期间|规划|发展目标|末)"
                         r"|20\d{2}年远景")
#: An aim inside the review (力争突破1200亿元) is no actual.
_AIM = frozenset(("力争", "确保", "争取", "努力"))
#: A target beyond the target (增长6%以上，力争增长8%).
_STRETCH = frozenset(("力争", "争取"))
#: ``从|由 [year的] FIGURE`` before a change-to cue (从2293亿元增加到3700亿元): the start value.
_FROM = re.compile(r"(?:从|由)(?:(?:19|20)\d{2}年(?:底|末)?的?)?$")
_TO = re.compile(r"\s*(?:增加|增长|提高|提升|上升|扩大|跃升|攀升|下降|降低|减少|缩小)?(?:到|至)")
_FROM_TAIL = re.compile(r"(?:从|由)(?:(?:19|20)\d{2}年(?:底|末)?的?)?[\d.,]+\S{0,5}?$")
#: A share of the city's output or investment (占GDP比重, 占比, 相当于生产总值的比例).
_SHARE_TAIL = re.compile(r"(?:(?:占|相当于)(?:全市|全社会)?(?:GDP|地区生产总值|生产总值|固定资产投资|全部投资"
                         r"|投资)?的?)?(?:比重|比例)$|占比$")
_BARE_LEN = 3  # 出口, 进出口, 服务业: too short to name a city-wide figure on their own
_EACH = frozenset({"均", "都"})  # one figure said of each subject before it
_GROWTH_SURFACE = ("增长", "增速")  # a surface ending so names the growth (经济增长)
_CUMULATIVE = re.compile(r"\s*[\u4e00-\u9fff]{0,4}?累计")
#: ``[到|至] year [底|末] 的`` just before a figure: the year the figure is of.
_FIGURE_YEAR = re.compile(r"((?:19|20)\d{2})年(?:底|末)?的?$")
#: How a qualifier bounds the figure it follows (#13): the reading ``gk:bound`` records. 不低于
#: and 不超过 are read too, for when the cue lexicon has them (today a figure after them yields
#: no observation).
BOUNDS = {"以上": "atLeast", "突破": "atLeast", "超过": "atLeast", "不低于": "atLeast",
          "不少于": "atLeast", "以内": "atMost", "以下": "atMost", "控制在": "atMost",
          "不超过": "atMost", "不高于": "atMost", "左右": "about", "上下": "about"}
#: A cue that caps the figure it introduces even without 以内 after it; kept as its qualifier.
_CAP_CUES = ("控制在",)


def bound(qualifier: str, kind: str, measure: str, value: Decimal) -> str:
    """How a figure bounds what it states: ``atLeast``, ``atMost``, ``about`` or ``exact``.

    The qualifier decides (``BOUNDS``); a target without one is a figure to reach (at least
    it), an actual without one is exact. A decline (下降3%, stored as growth -3) turns a bound
    on its size into the opposite bound on the signed value.

    >>> bound("左右", "target", "growth", Decimal("6.5")), bound("", "target", "growth", Decimal("7"))
    ('about', 'atLeast')
    >>> bound("以内", "target", "level", Decimal("4.5")), bound("", "target", "growth", Decimal("-3"))
    ('atMost', 'atMost')
    >>> bound("", "actual", "growth", Decimal("6.8"))
    'exact'
    """
    read = BOUNDS.get(qualifier) or ("atLeast" if kind == "target" else "exact")
    if measure == "growth" and value < 0 and read in ("atLeast", "atMost"):
        read = "atMost" if read == "atLeast" else "atLeast"
    return read


@dataclass(frozen=True)
class _Subject:
    start: int  # in Sentence.text
    indicators: tuple[Indicator | None, ...]  # None: a list item that is no indicator
    spans: tuple[tuple[int, int], ...]  # the surface of each indicator, in Sentence.text


def _subject(start: int, items: Sequence[tuple[Indicator | None, tuple[int, int]]]) -> _Subject:
    return _Subject(start, tuple(ind for ind, _ in items), tuple(span for _, span in items))


@register("indicators", produces=("Observation",))
def extract(doc: Document) -> Iterator[ObservationMention]:
    """Observations of the headline indicators in ``doc``, in text order: one value for an
    indicator, kind, measure and year (a report states its headline figure once; a later one is
    a part's, a park's or a restatement), the first unless it is a threshold a later precise
    figure states (突破3000亿元，达到3060亿元) or it is told in a section about several past years
    and a later one is not."""
    def rank(o: ObservationMention) -> tuple[bool, bool]:
        section = doc.sentences[o.sentence].section
        return o.qualifier in _THRESHOLDS, bool(_PAST_YEARS.search(section))

    chosen: dict[tuple[str, str, str, int], tuple[int, ObservationMention]] = {}
    for n, o in enumerate(_extract_all(doc)):
        key = (o.indicator, o.kind, o.measure, o.year)
        if key not in chosen or rank(o) < rank(chosen[key][1]):
            chosen[key] = (n, o)
    yield from (o for _n, o in sorted(chosen.values(), key=lambda no: no[0]))


#: Qualifiers of a milestone figure (首次突破200亿元) rather than the value itself.
_THRESHOLDS = frozenset({"突破", "超过"})
#: A section about several past years (过去五年, “十三五”时期): its counts are the years' sums.
_PAST_YEARS = re.compile(r"过去(?:的)?[五几]年|五年来|十[一二三四五六七八九]五”?(?:时期|期间)")


def _extract_all(doc: Document) -> Iterator[ObservationMention]:
    city = doc.city.code if doc.city is not None else None
    target_paragraph, multi_year = None, False
    annual: set[str] = set()  # sections of several years whose part about the plan year began
    lead: tuple[int, str] | None = None  # (paragraph, year) of a year opening a sentence
    ended_semicolon = False
    for sentence in doc.sentences:
        if opener := _TARGET_OPENER.search(sentence.text):
            target_paragraph = sentence.paragraph
            multi_year = _multi_year_goals(sentence.text, opener.start(),
                                           _section_year(doc, "target"))
        if sentence.paragraph == target_paragraph:
            if multi_year:
                continue
            kind = "target"
        else:
            kind = _kind(sentence)
        year = _section_year(doc, kind)
        if kind == "target" and _MULTI_YEAR.search(sentence.section):
            top = sentence.section.split(" / ")[0]
            if year is None or f"{year}年" not in top:
                continue  # a section of several years' goals
            # a section of both (“十四五”时期主要目标和2021年重点任务): the year's part, which
            # comes after the years', opens with a sentence naming the year (2021年是…, 今年…)
            if top not in annual and sentence.text.strip() not in top and (
                    f"{year}年" in sentence.text or "今年" in sentence.text):
                annual.add(top)
            if top not in annual:
                continue
        # a year opening a sentence scopes the sentences its semicolons run on into
        if (m := _YEAR.match(sentence.text)) is not None:
            lead = (sentence.paragraph, m[1])
        elif lead is not None and (lead[0] != sentence.paragraph or not ended_semicolon):
            lead = None
        ended_semicolon = sentence.text.rstrip().endswith(("；", ";"))
        if year is None:
            continue
        if _REMARK.search(sentence.text):
            sentence = replace(sentence, text=_REMARK.sub(lambda m: "　" * len(m[0]),
                                                          sentence.text))
        yield from _sentence_observations(doc, sentence, kind, year, subarea_pattern(city),
                                          lead[1] + "年，" if lead else "")


def _multi_year_goals(text: str, opener: int, plan_year: int | None) -> bool:
    """Whether a sentence announcing goals announces several years' (今后五年的主要目标是): not
    when the clause of its opener names this year (按照“十四五”规划要求，今年的主要目标是)."""
    last = re.split(r"[，,；;]", text[:opener])[-1]
    if "今年" in last or plan_year is not None and f"{plan_year}年" in last:
        return False
    return bool(_MULTI_YEAR.search(text))


def _section_year(doc: Document, kind: str) -> int | None:
    """The year of a target (the plan's: the year after the one reviewed) or of an actual.

    A report delivered in December reviews the year it is delivered in and plans the next, so
    the plan year follows the review year, not the report year; one year gives the other.
    """
    reviewed = doc.review_year if doc.review_year is not None else (
        doc.report_year - 1 if doc.report_year is not None else None)
    if reviewed is None:
        return None
    return reviewed + 1 if kind == "target" else reviewed


def _kind(sentence: Sentence) -> str:
    if sentence.kind in ("review", "plan"):
        return "actual" if sentence.kind == "review" else "target"
    return "target" if _TARGET_HINT.search(sentence.text) else "actual"


def _clauses(text: str) -> Iterator[tuple[int, int, bool]]:
    """(start, end, hard) of each clause; ``hard`` when a full stop or semicolon precedes it."""
    start, hard = 0, True
    for i, c in enumerate(text):
        if c in _HARD or c in _SOFT:
            yield start, i, hard
            start, hard = i + 1, c in _HARD
    yield start, len(text), hard


def _value_lists(text: str, qs: list[Quantity]) -> list[list[Quantity]]:
    """Group figures joined only by 、/和/与/及 (分别为58583元和30811元)."""
    groups: list[list[Quantity]] = []
    for q in qs:
        if groups and _LIST_GAP.fullmatch(text, groups[-1][-1].end, q.start):
            groups[-1].append(q)
        else:
            groups.append([q])
    return groups


def _sentence_observations(doc: Document, sentence: Sentence, kind: str, default_year: int,
                           subarea: re.Pattern[str], lead: str = ""
                           ) -> Iterator[ObservationMention]:
    """``lead`` is a clause that scopes the sentence from before it (2020年，)."""
    text = sentence.text
    quantities = [q for q in find_quantities(text) if not _is_start_value(text, q)]
    if not quantities:
        return
    subject: _Subject | None = None
    recent: list[_Subject | None] = []  # the subject of each figure clause since a full stop
    scoped = False
    cumulative = False  # 累计 opening a clause: totals over years, for the figures listed on
    partial = False  # a part of the year opening a clause (前三季度，), until 全年 or a full stop
    held: list[ObservationMention] = []  # figures of a part of the year
    seen: set[tuple[str, str, str, int]] = set()
    for a, b, hard in _clauses(text):
        in_clause = [q for q in quantities if a <= q.start and q.end <= b]
        if hard:
            subject, recent, cumulative, partial = None, [], False, False
        clause = text[a:b]
        partial = bool(_PART_OF_YEAR.match(clause)) or partial and "全年" not in clause
        cumulative = bool(_CUMULATIVE.match(clause)) or (cumulative and bool(in_clause))
        if subarea.match(clause):
            scoped = True
        elif "全市" in clause or "我市" in clause or scoped and not in_clause and _new_actor(clause):
            scoped = False
        pos = a
        for values in _value_lists(text, in_clause):
            head = _parse_head(text, pos, values[0].start) or _predicate_head(
                text, pos, values[0].start)
            pos = values[-1].end
            if head is None:
                subject = None
                recent.append(None)
                continue
            items, gap = head
            if items is not None and recent and recent[-1] is None and _bare(text, items):
                recent.append(None)  # 软件产业销售收入70亿元，出口2亿美元: that sector's export
                subject = None
                continue
            if items is not None:
                subject = items
                recent.append(items)
            elif subject is None or not gap:
                continue
            elif "分别" in gap and len(values) > 1:
                subject = _gathered(recent, len(values)) or subject
            elif _EACH.intersection(gap) and len(values) == 1:
                subject = _gathered(recent) or subject  # 甲100亿元，乙50亿元，均增长
            if scoped or cumulative or not _FOLLOW_OK.match(text, values[-1].end):
                continue
            if kind == "actual" and _AIM.intersection(gap):
                continue
            year = _year(lead + text[:subject.start], gap, default_year)
            if year is None:
                continue
            stretch = kind == "target" and bool(_STRETCH.intersection(gap))
            for o in _observations(doc, sentence, subject, gap, values, kind, year):
                if partial or stretch:
                    held.append(o)
                else:
                    seen.add((o.indicator, o.kind, o.measure, o.year))
                    yield o
        rest = text[pos:b]
        if rest.strip() and not _RANK.match(rest) and not _FILLER.match(rest):
            head = _parse_head(text, pos, b, partial=True)
            subject = head[0] if head and head[0] else (subject if head else None)
    # a part of the year's figure stands for the year unless the sentence gives the year's own;
    # so does a stretch target (增长6%以上，力争增长8%) unless the sentence gives the target
    yield from (o for o in held if (o.indicator, o.kind, o.measure, o.year) not in seen)


#: A part of the year opening a clause (前三季度，1—11月份，截至11月末，).
_PART_OF_YEAR = re.compile(r"\s*(?:\d{4}年)?(?:前?[一二三]季度|上半年"
                           r"|前\d{1,2}个月|1\s*[-—－~～至]\s*1?\d\s*月份?"
                           r"|一至[一二三四五六七八九十]{1,2}月份?|截[至止].{0,8}?月[底末])")
#: A figure ending where a 、 follows (…4000亿、): the 、 lists values.
_FIGURE_END = re.compile(r"[0-9０-９][0-9０-９.]*\s*(?:万亿|亿|万|千)?(?:元|美元)?$")
#: The shortest subject that ends a sub-area's scope, and the parts of speech that end a subject.
_ACTOR_LEN = 4
_NOT_ACTOR = frozenset({"v", "d", "ad", "p", "c"})


def _predicate_head(text: str, start: int, end: int
                    ) -> tuple[_Subject | None, tuple[str, ...]] | None:
    """A head whose subject says something of itself before a 、 and the figure's cues after it
    (``<indicator>超过上年水平、同比增长``): the 、 separates two predicates of that subject, as a
    comma would, unless a figure ends before it. None when the head is not of that shape."""
    k = text.rfind("、", start, end)
    if k <= start or _FIGURE_END.search(text, start, k):
        return None  # a figure before the 、 (跨越4000亿、5000亿元大关): a list of values
    opened = _parse_head(text, start, k, partial=True)
    tail = _parse_head(text, k + 1, end)
    if opened is None or opened[0] is None or tail is None or tail[0] is not None:
        return None
    return opened[0], tail[1]


def _new_actor(clause: str) -> bool:
    """Whether a clause opens with a subject of its own: a noun phrase of at least
    :data:`_ACTOR_LEN` characters ending with a noun before its first verb (甲乙外包示范城市成功
    获批), not a verb or an adverbial word going on with the actor before it (加快打造…,
    动态储备…)."""
    from kg.extract.features import part_of_speech, words

    opening = words(clause[:16])
    if not opening or not part_of_speech(opening[0]).startswith("n"):
        return False
    phrase = []
    for w in opening:
        if part_of_speech(w) in _NOT_ACTOR or not w.isalpha():
            break
        phrase.append(w)
    return sum(map(len, phrase)) >= _ACTOR_LEN and part_of_speech(phrase[-1]).startswith("n")


def _bare(text: str, subject: _Subject) -> bool:
    """A subject of one short word (出口, 服务业), which continues the actor of the clause before."""
    return len(subject.spans) == 1 and subject.spans[0][1] - subject.spans[0][0] <= _BARE_LEN


def _is_start_value(text: str, q: Quantity) -> bool:
    """The start of a change (从2293亿元增加到…): not the year's value."""
    return bool(_FROM.search(text, 0, q.start)) and bool(_TO.match(text, q.end))


def _gathered(recent: list[_Subject | None], n: int | None = None) -> _Subject | None:
    """The subjects of the last clauses that name ``n`` indicators in all (all of them since
    the last clause without one when ``n`` is None), as one list (A 221亿元，B 126亿元，分别增长
    10%、5%): None when they do not add up to ``n`` or there is one clause."""
    picked: list[_Subject] = []
    count = 0
    for subj in reversed(recent):
        if subj is None or n is not None and count >= n:
            break
        picked.insert(0, subj)
        count += len(subj.indicators)
    if n is not None and count != n or len(picked) < 2:
        return None
    return _Subject(picked[0].start, tuple(i for p in picked for i in p.indicators),
                    tuple(sp for p in picked for sp in p.spans))


def _parse_head(text: str, start: int, end: int, *, partial: bool = False
                ) -> tuple[_Subject | None, tuple[str, ...]] | None:
    """Read ``[prefix] [SUBJECT] cues`` in ``text[start:end]``.

    Returns (subject, or None when the subject carries over; the cues), or None when the head
    is anything else. With ``partial`` the head is a clause without a figure: a subject at its
    start (地区生产总值再上新台阶, 固定资产投资首次突破千亿元) still opens the subject for the next one.
    """
    gap_cues, _, prefixes = cues()
    i = start
    while i < end and (text[i].isspace() or text[i] in _SEP):
        i += 1
    lead = []
    moved = True
    while moved:
        moved = False
        if m := _LEAD_YEAR.match(text, i, end):
            i, moved = m.end(), True
        if p := next((p for p in prefixes if text.startswith(p, i) and i + len(p) <= end
                      and not _surface_at(text, i, end, len(p))), ""):
            lead.append(p)
            i, moved = i + len(p), True
        while i < end and text[i].isspace():
            i += 1
    if partial:
        found = _leading_surfaces(text, i, end)
        return (_subject(i, found), ()) if found else None
    j, gap = _strip_gap(text, i, end)
    if any(gap_cues.get(c, ("",))[0] == "reject" for c in gap):
        return None
    gap = [p for p in lead if p in gap_cues] + gap
    if j == i:
        return None, tuple(gap)
    items = _items(text, i, j)
    if items is None:
        return None
    return _subject(i, items), tuple(gap)


def _strip_gap(text: str, start: int, end: int) -> tuple[int, list[str]]:
    """Peel cue words off the end of ``text[start:end]``: (where they start, the cues).

    A start value (从2293亿元) and the figure's own year (增长至2021年的) are peeled too; the
    year becomes the cue ``"year:2021"``.
    """
    gap_sorted = cues()[1]
    gap: list[str] = []
    j = end
    while j > start:
        if text[j - 1].isspace():
            j -= 1
            continue
        cue = next((c for c in gap_sorted if j - len(c) >= start and text.startswith(c, j - len(c))),
                   None)
        if cue is not None and _ends_surface(text, start, j, len(cue)):
            break
        if cue is not None:
            gap.insert(0, cue)
            j -= len(cue)
        elif m := _SHARE_TAIL.search(text, start, j):
            gap.insert(0, "share")
            j = m.start()
        elif m := _FIGURE_YEAR.search(text, start, j):
            gap.insert(0, f"year:{m[1]}")
            j = m.start()
        elif m := _FROM_TAIL.search(text, start, j):
            j = m.start()
        else:
            break
    return j, gap


def _surface_at(text: str, i: int, end: int, longer_than: int) -> bool:
    """Whether an indicator surface longer than ``longer_than`` starts at ``i`` (全社会消费品零售
    总额: 全社会 is no prefix there)."""
    return any(len(s) > longer_than and text.startswith(s, i, end) for s in lexicon()[1])


def _ends_surface(text: str, start: int, end: int, tail: int) -> bool:
    """Whether an indicator surface longer than ``tail`` ends at ``end`` (经济总量: 总量 is no cue)."""
    return any(len(s) > tail and end - len(s) >= start and text.startswith(s, end - len(s))
               for s in lexicon()[1])


def _leading_surfaces(text: str, i: int, end: int) -> list[tuple[Indicator, tuple[int, int]]]:
    """Indicators (and spans) of the surfaces joined by 、/和/与/及 that open ``text[i:end]``."""
    surfaces, surfaces_sorted = lexicon()
    found: list[tuple[Indicator, tuple[int, int]]] = []
    while s := next((s for s in surfaces_sorted if text.startswith(s, i, end)), None):
        found.extend((ind, (i, i + len(s))) for ind in surfaces[s])
        i += len(s)
        sep = _LIST_GAP.match(text, i, end)
        if not sep or not any(text.startswith(s, sep.end(), end) for s in surfaces_sorted):
            break
        i = sep.end()
    return found


def _items(text: str, i: int, end: int
           ) -> list[tuple[Indicator | None, tuple[int, int]]] | None:
    """The indicators of the subject list ``text[i:end]`` with their spans, one per item
    (None: an item that is another indicator).

    Items are joined by 、/和/与/及/以及. A bare word shares the head of the next surface when
    that makes a surface (城镇、农村居民人均可支配收入; 制造业和高新技术产业投资). An item that is no
    indicator but contains one (柯城区生产总值, 跨境电商出口) makes the whole list a sub-area or
    sub-sector one: None. So does a list without any indicator.
    """
    surfaces, surfaces_sorted = lexicon()
    items: list[tuple[str, tuple[Indicator, ...] | None, int, int]] = []
    while i < end:
        s = next((s for s in surfaces_sorted if text.startswith(s, i, end)), None)
        if s is not None:
            items.append((s, surfaces[s], i, i + len(s)))
            i += len(s)
            if paren := _PAREN.match(text, i, end):  # 地区生产总值（GDP）
                i = paren.end()
        else:
            m = _OTHER_ITEM.match(text, i, end)
            if m is None:
                return None
            items.append((m[0].strip(), None, i, m.end()))
            i = m.end()
        if sep := _LIST_GAP.match(text, i, end):
            i = sep.end()
        elif i < end:
            return None
    out: list[tuple[Indicator | None, tuple[int, int]]] = []
    for n, (word, inds, a, b) in enumerate(items):
        if inds is not None and b - a <= _BARE_LEN and n + 1 < len(items) \
                and items[n + 1][1] is None:
            inds = None  # 甲、乙投资比重: the bare word shares the next item's head
        if inds is None:
            head, b = next(((w, e) for w, x, _, e in items[n + 1:] if x is not None), ("", b))
            whole = next((word + head[k:] for k in range(1, len(head))
                          if word + head[k:] in surfaces), None)
            if whole is not None:
                inds = surfaces[whole]
            elif any(s in word for s in surfaces_sorted):
                return None
        out.extend((ind, (a, b)) for ind in (inds or (None,)))
    return out if any(ind for ind, _ in out) else None


def _written_out(text: str, subject: _Subject) -> bool:
    """Whether every item of a list subject is an indicator written in full (甲、乙、丙增长7%:
    each grows 7%), not a bare word sharing the next one's head nor one surface naming two
    (城镇和农村居民…, 城乡居民…: one figure for two is ambiguous)."""
    surfaces = lexicon()[0]
    spans = subject.spans
    return len(spans) > 1 and len(set(spans)) == len(spans) and all(
        text[a:b] in surfaces for ind, (a, b) in zip(subject.indicators, spans, strict=True)
        if ind is not None)


def _year(before: str, gap: tuple[str, ...], default: int) -> int | None:
    """The section's year, or None when the figure is of another one: a year opening a clause
    before the subject (到2025年，…) or written before the figure (增长至2021年的…)."""
    years = [int(m[1]) for m in _YEAR.finditer(before)]
    years += [int(c[5:]) for c in gap if c.startswith("year:")]
    return default if not years or years[-1] == default else None


def _observations(doc: Document, sentence: Sentence, subject: _Subject, gap: tuple[str, ...],
                  values: list[Quantity], kind: str, year: int
                  ) -> Iterator[ObservationMention]:
    gap_cues = cues()[0]
    inds = subject.indicators
    roles = [gap_cues[c][0] for c in gap if c in gap_cues]
    growth = "growth" in roles or "decline" in roles
    if len(values) != len(inds):
        if len(values) == 1 and ("分别" in gap or _EACH.intersection(gap)
                                 or growth and _written_out(sentence.text, subject)):
            values = values * len(inds)
        else:
            return
    pre = next((gap_cues[c][1] for c in gap if c in gap_cues and gap_cues[c][1]), "")
    for ind, (a, b), q in zip(inds, subject.spans, values, strict=True):
        if ind is None:
            continue
        said = growth or sentence.text.endswith(_GROWTH_SURFACE, a, b)  # 经济增长7%
        name, measure, unit = ind.measure_of(q.unit, growth=said, share="share" in gap)
        if measure is None:
            continue
        value = -q.value if "decline" in roles and measure == "growth" else q.value
        start, end = doc.span(sentence, a, q.end)
        yield ObservationMention(
            indicator=name, surface=sentence.text[a:b], value=value, unit=unit,
            measure=measure, kind=kind, year=year, sentence=sentence.index, start=start,
            end=end, qualifier=q.post or pre or next((c for c in _CAP_CUES if c in gap), ""),
        )
