"""``/editor``: the SPARQL editor page (YASGUI) and the ontology's terms for its autocompletion.

The page runs YASGUI (vendored ``static/vendor/yasgui.min.js``) against this server's
``/sparql``, one tab per named query (``queries/*.rq``), with every default that would reach
another host turned off (``static/editor.js``). The tabs' texts come in the page as a JSON
data block, which the Content Security Policy allows because it is never executed.
``/editor/vocabulary.json`` lists the classes and properties declared in
``ontology/gov-kg.ttl`` (and the prefixes it uses) for the class and property completers.

>>> from kg.web import create_app
>>> client = create_app({"STORE_PATH": None, "TESTING": True}).test_client()
>>> page = client.get("/editor")
>>> page.status_code, page.mimetype, b"<style" in page.data, b" style=" in page.data
(200, 'text/html', False, False)
>>> vocabulary = client.get("/editor/vocabulary.json").get_json()
>>> "https://w3id.org/gov-kg/ontology#City" in [c["iri"] for c in vocabulary["classes"]]
True
>>> vocabulary["prefixes"]["gk"]
'https://w3id.org/gov-kg/ontology#'
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from flask import Blueprint, Response, jsonify, render_template, url_for
from pyoxigraph import Literal, NamedNode, RdfFormat, Store, parse

from kg.queries import NamedQuery
from kg.validate import ONTOLOGY
from kg.web.queries import named_queries

bp = Blueprint("editor", __name__)

_OWL = "http://www.w3.org/2002/07/owl#"
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_CLASSES = (_OWL + "Class", _RDFS + "Class")
_PROPERTIES = (_OWL + "ObjectProperty", _OWL + "DatatypeProperty", _OWL + "AnnotationProperty",
               _RDF + "Property")
#: Terms of other vocabularies that the graph uses on every entity (docs/rdf-model.md).
_ALSO_USED = (_RDFS + "label", "http://www.w3.org/2004/02/skos/core#altLabel")

#: A ``WHERE {`` that ends a line: where a parameter's example value is bound.
_WHERE = re.compile(r"^.*?\bWHERE\s*\{[ \t]*$", re.MULTILINE | re.IGNORECASE)
_EXAMPLE = re.compile(r"\be\.g\.\s*(\S+)")


def editable(query: NamedQuery) -> str:
    """The query's text for the editor: each required parameter bound to the example value of
    its description by ``VALUES`` at the start of every ``WHERE {`` that ends a line, the
    subqueries' too, so the tab runs as it is and as fast as the named query, whose endpoint
    binds the parameters by substitution instead (``/queries/<name>?param=``).

    >>> q = NamedQuery.parse("demo", '# param: city (string, required): e.g. 衢州市\\n'
    ...                      'SELECT ?city WHERE {\\n  ?c rdfs:label ?city .\\n}')
    >>> print(editable(q).splitlines()[-3])
      VALUES ?city { "衢州市" }  # 参数 city：改成要查的值
    """
    lines = []
    for param in query.params:
        example = _EXAMPLE.search(param.description)
        if param.required and example and param.type in ("string", "integer", "decimal"):
            value = example.group(1).rstrip(".,;，。")
            term = Literal(value) if param.type == "string" else value
            lines.append(f"  VALUES ?{param.name} {{ {term} }}  # 参数 {param.name}：改成要查的值")
    if not lines:
        return query.text
    return _WHERE.sub(lambda m: m.group(0) + "\n" + "\n".join(lines), query.text)


@bp.get("/editor")
def index() -> str:
    """The editor page (Chinese by default; ``?lang=en`` or the page's switch for English)."""
    tabs = [{**q.as_dict(), "query": editable(q),
             "url": url_for("queries.run_named", name=q.name)} for q in named_queries().values()]
    return render_template("editor.html", tabs=tabs, endpoint=url_for("sparql.sparql"),
                           vocabulary=url_for(".vocabulary"),
                           prefixes=ontology_terms(ONTOLOGY)["prefixes"])


@bp.get("/editor/vocabulary.json")
def vocabulary() -> Response:
    return jsonify(ontology_terms(ONTOLOGY))


@cache
def ontology_terms(path: Path) -> dict:
    """``{"prefixes": {prefix: namespace}, "classes": [...], "properties": [...]}``; each term
    ``{"iri", "label": {lang: text}}``, sorted by IRI."""
    quads = parse(path=str(path), format=RdfFormat.TURTLE)
    store = Store()
    store.extend(list(quads))
    prefixes = dict(sorted(quads.prefixes.items()))

    def terms(types: tuple[str, ...], extra: tuple[str, ...] = ()) -> list[dict]:
        iris = {q.subject.value for t in types
                for q in store.quads_for_pattern(None, NamedNode(_RDF + "type"), NamedNode(t))
                if isinstance(q.subject, NamedNode)} | set(extra)
        return [{"iri": iri, "label": {
            q.object.language or "": q.object.value
            for q in store.quads_for_pattern(NamedNode(iri), NamedNode(_RDFS + "label"), None)
            if isinstance(q.object, Literal)}} for iri in sorted(iris)]

    return {"prefixes": prefixes, "classes": terms(_CLASSES),
            "properties": terms(_PROPERTIES, _ALSO_USED)}
