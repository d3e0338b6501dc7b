// The views one click away: each returns {nodes, edges, positions?} for the canvas.

import * as api from "./api.js";
import {t} from "./i18n.js";

export async function recurring(limit = 50) {
  const answer = await api.recurring(limit);
  return {nodes: answer.nodes ?? [], edges: answer.edges ?? [], ring: "City"};
}

/** A city in the middle, what its reports name around it, one sector per class, the most
 * named nearest; each link carries the years of the reports that name it. */
export async function cityProfile(city) {
  const answer = await api.cityView(city);
  const nodes = [{iri: city, label: answer.label ?? city, class: "City"}];
  const edges = [];
  const positions = new Map([[city, {x: 0, y: 0}]]);
  const groups = Object.entries(answer.classes ?? {}).filter(([, g]) => g.entities?.length);
  const total = groups.reduce((n, [, g]) => n + g.entities.length, 0);
  const gap = 0.06;  // radians between two classes' sectors
  const free = 2 * Math.PI - gap * groups.length;
  // each class's share of the circle, at least a narrow sector, scaled back to fit
  const shares = groups.map(([, g]) => Math.max(0.25, (free * g.entities.length) / Math.max(1, total)));
  const scale = free / shares.reduce((a, b) => a + b, 0);
  let angle = -Math.PI / 2;
  for (const [index, [, group]] of groups.entries()) {
    const entities = [...group.entities].sort((a, b) => (b.facts ?? 0) - (a.facts ?? 0));
    const span = shares[index] * scale;
    // fill the sector arc by arc outwards, 46 px apart along each arc: most named nearest
    let r = 200, k = 0, perArc = Math.max(1, Math.floor((r * span) / 46));
    for (const e of entities) {
      if (positions.has(e.iri)) continue;
      if (k >= perArc) {
        r += 52;
        k = 0;
        perArc = Math.max(1, Math.floor((r * span) / 46));
      }
      const a = angle + span * ((k + 0.5) / perArc);
      k += 1;
      positions.set(e.iri, {x: r * Math.cos(a), y: r * Math.sin(a)});
      nodes.push({iri: e.iri, label: e.label, class: e.class});
      edges.push({source: city, target: e.iri, predicate: "https://w3id.org/gov-kg/ontology#mentions",
        label: `${e.facts ?? ""}`, years: e.years ?? [], facts: []});
    }
    angle += span + gap;
  }
  return {nodes, edges, positions, seeds: [city], select: city};
}

/** Two cities with the entities both name between them and each one's own on its outer
 * side, in blocks of columns under a heading. */
export async function compare(a, b, labels) {
  const answer = await api.compare(a, b);
  const la = labels.get(a) ?? a, lb = labels.get(b) ?? b;
  const nodes = [{iri: a, label: la, class: "City"}, {iri: b, label: lb, class: "City"}];
  const edges = [];
  const positions = new Map();
  const headers = [];
  const colW = 120, rowH = 42, margin = 170;
  const shape = (n) => {
    const cols = Math.max(1, Math.ceil(Math.sqrt(n / 3)));
    return {cols, rows: Math.max(1, Math.ceil(n / cols)), width: cols * colW};
  };
  const block = (items, left, link, title) => {
    const {cols, rows} = shape(items.length);
    const top = -((rows - 1) * rowH) / 2;
    headers.push({id: `header:${title}`, label: `${title}（${items.length}）`,
      position: {x: left + ((cols - 1) * colW) / 2, y: top - 60}});
    items.forEach((item, i) => {
      if (positions.has(item.iri)) return;
      nodes.push({iri: item.iri, label: item.label, class: item.class});
      positions.set(item.iri, {x: left + Math.floor(i / rows) * colW, y: top + (i % rows) * rowH});
      for (const city of link) {
        edges.push({source: city, target: item.iri, predicate: "https://w3id.org/gov-kg/ontology#mentions",
          label: "", years: item.years ?? [], facts: []});
      }
    });
  };
  const shared = answer.shared ?? [], onlyA = answer.onlyA ?? [], onlyB = answer.onlyB ?? [];
  const s = shape(shared.length), sa = shape(onlyA.length);
  const ax = -s.width / 2 - margin, bx = s.width / 2 + margin;
  positions.set(a, {x: ax, y: 0});
  positions.set(b, {x: bx, y: 0});
  block(shared, -s.width / 2 + colW / 2, [a, b], t("view.shared"));
  block(onlyA, ax - margin - sa.width + colW / 2, [a], t("view.onlyA", {c: la}));
  block(onlyB, bx + margin + colW / 2, [b], t("view.onlyA", {c: lb}));
  return {nodes, edges, positions, headers, seeds: [a, b], groups: {shared, onlyA, onlyB}};
}

/** Cities placed by longitude and latitude (x = lon·cos(mean lat), y = −lat, scaled; no
 * tiles); sizes and fonts are in proportion to the extent, so the fitted map stays readable. */
export async function map() {
  const points = (await api.map()).filter((p) => Number.isFinite(p.lon) && Number.isFinite(p.lat));
  const meanLat = points.reduce((s, p) => s + p.lat, 0) / Math.max(1, points.length);
  const k = 100, cos = Math.cos((meanLat * Math.PI) / 180);
  const xy = (p) => ({x: p.lon * k * cos, y: -p.lat * k});
  const xs = points.map((p) => xy(p).x), ys = points.map((p) => xy(p).y);
  const extent = Math.max(200, Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys));
  const most = Math.max(1, ...points.map((p) => p.reports ?? 0));
  const positions = new Map(points.map((p) => [p.iri, xy(p)]));
  const nodes = points.map((p) => ({iri: p.iri, label: p.label, class: "City", reports: p.reports,
    size: (extent / 70) * (0.6 + Math.sqrt((p.reports ?? 0) / most)), font: extent / 55}));
  return {nodes, edges: [], positions, preset: true};
}
