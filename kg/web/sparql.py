"""``/sparql``: the SPARQL 1.1 Protocol (query and update operations) and service description.

* query: ``GET ?query=``, ``POST`` form (``query=``) or ``POST application/sparql-query``;
  ``default-graph-uri`` / ``named-graph-uri`` set the dataset, otherwise the default graph is
  the union of the report graphs;
* update: ``POST`` form (``update=``) or ``POST application/sparql-update``, only with the
  update token (``Authorization: Bearer``), else 401/403; ``using-graph-uri`` /
  ``using-named-graph-uri`` become ``USING`` / ``USING NAMED`` of each Modify operation;
* ``SERVICE`` (queries and updates) and ``LOAD`` (updates) only to the hosts of
  ``ALLOW_SERVICE`` (``kg.web.outbound``), else 400 before pyoxigraph sees the text;
* ``GET /sparql`` without a query: the service description (Turtle, N-Triples, JSON-LD,
  RDF/XML) or, for browsers, a 303 to the editor page ``/editor``.

Relative IRIs resolve against the endpoint's URL (without the query string), as with
``oxigraph serve``, unless the query or update sets its own ``BASE``.

400 for a bad query (the parser's message), for both/neither ``query`` and ``update`` or
two of either, for parameters or a body that are not UTF-8, 406
for an ``Accept`` we cannot serve, 415 for another body type, 413 past ``MAX_CONTENT_LENGTH``.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, request, url_for
from pyoxigraph import BlankNode, NamedNode, Triple, serialize
from werkzeug.datastructures import MultiDict

from kg.errors import QueryError
from kg.formats import GRAPHS, by_media_type, content_type
from kg.web.formats import best_match
from kg.web.jobs import Update
from kg.web.outbound import check
from kg.web.runtime import check_nesting, duplicated, not_utf8, query_job, require_write, run, text
from kg.web.update_dataset import apply_protocol_dataset

bp = Blueprint("sparql", __name__)

QUERY_TYPE = "application/sparql-query"
UPDATE_TYPE = "application/sparql-update"
FORM_TYPE = "application/x-www-form-urlencoded"


@bp.route("/sparql", methods=["GET", "POST"])
def sparql() -> Response:
    _utf8_parameters()
    if request.method in ("GET", "HEAD"):
        if "update" in request.args:
            return text(400, "SPARQL Update must be sent with POST, not GET")
        if "query" not in request.args:
            return service_description()
        _one_each(request.args)
        return run(query_job(request.args["query"], "SPARQL query", request.args))
    mimetype = request.mimetype
    _one_each(request.values)  # the URL's and the form's parameters together
    if mimetype in (QUERY_TYPE, UPDATE_TYPE) and ("query" in request.args
                                                  or "update" in request.args):
        return text(400, "a query or update sent as the request body cannot also have a "
                         "'query' or 'update' URL parameter")
    if mimetype == FORM_TYPE:
        form = request.form
        if ("query" in form) == ("update" in form):
            return text(400, "give exactly one of the form fields 'query' and 'update'")
        if "query" in form:
            return run(query_job(form["query"], "SPARQL query", request.values))
        return update(form["update"])
    if mimetype == QUERY_TYPE:
        return run(query_job(_body(), "SPARQL query", request.args))
    if mimetype == UPDATE_TYPE:
        return update(_body())
    return text(415, f"unsupported request content type {mimetype or 'none'!r}: use "
                     f"{FORM_TYPE}, {QUERY_TYPE} or {UPDATE_TYPE}")


def _utf8_parameters() -> None:
    """400 unless the query string (and a form body) percent-decode to UTF-8 text."""
    name = not_utf8(request.query_string)
    if name is None and request.mimetype == FORM_TYPE:
        name = not_utf8(request.get_data(cache=True))
    if name is not None:
        abort(text(400, f"the {name!r} parameter is not UTF-8 text once percent-decoded"))


def _one_each(values: MultiDict) -> None:
    """400 unless ``query`` and ``update`` each come at most once: the Protocol gives one
    operation per request, and running the first of two would hide the client's mistake."""
    name = duplicated(values)
    if name:
        abort(text(400, f"more than one {name!r} parameter: send one operation per request"))


def _body() -> str:
    try:
        return request.get_data(cache=False).decode("utf-8")
    except UnicodeDecodeError:
        abort(text(400, "the request body is not UTF-8"))


def update(sparql_update: str) -> Response:
    require_write()
    using = request.values.getlist("using-graph-uri")
    using_named = request.values.getlist("using-named-graph-uri")
    try:
        check_nesting(sparql_update, "SPARQL update")
        check(sparql_update, "SPARQL update", current_app.config["ALLOW_SERVICE"], update=True)
        if using or using_named:
            sparql_update = apply_protocol_dataset(sparql_update, using, using_named)
    except QueryError as e:
        return text(400, str(e))
    return run(Update(sparql_update, name="SPARQL update", base_iri=request.base_url))


SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS_NS = "http://www.w3.org/ns/formats/"
_RESULT_FORMATS = ["SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV",
                   "SPARQL_Results_TSV", "Turtle", "N-Triples", "JSON-LD", "RDF_XML"]


def service_description() -> Response:
    """The SPARQL 1.1 Service Description of this endpoint; browsers go to the editor page."""
    best = best_match(request.accept_mimetypes, GRAPHS, "text/html")
    if best is None:
        return text(406, "the service description is available as "
                         f"{', '.join(f.media_type for f in GRAPHS)} or text/html")
    if best == "text/html":
        return Response(status=303, headers={"Location": url_for("editor.index")})
    fmt = by_media_type(best, GRAPHS)
    assert fmt is not None  # best is one of the offered graph types
    s, a = NamedNode(request.base_url), NamedNode(
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    dataset = BlankNode()
    sd = lambda t: NamedNode(SD + t)  # noqa: E731
    triples = [Triple(s, a, sd("Service")), Triple(s, sd("endpoint"), s),
               Triple(s, sd("supportedLanguage"), sd("SPARQL11Query")),
               Triple(s, sd("feature"), sd("UnionDefaultGraph")),
               Triple(s, sd("defaultDataset"), dataset), Triple(dataset, a, sd("Dataset"))]
    if current_app.config.get("UPDATE_TOKEN"):
        triples.append(Triple(s, sd("supportedLanguage"), sd("SPARQL11Update")))
    if current_app.config["ALLOW_SERVICE"]:
        triples.append(Triple(s, sd("feature"), sd("BasicFederatedQuery")))
    triples += [Triple(s, sd("resultFormat"), NamedNode(FORMATS_NS + f))
                for f in _RESULT_FORMATS]
    body = serialize(triples, format=fmt, prefixes={"sd": SD, "formats": FORMATS_NS})
    return Response(body, content_type=content_type(fmt))
