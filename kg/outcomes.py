"""What happens to each file of ``kg build``: the reading limits, the result of each file
(built, unchanged, skipped, failed), duplicates and conflicts, and the lines that report them.

:func:`kg.pipeline.build` runs the stages; this module decides, for each file, whether its
outcome may reach the store and how it is told: every line names the file and the reason.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pyoxigraph import NamedNode, Store

from kg import gazetteer, readers
from kg import store as kgstore
from kg.errors import InputError, KGError
from kg.model import Place

#: The longest text ``kg build`` reads, in characters: 7× the longest of the 2,188 real reports
#: in ``../shared/reports`` (35,913). A longer text is not one report (a concatenation, a dump);
#: time and memory grow linearly, but at this size a build already takes 5 s and 0.5 GB
#: (extraction runs at about 75k characters/s, and a report graph is written in one
#: transaction, which holds it in memory several times over). ``--max-chars`` changes it.
MAX_CHARS = 250_000
#: Files larger than this are not even read (a PDF or Word file is larger than its text).
MAX_BYTES = 200 * 1024 * 1024
#: Quads the writer commits between flushes of the store (#12). Oxigraph leaves RocksDB's
#: memtables at 128 MiB per column family, with no budget over its dozen families, so a build
#: that keeps the store open held every report written since its start in memory (4-5 MiB a
#: report: 0.99 GiB in the writer after 300 reports); flushed every 100,000 quads (some 25
#: reports), the writer's memtables stay near 100 MiB.
FLUSH_QUADS = 100_000

#: What can happen to a file: ``error`` counts as failed (exit status 1), ``skipped`` is a
#: warning (exit status 0 unless ``--strict``).
STATUSES = ("built", "unchanged", "skipped", "error")


@dataclass
class BuildResult:
    """What happened to one file; ``error`` (failed) and ``reason`` (skipped, or a note on a
    built report such as what it replaced) name the file."""

    path: Path
    status: str  # one of STATUSES
    report: str = ""
    city: str = ""
    report_year: int | None = None
    review_year: int | None = None
    counts: dict[str, int] = field(default_factory=dict)
    triples: int = 0
    error: str = ""
    reason: str = ""


def hash_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def city_named(name: str) -> Place:
    """The prefecture-level city (or municipality) ``name`` names, for ``--city``.

    >>> city_named("北京").code, city_named("衢州市").name
    ('110100', '衢州市')
    """
    gaz = gazetteer.default()
    cities = {c.code: c for p in gaz.lookup(name.strip())  # a county's name is not its city's
              if p.level != "county" and (c := gaz.city_of(p)) is not None}
    if len(cities) != 1:
        found = "no city" if not cities else "several cities: " + "、".join(
            c.name for c in cities.values())
        raise InputError(f"--city {name}: {found} of that name in the gazetteer; give a "
                         "prefecture-level city or municipality by its full name (衢州市)")
    return next(iter(cities.values()))


@dataclass(frozen=True)
class Outcome:
    """A worker's answer: the report's graph and a summary, or why there is none.

    ``graph`` holds the graph's triples as N-Triples (:func:`kg.store.graph_bytes`), which
    pass between processes far cheaper than pickled quads; ``triples`` counts them."""

    path: Path
    content_hash: str
    graph: bytes | None = None
    summary: dict = field(default_factory=dict)
    error: str = ""
    skipped: str = ""
    triples: int = 0


def read_report(path: Path, max_chars: int) -> readers.Source:
    """A report file as :func:`kg.readers.read` reads it, or InputError naming the file and
    why not (the reader's reasons, and a size past ``MAX_BYTES`` or ``max_chars``)."""
    try:
        size = path.stat().st_size
    except OSError as e:
        raise InputError(f"{path}: cannot read the file ({e.strerror})") from e
    if size > MAX_BYTES:
        raise InputError(f"{path}: {size / 2**20:,.0f} MB, not read (the limit is "
                         f"{MAX_BYTES // 2**20} MB); split it into its reports")
    source = readers.read(path)
    if len(source.text) > max_chars:
        raise InputError(f"{path}: {len(source.text):,} characters, over the limit of "
                         f"{max_chars:,} (a report has at most some 40,000); split it into its "
                         "reports, or raise --max-chars")
    return source


class Writer:
    """Writes the workers' outcomes, in file order, refusing conflicts (see :func:`build`)."""

    def __init__(self, store: Store, stored: dict[str, dict], replace: bool) -> None:
        self.store, self.stored, self.replace = store, stored, replace
        self.claimed: dict[str, Path] = {}  # report IRI → the file of this build that holds it
        self.unflushed = 0  # quads committed since the store was last flushed (FLUSH_QUADS)

    def write(self, out: Outcome) -> BuildResult:
        path = out.path
        if out.skipped:
            return BuildResult(path, "skipped", reason=out.skipped)
        if out.graph is None:
            return BuildResult(path, "error", error=out.error)
        graph = out.summary["report"]
        claim = f"{out.summary['city']} {out.summary['report_year']}"
        if graph in self.claimed:
            return BuildResult(path, "error", error=f"{path}: conflict: claims {claim}, as "
                               f"{self.claimed[graph]} (a different text) does in this build; "
                               "not built (one report per city and session)")
        old = self.stored.get(graph)
        note = ""
        if old is not None and old["hash"] != out.content_hash:
            if not self.replace:
                return BuildResult(path, "error", error=f"{path}: conflict: claims {claim}, "
                                   f"stored from {old['file'] or 'another file'} (a different "
                                   "text), which is kept; --replace to replace it")
            note = f"replaced the stored {claim} from {old['file'] or 'another file'}"
        try:
            kgstore.replace_graph(self.store, NamedNode(graph), out.graph)
        except KGError as e:
            return BuildResult(path, "error", error=f"{path}: {e}")
        self.claimed[graph] = path
        self.unflushed += out.triples
        if self.unflushed >= FLUSH_QUADS:
            self.store.flush()
            self.unflushed = 0
        return BuildResult(path, "built", triples=out.triples, reason=note, **out.summary)


_SUMMARY_CLASSES = ("City", "County", "Project", "Policy", "IndustryChain", "Observation")


def summary_lines(results: Sequence[BuildResult]) -> list[str]:
    """One line per file (built: city, years, counts per class; otherwise why), then the
    counts: ``N built, N unchanged, N skipped, N failed``."""
    lines = []
    for r in results:
        if r.status == "error":
            lines.append(f"failed: {r.error}")
            continue
        if r.status == "skipped":
            lines.append(f"skipped: {r.reason}")
            continue
        years = f"{r.report_year or '?'} (reviews {r.review_year or '?'})"
        counts = "  ".join(f"{k}={r.counts.get(k, 0)}" for k in _SUMMARY_CLASSES) \
            if r.status == "built" else "(unchanged, skipped)"
        note = f"  ({r.reason})" if r.reason else ""
        lines.append(f"{r.path.name}  {r.city or '未知城市'} {years}  {counts}{note}")
    n = Counter(r.status for r in results)
    lines.append(f"{n['built']} built, {n['unchanged']} unchanged, {n['skipped']} skipped, "
                 f"{n['error']} failed")
    return lines
