"""The SPARQL endpoint: a Flask app factory and a production server.

Endpoints: ``/sparql`` (SPARQL 1.1 Protocol query + update, service description), ``/queries``
and ``/queries/<name>`` (named queries), ``/store`` = ``/rdf-graph-store`` (Graph Store
Protocol), ``/health``. Read-only unless ``UPDATE_TOKEN`` is set. Queries run in worker
processes (``kg.web.executor``) and are stopped after ``QUERY_TIMEOUT`` with a 503. A result
cut at ``MAX_ROWS`` keeps its format valid (no extra JSON member) and says so in headers:
``X-KG-Truncated: true``, ``X-KG-Row-Limit: <n>`` and ``Warning: 199 gov-kg "…"``.

>>> app = create_app({"STORE_PATH": None, "TESTING": True})
>>> rules = {r.rule for r in app.url_map.iter_rules()}
>>> sorted(rules & {"/health", "/queries", "/queries/<name>", "/sparql", "/store",
...                 "/store/<path:graph_id>", "/rdf-graph-store"})
['/health', '/queries', '/queries/<name>', '/rdf-graph-store', '/sparql', '/store',
 '/store/<path:graph_id>']

Configuration (``config`` mapping, else ``KG_*`` environment variables, e.g. ``KG_STORE_PATH``):
``STORE_PATH`` (the Oxigraph directory; ``None`` starts without one, for inspection only),
``QUERY_TIMEOUT`` seconds (10), ``MAX_ROWS`` (10000), ``UPDATE_TOKEN`` (None: read-only),
``MAX_CONTENT_LENGTH`` bytes (10 MiB), ``EXECUTOR_WORKERS`` query processes (4), ``QUERY_DIR``,
``ALLOW_SERVICE`` hosts that ``SERVICE`` and ``LOAD`` may call (none: no outbound requests;
``kg.web.outbound``), ``WORKER_MEMORY_MB`` resident memory cap of a query process (1024; 0: no
cap), ``LONG_QUERY_AFTER`` seconds after which a query needs one of the pool's long-query slots
(0.1; ``kg.web.executor``), ``CACHE_BYTES`` of query answers kept (64 MiB; ``kg.web.cache``).
Requests are logged to the ``kg.web.access`` and ``kg.web.error`` loggers
(``kg.web.middleware``).
"""

from __future__ import annotations

import atexit
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg.errors import StoreError
from kg.store import DEFAULT_STORE

if TYPE_CHECKING:
    from flask import Flask

DEFAULTS: dict[str, Any] = {
    "STORE_PATH": str(DEFAULT_STORE),
    "QUERY_TIMEOUT": 10.0,
    "MAX_ROWS": 10_000,
    "UPDATE_TOKEN": None,
    "MAX_CONTENT_LENGTH": 10 * 1024 * 1024,
    "EXECUTOR_WORKERS": 4,
    "QUERY_DIR": None,
    "ALLOW_SERVICE": (),
    "WORKER_MEMORY_MB": 1024,
    "LONG_QUERY_AFTER": 0.1,
    "CACHE_BYTES": 64 * 2**20,
}


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """The endpoint's Flask app; raises ``StoreError`` if ``STORE_PATH`` does not exist."""
    # imported here so that query worker processes (kg.web.jobs) never load Flask
    from flask import Flask, Response
    from werkzeug.exceptions import HTTPException

    from kg import queries as named
    from kg.web import (
        api,
        api_views,
        editor,
        explorer,
        graph_store,
        health,
        outbound,
        queries,
        runtime,
        sparql,
    )
    from kg.web.middleware import Middleware

    app = Flask(__name__)
    app.config.update(DEFAULTS)
    app.config.from_prefixed_env("KG")
    app.config.update(config or {})
    app.config["ALLOW_SERVICE"] = outbound.allowed_hosts(app.config["ALLOW_SERVICE"])
    app.extensions[queries.EXTENSION] = named.load_all(
        Path(app.config["QUERY_DIR"]) if app.config["QUERY_DIR"] else None)
    if app.config["STORE_PATH"] is not None:
        atexit.register(runtime.open_executor(app).close)
    for blueprint in (sparql.bp, queries.bp, graph_store.bp, health.bp, api.bp, api_views.bp,
                      explorer.bp, editor.bp):
        app.register_blueprint(blueprint)

    @app.errorhandler(HTTPException)
    def plain_error(e: HTTPException) -> Response:
        return runtime.text(e.code or 500, f"{e.code} {e.name}: {e.description}")

    app.wsgi_app = Middleware(app)  # type: ignore[method-assign]
    return app


def serve(store_path: str | Path, *, host: str = "127.0.0.1", port: int = 5000,
          workers: int = 2, timeout: float = 10.0, max_rows: int = 10_000,
          update_token: str | None = None, allow_service: tuple[str, ...] = (),
          server: str = "granian", worker_memory_mb: int = 1024, access_log: str | None = "-",
          error_log: str | None = "-") -> None:
    """Serve the endpoint with ``server`` (Granian or gunicorn; ``workers`` processes) until
    interrupted; ``SERVICE`` and ``LOAD`` may only call the hosts of ``allow_service``; each
    query process may use ``worker_memory_mb``; the logs go to files, ``"-"`` (standard error)
    or nowhere (``None``)."""
    from kg.web import wsgi

    path = Path(store_path).resolve()
    if not path.is_dir():
        raise StoreError(f"store {path} does not exist: run `kg build` first")
    config = {"STORE_PATH": str(path), "QUERY_TIMEOUT": timeout, "MAX_ROWS": max_rows,
              "UPDATE_TOKEN": update_token, "ALLOW_SERVICE": tuple(allow_service),
              "WORKER_MEMORY_MB": worker_memory_mb, "ACCESS_LOG": access_log,
              "ERROR_LOG": error_log}
    wsgi.run(server, config, host=host, port=port, workers=workers, timeout=timeout)
