"""The pages load nothing from another host: no absolute URL in what the templates and our
static files can load, nor in the vendored style sheets (fonts!). The vendored bundles carry
namespace IRIs and example endpoints as strings; that they fetch nothing at load is checked in
real Chromium (``tests/test_browser_editor.py``: no request leaves 127.0.0.1)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kg.web import create_app

WEB = Path(__file__).resolve().parent.parent / "kg" / "web"
STATIC, VENDOR = WEB / "static", WEB / "static" / "vendor"
URL = re.compile(r"https?://[^\s\"'`<>()]+")
#: XML namespace names (SVG, HTML) and the graph's own IRIs: identifiers, never fetched.
NAMESPACES = {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink",
              "http://www.w3.org/1999/xhtml"}
OWN_IRIS = "https://w3id.org/gov-kg/"
LOADS = re.compile(rb"""(?:src|href|action|srcset|poster|data)\s*=\s*["']([^"']*)["']""")


def ours() -> list[Path]:
    files = [*WEB.joinpath("templates").rglob("*"), *STATIC.rglob("*")]
    return sorted(p for p in files if p.is_file() and VENDOR not in p.parents)


@pytest.mark.parametrize("path", ours(), ids=lambda p: str(p.relative_to(WEB)))
def test_our_pages_and_static_files_name_no_other_host(path):
    urls = {u for u in URL.findall(path.read_text(encoding="utf-8", errors="replace"))
            if u not in NAMESPACES and not u.startswith(OWN_IRIS)}
    assert not urls, f"{path}: absolute URLs {sorted(urls)}; serve the thing from /static"


@pytest.mark.parametrize("path", sorted(VENDOR.glob("*.css")), ids=lambda p: p.name)
def test_vendored_style_sheets_load_nothing_from_elsewhere(path):
    css = path.read_text(encoding="utf-8")
    loads = re.findall(r"(?:url\(|@import)\s*['\"]?([^'\")\s]+)", css)
    assert not [u for u in loads if re.match(r"(?:https?:)?//", u)], path


@pytest.mark.parametrize("page", ["/", "/editor", "/editor?lang=en"])
def test_served_pages_load_only_from_this_server(page):
    client = create_app({"STORE_PATH": None, "TESTING": True}).test_client()
    r = client.get(page)
    assert r.status_code == 200 and r.mimetype == "text/html"
    for url in LOADS.findall(r.data):
        assert not re.match(rb"(?:[a-z]+:)?//", url), f"{page} loads {url!r}"
        if url.startswith(b"/static/"):
            assert client.get(url.decode()).status_code == 200, url
