"""How widely a policy name is used: the data behind ``kg/data/lexicon/policy_spread.tsv``.

A programme that the reports of many provinces name is a national one (脱贫攻坚, 河长制,
放管服改革); a report cannot say so itself when it names it without 国家 or 中央. One that the
reports of several cities of one province name, and no other province's, is that province's
programme. The table lists the policy names that reports of at least :data:`MIN_PROVINCES`
provinces name, and those that reports of at least :data:`MIN_HOME_CITIES` cities of one
province alone name (its code in ``home``), with how many provinces and cities do;
:func:`kg.extract.policy_names.policy_level` reads it as the level of a name no lexicon entry and
no marker settles.

It is made from a store built from many reports (``kg build ../shared/reports``) and checked
against their texts: a name counts only where it occurs as written (quotation marks and spaces
aside) in the reports of at least :data:`MIN_PROVINCES` provinces::

    python -m kg.spread --store /tmp/storeall --reports ../shared/reports

writes the table (sorted by name, so the same store and texts give the same bytes).
"""

from __future__ import annotations

import argparse
import re
from collections import defaultdict
from pathlib import Path

from kg import store as kgstore
from kg.lexicon import LEXICON_DIR
from kg.queries import get

#: A name the reports of this many provinces use is national (31 provinces in all).
MIN_PROVINCES = 8
#: A name the reports of this many cities of one province use, and no other's, is provincial.
MIN_HOME_CITIES = 3
OUT = LEXICON_DIR / "policy_spread.tsv"
_NOISE = re.compile(r"[“”‘’「」『』\"＂\s]")


def candidates(store_path: Path) -> dict[str, set[tuple[str, str]]]:
    """Policy label → the (province, city) pairs whose reports name it, from the store."""
    st = kgstore.open_store(store_path, read_only=True)
    query = get("diffusion")
    rows = kgstore.select(st, query.text, query.bindings({"class": "Policy"}), name="diffusion")
    labels = {r["entity"]: r for r in kgstore.select(
        st, "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
            "PREFIX gk: <https://w3id.org/gov-kg/ontology#> "
            "SELECT ?entity ?label WHERE { ?entity a gk:Policy ; rdfs:label ?label }")}
    out: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for r in rows:
        if r["class"] == "Policy" and r["entity"] in labels and r["province"]:
            out[labels[r["entity"]]["label"]].add((r["province"], r["city"]))
    return out


Row = tuple[str, int, int, str]


def verified(names: dict[str, set[tuple[str, str]]], reports: Path) -> list[Row]:
    """``(name, provinces, cities, home)`` of the names written in the reports of at least
    :data:`MIN_PROVINCES` provinces (home ``""``), and of those written in the reports of at
    least :data:`MIN_HOME_CITIES` cities of one province and of no other (home: its code),
    counted in the texts, a folder per city."""
    import ahocorasick

    from kg import gazetteer

    gz = gazetteer.default()
    texts: dict[str, list[str]] = defaultdict(list)
    for p in sorted(reports.glob("*/*.md")):
        texts[p.parent.name].append(_NOISE.sub("", p.read_text(encoding="utf-8")))
    province_of = {}
    for city in texts:
        places = [p for p in gz.lookup(city) if p.level == "city"]
        province_of[city] = gz.province_of(places[0]).code if places else city
    def enough(seen: set[tuple[str, str]]) -> bool:
        provinces = {p for p, _city in seen}
        return len(provinces) >= MIN_PROVINCES or len(provinces) == 1 and len(seen) >= MIN_HOME_CITIES

    wanted = sorted(n for n, seen in names.items() if not re.search(r"\s", n) and enough(seen))
    automaton = ahocorasick.Automaton()
    for name in wanted:
        automaton.add_word(_NOISE.sub("", name), _NOISE.sub("", name))
    automaton.make_automaton()
    found: dict[str, set[str]] = defaultdict(set)  # form → the cities whose reports write it
    for city, parts in texts.items():
        for _end, form in automaton.iter("\n".join(parts)):
            found[form].add(city)
    out = []
    for name in wanted:
        cities = found[_NOISE.sub("", name)]
        provinces = {province_of[c] for c in cities}
        if len(provinces) >= MIN_PROVINCES:
            out.append((name, len(provinces), len(cities), ""))
        elif len(provinces) == 1 and len(cities) >= MIN_HOME_CITIES:
            out.append((name, 1, len(cities), next(iter(provinces))))
    return out


def write(rows: list[Row], out: Path = OUT) -> Path:
    lines = ["# Policy names the reports of many provinces use (kg/spread.py; ../shared/reports,",
             f"# 2,188 reports of 314 cities): at least {MIN_PROVINCES} provinces -> national;",
             f"# names that at least {MIN_HOME_CITIES} cities of one province alone use -> that",
             "# province's (home: its code).",
             "name\tprovinces\tcities\thome"]
    lines += [f"{n}\t{p}\t{c}\t{h}" for n, p, c, h in rows]
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--reports", type=Path, required=True)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    rows = verified(candidates(args.store), args.reports)
    print(f"{len(rows)} names -> {write(rows, args.out)}")


if __name__ == "__main__":
    main()
