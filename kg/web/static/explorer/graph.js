// The cytoscape canvas: styles by class, batched adds, a layout that keeps placed nodes still,
// class and year filters.

export const CLASSES = {
  City: {color: "#c0392b", shape: "ellipse", size: 46},
  County: {color: "#e67e22", shape: "ellipse", size: 30},
  Project: {color: "#2471a3", shape: "diamond", size: 38},
  Policy: {color: "#229954", shape: "hexagon", size: 38},
  IndustryChain: {color: "#7d3c98", shape: "triangle", size: 38},
  Indicator: {color: "#9c640c", shape: "round-rectangle", size: 34},
  Province: {color: "#7f8c8d", shape: "octagon", size: 40},
  Report: {color: "#566573", shape: "rectangle", size: 30},
  Other: {color: "#95a5a6", shape: "ellipse", size: 26},
};
export const FONT = '"WenQuanYi Micro Hei", "Noto Sans CJK SC", "Microsoft YaHei", sans-serif';

let fcose = null;
/** Whether the fcose layout is registered (the UMD build registers itself when it can). */
function fcoseReady() {
  if (fcose === null) {
    fcose = Boolean(window.cytoscape("layout", "fcose"));
    if (!fcose && typeof window.cytoscapeFcose === "function") {
      window.cytoscape.use(window.cytoscapeFcose);
      fcose = Boolean(window.cytoscape("layout", "fcose"));
    }
  }
  return fcose;
}

function style() {
  const rules = [
    {selector: "node", style: {
      label: "data(label)", "font-family": FONT, "font-size": 13, color: "#222",
      "text-valign": "bottom", "text-margin-y": 4, "text-outline-color": "#fff",
      "text-outline-width": 2, "background-color": CLASSES.Other.color,
      width: CLASSES.Other.size, height: CLASSES.Other.size, "border-width": 0,
      "min-zoomed-font-size": 7}},
    {selector: "edge", style: {
      width: 1.5, "line-color": "#9aa7b0", "target-arrow-color": "#9aa7b0",
      "target-arrow-shape": "triangle", "arrow-scale": 0.8, "curve-style": "straight",
      opacity: 0.85}},
    {selector: "edge.labelled, edge:selected", style: {
      label: "data(label)", "font-family": FONT, "font-size": 10, color: "#555",
      "text-rotation": "autorotate", "text-background-color": "#fff",
      "text-background-opacity": 0.8, "text-background-padding": 1}},
    {selector: "node:selected", style: {"border-width": 4, "border-color": "#f1c40f"}},
    {selector: "edge:selected", style: {width: 4, "line-color": "#f1c40f",
      "target-arrow-color": "#f1c40f", opacity: 1}},
    {selector: "node.seed", style: {"border-width": 3, "border-color": "#34495e"}},
    {selector: ".faded", style: {opacity: 0.15}},
    {selector: ".out-of-range", style: {display: "none"}},
    {selector: ".class-hidden", style: {display: "none"}},
    {selector: "node.map[size]", style: {width: "data(size)", height: "data(size)",
      "font-size": "data(font)", "text-outline-width": "mapData(font, 0, 100, 1, 8)"}},
    {selector: "node.header", style: {"background-opacity": 0, width: 1, height: 1,
      "font-size": 56, "font-weight": "bold", color: "#1a5276", "text-valign": "center",
      "text-margin-y": 0, events: "no", "min-zoomed-font-size": 0}},
    {selector: "node.seed", style: {"min-zoomed-font-size": 0, "font-weight": "bold"}},
    {selector: "node.seed.view", style: {width: 120, height: 120, "font-size": 52,
      "text-outline-width": 4}},
  ];
  for (const [name, c] of Object.entries(CLASSES)) {
    rules.splice(2, 0, {selector: `node[class = "${name}"]`, style: {
      "background-color": c.color, shape: c.shape, width: c.size, height: c.size}});
  }
  return rules;
}

export function classOf(name) {
  return CLASSES[name] ? name : "Other";
}

export class Graph {
  constructor(container, handlers) {
    fcoseReady();
    this.cy = window.cytoscape({
      container, style: style(), minZoom: 0.05, maxZoom: 4,
      textureOnViewport: false, hideEdgesOnViewport: false, pixelRatio: 1,
    });
    this.handlers = handlers;
    this.range = null;        // [from, to] or null
    this.hideOutside = true;  // hide (true) or fade (false) facts outside the range
    this.hiddenClasses = new Set();
    this.labelFor = (predicate, fallback) => fallback;  // the interface language's name of a link
    const cy = this.cy;
    cy.on("tap", "node[^header]", (e) => handlers.selectNode(e.target.id()));
    cy.on("tap", "edge", (e) => handlers.selectEdge(e.target.id()));
    cy.on("dbltap", "node[^header]", (e) => handlers.expand(e.target.id()));
    cy.on("tap", (e) => { if (e.target === cy) handlers.selectNothing(); });
    cy.on("mouseover", "edge", (e) => e.target.addClass("labelled"));
    cy.on("mouseout", "edge", (e) => e.target.removeClass("labelled"));
  }

  get size() { return this.cy.nodes().not(".header").length; }

  clear() {
    this.cy.elements().remove();
  }

  /** Add nodes [{iri,label,class}] and edges [{source,target,predicate,label,years,facts}] in
   * one batch; new nodes start around `around` (a node id) or on a circle; returns the new
   * nodes. Existing elements are left where they are. */
  add(nodes, edges, {around = null, positions = null, classes = ""} = {}) {
    const cy = this.cy;
    const fresh = [];
    cy.batch(() => {
      for (const n of nodes) {
        if (!n?.iri || cy.getElementById(n.iri).nonempty()) continue;
        fresh.push({group: "nodes", data: {id: n.iri, label: n.label ?? n.iri, class: classOf(n.class),
          rdfClass: n.class ?? "", reports: n.reports ?? null,
          ...(n.size ? {size: n.size, font: n.font} : {})}, classes,
          position: positions?.get(n.iri) ?? {x: 0, y: 0}});
      }
      const added = cy.add(fresh);
      this.placeAround(positions ? added.filter((n) => !positions.has(n.id())) : added, around);
      const edgeEls = [];
      let merged = cy.collection();
      for (const e of edges) {
        const id = edgeId(e);
        if (cy.getElementById(id).nonempty()) {
          mergeEdge(cy.getElementById(id), e);
          merged = merged.union(cy.getElementById(id));
          continue;
        }
        if (cy.getElementById(e.source).empty() || cy.getElementById(e.target).empty()) continue;
        edgeEls.push({group: "edges", data: {id, source: e.source, target: e.target,
          predicate: e.predicate ?? "", label: this.labelFor(e.predicate, e.label ?? ""),
          apiLabel: e.label ?? "", years: e.years ?? [],
          facts: e.facts ?? []}});
      }
      const addedEdges = cy.add(edgeEls);
      this.applyFilters(added.union(addedEdges).union(merged));
    });
    return cy.collection(fresh.map((n) => cy.getElementById(n.data.id)));
  }

  /** Initial positions: on rings around `around`, facing away from the rest of the graph. */
  placeAround(added, around) {
    if (added.empty()) return;
    const centre = around ? this.cy.getElementById(around) : null;
    const c = centre?.nonempty() ? centre.position() : {x: 0, y: 0};
    const others = this.cy.nodes().difference(added).difference(centre ?? this.cy.collection());
    let away = 0;
    let spread = 2 * Math.PI;
    if (centre?.nonempty() && others.nonempty()) {
      const bb = others.boundingBox();
      const mx = (bb.x1 + bb.x2) / 2, my = (bb.y1 + bb.y2) / 2;
      away = Math.atan2(c.y - my, c.x - mx);
      spread = Math.PI * 1.4;
    }
    let r0 = 140;
    if (centre?.nonempty()) {
      centre.neighborhood().nodes().difference(added).forEach((n) => {
        r0 = Math.max(r0, Math.hypot(n.position("x") - c.x, n.position("y") - c.y) + 80);
      });
    }
    const perRing = 16;
    added.forEach((n, i) => {
      const ring = Math.floor(i / perRing);
      const inRing = Math.min(perRing, added.length - ring * perRing);
      const k = i % perRing;
      const angle = away - spread / 2 + spread * (inRing === 1 ? 0.5 : k / Math.max(1, inRing - (spread < 6 ? 1 : 0)));
      const r = r0 + ring * 90;
      n.position({x: c.x + r * Math.cos(angle), y: c.y + r * Math.sin(angle)});
    });
  }

  /** Rename every link in the interface language (after a switch). */
  relabel() {
    this.cy.batch(() => this.cy.edges().forEach((e) => {
      e.data("label", this.labelFor(e.data("predicate"), e.data("apiLabel")));
    }));
  }

  /** Headings placed on the canvas (not data: no class, not selectable, not exported). */
  addHeaders(headers) {
    this.cy.add(headers.map((h) => ({group: "nodes", data: {id: h.id, label: h.label, header: true},
      classes: "header", position: h.position, selectable: false, grabbable: false})));
  }

  /** Lay out only `fresh`: the anchor and the placed nodes near it take part as fixed
   * nodes (so the new ones keep clear of them) and nothing placed moves. */
  layoutNew(fresh, anchor) {
    if (fresh.empty()) return Promise.resolve();
    const cy = this.cy;
    const a = anchor ? cy.getElementById(anchor) : cy.collection();
    if (!fcoseReady() || a.empty()) return Promise.resolve();
    const c = a.position();
    const reach = 260 + 30 * Math.sqrt(fresh.length + a.degree());
    const distance = (n) => Math.hypot(n.position("x") - c.x, n.position("y") - c.y);
    // the nearest placed nodes only: enough to keep clear of, few enough to stay fast
    const near = cy.nodes(":visible").difference(fresh).not(".header")
      .filter((n) => distance(n) < reach).sort((m, n) => distance(m) - distance(n))
      .slice(0, 80).union(a);
    const nodes = fresh.union(near);
    const eles = nodes.union(nodes.edgesWith(nodes));
    const fixed = near.map((n) => ({nodeId: n.id(), position: {...n.position()}}));
    return this.run(eles, {randomize: false, fixedNodeConstraint: fixed, numIter: 1000,
      idealEdgeLength: 120, nodeRepulsion: 9000, nodeSeparation: 90,
      nodeDimensionsIncludeLabels: true, fit: false, packComponents: false});
  }

  /** Lay out everything (the first graph of a view, or the re-layout button). */
  layoutAll({fit = true, fixed = null} = {}) {
    const cy = this.cy;
    const eles = cy.elements().not(".header");
    if (eles.empty()) return Promise.resolve();
    const big = eles.nodes().length > 300;
    const options = fcoseReady()
      // fcose refuses "draft" without randomize (fixed nodes): it then never stops
      ? {name: "fcose", quality: big && !fixed ? "draft" : "default", randomize: true, animate: false,
        idealEdgeLength: 100, nodeRepulsion: 6000, numIter: big ? 600 : 2500, fit,
        padding: 30, nodeDimensionsIncludeLabels: !big, packComponents: !fixed,
        ...(fixed ? {randomize: false, fixedNodeConstraint: fixed} : {})}
      : {name: "concentric", fit, padding: 30, animate: false};
    return this.run(eles, options);
  }

  run(eles, options) {
    return new Promise((resolve) => {
      const layout = eles.layout({name: "fcose", animate: false, ...options});
      layout.one("layoutstop", () => resolve());
      try {
        layout.run();
      } catch (error) {  // a layout that cannot run leaves the nodes where they are
        console.warn("layout failed:", error);
        resolve();
      }
    });
  }

  fit() { this.cy.fit(this.cy.elements(":visible"), 40); }

  /** Hide (or fade) the edges whose facts all fall outside [from, to]. */
  setRange(from, to) {
    this.range = [from, to];
    this.cy.batch(() => this.applyFilters());
  }

  setClassHidden(cls, hidden) {
    if (hidden) this.hiddenClasses.add(cls); else this.hiddenClasses.delete(cls);
    this.cy.batch(() => this.applyFilters());
  }

  /** Mark what the class and year filters hide, over `scope` (default: everything; after an
   * add, only the new elements and the nodes they touch). */
  applyFilters(scope = null) {
    const cy = this.cy;
    const [from, to] = this.range ?? [-Infinity, Infinity];
    const outClass = this.hideOutside ? "out-of-range" : "faded";
    const edges = scope ? scope.edges() : cy.edges();
    const nodes = scope ? scope.nodes().union(edges.connectedNodes()) : cy.nodes();
    edges.removeClass("out-of-range faded");
    nodes.removeClass("faded class-hidden");
    edges.forEach((e) => {
      const years = e.data("years");
      if (years?.length && !years.some((y) => y >= from && y <= to)) e.addClass(outClass);
    });
    // a node whose every dated link is outside the range fades with them
    nodes.forEach((n) => {
      if (this.hiddenClasses.has(n.data("class"))) n.addClass("class-hidden");
      if (n.hasClass("seed")) return;
      let dated = 0, out = 0;
      for (const e of n.connectedEdges()) {
        if (!e.data("years")?.length) continue;
        dated += 1;
        if (e.hasClass(outClass)) out += 1; else break;
      }
      if (dated > 0 && dated === out) n.addClass("faded");
    });
  }

  /** Counts of nodes per class on the canvas. */
  classCounts() {
    const counts = {};
    this.cy.nodes().not(".header").forEach((n) => {
      counts[n.data("class")] = (counts[n.data("class")] ?? 0) + 1;
    });
    return counts;
  }
}

export function edgeId(e) {
  return `${e.source}|${e.predicate ?? ""}|${e.target}`;
}

function mergeEdge(edge, e) {
  const years = new Set([...(edge.data("years") ?? []), ...(e.years ?? [])]);
  const facts = new Set([...(edge.data("facts") ?? []), ...(e.facts ?? [])]);
  edge.data({years: [...years].sort(), facts: [...facts]});
}
