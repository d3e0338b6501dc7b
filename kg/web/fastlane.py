"""A lean WSGI path in front of Flask for the hottest request: ``GET /sparql?query=…``.

Flask's request context, routing, ``after_request`` hooks and ``Response`` object cost ~35 us
a request on this machine: as much as a one-row query itself (~25 us in Oxigraph). This
middleware answers plain query GETs with the very same pieces the Flask view uses (Werkzeug's
query-string parsing and ``Accept`` negotiation, ``runtime.make_job`` and ``runtime.execute``,
``runtime.CORS``, the request's URL as base IRI) and hands everything else to Flask untouched:
other paths and methods, GETs without ``query`` (service description), with ``update`` or two
``query``, parameters that are not UTF-8, and a bad ``format=`` or a refused ``SERVICE`` (whose
400 comes from Flask). ``tests/test_web_fastlane.py`` checks both paths give the same responses.

>>> from flask import Flask
>>> app = Flask("demo")
>>> app.wsgi_app = FastLane(app)
>>> isinstance(app.wsgi_app, FastLane)
True
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.http import HTTP_STATUS_CODES
from werkzeug.wsgi import get_current_url

from kg.errors import QueryError
from kg.web import runtime

if TYPE_CHECKING:
    from flask import Flask

_CORS = list(runtime.CORS.items())


class FastLane:
    """WSGI middleware: ``GET /sparql?query=`` straight to the executor, the rest to Flask."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.flask = app.wsgi_app  # the next WSGI callable (Flask's own)

    def __call__(self, environ: dict[str, Any],
                 start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") != "GET" or environ.get("PATH_INFO") != "/sparql":
            return self.flask(environ, start_response)
        pool = self.app.extensions.get(runtime.EXTENSION)
        args = _args(environ)
        if (args is None or pool is None or "query" not in args or "update" in args
                or runtime.duplicated(args)):
            return self.flask(environ, start_response)
        try:
            negotiated = runtime.negotiate_header(
                environ.get("HTTP_ACCEPT"), args["format"] if "format" in args else None)
        except QueryError:
            return self.flask(environ, start_response)
        config = self.app.config
        try:
            job = runtime.make_job(args["query"], "SPARQL query", args, negotiated, config,
                                   base_iri=get_current_url(environ, strip_querystring=True))
        except QueryError:
            return self.flask(environ, start_response)
        status, content_type, body, extra = runtime.execute(
            pool, job, float(config["QUERY_TIMEOUT"]))
        headers = [("Content-Type", content_type), ("Content-Length", str(len(body))),
                   *extra.items(), *_CORS]
        start_response(f"{status} {HTTP_STATUS_CODES.get(status, '')}", headers)
        return [body]


def _args(environ: dict[str, Any]) -> ImmutableMultiDict[str, str] | None:
    """``werkzeug.Request(environ).args`` without building the rest of a ``Request``: the same
    ``parse_qsl`` call on the same bytes, or ``None`` if they are not UTF-8 once
    percent-decoded (Flask answers that 400). Where Werkzeug's ``werkzeug.url_quote`` error
    handler would keep invalid bytes encoded, strict decoding raises instead, so one parse
    both checks and splits."""
    try:
        query_string = environ.get("QUERY_STRING", "").encode("latin1").decode()
        return ImmutableMultiDict(parse_qsl(query_string, keep_blank_values=True,
                                            errors="strict"))
    except UnicodeDecodeError:
        return None
