"""Content negotiation over ``kg.formats``: ``Accept`` (q-values, via Werkzeug) and ``format=``.

A query's result kind is only known once it is parsed, so both choices are made up front:
one for SELECT/ASK results and one for CONSTRUCT/DESCRIBE graphs, as the pyoxigraph attribute
names the query workers take; ``None`` means the client accepts none of ours (406 once the
kind is known).

>>> from werkzeug.datastructures import MIMEAccept
>>> negotiate(MIMEAccept([("text/csv", 1), ("text/turtle", 0.5)]))
('CSV', 'TURTLE')
>>> negotiate(MIMEAccept([("image/png", 1)])), negotiate(MIMEAccept([("image/png", 1)]), "xml")
((None, None), ('XML', 'RDF_XML'))
>>> negotiate(MIMEAccept([("application/json; charset=utf-8", 1)]))
('JSON', 'JSON_LD')
"""

from __future__ import annotations

from collections.abc import Sequence

from werkzeug.datastructures import MIMEAccept

from kg import formats as registry
from kg.errors import QueryError
from kg.formats import DATASETS, GRAPHS, RESULTS, Format


def best_match(accept: MIMEAccept, formats: Sequence[Format], *also: str) -> str | None:
    """The media type, of ``formats`` (default first) or ``also``, that ``accept`` prefers
    (q-values honoured by Werkzeug), the first without an ``Accept`` header, else ``None``.

    Besides each format's own media type, any the client sent that pyoxigraph reads as one of
    ``formats`` is offered (``text/plain`` for N-Triples). A media range matches on
    type/subtype only: Werkzeug would otherwise require its other parameters
    (``charset=utf-8``, a JSON-LD ``profile=``) on the offered type too.

    >>> best_match(MIMEAccept([("text/plain;charset=utf-8", 0.5), ("text/turtle", 0.4)]), GRAPHS)
    'text/plain'
    """
    sent: list[tuple[str, float]] = [(value.partition(";")[0].strip(), q) for value, q in accept]
    offered = dict.fromkeys([*(f.media_type.partition(";")[0] for f in formats),
                             *(v for v, _ in sent if registry.by_media_type(v, formats)), *also])
    return MIMEAccept(sent).best_match(offered) if accept else next(iter(offered))


def _choose(accept: MIMEAccept, fmt: str | None, formats: Sequence[Format]) -> str | None:
    if fmt:
        chosen = registry.by_name(fmt, formats)
    else:
        match = best_match(accept, formats)
        chosen = registry.by_media_type(match, formats) if match else None
    return None if chosen is None else registry.ATTRIBUTES[chosen]


def negotiate(accept: MIMEAccept, fmt: str | None = None) -> tuple[str | None, str | None]:
    """(solutions format, graph format) for an ``Accept`` header and an optional ``format=``,
    a short name (``json``, ``turtle``…) or a media type; an unknown one is a ``QueryError``."""
    chosen = _choose(accept, fmt, RESULTS), _choose(accept, fmt, GRAPHS)
    if fmt and chosen == (None, None):
        raise QueryError(f"unknown format={fmt!r}; use one of "
                         f"{', '.join(registry.names(registry.SERVED))} or a media type")
    return chosen


def negotiate_dataset(accept: MIMEAccept, fmt: str | None = None) -> str | None:
    """The ``RdfFormat`` name to send a whole dataset in (TriG by default), ``None`` if the
    client accepts none of ours; an unknown ``format=`` is a ``QueryError``.

    >>> negotiate_dataset(MIMEAccept([("application/n-quads", 1), ("application/trig", 0.5)]))
    'N_QUADS'
    >>> negotiate_dataset(MIMEAccept([("text/turtle", 1)])) is None
    True
    """
    chosen = _choose(accept, fmt, DATASETS)
    if fmt and chosen is None:
        raise QueryError(f"unknown dataset format={fmt!r}; use one of "
                         f"{', '.join(registry.names(DATASETS))} or a media type")
    return chosen
