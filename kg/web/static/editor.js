// The SPARQL editor page: YASGUI against this server's /sparql, one tab per named query, and
// completion of classes and properties from /api/vocabulary?store=1 (the ontology and the store).
// Every YASGUI default that would reach another host is replaced: the endpoint catalogue
// (DBpedia, Wikidata), the class/property completers (Linked Open Vocabularies), prefix.cc
// (already off in 4.6: prefixCcApi null), the CORS proxy; nothing is kept in localStorage, so
// each visit starts from the named queries as they are on the server.
"use strict";

(function () {
  const data = JSON.parse(document.getElementById("editor-data").textContent);
  const endpoint = new URL(data.endpoint, window.location.href).href;
  const lang = new URLSearchParams(window.location.search).get("lang") === "en" ? "en" : "zh";

  const TEXT = {
    zh: {
      title: "SPARQL 查询编辑器",
      explorer: "图谱浏览",
      queries: "命名查询 (JSON)",
      intro: "每个标签页是一个命名查询；按 Ctrl+Enter 运行，Ctrl+空格补全类与属性（如 gk:C → gk:City）。默认图为各报告图的并集。",
      switchTo: "English",
      newTab: "查询",
      params: "参数",
    },
    en: {
      title: "SPARQL query editor",
      explorer: "Graph explorer",
      queries: "Named queries (JSON)",
      intro: "Each tab is a named query; Ctrl+Enter runs it, Ctrl+Space completes classes and properties (gk:C → gk:City). The default graph is the union of the report graphs.",
      switchTo: "中文",
      newTab: "Query",
      params: "Parameters",
    },
  };
  // Tab names of the named queries (the name itself where none is given here).
  const TAB_NAMES = {
    zh: {
      reports: "报告", observations: "指标观测", mentions: "提及", mention_sentences: "提及与原句",
      recurring: "跨城市反复出现", city_profile: "城市概况", entity_timeline: "实体时间线",
      indicator_series: "指标序列",
    },
    en: {},
  };
  const t = (key) => TEXT[lang][key];

  function translatePage() {
    document.documentElement.lang = lang;
    document.title = "gov-kg " + t("title");
    for (const el of document.querySelectorAll("[data-i18n]")) {
      el.textContent = t(el.dataset.i18n);
    }
    const button = document.getElementById("lang");
    button.textContent = t("switchTo");
    button.addEventListener("click", () => {
      const url = new URL(window.location.href);
      if (lang === "en") url.searchParams.delete("lang");
      else url.searchParams.set("lang", "en");
      window.location.assign(url.href);
    });
  }

  // One fetch of the vocabulary, shared by the completers; suggestions are full IRIs, which
  // YASQE writes back as prefixed names (gk:City) when the query declares the prefix.
  let vocabulary = null;
  function loadVocabulary() {
    vocabulary = vocabulary || fetch(data.vocabulary).then((r) => {
      if (!r.ok) throw new Error("vocabulary: " + r.status);
      return r.json();
    });
    return vocabulary;
  }

  function configureCompleters(Yasqe) {
    const bundledPrefixes = Yasqe.Autocompleters.prefixes.get;
    Yasqe.forkAutocompleter("prefixes", {
      name: "gk-prefixes",
      persistenceId: null,
      get: (yasqe) => Promise.all([loadVocabulary(), bundledPrefixes(yasqe)]).then(([v, bundled]) => {
        const ours = Object.entries(v.prefixes).map(([p, ns]) => `${p}: <${ns}>`);
        const taken = new Set(Object.keys(v.prefixes));
        return ours.concat(bundled.filter((line) => !taken.has(line.split(":")[0]))).sort();
      }),
    }, false);
    for (const [kind, key] of [["class", "classes"], ["property", "properties"]]) {
      Yasqe.forkAutocompleter(kind, {
        name: "gk-" + kind,
        bulk: true,
        autoShow: true,
        persistenceId: null,
        get: () => loadVocabulary().then((v) => v[key].map((term) => term.iri)),
      }, false);
    }
    Yasqe.defaults.autocompleters = ["gk-prefixes", "variables", "gk-class", "gk-property"];
  }

  // YASR's table plugin draws through column-resizer, which appends <style> elements to <head>
  // (its grip rules on each draw, a cursor rule while a column is dragged, removed again as
  // head.lastChild). The Content Security Policy allows no inline style, so each such element
  // is swapped for an inert placeholder and its rules are applied as a constructed style sheet
  // (CSSOM, which the policy does not govern), dropped again when the placeholder is removed.
  function adoptInjectedStyles() {
    const sheets = new Map(); // css text -> {sheet, uses}
    const head = document.head;
    const append = head.appendChild.bind(head);
    const remove = head.removeChild.bind(head);
    head.appendChild = (node) => {
      if (!(node instanceof HTMLStyleElement)) return append(node);
      const css = node.textContent;
      let entry = sheets.get(css);
      if (!entry) {
        const sheet = new CSSStyleSheet();
        sheet.replaceSync(css);
        entry = { sheet, uses: 0 };
        sheets.set(css, entry);
        document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
      }
      entry.uses += 1;
      const placeholder = document.createElement("template");
      placeholder.dataset.adoptedStyle = "";
      placeholder.gkCss = css;
      return append(placeholder);
    };
    head.removeChild = (node) => {
      const entry = node && node.gkCss !== undefined && sheets.get(node.gkCss);
      if (entry && --entry.uses === 0) {
        sheets.delete(node.gkCss);
        document.adoptedStyleSheets = document.adoptedStyleSheets.filter((s) => s !== entry.sheet);
      }
      return remove(node);
    };
  }

  function tabName(query) {
    return TAB_NAMES[lang][query.name] || query.name;
  }

  function describe(query) {
    const el = document.getElementById("description");
    const params = query.parameters.map((p) => `${p.name}${p.required ? "*" : ""} (${p.type}): ${p.description}`);
    el.textContent = query.description + (params.length ? `　${t("params")}: ${params.join("；")}` : "");
  }

  function start() {
    const Yasgui = window.Yasgui;
    configureCompleters(Yasgui.Yasqe);
    Yasgui.Yasqe.defaults.requestConfig.endpoint = endpoint;
    const yasgui = new Yasgui(document.getElementById("yasgui"), {
      requestConfig: { endpoint, method: "POST" },
      endpointCatalogueOptions: { getData: () => [{ endpoint }], keys: [] },
      copyEndpointOnNewTab: true,
      populateFromUrl: false,
      autoAddOnInit: false,
      persistenceId: null,
      corsProxy: undefined,
      tabName: t("newTab"),
      yasqe: { persistenceId: null, createShareableLink: null, consumeShareLink: null },
      // results show IRIs of the ontology's prefixes (xsd:integer, gk:City) shortened
      yasr: { persistenceId: null, defaultPlugin: "table", pluginOrder: ["table", "response"],
              prefixes: data.prefixes },
    });
    const byTab = new Map();
    data.tabs.forEach((query, i) => {
      const tab = yasgui.addTab(i === 0, {
        name: tabName(query),
        yasqe: { value: query.query },
        requestConfig: { endpoint },
      });
      byTab.set(tab.getId(), query);
    });
    const first = data.tabs[0];
    if (first) describe(first);
    yasgui.on("tabSelect", (_y, id) => byTab.has(id) && describe(byTab.get(id)));
    document.getElementById("yasgui").dataset.ready = "true";
    window.gkEditor = yasgui; // for the browser tests and the console
  }

  adoptInjectedStyles();
  translatePage();
  start();
})();
