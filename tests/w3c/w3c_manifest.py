"""The W3C SPARQL 1.1 HTTP test manifests of this folder, read with pyoxigraph into typed values.

``load_manifest(relative)`` gives the entries of one manifest in ``mf:entries`` order, each with
its ``ht:requests`` (method, path, headers, body) and what each response must be.

>>> tests = load_manifest("protocol/manifest.ttl")
>>> tests[0].name, tests[0].requests[0].method, tests[0].requests[0].expected.boolean
('query_post_form', 'POST', True)
>>> [r.start for r in tests[0].requests[0].expected.statuses]
[200, 300]
"""

from __future__ import annotations

import re
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import NamedNode, RdfFormat, Store

W3C = Path(__file__).parent

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
MF = "http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#"
HT = "http://www.w3.org/2011/http#"
HTS = "http://www.w3.org/2011/http-statusCodes#"
CNT = "http://www.w3.org/2011/content#"
UT = "http://www.w3.org/2009/sparql/tests/test-update#"

#: The status terms the manifests use: an exact code, or a class (``StatusCode2xx``).
STATUS = {"OK": 200, "Created": 201, "NoContent": 204, "NotFound": 404}
STATUS_CLASS = re.compile(r"StatusCode([1-5])xx")


@dataclass(frozen=True)
class Expected:
    """What a response must be: codes (``range``s, any of them), format, boolean, headers,
    RDF body and the template variable its ``Location`` sets."""

    statuses: tuple[range, ...] = ()
    fmt: str | None = None
    boolean: bool | None = None
    headers: tuple[tuple[str, str], ...] = ()
    body: str | None = None
    location_var: str | None = None


@dataclass(frozen=True)
class Request:
    """One ``ht:Request``: ``body`` is ``cnt:chars``, sent as bytes in ``encoding``."""

    method: str
    path: str
    headers: tuple[tuple[str, str], ...]
    body: str | None
    encoding: str
    expected: Expected


@dataclass(frozen=True)
class W3CTest:
    """One manifest entry: ``name`` is its local name, ``graph_data`` (file, graph IRI) pairs."""

    manifest: str
    name: str
    title: str
    requests: tuple[Request, ...]
    graph_data: tuple[tuple[Path, str], ...] = ()


@dataclass(frozen=True)
class Graph:
    """A parsed manifest with the few accessors the runner needs."""

    store: Store

    def objects(self, s, p: str) -> list:
        return [q.object for q in self.store.quads_for_pattern(s, NamedNode(p), None)]

    def one(self, s, p: str, default=None):
        found = self.objects(s, p)
        return found[0] if found else default

    def items(self, head) -> Iterator:
        while head != NamedNode(RDF + "nil"):
            yield self.one(head, RDF + "first")
            head = self.one(head, RDF + "rest")


def load_manifest(relative: str) -> list[W3CTest]:
    """The entries of ``tests/w3c/<relative>``, in ``mf:entries`` order."""
    path = W3C / relative
    store = Store()
    store.load(path=path, format=RdfFormat.TURTLE, base_iri=path.as_uri())
    g = Graph(store)
    manifest = NamedNode(path.as_uri())
    tests = []
    for entry in g.items(g.one(manifest, MF + "entries")):
        action = g.one(entry, MF + "action")
        requests = () if action is None else tuple(
            _request(g, r) for r in g.items(g.one(action, HT + "requests")))
        data = tuple((Path(urllib.request.url2pathname(
                          urllib.parse.urlparse(g.one(d, UT + "graph").value).path)),
                      g.one(d, RDFS + "label").value)
                     for d in g.objects(entry, UT + "graphData"))
        tests.append(W3CTest(relative, entry.value.rpartition("#")[2],
                             g.one(entry, MF + "name").value, requests, data))
    return tests


def _headers(g: Graph, node) -> tuple[tuple[str, str], ...]:
    if node is None:
        return ()
    return tuple((g.one(h, HT + "fieldName").value, g.one(h, HT + "fieldValue").value)
                 for h in g.items(node))


def _status(term: NamedNode) -> range:
    name = term.value.removeprefix(HTS)
    if m := STATUS_CLASS.fullmatch(name):
        return range(int(m[1]) * 100, int(m[1]) * 100 + 100)
    if name not in STATUS:
        raise KeyError(f"status term {term} is not in STATUS: add its code")
    return range(STATUS[name], STATUS[name] + 1)


def _request(g: Graph, r) -> Request:
    resp = g.one(r, HT + "resp")
    boolean = g.one(resp, MF + "expectedBoolean")
    fmt, location = g.one(resp, MF + "expectedFormat"), g.one(resp, MF + "expectedLocation")
    resp_body = g.one(resp, HT + "body")
    expected = Expected(
        statuses=tuple(sorted((_status(s) for s in g.objects(resp, MF + "expectedStatus")),
                              key=lambda r: r.start)),
        fmt=fmt.value if fmt else None,
        boolean=None if boolean is None else boolean.value == "true",
        headers=_headers(g, g.one(resp, HT + "headers")),
        body=g.one(resp_body, CNT + "chars").value if resp_body else None,
        location_var=location.value if location else None)
    body = g.one(r, HT + "body")
    encoding = g.one(body, CNT + "characterEncoding") if body else None
    return Request(g.one(r, HT + "methodName").value, g.one(r, HT + "absolutePath").value,
                   _headers(g, g.one(r, HT + "headers")),
                   g.one(body, CNT + "chars").value if body else None,
                   encoding.value if encoding else "UTF-8", expected)
