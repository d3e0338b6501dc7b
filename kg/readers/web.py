"""Web pages: the report's text by selectolax (the Lexbor HTML5 parser), web residue dropped by
structure.

Dropped: what is never the report (``script``, ``style``, ``nav``, ``header``, ``footer``,
``aside``, ``form``, …) and link-dense blocks, whose text is mostly link text with little
besides (a 相关图解 box of links under its heading, 打印本页 | 关闭窗口 bars, breadcrumbs,
pagers). A block element ends its paragraph; ``<br>`` ends a line. The title clue is
``<title>``, else the first ``<h1>``.

Why selectolax and not trafilatura, measured on the test's page (``tests/test_readers.py``:
a government site's page with header, nav, breadcrumbs, a 相关图解 box, a print/close bar and
a footer around the report): both keep the 4 paragraphs; trafilatura 2.3.1's ``extract`` (a
page this small falls back to everything) also keeps 相关图解, 一图读懂…, 打印本页, 关闭窗口, 首页,
and cuts ``<span>`` runs into lines; with ``favor_precision`` it keeps no residue either. But
it takes 9–15 ms a page against 0.1 ms, brings about 20 packages (lxml, justext, dateparser, …;
2.3.1 does not even import with lxml 6 without ``lxml_html_clean``), and its output cannot be
located in the page, which ``Source.offsets`` needs: here each text node is located.

>>> s = read_html(Path("r.html"), "<title>某市政府工作报告</title><nav>首页</nav><p>增长&nbsp;5%。</p>".encode())
>>> s.title, s.text
('某市政府工作报告', '增长 5%。')
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from selectolax.lexbor import LexborHTMLParser, LexborNode

from kg.readers import Source
from kg.readers.text import align, decode, unify_newlines

#: Elements that are never the report's text.
_NOISE = ("script", "style", "noscript", "template", "nav", "header", "footer", "aside",
          "form", "iframe", "button", "select", "textarea", "svg", "canvas", "object",
          "embed", "img", "video", "audio", "map", "menu", "dialog")
_BLOCKS = frozenset("""address article blockquote body center dd details div dl dt fieldset
    figcaption figure h1 h2 h3 h4 h5 h6 hr li main ol p pre section summary table tbody td tfoot
    th thead tr ul""".split())
#: A block at least this share link text, with fewer other characters than _OWN, is residue.
_LINK_SHARE = 0.5
_OWN = 20
#: The longest caption of a link list that goes with it (相关图解, 相关链接, 延伸阅读).
_CAPTION = 8
_SPACE = re.compile(r"\s+")
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_-]+)""", re.IGNORECASE)
_SENTENCE_END = "。！？；：…”"


def read_html(path: Path, data: bytes) -> Source:
    """An HTML report: its main text, the page title, offsets into the decoded page."""
    decoded, encoding = _decode(path, data)
    src, newline_offsets = unify_newlines(decoded)
    tree = LexborHTMLParser(src)
    title = _title(tree)
    pieces = [(t, 0 if real else -1, len(src)) for t, real in _walk(tree)]
    text, offsets = align(pieces, src)
    text = text.strip("\n")
    lead = len(text) - len(text.lstrip("\n"))
    offsets = offsets[lead:lead + len(text)]
    if newline_offsets is not None:
        offsets = tuple(newline_offsets[o] for o in offsets)
    return Source(text=text, title=title, format="html", encoding=encoding, offsets=offsets)


def _decode(path: Path, data: bytes) -> tuple[str, str]:
    """The page's declared charset when its bytes are that (GB2312 and GBK read as GB18030),
    else what :func:`kg.readers.text.decode` finds."""
    declared = _CHARSET.search(data[:4096])
    if declared is not None:
        name = declared.group(1).decode("ascii").lower()
        name = "gb18030" if name in ("gb2312", "gbk", "gb18030", "x-gbk") else name
        try:
            return data.decode(name), name
        except (LookupError, UnicodeDecodeError):
            pass  # a wrong or unknown label: find the encoding from the bytes
    return decode(data, path)


def html_pieces(html: str) -> Iterator[str]:
    """The text of an HTML fragment, piece by piece (for HTML blocks inside Markdown)."""
    for text, _ in _walk(LexborHTMLParser(html)):
        yield text


def _title(tree: LexborHTMLParser) -> str | None:
    for selector in ("title", "h1"):
        node = tree.css_first(selector)
        if node is not None and (text := _SPACE.sub(" ", node.text()).strip()):
            return text
    return None


def _walk(tree: LexborHTMLParser) -> Iterator[tuple[str, bool]]:
    """(text, found in the source) pieces of the page's body; separators are not found."""
    for node in tree.css(", ".join(_NOISE)):
        node.decompose()
    body = tree.body
    if body is None:
        return
    sizes: dict[int, tuple[int, int]] = {}
    _measure(body, sizes, in_link=False)
    out: list[tuple[str, bool]] = []
    _emit(body, sizes, out)
    yield from _collapse(out)


_RANK = {" ": 0, "\n": 1, "\n\n": 2}


def _collapse(pieces: list[tuple[str, bool]]) -> Iterator[tuple[str, bool]]:
    """Runs of separators become the strongest of them; none at the start."""
    pending = ""
    started = False
    for text, real in pieces:
        if not real:
            if _RANK[text] > _RANK.get(pending, -1):
                pending = text
            continue
        if pending and started:
            yield pending, False
        pending, started = "", True
        yield text, True


def _measure(node: LexborNode, sizes: dict[int, tuple[int, int]], *, in_link: bool
             ) -> tuple[int, int]:
    """(characters, characters inside links) under each element, by ``mem_id``."""
    if node.is_text_node:
        n = len(_SPACE.sub("", node.text_content or ""))
        return n, n if in_link else 0
    total = links = 0
    in_link = in_link or node.tag == "a"
    child = node.first_child
    while child is not None:
        t, k = _measure(child, sizes, in_link=in_link)
        total, links = total + t, links + k
        child = child.next
    sizes[node.mem_id] = total, links
    return total, links


def _emit(node: LexborNode, sizes: dict[int, tuple[int, int]], out: list[tuple[str, bool]]
          ) -> None:
    child = node.first_child
    while child is not None:
        if child.is_text_node:
            words = _SPACE.split(child.text_content or "")
            if out and out[-1][1] and words[0] == "" and len(words) > 1:
                out.append((" ", False))
            for k, word in enumerate(words):
                if word:
                    if k and out and out[-1][1]:
                        out.append((" ", False))
                    out.append((word, True))
        elif child.tag == "br":
            out.append(("\n", False))
        elif child.tag in ("td", "th"):
            out.append((" ", False))
            _emit(child, sizes, out)
            out.append((" ", False))
        elif child.is_element_node:
            block = child.tag in _BLOCKS
            total, links = sizes.get(child.mem_id, (0, 0))
            if block and total and links >= _LINK_SHARE * total and total - links < _OWN:
                _drop_caption(out)  # link-dense: a menu, related links, a print/close bar
            else:
                if block:
                    out.append(("\n\n", False))
                _emit(child, sizes, out)
                if block:
                    out.append(("\n\n", False))
        child = child.next


def _drop_caption(out: list[tuple[str, bool]]) -> None:
    """Drop the block just before a link-dense one when it is a short line that ends no
    sentence: the caption of the links (相关图解 over a list of them)."""
    end = len(out)
    while end and not out[end - 1][1]:
        end -= 1
    start = end
    while start and out[start - 1] != ("\n\n", False):
        start -= 1
    caption = "".join(text for text, _ in out[start:end]).strip()
    if caption and len(caption) <= _CAPTION and caption[-1] not in _SENTENCE_END:
        del out[start:end]
