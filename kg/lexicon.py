"""Loads the word lists in ``kg/data/lexicon/``: data files beside the code, not literals.

Tables are UTF-8 TSV files with a header row; ``#`` starts a comment line. Multi-valued cells
separate values with ``|``.

>>> rows = load_table("policies")
>>> {"name", "level"} <= set(rows[0])
True
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

LEXICON_DIR = Path(__file__).resolve().parent / "data" / "lexicon"


@cache
def load_table(name: str) -> tuple[dict[str, str], ...]:
    """Rows of ``kg/data/lexicon/<name>.tsv`` as dicts (cached; treat as read-only)."""
    path = LEXICON_DIR / f"{name}.tsv"
    with path.open(encoding="utf-8", newline="") as f:
        lines = [line for line in f if line.strip() and not line.lstrip().startswith("#")]
    reader = csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)
    return tuple({k: (v or "").strip() for k, v in row.items() if k} for row in reader)


@cache
def load_words(name: str) -> tuple[str, ...]:
    """Lines of ``kg/data/lexicon/<name>.txt`` (one word per line, ``#`` comments)."""
    path = LEXICON_DIR / f"{name}.txt"
    words = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            words.append(line)
    return tuple(words)


def split_multi(cell: str) -> tuple[str, ...]:
    """``"a|b| c"`` → ``("a", "b", "c")``."""
    return tuple(v.strip() for v in cell.split("|") if v.strip())
