// The graph explorer at /: search, expand, filter by class and year, trace facts to sentences,
// views, export, and the view kept in the URL. Modules live in ./explorer/.

import * as api from "./explorer/api.js";
import {$, el} from "./explorer/dom.js";
import * as exporting from "./explorer/exporting.js";
import {Graph} from "./explorer/graph.js";
import * as i18n from "./explorer/i18n.js";
import {Panel} from "./explorer/panel.js";
import {Search} from "./explorer/search.js";
import {Tooltip} from "./explorer/tooltip.js";
import * as urlstate from "./explorer/urlstate.js";
import * as views from "./explorer/views.js";
import {Years} from "./explorer/years.js";

const PAGE = 25;  // new neighbours per expansion
const LEGEND = ["City", "County", "Project", "Policy", "IndustryChain", "Indicator", "Province",
  "Report", "Other"];

class App {
  constructor() {
    this.busyCount = 0;
    this.seeds = [];
    this.expansions = [];  // [iri, class|""] in the order they were made
    this.pages = new Map();  // "iri|class" -> {offset, total, more}
    this.view = null;
    this.viewCities = [null, null];
    this.selected = null;
    this.cityLabels = new Map();
    this.vocabulary = new Map();  // property IRI -> {zh, en}
    this.graph = new Graph($("#cy"), {
      selectNode: (iri) => this.select(iri),
      selectEdge: (id) => this.selectEdge(id),
      expand: (iri) => this.expand(iri),
      selectNothing: () => this.selectNothing(),
    });
    this.cy = this.graph.cy;
    this.graph.labelFor = (predicate, fallback) => this.predicateLabel(predicate, fallback);
    this.panel = new Panel($("#panel"), this);
    this.tooltip = new Tooltip(this.cy, $("#tooltip"));
    this.years = new Years({from: $("#year-from"), to: $("#year-to"), out: $("#year-out"),
      play: $("#play"), hide: $("#year-hide")}, (a, b, hide) => this.onYears(a, b, hide));
    this.search = new Search({form: $("#search"), input: $("#search-input"),
      cls: $("#search-class"), list: $("#search-results")}, (r) => this.choose(r));
    this.legend = $("#legend");
    this.bind();
  }

  bind() {
    $("#view-recurring").addEventListener("click", () => this.task(() => this.showView("recurring")));
    $("#view-city").addEventListener("click", () => this.task(() => this.showView("city")));
    $("#view-compare").addEventListener("click", () => this.task(() => this.showView("compare")));
    $("#view-map").addEventListener("click", () => this.task(() => this.showView("map")));
    $("#relayout").addEventListener("click", () => this.task(() => this.graph.layoutAll()));
    $("#clear").addEventListener("click", () => this.reset());
    $("#export-png").addEventListener("click", () => exporting.png(this.cy));
    $("#export-csv").addEventListener("click", () => exporting.csv(this.cy));
    $("#lang").addEventListener("click", () => this.task(() => this.setLang(i18n.lang() === "zh" ? "en" : "zh")));
  }

  // --- bookkeeping -----------------------------------------------------------------------

  async task(fn) {
    this.busy(1);
    try {
      return await fn();
    } catch (error) {
      this.status(i18n.t("status.error", {m: error.message}), true);
      console.warn(error);
      return undefined;
    } finally {
      this.busy(-1);
    }
  }

  busy(delta) {
    this.busyCount += delta;
    document.body.dataset.busy = String(this.busyCount);
    document.body.classList.toggle("is-busy", this.busyCount > 0);
  }

  status(text, error = false) {
    const box = $("#status");
    box.textContent = text;
    box.classList.toggle("error", error);
  }

  counts() {
    const n = this.graph.size, e = this.cy.edges().length;
    this.status(i18n.t("status.nodes", {n, e}));
    $("#empty").hidden = n > 0;
    this.renderLegend();
  }

  save() {
    urlstate.write({lang: i18n.lang(), view: this.view, a: this.viewCities[0], b: this.viewCities[1],
      seeds: this.view ? [] : this.seeds, expansions: this.expansions, selected: this.selected,
      range: this.years.isFull() ? null : this.years.range(),
      hidden: [...this.graph.hiddenClasses], fade: !this.graph.hideOutside});
  }

  renderLegend() {
    const counts = this.graph.classCounts();
    // the six searchable classes always; the others when on the canvas
    const always = new Set(["City", "County", "Project", "Policy", "IndustryChain", "Indicator"]);
    this.legend.replaceChildren(...LEGEND.filter((c) => always.has(c) || counts[c]).map((cls) => {
      const off = this.graph.hiddenClasses.has(cls);
      return el("li", {}, el("button", {type: "button", class: off ? "off" : "",
        "aria-pressed": String(!off), dataset: {cls},
        onclick: () => this.toggleClass(cls)},
        el("span", {class: `swatch swatch-${cls}`}),
        el("span", {}, i18n.className(cls)),
        el("span", {class: "legend-count"}, String(counts[cls] ?? 0))));
    }));
  }

  toggleClass(cls) {
    this.graph.setClassHidden(cls, !this.graph.hiddenClasses.has(cls));
    this.renderLegend();
    this.save();
  }

  // --- the canvas ------------------------------------------------------------------------

  reset() {
    this.years.stop();
    this.graph.clear();
    this.seeds = [];
    this.expansions = [];
    this.pages.clear();
    this.view = null;
    this.viewCities = [null, null];
    this.selected = null;
    this.panel.reset();
    this.counts();
    this.save();
  }

  /** A search result: placed with its neighbours and selected. */
  async choose(result) {
    await this.task(async () => {
      if (this.view) this.reset();
      this.addSeed(result);
      await this.select(result.iri);
      await this.expandNow(result.iri);
    });
  }

  addSeed(node) {
    if (!this.seeds.includes(node.iri)) this.seeds.push(node.iri);
    const fresh = this.graph.add([node], [], {classes: "seed"});
    this.cy.getElementById(node.iri).addClass("seed");
    if (fresh.nonempty() && this.graph.size === 1) this.cy.center(fresh);
    this.counts();
  }

  /** Bring a node onto the canvas (fetching its class) and select it. */
  async focus(iri, label) {
    await this.task(async () => {
      if (this.cy.getElementById(iri).empty()) {
        const info = await api.node(iri);
        this.addSeed({iri, label: info.label ?? label, class: info.class});
      }
      this.cy.animate({center: {eles: this.cy.getElementById(iri)}}, {duration: 200});
      await this.select(iri);
    });
  }

  expand(iri, cls = "") {
    return this.task(() => this.expandNow(iri, cls));
  }

  async expandNow(iri, cls = "", {record = true, layout = true} = {}) {
    const key = `${iri}|${cls}`;
    const page = this.pages.get(key);
    if (page && !page.more) {
      this.status(i18n.t("status.nothing"));
      return this.cy.collection();
    }
    const offset = page?.offset ?? 0;
    this.status(i18n.t("status.loading"));
    const answer = await api.neighbours(iri, {cls, limit: PAGE, offset});
    this.pages.set(key, {offset: offset + PAGE, total: answer.total ?? 0, more: Boolean(answer.more)});
    if (record) this.expansions.push(cls ? [iri, cls] : [iri]);
    const fresh = this.graph.add(answer.nodes ?? [], answer.edges ?? [], {around: iri});
    if (layout) await this.graph.layoutNew(fresh, iri);
    this.counts();
    if (fresh.nonempty()) this.status(i18n.t("status.added", {n: fresh.length}));
    else this.status(i18n.t("status.nothing"));
    if (layout && fresh.nonempty()) this.keepInView(fresh.union(this.cy.getElementById(iri)));
    if (this.selected === iri) this.refreshCounts(iri);
    this.save();
    return fresh;
  }

  keepInView(eles) {
    if (this.graph.size <= 80) {
      this.graph.fit();
      if (this.cy.zoom() > 1.6) this.cy.zoom({level: 1.6, renderedPosition: {x: this.cy.width() / 2, y: this.cy.height() / 2}});
      return;
    }
    const ext = this.cy.extent(), bb = eles.boundingBox();
    if (bb.x1 < ext.x1 || bb.x2 > ext.x2 || bb.y1 < ext.y1 || bb.y2 > ext.y2) this.graph.fit();
  }

  /** The expand button of a node (and class): expand, more (n left) or done. */
  expandButton(button, iri, cls) {
    const page = this.pages.get(`${iri}|${cls}`);
    const all = cls === "";
    button.disabled = Boolean(page && !page.more);
    button.textContent = !page ? i18n.t(all ? "panel.expandAll" : "panel.expand")
      : page.more ? i18n.t("panel.more", {n: Math.max(0, page.total - page.offset)})
        : i18n.t("panel.done");
  }

  refreshCounts(iri) {
    for (const button of this.panel.root.querySelectorAll(".neighbours button.expand")) {
      this.expandButton(button, iri, button.dataset.cls ?? "");
    }
  }

  async select(iri) {
    this.selected = iri;
    this.cy.elements().unselect();
    this.cy.getElementById(iri).select();
    this.save();
    try {
      await this.panel.showNode(iri);
    } catch (error) {
      this.status(i18n.t("status.error", {m: error.message}), true);
    }
  }

  selectEdge(id) {
    const edge = this.cy.getElementById(id);
    if (edge.empty()) return;
    this.selected = null;
    this.save();
    this.task(() => this.panel.showEdge(edge));
  }

  selectNothing() {
    this.selected = null;
    this.panel.reset();
    this.save();
  }

  onYears(from, to, hide) {
    this.graph.hideOutside = hide;
    this.graph.setRange(from, to);
    this.panel.applyRange(from, to);
    this.save();
  }

  // --- views -----------------------------------------------------------------------------

  async showView(name, cities = null) {
    let [a, b] = cities ?? [$("#city-a").value, $("#city-b").value];
    if (!cities && name === "city" && this.selectedCity()) a = this.selectedCity();
    if ((name === "city" && !a) || (name === "compare" && !(a && b))) {
      this.status(i18n.t("view.pickCity"), true);
      return;
    }
    this.reset();
    this.view = name;
    this.status(i18n.t("status.loading"));
    let result;
    if (name === "recurring") result = await views.recurring(50);
    else if (name === "city") result = await views.cityProfile(a);
    else if (name === "compare") result = await views.compare(a, b, this.cityLabels);
    else result = await views.map();
    this.viewCities = name === "city" ? [a, null] : name === "compare" ? [a, b] : [null, null];
    this.graph.add(result.nodes, result.edges, {positions: result.positions, classes: name === "map" ? "map" : ""});
    for (const seed of result.seeds ?? []) this.cy.getElementById(seed).addClass("seed view");
    if (result.headers) this.graph.addHeaders(result.headers);
    if (result.positions) this.graph.fit();
    else await this.graph.layoutAll({fixed: result.ring ? this.ring(result.ring) : null});
    this.counts();
    if (result.select) await this.select(result.select);
    if (result.groups) this.panel.showComparison(result.groups, this.cityLabels.get(a) ?? a, this.cityLabels.get(b) ?? b);
    this.save();
  }

  /** Place the nodes of `cls` on a circle (fixed) and the rest inside at random: the
   * layout then puts each entity between the cities that name it. */
  ring(cls) {
    const hubs = this.cy.nodes(`[class = "${cls}"]`);
    const r = 160 + 45 * hubs.length;
    const fixed = hubs.map((n, i) => {
      const a = -Math.PI / 2 + (2 * Math.PI * i) / Math.max(1, hubs.length);
      return {nodeId: n.id(), position: {x: r * Math.cos(a), y: r * Math.sin(a)}};
    });
    for (const f of fixed) this.cy.getElementById(f.nodeId).position(f.position);
    this.cy.nodes().difference(hubs).forEach((n) => {
      n.position({x: (Math.random() - 0.5) * r, y: (Math.random() - 0.5) * r});
    });
    return fixed;
  }

  selectedCity() {
    const node = this.selected ? this.cy.getElementById(this.selected) : null;
    return node?.nonempty() && node.data("class") === "City" ? this.selected : null;
  }

  async loadCities() {
    let points = [];
    try {
      points = await api.map();
    } catch {
      points = [];
    }
    points.sort((p, q) => (q.reports ?? 0) - (p.reports ?? 0) || String(p.label).localeCompare(String(q.label), "zh"));
    for (const p of points) this.cityLabels.set(p.iri, p.label);
    const options = () => points.map((p) => el("option", {value: p.iri}, p.label));
    $("#city-a").replaceChildren(...options());
    $("#city-b").replaceChildren(...options());
    if (points.length > 1) $("#city-b").value = points[1].iri;
  }

  /** A property's name in the interface language, from /api/vocabulary. */
  predicateLabel(iri, fallback) {
    return this.vocabulary.get(iri)?.[i18n.lang()] || fallback || iri;
  }

  async loadVocabulary() {
    try {
      const vocabulary = await api.vocabulary();
      for (const p of vocabulary.properties ?? []) this.vocabulary.set(p.iri, {zh: p.zh, en: p.en});
    } catch {
      // the API's own names are kept
    }
  }

  async setLang(lang) {
    await i18n.load(lang);
    this.graph.relabel();
    this.renderLegend();
    this.years.update(false);
    if (this.years.timer === null) $("#play").textContent = i18n.t("years.play");
    if (this.selected) await this.select(this.selected);
    else if (!this.panel.root.querySelector(".node-head")) this.panel.reset();
    this.counts();
    this.save();
  }

  // --- start -----------------------------------------------------------------------------

  async start() {
    const state = urlstate.read();
    this.busy(1);
    try {
      await i18n.load(state.lang);
      this.panel.reset();
      const [years] = await Promise.all([api.reportYears(), this.loadCities(),
        this.loadVocabulary()]);
      this.years.setYears(years, state.range);
      this.graph.hideOutside = !state.fade;
      $("#year-hide").checked = !state.fade;
      for (const cls of state.hidden) this.graph.hiddenClasses.add(cls);
      await this.restore(state);
      this.graph.setRange(...this.years.range());
      this.counts();
      if (state.selected && this.cy.getElementById(state.selected).nonempty()) {
        await this.select(state.selected);
      }
      this.save();
    } catch (error) {
      this.status(i18n.t("status.error", {m: error.message}), true);
      console.warn(error);
    } finally {
      this.busy(-1);
      document.body.dataset.ready = "true";
    }
  }

  async restore(state) {
    if (state.view) {
      if (state.a) $("#city-a").value = state.a;
      if (state.b) $("#city-b").value = state.b;
      await this.showView(state.view, state.a || state.b ? [state.a, state.b] : null);
    } else if (state.seeds.length) {
      const infos = await Promise.all(state.seeds.map((iri) => api.node(iri).catch(() => null)));
      state.seeds.forEach((iri, i) => {
        if (infos[i]) this.addSeed({iri, label: infos[i].label, class: infos[i].class});
      });
    }
    if (!state.expansions.length) return;
    // replay the expansions in order, laying out once at the end
    for (const [iri, cls] of state.expansions) {
      if (this.cy.getElementById(iri).nonempty()) {
        await this.expandNow(iri, cls ?? "", {layout: false});
      }
    }
    await this.graph.layoutAll();
  }
}

const app = new App();
window.explorer = {app, cy: app.cy, csv: () => exporting.csvText(app.cy)};
app.start();
