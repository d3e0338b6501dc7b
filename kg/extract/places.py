"""Places: the report's own county-level units and the prefecture-level cities it names.

Only the names of every city and of the report city's own counties are scanned (the
``among`` scan of ``kg.gazetteer``), so the short names of far-away counties neither match nor
hide anything: 范县 in 示范县 or 和政 in 和政府 never come up. A county alias that is also a
river (衢江) is not a place when a river word follows it (衢江航道, 衢江治理); the words are in
``kg/data/place_senses.tsv``. Stopwords (``kg/data/place_stopwords.txt``) are stepped over,
except one that names a county of the report's city when it is mostly that county in its own
city's reports (the stopwords' ``[own-city]`` section: 路桥 in a 台州 report) or is coordinated
with another of its counties (松桃、沿河; 天宁和钟楼).

>>> from kg.ingest import parse_text
>>> doc = parse_text("衢州市政府工作报告\\n柯城、衢江夺得首批称号。推进衢江航道和杭州合作。")
>>> for m in places(doc):
...     print(m.kind, m.label, m.surface, m.attr("code"))
City 衢州市 衢州市 330800
County 柯城区 柯城 330802
County 衢江区 衢江 330803
City 杭州市 杭州 330100
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache

from kg import gazetteer
from kg.extract import register
from kg.model import Document, Mention, Place


@cache
def _senses() -> dict[str, tuple[str, ...]]:
    """Alias → words that, right after it, make it a river or other non-place."""
    path = gazetteer.DATA_DIR / "place_senses.tsv"
    out: dict[str, tuple[str, ...]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, words = line.split("\t")
            if name != "name":
                out[name] = tuple(w for w in words.split("|") if w)
    return out


#: What may stand between two coordinated county names (松桃、沿河; 含山-和县; 白云达茂);
#: not a comma, which as often ends a clause (推进乡村振兴，元宝…).
_COORDINATORS = frozenset(("", "、", "和", "与", "及", "至", "-", "—", "－", "以及"))


@cache
def _scope(city_code: str | None) -> tuple[tuple[Place, ...], frozenset[str]]:
    """The places a report's scan looks for, and the stopwords among its own counties' names."""
    gz = gazetteer.default()
    own = gz.counties_of(city_code) if city_code else []
    contested = {n for p in own for n in (p.name, *p.aliases)} & gz.stopwords
    return (*gz.cities(), *own), frozenset(contested)


def _coordinated(matches: list[tuple[int, int, Place, bool]], k: int, text: str) -> bool:
    """Whether match ``k`` is coordinated with a neighbouring county match that is sure."""
    for j in (k - 1, k + 1):
        if 0 <= j < len(matches) and matches[j][3] and matches[j][2].level == "county":
            a, b = sorted((matches[j], matches[k]))[:2]
            if text[a[1] : b[0]] in _COORDINATORS:
                return True
    return False


def _resolve(places: list[Place], city: Place | None, surface: str) -> Place | None:
    """The one place a matched name stands for in this report, or None if unclear.

    The report's own city wins (安阳 is 安阳市, not 安阳县, in an 安阳 report), then its
    counties (龙游 in a 衢州 report); another city counts when named in full or by an alias that
    names nothing else in the country (吉林 may be the province).
    """
    if city is not None:
        if city in places:
            return city
        for p in places:
            if p.level == "county" and p.parent == city.code:
                return p
    cities = [p for p in places if p.level == "city"]
    if len(cities) == 1:
        if surface == cities[0].name or not gazetteer.default().is_ambiguous(surface):
            return cities[0]
    return None


@register("places", produces=("City", "County"))
def places(doc: Document) -> Iterator[Mention]:
    """City and County mentions, with the administrative code in ``attrs``."""
    gz = gazetteer.default()
    scope, contested = _scope(doc.city.code if doc.city else None)
    senses = _senses()
    for sentence in doc.sentences:
        text = sentence.text
        found: list[tuple[int, int, Place, bool]] = []  # start, end, place, sure
        for start, end, surface, candidates in gz.find_all(text, among=scope, keep=contested):
            if surface in senses and text.startswith(senses[surface], end):
                continue
            place = _resolve(candidates, doc.city, surface)
            if place is not None:
                sure = surface not in contested or surface in gz.own_city_words
                found.append((start, end, place, sure))
        for k, (start, end, place, sure) in enumerate(found):
            if not sure and not _coordinated(found, k, text):
                continue
            a, b = doc.span(sentence, start, end)
            kind = "County" if place.level == "county" else "City"
            yield Mention(kind=kind, label=place.name, surface=doc.text[a:b],
                          sentence=sentence.index, start=a, end=b,
                          attrs=(("code", place.code),))
