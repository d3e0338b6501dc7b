"""Hypothesis over ingest, every registered extractor and the whole pipeline: no input text
makes them raise (#12).

The extractors are found by walking ``kg.extract.REGISTRY``, so an extractor registered
tomorrow is fuzzed without a new test; each one's output kinds are checked against the
``produces`` it declares. Texts are arbitrary Unicode, and sentences recombined from the
genre's own vocabulary (the lexicons of ``kg/data/lexicon``, phrases of ``corpus/``, figures
with report units, years, growth wording), which reach far deeper into the rules than random
code points do.

``KG_FUZZ_EXAMPLES=3000`` runs more, randomised, examples (CI: 200, fixed seed).
"""

from __future__ import annotations

import json
import os
import re
import sys
import urllib.request
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg import extract, ingest, pipeline
from kg.model import Mention, ObservationMention

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # web_fixtures
LEXICON = ROOT / "kg" / "data" / "lexicon"
CORPUS = ROOT / "corpus"

FUZZ = settings(max_examples=int(os.environ.get("KG_FUZZ_EXAMPLES", 200)), deadline=None,
                derandomize=not os.environ.get("KG_FUZZ_EXAMPLES"),
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@cache
def vocabulary() -> tuple[str, ...]:
    """Words of the lexicons (every field of every row) and short phrases of corpus/."""
    words: set[str] = set()
    for path in sorted(LEXICON.iterdir()):
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip() or line.startswith("#"):
                continue
            for field in re.split(r"[\t|]", line):
                field = field.strip().lstrip("*").rstrip("*")
                if field and len(field) <= 30:
                    words.add(field)
    for path in sorted(CORPUS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        words.update(p for p in re.split(r"[，。；：、\s]+", text) if 1 < len(p) <= 24)
    return tuple(sorted(words))


@cache
def corpus_sentences() -> tuple[str, ...]:
    text = "".join(p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.txt")))
    return tuple(s for s in re.findall(r"[^。\n]+。?", text) if len(s) > 4)


UNITS = ["亿元", "万亿元", "万元", "元", "%", "％", "个百分点", "万人", "人", "倍", "万吨", "平方公里",
         "公里", "亿美元", "家", "个", ""]
CONNECTIVES = ["增长", "下降", "达到", "突破", "完成", "控制在", "分别增长", "比上年增长", "同比增长",
               "左右", "以上", "以内", "约", "力争", "预期", "目标", "年均增长", "累计", "和", "、",
               "，", "。", "；", "“", "”", "《", "》", "（", "）", "\n", "\n\n", " ", "一、", "（一）",
               "二、", "过去五年", "今年", "工作回顾", "目标任务", "市", "县", "区", "等"]

numbers = st.one_of(
    st.integers(-10, 10**13).map(str),
    st.decimals(-1000, 1e6, places=2, allow_nan=False, allow_infinity=False).map(str),
    st.sampled_from(["0", "0.0", ".5", "5.", "1,234.5", "１２３", "三", "十二", "百分之五", "1e5",
                     "99999999999999999999", "-0", "2.5-3", "6—6.5", "7.5%-8"]),
)
figures = st.builds(lambda n, u, q: f"{n}{u}{q}", numbers, st.sampled_from(UNITS),
                    st.sampled_from(["", "左右", "以上", "以内", "。", "，"]))
years = st.one_of(st.integers(1900, 2100).map(lambda y: f"{y}年"),
                  st.sampled_from(["二〇二三年", "2023—2027年", "2024年度", "0年", "99999年"]))


@st.composite
def report_like(draw) -> str:
    """Sentences recombined from report vocabulary, figures, years and punctuation."""
    pieces = draw(st.lists(st.one_of(
        st.sampled_from(vocabulary()), st.sampled_from(corpus_sentences()), figures, years,
        st.sampled_from(CONNECTIVES)), min_size=1, max_size=60))
    return "".join(pieces)


texts = st.one_of(
    st.text(max_size=400),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=200),
    st.text(alphabet="一二三四五六七八九十、（）。，；\n 年%亿元增长市县区2024.", max_size=200),
    report_like(),
)


def _check(info: extract.ExtractorInfo, doc) -> None:
    items = list(info.func(doc))
    for item in items:
        assert isinstance(item, Mention | ObservationMention), (info.name, item)
        kind = "Observation" if isinstance(item, ObservationMention) else item.kind
        assert kind in info.produces, (info.name, kind, info.produces)
        assert 0 <= item.start <= item.end <= len(doc.text), (info.name, item)


@FUZZ
@given(texts)
def test_parse_text_never_raises(text: str) -> None:
    doc = ingest.parse_text(text, source="fuzz.txt")
    assert len(doc.offsets) == len(doc.norm) + 1 and doc.offsets[-1] == len(doc.text)
    assert list(doc.offsets) == sorted(doc.offsets)
    for s in doc.sentences:
        assert 0 <= s.start <= s.end <= len(doc.text)


@pytest.mark.parametrize("name", sorted(extract.REGISTRY))
def test_extractor_never_raises(name: str) -> None:
    info = extract.REGISTRY[name]

    @FUZZ
    @given(texts)
    def run(text: str) -> None:
        _check(info, ingest.parse_text(text))

    run()


@settings(FUZZ, max_examples=FUZZ.max_examples // 2)
@given(texts)
def test_process_never_raises(text: str) -> None:
    ex = pipeline.process(text, source="fuzz.txt")
    for e in ex.entities:
        assert e.key and e.label, e


def test_registry_is_walked() -> None:
    """The parametrisation above covers every registered extractor (new ones included)."""
    assert set(extract.REGISTRY) >= {"places", "indicators", "projects", "policies",
                                     "industry_chains"}


# ---- the endpoint: random and malformed queries, parameters, headers, methods ---------------

SPARQL_TOKENS = [
    "SELECT", "CONSTRUCT", "ASK", "DESCRIBE", "WHERE", "{", "}", "(", ")", "[", "]", "?s", "?p",
    "?o", "*", "<https://w3id.org/gov-kg/id/city/330800>", "<http://127.0.0.1:1/x>", "<file:///etc/passwd>",
    '"衢州市"', "'x'", '"""a"""', "@zh", "^^<http://www.w3.org/2001/XMLSchema#integer>", "FILTER",
    "OPTIONAL", "UNION", "MINUS", "GRAPH", "SERVICE", "SILENT", "LOAD", "INSERT DATA", "DELETE",
    "WITH", "CLEAR ALL", "DROP", "PREFIX gk: <https://w3id.org/gov-kg/ontology#>", "gk:City",
    "gk:", "a", ".", ";", ",", "LIMIT 5", "OFFSET 99999999999999999999", "ORDER BY", "GROUP BY",
    "HAVING", "COUNT(*)", "AS", "BIND", "VALUES", "regex(", "str(", "1e999", "-0", "\x00", "\\",
    "# comment\n", "\n", "$x", "<<", ">>", "BASE <x>", "FROM <x>", "FROM NAMED <x>", "REDUCED",
    "DISTINCT", "SUM(?o)", "/", "|", "^", "+", "?", "!", "&&", "||", "NOW()", "RAND()", "UUID()",
]
sparql_like = st.lists(st.sampled_from(SPARQL_TOKENS), max_size=40).map(" ".join)
queries = st.one_of(
    sparql_like, st.text(max_size=300),
    st.binary(max_size=300).map(lambda b: b.decode("latin-1")),
    st.integers(1, 5000).map(lambda n: "SELECT * WHERE " + "{" * n + "}" * n),
    st.integers(1, 5000).map(lambda n: "SELECT * WHERE { FILTER(" + "(" * n + "1" + ")" * n + ") }"),
    st.integers(1, 3000).map(lambda n: "ASK {" + " UNION ".join(["{?s ?p ?o}"] * n) + "}"),
)
header_values = st.one_of(
    st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0xFF), max_size=200),
    st.sampled_from(["*/*", "application/sparql-results+json;q=abc", "text/csv;q=0, */*;q=0",
                     "application/x-www-form-urlencoded; charset=klingon", ";;;;", "a/b/c",
                     "multipart/form-data; boundary=", "application/sparql-query; charset=utf-16",
                     "text/turtle;q=1.5", "x" * 8000]),
)
METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "TRACE", "PROPFIND", "BREW"]
PATHS = ["/sparql", "/queries", "/queries/recurring", "/queries/city_profile", "/store",
         "/store/x", "/rdf-graph-store", "/health", "/api/search", "/api/node", "/api/neighbours",
         "/api/provenance", "/api/series", "/api/vocabulary", "/api/views/recurring",
         "/api/views/city", "/api/views/compare", "/api/views/map", "/editor", "/"]
PARAM_NAMES = ["query", "update", "default-graph-uri", "named-graph-uri", "using-graph-uri",
               "format", "graph", "default", "q", "iri", "city", "class", "limit", "offset",
               "from", "to", "a", "b", "fact", "store", "lang", "unknown", "query[]", ""]
escapes = st.lists(st.sampled_from(["%ff", "%fe%fd", "%c3", "%e8%a1", "%", "%zz", "%00", "+",
                                    "&", "=", "%E8%A1%A2", "a"]), max_size=12).map("".join)
params = st.lists(st.tuples(st.sampled_from(PARAM_NAMES), st.one_of(queries, escapes)),
                  max_size=6)


def _query_string(pairs: list[tuple[str, str]], raw: str) -> str:
    """URL-encoded pairs (names repeated as drawn), then raw escapes, some not UTF-8."""
    from urllib.parse import quote

    parts = [f"{quote(k)}={quote(v, safe='')}" for k, v in pairs]
    return "&".join([*parts, raw] if raw else parts)


def _acceptable(status: int) -> bool:
    # 503: a limit stopped the query (time, memory, busy pool); never an error of ours
    return status < 500 or status == 503


@pytest.fixture(scope="module")
def web_store(tmp_path_factory) -> Path:
    from web_fixtures import build_sample_store

    path = tmp_path_factory.mktemp("fuzz_web") / "store"
    build_sample_store(path, reports=3, sentences=6)
    return path


@pytest.fixture(scope="module")
def web_client(web_store):
    from kg.web import create_app

    app = create_app({"STORE_PATH": str(web_store), "TESTING": True, "QUERY_TIMEOUT": 5.0})
    yield app.test_client()
    app.extensions["kg.executor"].close()


WEB_FUZZ = settings(FUZZ, max_examples=FUZZ.max_examples // 2)


@WEB_FUZZ
@given(method=st.sampled_from(METHODS), path=st.sampled_from(PATHS), pairs=params, raw=escapes,
       accept=st.none() | header_values, ctype=st.none() | header_values,
       body=st.none() | queries | st.binary(max_size=200))
def test_endpoint_never_500(web_client, method, path, pairs, raw, accept, ctype, body):
    headers = {k: v for k, v in (("Accept", accept), ("Content-Type", ctype)) if v is not None}
    r = web_client.open(f"{path}?{_query_string(pairs, raw)}", method=method, headers=headers,
                        data=body.encode("utf-8", "surrogatepass") if isinstance(body, str) else body,
                        buffered=True)  # read and close the answer: a streamed one holds a query slot
    assert _acceptable(r.status_code), (r.status_code, r.get_data()[:500])


@WEB_FUZZ
@given(query=queries, form=st.booleans(), accept=st.none() | header_values)
def test_sparql_queries_never_500(web_client, query, form, accept):
    headers = {"Accept": accept} if accept is not None else {}
    if form:
        r = web_client.post("/sparql", data={"query": query}, headers=headers)
    else:
        r = web_client.post("/sparql", data=query.encode("utf-8", "surrogatepass"),
                            headers={**headers, "Content-Type": "application/sparql-query"})
    assert _acceptable(r.status_code), (r.status_code, r.get_data()[:500])


@pytest.mark.parametrize("query", [
    "SELECT * WHERE " + "{" * 100_000 + "}" * 100_000,
    "SELECT * WHERE { ?s ?p " + '"' + "衢" * 3_000_000 + '" }',  # ~9 MB, under the 10 MiB cap
    "SELECT * WHERE { ?s ?p ?o } " + "# x\n" * 200_000,
    "\x00" * 10_000,
])
def test_huge_and_deep_queries(web_client, query):
    r = web_client.post("/sparql", data=query.encode(), headers={
        "Content-Type": "application/sparql-query"})
    assert _acceptable(r.status_code), (r.status_code, r.get_data()[:500])
    assert web_client.get("/health").status_code == 200


def test_huge_headers_and_body(web_client):
    r = web_client.get("/sparql?query=ASK{}", headers={"Accept": "a/b," * 50_000,
                                                        "X-Junk": "x" * 100_000})
    assert _acceptable(r.status_code)
    r = web_client.post("/sparql", data=b"query=" + b"x" * (11 * 2**20),
                        headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 413
    assert web_client.get("/health").status_code == 200


@pytest.fixture(scope="module")
def live_server(web_store):
    from web_fixtures import kg_serve

    with kg_serve(web_store, "--access-log", "off", "--error-log", "off") as base:
        yield base


@settings(FUZZ, max_examples=FUZZ.max_examples // 4)
@given(method=st.sampled_from(METHODS), path=st.sampled_from(PATHS), pairs=params, raw=escapes,
       accept=header_values, ctype=header_values, body=st.none() | queries)
def test_real_server_never_500(live_server, method, path, pairs, raw, accept, ctype, body):
    """The same garbage through the real ``kg serve`` (Granian) over HTTP."""
    import http.client

    host, port = live_server.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        conn.request(method, f"{path}?{_query_string(pairs, raw)}",
                     body=body.encode("utf-8", "surrogatepass") if body is not None else None,
                     headers={"Accept": accept.encode("latin-1"),
                              "Content-Type": ctype.encode("latin-1")})
        resp = conn.getresponse()
        data = resp.read()
    finally:
        conn.close()
    assert _acceptable(resp.status), (resp.status, data[:500])


@pytest.mark.parametrize("raw", [
    b"\x00\xff garbage\r\n\r\n",
    b"GET /sparql?query=%ff%fe HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET / HTTP/9.9\r\nHost: x\r\n\r\n",
    b"GET /" + b"x" * 70_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /health HTTP/1.1\r\nHost: x\r\nX: " + b"y" * 70_000 + b"\r\n\r\n",
    b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999\r\n\r\nquery=",
    b"POST /sparql HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
])
def test_real_server_survives_malformed_http(live_server, raw):
    """Malformed request lines, headers and bodies on a raw socket: whatever the server
    answers, it is no 500, and /health answers afterwards."""
    import socket

    host, port = live_server.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        answer = b""
        try:  # the server may answer and close before it has read everything
            sock.sendall(raw)
            sock.shutdown(socket.SHUT_WR)
            while chunk := sock.recv(65536):
                answer += chunk
        except OSError:
            pass
    assert not answer.startswith(b"HTTP/1.1 500"), answer[:300]
    with urllib.request.urlopen(live_server + "/health", timeout=10) as r:
        assert json.load(r)["status"] == "ok"
