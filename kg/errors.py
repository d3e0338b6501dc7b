"""One small exception hierarchy: every error names the file, query or report it is about.

>>> raise InputError("corpus/x.txt: not UTF-8 nor GB18030")
Traceback (most recent call last):
...
kg.errors.InputError: corpus/x.txt: not UTF-8 nor GB18030
"""


class KGError(Exception):
    """Base class of gov-kg's own errors; the CLI prints them without a traceback."""


class InputError(KGError):
    """A report file (or gold file) cannot be read or decoded."""


class QueryError(KGError):
    """A SPARQL query or named query is unknown, malformed or lacks a parameter."""


class StoreError(KGError):
    """The Oxigraph store cannot be opened or written."""
