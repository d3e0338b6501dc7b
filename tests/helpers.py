"""Small builders shared by the extractor tests."""

from __future__ import annotations

import hashlib
import re

from kg.model import Document, Place, Sentence


def make_doc(text: str, city: Place | None = None) -> Document:
    """A Document whose normalised text is the text itself, one sentence per 。."""
    sents = [
        Sentence(index=i, start=m.start(), end=m.end(), text=m.group(0), norm_start=m.start())
        for i, m in enumerate(re.finditer(r"[^。]+。?", text))
    ]
    return Document(text, text, tuple(range(len(text) + 1)), tuple(sents),
                    hashlib.sha256(text.encode()).hexdigest(), city=city)
