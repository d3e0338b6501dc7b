"""A report's city and years, inferred from its content (the title block, the headings, the
years and anniversaries it names); :func:`kg.ingest.parse_text` calls these.

>>> infer_city("洛阳今年… 洛阳市将…偃师、孟津…")[0].name
'洛阳市'
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from functools import cache

import cn2an

from kg import gazetteer
from kg.ingest import (
    _END,
    _H1,
    _HEAD_YEAR,
    _NUMERALS,
    _PLAN,
    _REVIEW,
    _TITLE,
    _YEAR,
    _is_heading,
    _year,
    normalise,
)
from kg.model import Place, Sentence


def infer_city(norm: str, title: str | None = None) -> tuple[Place | None, list[str]]:
    """The prefecture-level city a report is about: from the file's title clue when it names
    one, else from its title lines, else by counting the names of each city and its counties.

    >>> infer_city("洛阳今年… 洛阳市将…偃师、孟津…")[0].name
    '洛阳市'
    >>> infer_city("洛阳今年… 洛阳市将…", title="三亚市政府工作报告")
    (Place(code='460200', name='三亚市', ...), ['title clue: 三亚市政府工作报告'])

    A title names the city first; a name that several places share is read with the suffix
    written after it (甘南州 is the prefecture, not 甘南县 of 齐齐哈尔市), else by which of them the
    text names most, else the title decides nothing:

    >>> infer_city("……", title="甘南州政府工作报告")[0].name
    '甘南藏族自治州'
    """
    gz = gazetteer.default()
    votes: Counter[str] | None = None
    clues = [(normalise(title)[0], "title clue")] if title else []
    for line in norm[:600].split("\n")[:8]:
        if _is_heading(line):
            break
        if _TITLE.search(line) and len(line) <= 80:
            clues.append((line, "title"))
    for line, what in clues:
        cities = _first_city(gz, line)
        if len(cities) > 1:
            votes = _votes(gz, norm) if votes is None else votes
            cities = _named_most(cities, votes)
        if cities:
            return cities[0], [f"{what}: {line[:60]}"]
    votes = _votes(gz, norm) if votes is None else votes
    if not votes:
        return None, []
    code, count = votes.most_common(1)[0]
    runner_up = votes.most_common(2)[1][1] if len(votes) > 1 else 0
    if count < 2 or count <= runner_up:
        return None, [f"city unclear: {votes.most_common(3)}"]
    city = gz.by_code(code)
    return city, [f"city named most: {city.name} and its counties {count}× (next {runner_up})"]


#: The administrative suffixes a short name can be written with (甘南州, 朝阳市).
_SUFFIX_CHARACTERS = "省市州盟县区旗"


def _first_city(gz: gazetteer.Gazetteer, line: str) -> list[Place]:
    """The cities that the first place name of ``line`` with a city can be: one, or several
    for a name that several places share, narrowed by the suffix written after it.

    >>> gz = gazetteer.default()
    >>> [c.name for c in _first_city(gz, "浙江省衢州市政府工作报告")]
    ['衢州市']
    >>> [c.name for c in _first_city(gz, "甘南县")], [c.name for c in _first_city(gz, "甘南州")]
    (['齐齐哈尔市'], ['甘南藏族自治州'])
    >>> [c.name for c in _first_city(gz, "甘南政府工作报告")]
    ['齐齐哈尔市', '甘南藏族自治州']
    """
    for _, end, surface, places in gz.find_all(line):
        suffix = line[end:end + 1]
        if suffix and suffix in _SUFFIX_CHARACTERS:
            places = [p for p in places
                      if p.name.startswith(surface) and p.name.endswith(suffix)] or places
        cities = {c.code: c for p in places if (c := gz.city_of(p)) is not None}
        if cities:
            return list(cities.values())
    return []


def _named_most(cities: list[Place], votes: Counter[str]) -> list[Place]:
    """The one of ``cities`` that the text names more than each other one, or none."""
    ranked = sorted(cities, key=lambda c: votes[c.code], reverse=True)
    return ranked[:1] if votes[ranked[0].code] > votes[ranked[1].code] else []


def _votes(gz: gazetteer.Gazetteer, norm: str) -> Counter[str]:
    """City code → how often the text names the city or one of its counties unambiguously."""
    votes: Counter[str] = Counter()
    for _, _, _, places in gz.find_all(norm):
        codes = {c.code for p in places if (c := gz.city_of(p)) is not None}
        if len(codes) == 1:
            votes[codes.pop()] += 1
    return votes


@cache
def _anniversaries() -> tuple[tuple[str, int], ...]:
    rows = (gazetteer.DATA_DIR / "anniversaries.tsv").read_text(encoding="utf-8").splitlines()
    pairs = [r.split("\t") for r in rows if r and not r.startswith("#")][1:]
    return tuple((event, int(year)) for event, year in pairs)


_ANNIVERSARY = re.compile(r"([^，。；]{2,24}?)(\d+|[一二三四五六七八九十百零〇]+)周年")
_FIVE_YEAR = re.compile(r"十([一二三四五六七八九])五”?(?:规划)?的?(开局|起步|收官)之年")
_PLAN_PERIOD = re.compile(r"十([一二三四五六七八九])五”?(?:时期|期间|规划)")
#: A year written in digits or digit by digit in Chinese (二〇二四年, 一九九三年).
_DAY = r"(\d{1,2}|[一二三四五六七八九十]{1,3})"
#: The delivery date of the header (——2024年1月17日在…会议上, （2005年2月22日）).
_DATE = re.compile(rf"{_YEAR}年{_DAY}月{_DAY}日")
_YEAR_IS = re.compile(rf"^(?:各位代表[，,：:]?)?(刚刚过去的|过去的)?{_YEAR}年[，,]?是")
#: Plan headings that ``kg.ingest`` files under no plan cue (三、2006年的主要工作, 工作建议).
_PLAN_HEAD = re.compile(r"\d{4}年的?(?:主要|重点)(?:工作|任务)(?!回顾)|工作建议|工作意见")
#: What a ``2024年是…`` sentence says of its year: the coming one, or the one under review.
_COMING = re.compile(r"之年|第一年|最后一年|今年")
_PAST = re.compile(r"不平凡|不寻常|困难|过去")
_EMPHASIS = "*_ "


def _month(numeral: str) -> int:
    return _number(numeral) or 0


def _number(numeral: str) -> int | None:
    if numeral.isdigit():
        return int(numeral)
    try:
        return int(cn2an.cn2an(numeral, "smart"))
    except ValueError:  # not a well-formed Chinese numeral (十十)
        return None


def _plan_years(ordinal: str) -> tuple[int, int]:
    """First and last year of the 十X五 five-year plan (十四五 → 2021–2025)."""
    start = 1966 + 5 * (10 + _NUMERALS.index(ordinal) + 1 - 3)
    return start, start + 4


def _years_said(sentence: str) -> Iterator[tuple[int, str]]:
    """Years that a ``今年是…`` sentence implies for the report year."""
    for m in _ANNIVERSARY.finditer(sentence):
        n = _number(m.group(2))
        for event, base in _anniversaries():
            if event in m.group(1) and n is not None and n > 0:
                yield base + n, m.group(0)
                break
    for m in _FIVE_YEAR.finditer(sentence):
        first, last = _plan_years(m.group(1))
        yield (last if m.group(2) == "收官" else first), m.group(0)


def _top_heading(s: Sentence) -> tuple[str, str] | None:
    """(heading, kind) when ``s`` is a top heading, also one in Markdown emphasis."""
    top = s.section.split(" / ")[0]
    if top and top == s.text.rstrip(_END):
        return top.strip(_EMPHASIS), s.kind
    text = s.text.strip(_EMPHASIS).rstrip(_END).strip(_EMPHASIS)
    if s.text.startswith("**") and 0 < (end := s.text.find("**", 2)) <= 42:
        text = s.text[2:end].strip(_EMPHASIS)  # a run-in heading: **三、2012年工作部署** 今年…
    if len(text) <= 40 and _H1.match(text):
        kind = "review" if _REVIEW.search(text) else "plan" if _PLAN.search(text) else "other"
        return text, kind
    return None


def infer_years(sentences: tuple[Sentence, ...], title: str | None = None
                ) -> tuple[int | None, int | None, list[str]]:
    """Report year and review year from the header, headings and ``今年是…`` sentences.

    A report delivered at a December session reviews the year it is delivered in:

    >>> from kg.ingest import parse_text
    >>> doc = parse_text("——2022年12月19日在固原市第五届人民代表大会第三次会议上\\n一、2022年工作回顾")
    >>> doc.report_year, doc.review_year
    (2022, 2022)
    >>> parse_text("（二〇〇六年一月十一日）\\n各位代表：").report_year
    2006

    The file's title clue, when it names the year, counts first, as a title line would:

    >>> parse_text("各位代表：", title="2019年宁波市政府工作报告").report_year
    2019
    """
    report: Counter[int] = Counter()
    review: Counter[int] = Counter()
    evidence: list[str] = []

    def vote(box: Counter[int], year: int, weight: int, why: str) -> None:
        if 1949 <= year <= 2100:
            box[year] += weight
            evidence.append(f"{why} → {'report' if box is report else 'review'} {year}")

    first_in: dict[str, Sentence] = {}
    five_year_review = False
    delivered: tuple[int, int] | None = None  # year and month of the header's date
    kind, seen_heading, seen_plan = "other", False, False
    clue = normalise(title)[0] if title else ""
    if m := re.search(rf"{_YEAR}年.{{0,12}}政府工作报告", clue):
        vote(report, _year(m.group(1)), 12, f"title clue: {clue[:40]}")
    if (m := _DATE.search(clue)) and len(clue) <= 80:
        delivered = _year(m.group(1)), _month(m.group(2))
        vote(report, delivered[0], 8, f"title clue: {clue[:40]}")
    for s in sentences:
        text = s.text.strip(_EMPHASIS)
        if s.index < 8 and not seen_heading:
            if _TITLE.search(text) and (m := re.search(rf"{_YEAR}年.{{0,12}}政府工作报告", text)):
                vote(report, _year(m.group(1)), 10, text[:40])
            if len(text) <= 80 and (m := _DATE.search(text)) and delivered is None:
                delivered = _year(m.group(1)), _month(m.group(2))
                vote(report, delivered[0], 8, text[:40])
        if (heading := _top_heading(s)) is not None:
            top, kind = heading
            if kind == "other" and (seen_plan or _PLAN_HEAD.search(top) and "成就" not in top):
                kind = "plan"
            seen_heading, seen_plan = True, seen_plan or kind == "plan"
            years = [_year(y) for y in _HEAD_YEAR.findall(top)]
            period = _PLAN_PERIOD.search(top)
            if years and kind == "review":
                vote(review, years[-1], 6, top)
            elif period and kind == "review":
                vote(review, _plan_years(period.group(1))[1], 5, top)
            elif kind == "review" and "五年" in top:
                five_year_review = True
            elif years and kind == "plan":
                vote(report, years[0], 6, top)
            continue
        if five_year_review and kind == "review" and (period := _PLAN_PERIOD.search(text)):
            # 过去五年 reviews a whole plan period: its last year is the year reviewed.
            vote(review, _plan_years(period.group(1))[1], 5, period.group(0))
            five_year_review = False
        if m := _YEAR_IS.match(text):
            # "2023年是极不平凡的一年" opens a review; "2024年是…开局之年" a plan.
            coming, past = _COMING.search(text), m.group(1) or _PAST.search(text)
            weight = 3 if kind not in first_in else 2
            if past and not coming or kind == "review" and not coming:
                vote(review, _year(m.group(2)), weight, text[:20])
            elif coming or kind == "plan":
                vote(report, _year(m.group(2)), weight, text[:20])
        if kind in ("review", "plan"):
            first_in.setdefault(kind, s)
        if text.startswith("今年"):
            for year, why in _years_said(text):
                vote(report, year, 4, why)
    if not report and not review:
        return None, None, evidence
    totals = Counter({y: w for y, w in report.items()})
    for y, w in review.items():
        totals[y + 1] += w
    report_year = totals.most_common(1)[0][0]
    review_year = report_year - 1
    if delivered is not None and delivered[1] >= 11:
        # A November or December session: the header's year is the year delivered and reviewed.
        report_year = review_year = delivered[0]
        evidence.append(f"delivered in month {delivered[1]}: reviews {review_year}")
    return report_year, review_year, evidence
