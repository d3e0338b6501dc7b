// The views one click away: each returns {nodes, edges, positions?} for the canvas.

import * as api from "./api.js";
import {t} from "./i18n.js";

export async function recurring(limit = 50) {
  const answer = await api.recurring(limit);
  return {nodes: answer.nodes ?? [], edges: answer.edges ?? []};
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
  let angle = 0;
  for (const [, group] of groups) {
    const entities = [...group.entities].sort((a, b) => (b.facts ?? 0) - (a.facts ?? 0));
    const span = (2 * Math.PI * entities.length) / Math.max(1, total);
    const perRing = Math.max(1, Math.round(span * 2.2));  // nodes per ring at the first radius
    entities.forEach((e, i) => {
      if (positions.has(e.iri)) return;
      const ring = Math.floor(i / perRing), k = i % perRing;
      const inRing = Math.min(perRing, entities.length - ring * perRing);
      const a = angle + span * ((k + 0.5) / inRing);
      const r = 230 + ring * 85;
      positions.set(e.iri, {x: r * Math.cos(a), y: r * Math.sin(a)});
      nodes.push({iri: e.iri, label: e.label, class: e.class});
      edges.push({source: city, target: e.iri, predicate: "https://w3id.org/gov-kg/ontology#mentions",
        label: `${e.facts ?? ""}`, years: e.years ?? [], facts: []});
    });
    angle += span;
  }
  return {nodes, edges, positions, seeds: [city], select: city};
}

/** Two cities with the entities both name between them and each one's own on its side. */
export async function compare(a, b, labels) {
  const answer = await api.compare(a, b);
  const nodes = [{iri: a, label: labels.get(a) ?? a, class: "City"},
                 {iri: b, label: labels.get(b) ?? b, class: "City"}];
  const edges = [];
  const positions = new Map([[a, {x: -520, y: 0}], [b, {x: 520, y: 0}]]);
  const column = (items, x0, link) => {
    const cols = Math.max(1, Math.ceil(Math.sqrt(items.length / 3)));
    const rows = Math.ceil(items.length / cols);
    items.forEach((item, i) => {
      if (positions.has(item.iri)) return;
      nodes.push({iri: item.iri, label: item.label, class: item.class});
      const c = Math.floor(i / rows), r = i % rows;
      positions.set(item.iri, {x: x0 + (c - (cols - 1) / 2) * 150, y: (r - (rows - 1) / 2) * 56});
      for (const city of link) {
        edges.push({source: city, target: item.iri, predicate: "mentions",
          label: t("view.shared"), years: item.years ?? [], facts: []});
      }
    });
  };
  const shared = answer.shared ?? [], onlyA = answer.onlyA ?? [], onlyB = answer.onlyB ?? [];
  column(shared, 0, [a, b]);
  column(onlyA, -900, [a]);
  column(onlyB, 900, [b]);
  return {nodes, edges, positions, seeds: [a, b], groups: {shared, onlyA, onlyB}};
}

/** Cities placed by longitude and latitude (x = lon, y = −lat, scaled; no tiles). */
export async function map() {
  const points = (await api.map()).filter((p) => Number.isFinite(p.lon) && Number.isFinite(p.lat));
  const meanLat = points.reduce((s, p) => s + p.lat, 0) / Math.max(1, points.length);
  const k = 120, cos = Math.cos((meanLat * Math.PI) / 180);
  const positions = new Map(points.map((p) => [p.iri, {x: p.lon * k * cos, y: -p.lat * k}]));
  const nodes = points.map((p) => ({iri: p.iri, label: p.label, class: "City", reports: p.reports}));
  return {nodes, edges: [], positions, preset: true};
}
