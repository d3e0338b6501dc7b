// Export the current view: PNG (cy.png) and one CSV of its nodes and edges.

import {download} from "./dom.js";

export function png(cy) {
  const blob = cy.png({output: "blob", bg: "#ffffff", full: true, scale: 2,
    maxWidth: 6000, maxHeight: 6000});
  download(blob, "gov-kg-view.png");
  return blob.size;
}

const cell = (value) => {
  const text = Array.isArray(value) ? value.join(" ") : String(value ?? "");
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

export function csvText(cy) {
  const rows = [["kind", "id", "label", "class", "source", "target", "predicate", "years", "facts"]];
  cy.nodes(":visible").not(".header").forEach((n) => {
    rows.push(["node", n.id(), n.data("label"), n.data("class"), "", "", "", "", ""]);
  });
  cy.edges(":visible").forEach((e) => {
    rows.push(["edge", e.id(), e.data("label"), "", e.data("source"), e.data("target"),
      e.data("predicate"), e.data("years"), e.data("facts")]);
  });
  return rows.map((r) => r.map(cell).join(",")).join("\r\n") + "\r\n";
}

export function csv(cy) {
  // the byte order mark lets spreadsheet programs read the Chinese as UTF-8
  const blob = new Blob(["\ufeff", csvText(cy)], {type: "text/csv;charset=utf-8"});
  download(blob, "gov-kg-view.csv");
  return blob.size;
}
