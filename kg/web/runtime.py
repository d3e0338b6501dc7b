"""What every blueprint shares: the executor (the one way to the store), running a job into a
response, write authorisation and plain-text errors."""

from __future__ import annotations

import hmac
from functools import lru_cache

from flask import Flask, Response, abort, current_app, request
from werkzeug.datastructures import MIMEAccept, MultiDict
from werkzeug.http import parse_accept_header

from kg.errors import QueryError
from kg.web.executor import Executor, Job, QueryTimeout
from kg.web.formats import negotiate

EXTENSION = "kg.executor"


def open_executor(app: Flask) -> Executor:
    """The app's worker pool over ``STORE_PATH`` (checked now; processes start on demand)."""
    executor = Executor(app.config["STORE_PATH"], size=int(app.config["EXECUTOR_WORKERS"]))
    app.extensions[EXTENSION] = executor
    return executor


def executor() -> Executor:
    return current_app.extensions[EXTENSION]


def text(status: int, message: str, **headers: str) -> Response:
    response = Response(message + "\n", status, content_type="text/plain; charset=utf-8")
    response.headers.update(headers)
    return response


@lru_cache(maxsize=256)
def _negotiate(accept: str | None, fmt: str | None) -> tuple[str | None, str | None]:
    # the same few Accept headers come again and again: parse and match each once
    return negotiate(parse_accept_header(accept, MIMEAccept), fmt)


def formats() -> tuple[str | None, str | None]:
    """Negotiated (solutions, graph) formats of this request; a bad ``format=`` is a 400."""
    try:
        return _negotiate(request.headers.get("Accept"), request.values.get("format"))
    except QueryError as e:
        abort(text(400, str(e)))


def run(job: Job) -> Response:
    """Run ``job`` within the configured time limit and turn its result into a response.

    A cut result carries ``X-KG-Truncated: true``, ``X-KG-Row-Limit`` and a ``Warning``.
    """
    timeout = float(current_app.config["QUERY_TIMEOUT"])
    try:
        result = executor().run(job, timeout)
    except QueryTimeout as e:
        return text(503, f"{e}. Narrow the query, add a LIMIT, or retry later.",
                    **{"Retry-After": "1"})
    except OSError as e:
        return text(500, str(e))
    response = Response(result.body, result.status, content_type=result.content_type)
    if result.truncated:
        response.headers["X-KG-Truncated"] = "true"
        response.headers["X-KG-Row-Limit"] = str(job.max_rows)
        response.headers["Warning"] = (f'199 gov-kg "result truncated to the first '
                                       f'{job.max_rows} rows (max_rows)"')
    return response


def query_job(text_: str, name: str, values: MultiDict, **kwargs) -> Job:
    """A query ``Job`` with the negotiated formats and the protocol dataset of ``values``."""
    solutions, graph = formats()
    default = values.getlist("default-graph-uri")
    named = values.getlist("named-graph-uri")
    return Job(text_, name=name, solutions_format=solutions, graph_format=graph,
               default_graph=tuple(default) if default or named else None,
               named_graphs=tuple(named) if named else None,
               max_rows=int(current_app.config["MAX_ROWS"]), **kwargs)


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
