"""Markdown reports: markdown-it-py (CommonMark and tables) with mdit-py-plugins' front matter
and footnotes; the text of each block, without marks, HTML comments or footnotes.

A block is followed by a blank line, a soft or hard break stays a line break (``kg.ingest``
joins wrapped lines), a table row is a line with its cells apart. The number of an ordered list
item is kept (``2023. 今年…`` is a list to CommonMark, and its number is the report's). The
front matter is YAML (PyYAML); its ``title`` is the title clue.

>>> src = "---\\ntitle: 某市政府工作报告\\n---\\n## 一、回顾\\n增长**5%**[^1]<!-- 注 -->。\\n\\n[^1]: 注释\\n"
>>> s = read_markdown(Path("r.md"), src.encode())
>>> s.title, s.text
('某市政府工作报告', '一、回顾\\n\\n增长5%。')
>>> all(src[o] == c for c, o in zip(s.text, s.offsets) if c != "\\n")
True
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.front_matter import front_matter_plugin

from kg.readers import Source
from kg.readers.text import align, compose, decode, unify_newlines

Piece = tuple[str, int, int]  # text, where to look for it in the source: [lo, hi); lo < 0: none
_DELIMITERS = re.compile(r"\*{2,}")
_BLOCK_END = ("\n\n", -1, -1)
_RANK = {" ": 0, "\n": 1, "\n\n": 2}
_SKIPPED_BLOCKS = ("footnote_block_open", "footnote_block_close")


@cache
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark").enable("table").use(front_matter_plugin).use(footnote_plugin)
    md.core.ruler.disable("text_join")  # keeps escapes (text_special) apart from text
    md.disable("code")  # an indented paragraph is a paragraph: reports hold no code
    return md


def read_markdown(path: Path, data: bytes) -> Source:
    """A Markdown report: its text without markup, the front matter's title, offsets."""
    decoded, encoding = decode(data, path)
    src, newline_offsets = unify_newlines(decoded)
    tokens = _parser().parse(src)
    title = next((_title(t.content) for t in tokens if t.type == "front_matter"), None)
    text, offsets = align(_separated(_pieces(tokens, src)), src)
    return Source(text=text, title=title, format="md", encoding=encoding,
                  offsets=compose(newline_offsets, offsets[:len(text)]))


def _title(front_matter: str) -> str | None:
    try:
        meta = yaml.safe_load(front_matter)
    except yaml.YAMLError:
        return None  # a broken front matter hides no text: the report is still read
    title = meta.get("title") if isinstance(meta, dict) else None
    return str(title).strip() or None if title is not None else None


def _separated(pieces: Iterator[Piece]) -> Iterator[Piece]:
    """Separators only between text: none first or last, a run of them as the strongest."""
    pending: Piece | None = None
    started = False
    for piece in pieces:
        if not piece[0]:
            continue
        if piece[1] < 0:
            if pending is None or _RANK[piece[0]] > _RANK[pending[0]]:
                pending = piece
            continue
        if pending is not None and started:
            yield pending
        pending, started = None, True
        yield piece


def _pieces(tokens: list[Token], src: str) -> Iterator[Piece]:
    line_starts = [0, *(i + 1 for i, c in enumerate(src) if c == "\n")]

    def span(token: Token) -> tuple[int, int]:
        if token.map is None:
            return 0, len(src)
        first, last = token.map
        return line_starts[first], line_starts[last] if last < len(line_starts) else len(src)

    in_footnotes = False
    for token in tokens:
        if token.type in _SKIPPED_BLOCKS:
            in_footnotes = token.type == "footnote_block_open"
            continue
        if in_footnotes:
            continue
        lo, hi = span(token)
        if token.type == "inline":
            yield from _inline(token.children or [], lo, hi)
        elif token.type == "list_item_open" and token.info:
            yield token.info + token.markup, lo, hi  # the number of an ordered item
        elif token.type in ("code_block", "fence"):
            yield token.content.rstrip("\n"), lo, hi
        elif token.type == "html_block" and not token.content.lstrip().startswith("<!--"):
            from kg.readers.web import html_pieces

            yield from ((t, lo, hi) for t in html_pieces(token.content))
        elif token.type in ("th_close", "td_close"):
            yield " ", -1, -1
        elif token.type == "tr_close":
            yield "\n", -1, -1
        if token.type in ("paragraph_close", "heading_close", "code_block", "fence",
                            "html_block", "table_close", "hr"):
            yield _BLOCK_END


def _inline(children: list[Token], lo: int, hi: int) -> Iterator[Piece]:
    for child in children:
        if child.type == "text":
            # CommonMark does not close ``**（一）…。**强化`` (punctuation before the mark,
            # a letter after): such unmatched delimiter runs are still marks, not text.
            for part in _DELIMITERS.split(child.content):
                yield part, lo, hi
        elif child.type in ("text_special", "code_inline"):
            yield child.content, lo, hi
        elif child.type in ("softbreak", "hardbreak"):
            yield "\n", lo, hi
        elif child.type == "html_inline" and child.content[:3].lower() == "<br":
            yield "\n", -1, -1

