"""The order of the stages: ``process`` (pure, text → Extraction) and ``build`` (files → store).

``process`` depends on the text alone, so reports can be processed in worker processes
(``jobs``); the store is written by the calling process only, one transaction per report, so a
bad file or a crash mid-build loses nothing already stored. After the reports, ``build``
recomputes the entities graph from the references of every report graph
(``refresh_entities``), so whichever reports were (re)built, each shared node is described once
and by what the current reports say; then the targets graph (``kg.targets.refresh``).
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from pyoxigraph import Quad, Store
from tqdm import tqdm

from kg import extract, gazetteer, ingest, rdf, readers, resolve, targets, workers
from kg import store as kgstore
from kg.errors import InputError, KGError
from kg.extract.tagger import Tagger
from kg.extract.tagger import default as tagger_default
from kg.lock import Writing
from kg.model import Document, Extraction, Place, Reference
from kg.outcomes import (
    MAX_CHARS,
    BuildResult,
    Outcome,
    Writer,
    city_named,
    hash_text,
    read_report,
)
from kg.outcomes import summary_lines as summary_lines  # the CLI's, and tests', entry
from kg.vocab import ONTOLOGY

REPORT_SUFFIXES = readers.SUFFIXES


def document(text: str, source: str = "", *, title: str | None = None,
             city: Place | None = None, year: int | None = None) -> Document:
    """Parse a report's text (``title``: the reader's clue, :class:`kg.readers.Source`);
    ``city`` and ``year`` (the report year, reviewing ``year - 1``) replace what inference
    found (``kg build --city/--year``)."""
    doc = ingest.parse_text(text, source=source, title=title)
    if city is not None:
        doc = dataclasses.replace(doc, city=city,
                                  evidence=(*doc.evidence, f"city given: {city.name}"))
    if year is not None:
        doc = dataclasses.replace(doc, report_year=year, review_year=year - 1,
                                  evidence=(*doc.evidence, f"year given: {year}"))
    return doc


def extract_document(doc: Document, *, tagger: Tagger | None = None) -> Extraction:
    """Extract everything from a parsed report: mentions, observations, resolved entities."""
    mentions, observations = extract.run_all(doc, tagger or tagger_default())
    entities = resolve.resolve(doc, mentions)
    return Extraction(document=doc, entities=tuple(entities), observations=tuple(observations))


def process(text: str, source: str = "", *, tagger: Tagger | None = None) -> Extraction:
    """Extract everything from one report's text: a pure function of ``text`` (and the model).

    ``source`` (the file name) is recorded as provenance only. ``tagger`` is the learned tagger
    to run beside the rules; None means the packaged model (``KG_TAGGER=off``: rules alone).
    """
    return extract_document(document(text, source=source), tagger=tagger)


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


def find_reports(paths: Iterable[Path]) -> list[Path]:
    """Report files under ``paths``: files as given, folders searched for the suffixes
    :mod:`kg.readers` reads (``REPORT_SUFFIXES``)."""
    return [q for q, readable in _walk(paths) if readable]


def _walk(paths: Iterable[Path]) -> Iterator[tuple[Path, bool]]:
    """Every file under ``paths`` (hidden ones and those in hidden folders aside) and whether
    it has a suffix gov-kg reads; a file given by name is always read."""
    for p in map(Path, paths):
        if not p.is_dir():
            yield p, True
            continue
        for q in sorted(p.rglob("*")):
            if q.is_file() and not any(part.startswith(".") for part in q.relative_to(p).parts):
                yield q, q.suffix.lower() in REPORT_SUFFIXES


def _built_reports(store: Store) -> list[dict]:
    """The stored reports (graph, content hash, pipeline version, source file, city, years),
    in one query."""
    return kgstore.select(store, f"""
        PREFIX gk: <{ONTOLOGY}>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT ?g ?hash ?version ?file ?city ?ry ?vy WHERE {{ GRAPH ?g {{ ?g gk:contentHash ?hash .
          OPTIONAL {{ ?g gk:pipelineVersion ?version }} OPTIONAL {{ ?g gk:sourceFile ?file }}
          OPTIONAL {{ ?g gk:reportYear ?ry }} OPTIONAL {{ ?g gk:reviewYear ?vy }} }}
          OPTIONAL {{ GRAPH ?g {{ ?g gk:city ?c }} ?c rdfs:label ?city }} }}""")


@dataclass(frozen=True)
class _Task:
    path: Path
    text: str
    title: str | None = None  # the reader's clue
    city: Place | None = None  # --city
    year: int | None = None  # --year


def _work(task: _Task) -> Outcome:
    """Worker: process one file's text; returns its graph (N-Triples) and a summary, or why
    not."""
    path, content_hash = task.path, hash_text(task.text)
    try:
        doc = document(task.text, source=path.name, title=task.title, city=task.city,
                       year=task.year)
        missing = [(what, flag) for what, value, flag in (
            ("city", doc.city, "--city NAME"), ("report year", doc.report_year, "--year N"))
            if value is None]
        if missing:  # not a report, or one inference cannot place: built only when told
            hint = " and ".join(f"no recognisable {what}" for what, _ in missing)
            flags = " and ".join(flag for _, flag in missing)
            evidence = "; ".join(doc.evidence)[:120] or "no title line, no place or year named"
            return Outcome(path, content_hash, skipped=f"{path}: {hint} ({evidence}); not a "
                           f"report to build, or give {flags}")
        ex = extract_document(doc)
        quads = rdf.to_quads(ex, places=parent_places(ex), pipeline_version=pipeline_version())
        counts = Counter(e.kind for e in ex.entities)
        counts["Observation"] = len(ex.observations)
        summary = {
            "report": rdf.report_iri(doc).value,
            "city": doc.city.name if doc.city else "",
            "report_year": doc.report_year,
            "review_year": doc.review_year,
            "counts": dict(counts),
        }
        return Outcome(path, content_hash, kgstore.graph_bytes(quads), summary,
                       triples=len(quads))
    except KGError as e:
        return Outcome(path, content_hash, error=str(e))
    except Exception as e:  # noqa: BLE001 - a crash on one file must not stop the build
        return Outcome(path, content_hash, error=f"{path}: {type(e).__name__}: {e}")


def build(paths: Sequence[Path], store_path: Path | str | Store | None, *, force: bool = False,
          replace: bool = False, progress: bool = True, jobs: int = 1, city: str | None = None,
          year: int | None = None, max_chars: int = MAX_CHARS,
          mapper: Callable[[Callable[[_Task], Outcome], list[_Task]], Iterable[Outcome]]
          | None = None) -> list[BuildResult]:
    """Build (or update) the store from report files; one transaction per report.

    Each file ends as one :class:`BuildResult`: ``built``; ``unchanged`` (its text and the
    pipeline version are stored already; rebuilt with ``force``); ``skipped`` (a warning: the
    same text as another file, no recognisable city or report year, or, in a folder, a file of
    a format gov-kg does not read; hidden files are passed over); or ``error`` (failed:
    empty, unreadable, binary, over ``max_chars``, a conflict, a crash). A failing file never
    touches the store, and the other files still build.

    A **conflict** is a text different from the stored one (or from another file of this
    build) that claims the same report (:func:`kg.rdf.report_iri`: the city and the year it
    plans, or, for a session that plans no year of its own, the city and the session's month).
    The stored report is kept and the file fails, unless ``replace``: then the new text
    replaces it (within one build, the first file wins either way). One report per city and
    session, not versions side by side, because every query and analysis reads a city's year
    from one report: two versions would count each observation and mention twice. Two sessions
    of one year (an annual one and a term one held in autumn) are two reports, not a conflict.

    ``city`` (a name, :func:`city_named`) and ``year`` (the report year; it reviews
    ``year - 1``) override inference, and apply to one file only: InputError if ``paths``
    hold more than one report file.

    ``mapper(work, tasks)``, if given, runs ``work`` on each task elsewhere and yields the
    outcomes in the tasks' order (``kg.distributed.cluster``: on Dask); ``jobs`` is then unused.
    """
    walked = list(_walk(paths))
    files = [q for q, readable in walked if readable]
    if (city or year) and len(files) != 1:
        raise InputError(f"--city/--year name one report's city and year, but {len(files)} "
                         f"report files were given ({', '.join(map(str, paths))}); give one file")
    with kgstore.writing(store_path) as session:  # the one writer; readers go on (kg.lock)
        return _build(session, walked, force=force, replace=replace, progress=progress,
                      jobs=jobs, place=city_named(city) if city else None, year=year,
                      max_chars=max_chars, mapper=mapper)


_NOT_OPEN = Store()  # the Writer's store between its turns: never written


def _build(session: Writing, walked: list[tuple[Path, bool]], *, force: bool, replace: bool,
           progress: bool, jobs: int, place: Place | None, year: int | None,
           max_chars: int, mapper=None) -> list[BuildResult]:
    files = [q for q, readable in walked if readable]
    stored = session.read(_built_reports)
    by_hash = {r["hash"]: r for r in stored}
    by_graph = {r["g"]: r for r in stored}
    version = pipeline_version()
    results = [BuildResult(q, "skipped", reason=f"{q}: not a report format gov-kg reads "
                           f"({' '.join(REPORT_SUFFIXES)}); not read")
               for q, readable in walked if not readable]
    todo: list[_Task] = []  # each file is read and decoded once, here
    first: dict[str, Path] = {}  # content hash → the first file of this build with that text
    for path in files:
        try:
            report = read_report(path, max_chars)
        except KGError as e:
            results.append(BuildResult(path, "error", error=str(e)))
            continue
        content_hash = hash_text(report.text)
        if content_hash in first:
            results.append(BuildResult(path, "skipped", reason=f"{path}: same text as "
                                       f"{first[content_hash]}, not built twice"))
            continue
        first[content_hash] = path
        row = by_hash.get(content_hash)
        overridden = row is not None and (place is not None and row["city"] != place.name
                                          or year is not None and row["ry"] != year)
        if row is None or force or (row["version"] or "") != version or overridden:
            todo.append(_Task(path, report.text, report.title, place, year))
        elif row["file"] and row["file"] != path.name:
            results.append(BuildResult(path, "skipped", report=row["g"], city=row["city"] or "",
                                       report_year=row["ry"], review_year=row["vy"],
                                       reason=f"{path}: same text as {row['file']}, stored as "
                                              f"<{row['g']}>; not built twice"))
        else:
            results.append(BuildResult(path, "unchanged", report=row["g"],
                                       city=row["city"] or "", report_year=row["ry"],
                                       review_year=row["vy"]))
    writer = Writer(_NOT_OPEN, by_graph, replace)

    def write(outcome: Outcome) -> BuildResult:
        with session.store() as store:  # one exclusive turn; reopened after the readers'
            writer.store = store
            del store
            try:
                return writer.write(outcome)
            finally:  # no reference outlives the turn: the store can be closed between them
                writer.store = _NOT_OPEN

    bar = tqdm(total=len(todo), desc="building", unit="report", disable=not progress or not todo)
    if mapper is not None and todo:  # another engine runs the same _work (kg.distributed)
        for outcome in mapper(_work, todo):
            results.append(write(outcome))
            bar.update()
    elif jobs > 1 and len(todo) > 1:
        session.let_go()  # nothing open or locked while the workers fork
        with workers.pool(jobs) as executor:
            for outcome in executor.map(_work, todo):
                results.append(write(outcome))
                bar.update()
    else:
        for task in todo:
            results.append(write(_work(task)))
            bar.update()
    bar.close()
    quads = session.read(entity_quads)  # a long read: beside the readers, not in their way
    with session.store() as store:
        kgstore.replace_graph(store, rdf.ENTITIES_GRAPH, quads)
        targets.refresh(store)  # targets against outcomes across the report graphs (#13)
    order = {p: i for i, (p, _) in enumerate(walked)}
    return sorted(results, key=lambda r: order.get(r.path, 0))


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
    quads = entity_quads(store)
    kgstore.replace_graph(store, rdf.ENTITIES_GRAPH, quads)
    return len(quads)


def entity_quads(store: Store) -> list[Quad]:
    """The entities graph that the report graphs of ``store`` call for (``refresh_entities``)."""
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
    return rdf.entity_quads(refs, places)


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
