"""The national gazetteer: provinces, prefecture-level cities and county-level units of China.

Built from ``kg/data/adcodes.csv`` (cpca's adcode table, MIT, see ``kg/data/README.md``): the
hierarchy follows from the 6-digit code (province ``PP0000``, city ``PPCC00``, county
``PPCCXX``). The four municipalities are both a province (``110000``) and a city (``110100``,
the code of their 市辖区 placeholder); 重庆's 县 placeholder (``500200``) folds into ``500100``;
counties under a 省直辖县级行政区划 (``4290xx`` …) have the province as parent and no city.

Aliases drop the administrative suffix and ethnic names (景宁畲族自治县 → 景宁) but are never one
character long. ``kg/data/gazetteer_overrides.tsv`` adds or drops aliases by hand;
``kg/data/place_stopwords.txt`` lists spans that look like place names but are not (新兴 in
新兴产业, 城区, 金山银山): ``find_all`` steps over them; ``lookup`` still knows them.

>>> gz = default()
>>> [p.name for p in gz.lookup("松阳")], gz.city_of(gz.lookup("松阳")[0]).name
(['松阳县'], '丽水市')
>>> gz.lookup("景宁")[0].name, gz.by_code("330800").aliases
('景宁畲族自治县', ('衢州',))
>>> [(s, e, w) for s, e, w, _ in gz.find_all("平安丽水建设，莲都和北京")]
[(2, 4, '丽水'), (7, 9, '莲都'), (10, 12, '北京')]
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterable, Iterator
from functools import cache, lru_cache
from pathlib import Path

from kg.model import Place

DATA_DIR = Path(__file__).resolve().parent / "data"

LEVELS = ("province", "city", "county")
#: Administrative suffixes, longest first; the first whose removal leaves two characters wins.
SUFFIXES = ("特别行政区", "自治区", "自治州", "自治县", "自治旗", "地区", "新区", "矿区",
            "省", "市", "盟", "县", "区", "旗")
_AUTONOMOUS = ("自治区", "自治州", "自治县", "自治旗")
#: Placeholder names in the source table that are not places.
_PLACEHOLDERS = ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划")
_MUNICIPALITIES = ("11", "12", "31", "50")

Match = tuple[int, int, str, list[Place]]


def _data_lines(name: str) -> Iterable[str]:
    for line in (DATA_DIR / name).read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].rstrip()
        if line.strip():
            yield line


@cache
def _nations() -> tuple[str, ...]:
    """The 56 ethnic group names with 族, and without it where that leaves two characters."""
    names = {n.strip() for n in _data_lines("nations.txt")}
    bare = {n[:-1] for n in names if n.endswith("族") and len(n) >= 3}
    return tuple(sorted(names | bare, key=len, reverse=True))


def make_aliases(name: str) -> tuple[str, ...]:
    """Suffix-less short forms of an official name, never shorter than two characters.

    >>> make_aliases("景宁畲族自治县"), make_aliases("新疆维吾尔自治区"), make_aliases("沙县")
    (('景宁',), ('新疆',), ())
    >>> make_aliases("清新区"), make_aliases("黔东南苗族侗族自治州"), make_aliases("浦东新区")
    (('清新',), ('黔东南',), ('浦东',))
    """
    for suffix in SUFFIXES:
        stem = name.removesuffix(suffix)
        if stem != name and len(stem) >= 2:
            break
    else:
        return ()
    if suffix in _AUTONOMOUS:
        stripped = True
        while stripped:
            stripped = False
            for nation in _nations():
                if stem.endswith(nation) and len(stem) - len(nation) >= 2:
                    stem, stripped = stem[: -len(nation)], True
                    break
    return (stem,)


_DIRECTIONS = "左右前中后"
_BANNER_COLOURS = "正镶"


def county_variants(name: str) -> tuple[str, ...]:
    """Other names a county-level unit goes by in reports: its stem with the suffix it had or
    will have (县 → 市 → 区 as counties are upgraded: 梁平县 is 梁平区 from 2017), an autonomous
    county's stem with 县 (景宁县), and the conventional short forms of Inner Mongolia's
    banners (土默特右旗 → 土右旗, 土右; 科尔沁左翼中旗 → 科左中旗; 准格尔旗 → 准旗).

    >>> county_variants("梁平县"), county_variants("景宁畲族自治县")
    (('梁平市', '梁平区'), ('景宁县',))
    >>> county_variants("土默特右旗"), county_variants("科尔沁左翼中旗")
    (('土右旗', '土右'), ('科左中旗', '科左中'))
    >>> county_variants("准格尔旗"), county_variants("东乌珠穆沁旗"), county_variants("正蓝旗")
    (('准旗',), ('东乌旗',), ())
    """
    stems = make_aliases(name)
    if not stems:
        return ()
    stem = stems[0]
    if name.endswith(("自治县", "自治旗")):
        return (stem + name[-1],) if stem + name[-1] != name else ()
    if name[-1] in "县市区" and name == stem + name[-1]:
        return tuple(stem + s for s in "县市区" if s != name[-1])
    if not name.endswith("旗") or name.endswith("联合旗") or name[0] in _BANNER_COLOURS:
        return ()
    if (m := stem.find("左翼")) > 0 or (m := stem.find("右翼")) > 0:
        short = stem[0] + stem[m] + stem[m + 2 :]
        return (short + "旗", short)
    if stem[-1] in _DIRECTIONS and len(stem) >= 3:
        return (stem[0] + stem[-1] + "旗", stem[0] + stem[-1])
    if len(stem) >= 3:
        head = stem[:2] if stem[0] in "东西" else stem[0]
        return (head + "旗",)
    return ()


def _read_overrides() -> dict[str, tuple[list[str], list[str], str]]:
    """code → (aliases to add, aliases to drop, current name or "")."""
    out: dict[str, tuple[list[str], list[str], str]] = {}
    for line in _data_lines("gazetteer_overrides.tsv"):
        code, add, drop, name = (line.split("\t") + ["", "", ""])[:4]
        if code == "code":
            continue
        out[code] = ([a for a in add.split("|") if a], [d for d in drop.split("|") if d],
                     name.strip())
    return out


class Gazetteer:
    """Places indexed by code and by name; use ``default()`` rather than building one."""

    def __init__(self, places: Iterable[Place], stopwords: Iterable[str] = (),
                 own_city: Iterable[str] = ()) -> None:
        self._by_code: dict[str, Place] = {}
        self._by_name: dict[str, list[Place]] = defaultdict(list)
        self._children: dict[str, list[Place]] = defaultdict(list)
        for place in sorted(places, key=lambda p: p.code):
            self._by_code[place.code] = place
            if place.parent:
                self._children[place.parent].append(place)
            for name in dict.fromkeys((place.name, *place.aliases)):
                self._by_name[name].append(place)
        self.stopwords = frozenset(stopwords)
        #: Stopwords that, in a report of the city owning a county of that name, are mostly the
        #: county (路桥 in 台州's reports): see ``kg/data/place_stopwords.txt``.
        self.own_city_words = frozenset(own_city) & self.stopwords
        self._scanner = _Scanner(self._by_name, self.stopwords)

    def __len__(self) -> int:
        return len(self._by_code)

    def __iter__(self) -> Iterator[Place]:
        return iter(self._by_code.values())

    def by_code(self, code: str) -> Place:
        """The place with this 6-digit code; ``KeyError`` if there is none."""
        return self._by_code[code]

    def lookup(self, name: str) -> list[Place]:
        """Places whose full name or alias is ``name``, in code order (empty if none)."""
        return list(self._by_name.get(name, ()))

    def is_ambiguous(self, name: str) -> bool:
        """Whether ``name`` names several places (a municipality's province and city count once).

        >>> default().is_ambiguous("朝阳"), default().is_ambiguous("北京")
        (True, False)
        """
        return len({self._key(p) for p in self._by_name.get(name, ())}) > 1

    def _key(self, place: Place) -> str:
        return place.code[:2] if place.code[:2] in _MUNICIPALITIES and place.level != "county" \
            else place.code

    def city_of(self, place: Place) -> Place | None:
        """The prefecture-level city of a place: itself for a city, None for a province and for
        counties directly under a province (仙桃市); a municipality's province gives its city."""
        if place.level == "city":
            return place
        if place.level == "province":
            city = self._by_code.get(place.code[:2] + "0100")
            return city if place.code[:2] in _MUNICIPALITIES else None
        parent = self._by_code.get(place.parent or "")
        return parent if parent is not None and parent.level == "city" else None

    def province_of(self, place: Place) -> Place:
        """The province (or municipality, autonomous region, SAR) a place belongs to."""
        return self._by_code[place.code[:2] + "0000"]

    def counties_of(self, city_code: str) -> list[Place]:
        """County-level units of a city, in code order (empty for 东莞市-style cities)."""
        return [p for p in self._children.get(city_code, ()) if p.level == "county"]

    def cities(self) -> list[Place]:
        """All prefecture-level cities, in code order."""
        return [p for p in self._by_code.values() if p.level == "city"]

    def find_all(self, text: str, among: Iterable[Place] | None = None,
                 keep: frozenset[str] = frozenset()) -> list[Match]:
        """Non-overlapping place names in ``text``, longest match first, left to right.

        Returns ``(start, end, surface, places)``; stopwords are stepped over, never returned.
        ``among`` restricts the scan to the names of those places (a report's own counties and
        all cities, say), so that other places' short names neither match nor shadow; ``keep``
        names stopwords that this scan reports like names (it needs ``among``).

        >>> gz = default()
        >>> [(w, [p.name for p in ps]) for _, _, w, ps in gz.find_all("示范县和政府")]
        []
        >>> kecheng = gz.by_code("330802")
        >>> [w for *_, w, _ in gz.find_all("和政县与柯城", among=[kecheng])]
        ['柯城']
        """
        if among is None:
            return self._scanner.scan(text)
        return self._subset_scanner(frozenset(p.code for p in among), keep).scan(text)

    @lru_cache(maxsize=64)  # noqa: B019 -- a gazetteer lives as long as the process
    def _subset_scanner(self, codes: frozenset[str], keep: frozenset[str]) -> _Scanner:
        names: dict[str, list[Place]] = defaultdict(list)
        for code in sorted(codes):  # code order, as in the full index
            place = self._by_code[code]
            for name in dict.fromkeys((place.name, *place.aliases)):
                names[name].append(place)
        return _Scanner(names, self.stopwords - keep)


class _Scanner:
    """Longest-match dictionary scan: names indexed by first character, longest first."""

    def __init__(self, by_name: dict[str, list[Place]], stopwords: frozenset[str]) -> None:
        self.places = {n: ps for n, ps in by_name.items() if len(n) >= 2 and n not in stopwords}
        self.stopwords = stopwords
        lengths: dict[str, set[int]] = defaultdict(set)
        for name in (*self.places, *stopwords):
            lengths[name[0]].add(len(name))
        self.lengths = {c: sorted(ls, reverse=True) for c, ls in lengths.items()}

    def scan(self, text: str) -> list[Match]:
        found: list[Match] = []
        places, stop, lengths = self.places, self.stopwords, self.lengths
        i, n = 0, len(text)
        while i < n:
            for length in lengths.get(text[i], ()):
                if i + length > n:
                    continue
                surface = text[i : i + length]
                if surface in places:
                    found.append((i, i + length, surface, list(places[surface])))
                elif surface not in stop:
                    continue
                i += length
                break
            else:
                i += 1
        return found


def load(path: Path | None = None) -> Gazetteer:
    """Build a gazetteer from an adcode table (``adcode,name,…``; 6- or 12-digit codes).

    ``gazetteer_overrides.tsv`` may rename a unit (the table's name stays an alias) or add one
    the table lacks, under the code it has or had (莱芜区 of 济南, 闸北区 of 上海).
    """
    path = path or DATA_DIR / "adcodes.csv"
    with path.open(encoding="utf-8", newline="") as f:
        rows = {r["adcode"][:6]: r["name"].strip() for r in csv.DictReader(f)}
    overrides = _read_overrides()
    rows.update({code: o[2] for code, o in overrides.items() if code not in rows and o[2]})
    full_names = set(rows.values()) | {o[2] for o in overrides.values() if o[2]}
    places = []
    for code, name in rows.items():
        if name in _PLACEHOLDERS and code[:2] not in _MUNICIPALITIES:
            continue
        province = code[:2] + "0000"
        add, drop, renamed = overrides.get(code, ([], [], ""))
        old_names: tuple[str, ...] = ()
        if renamed and renamed != name:
            name, old_names = renamed, (name, *make_aliases(name))
        if code == province:
            level, parent = "province", None
        elif code[4:] == "00":
            if code[:2] in _MUNICIPALITIES:
                if code[2:4] != "01":
                    continue  # 重庆's 县 placeholder: its counties join 500100
                name = rows[province]
            level, parent = "city", province
        else:
            level = "county"
            city = code[:2] + ("01" if code[:2] in _MUNICIPALITIES else code[2:4]) + "00"
            parent = city if city in rows and rows[city] not in _PLACEHOLDERS[2:] else province
        variants = [v for n in (name, *old_names[:1]) for v in county_variants(n)
                    if v not in full_names] if level == "county" else []
        aliases = [a for a in (*make_aliases(name), *old_names, *variants, *add)
                   if a not in drop and a != name]
        places.append(Place(code, name, level, parent, tuple(dict.fromkeys(aliases))))
    stopwords, own_city = _read_stopwords()
    return Gazetteer(places, stopwords, own_city)


def _read_stopwords() -> tuple[list[str], list[str]]:
    """The stopwords, and those of them that the ``[own-city]`` section lists."""
    words: list[str] = []
    own: list[str] = []
    box = words
    for line in _data_lines("place_stopwords.txt"):
        if line.strip() == "[own-city]":
            box = own
            continue
        box.extend(line.split())
    return words + own, own


@cache
def default() -> Gazetteer:
    """The national gazetteer of ``kg/data/`` (loaded once)."""
    return load()


@cache
def _coordinates() -> dict[str, tuple[float, float]]:
    with (DATA_DIR / "adcodes.csv").open(encoding="utf-8", newline="") as f:
        return {r["adcode"][:6]: (float(r["longitude"]), float(r["latitude"]))
                for r in csv.DictReader(f) if r.get("longitude") and r.get("latitude")}


def coordinates(adcode: str) -> tuple[float, float] | None:
    """(longitude, latitude) of a place's seat by its 6-digit code, from ``adcodes.csv``
    (cpca's table; datum as cpca gives it), or None where the table has none.

    >>> coordinates("330800"), coordinates("110100"), coordinates("999999")
    ((118.859457, 28.970079), (116.407394, 39.904211), None)
    """
    return _coordinates().get(adcode)
