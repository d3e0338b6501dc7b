"""Report file → ``Document``: decode, normalise, segment, and infer the city and the years.

Normalisation keeps one original index per normalised character (``Document.offsets``) and
changes only what gets in the way of extraction:

* full-width digits, Latin letters and ``％＋－．／`` become ASCII; Kangxi radicals and CJK
  compatibility ideographs (PDF artefacts) become the ordinary ideograph;
* ASCII ``, ; : ! ? ( )`` next to Chinese text become ``，；：！？（）`` so that one set of
  punctuation marks sentences and headings; Chinese punctuation (``，。、“”《》（）``) is kept;
* spaces next to Chinese text and inside numbers go (``2014 年`` → ``2014年``,
  ``7. 5 %`` → ``7.5%``); other runs of spaces become one space;
* a single line break inside a sentence (a wrapped line) is removed; a paragraph break becomes
  one ``\\n``;
* Markdown marks are layout too: ``#`` opening a line (an ATX heading) and emphasis ``**`` go,
  and a bold heading run into its paragraph without a full stop (``**一、过去五年工作回顾** 过去五年，…``)
  ends its own line, as it would in plain text.

Segmentation: headings ``一、`` (top) and ``（一）`` (sub), also when the heading runs into its
paragraph (``（一）经济运行稳进提质。始终把…``), give ``Sentence.section``; where an unnumbered
top heading (``2023年工作回顾``) comes first, ``一、`` are its parts. A top heading with 回顾
makes its sentences ``review``, one with 目标任务/工作安排/主要任务/… ``plan``, and later top
sections (三、加强政府自身建设) stay ``plan``: they are about the coming year too. A top heading
without such a cue is placed by the years and goals the headings name (``_top_kinds``).

>>> doc = parse_text("2015 年衢州市政府工作报告\\n\\n一、2014 年工作回顾\\n\\n生产总值 1121 亿元，增长 7. 5%。")
>>> doc.norm
'2015年衢州市政府工作报告\\n一、2014年工作回顾\\n生产总值1121亿元，增长7.5%。'
>>> doc.city.name, doc.report_year, doc.review_year, doc.sentences[-1].kind
('衢州市', 2015, 2014, 'review')
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import cn2an
from charset_normalizer import from_bytes

from kg import gazetteer
from kg.errors import InputError
from kg.model import Document, Place, Sentence

_FULLWIDTH_SAFE = set("％＋－．／＝＜＞＃＆＊＠＿｜～＄")
_TO_CHINESE = {",": "，", ";": "；", ":": "：", "!": "！", "?": "？", "(": "（", ")": "）"}
_SPACES = " \t\r\u3000\u00a0\u2002\u2003\u2009\u200b\ufeff"
_END = "。！？；"
_CLOSERS = "”’」』）》"
_NUMERALS = "一二三四五六七八九十"
_H1 = re.compile(rf"^(?:[{_NUMERALS}]+、|第[{_NUMERALS}]+部分)")
_H2 = re.compile(rf"^（[{_NUMERALS}]+）")
_REVIEW = re.compile(r"回顾|过去(的)?[一五]年|工作总结")
_PLAN = re.compile(r"目标任务|工作安排|主要任务|重点工作|总体要求|工作部署|任务安排|今后五年|"
                   r"今年(的)?(政府)?工作|\d{4}年(政府)?工作(?!回顾)")
_UNNUMBERED_TOP = re.compile(r"(\d{4}年|过去[一五]年|今年|本届政府).{0,6}"
                             r"(工作回顾|目标任务|工作安排|主要任务|主要工作|重点工作|工作任务|工作建议)")
_SENTENCE = re.compile(rf"[^{_END}\n]*(?:[{_END}]+[{_CLOSERS}]*|$)")
_TITLE = re.compile(r"政府工作报告|人民代表大会|人大")
#: Markdown marks (after full-width mapping): an ATX heading's hashes, strong emphasis.
_ATX = re.compile(r"[ ]{0,3}#{1,6}(?:[ ]+|(?=[^#]))")
_STRONG = re.compile(r"(?<!\\)\*{2,}")
_RUN_ON = 4  # a bold heading ends its line only before more than this many characters


_CJK_PUNCTUATION = frozenset("“”‘’—…·，：；？！（）【】《》〈〉「」『』〔〕、。")


def is_cjk(ch: str) -> bool:
    """A Chinese character or punctuation mark: spaces next to one are layout, not content.

    >>> is_cjk("年"), is_cjk("，"), is_cjk("%"), is_cjk("A")
    (True, True, False, False)
    """
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf" or ch in _CJK_PUNCTUATION


def read_text(path: str | Path) -> str:
    """Decode a report file: UTF-8 (with or without BOM), else GB18030/GBK, else InputError."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as e:
        raise InputError(f"{path}: cannot read the file ({e.strerror})") from e
    if b"\x00" not in data:
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            pass
        best = from_bytes(data).best()
        if best is not None and best.encoding in ("gb18030", "gbk", "gb2312"):
            return data.decode("gb18030")
        try:  # short GBK texts are sometimes labelled big5 or cp932: accept what reads as Chinese
            text = data.decode("gb18030")
        except UnicodeDecodeError:
            pass
        else:
            if _reads_as_chinese(text):
                return text
    raise InputError(f"{path}: not UTF-8 or GB18030 text; convert the report to UTF-8 first")


def _reads_as_chinese(text: str) -> bool:
    printable = all(c.isprintable() or c in "\r\n\t" for c in text)
    return printable and sum(map(is_cjk, text)) >= 0.3 * len(text)


def load(path: str | Path) -> Document:
    """Read and parse a report file (the file name is recorded as ``source`` only)."""
    return parse_text(read_text(path), source=Path(path).name)


def _map_char(text: str, i: int) -> str:
    ch = text[i]
    if "\uff10" <= ch <= "\uff5a" and ch.isalnum() or ch in _FULLWIDTH_SAFE:
        return chr(ord(ch) - 0xFEE0)
    if "\u2e80" <= ch <= "\u2fdf" or "\uf900" <= ch <= "\ufaff":
        nfkc = unicodedata.normalize("NFKC", ch)
        return nfkc if len(nfkc) == 1 else ch
    if ch in _SPACES:
        return " "
    if ch in _TO_CHINESE:
        # Brackets look both ways so that a pair stays a pair: 总值(GDP) → 总值（GDP）.
        for step in (-1, 1) if ch in "()" else (-1,):
            j = i + step
            while 0 <= j < len(text) and text[j] in _SPACES:
                j += step
            if 0 <= j < len(text) and is_cjk(text[j]):
                return _TO_CHINESE[ch]
    return ch


def _ends_sentence(line: str) -> bool:
    line = line.rstrip(_CLOSERS)
    return bool(line) and line[-1] in _END + "：…"


def _is_heading(line: str) -> bool:
    return bool(_H1.match(line) or _H2.match(line)) or \
        len(line) <= 30 and bool(_UNNUMBERED_TOP.search(line)) and not _ends_sentence(line)


def normalise(text: str) -> tuple[str, tuple[int, ...]]:
    """Normalised text and, for each of its characters, the index of its source in ``text``.

    >>> normalise("增长 7. 5 %，总值\\n1121 亿元")
    ('增长7.5%，总值1121亿元', (0, 1, 3, 4, 6, 8, 9, 10, 11, 13, 14, 15, 16, 18, 19, 20))
    """
    mapped = [_map_char(text, i) for i in range(len(text))]
    _unmark(mapped)
    lines: list[tuple[list[str], list[int], int]] = []  # chars, offsets, blank lines before
    blanks, start = 0, 0
    for end in [*(i for i, c in enumerate(mapped) if c == "\n"), len(text)]:
        chars, offs = _squeeze(mapped, start, end)
        if chars:
            lines.append((chars, offs, blanks if lines else 0))
            blanks = 0
        else:
            blanks += 1
        start = end + 1
    single = sorted(len(c) for (c, _, _), nxt in zip(lines, lines[1:], strict=False) if not nxt[2])
    width = single[int(0.9 * (len(single) - 1))] if single else 0
    out: list[str] = []
    offsets: list[int] = []
    for k, (chars, offs, blanks) in enumerate(lines):
        if k:
            prev = "".join(lines[k - 1][0])
            cur = "".join(chars)
            newline = lines[k - 1][1][-1] + 1
            wrapped = not blanks and not _ends_sentence(prev) and not _is_heading(prev) \
                and not _is_heading(cur) and len(prev) >= 0.6 * width
            if not wrapped:
                out.append("\n")
                offsets.append(newline)
            elif _latin(prev[-1]) and _latin(cur[0]):  # a wrapped English phrase keeps its space
                out.append(" ")
                offsets.append(newline)
        out += chars
        offsets += offs
    return "".join(out), (*offsets, len(text))


def _unmark(mapped: list[str]) -> None:
    """Blank out Markdown heading and emphasis marks in ``mapped`` (each becomes ``""``); the
    closing mark of a bold heading run into its paragraph becomes a line break.

    >>> norm, offsets = normalise("## 一、工作回顾\\n**（一）经济运行** 全年增长5%，**重点**项目")
    >>> norm, offsets[:2], offsets[norm.index("重")]
    ('一、工作回顾\\n（一）经济运行\\n全年增长5%，重点项目', (3, 4), 31)
    """
    joined = "".join(mapped)  # one character per entry: same indices as the text
    for line in re.finditer(r"[^\n]+", joined):
        a, b = line.span()
        if atx := _ATX.match(joined, a, b):
            mapped[a:atx.end()] = [""] * (atx.end() - a)
        marks = list(_STRONG.finditer(joined, a, b))
        for m in marks:
            mapped[m.start():m.end()] = [""] * (m.end() - m.start())
        if len(marks) >= 2 and not joined[atx.end() if atx else a:marks[0].start()].strip():
            head = re.sub(r"\s+", "", joined[marks[0].end():marks[1].start()])
            rest = joined[marks[1].end():b].strip()
            if _is_heading(head) and not _ends_sentence(head) and len(rest) > _RUN_ON \
                    and rest[0] not in _END + "：:，,":
                mapped[marks[1].start()] = "\n"


def _latin(ch: str) -> bool:
    return ch.isascii() and ch.isalpha()


def _squeeze(mapped: list[str], start: int, end: int) -> tuple[list[str], list[int]]:
    """One line without edge spaces and without spaces next to Chinese or inside numbers."""
    chars: list[str] = []
    offs: list[int] = []
    i = start
    while i < end:
        if not mapped[i]:  # a mark dropped by _unmark
            i += 1
            continue
        if mapped[i] != " ":
            chars.append(mapped[i])
            offs.append(i)
            i += 1
            continue
        j = i
        while j < end and mapped[j] in (" ", ""):
            j += 1
        left, right = (chars[-1] if chars else ""), (mapped[j] if j < end else "")
        numeric = left.isdigit() or left == "."
        if left and right and not (is_cjk(left) or is_cjk(right)) \
                and not (numeric and (right.isdigit() or right in ".%")):
            chars.append(" ")
            offs.append(i)
        i = j
    return chars, offs


#: Goals and tasks: after the review, a top heading naming them opens the plan.
_GOALS = re.compile(r"目标|任务|要求|考虑|设想|打算|建议|意见")


def _heading_label(para: str) -> str:
    head = re.match(rf"[^{_END}]*[{_END}]?", para).group(0)  # type: ignore[union-attr]
    return head.rstrip(_END)[:40]


def _top_kinds(labels: list[str]) -> list[str]:
    """The kind of each top section, from its heading and those around it.

    A cue (回顾, 工作安排, …) decides; so does the plan once begun. A heading without a cue is
    placed by the years the headings name: after the review, one with a later year or naming
    goals and tasks is the plan; before it, one followed by a heading of a later year reviews
    its own year (一、2009年的主要工作 before 二、2010年主要工作任务).

    >>> _top_kinds(["一、2023年工作回顾", "二、2024年主要目标和重点任务", "三、加强政府自身建设"])
    ['review', 'plan', 'plan']
    >>> _top_kinds(["一、2009年的主要工作", "二、2010年主要工作任务", "三、改革开放持续深化"])
    ['review', 'plan', 'plan']
    """
    years = [[_year(y) for y in _HEAD_YEAR.findall(label)] for label in labels]
    kinds: list[str] = []
    reviewed: int | None = None  # the year the review's heading names
    for k, label in enumerate(labels):
        seen_review, seen_plan = "review" in kinds, "plan" in kinds
        later = [y for ys in years[k + 1:] for y in ys]
        if _REVIEW.search(label):
            kind = "review"
        elif _PLAN.search(label) or seen_plan:
            kind = "plan"
        elif seen_review and (_GOALS.search(label) or years[k] and (
                reviewed is None or max(years[k]) > reviewed)):
            kind = "plan"
        elif not seen_review and years[k] and later and max(later) > max(years[k]):
            kind = "review"
        else:
            kind = "other"
        if kind == "review" and years[k]:
            reviewed = max(years[k])
        kinds.append(kind)
    return kinds


def _headings(paragraphs: list[str]) -> dict[int, tuple[int, str]]:
    """Paragraph index → (level, label) of each heading; level 0 is a top section.

    Numbered headings (一、) are top, and （一） their parts, unless an unnumbered top heading
    (2023年工作回顾) comes before the first of them: then 一、 are its parts, one level down.

    >>> _headings(["2023年工作回顾", "一、经济稳中有进", "（一）工业", "2024年主要工作"])
    {0: (0, '2023年工作回顾'), 1: (1, '一、经济稳中有进'), 2: (2, '（一）工业'), 3: (0, '2024年主要工作')}
    """
    shapes = {k: 1 if _H1.match(p) else 2 if _H2.match(p) else 0
              for k, p in enumerate(paragraphs) if _is_heading(p)}
    outer = next((shape for shape in shapes.values() if shape < 2), 1) == 0
    return {k: (shape if outer or shape == 0 else shape - 1, _heading_label(paragraphs[k]))
            for k, shape in shapes.items()}


def _segment(norm: str, offsets: tuple[int, ...]) -> list[Sentence]:
    paragraphs = norm.split("\n")
    headings = _headings(paragraphs)
    tops = [k for k, (level, _) in headings.items() if level == 0]
    kinds = dict(zip(tops, _top_kinds([headings[k][1] for k in tops]), strict=True))
    sentences: list[Sentence] = []
    path: list[str] = []  # the labels of the headings over the paragraph, top first
    kind = "other"
    pos = 0
    for paragraph_index, para in enumerate(paragraphs):
        if paragraph_index in headings:
            level, label = headings[paragraph_index]
            path = [*path[:level], *[""] * (level - len(path)), label]
            kind = kinds.get(paragraph_index, kind)
        section = " / ".join(part for part in path if part)
        for m in _SENTENCE.finditer(para):
            a, b = m.span()
            while a < b and para[a] == " ":
                a += 1
            if a == b:
                continue
            na, nb = pos + a, pos + b
            sentences.append(Sentence(index=len(sentences), start=offsets[na],
                                      end=offsets[nb - 1] + 1, text=para[a:b], section=section,
                                      kind=kind, paragraph=paragraph_index, norm_start=na))
        pos += len(para) + 1
    return sentences


def parse_text(text: str, source: str = "") -> Document:
    """Normalise, segment and interpret a report's text (a pure function of ``text``)."""
    norm, offsets = normalise(text)
    sentences = tuple(_segment(norm, offsets))
    city, city_evidence = infer_city(norm)
    report_year, review_year, year_evidence = infer_years(sentences)
    return Document(text=text, norm=norm, offsets=offsets, sentences=sentences,
                    content_hash=hashlib.sha256(text.encode("utf-8")).hexdigest(),
                    source=source, city=city, report_year=report_year, review_year=review_year,
                    evidence=(*city_evidence, *year_evidence))


def infer_city(norm: str) -> tuple[Place | None, list[str]]:
    """The prefecture-level city a report is about: from its title lines, else by counting
    the names of each city and of its counties.

    >>> infer_city("洛阳今年… 洛阳市将…偃师、孟津…")[0].name
    '洛阳市'
    """
    gz = gazetteer.default()
    for line in norm[:600].split("\n")[:8]:
        if _is_heading(line):
            break
        if _TITLE.search(line) and len(line) <= 80:
            # city_of: a county gives its city, a municipality its city, a province nothing
            cities = [c for *_, ps in gz.find_all(line) for p in ps if (c := gz.city_of(p))]
            if cities:
                return cities[0], [f"title: {line[:60]}"]
    votes: Counter[str] = Counter()
    for _, _, _, places in gz.find_all(norm):
        cities = {c.code for p in places if (c := gz.city_of(p)) is not None}
        if len(cities) == 1:
            votes[cities.pop()] += 1
    if not votes:
        return None, []
    code, count = votes.most_common(1)[0]
    runner_up = votes.most_common(2)[1][1] if len(votes) > 1 else 0
    if count < 2 or count <= runner_up:
        return None, [f"city unclear: {votes.most_common(3)}"]
    city = gz.by_code(code)
    return city, [f"city named most: {city.name} and its counties {count}× (next {runner_up})"]


@cache
def _anniversaries() -> tuple[tuple[str, int], ...]:
    rows = (gazetteer.DATA_DIR / "anniversaries.tsv").read_text(encoding="utf-8").splitlines()
    pairs = [r.split("\t") for r in rows if r and not r.startswith("#")][1:]
    return tuple((event, int(year)) for event, year in pairs)


_ANNIVERSARY = re.compile(r"([^，。；]{2,24}?)(\d+|[一二三四五六七八九十百零〇]+)周年")
_FIVE_YEAR = re.compile(r"十([一二三四五六七八九])五”?(?:规划)?的?(开局|起步|收官)之年")
_PLAN_PERIOD = re.compile(r"十([一二三四五六七八九])五”?(?:时期|期间|规划)")
#: A year written in digits or digit by digit in Chinese (二〇二四年, 一九九三年).
_YEAR = r"(\d{4}|[〇零一二三四五六七八九]{4})"
_CN_DIGITS = str.maketrans("〇零一二三四五六七八九", "00123456789")
_DAY = r"(\d{1,2}|[一二三四五六七八九十]{1,3})"
#: The delivery date of the header (——2024年1月17日在…会议上, （2005年2月22日）).
_DATE = re.compile(rf"{_YEAR}年{_DAY}月{_DAY}日")
_YEAR_IS = re.compile(rf"^(?:各位代表[，,：:]?)?(刚刚过去的|过去的)?{_YEAR}年[，,]?是")
_HEAD_YEAR = re.compile(rf"{_YEAR}年")
#: Plan headings that ``kg.ingest`` files under no plan cue (三、2006年的主要工作, 工作建议).
_PLAN_HEAD = re.compile(r"\d{4}年的?(?:主要|重点)(?:工作|任务)(?!回顾)|工作建议|工作意见")
#: What a ``2024年是…`` sentence says of its year: the coming one, or the one under review.
_COMING = re.compile(r"之年|第一年|最后一年|今年")
_PAST = re.compile(r"不平凡|不寻常|困难|过去")
_EMPHASIS = "*_ "


def _year(numeral: str) -> int:
    return int(numeral.translate(_CN_DIGITS))


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


def infer_years(sentences: tuple[Sentence, ...]) -> tuple[int | None, int | None, list[str]]:
    """Report year and review year from the header, headings and ``今年是…`` sentences.

    A report delivered at a December session reviews the year it is delivered in:

    >>> doc = parse_text("——2022年12月19日在固原市第五届人民代表大会第三次会议上\\n一、2022年工作回顾")
    >>> doc.report_year, doc.review_year
    (2022, 2022)
    >>> parse_text("（二〇〇六年一月十一日）\\n各位代表：").report_year
    2006
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
