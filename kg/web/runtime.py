"""What every blueprint shares: the executor (the one way to the store), running a job into a
response, write authorisation and plain-text errors."""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from functools import lru_cache
from urllib.parse import parse_qsl

from flask import Flask, Response, abort, current_app, request
from werkzeug.datastructures import MIMEAccept, MultiDict
from werkzeug.http import parse_accept_header

from kg.errors import QueryError
from kg.web.cache import ResultCache
from kg.web.executor import Executor, Stopped
from kg.web.formats import negotiate
from kg.web.jobs import Job, Query, Update
from kg.web.outbound import check
from kg.web.update_dataset import position, tokenize

EXTENSION = "kg.executor"
CACHE = "kg.cache"
#: The environ key where the text of the query or update being run is left for the error log
#: (``kg.web.middleware``).
OPERATION = "kg.operation"
#: CORS headers of every response (``/sparql`` is meant to be called from other origins).
CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "X-KG-Truncated, X-KG-Row-Limit, Warning",
}
TEXT = "text/plain; charset=utf-8"
#: Brackets ( { [ open at once in a query or update. Oxigraph's recursive parser overflows the
#: worker's stack (a segfault) somewhere past 2,000 levels; real queries stay under 20.
MAX_NESTING = 128
_OPEN, _CLOSE = "({[", ")}]"


def open_executor(app: Flask) -> Executor:
    """The app's worker pool over ``STORE_PATH`` (checked now; processes start on demand) and
    its result cache."""
    config = app.config
    executor = Executor(config["STORE_PATH"], size=int(config["EXECUTOR_WORKERS"]),
                        memory_mb=int(config["WORKER_MEMORY_MB"]),
                        long_after=float(config["LONG_QUERY_AFTER"]))
    app.extensions[EXTENSION] = executor
    app.extensions[CACHE] = ResultCache(int(config["CACHE_BYTES"]))
    return executor


def executor() -> Executor:
    return current_app.extensions[EXTENSION]


def cache() -> ResultCache:
    return current_app.extensions[CACHE]


def text(status: int, message: str, **headers: str) -> Response:
    response = Response(message + "\n", status, content_type=TEXT)
    response.headers.update(headers)
    return response


@lru_cache(maxsize=256)
def negotiate_header(accept: str | None, fmt: str | None) -> tuple[str | None, str | None]:
    """``negotiate`` for a raw ``Accept`` header, memoised: the same few headers come again
    and again, so each is parsed (by Werkzeug, q-values and all) and matched once."""
    return negotiate(parse_accept_header(accept, MIMEAccept), fmt)


def formats() -> tuple[str | None, str | None]:
    """Negotiated (solutions, graph) formats of this request; a bad ``format=`` is a 400."""
    try:
        return negotiate_header(request.headers.get("Accept"), request.values.get("format"))
    except QueryError as e:
        abort(text(400, str(e)))


def duplicated(values: MultiDict) -> str | None:
    """``"query"`` or ``"update"`` if ``values`` holds that parameter more than once, else ``None``.

    >>> duplicated(MultiDict([("query", "ASK {}"), ("query", "ASK {}")]))
    'query'
    """
    for name in ("query", "update"):
        if len(values.getlist(name)) > 1:
            return name
    return None


def not_utf8(encoded: bytes) -> str | None:
    """The name of the first parameter of a URL-encoded query string or form body whose
    percent-decoded name or value is not UTF-8, else ``None``.

    Werkzeug keeps such bytes percent-encoded, so ``%FF%FE`` would reach the parser as the
    text ``%FF%FE``; the Protocol's parameters are UTF-8, so this is the client's mistake.

    >>> not_utf8(b"query=ASK%20%7B%7D&default-graph-uri=%FF%FE")
    'default-graph-uri'
    >>> not_utf8("query=%E8%A1%A2".encode()) is None
    True
    """
    for name, value in parse_qsl(encoded.decode("latin1"), keep_blank_values=True,
                                 encoding="latin1"):
        try:
            name.encode("latin1").decode("utf-8")
            value.encode("latin1").decode("utf-8")
        except UnicodeDecodeError:
            return name.encode("latin1").decode("utf-8", "replace")
    return None


def check_nesting(text_: str, name: str, limit: int = MAX_NESTING) -> None:
    """Raise ``QueryError`` if brackets nest deeper than ``limit`` in ``text_`` (outside
    strings, IRIs and comments). Texts with fewer brackets than that are not tokenized.

    >>> check_nesting("SELECT * {" * 3 + "}" * 3, "q", limit=2)
    Traceback (most recent call last):
    ...
    kg.errors.QueryError: q: brackets nest deeper than 2 levels (at 1:30); simplify the query
    """
    if sum(map(text_.count, _OPEN)) <= limit:
        return
    depth = 0
    for token in tokenize(text_, name):
        if token.kind != "punct":
            continue
        if token.text in _OPEN:
            depth += 1
            if depth > limit:
                raise QueryError(f"{name}: brackets nest deeper than {limit} levels (at "
                                 f"{position(text_, token.start)}); simplify the query")
        elif token.text in _CLOSE:
            depth -= 1


def execute(pool: Executor, results: ResultCache, job: Job,
            timeout: float) -> tuple[int, str, bytes, dict[str, str]]:
    """(status, content type, body, extra headers) of ``job`` run within ``timeout`` seconds,
    or of a cached run of the same query on the same generation of the store.

    A job stopped for time or memory is a 503 with ``Retry-After``; a cut result carries
    ``X-KG-Truncated: true``, ``X-KG-Row-Limit`` and a ``Warning``. Shared by Flask views and
    the short path of ``kg.web.middleware``.
    """
    key = generation = None
    if isinstance(job, Query):
        key, generation = job.cache_key(), pool.generation()
        cached = results.get(key, generation)
        if cached is not None:
            return cached
    try:
        result = pool.run(job, timeout)
    except Stopped as e:
        return failure(e)
    if isinstance(job, Update):
        results.clear()
    extra = {}
    if result.truncated and isinstance(job, Query):  # only queries are cut at a row limit
        extra = {"X-KG-Truncated": "true", "X-KG-Row-Limit": str(job.max_rows),
                 "Warning": f'199 gov-kg "result truncated to the first {job.max_rows} rows '
                            '(max_rows)"'}
    answer = (result.status, result.content_type, result.body, extra)
    if key is not None and generation is not None and result.status == 200:
        results.put(key, generation, result.body, answer)
    return answer


def failure(e: Stopped) -> tuple[int, str, bytes, dict[str, str]]:
    """(status, content type, body, extra headers) for a job that did not finish: 503 with
    ``Retry-After`` when it was stopped (time, memory, busy), 500 for a failed worker."""
    if e.status == 503:
        return (503, TEXT, f"{e}. Narrow the query, add a LIMIT, or retry later.\n".encode(),
                {"Retry-After": "1"})
    return 500, TEXT, f"{e}\n".encode(), {}


def respond(status: int, content_type: str, body, headers: dict[str, str]) -> Response:
    """A Flask response from ``execute``'s or ``failure``'s tuple (``body``: bytes or chunks)."""
    response = Response(body, status, content_type=content_type)
    response.headers.update(headers)
    return response


def run(job: Job) -> Response:
    """Run ``job`` within the configured time limit and turn its result into a response."""
    request.environ[OPERATION] = job.text
    return respond(*execute(executor(), cache(), job, float(current_app.config["QUERY_TIMEOUT"])))


def make_job(text_: str, name: str, values: MultiDict, negotiated: tuple[str | None, str | None],
             config: Mapping, base_iri: str | None = None, **kwargs) -> Query:
    """A ``Query`` with the ``negotiated`` formats, the protocol dataset of ``values``
    (``default-graph-uri``, ``named-graph-uri``), the row limit of ``config`` and
    ``base_iri`` (the endpoint's URL, without the query string) for relative IRIs.

    Raises ``QueryError`` for brackets nested past ``MAX_NESTING`` and for a ``SERVICE`` to a
    host not in ``config["ALLOW_SERVICE"]``, so no such query ever reaches pyoxigraph (which
    would crash or make the request itself).
    """
    check_nesting(text_, name)
    check(text_, name, config["ALLOW_SERVICE"])
    solutions, graph = negotiated
    default = values.getlist("default-graph-uri")
    named = values.getlist("named-graph-uri")
    return Query(text_, name=name, solutions_format=solutions, graph_format=graph,
               default_graph=tuple(default) if default or named else None,
               named_graphs=tuple(named) if named else None,
               max_rows=int(config["MAX_ROWS"]), base_iri=base_iri, **kwargs)


def query_job(text_: str, name: str, values: MultiDict, **kwargs) -> Query:
    """``make_job`` for the current Flask request (relative IRIs resolve against its URL); a
    refused ``SERVICE`` is a 400."""
    negotiated = formats()
    try:
        return make_job(text_, name, values, negotiated, current_app.config,
                        base_iri=request.base_url, **kwargs)
    except QueryError as e:
        abort(text(400, str(e)))


def require_write() -> None:
    """Abort unless writes are enabled and the request bears the update token.

    No token configured: 403 (read-only endpoint). No ``Authorization``: 401. Wrong token: 403.
    """
    token = current_app.config.get("UPDATE_TOKEN")
    if not token:
        abort(text(403, "this endpoint is read-only: start it with --update-token "
                        "(or KG_UPDATE_TOKEN) to allow SPARQL Update and Graph Store writes"))
    auth = request.headers.get("Authorization", "")
    if not auth:
        abort(text(401, "writes need an 'Authorization: Bearer <token>' header",
                   **{"WWW-Authenticate": 'Bearer realm="gov-kg"'}))
    scheme, _, given = auth.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(),
                                                            str(token).encode()):
        abort(text(403, "the bearer token does not allow writes"))
