// Type-ahead search over labels and altLabels, scoped by class.

import * as api from "./api.js";
import {el} from "./dom.js";
import {className, t} from "./i18n.js";
import {classOf} from "./graph.js";

export class Search {
  constructor({form, input, cls, list}, onChoose) {
    Object.assign(this, {form, input, cls, list, onChoose});
    this.results = [];
    this.active = -1;
    this.timer = null;
    this.seq = 0;
    input.addEventListener("input", () => this.schedule());
    cls.addEventListener("change", () => this.schedule());
    input.addEventListener("keydown", (e) => this.key(e));
    input.addEventListener("blur", () => setTimeout(() => this.close(), 200));
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      const choice = this.results[Math.max(0, this.active)];
      if (choice) this.choose(choice);
    });
  }

  schedule() {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.run(), 120);
  }

  async run() {
    const q = this.input.value.trim();
    const seq = ++this.seq;
    if (!q) { this.close(); return; }
    let answer;
    try {
      answer = await api.search(q, this.cls.value, 20);
    } catch (error) {
      answer = {results: [], error: error.message};
    }
    if (seq !== this.seq) return;
    this.results = answer.results ?? [];
    this.active = this.results.length ? 0 : -1;
    this.render(answer.error);
  }

  render(error) {
    const items = this.results.map((r, i) => el("li", {role: "option", id: `result-${i}`,
      class: i === this.active ? "active" : "", "aria-selected": String(i === this.active),
      dataset: {iri: r.iri},
      onmousedown: (e) => { e.preventDefault(); this.choose(r); }},
      el("span", {class: `swatch swatch-${classOf(r.class)}`}),
      el("span", {class: "result-label"}, r.label),
      r.matched && r.matched !== r.label ? el("span", {class: "result-matched"}, t("search.matched", {m: r.matched})) : null,
      el("span", {class: "result-class"}, className(r.class)),
      el("span", {class: "result-reports"}, t("search.reports", {n: r.reports ?? 0}))));
    if (!items.length) items.push(el("li", {class: "none"}, error ?? t("search.none")));
    this.list.replaceChildren(...items);
    this.list.hidden = false;
    this.input.setAttribute("aria-expanded", "true");
    if (this.active >= 0) this.input.setAttribute("aria-activedescendant", `result-${this.active}`);
  }

  key(e) {
    if (this.list.hidden || !this.results.length) return;
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      const n = this.results.length;
      this.active = (this.active + (e.key === "ArrowDown" ? 1 : n - 1)) % n;
      this.render();
    } else if (e.key === "Escape") {
      this.close();
    }
  }

  close() {
    this.list.hidden = true;
    this.input.setAttribute("aria-expanded", "false");
    this.input.removeAttribute("aria-activedescendant");
  }

  choose(result) {
    this.close();
    this.input.value = result.label;
    this.onChoose(result);
  }
}
