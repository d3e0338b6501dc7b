"""The order of the stages: ``process`` (pure, text → Extraction) and ``build`` (files → store).

``process`` depends on the text alone, so reports can be processed in worker processes
(``jobs``); the store is written by the calling process only, one transaction per report, so a
bad file or a crash mid-build loses nothing already stored. After the reports, ``build``
recomputes the entities graph from the references of every report graph
(``refresh_entities``), so whichever reports were (re)built, each shared node is described once
and by what the current reports say.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from pyoxigraph import NamedNode, Store
from tqdm import tqdm

from kg import extract, gazetteer, ingest, rdf, resolve
from kg import store as kgstore
from kg.errors import KGError
from kg.extract.tagger import Tagger
from kg.extract.tagger import default as tagger_default
from kg.model import Extraction, Place, Reference
from kg.vocab import ONTOLOGY

REPORT_SUFFIXES = (".txt",)


def process(text: str, source: str = "", *, tagger: Tagger | None = None) -> Extraction:
    """Extract everything from one report's text: a pure function of ``text`` (and the model).

    ``source`` (the file name) is recorded as provenance only. ``tagger`` is the learned tagger
    to run beside the rules; None means the packaged model (``KG_TAGGER=off``: rules alone).
    """
    doc = ingest.parse_text(text, source=source)
    mentions, observations = extract.run_all(doc, tagger or tagger_default())
    entities = resolve.resolve(doc, mentions)
    return Extraction(document=doc, entities=tuple(entities), observations=tuple(observations))


def parent_places(ex: Extraction) -> dict[str, Place]:
    """The gazetteer entries ``rdf.to_quads`` needs: the report city's province and the
    parent city of every mentioned county."""
    gaz = gazetteer.default()
    codes = set()
    if ex.document.city is not None:
        codes.add(ex.document.city.code)
        if ex.document.city.parent:
            codes.add(ex.document.city.parent)
    for e in ex.entities:
        if e.kind in ("City", "County"):
            code = e.attr("code") or e.key
            codes.add(code)
    out: dict[str, Place] = {}
    for code in sorted(codes):
        try:
            place = gaz.by_code(code)
            out[code] = place
            if place.parent:
                out[place.parent] = gaz.by_code(place.parent)
        except KeyError:  # a code the gazetteer does not know: the place is kept, unlinked
            continue
    return out


@cache
def pipeline_version() -> str:
    """Fingerprint of the code and data that turn text into quads: a change rebuilds reports."""
    h = hashlib.sha256()
    root = Path(__file__).resolve().parent
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".tsv", ".txt", ".csv", ".json", ".crfsuite") \
                and "__pycache__" not in path.parts and "web" not in path.parts:
            h.update(str(path.relative_to(root)).encode())
            h.update(path.read_bytes())
    return h.hexdigest()[:16]


@dataclass
class BuildResult:
    """What happened to one file."""

    path: Path
    status: str  # "built", "unchanged" or "error"
    report: str = ""
    city: str = ""
    report_year: int | None = None
    review_year: int | None = None
    counts: dict[str, int] = field(default_factory=dict)
    triples: int = 0
    error: str = ""


def find_reports(paths: Iterable[Path]) -> list[Path]:
    """Report files under ``paths`` (files as given, folders searched for ``*.txt``)."""
    found: list[Path] = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            found.extend(sorted(q for q in p.rglob("*") if q.suffix.lower() in REPORT_SUFFIXES
                                and q.is_file()))
        else:
            found.append(p)
    return found


def _hash_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _built_reports(store: Store) -> dict[str, dict]:
    """content hash → the stored report (graph, pipeline version, city, years), in one query."""
    rows = kgstore.select(store, f"""
        PREFIX gk: <{ONTOLOGY}>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT ?g ?hash ?version ?city ?ry ?vy WHERE {{ GRAPH ?g {{ ?g gk:contentHash ?hash .
          OPTIONAL {{ ?g gk:pipelineVersion ?version }}
          OPTIONAL {{ ?g gk:reportYear ?ry }} OPTIONAL {{ ?g gk:reviewYear ?vy }} }}
          OPTIONAL {{ GRAPH ?g {{ ?g gk:city ?c }} ?c rdfs:label ?city }} }}""")
    return {r["hash"]: r for r in rows}


def _work(item: tuple[Path, str]) -> tuple[Path, list | None, dict, str]:
    """Worker: process one file's text; returns quads and a summary, or an error message."""
    path, text = item
    try:
        ex = process(text, source=path.name)
        quads = rdf.to_quads(ex, places=parent_places(ex), pipeline_version=pipeline_version())
        doc = ex.document
        counts = Counter(e.kind for e in ex.entities)
        counts["Observation"] = len(ex.observations)
        summary = {
            "report": rdf.report_iri(doc).value,
            "city": doc.city.name if doc.city else "",
            "report_year": doc.report_year,
            "review_year": doc.review_year,
            "counts": dict(counts),
        }
        return path, quads, summary, ""
    except KGError as e:
        return path, None, {}, str(e)
    except Exception as e:  # noqa: BLE001 - a crash on one file must not stop the build
        return path, None, {}, f"{path}: {type(e).__name__}: {e}"


def build(paths: Sequence[Path], store_path: Path | str | Store | None, *, force: bool = False,
          progress: bool = True, jobs: int = 1) -> list[BuildResult]:
    """Build (or update) the store from report files; one transaction per report.

    A report whose text and pipeline version are unchanged is skipped unless ``force``.
    Errors are collected per file (named in ``BuildResult.error``); other files still build.
    """
    files = find_reports(paths)
    store = kgstore.open_store(store_path)
    built = _built_reports(store)
    version = pipeline_version()
    results: list[BuildResult] = []
    todo: list[tuple[Path, str]] = []  # each file is read and decoded once, here
    for path in files:
        try:
            text = ingest.read_text(path)
        except KGError as e:
            results.append(BuildResult(path, "error", error=str(e)))
            continue
        stored = built.get(_hash_text(text))
        if not force and stored is not None and (stored["version"] or "") == version:
            results.append(BuildResult(path, "unchanged", report=stored["g"],
                                       city=stored["city"] or "", report_year=stored["ry"],
                                       review_year=stored["vy"]))
        else:
            todo.append((path, text))
    bar = tqdm(total=len(todo), desc="building", unit="report", disable=not progress or not todo)
    if jobs > 1 and len(todo) > 1:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            outcomes = pool.map(_work, todo)
            for outcome in outcomes:
                results.append(_write(store, *outcome))
                bar.update()
    else:
        for item in todo:
            results.append(_write(store, *_work(item)))
            bar.update()
    bar.close()
    refresh_entities(store)
    store.flush()
    order = {p: i for i, p in enumerate(files)}
    return sorted(results, key=lambda r: order.get(r.path, 0))


def _write(store: Store, path: Path, quads: list | None, summary: dict, error: str) -> BuildResult:
    if quads is None:
        return BuildResult(path, "error", error=error)
    graph = NamedNode(summary["report"])
    try:
        kgstore.replace_graph(store, graph, quads)
    except KGError as e:
        return BuildResult(path, "error", error=f"{path}: {e}")
    return BuildResult(path, "built", triples=len(quads), **summary)


#: Every reference of a report graph to a shared node, with the mentions' readings.
_REFERENCES = f"""
PREFIX gk: <{ONTOLOGY}>
SELECT DISTINCT ?g ?entity ?surface ?label ?level ?type WHERE {{
  GRAPH ?g {{
    {{ ?g gk:city|gk:coversYear ?entity }}
    UNION {{ ?o gk:indicator|gk:refPeriod|gk:refArea ?entity }}
    UNION {{ ?m gk:mentionOf ?entity ; gk:surface ?surface .
            OPTIONAL {{ ?m gk:canonicalLabel ?label }} OPTIONAL {{ ?m gk:policyLevel ?level }}
            OPTIONAL {{ ?m gk:projectType ?type }} }}
  }}
  FILTER (?g != <{rdf.ENTITIES_GRAPH.value}>)
}}"""


def references(store: Store) -> list[Reference]:
    """What the report graphs in ``store`` refer to (``kg.rdf.entity_quads``'s input)."""
    return [Reference(r["g"], r["entity"], r["surface"] or "", r["label"] or "",
                      tuple((k, r[k]) for k in ("level", "type") if r[k]))
            for r in kgstore.select(store, _REFERENCES, name="references")]


def refresh_entities(store: Store) -> int:
    """Recompute the entities graph from the report graphs, in one transaction; its size.

    A pure function of the report graphs (and the gazetteer): running it twice, or after
    building any subset of the reports, gives the description of exactly the nodes the stored
    reports refer to, as they say them.
    """
    refs = references(store)
    gaz = gazetteer.default()
    places: dict[str, Place] = {}
    codes = {key for slug, key in map(rdf.unmint, {r.entity for r in refs})
             if rdf.SLUG_CLASSES.get(slug) in rdf.PLACE_CLASSES}
    for code in sorted(codes):  # each place and its parents, up to the province
        while code and code not in places:
            try:
                places[code] = gaz.by_code(code)
            except KeyError:  # a code the gazetteer does not know: not described
                break
            code = places[code].parent or ""
    quads = rdf.entity_quads(refs, places)
    kgstore.replace_graph(store, rdf.ENTITIES_GRAPH, quads)
    return len(quads)


_SUMMARY_CLASSES = ("City", "County", "Project", "Policy", "IndustryChain", "Observation")


def summary_lines(results: Sequence[BuildResult]) -> list[str]:
    """One line per report: file, status, city, years, counts per class."""
    lines = []
    for r in results:
        if r.status == "error":
            lines.append(f"ERROR  {r.error}")
            continue
        years = f"{r.report_year or '?'} (reviews {r.review_year or '?'})"
        counts = "  ".join(f"{k}={r.counts.get(k, 0)}" for k in _SUMMARY_CLASSES) \
            if r.status == "built" else "(unchanged, skipped)"
        lines.append(f"{r.path.name}  {r.city or '未知城市'} {years}  {counts}")
    built = sum(r.status == "built" for r in results)
    skipped = sum(r.status == "unchanged" for r in results)
    failed = sum(r.status == "error" for r in results)
    lines.append(f"{built} built, {skipped} unchanged, {failed} failed")
    return lines


def stats(store: Store) -> dict[str, int]:
    """Reports, quads, distinct triples and instances per class (over all report graphs)."""
    counts: dict[str, int] = {"reports": len(kgstore.report_graphs(store)), "quads": len(store)}
    rows = kgstore.select(store, "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o "
                                 "WHERE { GRAPH ?g { ?s ?p ?o } } }")
    counts["distinct triples"] = rows[0]["n"] if rows else 0
    for row in kgstore.select(store, f"""
            SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE {{ GRAPH ?g {{ ?s a ?class }}
            FILTER(STRSTARTS(STR(?class), "{ONTOLOGY}")) }}
            GROUP BY ?class ORDER BY ?class"""):
        counts[row["class"].removeprefix(ONTOLOGY)] = row["n"]
    for row in kgstore.select(store, f"""
            SELECT ?class (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s a ?class ; ?p ?o }}
            FILTER(STRSTARTS(STR(?class), "{ONTOLOGY}")) }}
            GROUP BY ?class ORDER BY ?class"""):
        counts[f"triples about {row['class'].removeprefix(ONTOLOGY)}"] = row["n"]
    return counts
