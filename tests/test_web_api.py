"""The explorer's JSON API (``/api/…``) over the store built from ``corpus/``, one test per
endpoint, through ``app.test_client()``."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from kg import gazetteer
from kg.web import create_app

ID = "https://w3id.org/gov-kg/id/"
QULI = ID + "project/衢丽铁路"
QUZHOU, LISHUI, HUZHOU = ID + "city/330800", ID + "city/331100", ID + "city/330500"


@pytest.fixture(scope="module")
def app(corpus_build):
    app = create_app({"STORE_PATH": str(corpus_build[0]), "TESTING": True})
    yield app
    app.extensions["kg.executor"].close()


@pytest.fixture()
def client(app):
    return app.test_client()


def get(client, path: str, status: int = 200, **params) -> dict | list:
    query = "&".join(f"{k}={quote(str(v), safe='')}" for k, v in params.items())
    response = client.get(f"/api/{path}?{query}")
    assert response.status_code == status, response.data
    assert response.mimetype == "application/json"
    return response.get_json()


def test_search_finds_a_project_by_substring_with_its_report_count(client):
    results = get(client, "search", q="衢丽")["results"]
    first = results[0]
    assert first == {"iri": QULI, "label": "衢丽铁路", "class": "Project", "matched": "衢丽铁路",
                     "reports": 3}
    assert get(client, "search", q="衢丽", **{"class": "Policy"})["results"][0]["class"] == "Policy"


def test_search_puts_prefix_matches_first_and_honours_limit(client):
    results = get(client, "search", q="衢州", limit=3)["results"]
    assert len(results) <= 3
    assert results[0]["iri"] == QUZHOU and results[0]["matched"] == "衢州市"
    prefixed = [r["matched"].startswith("衢州") for r in results]
    assert prefixed == sorted(prefixed, reverse=True)


def test_search_matches_aliases(client):
    cities = get(client, "search", q="丽水", **{"class": "City"})["results"]
    assert [c["iri"] for c in cities] == [LISHUI]


def test_search_input_cannot_change_the_query(client):
    for q in ['"} UNION { ?e ?p ?o } #', "衢丽\") || true || (\"", "<urn:x>", "\\", "'"]:
        assert get(client, "search", q=q)["results"] == []
    get(client, "search", 400, q="")
    get(client, "search", 400, q="衢", **{"class": "Nope"})
    get(client, "search", 400, q="衢", limit="ten")


def test_node_of_a_project(client):
    node = get(client, "node", iri=QULI)
    assert node["label"] == "衢丽铁路" and node["class"] == "Project"
    assert node["neighbours"] == {"City": 2}
    assert node["reports"] == 3
    assert {"predicate": "https://w3id.org/gov-kg/ontology#projectType",
            "label": "gk:projectType", "value": "railway", "iri": None} in node["properties"]


def test_node_of_a_city_has_counties_province_and_coordinates(client):
    node = get(client, "node", iri=QUZHOU)
    assert node["aliases"] == ["衢州"]
    assert {"iri": ID + "county/330802", "label": "柯城区"} in node["counties"]
    assert node["province"] == {"iri": ID + "province/330000", "label": "浙江省"}
    assert node["coordinates"] == pytest.approx({"lon": 118.86, "lat": 28.97}, abs=0.05)
    assert node["neighbours"]["Report"] == 3 and node["neighbours"]["Policy"] > 10


def test_unknown_or_bad_iris(client):
    assert "error" in get(client, "node", 404, iri=ID + "project/不存在")
    get(client, "node", 400, iri="not an iri")
    get(client, "node", 400)
    get(client, "neighbours", 404, iri=ID + "project/不存在")
    get(client, "provenance", 404, fact=ID + "report/330800-2024/mention/999999")


def test_neighbours_of_a_project_are_the_cities_whose_reports_mention_it(client):
    answer = get(client, "neighbours", iri=QULI)
    assert {n["iri"]: n["class"] for n in answer["nodes"]} == {QUZHOU: "City", LISHUI: "City"}
    assert answer["nodes"][0]["iri"] == QUZHOU  # two mentions before one
    assert answer["total"] == 2 and answer["more"] is False
    edges = {e["source"]: e for e in answer["edges"]}
    assert edges[QUZHOU]["years"] == [2020, 2024] and edges[LISHUI]["years"] == [2024]
    assert all(e["target"] == QULI and e["label"] == "gk:mentions" for e in edges.values())
    assert all("/mention/" in f for e in edges.values() for f in e["facts"])


def test_neighbours_by_year_class_and_page(client):
    only_2020 = get(client, "neighbours", iri=QULI, **{"from": 2020, "to": 2020})
    assert [n["iri"] for n in only_2020["nodes"]] == [QUZHOU]
    assert only_2020["edges"][0]["years"] == [2020]
    assert get(client, "neighbours", iri=QULI, **{"from": 2015, "to": 2015})["total"] == 0
    # a city's 2015 neighbours: nothing from the 2024 reports survives
    y2015 = get(client, "neighbours", iri=QUZHOU, limit=1000, **{"from": 2015, "to": 2015})
    assert y2015["edges"] and all(e["years"] in ([], [2015]) for e in y2015["edges"])
    assert not any("2024" in f for e in y2015["edges"] for f in e["facts"])
    policies = get(client, "neighbours", iri=QUZHOU, limit=5, **{"class": "Policy"})
    assert len(policies["nodes"]) == 5 and policies["more"] and policies["total"] > 5
    assert {n["class"] for n in policies["nodes"]} == {"Policy"}
    page2 = get(client, "neighbours", iri=QUZHOU, limit=5, offset=5, **{"class": "Policy"})
    assert not {n["iri"] for n in page2["nodes"]} & {n["iri"] for n in policies["nodes"]}
    facts = [sum(len(e["facts"]) for e in policies["edges"] if e["target"] == n["iri"])
             for n in policies["nodes"]]
    assert facts == sorted(facts, reverse=True)


def test_neighbours_of_a_city_and_of_a_report(client):
    city = get(client, "neighbours", iri=QUZHOU, limit=1000)
    classes = {n["class"] for n in city["nodes"]}
    assert {"Project", "Policy", "IndustryChain", "Indicator", "County", "Province",
            "Report"} <= classes
    assert QULI in {n["iri"] for n in city["nodes"]}
    report = get(client, "neighbours", iri=ID + "report/331100-2024", limit=1000)
    assert LISHUI in {n["iri"] for n in report["nodes"]}
    assert QULI in {n["iri"] for n in report["nodes"]}


def test_provenance_of_a_mention_highlights_its_surface(client):
    edge = next(e for e in get(client, "neighbours", iri=QULI)["edges"] if e["source"] == LISHUI)
    facts = get(client, "provenance", fact=edge["facts"][0])["facts"]
    assert len(facts) == 1
    fact = facts[0]
    assert fact["kind"] == "mention" and fact["year"] == 2024 and fact["cityLabel"] == "丽水市"
    assert fact["report"] == ID + "report/331100-2024" and fact["section"]
    assert fact["sentence"][fact["start"]:fact["end"]] == fact["surface"] == "衢丽铁路"


def test_provenance_of_an_entity_in_a_city(client):
    facts = get(client, "provenance", iri=QULI, city=QUZHOU)["facts"]
    assert [f["year"] for f in facts] == [2020, 2024]
    assert all(f["sentence"][f["start"]:f["end"]] == f["surface"] for f in facts)
    assert [f["year"] for f in get(client, "provenance", iri=QULI, city=QUZHOU,
                                   **{"from": 2021})["facts"]] == [2024]
    gdp = get(client, "provenance", iri=ID + "indicator/地区生产总值", city=QUZHOU)["facts"]
    assert gdp and all(f["kind"] == "observation" for f in gdp)
    assert all(f["sentence"][f["start"]:f["end"]] == f["surface"] for f in gdp)
    assert {f["observationKind"] for f in gdp} <= {"actual", "target"}
    assert any(f["unit"] == "亿元" and f["value"] > 1000 for f in gdp)
    get(client, "provenance", 400, city=QUZHOU)
    get(client, "provenance", 404, iri=ID + "project/不存在")


def test_provenance_of_an_entity_in_every_city_newest_report_first_and_paged(client):
    answer = get(client, "provenance", iri=QULI)
    facts = answer["facts"]
    assert answer["total"] == 3 and answer["more"] is False
    # newest report first; a year's reports in IRI order (330800 衢州 before 331100 丽水)
    assert [(f["year"], f["cityLabel"]) for f in facts] == [
        (2024, "衢州市"), (2024, "丽水市"), (2020, "衢州市")]
    assert all(f["sentence"][f["start"]:f["end"]] == f["surface"] for f in facts)
    by_city = get(client, "provenance", iri=QULI, city=QUZHOU)["facts"]
    assert {f["fact"] for f in facts if f["city"] == QUZHOU} == {f["fact"] for f in by_city}
    pages = [get(client, "provenance", iri=QULI, limit=1, offset=i) for i in range(4)]
    assert [p["facts"][0]["fact"] for p in pages[:3]] == [f["fact"] for f in facts]
    assert [p["more"] for p in pages] == [True, True, False, False]
    assert pages[3]["facts"] == [] and {p["total"] for p in pages} == {3}
    recent = get(client, "provenance", iri=QULI, **{"from": 2021})
    assert recent["total"] == 2 and {f["year"] for f in recent["facts"]} == {2024}
    gdp = get(client, "provenance", iri=ID + "indicator/地区生产总值", limit=5)
    assert len(gdp["facts"]) == 5 and gdp["more"] and gdp["total"] > 5
    assert all(f["kind"] == "observation" for f in gdp["facts"])
    years = [f["year"] for f in gdp["facts"]]
    assert years == sorted(years, reverse=True)
    get(client, "provenance", 400, iri=QULI, limit=0)


def test_series_of_a_city_has_actual_and_target_points(client):
    series = get(client, "series", city=QUZHOU)["series"]
    kinds = {p["kind"] for s in series for p in s["points"]}
    assert kinds == {"actual", "target"}
    gdp = [s for s in series if s["label"] == "地区生产总值" and s["measure"] == "level"]
    assert gdp and gdp[0]["unit"] == "亿元"
    years = [p["year"] for p in gdp[0]["points"]]
    assert years == sorted(years) and 2023 in years


def test_vocabulary_comes_from_the_ontology(client):
    vocab = get(client, "vocabulary")
    city = next(c for c in vocab["classes"] if c["name"] == "City")
    assert city["iri"] == "https://w3id.org/gov-kg/ontology#City" and city["zh"] == "地级市"
    assert city["en"] == "City" and city["colour"].startswith("#") and city["shape"]
    assert "gk:projectType" in {p["prefixed"] for p in vocab["properties"]}
    assert vocab["prefixes"]["gk"] == "https://w3id.org/gov-kg/ontology#"


def test_recurring_view_is_an_entity_city_graph(client):
    view = get(client, "views/recurring", limit=50)
    nodes = {n["iri"]: n for n in view["nodes"]}
    policies = [n for n in nodes.values() if n["class"] == "Policy"]
    assert policies and QUZHOU in nodes and LISHUI in nodes
    for edge in view["edges"]:
        assert nodes[edge["source"]]["class"] == "City" and edge["target"] in nodes
        assert edge["factCount"] > 0 and edge["facts"] == [] and edge["years"]
    qianwan = [e for e in view["edges"] if e["target"] == ID + "policy/千万工程"]
    assert len({e["source"] for e in qianwan}) >= 2


def test_city_view(client):
    view = get(client, "views/city", iri=QUZHOU)
    assert view["label"] == "衢州市" and view["years"] == [2015, 2020, 2024]
    assert view["classes"]["Project"]["count"] == len(view["classes"]["Project"]["entities"])
    assert QULI in {e["iri"] for e in view["classes"]["Project"]["entities"]}
    get(client, "views/city", 400, iri=QULI)


def test_compare_view_gives_shared_and_distinct_entities(client):
    view = get(client, "views/compare", a=QUZHOU, b=LISHUI)
    shared = {e["iri"] for e in view["shared"]}
    assert QULI in shared and ID + "policy/千万工程" in shared
    assert all(e["a"] > 0 and e["b"] > 0 for e in view["shared"])
    assert next(e for e in view["shared"] if e["iri"] == QULI)["years"] == [2020, 2024]
    assert all(e["b"] == 0 for e in view["onlyA"]) and all(e["a"] == 0 for e in view["onlyB"])
    assert not shared & {e["iri"] for e in view["onlyA"] + view["onlyB"]}


def test_map_view_places_cities_by_coordinates(client):
    cities = {c["iri"]: c for c in get(client, "views/map")}
    assert cities[QUZHOU]["label"] == "衢州市" and cities[QUZHOU]["reports"] == 3
    assert cities[QUZHOU]["lon"] == pytest.approx(118.9, abs=0.1)
    assert cities[QUZHOU]["lat"] == pytest.approx(28.9, abs=0.1)
    assert {LISHUI, HUZHOU} <= cities.keys()


def test_every_city_of_the_gazetteer_has_coordinates():
    cities = gazetteer.default().cities()
    assert len(cities) > 330
    missing = [c.name for c in cities if gazetteer.coordinates(c.code) is None]
    assert missing == []
    lon, lat = gazetteer.coordinates("110100")  # a municipality: its city code
    assert 116 < lon < 117 and 39 < lat < 40.5


def test_a_slow_query_is_a_json_503(corpus_build):
    app = create_app({"STORE_PATH": str(corpus_build[0]), "TESTING": True,
                      "EXECUTOR_WORKERS": 1})
    try:
        client = app.test_client()
        get(client, "search", q="衢")  # the worker is up: what follows is stopped, not unstarted
        app.config["QUERY_TIMEOUT"] = 1e-6
        response = client.get("/api/neighbours?iri=" + quote(QUZHOU, safe=""))
        assert response.status_code == 503
        assert response.mimetype == "application/json"
        assert "time" in response.get_json()["error"]
        assert response.headers["Retry-After"]
    finally:
        app.extensions["kg.executor"].close()
