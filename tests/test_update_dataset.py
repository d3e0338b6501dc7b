"""The protocol's ``using-graph-uri`` / ``using-named-graph-uri`` for SPARQL Update: the
tokenizer that finds where ``USING`` goes, and the endpoint that applies it."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyoxigraph import Store

sys.path.insert(0, str(Path(__file__).parent))
from web_fixtures import build_sample_store  # noqa: E402

from kg.errors import QueryError  # noqa: E402
from kg.web import create_app  # noqa: E402
from kg.web.update_dataset import apply_protocol_dataset, tokenize  # noqa: E402

G, H = "http://e/g", "http://e/h"
U = f"USING <{G}> "
PREFIXES = ("PREFIX ex: <http://e/> PREFIX where: <http://w/>\n"
            "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n")


def inject(update: str, using: tuple[str, ...] = (G,), named: tuple[str, ...] = ()) -> str:
    """The injected update, checked to be one Oxigraph accepts (run on an empty store)."""
    result = apply_protocol_dataset(PREFIXES + update, list(using), list(named))
    Store().update(result)
    return result.removeprefix(PREFIXES)


# --- where USING goes -----------------------------------------------------------------------


@pytest.mark.parametrize(("update", "expected"), [
    ("INSERT { ?s a ex:C } WHERE { ?s ?p ?o }",
     f"INSERT {{ ?s a ex:C }} {U}WHERE {{ ?s ?p ?o }}"),
    ("DELETE { ?s ?p ?o } INSERT { ?s ?p 1 } WHERE { ?s ?p ?o }",
     f"DELETE {{ ?s ?p ?o }} INSERT {{ ?s ?p 1 }} {U}WHERE {{ ?s ?p ?o }}"),
    ("delete { ?s ?p ?o } where { ?s ?p ?o }", f"delete {{ ?s ?p ?o }} {U}where {{ ?s ?p ?o }}"),
    ("Insert{?s ?p ?o}WhErE{?s ?p ?o}", f"Insert{{?s ?p ?o}}{U}WhErE{{?s ?p ?o}}"),
])
def test_using_goes_before_the_where_of_a_modify(update, expected):
    assert inject(update) == expected


@pytest.mark.parametrize("template", [
    '?s ex:p "} WHERE {"',
    "?s ex:p 'where { }'",
    '?s ex:p """a "" } where { "\n"""',
    "?s ex:p '''b '' } where { '\n'''",
    r'?s ex:p "a \" } WHERE { \\"',
    r"?s ex:p 'it\'s } where'",
    "?s <http://e/where#WHERE> ?o",
    "?s ex:p ?o # } WHERE {\n",
    "?s ex:where where:WHERE",
    "?s ex:a.where ?o",
    r"?s ex:x\#where ?o",
    r"?s ex:it\'s ?o",
    "?where ?p $where",
    '?s ex:p "x"@where',
])
def test_where_in_strings_iris_comments_and_names_is_not_a_keyword(template):
    update = f"INSERT {{ {template} }} WHERE {{ ?s ?p ?o }}"
    assert inject(update) == update.replace("} WHERE { ?s", f"}} {U}WHERE {{ ?s")


def test_only_the_top_level_where_of_nested_patterns():
    update = ("INSERT { GRAPH ex:g { ?s ?p ?o } }\nWHERE {\n"
              "  { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } }\n"
              "  FILTER NOT EXISTS { ?s ex:where ?x }\n"
              "  { SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s }\n"
              "  OPTIONAL { ?s ex:q ?q }\n}")
    assert inject(update) == update.replace("\nWHERE {\n", f"\n{U}WHERE {{\n")


@pytest.mark.parametrize("where", [
    # "<" right after an operand inside an expression compares; it does not open an IRI
    "?s ?p ?o FILTER(?o<'x>'||?o>'}')",
    "?s ?p ?o FILTER(?o<?x)#>'\n",
    "?s ?p ?o FILTER xsd:boolean(?o<'>')",
    "?s ?p ?o FILTER(STR(?o)<'>'&&(?o)<'>')",
    "{ SELECT (?o<'>' AS ?lt) WHERE { ?s ?p ?o } }",
    "{ SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?s HAVING (COUNT(*)<'x>')"
    " ORDER BY xsd:string(?n<'>') LIMIT 1 }",
    # ... but a "<" after a term in a collection, a VALUES row or a path is an IRI
    "?s ex:p (?o <http://e/it's#t>) .",
    "VALUES (?a ?b) { (\"x\" <http://e/it's#t>) (1 <http://e/#u>) }",
    "?s (ex:p|<http://e/it's#p>) ?o FILTER(?o IN (<http://e/#a>,<http://e/#b>))",
])
def test_less_than_and_iris_are_told_apart(where):
    update = f"INSERT {{ ?s ?p ?o }} WHERE {{ {where} }}"
    assert inject(update) == update.replace("} WHERE {", f"}} {U}WHERE {{")


def test_every_modify_of_several_operations_and_nothing_else():
    update = ('INSERT DATA { ex:s ex:p "WHERE" } ;\n'
              "DELETE WHERE { ?s ex:p 'x' } ;\n"
              "INSERT { ?s ex:q 1 } WHERE { ?s ex:p ?o } ;\n"
              "CLEAR SILENT GRAPH where:where ;\n"
              "DELETE { ?s ex:q 1 } where { ?s ex:q 1 } ;")
    expected = update.replace("} WHERE { ?s ex:p ?o", f"}} {U}WHERE {{ ?s ex:p ?o").replace(
        "} where", f"}} {U}where")
    assert inject(update) == expected
    assert expected.count("USING") == 2


@pytest.mark.parametrize("update", [
    "DELETE WHERE { ?s ?p ?o }",
    "delete # the WHERE form\n  where { ?s ?p ?o }",
    'INSERT DATA { ex:s ex:p "x" } ; DELETE DATA { ex:s ex:p "WHERE" }',
    "CLEAR SILENT GRAPH ex:where ; DROP SILENT ALL ; CREATE SILENT GRAPH ex:a.where",
    "ADD SILENT ex:a TO ex:b ; MOVE SILENT DEFAULT TO ex:c ; COPY SILENT ex:c TO DEFAULT",
])
def test_other_operations_are_left_unchanged(update):
    assert inject(update, (G,), (H,)) == update


def test_using_named_and_several_graphs():
    update = "INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"
    assert inject(update, (), (H,)) == update.replace(
        "WHERE", f"USING NAMED <{H}> WHERE")
    assert inject(update, (G, H), (H,)) == update.replace(
        "WHERE", f"USING <{G}> USING <{H}> USING NAMED <{H}> WHERE")


def test_without_parameters_the_update_is_not_even_read():
    assert apply_protocol_dataset("WITH <x> nonsense '", [], []) == "WITH <x> nonsense '"


@pytest.mark.parametrize(("update", "keyword", "at"), [
    ("WITH ex:g INSERT { ?s ?p ?o } WHERE { ?s ?p ?o }", "WITH", "3:1"),
    ("INSERT { ?s ?p ?o } USING ex:g WHERE { ?s ?p ?o }", "USING", "3:21"),
    ("INSERT DATA {} ;\ninsert { ?s ?p ?o } using named ex:g where { ?s ?p ?o }", "USING",
     "4:21"),
    ("INSERT DATA {} ;\nwith ex:g delete { ?s ?p ?o } where { ?s ?p ?o }", "WITH", "4:1"),
])
def test_using_or_with_in_the_update_is_an_error(update, keyword, at):
    with pytest.raises(QueryError, match=f"cannot be combined with {keyword} \\(at {at}\\)"):
        apply_protocol_dataset(PREFIXES + update, [], [H])


def test_with_and_using_in_strings_or_names_are_not_errors():
    update = 'INSERT { ?s ex:using "WITH" } WHERE { ?s ex:with <http://e/using> } ; WITHx:a'
    assert apply_protocol_dataset(update, [G], []).count("USING <") == 1


@pytest.mark.parametrize(("using", "named", "message"), [
    (["g"], [], "using-graph-uri: 'g' is not a valid absolute IRI"),
    ([G], ["http://e/a b"], "using-named-graph-uri: 'http://e/a b' is not a valid absolute"),
    ([G, "http://e/>"], [], "using-graph-uri: 'http://e/>'"),
])
def test_a_bad_iri_names_its_parameter(using, named, message):
    with pytest.raises(QueryError, match=message):
        apply_protocol_dataset("INSERT DATA {}", using, named)


@pytest.mark.parametrize(("update", "message"), [
    ('INSERT { ?s ?p "x } WHERE { ?s ?p ?o }', "unterminated string at 1:16"),
    ("INSERT { ?s ?p 'x\n' } WHERE { ?s ?p ?o }", "unterminated string at 1:16"),
    ("INSERT { ?s ?p '''x'' } WHERE { ?s ?p ?o }", "unterminated string at 1:16"),
    ("INSERT { ?s ?p ?o } } WHERE { ?s ?p ?o }", "unbalanced '}' at 1:21"),
    ("INSERT { ?s ?p ?o } WHERE { { ?s ?p ?o }", "1 unclosed '{'"),
])
def test_lexical_errors_are_reported(update, message):
    with pytest.raises(QueryError, match=message):
        apply_protocol_dataset(update, [G], [])


def test_tokens_of_names_numbers_and_escapes():
    text = r'ex:a.b. ex:x\#y "s"@en-GB 1.5 .5 ?v. $w ?'
    assert [(t.kind, t.text) for t in tokenize(text)] == [
        ("word", "ex:a.b"), ("punct", "."), ("word", r"ex:x\#y"), ("string", '"s"'),
        ("word", "@en-GB"), ("word", "1.5"), ("word", ".5"), ("var", "?v"), ("punct", "."),
        ("var", "$w"), ("punct", "?")]


# --- property: injection adds the clauses and nothing else, and Oxigraph still parses ------

_KEYWORD_CASES = st.sampled_from([str.upper, str.lower, str.title])
_SPACE = st.sampled_from([" ", "\n", "\t ", " # WHERE { ' \" }\n", "\n#}{\n"])
_TRIPLES = st.sampled_from([
    "?s ?p ?o .", "?s ex:where 'it\\'s { where' .", '?s <http://e/where#x> "} WHERE {" .',
    '?s ex:p """a "" } where """ .', "?s ex:p '''b '' { where''' .", "?s where:where ?where .",
    "?s ex:a\\#where $o .", "?s ex:a.where ?o .",
])
_PATTERNS = st.sampled_from([
    "FILTER(?o<'x>'||?o>'#')", "OPTIONAL { ?s ?p ?o }", "{ ?s ?p ?o } UNION { ?s ?p 'where' }",
    "{ SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s }", "FILTER NOT EXISTS { ?s ex:where ?x }",
    "VALUES (?a ?b) { (\"x\" <http://e/#t>) }", "GRAPH ?g { ?s ?p ?o }",
    "?s ex:p (?a <http://e/#b>) .",
]) | _TRIPLES


@st.composite
def updates(draw) -> tuple[str, list[int]]:
    """A random update and the offsets of its Modify operations' top-level WHEREs."""
    def kw(word: str) -> str:
        return draw(_KEYWORD_CASES)(word)

    def group(parts) -> str:
        items = draw(st.lists(parts, max_size=4))
        return "{" + draw(_SPACE) + draw(_SPACE).join(items) + draw(_SPACE) + "}"

    text, wheres = PREFIXES, []
    for i in range(draw(st.integers(1, 4))):
        if i:
            text += draw(_SPACE) + ";" + draw(_SPACE)
        kind = draw(st.sampled_from(["insert", "delete", "delete insert", "data", "delete where",
                                     "clear"]))
        if kind == "data":
            text += (kw("insert") + " " + kw("data") + draw(_SPACE)
                     + '{ ex:s ex:where "} WHERE {" }')
        elif kind == "delete where":
            text += kw("delete") + draw(_SPACE) + kw("where") + " " + group(_TRIPLES)
        elif kind == "clear":
            text += kw("clear") + " " + kw("silent") + " " + kw("graph") + " where:where"
        else:
            for word in kind.split():
                text += kw(word) + draw(_SPACE) + group(_TRIPLES) + draw(_SPACE)
            wheres.append(len(text))
            text += kw("where") + draw(_SPACE) + group(_PATTERNS)
    return text, wheres


@settings(max_examples=150, deadline=None)
@given(updates(), st.lists(st.just(G), max_size=2), st.lists(st.just(H), max_size=2))
def test_injection_adds_only_the_clauses_before_each_modify_where(update, using, named):
    text, wheres = update
    Store().update(text)  # the generator makes valid updates
    clauses = "".join(f"USING <{g}> " for g in using) + "".join(
        f"USING NAMED <{g}> " for g in named)
    expected = text
    for at in reversed(wheres if clauses else []):
        expected = expected[:at] + clauses + expected[at:]
    result = apply_protocol_dataset(text, using, named)
    assert result == expected
    Store().update(result)


# --- through the endpoint -------------------------------------------------------------------

TOKEN = "s3cret"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
UPDATE_TYPE = "application/sparql-update"
R = "https://w3id.org/gov-kg/id/report/"
G0, G1 = R + "330800-2020", R + "330100-2020"
NEW = R + "test-using"
C = "https://w3id.org/gov-kg/test#Copied"
COPY = f"INSERT {{ GRAPH <{NEW}> {{ ?s a <{C}> }} }} WHERE {{ ?s ?p ?o }}"
COPY_NAMED = f"INSERT {{ GRAPH <{NEW}> {{ ?s a <{C}> }} }} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"


@pytest.fixture()
def client(tmp_path):
    """A test client of a writable app over a fresh two-report store."""
    path = tmp_path / "store"
    build_sample_store(path, reports=2, sentences=4)
    app = create_app({"STORE_PATH": str(path), "TESTING": True, "UPDATE_TOKEN": TOKEN})
    yield app.test_client()
    app.extensions["kg.executor"].close()


def select_one(client, query: str) -> int:
    r = client.get("/sparql", query_string={"query": query})
    assert r.status_code == 200, r.data
    return int(json.loads(r.data)["results"]["bindings"][0]["n"]["value"])


def copied(client) -> int:
    return select_one(client, f"SELECT (COUNT(*) AS ?n) {{ GRAPH <{NEW}> {{ ?s a <{C}> }} }}")


def subjects(client, *graphs: str) -> int:
    values = " ".join(f"<{g}>" for g in graphs)
    return select_one(client, f"SELECT (COUNT(DISTINCT ?s) AS ?n) "
                              f"{{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }}")


def is_copied(client, subject: str) -> bool:
    query = f"ASK {{ GRAPH <{NEW}> {{ <{subject}> a <{C}> }} }}"
    r = client.get("/sparql", query_string={"query": query})
    return json.loads(r.data)["boolean"]


def test_without_using_an_update_reads_the_empty_default_graph(client):
    r = client.post("/sparql", data={"update": COPY}, headers=AUTH)
    assert r.status_code == 204
    assert copied(client) == 0


def test_using_graph_uri_as_a_form_field_copies_only_that_graph(client):
    r = client.post("/sparql", data={"update": COPY, "using-graph-uri": G0}, headers=AUTH)
    assert r.status_code == 204, r.data
    assert copied(client) == subjects(client, G0) > 0
    assert is_copied(client, G0) and not is_copied(client, G1)


def test_using_graph_uri_in_the_url_with_a_sparql_update_body(client):
    r = client.post("/sparql", query_string={"using-graph-uri": G1}, data=COPY,
                    content_type=UPDATE_TYPE, headers=AUTH)
    assert r.status_code == 204, r.data
    assert copied(client) == subjects(client, G1)
    assert is_copied(client, G1) and not is_copied(client, G0)


def test_several_using_graph_uris_merge_into_the_default_graph(client):
    r = client.post("/sparql", query_string=[("using-graph-uri", G0), ("using-graph-uri", G1)],
                    data=COPY, content_type=UPDATE_TYPE, headers=AUTH)
    assert r.status_code == 204, r.data
    assert copied(client) == subjects(client, G0, G1) > subjects(client, G0)


def test_using_named_graph_uri_as_a_form_field(client):
    r = client.post("/sparql", data={"update": COPY_NAMED, "using-named-graph-uri": G1},
                    headers=AUTH)
    assert r.status_code == 204, r.data
    assert copied(client) == subjects(client, G1)
    assert is_copied(client, G1) and not is_copied(client, G0)


def test_using_named_graph_uri_in_the_url_leaves_the_default_graph_empty(client):
    r = client.post("/sparql", query_string={"using-named-graph-uri": G0},
                    data=f"{COPY} ; {COPY_NAMED}", content_type=UPDATE_TYPE, headers=AUTH)
    assert r.status_code == 204, r.data
    assert copied(client) == subjects(client, G0)  # only the GRAPH ?g operation found any
    assert is_copied(client, G0) and not is_copied(client, G1)


def test_other_operations_run_unchanged_with_using(client):
    update = f"INSERT DATA {{ GRAPH <{NEW}> {{ <{G0}> a <{C}> }} }}"
    r = client.post("/sparql", data={"update": update, "using-graph-uri": G1}, headers=AUTH)
    assert r.status_code == 204, r.data
    assert copied(client) == 1


def test_using_parameters_and_using_in_the_update_is_400(client):
    update = COPY.replace("WHERE", f"USING <{G0}> WHERE")
    r = client.post("/sparql", data={"update": update, "using-named-graph-uri": G1},
                    headers=AUTH)
    assert r.status_code == 400
    assert b"cannot be combined with USING (at 1:" in r.data
    r = client.post("/sparql", query_string={"using-graph-uri": G1},
                    data=f"WITH <{G0}> DELETE {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o }}",
                    content_type=UPDATE_TYPE, headers=AUTH)
    assert r.status_code == 400 and b"cannot be combined with WITH (at 1:1)" in r.data
    assert subjects(client, G0) > 0 and copied(client) == 0


def test_a_bad_using_iri_is_400(client):
    r = client.post("/sparql", data={"update": COPY, "using-graph-uri": "report-1"},
                    headers=AUTH)
    assert r.status_code == 400
    assert r.data.startswith(b"using-graph-uri: 'report-1' is not a valid absolute IRI")
    r = client.post("/sparql", query_string={"using-named-graph-uri": "http://e/a b"},
                    data=COPY, content_type=UPDATE_TYPE, headers=AUTH)
    assert r.status_code == 400 and r.data.startswith(b"using-named-graph-uri: ")
    assert copied(client) == 0


def test_a_bad_update_with_using_is_still_the_parsers_400(client):
    r = client.post("/sparql", data={"update": "INSERT { ?s ?p } WHERE { ?s ?p ?o }",
                                     "using-graph-uri": G0}, headers=AUTH)
    assert r.status_code == 400 and r.data.startswith(b"SPARQL update: error at 1:")


def test_using_still_needs_the_token(client):
    r = client.post("/sparql", data={"update": COPY, "using-graph-uri": G0})
    assert r.status_code == 401
    assert copied(client) == 0
