"""Named queries: headers, parameters, errors."""

import pytest

from kg import queries, store
from kg.errors import QueryError


def test_every_named_query_parses_and_has_a_description():
    import pyoxigraph as ox

    st = ox.Store()
    for q in queries.load_all().values():
        assert q.description, q.name
        values = {p.name: "2024" if p.type in ("integer", "decimal") else "x" for p in q.params}
        store.select_with_columns(st, q.text, q.bindings(values), name=q.name)


def test_param_header_and_types():
    q = queries.NamedQuery.parse("t", "# description: T.\n# param: city (string, required): c\n"
                                      "# param: year (integer, optional): y\nSELECT * {}")
    assert [(p.name, p.type, p.required) for p in q.params] == [("city", "string", True),
                                                                ("year", "integer", False)]
    with pytest.raises(QueryError, match="needs parameter 'city'"):
        q.bindings({})
    with pytest.raises(QueryError, match="must be integer"):
        q.bindings({"city": "衢州市", "year": "soon"})
    with pytest.raises(QueryError, match="no parameter town"):
        q.bindings({"city": "衢州市", "town": "x"})


def test_a_parameter_value_cannot_change_the_query():
    st = store.open_store(None)
    st.update('INSERT DATA { GRAPH <http://g> { <http://a> <http://p> "衢州市" } }')
    q = queries.NamedQuery.parse("t", "# description: T.\n# param: city (string, required): c\n"
                                      "SELECT ?s ?city { ?s <http://p> ?city }")
    evil = '衢州市" } UNION { ?s ?p ?o '
    assert store.select(st, q.text, q.bindings({"city": evil})) == []
    assert store.select(st, q.text, q.bindings({"city": "衢州市"})) == [
        {"s": "http://a", "city": "衢州市"}]


def test_unknown_named_query():
    with pytest.raises(QueryError, match="known: .*reports"):
        queries.get("nope")
