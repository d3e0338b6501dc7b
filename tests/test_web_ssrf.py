"""No outbound requests unless allowed (#10): ``SERVICE`` and ``LOAD`` are refused with a 400
before pyoxigraph sees them, proven with a real listener on 127.0.0.1 that must get no
connection, through ``app.test_client()`` and through ``kg serve``."""

from __future__ import annotations

import socket
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from web_fixtures import build_sample_store, kg_serve  # noqa: E402

from kg.errors import QueryError  # noqa: E402
from kg.web import create_app  # noqa: E402
from kg.web.outbound import allowed_hosts, check, refusal  # noqa: E402

TOKEN = "s3cret"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
DISABLED = b"federated queries are disabled; start with --allow-service HOST"


class Listener:
    """A TCP listener on 127.0.0.1 that counts the connections it accepts (and closes them)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/sparql"
        self.connections = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self.stop.set()
        self.thread.join(timeout=2)
        self.sock.close()


@pytest.fixture()
def listener():
    lst = Listener()
    yield lst
    lst.close()


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("ssrf") / "store"
    build_sample_store(path, reports=1, sentences=2)
    return path


@pytest.fixture()
def make_app(store):
    apps = []

    def make(**config):
        app = create_app({"STORE_PATH": str(store), "TESTING": True, "QUERY_TIMEOUT": 5,
                          **config})
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.extensions["kg.executor"].close()


def service(url: str) -> str:
    return f"SELECT * {{ SERVICE <{url}> {{ ?s ?p ?o }} }}"


# --- the check itself ---------------------------------------------------------------------


def test_allow_list_refuses_file_private_and_unlisted_hosts():
    listed = ("query.wikidata.org",)
    assert refusal("https://query.wikidata.org/sparql", listed) is None
    assert refusal("HTTP://Query.Wikidata.org./sparql", listed) is None
    assert refusal("file:///etc/passwd", listed) == "file: IRIs are never fetched"
    assert refusal("file:///etc/passwd", ("", "localhost")) == "file: IRIs are never fetched"
    for iri in ["http://127.0.0.1:8080/", "http://127.1.2.3/", "http://[::1]/", "http://10.1.2.3/",
                "http://172.16.0.1/", "http://172.31.255.255/", "http://192.168.1.1/",
                "http://169.254.169.254/latest/meta-data/", "http://[fc00::1]/",
                "http://[fd12::1]/", "http://[::ffff:127.0.0.1]/", "http://localhost:5000/",
                "http://a.localhost/"]:
        assert "loopback, private or link-local" in refusal(iri, listed), iri
    assert "not in --allow-service" in refusal("http://example.org/sparql", listed)
    assert "user information" in refusal("http://query.wikidata.org@127.0.0.1/", listed)
    assert "relative" in refusal("sparql", listed)
    assert "not ftp:" in refusal("ftp://query.wikidata.org/", listed)
    assert refusal("http://query.wikidata.org/", ()).startswith("federated queries are disabled")
    # an internal host is allowed only when listed exactly
    assert refusal("http://127.0.0.1:8080/sparql", ("127.0.0.1",)) is None
    assert refusal("http://[::1]/sparql", allowed_hosts("[::1]")) is None
    assert refusal("http://localhost/sparql", ("localhost",)) is None
    assert refusal("http://127.0.0.2/", ("127.0.0.1",)) is not None


def test_allowed_hosts_from_options_and_environment():
    assert allowed_hosts(None) == ()
    assert allowed_hosts("a.org,B.org, ,a.org") == ("a.org", "b.org")
    assert allowed_hosts(["a.org", "c.org,d.org"]) == ("a.org", "c.org", "d.org")
    with pytest.raises(ValueError, match="not a URL"):
        allowed_hosts("https://a.org/sparql")


@pytest.mark.parametrize("text", [
    'SELECT * { ?s ?p "SERVICE <http://127.0.0.1/> {}" }',
    "SELECT * { ?s ?p '''SERVICE''' }",
    "SELECT * { <http://x/SERVICE> ?p ?o }",
    "SELECT * { ?s ?p ?o } # SERVICE <http://127.0.0.1/> { }",
    "PREFIX ex: <http://x/> SELECT * { ?s ex:SERVICE ?o . ?SERVICE ?p ?o }",
])
def test_service_in_strings_iris_comments_and_names_passes(text):
    check(text, "SPARQL query", ())


@pytest.mark.parametrize("text, reason", [
    ("SELECT * { service <http://a.org/> { ?s ?p ?o } }", "not in --allow-service"),
    ("SELECT * { SERVICE SILENT <http://127.0.0.1:7/> { ?s ?p ?o } }", "private"),
    ("PREFIX h: <http://127.0.0.> SELECT * { SERVICE h:1 { ?s ?p ?o } }", "private"),
    ("SELECT * { SERVICE <http://127.0.0.\\u0031/> { ?s ?p ?o } }", "private"),
    ("BASE <http://127.0.0.1/> SELECT * { SERVICE <x> { ?s ?p ?o } }", "relative"),
    ("SELECT * { SERVICE ?e { ?s ?p ?o } }", "variable SERVICE endpoint"),
    ("SELECT * { SERVICE un:known { ?s ?p ?o } }", "known prefix"),
    ("SELECT * { SERVICE <file:///etc/passwd> { ?s ?p ?o } }", "file:"),
])
def test_service_elsewhere_is_refused_even_when_federation_is_on(text, reason):
    with pytest.raises(QueryError, match=reason):
        check(text, "SPARQL query", ("query.wikidata.org",))


def test_variable_service_is_refused_when_federation_is_off():
    with pytest.raises(QueryError, match="federated queries are disabled"):
        check("SELECT * { SERVICE ?e { ?s ?p ?o } }", "SPARQL query", ())


# --- through the app ----------------------------------------------------------------------


def test_service_is_400_by_default_and_nothing_is_called(make_app, listener):
    client = make_app().test_client()
    query = service(listener.url)
    for r in [client.get("/sparql", query_string={"query": query}),  # the fast lane
              client.post("/sparql", data={"query": query}),
              client.post("/sparql", data=query, content_type="application/sparql-query")]:
        assert r.status_code == 400 and r.mimetype == "text/plain"
        assert r.data.startswith(b"SPARQL query: " + DISABLED)
        assert f"SERVICE <{listener.url}> at 1:12".encode() in r.data
    time.sleep(0.2)
    assert listener.connections == 0


def test_service_in_a_literal_or_an_iri_still_runs(make_app):
    client = make_app().test_client()
    for query in ['SELECT * { ?s ?p "SERVICE" } LIMIT 1', "ASK { <http://x/SERVICE> ?p ?o }"]:
        assert client.get("/sparql", query_string={"query": query}).status_code == 200


def test_another_listed_host_does_not_open_loopback(make_app, listener):
    client = make_app(ALLOW_SERVICE="query.wikidata.org").test_client()
    for url in [listener.url, f"http://localhost:{listener.port}/sparql"]:
        r = client.get("/sparql", query_string={"query": service(url)})
        assert r.status_code == 400 and b"loopback, private or link-local" in r.data
    r = client.get("/sparql", query_string={"query": "SELECT * { SERVICE ?e { ?s ?p ?o } } "
                                                     f"VALUES ?e {{ <{listener.url}> }}"})
    assert r.status_code == 400 and b"variable SERVICE endpoint" in r.data
    time.sleep(0.2)
    assert listener.connections == 0


def test_a_listed_host_is_called(make_app, listener):
    """The listener does see a connection when its host is listed (so the tests above prove
    something)."""
    client = make_app(ALLOW_SERVICE=("127.0.0.1",)).test_client()
    client.get("/sparql", query_string={"query": service(listener.url)})
    deadline = time.monotonic() + 3
    while listener.connections == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert listener.connections >= 1


def test_service_inside_an_update_is_refused(make_app, listener):
    client = make_app(UPDATE_TOKEN=TOKEN).test_client()
    update = f"INSERT {{ ?s ?p ?o }} WHERE {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}"
    r = client.post("/sparql", data={"update": update}, headers=AUTH)
    assert r.status_code == 400 and r.data.startswith(b"SPARQL update: " + DISABLED)
    assert listener.connections == 0


def test_load_from_an_unlisted_host_is_refused_with_the_token(make_app, listener):
    for config in [{}, {"ALLOW_SERVICE": "query.wikidata.org"}]:
        client = make_app(UPDATE_TOKEN=TOKEN, **config).test_client()
        for update in [f"LOAD <{listener.url}>", f"LOAD SILENT <{listener.url}> INTO GRAPH <g:x>",
                       "LOAD <file:///etc/passwd>"]:
            r = client.post("/sparql", data=update, content_type="application/sparql-update",
                            headers=AUTH)
            assert r.status_code == 400 and r.data.startswith(b"SPARQL update: "), update
    r = client.post("/sparql", data={"update": "LOAD <file:///etc/passwd>"}, headers=AUTH)
    assert b"file: IRIs are never fetched" in r.data
    time.sleep(0.2)
    assert listener.connections == 0


def test_service_description_lists_federation_only_when_enabled(make_app, monkeypatch):
    r = make_app().test_client().get("/sparql", headers={"Accept": "text/turtle"})
    assert r.status_code == 200 and b"BasicFederatedQuery" not in r.data
    r = make_app(ALLOW_SERVICE=["query.wikidata.org"]).test_client().get(
        "/sparql", headers={"Accept": "text/turtle"})
    assert b"sd:BasicFederatedQuery" in r.data
    monkeypatch.setenv("KG_ALLOW_SERVICE", "query.wikidata.org,dbpedia.org")
    app = make_app()
    assert app.config["ALLOW_SERVICE"] == ("query.wikidata.org", "dbpedia.org")
    assert b"BasicFederatedQuery" in app.test_client().get("/sparql").data


# --- through `kg serve` ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def server(store):
    """``kg serve --allow-service query.wikidata.org`` over the store, stopped after use."""
    with kg_serve(store, "--workers", "1", "--allow-service", "query.wikidata.org") as base:
        yield base


def test_served_endpoint_does_not_call_loopback(server, listener):
    url = server + "/sparql?" + urllib.parse.urlencode({"query": service(listener.url)})
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(url, timeout=10)
    assert e.value.code == 400 and b"loopback, private or link-local" in e.value.read()
    with urllib.request.urlopen(server + "/sparql", timeout=10) as r:
        assert b"BasicFederatedQuery" in r.read()
    time.sleep(0.2)
    assert listener.connections == 0
