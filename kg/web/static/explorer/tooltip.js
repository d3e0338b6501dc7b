// A hover card on a node: its class and the counts of its neighbours by class (from
// /api/node, fetched once per node), so one sees what an expansion would bring.

import * as api from "./api.js";
import {el} from "./dom.js";
import {className, t} from "./i18n.js";
import {classOf} from "./graph.js";

export class Tooltip {
  constructor(cy, box) {
    this.cy = cy;
    this.box = box;
    this.cache = new Map();
    this.current = null;
    cy.on("mouseover", "node[^header]", (e) => this.show(e.target));
    cy.on("mouseout", "node", () => this.hide());
    cy.on("viewport drag tapstart", () => this.hide());
  }

  async show(node) {
    const iri = node.id();
    this.current = iri;
    let info = this.cache.get(iri);
    if (!info) {
      try {
        info = await api.node(iri);
      } catch {
        return;
      }
      this.cache.set(iri, info);
    }
    if (this.current !== iri || node.removed()) return;
    const counts = Object.entries(info.neighbours ?? {}).filter(([, n]) => n > 0)
      .sort((a, b) => b[1] - a[1]);
    this.box.replaceChildren(
      el("strong", {}, info.label ?? iri), " ", el("span", {class: "badge"}, className(info.class)),
      info.reports ? el("div", {class: "tip-reports"}, t("panel.reports", {n: info.reports})) : null,
      el("ul", {}, counts.map(([cls, n]) => el("li", {},
        el("span", {class: `swatch swatch-${classOf(cls)}`}), `${className(cls)} ${n}`))));
    const p = node.renderedPosition();
    // positions through the CSSOM, which the page's CSP allows (style attributes it does not)
    this.box.style.left = `${Math.round(p.x + 14)}px`;
    this.box.style.top = `${Math.round(p.y + 14)}px`;
    this.box.hidden = false;
  }

  hide() {
    this.current = null;
    this.box.hidden = true;
  }
}
