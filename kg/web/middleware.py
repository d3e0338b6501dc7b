"""The one WSGI layer every request passes through, in front of Flask.

It owns what every response shares, so no view repeats it: CORS headers (and the preflight
answer's), a Content Security Policy that lets pages load nothing from other origins, the
access log (one line a request: client, method, path, status, bytes, time), the
error log (one line for every 4xx/5xx, with the query or update text that caused it, and the
traceback of an unexpected exception, which becomes a plain-text 500), and a short path for the
hottest request, ``GET /sparql?query=…``.

The short path exists because Flask's request context, routing and ``Response`` object cost
~35 us a request on the benchmark machine: as much as a one-row query itself (~25 us in
Oxigraph); ``bench/README.md`` has the figures with and without it. It uses the very pieces the
Flask view uses (Werkzeug's query-string parsing and ``Accept`` negotiation,
``runtime.make_job``, ``runtime.execute`` with its cache, the request's URL as base IRI) and
hands everything else to Flask untouched: other paths and methods, GETs without ``query``
(service description), with ``update`` or two ``query``, parameters that are not UTF-8, and a
bad ``format=``, a refused ``SERVICE`` or too deep a nesting (whose 400 comes from Flask).
``tests/test_web_fastlane.py`` checks both paths give the same responses.

>>> from flask import Flask
>>> app = Flask("demo")
>>> app.wsgi_app = Middleware(app)
>>> isinstance(app.wsgi_app, Middleware)
True
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, quote

from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.http import HTTP_STATUS_CODES
from werkzeug.wsgi import ClosingIterator

from kg.errors import QueryError
from kg.web import runtime

if TYPE_CHECKING:
    from flask import Flask

ACCESS = logging.getLogger("kg.web.access")
ERRORS = logging.getLogger("kg.web.error")
OPERATION = runtime.OPERATION
_CORS = list(runtime.CORS.items())
_PREFLIGHT = [
    ("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE, OPTIONS"),
    ("Access-Control-Allow-Headers", "Accept, Authorization, Content-Type"),
    ("Access-Control-Max-Age", "86400"),
]
#: Pages may load scripts, styles, images and data from this server only, run no inline code,
#: be framed by nobody and send forms only here; with ``nosniff``, no answer is read as a page
#: unless it says it is one.
_SECURITY = [
    ("Content-Security-Policy", "default-src 'self'; base-uri 'self'; form-action 'self'; "
                                "frame-ancestors 'none'; object-src 'none'"),
    ("X-Content-Type-Options", "nosniff"),
]
_OURS = {name.lower() for name, _ in _CORS + _PREFLIGHT + _SECURITY}
_LOGGED_TEXT = 2000  # characters of a query kept in the error log


def _one_line(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _LOGGED_TEXT else text[:_LOGGED_TEXT] + "…"


class Middleware:
    """WSGI middleware: cross-cutting concerns for every request, and ``GET /sparql?query=``
    straight to the executor."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.flask = app.wsgi_app  # the next WSGI callable (Flask's own)

    def __call__(self, environ: dict[str, Any],
                 start_response: Callable[..., Any]) -> Iterable[bytes]:
        started = time.perf_counter()
        seen: dict[str, Any] = {"status": 500, "bytes": None}
        preflight = environ.get("REQUEST_METHOD") == "OPTIONS"

        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            seen["status"] = int(status.split(" ", 1)[0])
            headers = [(k, v) for k, v in headers if k.lower() not in _OURS]
            headers += _CORS + _SECURITY + (_PREFLIGHT if preflight else [])
            seen["bytes"] = next((v for k, v in headers if k.lower() == "content-length"), "-")
            return start_response(status, headers, exc_info)

        body: Iterable[bytes] | None
        try:
            body = self._short_path(environ, start)
            if body is None:
                body = self.flask(environ, start)
        except Exception:  # noqa: BLE001 - a plain 500 and a traceback in the error log
            ERRORS.exception("%s %s: unexpected error%s", environ.get("REQUEST_METHOD"),
                             _path(environ), self._operation(environ))
            message = b"500 Internal Server Error: see the server's error log\n"
            body = [message]
            start("500 Internal Server Error", [("Content-Type", runtime.TEXT),
                                                ("Content-Length", str(len(message)))])
        return ClosingIterator(body, lambda: self._log(environ, seen, started))

    @staticmethod
    def _operation(environ: dict[str, Any]) -> str:
        text = environ.get(OPERATION)
        return f": {_one_line(text)}" if text else ""

    def _log(self, environ: dict[str, Any], seen: dict[str, Any], started: float) -> None:
        status = seen["status"]
        ms = (time.perf_counter() - started) * 1000
        if ACCESS.isEnabledFor(logging.INFO):
            ACCESS.info('%s "%s %s" %d %s %.1fms', environ.get("REMOTE_ADDR", "-"),
                        environ.get("REQUEST_METHOD"), _path(environ), status, seen["bytes"], ms)
        if status >= 400:
            ERRORS.log(logging.ERROR if status >= 500 else logging.WARNING, "%s %s → %d%s",
                       environ.get("REQUEST_METHOD"), _path(environ, query=False), status,
                       self._operation(environ))

    def _short_path(self, environ: dict[str, Any],
                    start_response: Callable[..., Any]) -> list[bytes] | None:
        """The answer to a plain ``GET /sparql?query=``, or ``None`` to let Flask answer."""
        if environ.get("REQUEST_METHOD") != "GET" or environ.get("PATH_INFO") != "/sparql":
            return None
        pool = self.app.extensions.get(runtime.EXTENSION)
        args = _args(environ)
        if (args is None or pool is None or "query" not in args or "update" in args
                or runtime.duplicated(args)):
            return None
        try:
            negotiated = runtime.negotiate_header(
                environ.get("HTTP_ACCEPT"), args["format"] if "format" in args else None)
        except QueryError:
            return None
        config = self.app.config
        try:
            job = runtime.make_job(args["query"], "SPARQL query", args, negotiated, config,
                                   base_iri=_base_url(environ))
        except QueryError:
            return None
        environ[OPERATION] = job.text
        status, content_type, body, extra = runtime.execute(
            pool, self.app.extensions[runtime.CACHE], job, float(config["QUERY_TIMEOUT"]))
        headers = [("Content-Type", content_type), ("Content-Length", str(len(body))),
                   *extra.items()]
        start_response(f"{status} {HTTP_STATUS_CODES.get(status, '')}", headers)
        return [body]


def configure_logs(access: str | None, errors: str | None) -> None:
    """Send the access log and the error log to a file (appended: several server processes
    may share it, each line written whole), to standard error for ``"-"``, or nowhere for
    ``None``; each line starts with the time."""
    for logger, target, form in ((ACCESS, access, "%(asctime)s %(message)s"),
                                 (ERRORS, errors, "%(asctime)s %(levelname)s %(message)s")):
        logger.handlers.clear()
        logger.propagate = False
        if target is None:
            logger.addHandler(logging.NullHandler())
            continue
        handler = (logging.StreamHandler() if target == "-"
                   else logging.FileHandler(target, encoding="utf-8"))
        handler.setFormatter(logging.Formatter(form))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)


def _base_url(environ: dict[str, Any]) -> str:
    """``flask.request.base_url`` for the short path's requests (``/sparql``, no query string),
    without Werkzeug's IRI round trip of the whole URL (~20 us)."""
    host = environ.get("HTTP_HOST") or f"{environ['SERVER_NAME']}:{environ['SERVER_PORT']}"
    return f"{environ['wsgi.url_scheme']}://{host}{quote(environ.get('SCRIPT_NAME', ''))}/sparql"


def _path(environ: dict[str, Any], *, query: bool = True) -> str:
    path = environ.get("PATH_INFO", "")
    if query and environ.get("QUERY_STRING"):
        path += "?" + environ["QUERY_STRING"]
    return path if len(path) <= _LOGGED_TEXT else path[:_LOGGED_TEXT] + "…"


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
