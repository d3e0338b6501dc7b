"""The explorer at ``/`` in real headless Chromium, on ``kg serve`` of the sample corpus.

Each test starts from a fresh page; the ``page`` fixture fails a test on any console error
(CSP violations included), page error, failed request or request to another host.
Screenshots go to ``output/screenshots/explorer*.png``.
"""

from __future__ import annotations

import sys
from itertools import pairwise
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

sys.path.insert(0, str(Path(__file__).parent))
from browser_fixtures import *  # noqa: E402, F403 - the fixtures and screenshot()
from browser_fixtures import screenshot  # noqa: E402

QULI = "https://w3id.org/gov-kg/id/project/衢丽铁路"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def idle(page):
    """Wait until the page has started and no API call of the explorer is pending (a selector,
    not wait_for_function, which would evaluate a string: the page's CSP forbids that)."""
    page.wait_for_selector("body[data-ready=true][data-busy='0']", state="attached")


def labels(page) -> set[str]:
    return set(page.evaluate("explorer.cy.nodes().map(n => n.data('label'))"))


def open_quli(page, served):
    """Search 衢丽 and choose 衢丽铁路: it is placed and expanded (its first 25 neighbours)."""
    page.goto(served + "/")
    idle(page)
    page.fill("#search-input", "衢丽")
    option = page.locator("#search-results li[role=option]", has_text="衢丽铁路").first
    option.wait_for()
    assert "项目" in option.inner_text() and "份报告" in option.inner_text()
    option.click()
    idle(page)
    # choosing expanded it: its two neighbours are all there is, so the button says so
    assert page.locator("#panel button.expand-all").inner_text() == "已全部展开"


def edge_between(page, source_label, target_label) -> str:
    return page.evaluate("""([a, b]) => explorer.cy.edges().filter(e =>
        [e.source().data('label'), e.target().data('label')].sort().join() === [a, b].sort().join()
      ).map(e => e.id())[0]""", [source_label, target_label])


def click_edge(page, edge_id):
    """Click an edge where it is drawn (its midpoint, in page coordinates)."""
    box = page.locator("#cy").bounding_box()
    point = page.evaluate("id => explorer.cy.getElementById(id).renderedMidpoint()", edge_id)
    page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])


def set_years(page, start, end):
    page.evaluate("""([a, b]) => {
        const from = document.getElementById('year-from'), to = document.getElementById('year-to');
        from.value = a; from.dispatchEvent(new Event('input'));
        to.value = b; to.dispatchEvent(new Event('input'));
      }""", [start, end])


def test_page_loads_with_nothing_from_elsewhere(served, page, page_log):
    page.goto(served + "/")
    idle(page)
    assert page.locator("h1").inner_text() == "政府工作报告知识图谱"
    assert page.locator("#legend button").count() >= 6
    years = page.evaluate("[+document.getElementById('year-from').min, "
                          "+document.getElementById('year-to').max]")
    assert years == [2015, 2024]
    assert page_log.requests and not page_log.external()
    page.select_option("#search-class", "City")
    page.fill("#search-input", "衢")
    page.locator("#search-results li[role=option]").first.wait_for()
    classes = page.locator("#search-results .result-class").all_inner_texts()
    assert classes and set(classes) == {"城市"}
    page_log.assert_clean()


def test_search_expand_sentence_and_years(served, page):
    open_quli(page, served)
    assert {"衢丽铁路", "衢州市", "丽水市"} <= labels(page)
    assert page.locator("#panel .counts li").count() >= 1  # neighbour counts by class
    # the node's own sources: one list, newest report first, a heading where the city changes
    sources = page.locator("#node-provenance")
    sources.locator(".sentence mark").first.wait_for()
    assert sources.locator(".city-head").all_inner_texts() == ["衢州市 2024", "丽水市 2024",
                                                                "衢州市 2020"]
    assert sources.locator("li.fact").evaluate_all("li => li.map(i => i.dataset.year)") == [
        "2024", "2024", "2020"]
    assert "3" in sources.locator("h3 small").inner_text()
    assert sources.locator(".more-facts").count() == 0

    edge = edge_between(page, "衢丽铁路", "丽水市")
    assert edge, "no link between 衢丽铁路 and 丽水市"
    click_edge(page, edge)
    fact = page.locator("#edge-provenance li.fact").first
    fact.wait_for()
    assert "丽水" in fact.locator(".fact-report").inner_text()
    mark = fact.locator(".sentence mark").first
    assert "衢丽" in mark.inner_text()
    assert mark.inner_text() in fact.locator(".sentence").inner_text()
    screenshot(page, "explorer")

    dated_2024 = page.evaluate("explorer.cy.edges().filter(e => e.data('years').length && "
                               "e.data('years').every(y => y === 2024)).map(e => e.id())")
    assert dated_2024
    set_years(page, 2015, 2015)
    assert page.locator("#year-out").inner_text() == "2015"
    hidden = page.evaluate("ids => ids.map(id => explorer.cy.getElementById(id).visible())",
                           dated_2024)
    assert not any(hidden)
    assert not page.locator("#edge-provenance li.fact[data-year='2024']").first.is_visible()
    screenshot(page, "explorer-2015")

    page.click("#play")  # playback moves the end of the range through the report years
    page.wait_for_selector("#year-out:text-is('2015–2020')", timeout=5000)
    page.click("#play")
    assert page.locator("#play").inner_text() == "▶ 播放"


def source_years(sources) -> list[int]:
    return sources.locator("li.fact").evaluate_all("li => li.map(i => +i.dataset.year)")


def test_sources_are_one_list_newest_first_grouped_by_city(served, page):
    page.goto(served + "/")
    idle(page)
    page.fill("#search-input", "地区生产总值")
    page.locator("#search-results li[role=option]", has_text="地区生产总值").first.click()
    idle(page)
    sources = page.locator("#node-provenance")
    years = source_years(sources)
    assert len(years) > 5 and years == sorted(years, reverse=True)
    cities = sources.locator(".city-group").evaluate_all("g => g.map(e => e.dataset.city)")
    assert len(set(cities)) >= 2 and all(a != b for a, b in pairwise(cities))
    assert sources.locator(".more-facts").count() == 0  # fewer than a page
    screenshot(page, "explorer-sources")


def test_sources_page_with_more(served, page):
    report = quote("https://w3id.org/gov-kg/id/report/330800-2024", safe="")
    page.goto(f"{served}/?seeds={report}&node={report}")  # a report: hundreds of mentions
    idle(page)
    sources = page.locator("#node-provenance")
    assert len(source_years(sources)) == 20  # the first page
    total = int("".join(c for c in sources.locator("h3 small").inner_text() if c.isdigit()))
    assert total > 40
    more = sources.locator("button.more-facts")
    assert more.inner_text() == f"更多（还有 {total - 20}）"
    more.click()
    idle(page)
    assert len(source_years(sources)) == 40
    assert sources.locator(".city-group").count() == 1  # the next page goes on in its group
    assert sources.locator("button.more-facts").inner_text() == f"更多（还有 {total - 40}）"
    set_years(page, 2015, 2015)  # nothing of the 2024 report: the group hides, a note says so
    assert not sources.locator(".city-group").is_visible()
    assert sources.locator(".no-facts").is_visible()


def test_url_restores_the_view(served, page):
    open_quli(page, served)
    page.locator("#legend button[data-cls=County]").click()
    set_years(page, 2020, 2024)
    state = parse_qs(urlsplit(page.url).query)
    assert state["from"] == ["2020"] and state["node"] == [QULI] and state["hide"] == ["County"]
    before = labels(page)
    page.reload()
    idle(page)
    assert labels(page) == before
    assert page.evaluate("explorer.cy.$(':selected').map(n => n.id())") == [QULI]
    assert page.input_value("#year-from") == "2020"
    assert page.locator("#legend button[data-cls=County]").get_attribute("aria-pressed") == "false"
    assert page.locator("#panel h2").inner_text() == "衢丽铁路"


def test_double_click_expands_25_with_more_then_exports(served, page):
    open_quli(page, served)
    lishui = page.evaluate("explorer.cy.nodes().filter(n => n.data('label') === '丽水市')"
                           "[0].renderedPosition()")
    box = page.locator("#cy").bounding_box()
    before = page.evaluate("explorer.cy.nodes().length")
    page.mouse.move(box["x"] + lishui["x"], box["y"] + lishui["y"])
    tip = page.locator("#tooltip")  # hovering shows the neighbour counts before expanding
    tip.wait_for()
    assert "丽水市" in tip.inner_text() and "政策" in tip.inner_text()
    page.mouse.dblclick(box["x"] + lishui["x"], box["y"] + lishui["y"])
    page.wait_for_selector("#panel h2:text-is('丽水市')")
    idle(page)
    added = page.evaluate("explorer.cy.nodes().length") - before
    assert 0 < added <= 25
    more = page.locator("#panel button.expand-all")
    if page.evaluate("explorer.app.pages.get(explorer.cy.$(':selected').id() + '|').more"):
        assert more.inner_text().startswith("更多")
        more.click()
        idle(page)
        assert page.evaluate("explorer.cy.nodes().length") > before + added
    screenshot(page, "explorer-expanded")
    with page.expect_download() as png:
        page.click("#export-png")
    data = Path(png.value.path()).read_bytes()
    assert data.startswith(PNG_MAGIC) and len(data) > 1000
    with page.expect_download() as csv:
        page.click("#export-csv")
    text = Path(csv.value.path()).read_text(encoding="utf-8-sig")
    assert text.startswith("kind,id,label,class") and "丽水市" in text and "\nedge," in text


def test_english_switch(served, page):
    open_quli(page, served)
    page.click("#lang")
    idle(page)
    assert page.locator("h1").inner_text() == "Government work reports knowledge graph"
    assert page.locator("#legend button[data-cls=City]").inner_text().startswith("City")
    assert page.locator("#view-map").inner_text() == "Cities on a map"
    assert "lang=en" in page.url
    screenshot(page, "explorer-en")
    page.reload()
    idle(page)
    assert page.locator("#export-png").inner_text() == "Export PNG"
    page.click("#lang")
    idle(page)
    assert page.locator("#export-png").inner_text() == "导出 PNG"


def test_views(served, page):
    page.goto(served + "/")
    idle(page)
    for view in ("recurring", "city", "compare", "map"):
        page.click(f"#view-{view}")
        idle(page)
        assert page.locator("#status.error").count() == 0, page.inner_text("#status")
        assert page.evaluate("explorer.cy.nodes().length") > 0, view
        assert parse_qs(urlsplit(page.url).query)["view"] == [view]
        screenshot(page, f"explorer-{view}")
    # the map places cities by longitude: 湖州 lies east of 衢州
    x = page.evaluate("Object.fromEntries(explorer.cy.nodes().map(n => [n.data('label'), "
                      "n.position('x')]))")
    assert x["湖州市"] > x["衢州市"]
    page.goto(page.url.replace("view=map", "view=compare"))  # a view restores from its link
    idle(page)
    assert page.locator("#panel h2").inner_text() == "衢州市 ⇄ 湖州市"
