"""Send a build to a SPARQL 1.1 Graph Store Protocol endpoint (``kg build --target URL``).

The reports are built as usual into a staging store (in memory, or ``--store DIR`` when given),
which also computes the derived graphs (entities, targets) from the report graphs; then every
graph of that store is sent with one ``PUT URL?graph=<graph IRI>`` each (N-Triples, ``Authorization:
Bearer TOKEN`` when a token is given), the report graphs first and the derived graphs last. Any
endpoint of the protocol takes them: ``oxigraph serve`` (``/store``), ``kg serve
--update-token`` (``/store``), Virtuoso, GraphDB, Fuseki.

Since our IRIs are deterministic, a PUT replaces the graph the same report (city and year) had
there, so sending again is idempotent. A PUT replaces one graph whole; a failure names the URL
and says how many graphs were sent before it: the others keep their old versions there, and
running again sends them all. Before any extraction :func:`check` makes a write that changes
nothing (a bad URL, a refused connection or a refused token fail at once, nothing sent).

Only the standard library speaks HTTP here (``urllib``).
"""

from __future__ import annotations

import http.client
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from pyoxigraph import NamedNode, RdfFormat, Store, Triple, serialize

from kg import rdf
from kg.errors import StoreError

#: Seconds for one request (a large report graph is some 2 MB of N-Triples).
TIMEOUT = 300.0
_DERIVED = {rdf.ENTITIES_GRAPH.value: 0, rdf.TARGETS_GRAPH.value: 1}  # sent last, in this order


class RemoteError(StoreError):
    """The target endpoint cannot be reached or refuses a request; the message names it."""


@dataclass(frozen=True)
class Sent:
    """What :func:`send` sent: graphs, triples, bytes and seconds."""

    url: str
    graphs: int
    triples: int
    bytes: int
    seconds: float


def graph_url(url: str, graph: str) -> str:
    """The Graph Store URL of ``graph`` (indirect identification, ``?graph=``).

    >>> graph_url("http://127.0.0.1:7878/store", "https://w3id.org/gov-kg/id/report/衢州市-2024")
    'http://127.0.0.1:7878/store?graph=https%3A%2F%2Fw3id.org%2Fgov-kg%2Fid%2Freport%2F%E8%A1%A2%E5%B7%9E%E5%B8%82-2024'
    >>> graph_url("http://h/gs?x=1", "urn:g")
    'http://h/gs?x=1&graph=urn%3Ag'
    """
    return f"{url}{'&' if '?' in url else '?'}graph={urllib.parse.quote(graph, safe='')}"


def _request(url: str, method: str, token: str | None, body: bytes | None = None, *,
             fine: tuple[int, ...] = ()) -> int:
    """One request; its status (2xx, or one of ``fine``), or RemoteError saying why not (the
    caller names the URL)."""
    headers = {"Accept": "application/n-triples"}
    if body is not None:
        headers["Content-Type"] = "application/n-triples"
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as e:
        if e.code in fine:
            return e.code
        detail = (e.read(500).decode("utf-8", "replace").strip().splitlines() or [""])[0]
        hint = {401: "; give the endpoint's write token with --token",
                403: "; the token (--token) does not allow writes there"}.get(e.code, "")
        raise RemoteError(f"{e.code} {e.reason}{f' ({detail[:200]})' if detail else ''}"
                          f"{hint}") from e
    except urllib.error.URLError as e:
        raise RemoteError(f"cannot connect ({e.reason})") from e
    except (OSError, http.client.HTTPException) as e:  # reset, timeout, a non-HTTP answer
        raise RemoteError(f"{type(e).__name__}: {e}") from e


def check(url: str, token: str | None = None) -> None:
    """Fail at once, before a build, if ``url`` is no http(s) URL, nobody answers there, or it
    refuses a write: an empty ``POST`` to the entities graph (which adds nothing, and is
    replaced at the end anyway) must be accepted; a 400 or 415 (an endpoint that wants a
    non-empty body) got past authorisation, so it passes too.

    >>> check("ftp://example.org/store")
    Traceback (most recent call last):
    ...
    kg.remote.RemoteError: --target ftp://example.org/store: not an http:// or https:// URL of a Graph Store endpoint
    """
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise RemoteError(f"--target {url}: not an http:// or https:// URL of a Graph Store "
                          "endpoint")
    try:
        _request(graph_url(url, rdf.ENTITIES_GRAPH.value), "POST", token, b"", fine=(400, 415))
    except RemoteError as e:
        raise RemoteError(f"--target {url}: a test write (empty POST to the entities graph): "
                          f"{e}; nothing was built or sent") from e


def send(store: Store, url: str, token: str | None = None) -> Sent:
    """PUT every graph of ``store`` to the Graph Store at ``url``, report graphs first, then
    the derived graphs, even when empty (no targets met their outcomes: the target's old
    targets graph must not stay).

    Raises RemoteError naming the URL and the graph, and saying how many were sent before.
    """
    graphs = sorted({g.value for g in store.named_graphs() if isinstance(g, NamedNode)}
                    | set(_DERIVED), key=lambda g: (_DERIVED.get(g, -1), g))
    start, triples, size = time.perf_counter(), 0, 0
    for done, graph in enumerate(graphs):
        node = NamedNode(graph)
        quads = list(store.quads_for_pattern(None, None, None, node))
        body = serialize((Triple(q.subject, q.predicate, q.object) for q in quads),
                         format=RdfFormat.N_TRIPLES) or b""
        try:
            _request(graph_url(url, graph), "PUT", token, body)
        except RemoteError as e:
            kept = "nothing was sent, the target is unchanged" if not done else \
                f"{done} of {len(graphs)} graphs were sent before it, the others keep " \
                "their old versions there; run again to send them all"
            raise RemoteError(f"--target {url}: PUT of graph <{graph}>: {e}; {kept}") from e
        triples, size = triples + len(quads), size + len(body)
    return Sent(url, len(graphs), triples, size, time.perf_counter() - start)
