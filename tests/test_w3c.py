"""The W3C SPARQL 1.1 Protocol, Graph Store Protocol and Service Description tests, run against
a real ``kg serve`` on 127.0.0.1 (manifests vendored in ``tests/w3c/``, see its README, and
read by ``tests/w3c/w3c_manifest.py``).

Each manifest entry is one pytest test, named by its local name, so ``pytest tests/test_w3c.py
-v`` reads as the suite's report. A test performs its ``ht:requests`` in order on one
connection and checks what the manifest says of each response: ``mf:expectedStatus`` (any of
the listed codes or classes), ``mf:expectedFormat`` (the media type, and that pyoxigraph
parses the body as such), ``mf:expectedBoolean``, ``ht:headers`` (``Content-Type`` compared
as a media type with parameters), ``ht:body`` (an RDF graph, compared up to blank node
renaming) and ``mf:expectedLocation`` (a template variable set from the ``Location`` header
and substituted in later paths and bodies).

Deployment choices the suite leaves to the implementer:

* paths: ``/sparql/`` becomes ``/sparql`` (query and update share one endpoint), ``/gsp``
  becomes ``/store``; ``ht:connectionAuthority`` (www.example) is not sent, the ``Host`` is
  the real server's, so direct graph identification names graphs under
  ``http://127.0.0.1:<port>/store/``;
* writes: our endpoint is read-only unless started with an update token, so each server is
  started with one and every request carries ``Authorization: Bearer <token>``;
* data: the ``ut:graphData`` files are loaded into the named graphs their ``rdfs:label``
  names, with pyoxigraph, before the server starts (nothing is fetched);
* state: one server and store per manifest (a module-scoped fixture), the entries run in
  manifest order. A Graph Store entry starts from an empty store (``DROP ALL`` through
  ``/sparql`` first): its requests depend on each other, but the entries assume a fresh store
  (``put_get_uri_pct_encoded_indirect`` expects 201 for a PUT to the graph that
  ``put_get_repeat_indirect`` created; ``post_get_post_get_indirect`` expects exactly the one
  card it POSTs). The Protocol entries need no reset: each update test clears the store;
* the Service Description tests have no ``mf:action``: the checks that their names describe
  are in ``SD_CHECKS``.

Every entry must pass: there is no list of expected failures.
"""

from __future__ import annotations

import http.client
import socket
import sys
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from unittest import mock

import pytest
from pyoxigraph import (
    CanonicalizationAlgorithm,
    Dataset,
    Literal,
    NamedNode,
    Quad,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    RdfFormat,
    Store,
    parse,
    parse_query_results,
)

sys.path[:0] = [str(Path(__file__).parent), str(Path(__file__).parent / "w3c")]
import web_fixtures  # noqa: E402
from w3c_manifest import RDF, Expected, W3CTest, load_manifest  # noqa: E402

TOKEN = "w3c-suite-token"
PORTS = range(5710, 5750)

SD = "http://www.w3.org/ns/sparql-service-description#"

#: The path prefixes of the manifests and ours (longest first).
PATHS = (("/sparql/", "/sparql"), ("/gsp", "/store"))

#: What each ``mf:expectedFormat`` admits: SPARQL results (with the kind pyoxigraph parses
#: them to) or an RDF graph.
RESULT_FORMATS = {
    "boolean": ({"application/sparql-results+json", "application/sparql-results+xml"},
                QueryBoolean),
    "tabular": ({"application/sparql-results+json", "application/sparql-results+xml",
                 "text/csv", "text/tab-separated-values"}, QuerySolutions),
}
RDF_TYPES = {"application/rdf+xml", "text/turtle", "application/n-triples"}

def params(tests: list[W3CTest]) -> list:
    """One pytest parameter per entry, named by its local name."""
    return [pytest.param(t, id=t.name) for t in tests]


PROTOCOL = load_manifest("protocol/manifest.ttl")
GSP_DIRECT = load_manifest("graph-store-protocol/manifest-direct.ttl")
GSP_INDIRECT = load_manifest("graph-store-protocol/manifest-indirect.ttl")
SERVICE_DESCRIPTION = load_manifest("service-description/manifest.ttl")


# --- servers --------------------------------------------------------------------------------

def _port() -> int:
    """A free port in the range these tests may use."""
    for port in PORTS:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise OSError(f"no free port in {PORTS.start}-{PORTS.stop - 1}")


@dataclass
class Servers:
    """One ``kg serve`` (with its own store) per manifest, started on first use."""

    root: Path
    stack: ExitStack = field(default_factory=ExitStack)
    bases: dict[str, str] = field(default_factory=dict)

    def base(self, tests: list[W3CTest]) -> str:
        manifest = tests[0].manifest
        if manifest not in self.bases:
            path = self.root / manifest.replace("/", "_")
            store = Store(str(path))
            for file, graph in {d for t in tests for d in t.graph_data}:
                store.bulk_load(path=file, format=RdfFormat.N_TRIPLES, to_graph=NamedNode(graph))
            store.flush()
            del store  # release RocksDB's lock for the server
            with mock.patch.object(web_fixtures, "free_port", _port):
                self.bases[manifest] = self.stack.enter_context(
                    web_fixtures.kg_serve(path, "--update-token", TOKEN))
        return self.bases[manifest]

    def emptied(self, tests: list[W3CTest]) -> str:
        """``base(tests)`` after ``DROP ALL`` (through the endpoint under test)."""
        base = self.base(tests)
        request = urllib.request.Request(
            base + "/sparql", data=b"DROP ALL", method="POST",
            headers={"Content-Type": "application/sparql-update",
                     "Authorization": f"Bearer {TOKEN}"})
        with urllib.request.urlopen(request, timeout=15) as response:
            assert response.status in (200, 204), f"DROP ALL answered {response.status}"
        return base


@pytest.fixture(scope="module")
def servers(tmp_path_factory) -> Iterator[Servers]:
    pool = Servers(tmp_path_factory.mktemp("w3c"))
    with pool.stack:
        yield pool


# --- one exchange ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def content_type(self) -> str:
        return self.headers.get("Content-Type", "")

    def describe(self) -> str:
        return (f"answered {self.status}, Content-Type {self.content_type or 'none'!r}, body "
                f"{self.body[:200].decode('utf-8', 'replace')!r}")


def _our_path(path: str) -> str:
    for theirs, ours in PATHS:
        if path.startswith(theirs):
            return ours + path[len(theirs):]
    raise ValueError(f"path {path!r} has none of the prefixes {[p for p, _ in PATHS]}")


def _media_type(value: str) -> tuple[str, frozenset[tuple[str, str]]]:
    """``text/turtle; charset=UTF-8`` → (``text/turtle``, {(``charset``, ``utf-8``)})."""
    kind, *params = (p.strip() for p in value.split(";"))
    pairs = (p.partition("=") for p in params if p)
    return kind.lower(), frozenset((k.strip().lower(), v.strip().strip('"').lower())
                                   for k, _, v in pairs)


def _graph(body: bytes | str, content_type: str, base: str) -> Dataset:
    """The body as an RDF graph with canonical blank node names, for comparison."""
    fmt = RdfFormat.from_media_type(content_type)
    if fmt is None:
        raise AssertionError(f"{content_type!r} is not an RDF media type pyoxigraph parses")
    data = body.encode("utf-8") if isinstance(body, str) else body
    graph = Dataset(Quad(q.subject, q.predicate, q.object)
                    for q in parse(data, format=fmt, base_iri=base))
    graph.canonicalize(CanonicalizationAlgorithm.UNSTABLE)
    return graph


def _problems(expected: Expected, answer: Answer, url: str) -> list[str]:
    """What in ``answer`` differs from ``expected`` (empty: it conforms)."""
    found = []
    if expected.statuses and not any(answer.status in r for r in expected.statuses):
        codes = " or ".join(f"{r.start}" if len(r) == 1 else f"{r.start // 100}xx"
                            for r in expected.statuses)
        found.append(f"status {codes}")
    for name, value in expected.headers:
        got = answer.headers.get(name)
        same = (got is not None and _media_type(got) == _media_type(value)
                if name.lower() == "content-type" else got == value)
        if not same:
            found.append(f"header {name}: {value!r} (got {got!r})")
    if expected.location_var and not answer.headers.get("Location"):
        found.append("a Location header")
    media_type = _media_type(answer.content_type)[0]
    if expected.fmt in RESULT_FORMATS:
        types, kind = RESULT_FORMATS[expected.fmt]
        if media_type not in types:
            found.append(f"{expected.fmt} results, one of {sorted(types)}")
        else:
            try:
                result = parse_query_results(
                    answer.body, format=QueryResultsFormat.from_media_type(media_type))
            except (SyntaxError, ValueError) as e:
                found.append(f"{expected.fmt} results that parse ({e})")
            else:
                if not isinstance(result, kind):
                    found.append(f"{expected.fmt} results (parsed as {type(result).__name__})")
                elif expected.boolean is not None and bool(result) != expected.boolean:
                    found.append(f"boolean {str(expected.boolean).lower()}")
    elif expected.fmt == "RDF":
        if media_type not in RDF_TYPES:
            found.append(f"RDF, one of {sorted(RDF_TYPES)}")
        else:
            try:
                _graph(answer.body, answer.content_type, url)
            except (SyntaxError, ValueError) as e:
                found.append(f"RDF that parses ({e})")
    if expected.body is not None and answer.status < 300:
        wanted = dict((k.lower(), v) for k, v in expected.headers).get(
            "content-type", answer.content_type)
        try:
            same = _graph(expected.body, wanted, url) == _graph(
                answer.body, answer.content_type, url)
        except (SyntaxError, ValueError, AssertionError) as e:
            found.append(f"an RDF body that parses ({e})")
        else:
            if not same:
                found.append(f"a body isomorphic to {' '.join(expected.body.split())!r}")
    return found


def run_exchanges(test: W3CTest, base: str) -> None:
    """Perform ``test``'s requests in order on one connection; fail at the first response
    that differs from what the manifest expects, naming the request and the answer."""
    host = urllib.parse.urlparse(base)
    connection = http.client.HTTPConnection(host.hostname, host.port, timeout=15)
    variables: dict[str, str] = {}

    def fill(text: str) -> str:
        for name, value in variables.items():
            text = text.replace(name, value)
        return text

    try:
        for number, r in enumerate(test.requests, 1):
            path = _our_path(fill(r.path))
            headers = {**dict(r.headers), "Authorization": f"Bearer {TOKEN}"}
            body = None if r.body is None else fill(r.body).encode(r.encoding)
            connection.request(r.method, path, body=body, headers=headers)
            response = connection.getresponse()
            answer = Answer(response.status, response.headers, response.read())
            problems = _problems(r.expected, answer, base + path)
            if problems:
                sent = "" if body is None else f", body {body[:200]!r}"
                pytest.fail(f"request {number}/{len(test.requests)}: {r.method} {path}, headers "
                            f"{dict(r.headers)}{sent}\n  expected {'; '.join(problems)}\n  "
                            f"{answer.describe()}", pytrace=False)
            if r.expected.location_var:
                variables[r.expected.location_var] = answer.headers["Location"]
    finally:
        connection.close()


@pytest.mark.parametrize("test", params(PROTOCOL))
def test_protocol(test: W3CTest, servers: Servers) -> None:
    run_exchanges(test, servers.base(PROTOCOL))


@pytest.mark.parametrize("test", params(GSP_DIRECT))
def test_graph_store_direct(test: W3CTest, servers: Servers) -> None:
    run_exchanges(test, servers.emptied(GSP_DIRECT))


@pytest.mark.parametrize("test", params(GSP_INDIRECT))
def test_graph_store_indirect(test: W3CTest, servers: Servers) -> None:
    run_exchanges(test, servers.emptied(GSP_INDIRECT))


# --- the Service Description tests: checks named by the manifest, without an mf:action ------

#: The SPARQL 1.1 Service Description vocabulary (https://www.w3.org/TR/sparql11-service-
#: description/#vocab): its properties, classes, and the instances of sd:Language and
#: sd:Feature it defines.
SD_PROPERTIES = {
    "endpoint", "feature", "defaultEntailmentRegime", "entailmentRegime",
    "defaultSupportedEntailmentProfile", "supportedEntailmentProfile", "extensionFunction",
    "extensionAggregate", "languageExtension", "supportedLanguage", "propertyFeature",
    "defaultDataset", "availableGraphs", "resultFormat", "inputFormat", "namedGraph",
    "defaultGraph", "name", "graph"}
SD_CLASSES = {
    "Service", "Feature", "Language", "Function", "Aggregate", "EntailmentRegime",
    "EntailmentProfile", "GraphCollection", "Dataset", "NamedGraph", "Graph"}
SD_LANGUAGES = {"SPARQL10Query", "SPARQL11Query", "SPARQL11Update"}
SD_FEATURES = {"DereferencesURIs", "UnionDefaultGraph", "RequiresDataset", "EmptyGraphs",
               "BasicFederatedQuery"}


def _description(base: str) -> tuple[Answer, Store]:
    """``GET /sparql`` as a plain client sends it (no ``Accept``), and the RDF it returns."""
    host = urllib.parse.urlparse(base)
    connection = http.client.HTTPConnection(host.hostname, host.port, timeout=15)
    try:
        connection.request("GET", "/sparql", headers={"Authorization": f"Bearer {TOKEN}"})
        response = connection.getresponse()
        answer = Answer(response.status, response.headers, response.read())
    finally:
        connection.close()
    if answer.status != 200 or RdfFormat.from_media_type(answer.content_type) is None:
        pytest.fail(f"GET /sparql (no Accept): expected 200 and RDF; {answer.describe()}",
                    pytrace=False)
    try:
        graph = Store()
        graph.extend(_graph(answer.body, answer.content_type, base + "/sparql"))
        return answer, graph
    except (SyntaxError, ValueError) as e:
        pytest.fail(f"GET /sparql: the RDF does not parse ({e}); {answer.describe()}",
                    pytrace=False)


def _returns_rdf(base: str) -> list[str]:
    _description(base)
    return []


def _has_endpoint_triple(base: str) -> list[str]:
    _, graph = _description(base)
    endpoint = NamedNode(base + "/sparql")
    if not any(graph.quads_for_pattern(None, NamedNode(SD + "endpoint"), endpoint)):
        return [f"a triple ?service sd:endpoint <{endpoint.value}>"]
    return []


def _conforms_to_schema(base: str) -> list[str]:
    """Every sd: term is in the vocabulary, the languages and features are ones it defines
    (or typed so), each service has an endpoint and its default dataset is an sd:Dataset."""
    _, graph = _description(base)
    sd = lambda t: NamedNode(SD + t)  # noqa: E731
    typed = {(q.subject, q.object) for q in graph.quads_for_pattern(None, NamedNode(RDF + "type"),
                                                                      None)}
    found = []
    for q in graph:
        if q.predicate.value.startswith(SD) and q.predicate.value[len(SD):] not in SD_PROPERTIES:
            found.append(f"{q.predicate} is not an sd: property")
        if (q.predicate.value == RDF + "type" and q.object.value.startswith(SD)
                and q.object.value[len(SD):] not in SD_CLASSES):
            found.append(f"{q.object} is not an sd: class")
    for prop, names, cls in (("supportedLanguage", SD_LANGUAGES, "Language"),
                             ("feature", SD_FEATURES, "Feature")):
        for q in graph.quads_for_pattern(None, sd(prop), None):
            if q.object.value.removeprefix(SD) not in names and (q.object, sd(cls)) not in typed:
                found.append(f"sd:{prop} {q.object} is not an sd:{cls}")
    services = [s for s, o in typed if o == sd("Service")]
    if not services:
        found.append("an sd:Service")
    for s in services:
        if not any(graph.quads_for_pattern(s, sd("endpoint"), None)):
            found.append(f"sd:endpoint of {s}")
        for q in graph.quads_for_pattern(s, sd("defaultDataset"), None):
            if isinstance(q.object, Literal) or (q.object, sd("Dataset")) not in typed:
                found.append(f"sd:defaultDataset {q.object} typed sd:Dataset")
    return found


SD_CHECKS: dict[str, Callable[[str], list[str]]] = {
    "returns-rdf": _returns_rdf,
    "has-endpoint-triple": _has_endpoint_triple,
    "conforms-to-schema": _conforms_to_schema,
}


def test_every_service_description_test_has_a_check() -> None:
    assert [t.name for t in SERVICE_DESCRIPTION if t.name not in SD_CHECKS] == []


@pytest.mark.parametrize("test", params(SERVICE_DESCRIPTION))
def test_service_description(test: W3CTest, servers: Servers) -> None:
    problems = SD_CHECKS[test.name](servers.base(SERVICE_DESCRIPTION))
    assert not problems, f"{test.title}: expected {'; '.join(problems)}"


def test_manifests_are_complete() -> None:
    """Every entry was read with its requests (a parsing slip would silently test less)."""
    counts = {m[0].manifest: len(m) for m in (PROTOCOL, GSP_DIRECT, GSP_INDIRECT)}
    assert counts == {"protocol/manifest.ttl": 34,
                      "graph-store-protocol/manifest-direct.ttl": 4,
                      "graph-store-protocol/manifest-indirect.ttl": 9}
    assert all(t.requests and all(r.expected.statuses for r in t.requests)
               for m in (PROTOCOL, GSP_DIRECT, GSP_INDIRECT) for t in m)
    assert {d[1] for t in PROTOCOL for d in t.graph_data} == {
        f"http://kasei.us/2009/09/sparql/data/data{i}.rdf" for i in (1, 2, 3)}
    assert all(d[0].is_file() for t in PROTOCOL for d in t.graph_data)
