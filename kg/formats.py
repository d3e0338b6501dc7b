"""The formats we read and write, for ``kg export`` and the endpoint alike.

pyoxigraph's ``RdfFormat`` and ``QueryResultsFormat`` know each format's media type, file
extension and whether it keeps named graphs, and read media types (aliases too); this module
only says which formats serve which purpose, default first, and the short names clients use.

>>> by_name("ttl", EXPORTS).media_type, [f.name for f in DATASETS]
('text/turtle', ['TriG', 'N-Quads', 'JSON-LD'])
>>> by_name("json", RESULTS).name, by_name("json", GRAPHS).name
('SPARQL Results in JSON', 'JSON-LD')
>>> by_name("application/xml; charset=utf-8", GRAPHS).name, ATTRIBUTES[RdfFormat.RDF_XML]
('RDF/XML', 'RDF_XML')
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from pyoxigraph import QueryResultsFormat, RdfFormat

Format = TypeVar("Format", RdfFormat, QueryResultsFormat)

#: SELECT/ASK results.
RESULTS = (QueryResultsFormat.JSON, QueryResultsFormat.XML, QueryResultsFormat.CSV,
           QueryResultsFormat.TSV)
#: One graph: CONSTRUCT/DESCRIBE results, a Graph Store graph, the service description.
GRAPHS = (RdfFormat.TURTLE, RdfFormat.N_TRIPLES, RdfFormat.JSON_LD, RdfFormat.RDF_XML)
#: The whole store, one named graph per report (Graph Store ``GET`` without a graph).
DATASETS = tuple(f for f in (RdfFormat.TRIG, RdfFormat.N_QUADS, *GRAPHS) if f.supports_datasets)
#: ``kg export``: every graph and dataset format (which keep the named graphs by default:
#: ``kg.export.GRAPHS_BY_DEFAULT``).
EXPORTS = tuple(dict.fromkeys((*GRAPHS, *DATASETS)))
SERVED: tuple[RdfFormat | QueryResultsFormat, ...] = (*RESULTS, *EXPORTS)

#: The short names clients give a format (``kg export --format``, the endpoint's ``format=``),
#: each line with why. ``json`` and ``xml`` name a results and a graph format; the query's
#: kind picks one.
NAMES: dict[str, list[RdfFormat | QueryResultsFormat]] = {}
for _fmt, _names in (
    (RdfFormat.TURTLE, "turtle ttl"),  # its name (`kg export`'s default), its file extension
    (RdfFormat.TURTLE, "n3"),  # SPARQLWrapper's N3: Turtle is N3 without N3's own extensions
    (RdfFormat.N_TRIPLES, "ntriples n-triples nt"),  # its name, spelt two ways; its extension
    (RdfFormat.N_QUADS, "nquads n-quads nq"),  # its name, spelt two ways; its extension
    (RdfFormat.TRIG, "trig"),  # its name and extension
    (RdfFormat.JSON_LD, "jsonld json-ld json"),  # its extension; SPARQLWrapper's JSONLD; JSON
    (RdfFormat.RDF_XML, "rdfxml rdf+xml rdf xml"),  # its name; SPARQLWrapper's RDFXML, RDF; XML
    (QueryResultsFormat.JSON, "json"),  # SPARQLWrapper's JSON, the Protocol's default
    (QueryResultsFormat.XML, "xml"),  # SPARQLWrapper's XML
    (QueryResultsFormat.CSV, "csv"),  # SPARQLWrapper's CSV, the file extension
    (QueryResultsFormat.TSV, "tsv"),  # SPARQLWrapper's TSV, the file extension
):
    for _name in _names.split():
        NAMES.setdefault(_name, []).append(_fmt)

#: ``RdfFormat.TURTLE`` → ``"TURTLE"``: formats travel to the query workers by these names, as
#: pyoxigraph's format objects do not pickle.
ATTRIBUTES = {getattr(kind, a): a for kind in (RdfFormat, QueryResultsFormat)
              for a in dir(kind) if a.isupper()}


def names(among: Sequence[RdfFormat | QueryResultsFormat]) -> list[str]:
    """The short names of the formats ``among`` (for error messages)."""
    return [name for name, formats in NAMES.items() if any(f in among for f in formats)]


def by_media_type(value: str, among: Sequence[Format]) -> Format | None:
    """The format of ``among`` that pyoxigraph reads the media type ``value`` as, else ``None``
    (pyoxigraph knows aliases such as ``application/json`` and ``text/plain`` too)."""
    for kind in (RdfFormat, QueryResultsFormat):
        fmt = kind.from_media_type(value)
        if fmt is not None and fmt in among:
            return fmt  # type: ignore[return-value]
    return None


def by_name(name: str, among: Sequence[Format]) -> Format | None:
    """The format of ``among`` that a short name (``NAMES``) or a media type names, or ``None``."""
    key = name.strip().lower()
    for fmt in NAMES.get(key, ()):
        if fmt in among:
            return fmt  # type: ignore[return-value]  # ``fmt in among``: of ``among``'s kind
    return by_media_type(key, among)


def content_type(fmt: RdfFormat | QueryResultsFormat) -> str:
    """The ``Content-Type`` to send ``fmt`` with: its media type, and ``charset=utf-8`` for the
    ``text/*`` ones (pyoxigraph writes UTF-8; without the parameter ``text/*`` means US-ASCII,
    RFC 6838 §4.2.1, and the Graph Store tests ask for it).

    >>> content_type(RdfFormat.TURTLE), content_type(QueryResultsFormat.JSON)
    ('text/turtle; charset=utf-8', 'application/sparql-results+json')
    """
    media = fmt.media_type
    return f"{media}; charset=utf-8" if media.startswith("text/") else media

