"""``/``: the graph explorer page.

The page is static HTML plus ES modules (``static/explorer.js``, ``static/explorer/``) that read
the JSON API (``kg.web.api``); the vendored libraries sit in ``static/vendor/``. Nothing is
inlined, so the page runs under the endpoint's Content Security Policy (``default-src 'self'``).

>>> from kg.web import create_app
>>> app = create_app({"STORE_PATH": None, "TESTING": True})
>>> page = app.test_client().get("/")
>>> page.status_code, page.mimetype
(200, 'text/html')
>>> b"<script>" in page.data or b" style=" in page.data
False
"""

from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("explorer", __name__)

#: Vendored UMD builds, loaded in this order before the page's modules (fcose needs
#: layout-base, then cose-base, then cytoscape).
SCRIPTS = ("vendor/cytoscape.min.js", "vendor/layout-base.js", "vendor/cose-base.js",
           "vendor/cytoscape-fcose.js", "vendor/chart.umd.min.js")


@bp.get("/")
def index() -> str:
    """The explorer page (Chinese by default; ``?lang=en`` or the page's switch for English)."""
    return render_template("explorer.html", scripts=SCRIPTS)
