"""A report's title block: the day it was delivered, the people's congress session, the speaker
and their office (#13), each with the line it was read from.

The title block is what comes before the address (各位代表) and the first heading, in the first
lines of the text::

    2024年衢州市政府工作报告
    ——2024年1月20日在衢州市第九届人民代表大会第四次会议上     date, session
    衢州市人民政府市长 高屹                                  office, speaker

It is read by its shapes alone: a date (digits or Chinese numerals), ``第X届人民代表大会第Y次会议``
(or ``X届人大Y次会议``), and a line that ends in an office (市长, 代市长, 州长, 盟长, 副市长,
专员 …) and a name, after a government's name or nothing. A report without a title block (the
text starts at 各位代表) has none of these, and nothing is guessed.

>>> from kg.ingest import parse_text
>>> t = title_block(parse_text("——2024年1月20日在衢州市第九届人民代表大会第四次会议上\\n\\n"
...                            "衢州市人民政府市长 高屹\\n\\n各位代表："))
>>> t.date, t.session, t.congress, t.session_number, t.office, t.speaker
(datetime.date(2024, 1, 20), '第九届人民代表大会第四次会议', 9, 4, '市长', '高屹')
>>> (t.date_sentence, t.session_sentence, t.speaker_sentence)
(0, 0, 1)
>>> title_block(parse_text("各位代表：\\n现在，我代表市人民政府向大会报告工作。")).empty
True
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Any

from kg.infer import _DATE, _number
from kg.ingest import _HEAD_YEAR, _year
from kg.model import Document

#: How far a title block reaches at most: its lines, and the characters they start within.
MAX_LINES = 10
MAX_START = 1000
_NUM = r"[\d〇零一二两三四五六七八九十百]+"
#: 第九届人民代表大会第四次会议, 十五届人大三次会议 (a standing committee's session is no congress).
_SESSION = re.compile(rf"第?(?P<congress>{_NUM})届(?:人民代表大会|人大)第?(?P<meeting>{_NUM})次"
                      r"(?:会议|全体会议)?")
_OFFICE = r"(?:常务)?副(?:市|州|盟)长|代理?(?:市|州|盟)长|(?:市|州|盟)长|代?(?:行署)?专员"
#: ``[government] OFFICE NAME`` closing a line, or closing the session line (…会议上市长 王远鹤).
_SPEAKER = re.compile(rf"(?:^|会议上)[\u4e00-\u9fff]{{0,20}}?(?P<office>{_OFFICE})[？?]?"
                      r"(?P<name>[\u4e00-\u9fff][\u4e00-\u9fff·•]{1,11}?)?(?:作(?:政府工作)?报告)?$")
#: A line that is a name alone (朱洪武, 伊力哈木·沙比尔): the speaker, after an office line.
_NAME = re.compile(r"[\u4e00-\u9fff]{2,4}|[\u4e00-\u9fff]{2,8}[·•][\u4e00-\u9fff]{2,8}")
_ADDRESS = "各位代表"
_MARKS = "*_ "
#: A session from this month on is held after the year's annual one (held by July, even when
#: put off as in 2020); from ``_NEXT_ANNUAL`` on it may be the next year's annual session.
_AFTER_ANNUAL = 8
_NEXT_ANNUAL = 11
#: Words that name the coming year in a late session's plan, beside the year itself.
_NEXT_YEAR = ("明年", "来年", "新的一年")


@dataclass(frozen=True)
class TitleBlock:
    """What a report's title block says; each ``*_sentence`` is the index of the sentence
    (the title-block line) the field was read from, None when the field is absent."""

    date: datetime.date | None = None
    date_sentence: int | None = None
    session: str = ""  # 第九届人民代表大会第四次会议
    congress: int | None = None
    session_number: int | None = None
    session_sentence: int | None = None
    speaker: str = ""
    office: str = ""
    speaker_sentence: int | None = None

    @property
    def empty(self) -> bool:
        return self.date is None and not self.session and not self.speaker


def title_block(doc: Document) -> TitleBlock:
    """The title block of ``doc``: the first date, session and speaker line before the address
    (各位代表) or the first heading, within the first ``MAX_LINES`` sentences."""
    found: dict[str, Any] = {}
    for s in doc.sentences[:MAX_LINES]:
        text = s.text.strip(_MARKS)
        if s.section or s.start > MAX_START or text.startswith(_ADDRESS):
            break
        if "date" not in found and (m := _DATE.search(text)):
            day = _date(m.group(1), m.group(2), m.group(3))
            if day is not None:
                found |= {"date": day, "date_sentence": s.index}
        if "session" not in found and (m := _SESSION.search(text)):
            congress, meeting = _number(m["congress"]), _number(m["meeting"])
            if congress and meeting:
                found |= {"session": f"第{m['congress']}届人民代表大会第{m['meeting']}次会议",
                          "congress": congress, "session_number": meeting,
                          "session_sentence": s.index}
        if "office" in found and not found.get("speaker") and _NAME.fullmatch(text):
            found |= {"speaker": text, "speaker_sentence": s.index}  # 市人民政府代市长 / 朱洪武
        if "office" not in found and (m := _SPEAKER.search(text)):
            found |= {"speaker": m["name"] or "", "office": m["office"],
                      "speaker_sentence": s.index}
    return TitleBlock(**found)


def _date(year: str, month: str, day: str) -> datetime.date | None:
    """The date of a header's numerals, None when they make no date (2月30日).

    >>> _date("二〇二一", "二", "五"), _date("2023", "2", "30")
    (datetime.date(2021, 2, 5), None)
    """
    m, d = _number(month), _number(day)
    try:
        return datetime.date(_year(year), m or 0, d or 0)
    except ValueError:
        return None


def term_session(doc: Document) -> datetime.date | None:
    """The delivery date of a report that plans no year of its own, None for one that plans a
    year (an annual session's, the usual kind).

    A session held after the year's annual one, from August, is a term (换届) or mid-year
    session: it reviews the term and sets out the next five years, or the rest of the year. One
    from November may instead be the next year's annual session, held early: it is that when
    it names the next year (2023年, 明年) anywhere; one from August to October never is.

    >>> from kg.ingest import parse_text
    >>> term_session(parse_text("——2021年9月8日在某市第九届人民代表大会第一次会议上\\n"
    ...                         "一、过去五年工作回顾\\n二、今后五年的目标任务"))
    datetime.date(2021, 9, 8)
    >>> term_session(parse_text("——2021年12月8日在某市第九届人民代表大会第一次会议上\\n"
    ...                         "一、过去五年工作回顾\\n二、2022年工作安排")) is None
    True
    >>> term_session(parse_text("——2021年3月8日在某市第九届人民代表大会第六次会议上")) is None
    True
    """
    date = title_block(doc).date
    if date is None or date.month < _AFTER_ANNUAL:
        return None
    if date.month >= _NEXT_ANNUAL and (
            any(w in doc.norm for w in _NEXT_YEAR)
            or any(_year(y) == date.year + 1 for y in _HEAD_YEAR.findall(doc.norm))):
        return None
    return date
