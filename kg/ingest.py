"""Report file → ``Document``: decode, normalise, segment; the city and the years come from
:mod:`kg.infer`.

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
from pathlib import Path

from kg import readers
from kg.model import Document, Sentence

_FULLWIDTH_SAFE = set("％＋－．／＝＜＞＃＆＊＠＿｜～＄")
_TO_CHINESE = {",": "，", ";": "；", ":": "：", "!": "！", "?": "？", "(": "（", ")": "）"}
_SPACES = " \t\r\u3000\u00a0\u2002\u2003\u2009\u200b\ufeff"
_END = "。！？；"
_CLOSERS = "”’」』）》"
_NUMERALS = "一二三四五六七八九十"
_H1 = re.compile(rf"^(?:[{_NUMERALS}]+、|第[{_NUMERALS}]+部分)")
_H2 = re.compile(rf"^（[{_NUMERALS}]+）")
_REVIEW = re.compile(r"回顾|过去(的)?[一五]年|工作总结|(?:目标|任务)(?:全面|圆满|胜利|顺利|超额)完成")
_PLAN = re.compile(r"目标任务|工作安排|主要任务|重点工作|总体要求|工作部署|任务安排|今后五年|"
                   r"今年(的)?(政府)?工作|\d{4}年(政府)?工作(?!回顾)")
_UNNUMBERED_TOP = re.compile(r"(\d{4}年|过去[一五]年|今年|本届政府).{0,6}"
                             r"(工作回顾|目标任务|工作安排|主要任务|主要工作|重点工作|工作任务|工作建议)")
_SENTENCE = re.compile(rf"[^{_END}\n]*(?:[{_END}]+[{_CLOSERS}]*|$)")
_TITLE = re.compile(r"政府工作报告|人民代表大会|人大")
#: Markdown marks (after full-width mapping): an ATX heading's hashes, strong emphasis.
_ATX = re.compile(r"[ ]{0,3}#{1,6}(?:[ ]+|(?=[^#]))")
_STRONG = re.compile(r"(?<!\\)\*{2,}")
_HEADING_MAX = 30  # the longest line an unnumbered heading can be (_is_heading)
_RUN_ON = 4  # a bold heading ends its line only before more than this many characters


_CJK_PUNCTUATION = frozenset("“”‘’—…·，：；？！（）【】《》〈〉「」『』〔〕、。")


def is_cjk(ch: str) -> bool:
    """A Chinese character or punctuation mark: spaces next to one are layout, not content.

    >>> is_cjk("年"), is_cjk("，"), is_cjk("%"), is_cjk("A")
    (True, True, False, False)
    """
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf" or ch in _CJK_PUNCTUATION


def read_text(path: str | Path) -> str:
    """The text of a report file of any format :mod:`kg.readers` reads (``.txt``, ``.md``,
    ``.html``, ``.pdf``, ``.docx``; UTF-8 with or without BOM, UTF-16, GB18030/GBK), else
    :class:`InputError` naming the file and the reason."""
    return readers.read(path).text


def load(path: str | Path) -> Document:
    """Read and parse a report file (the file name is recorded as ``source`` only); the
    reader's title clue (front matter, ``<title>``, document metadata) goes to inference."""
    source = readers.read(path)
    return parse_text(source.text, source=Path(path).name, title=source.title)


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
        len(line) <= _HEADING_MAX and bool(_UNNUMBERED_TOP.search(line)) and not _ends_sentence(line)


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
            # a heading line longer than a heading and as wide as the text is a heading run
            # into its paragraph (（一）…。始终把…), and its line wrapped too (PDF text)
            run_in = len(prev) > _HEADING_MAX and len(prev) >= width
            wrapped = not blanks and not _ends_sentence(prev) and not _is_heading(cur) \
                and (run_in or not _is_heading(prev)) and len(prev) >= 0.6 * width
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


_YEAR = r"(\d{4}|[〇零一二三四五六七八九]{4})"
_CN_DIGITS = str.maketrans("〇零一二三四五六七八九", "00123456789")
_HEAD_YEAR = re.compile(rf"{_YEAR}年")


def _year(numeral: str) -> int:
    return int(numeral.translate(_CN_DIGITS))


def _heading_label(para: str) -> str:
    head = re.match(rf"[^{_END}]*[{_END}]?", para).group(0)  # type: ignore[union-attr]
    return head.rstrip(_END)[:40]


def _top_kinds(labels: list[str]) -> list[str]:
    """The kind of each top section, from its heading and those around it.

    回顾 decides, and so does the plan once begun. Before the review, a heading followed by one
    of a later year reviews its own year, whatever it names (一、2009年的主要工作 or
    一、完成2013年目标任务 before 二、2010年 / 2014年…). Else a plan cue (工作安排, 目标任务 …)
    makes the plan, and so, after the review, does a heading with a later year or naming goals
    and tasks.

    >>> _top_kinds(["一、2023年工作回顾", "二、2024年主要目标和重点任务", "三、加强政府自身建设"])
    ['review', 'plan', 'plan']
    >>> _top_kinds(["一、2009年的主要工作", "二、2010年主要工作任务", "三、改革开放持续深化"])
    ['review', 'plan', 'plan']
    >>> _top_kinds(["一、较好完成2013年目标任务", "二、全力做好2014年的工作"])
    ['review', 'plan']
    >>> _top_kinds(["一、甲乙奋进，各项目标任务圆满完成", "二、2022年的主要任务"])
    ['review', 'plan']
    """
    years = [[_year(y) for y in _HEAD_YEAR.findall(label)] for label in labels]
    kinds: list[str] = []
    reviewed: int | None = None  # the year the review's heading names
    for k, label in enumerate(labels):
        seen_review, seen_plan = "review" in kinds, "plan" in kinds
        later = [y for ys in years[k + 1:] for y in ys]
        if _REVIEW.search(label):
            kind = "review"
        elif seen_plan:
            kind = "plan"
        elif not seen_review and years[k] and later and max(later) > max(years[k]):
            kind = "review"  # its goals and tasks are those of a year a later heading follows
        elif _PLAN.search(label):
            kind = "plan"
        elif seen_review and (_GOALS.search(label) or years[k] and (
                reviewed is None or max(years[k]) > reviewed)):
            kind = "plan"
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


def parse_text(text: str, source: str = "", *, title: str | None = None) -> Document:
    """Normalise, segment and interpret a report's text (a pure function of ``text`` and
    ``title``, a clue from the file: front matter, ``<title>``, document metadata).

    >>> parse_text("各位代表：", title="三亚市政府工作报告 （2014年2月18日 王勇）").city.name
    '三亚市'
    """
    from kg.infer import infer_city, infer_years  # infer reads this module's heading rules

    norm, offsets = normalise(text)
    sentences = tuple(_segment(norm, offsets))
    city, city_evidence = infer_city(norm, title=title)
    report_year, review_year, year_evidence = infer_years(sentences, title=title)
    return Document(text=text, norm=norm, offsets=offsets, sentences=sentences,
                    content_hash=hashlib.sha256(text.encode("utf-8")).hexdigest(),
                    source=source, city=city, report_year=report_year, review_year=review_year,
                    evidence=(*city_evidence, *year_evidence))
