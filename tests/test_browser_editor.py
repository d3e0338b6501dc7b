"""The SPARQL editor page (``/editor``) in real headless Chromium against a real ``kg serve`` of
the sample corpus: it loads with no console error and no request to another host, a named
query's tab runs and shows rows, ``gk:C`` completes to ``gk:City``, and a screenshot is
written to ``output/screenshots/editor.png``."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from browser_fixtures import *  # noqa: E402, F403 - served, browser, page, page_log
from browser_fixtures import screenshot  # noqa: E402

from kg.queries import load_all  # noqa: E402

GK = "https://w3id.org/gov-kg/ontology#"


def open_editor(page, served, query=""):
    page.goto(f"{served}/editor{query}")
    page.wait_for_selector("#yasgui[data-ready=true] .CodeMirror")


def names(tabs):
    return [text.split("\n")[0].strip() for text in tabs.all_inner_texts()]


def test_editor_loads_from_this_server_only(served, page, page_log):
    open_editor(page, served)
    tabs = page.locator(".yasgui .tabsList .tab")
    assert tabs.count() == len(load_all())
    assert "报告" in names(tabs)  # Chinese tab names by default
    assert page.locator("h1").inner_text() == "SPARQL 查询编辑器"
    endpoint = page.evaluate("() => window.gkEditor.getTab().getEndpoint()")
    assert endpoint == f"{served}/sparql"
    assert page_log.requests and not page_log.external(), page_log.external()
    assert page_log.hosts == {"127.0.0.1"}
    page.click("#lang")
    page.wait_for_url("**/editor?lang=en")
    page.wait_for_selector("#yasgui[data-ready=true] .CodeMirror")
    assert page.locator("h1").inner_text() == "SPARQL query editor"
    assert "reports" in names(page.locator(".yasgui .tabsList .tab"))


def test_a_named_query_tab_runs_and_shows_rows(served, page, page_log):
    page.goto(f"{served}/sparql")  # a browser asking the endpoint itself is sent to the editor
    page.wait_for_selector("#yasgui[data-ready=true] .CodeMirror")
    assert page.url == f"{served}/editor"
    page.locator(".yasgui .tabsList .tab", has_text="报告").first.click()
    page.locator(".tabPanel.active .yasqe_queryButton").click()
    rows = page.locator(".tabPanel.active .yasr table.dataTable tbody tr")
    rows.first.wait_for()
    assert rows.count() == 5  # the five sample reports
    assert "衢州市" in page.locator(".tabPanel.active .yasr table.dataTable").inner_text()
    # the table's column resizer adds <style> rules; they arrive as constructed style sheets
    assert page.evaluate("() => document.adoptedStyleSheets.length") >= 1
    assert page.locator("head style").count() == 0
    shot = screenshot(page, "editor")
    assert shot.stat().st_size > 10_000
    assert not page_log.external()


def test_autocompletion_offers_gk_city_for_gk_c(served, page, page_log):
    open_editor(page, served)
    page.evaluate("""text => {
        const yasqe = window.gkEditor.getTab().getYasqe();
        yasqe.setValue(text);
        yasqe.focus();
        yasqe.getDoc().setCursor({line: 1, ch: 22});
    }""", f"PREFIX gk: <{GK}>\nSELECT * WHERE {{ ?c a  }}")
    page.keyboard.type("gk:C")
    # the list shown for the whole token: every hint starts with gk:C (not an earlier "gk:")
    page.wait_for_function("""() => {
        const hints = [...document.querySelectorAll(".CodeMirror-hints .CodeMirror-hint")];
        return hints.length && hints.every(h => h.textContent.startsWith("gk:C"));
    }""")
    hints = page.locator(".CodeMirror-hints .CodeMirror-hint")
    offered = hints.all_inner_texts()
    assert "gk:City" in offered and "gk:County" in offered, offered
    hints.filter(has_text="gk:City").first.click()
    value = page.evaluate("() => window.gkEditor.getTab().getYasqe().getValue()")
    assert "?c a gk:City }" in value, value
