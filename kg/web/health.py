"""``/health``: is the store readable, how big is it, which version serves it, and how the
result cache of this server process does (hits, misses, bytes)."""

from __future__ import annotations

import json
from importlib.metadata import PackageNotFoundError, version

from flask import Blueprint, Response, current_app, jsonify

from kg.web.executor import Stopped
from kg.web.jobs import Stats
from kg.web.runtime import cache, executor

bp = Blueprint("health", __name__)


def _version() -> str:
    try:
        return version("gov-kg")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "unknown"


@bp.get("/health")
def health() -> tuple[Response, int]:
    info = {"version": _version(), "store": executor().path}
    try:
        result = executor().run(Stats(), float(current_app.config["QUERY_TIMEOUT"]))
    except Stopped as e:
        return jsonify(status="error", message=str(e), **info), 503
    if result.status != 200:
        return jsonify(status="error", message=result.body.decode(), **info), 503
    triples, graphs, reports = json.loads(result.body)
    return jsonify(status="ok", triples=triples, graphs=graphs, reports=reports,
                   cache=cache().stats(),
                   **info), 200
