"""Word reports (``.docx``) by python-docx: paragraphs and table cells in document order, each
paragraph on its own line with a blank line between; the core properties' title is the clue.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

import docx
from docx.document import Document as DocxDocument
from docx.opc.exceptions import OpcError
from docx.table import Table
from docx.text.paragraph import Paragraph

from kg.errors import InputError
from kg.readers import Source


def read_docx(path: Path, data: bytes) -> Source:
    """The paragraphs (and table cells, row by row) of a Word document."""
    try:
        document = docx.Document(io.BytesIO(data))
        paragraphs = list(_paragraphs(document))
        title = (document.core_properties.title or "").strip() or None
    except (zipfile.BadZipFile, OpcError, KeyError, ValueError) as e:
        raise InputError(f"{path}: not a readable .docx (truncated or corrupt: {e}); "
                         f"open and save it again in Word") from e
    text = "\n\n".join(p for p in paragraphs if p.strip())
    return Source(text=text, title=title, format="docx", encoding=None, offsets=None)


def _paragraphs(document: DocxDocument) -> Iterator[str]:
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            yield block.text
        elif isinstance(block, Table):
            yield from _table(block)


def _table(table: Table) -> Iterator[str]:
    for row in table.rows:
        seen: set[int] = set()
        cells = []
        for cell in row.cells:  # a merged cell is returned once per grid column it spans
            if id(cell._tc) not in seen:
                seen.add(id(cell._tc))
                cells.append(" ".join(p.text for p in cell.paragraphs if p.text.strip()))
        yield " ".join(c for c in cells if c)
