"""Content negotiation: the ``Accept`` header (with q-values, via Werkzeug) and ``format=``.

A query's result kind is only known once it is parsed, so both choices are made up front:
one for SELECT/ASK results and one for CONSTRUCT/DESCRIBE graphs; ``None`` means the client
accepts none of ours (406 once the kind is known).

>>> from werkzeug.datastructures import MIMEAccept
>>> negotiate(MIMEAccept([("text/csv", 1), ("text/turtle", 0.5)]))
('CSV', 'TURTLE')
>>> negotiate(MIMEAccept([("image/png", 1)]))
(None, None)
>>> negotiate(MIMEAccept([("image/png", 1)]), "xml")
('XML', 'RDF_XML')
>>> negotiate(MIMEAccept([("text/turtle; charset=utf-8", 1)]))
(None, 'TURTLE')
"""

from __future__ import annotations

from werkzeug.datastructures import MIMEAccept

from kg.errors import QueryError

#: Media types we answer SELECT/ASK with, default first → ``QueryResultsFormat`` name.
SOLUTION_TYPES = {
    "application/sparql-results+json": "JSON",
    "application/json": "JSON",
    "application/sparql-results+xml": "XML",
    "application/xml": "XML",
    "text/xml": "XML",
    "text/csv": "CSV",
    "text/tab-separated-values": "TSV",
}
#: Media types we answer CONSTRUCT/DESCRIBE with, default first → ``RdfFormat`` name.
GRAPH_TYPES = {
    "text/turtle": "TURTLE",
    "application/x-turtle": "TURTLE",
    "application/n-triples": "N_TRIPLES",
    "text/plain": "N_TRIPLES",
    "application/ld+json": "JSON_LD",
    "application/rdf+xml": "RDF_XML",
    "application/xml": "RDF_XML",
}
#: Media types we answer a whole dataset with (Graph Store ``GET`` without a graph), default first.
DATASET_TYPES = {
    "application/trig": "TRIG",
    "application/n-quads": "N_QUADS",
    "text/x-nquads": "N_QUADS",
}
DATASET_FORMATS = {"trig": "TRIG", "nquads": "N_QUADS", "nq": "N_QUADS"}
#: ``format=`` values → (solutions format, graph format).
FORMATS = {
    "json": ("JSON", "JSON_LD"),
    "xml": ("XML", "RDF_XML"),
    "csv": ("CSV", None),
    "tsv": ("TSV", None),
    "turtle": (None, "TURTLE"),
    "ttl": (None, "TURTLE"),
    "ntriples": (None, "N_TRIPLES"),
    "nt": (None, "N_TRIPLES"),
    "jsonld": (None, "JSON_LD"),
    "json-ld": (None, "JSON_LD"),  # SPARQLWrapper's names from here on
    "rdfxml": (None, "RDF_XML"),
    "rdf+xml": (None, "RDF_XML"),
    "rdf": (None, "RDF_XML"),
    "n3": (None, "TURTLE"),  # Turtle is N3 without its extensions
}


def best_match(accept: MIMEAccept, offered: list[str]) -> str | None:
    """The media type of ``offered`` that ``accept`` prefers (q-values honoured, Werkzeug's
    ``best_match``), the first one if there is no ``Accept`` header, ``None`` if none is accepted.

    A media range matches on type/subtype only: Werkzeug would otherwise require its other
    parameters (``charset=utf-8``, a JSON-LD ``profile=``) on the offered type too.

    >>> best_match(MIMEAccept([("text/csv;charset=utf-8", 0.5), ("text/turtle", 0.9)]),
    ...            ["text/csv", "text/turtle"])
    'text/turtle'
    """
    if not accept:
        return offered[0]
    bare = MIMEAccept([(value.partition(";")[0].strip(), q) for value, q in accept])
    return bare.best_match(offered)


def _best(accept: MIMEAccept, table: dict[str, str]) -> str | None:
    match = best_match(accept, list(table))
    return table[match] if match else None


def negotiate(accept: MIMEAccept, fmt: str | None = None) -> tuple[str | None, str | None]:
    """(solutions format, graph format) for an ``Accept`` header and an optional ``format=``.

    ``format=`` may be a short name (``json``, ``turtle``…) or a media type; an unknown one is a
    ``QueryError`` listing the known names.
    """
    if fmt:
        fmt = fmt.strip().lower()
        if fmt in FORMATS:
            return FORMATS[fmt]
        if fmt in SOLUTION_TYPES or fmt in GRAPH_TYPES:
            return SOLUTION_TYPES.get(fmt), GRAPH_TYPES.get(fmt)
        raise QueryError(f"unknown format={fmt!r}; use one of {', '.join(FORMATS)} "
                         "or a media type")
    return _best(accept, SOLUTION_TYPES), _best(accept, GRAPH_TYPES)


def negotiate_dataset(accept: MIMEAccept, fmt: str | None = None) -> str | None:
    """The ``RdfFormat`` name to send a whole dataset in (TriG by default), ``None`` if the
    client accepts none of ours; an unknown ``format=`` is a ``QueryError``.

    >>> negotiate_dataset(MIMEAccept([("application/n-quads", 1), ("application/trig", 0.5)]))
    'N_QUADS'
    >>> negotiate_dataset(MIMEAccept([("text/turtle", 1)])) is None
    True
    """
    if fmt:
        fmt = fmt.strip().lower()
        if fmt in DATASET_FORMATS or fmt in DATASET_TYPES:
            return DATASET_FORMATS.get(fmt) or DATASET_TYPES[fmt]
        raise QueryError(f"unknown dataset format={fmt!r}; use one of "
                         f"{', '.join(DATASET_FORMATS)} or a media type")
    return _best(accept, DATASET_TYPES)
