"""The name extractors' lexicons hold for the genre, not for one text.

* No entry is a single character (a stop word 稳 rejects every name containing it).
* A stop-list entry (a word list that rejects candidates) occurs in at least two annotated
  reports, or is a documented ``*`` shape; a slogan of one report is not a stop word.
* A name, suffix or verb table entry occurs in at least two annotated reports, or (where the
  corpus of real reports is present) in the reports of at least three cities.

The annotated texts are found beside the clone (``../shared/gold/texts``), the real reports at
``../shared/reports``; each check is skipped when its corpus is absent.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest

from kg.lexicon import load_table, load_words, split_multi

ROOT = Path(__file__).resolve().parents[1]
GOLD_TEXTS = ROOT.parent / "shared" / "gold" / "texts"
REPORTS = ROOT.parent / "shared" / "reports"
_NOISE = re.compile(r"[“”‘’「」『』\"＂\s]")

#: Word lists that reject candidates: the strict test.
STOP_LISTS = (
    "policy_stopwords", "policy_reject_after", "policy_reject_before", "policy_head_blockers",
    "project_stopwords", "project_generic_words", "project_honour_words", "industry_stopwords",
)
#: Word lists and tables that propose or shape candidates: (file, column or None for .txt).
TABLES = (
    ("lead_words", None), ("project_verbs", None), ("industry_lead_words", None),
    ("project_industrial_cues", None),
    ("policy_package_topics", None), ("policy_document_suffixes", None),
    ("policies", "name"), ("policy_heads", "head"), ("industry_chains", "name"),
    ("industry_heads", "head"), ("project_types", "suffix"), ("policy_spread", "name"),
)
#: 省 and 市 before a name set its level (省“<X>条”): a closed grammar of scope, not a word.
SINGLE_CHARACTER_OK = {("policy_markers", "省"), ("policy_markers", "市")}
MIN_TEXTS, MIN_CITIES = 2, 3


def _core(entry: str) -> str:
    return entry.strip("*")


def _entries(name: str, column: str | None) -> list[tuple[str, ...]]:
    """Each entry with its alternative forms (a table's aliases)."""
    if column is None:
        return [(w,) for w in load_words(name)]
    return [(row[column], *split_multi(row.get("aliases", ""))) for row in load_table(name)]


@cache
def _gold() -> tuple[str, ...]:
    return tuple(_NOISE.sub("", p.read_text(encoding="utf-8"))
                 for p in sorted(GOLD_TEXTS.glob("*.txt")))


@cache
def _reports() -> dict[str, str]:
    """City folder → its reports' texts joined."""
    out: dict[str, list[str]] = {}
    for p in sorted(REPORTS.glob("*/*.md")):
        out.setdefault(p.parent.name, []).append(_NOISE.sub("", p.read_text(encoding="utf-8")))
    return {city: "\n".join(texts) for city, texts in out.items()}


def _texts_with(form: str) -> int:
    return sum(_core(form) in t for t in _gold())


def _cities_with(form: str) -> int:
    return sum(_core(form) in t for t in _reports().values())


ALL_FILES = [(n, None) for n in STOP_LISTS] + list(TABLES) + [("policy_markers", "marker")]


@pytest.mark.parametrize(("name", "column"), ALL_FILES, ids=[n for n, _c in ALL_FILES])
def test_no_single_character_entries(name, column):
    short = [forms[0] for forms in _entries(name, column)
             if len(_core(forms[0])) < 2 and (name, forms[0]) not in SINGLE_CHARACTER_OK]
    assert not short, f"{name}: single-character entries {short} match far too much"


@pytest.mark.skipif(not GOLD_TEXTS.is_dir(), reason="annotated texts absent")
@pytest.mark.parametrize("name", STOP_LISTS)
def test_stop_list_entries_recur_across_annotated_reports(name):
    rare = [w for (w,) in _entries(name, None)
            if not w.startswith("*") and not w.endswith("*") and _texts_with(w) < MIN_TEXTS]
    assert not rare, (f"{name}: {rare} occur in fewer than {MIN_TEXTS} annotated reports; a "
                      "stop word must hold for the genre (or be written as a * shape)")


@pytest.mark.skipif(not GOLD_TEXTS.is_dir(), reason="annotated texts absent")
@pytest.mark.parametrize(("name", "column"), TABLES, ids=[n for n, _c in TABLES])
def test_table_entries_recur_across_reports(name, column):
    rare = [forms[0] for forms in _entries(name, column)
            if max(_texts_with(f) for f in forms) < MIN_TEXTS]
    if rare and not REPORTS.is_dir():
        pytest.skip(f"{name}: {len(rare)} entries need the real reports to be judged")
    rare = [w for w in rare if max(_cities_with(f) for f in _entries_of(name, column, w))
            < MIN_CITIES]
    assert not rare, (f"{name}: {rare} occur in fewer than {MIN_TEXTS} annotated reports and "
                      f"in the reports of fewer than {MIN_CITIES} cities")


def _entries_of(name: str, column: str | None, first: str) -> tuple[str, ...]:
    return next(forms for forms in _entries(name, column) if forms[0] == first)


def test_stop_entries_do_not_reject_their_own_lexicon():
    """A sector the chain lexicon knows is never an industry stop word."""
    from kg.extract.names import matches_pattern

    stop = load_words("industry_stopwords")
    known = [r["name"] for r in load_table("industry_chains")]
    assert [n for n in known if matches_pattern(n, stop)] == []
