"""``/editor``: the SPARQL editor page (YASGUI).

The page runs YASGUI (vendored ``static/vendor/yasgui.min.js``) against this server's
``/sparql``, one tab per named query (``queries/*.rq``), with every default that would reach
another host turned off (``static/editor.js``). The tabs' texts come in the page as a JSON
data block, which the Content Security Policy allows because it is never executed.
The class and property completers read ``/api/vocabulary?store=1``: the ontology's terms and
every class and property the store itself uses.

>>> from kg.web import create_app
>>> client = create_app({"STORE_PATH": None, "TESTING": True}).test_client()
>>> page = client.get("/editor")
>>> page.status_code, page.mimetype, b"<style" in page.data, b" style=" in page.data
(200, 'text/html', False, False)
"""

from __future__ import annotations

import re

from flask import Blueprint, render_template, url_for
from pyoxigraph import Literal

from kg.queries import NamedQuery
from kg.vocab import PREFIXES
from kg.web.queries import named_queries

bp = Blueprint("editor", __name__)

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
                           vocabulary=url_for("api.vocabulary", store=1),
                           prefixes=dict(sorted(PREFIXES.items())))
