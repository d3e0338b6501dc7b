"""``/queries``: the named queries of ``queries/*.rq`` over HTTP.

``GET /queries`` lists them (name, description, parameters, URL) as JSON;
``GET /queries/<name>?param=value`` runs one with the same negotiation as ``/sparql``
(``format=`` is not a parameter). An unknown name is a 404, a missing or bad parameter a 400,
both naming the query.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, request, url_for

from kg.errors import QueryError
from kg.queries import NamedQuery
from kg.web.runtime import query_job, run, text

bp = Blueprint("queries", __name__)

EXTENSION = "kg.queries"


def named_queries() -> dict[str, NamedQuery]:
    """The named queries, read once when the app is created (not per request)."""
    return current_app.extensions[EXTENSION]


@bp.get("/queries")
def index() -> Response:
    return jsonify([{**q.as_dict(), "url": url_for(".run_named", name=q.name, _external=True)}
                    for q in named_queries().values()])


@bp.get("/queries/<name>")
def run_named(name: str) -> Response:
    queries = named_queries()
    if name not in queries:
        return text(404, f"no named query {name!r}; known: {', '.join(queries) or 'none'} "
                         "(GET /queries lists them)")
    query = queries[name]
    values = {k: v for k, v in request.args.items() if k != "format"}
    try:
        substitutions = query.bindings(values)
    except QueryError as e:
        return text(400, str(e))
    return run(query_job(query.text, f"query {name!r}", request.args,
                         substitutions=substitutions))
