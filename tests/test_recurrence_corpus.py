"""Issue 4 on the sample corpus: what recurs across 衢州, 丽水 and 湖州, checked against the texts.

The expected cities come from the raw report texts (quotation marks removed), not from the
extractors, so a policy the extractor misses or splits in one city fails here.
"""

import re

import pytest

from kg import lexicon, queries, store
from tests.conftest import CORPUS, EXPECTED_REPORTS

QUOTES = re.compile(r"[“”‘’\"「」『』]")


@pytest.fixture(scope="module")
def recurring(corpus_store):
    rows = store.select(corpus_store, queries.get("recurring").text)
    return {(r["class"], r["label"]): set(r["cities"].split(" | ")) for r in rows}


def cities_naming(name: str) -> set[str]:
    """Cities whose report text names ``name`` on its own: not as the head of a longer name
    (“5851+X”政务服务增值化改革体系 is a different, municipal policy)."""
    pattern = re.compile(re.escape(name) + "(?!体系|机制|模式)")
    found = set()
    for file, (city, _, _) in EXPECTED_REPORTS.items():
        text = QUOTES.sub("", (CORPUS / file).read_text(encoding="utf-8"))
        if pattern.search(text):
            found.add(city)
    return found


def test_quli_railway_is_one_entity_of_two_cities(recurring):
    assert recurring[("Project", "衢丽铁路")] == {"衢州市", "丽水市"}


def test_every_provincial_policy_named_by_two_cities_recurs_with_all(recurring):
    checked = 0
    for row in lexicon.load_table("policies"):
        if row["level"] != "provincial" or row.get("province") not in ("", "330000"):
            continue
        names = (row["name"], *lexicon.split_multi(row.get("aliases", "")))
        cities = set().union(*(cities_naming(n) for n in names))
        if len(cities) < 2:
            continue
        checked += 1
        assert cities <= recurring.get(("Policy", row["name"]), set()), row["name"]
    assert checked >= 8  # 八八战略, 千万工程, 三个一号工程, 十项重大工程, 千项万亿 …
