"""Plain text: decoding bytes, line ends, and aligning extracted text with its source.

Decoding tries, in order: a byte-order mark (UTF-8, UTF-16, UTF-32); strict UTF-8;
charset-normalizer's best guess when it is a Chinese or UTF-16/32 encoding (GB18030 is read for
any of GB2312/GBK/GB18030, its superset); GB18030 when the result reads as Chinese (short GBK
texts are sometimes guessed as Big5 or cp932). Anything else is an :class:`InputError`.

>>> decode("衢州".encode("gbk"), "x.txt")
('衢州', 'gb18030')
>>> decode("\\ufeff衢州".encode("utf-16-le"), "x.txt")
('衢州', 'utf-16')
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable
from pathlib import Path

from charset_normalizer import from_bytes

from kg.errors import InputError
from kg.readers import Source

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
)
_LINE_END = re.compile(r"\r\n?")
_CHINESE = ("gb18030", "gbk", "gb2312", "hz")
_CJK_PUNCTUATION = frozenset("“”‘’—…·，：；？！（）【】《》〈〉「」『』〔〕、。")


def _is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf" or ch in _CJK_PUNCTUATION


def _reads_as_text(text: str, *, chinese: bool) -> bool:
    if not text:
        return False
    printable = sum(c.isprintable() or c in "\r\n\t" for c in text)
    if printable < 0.99 * len(text):
        return False
    if not chinese:
        return True
    wide = [c for c in text if not c.isascii()]  # markup and digits are ASCII in any encoding
    return bool(wide) and sum(map(_is_cjk, wide)) >= 0.5 * len(wide)


def decode(data: bytes, path: str | Path) -> tuple[str, str]:
    """The decoded text of a file's bytes and the encoding that read it (BOM not included)."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding.removesuffix("-sig")
            except UnicodeDecodeError as e:
                raise InputError(f"{path}: starts with a {encoding} byte-order mark but is not "
                                 f"{encoding} ({e.reason} at byte {e.start})") from e
    if b"\x00" not in data:
        try:
            return data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            pass
    best = from_bytes(data).best()
    guess = best.encoding if best is not None else ""
    # UTF-16/32 without a BOM: only with NUL bytes (line ends and digits have them there)
    wide = guess.startswith(("utf_16", "utf_32")) and b"\x00" in data
    if guess in _CHINESE or wide:
        encoding = "gb18030" if guess in _CHINESE else guess.replace("_", "-")
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            pass
        else:
            if _reads_as_text(text, chinese=False):
                return text, encoding
    if b"\x00" not in data:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError:
            pass
        else:
            if _reads_as_text(text, chinese=True):
                return text, "gb18030"
    if b"\x00" in data:
        raise InputError(f"{path}: a binary file, not text")
    raise InputError(f"{path}: not UTF-8, UTF-16 or GB18030 text (charset-normalizer guessed "
                     f"{guess or 'nothing'}); convert the report to UTF-8 first")


def unify_newlines(text: str) -> tuple[str, tuple[int, ...] | None]:
    r"""``\r\n`` and lone ``\r`` become ``\n``; offsets into ``text``, or None when unchanged.

    >>> unify_newlines("a\r\nb\rc")
    ('a\nb\nc', (0, 2, 3, 4, 5))
    """
    if "\r" not in text:
        return text, None
    offsets: list[int] = []
    pos = 0
    for m in _LINE_END.finditer(text):  # by runs, not by character: a 20 MB file stays small
        offsets += range(pos, m.start())
        offsets.append(m.end() - 1)  # the \n of a pair, or the lone \r
        pos = m.end()
    offsets += range(pos, len(text))
    return _LINE_END.sub("\n", text), tuple(offsets)


def align(pieces: Iterable[tuple[str, int, int]], source: str) -> tuple[str, tuple[int, ...]]:
    """Join pieces of text found in ``source`` and give each character its offset there.

    Each piece is ``(text, lo, hi)``: its characters are looked for in ``source[lo:hi]``,
    after the previous piece's; a piece found whole takes its place, else each character is
    placed where it next occurs (entities and escapes change a few characters), else where the
    search stands. A piece with ``lo < 0`` is synthetic (a separator) and takes the last
    position.

    >>> align([("增长", 0, 9), ("\\n", -1, -1), ("5%", 0, 9)], "**增长**5&#37;")
    ('增长\\n5%', (2, 3, 3, 6, 7))
    """
    out: list[str] = []
    offsets: list[int] = []
    cursor = 0
    for text, lo, hi in pieces:
        if not text:
            continue
        out.append(text)
        if lo < 0:
            offsets += [max(cursor - 1, 0)] * len(text)
            continue
        start = max(lo, cursor)
        at = source.find(text, start, hi)
        if at >= 0:
            offsets += range(at, at + len(text))
            cursor = at + len(text)
            continue
        for ch in text:
            at = source.find(ch, max(lo, cursor), hi)
            if at >= 0:
                offsets.append(at)
                cursor = at + 1
            else:
                offsets.append(min(max(lo, cursor), len(source) - 1))
    return "".join(out), tuple(offsets)


def compose(outer: tuple[int, ...] | None, inner: tuple[int, ...]) -> tuple[int, ...]:
    """Offsets through two steps: ``inner`` into a text whose ``outer`` offsets are known."""
    return inner if outer is None else tuple(outer[i] for i in inner)


def read_txt(path: Path, data: bytes) -> Source:
    """A plain-text report: decoded, line ends unified; offsets only when line ends changed."""
    text, encoding = decode(data, path)
    text, offsets = unify_newlines(text)
    return Source(text=text, title=None, format="txt", encoding=encoding, offsets=offsets)
