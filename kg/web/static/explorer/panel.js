// The side panel: a node's properties, aliases, neighbour counts (expand buttons), a city's
// counties and indicator chart, and the provenance of facts with the sentence highlighted.

import * as api from "./api.js";
import {el, highlighted} from "./dom.js";
import {className, t} from "./i18n.js";
import {CLASSES, FONT, classOf} from "./graph.js";

const MAX_FACTS = 40;
const SOURCES_PAGE = 20;  // facts a page of a node's sources

export class Panel {
  constructor(root, app) {
    this.root = root;
    this.app = app;
    this.chart = null;
    this.token = 0;  // answers to an older selection are dropped
  }

  reset() {
    this.destroyChart();
    this.root.replaceChildren(el("p", {class: "hint"}, t("panel.hint")));
  }

  destroyChart() {
    this.chart?.destroy();
    this.chart = null;
  }

  begin() {
    this.destroyChart();
    this.root.replaceChildren();
    return ++this.token;
  }

  async showNode(iri) {
    const token = this.begin();
    const info = await api.node(iri);
    if (token !== this.token) return;
    const cls = classOf(info.class);
    const head = el("header", {class: "node-head"},
      el("span", {class: `swatch swatch-${cls}`}),
      el("h2", {}, info.label ?? iri),
      el("span", {class: "badge"}, className(info.class)));
    this.root.append(head, el("p", {class: "iri"}, iri));
    if (info.reports) this.root.append(el("p", {class: "reports"}, t("panel.reports", {n: info.reports})));
    if (info.aliases?.length) {
      this.root.append(el("h3", {}, t("panel.aliases")),
        el("ul", {class: "aliases"}, info.aliases.map((a) => el("li", {}, a))));
    }
    this.root.append(this.neighbourSection(iri, info.neighbours ?? {}));
    if (info.province || info.counties || info.coordinates !== undefined) this.cityPart(info);
    if (info.properties?.length) {
      const rows = info.properties.map((p) => el("tr", {},
        el("th", {title: p.predicate}, this.app.predicateLabel(p.predicate, p.label)),
        el("td", {}, p.iri ? this.nodeLink(p.iri, p.value ?? p.iri) : p.value)));
      this.root.append(el("h3", {}, t("panel.properties")), el("table", {class: "props"}, rows));
    }
    const facts = el("section", {class: "provenance", id: "node-provenance"},
      el("h3", {}, t("panel.provenance")));
    this.root.append(facts);
    if (info.class === "City") this.cityChart(iri, token);
    else if (info.neighbours?.City) await this.sources(facts, iri, token);
    else facts.remove();
  }

  /** The sources of an entity: its facts in every city, one list, newest report first, a
   * page at a time ("more" appends the next), under a city heading wherever the city changes. */
  async sources(box, iri, token, offset = 0) {
    let answer;
    try {
      answer = await api.provenance(iri, {limit: SOURCES_PAGE, offset});
    } catch (error) {
      if (token === this.token) box.append(el("p", {class: "error"}, error.message));
      return;
    }
    if (token !== this.token) return;
    const facts = answer.facts ?? [];
    if (!offset) {
      if (!answer.total) { box.remove(); return; }
      box.querySelector("h3").append(" ", el("small", {}, t("panel.facts", {n: answer.total})));
      box.append(el("div", {class: "source-list"}),
        el("p", {class: "no-facts", hidden: true}, t("panel.noFacts")),
        el("p", {class: "hidden-facts", hidden: true}));
    }
    const list = box.querySelector(".source-list");
    for (const f of facts) {
      let group = list.lastElementChild;
      if (group?.dataset.city !== f.city) {
        group = el("section", {class: "city-group", dataset: {city: f.city ?? ""}},
          el("h4", {class: "city-head"}, f.cityLabel ?? f.city ?? "", " ", el("small")),
          el("ol", {class: "facts"}));
        list.append(group);
      }
      group.querySelector("ol").append(this.factItem(f));
      const years = [...new Set([...group.querySelectorAll("li.fact")].map((li) => li.dataset.year))];
      group.querySelector(".city-head small").textContent = years.join("、");
    }
    box.querySelector(":scope > .more-facts")?.remove();
    const shown = offset + facts.length;
    if (answer.more) {
      const more = el("button", {type: "button", class: "more-facts",
        onclick: () => {
          more.disabled = true;
          this.app.task(() => this.sources(box, iri, token, shown));
        }}, t("panel.more", {n: answer.total - shown}));
      box.append(more);
    }
    this.applyRange(...this.app.years.range());
  }

  neighbourSection(iri, counts) {
    const entries = Object.entries(counts).filter(([, n]) => n > 0);
    const list = el("ul", {class: "counts"});
    for (const [cls, n] of entries.sort((a, b) => b[1] - a[1])) {
      const button = el("button", {type: "button", class: "expand", dataset: {cls},
        onclick: () => this.app.expand(iri, cls)});
      this.app.expandButton(button, iri, cls);
      list.append(el("li", {},
        el("span", {class: `swatch swatch-${classOf(cls)}`}),
        el("span", {class: "count-label"}, `${className(cls)} ${n}`), button));
    }
    const all = el("button", {type: "button", class: "expand expand-all", dataset: {cls: ""},
      onclick: () => this.app.expand(iri)});
    this.app.expandButton(all, iri, "");
    return el("section", {class: "neighbours"}, el("h3", {}, t("panel.neighbours")), list, all);
  }

  nodeLink(iri, label) {
    return el("a", {href: `#${encodeURIComponent(iri)}`, class: "node-link",
      onclick: (e) => { e.preventDefault(); this.app.focus(iri, label); }}, label);
  }

  cityPart(info) {
    if (info.province) {
      this.root.append(el("p", {class: "province"}, `${t("panel.province")}：`,
        this.nodeLink(info.province.iri, info.province.label)));
    }
    if (info.coordinates) {
      this.root.append(el("p", {class: "coords"}, `${t("panel.coordinates")}：`,
        `${Number(info.coordinates.lon).toFixed(3)}, ${Number(info.coordinates.lat).toFixed(3)}`));
    }
    if (info.counties?.length) {
      this.root.append(el("h3", {}, t("panel.counties")),
        el("ul", {class: "counties"}, info.counties.map((c) => el("li", {}, this.nodeLink(c.iri, c.label)))));
    }
  }

  async cityChart(city, token) {
    const box = el("section", {class: "chart"}, el("h3", {}, t("panel.indicators")));
    const facts = this.root.querySelector("#node-provenance");
    this.root.insertBefore(box, facts);
    let data;
    try {
      data = await api.series(city);
    } catch (error) {
      box.append(el("p", {class: "error"}, error.message));
      return;
    }
    if (token !== this.token) return;
    const series = (data.series ?? []).filter((s) => s.points?.length);
    if (!series.length) { box.remove(); return; }
    series.sort((a, b) => b.points.length - a.points.length);
    const select = el("select", {class: "series-pick", "aria-label": t("panel.indicators")},
      series.map((s, i) => el("option", {value: i}, `${s.label}（${s.unit ?? ""}${s.measure ? ", " + s.measure : ""}）`)));
    const canvas = el("canvas", {width: 320, height: 180});
    box.append(select, el("div", {class: "chart-box"}, canvas));
    const draw = () => {
      this.destroyChart();
      if (typeof window.Chart !== "function") return;
      const s = series[Number(select.value)];
      const years = [...new Set(s.points.map((p) => p.year))].sort((a, b) => a - b);
      const pick = (kind) => years.map((y) => {
        const p = s.points.find((q) => q.year === y && q.kind === kind);
        return p ? Number(p.value) : null;
      });
      this.chart = new window.Chart(canvas, {
        type: "line",
        data: {labels: years.map(String), datasets: [
          {label: t("panel.actual"), data: pick("actual"), borderColor: CLASSES.City.color,
            backgroundColor: CLASSES.City.color, spanGaps: true},
          {label: t("panel.target"), data: pick("target"), borderColor: "#2471a3",
            backgroundColor: "#2471a3", borderDash: [5, 4], spanGaps: true}]},
        options: {animation: false, responsive: false, maintainAspectRatio: false,
          plugins: {legend: {labels: {font: {family: FONT}}},
            title: {display: true, text: `${s.label} (${s.unit ?? ""})`, font: {family: FONT}}},
          scales: {y: {beginAtZero: false}}},
      });
    };
    select.addEventListener("change", draw);
    draw();
  }

  /** The two-cities view: how many entities are shared and each city's own, the first of each. */
  showComparison(groups, la, lb) {
    this.begin();
    this.root.append(el("header", {class: "node-head"}, el("h2", {}, `${la} ⇄ ${lb}`)));
    for (const [title, items] of [[t("view.shared"), groups.shared],
      [t("view.onlyA", {c: la}), groups.onlyA], [t("view.onlyA", {c: lb}), groups.onlyB]]) {
      this.root.append(el("h3", {}, `${title}（${items.length}）`),
        el("ul", {class: "aliases"}, items.slice(0, 30).map((i) => el("li", {},
          this.nodeLink(i.iri, i.label)))));
    }
  }

  async showEdge(edge) {
    const token = this.begin();
    const source = edge.source(), target = edge.target();
    this.root.append(el("header", {class: "node-head"},
      el("h2", {}, `${source.data("label")} → ${target.data("label")}`),
      el("span", {class: "badge"}, edge.data("label") || t("panel.link"))));
    const years = edge.data("years") ?? [];
    if (years.length) this.root.append(el("p", {class: "years-list"}, years.join("、")));
    const facts = el("section", {class: "provenance", id: "edge-provenance"},
      el("h3", {}, t("panel.provenance")), el("p", {class: "loading"}, t("status.loading")));
    this.root.append(facts);
    const ids = edge.data("facts") ?? [];
    try {
      let list;
      if (ids.length) {
        const answers = await Promise.all(ids.slice(0, MAX_FACTS).map((f) => api.factProvenance(f)));
        list = answers.flatMap((a) => a.facts ?? []);
      } else {
        const [entity, city] = target.data("class") === "City" ? [source, target] : [target, source];
        list = (await api.provenance(entity.id(), {city: city.id()})).facts ?? [];
      }
      if (token !== this.token) return;
      this.renderFacts(facts, list, ids.length > MAX_FACTS ? ids.length : 0);
    } catch (error) {
      facts.replaceChildren(el("h3", {}, t("panel.provenance")), el("p", {class: "error"}, error.message));
    }
  }

  /** A fact: its report and section, the sentence with the surface marked, an observation's
   * value; outside the year range it carries .out-of-range (hidden by CSS). */
  factItem(f) {
    const where = `${f.cityLabel ?? ""} ${f.year ?? ""}`.trim();
    const head = el("div", {class: "fact-head"},
      el("span", {class: "fact-report", title: f.report}, f.reportLabel || where),
      f.section ? el("span", {class: "fact-section"}, `${t("panel.section")}：${f.section}`) : null);
    const value = f.kind === "observation" || f.value !== undefined
      ? el("p", {class: "fact-value"}, `${t("panel.value")}：${f.value ?? ""} ${f.unit ?? ""}` +
          `${f.qualifier ? " " + f.qualifier : ""}${f.measure ? " · " + f.measure : ""}`)
      : null;
    return el("li", {class: "fact", dataset: {year: f.year ?? "", fact: f.fact ?? "",
      kind: f.kind ?? ""}}, head, highlighted(f.sentence, f.start, f.end), value);
  }

  /** One item per fact, the first MAX_FACTS. */
  renderFacts(box, facts, total = 0) {
    const items = facts.slice(0, MAX_FACTS).map((f) => this.factItem(f));
    box.replaceChildren(el("h3", {}, t("panel.provenance"), " ",
      el("small", {}, t("panel.facts", {n: total || facts.length}))), el("ol", {class: "facts"}, items),
      el("p", {class: "no-facts", hidden: true}, t("panel.noFacts")),
      el("p", {class: "hidden-facts", hidden: true}));
    if (facts.length > MAX_FACTS || total > MAX_FACTS) {
      box.append(el("p", {class: "shown"}, t("panel.shown", {n: MAX_FACTS})));
    }
    this.applyRange(...this.app.years.range());
  }

  applyRange(from, to) {
    for (const box of this.root.querySelectorAll(".provenance")) {
      let shown = 0, hidden = 0;
      for (const item of box.querySelectorAll("li.fact")) {
        const year = parseInt(item.dataset.year, 10);
        const out = Number.isInteger(year) && (year < from || year > to);
        item.classList.toggle("out-of-range", out);
        if (out) hidden++; else shown++;
      }
      const none = box.querySelector(":scope > .no-facts");
      if (none) none.hidden = shown > 0 || hidden === 0;
      const more = box.querySelector(":scope > .hidden-facts");
      if (more) {
        more.hidden = hidden === 0;
        more.textContent = t("panel.hiddenFacts", {n: hidden});
      }
    }
    for (const group of this.root.querySelectorAll(".city-group")) {
      group.classList.toggle("out-of-range", !group.querySelector("li.fact:not(.out-of-range)"));
    }
  }
}
