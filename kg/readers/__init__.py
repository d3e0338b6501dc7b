"""Report file → ``Source``: the report's plain text, a title clue, and where each character
came from; one reader per format, each on a library made for that format.

* ``.txt``: bytes decoded (:mod:`kg.readers.text`: BOMs, UTF-8, UTF-16, GB18030/GBK by
  charset-normalizer), line ends made ``\\n``;
* ``.md``/``.markdown``: decoded the same way, then parsed by markdown-it-py (CommonMark, with
  tables, and mdit-py-plugins' front matter and footnotes): the YAML front matter (PyYAML) gives
  the title, emphasis marks, HTML comments and footnotes go, the text of each block stays;
* ``.html``/``.htm``: the main text by selectolax (Lexbor, an HTML5 parser), see
  :mod:`kg.readers.web`;
* ``.pdf``: the text layer by pypdf, see :mod:`kg.readers.pdf`;
* ``.docx``: paragraphs and table cells in document order by python-docx.

``Source.offsets`` maps each character of ``text`` to its offset in the decoded file when a
reader removed markup, so provenance can point into the file as it is.

>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "r.md"
>>> _ = p.write_text("---\\ntitle: 衢州市政府工作报告\\n---\\n**一、工作回顾**\\n增长5%。", "utf-8")
>>> s = read(p)
>>> s.title, s.format, s.text
('衢州市政府工作报告', 'md', '一、工作回顾\\n增长5%。')
>>> p.read_text("utf-8")[s.offsets[0]]
'一'
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kg.errors import InputError

#: The suffixes :func:`read` reads (compared case-insensitively).
SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".pdf", ".docx")


@dataclass(frozen=True)
class Source:
    """A report file as read: ``text`` is what extraction reads; ``title`` a clue to its city
    and year (front matter, ``<title>``, document metadata); ``offsets[i]`` is where ``text[i]``
    is in the decoded file, or ``offsets`` is None when ``text`` is the file as decoded."""

    text: str
    title: str | None
    format: str
    encoding: str | None
    offsets: tuple[int, ...] | None = None

    def file_span(self, start: int, end: int) -> tuple[int, int]:
        """Where ``text[start:end]`` is in the decoded file (end-exclusive).

        >>> Source("增长5%", None, "md", "utf-8", (2, 3, 6, 7)).file_span(1, 4)
        (3, 8)
        """
        if self.offsets is None:
            return start, end
        if end <= start:
            return (self.offsets[start], self.offsets[start]) if start < len(self.offsets) \
                else (self.offsets[-1] + 1, self.offsets[-1] + 1)
        return self.offsets[start], self.offsets[end - 1] + 1


Reader = Callable[[Path, bytes], Source]

#: suffix → (format, module of kg.readers, function): a module is imported when first needed,
#: so reading text does not load the PDF and Word libraries.
READERS: dict[str, tuple[str, str, str]] = {
    ".txt": ("txt", "text", "read_txt"),
    ".md": ("md", "markdown", "read_markdown"),
    ".markdown": ("md", "markdown", "read_markdown"),
    ".html": ("html", "web", "read_html"),
    ".htm": ("html", "web", "read_html"),
    ".pdf": ("pdf", "pdf", "read_pdf"),
    ".docx": ("docx", "word", "read_docx"),
}
assert tuple(READERS) == SUFFIXES


def _reader(suffix: str) -> Reader | None:
    entry = READERS.get(suffix.lower())
    if entry is None:
        return None
    reader: Reader = getattr(importlib.import_module(f"kg.readers.{entry[1]}"), entry[2])
    return reader


def read(path: str | Path) -> Source:
    """Read a report file by its suffix.

    Raises :class:`~kg.errors.InputError` naming the file and the reason: unknown suffix,
    unreadable or empty file, binary or undecodable text, a PDF without a text layer, a
    truncated or corrupt PDF or DOCX, a file with no text.
    """
    path = Path(path)
    reader = _reader(path.suffix)
    if reader is None:
        raise InputError(f"{path}: unknown suffix {path.suffix or '(none)'!r}; gov-kg reads "
                         f"{' '.join(SUFFIXES)}")
    try:
        data = path.read_bytes()
    except OSError as e:
        raise InputError(f"{path}: cannot read the file ({e.strerror})") from e
    if not data.strip():
        raise InputError(f"{path}: the file is empty")
    source = reader(path, data)
    if not source.text.strip():
        raise InputError(f"{path}: no report text in the file")
    return source
