"""``/store`` (alias ``/rdf-graph-store``): the SPARQL 1.1 Graph Store HTTP Protocol.

``GET ?graph=<iri>`` returns a report graph, ``GET ?default`` the stored default graph (not
the union of the report graphs that SPARQL queries see as their default graph; empty after
``kg build``), negotiated like CONSTRUCT results (``format=`` too);
``GET`` with neither returns the whole dataset, one graph per report, as TriG or N-Quads. GETs
are whole documents, not query results: they are streamed, never cut at the row limit, and
each chunk must come within the time limit. ``PUT`` replaces,
``POST`` adds to and ``DELETE`` drops a graph (``?default``: the stored default graph); they are
writes, so they need the update token (403/401 otherwise). ``POST`` with neither ``graph`` nor
``default`` creates a graph with a fresh IRI under the store's URL (``/store/<id>``) and answers
201 with that IRI as ``Location``. Direct identification: ``/store/<path>`` is the graph whose
IRI is that URL, for ``GET``/``HEAD``/``PUT``/``POST``/``DELETE`` alike (so a minted graph reads
back at its ``Location``). Bodies are parsed by pyoxigraph from their content type (415 if
unknown); a ``multipart/form-data`` body adds each of its file parts.
"""

from __future__ import annotations

import uuid

from flask import Blueprint, Response, abort, current_app, request
from pyoxigraph import NamedNode, RdfFormat, Triple, Variable, parse, serialize

from kg.errors import QueryError
from kg.formats import DATASETS, GRAPHS
from kg.web.executor import Stopped
from kg.web.formats import negotiate_dataset
from kg.web.jobs import Dump, Query, Update
from kg.web.runtime import executor, failure, formats, require_write, respond, run, text

bp = Blueprint("graph_store", __name__)

_G = Variable("g")


def _target() -> NamedNode | None:
    """The ``?graph=`` IRI, or ``None`` for ``?default``; 400 for neither or both."""
    graph, default = request.args.get("graph"), "default" in request.args
    if (graph is None) == (not default):
        abort(text(400, "give exactly one of ?graph=<iri> and ?default"))
    if graph is None:
        return None
    try:
        return NamedNode(graph)
    except ValueError as e:
        abort(text(400, f"graph {graph!r} is not an IRI: {e}"))


def _exists(graph: NamedNode) -> bool:
    response = run(Query("ASK { GRAPH ?g { ?s ?p ?o } }", name=f"graph <{graph.value}>",
                         solutions_format="CSV", substitutions={_G: graph}))
    if response.status_code != 200:
        abort(response)
    return response.get_data() == b"true"


@bp.get("/store")
@bp.get("/rdf-graph-store")
def read() -> Response:
    if "graph" not in request.args and "default" not in request.args:
        try:
            fmt = negotiate_dataset(request.accept_mimetypes, request.args.get("format"))
        except QueryError as e:
            return text(400, str(e))
        if fmt is None:
            return text(406, "the dataset is available as "
                             + ", ".join(f.media_type for f in DATASETS))
        return _stream(Dump(name="dataset", graph_format=fmt))
    return _read_graph(_target())


@bp.get("/store/<path:graph_id>")
@bp.get("/rdf-graph-store/<path:graph_id>")
def read_direct(graph_id: str) -> Response:
    """Direct identification: the graph whose IRI is this URL (as minted by ``POST /store``)."""
    return _read_graph(NamedNode(request.base_url))


def _read_graph(graph: NamedNode | None) -> Response:
    fmt = formats()[1]
    if fmt is None:
        return text(406, "a graph is available as " + ", ".join(f.media_type for f in GRAPHS))
    name = "default graph" if graph is None else f"graph <{graph.value}>"
    return _stream(Dump(name=name, graph_format=fmt, graph="" if graph is None else graph.value))


def _stream(job: Dump) -> Response:
    try:
        head, body = executor().stream(job, float(current_app.config["QUERY_TIMEOUT"]))
    except Stopped as e:
        return respond(*failure(e))
    return respond(head.status, head.content_type, head.body or body, {})


_ACCEPTED = "text/turtle, application/n-triples, application/rdf+xml or application/ld+json"


def _triples(data: bytes, mimetype: str, filename: str | None = None) -> list[Triple]:
    """The triples of one RDF document of type ``mimetype`` (or, when that names none, of the
    extension of ``filename``); 415 for a type pyoxigraph does not read as a graph, 400 for a
    document that does not parse."""
    fmt = RdfFormat.from_media_type(mimetype) if mimetype else None
    if fmt is None and filename and "." in filename:
        fmt = RdfFormat.from_extension(filename.rsplit(".", 1)[1])
    if fmt is None or fmt.supports_datasets:
        what = f"{filename!r}: " if filename else ""
        abort(text(415, f"{what}unsupported graph content type {mimetype or 'none'!r}: use "
                        f"{_ACCEPTED}, or multipart/form-data with parts of those types"))
    try:
        return [Triple(q.subject, q.predicate, q.object) for q in parse(data, format=fmt)]
    except (SyntaxError, ValueError) as e:
        abort(text(400, f"cannot parse the {filename or mimetype} body: {e}"))


def _body_ntriples() -> str:
    """The request's RDF as N-Triples: its body, or each file of a ``multipart/form-data``
    body (the Graph Store Protocol's way to send several documents at once), merged."""
    if request.mimetype == "multipart/form-data":
        parts = list(request.files.values())
        if not parts:
            abort(text(400, "the multipart/form-data body holds no file parts"))
        triples = [t for part in parts
                   for t in _triples(part.read(), part.mimetype, part.filename)]
    else:
        triples = _triples(request.get_data(cache=False), request.mimetype)
    return (serialize(triples, format=RdfFormat.N_TRIPLES) or b"").decode("utf-8")


@bp.route("/store", methods=["PUT", "POST", "DELETE"])
@bp.route("/rdf-graph-store", methods=["PUT", "POST", "DELETE"])
def write() -> Response:
    require_write()
    if request.method == "POST" and "graph" not in request.args and "default" not in request.args:
        return _create()
    return _write(_target())


@bp.route("/store/<path:graph_id>", methods=["PUT", "POST", "DELETE"])
@bp.route("/rdf-graph-store/<path:graph_id>", methods=["PUT", "POST", "DELETE"])
def write_direct(graph_id: str) -> Response:
    """Direct identification: write the graph whose IRI is this URL."""
    require_write()
    return _write(NamedNode(request.base_url))


def _write(graph: NamedNode | None) -> Response:
    """``PUT`` (replace), ``POST`` (add to) or ``DELETE`` ``graph`` (``None``: the default
    graph); 201 when a ``PUT`` or ``POST`` created it, 404 for deleting a graph never there."""
    target = "DEFAULT" if graph is None else f"GRAPH <{graph.value}>"
    name = f"graph store {request.method} " + ("default graph" if graph is None
                                                else f"<{graph.value}>")
    existed = graph is None or _exists(graph)
    if request.method == "DELETE":
        if not existed:
            assert graph is not None  # the default graph always exists
            return text(404, f"no graph <{graph.value}> in the store")
        return run(Update(f"DROP SILENT {target}", name=name))
    data = _body_ntriples()
    insert = (f"INSERT DATA {{ {data} }}" if graph is None
              else f"INSERT DATA {{ GRAPH <{graph.value}> {{ {data} }} }}")
    sparql = insert if request.method == "POST" else f"DROP SILENT {target} ;\n{insert}"
    response = run(Update(sparql, name=name))
    if response.status_code == 204 and not existed:
        response.status_code = 201
    return response


def _create() -> Response:
    """``POST`` to the store itself: a new graph with a fresh IRI, 201 with it as ``Location``."""
    graph = f"{request.base_url.rstrip('/')}/{uuid.uuid4().hex}"
    data = _body_ntriples()
    response = run(Update(f"CREATE GRAPH <{graph}> ;\nINSERT DATA {{ GRAPH <{graph}> {{ {data} }} }}",
                       name=f"graph store POST new graph <{graph}>"))
    if response.status_code == 204:
        response.status_code = 201
        response.headers["Location"] = graph
    return response
