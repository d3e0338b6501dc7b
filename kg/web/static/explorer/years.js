// The year range: two range inputs over the store's report years, and playback that moves the
// end of the range one report year at a time.

import {t} from "./i18n.js";

export class Years {
  constructor({from, to, out, play, hide}, onChange) {
    Object.assign(this, {fromInput: from, toInput: to, out, playButton: play, hideBox: hide});
    this.onChange = onChange;
    this.years = [];
    this.timer = null;
    const changed = (which) => {
      let a = Number(this.fromInput.value), b = Number(this.toInput.value);
      if (a > b) {
        if (which === "from") this.toInput.value = b = a; else this.fromInput.value = a = b;
      }
      this.update();
    };
    from.addEventListener("input", () => changed("from"));
    to.addEventListener("input", () => changed("to"));
    play.addEventListener("click", () => (this.timer ? this.stop() : this.play()));
    hide.addEventListener("change", () => this.update());
  }

  /** Set the report years (sorted), keeping a range given by the URL if there is one. */
  setYears(years, range = null) {
    this.years = years.length ? years : [new Date().getFullYear()];
    const lo = this.years[0], hi = this.years[this.years.length - 1];
    for (const input of [this.fromInput, this.toInput]) {
      input.min = lo;
      input.max = hi;
    }
    this.fromInput.value = range ? Math.max(lo, Math.min(hi, range[0])) : lo;
    this.toInput.value = range ? Math.max(lo, Math.min(hi, range[1])) : hi;
    this.update(false);
  }

  range() {
    return [Number(this.fromInput.value), Number(this.toInput.value)];
  }

  /** The whole span of years: no filter in effect. */
  isFull() {
    const [a, b] = this.range();
    return a <= this.years[0] && b >= this.years[this.years.length - 1];
  }

  set(from, to) {
    this.fromInput.value = from;
    this.toInput.value = to;
    this.update();
  }

  update(notify = true) {
    const [a, b] = this.range();
    this.out.textContent = a === b ? `${a}` : `${a}–${b}`;
    if (notify) this.onChange(a, b, this.hideBox.checked);
  }

  play() {
    const [from] = this.range();
    const steps = this.years.filter((y) => y >= from);
    if (!steps.length) return;
    let i = 0;
    this.toInput.value = steps[0];
    this.update();
    this.playButton.textContent = t("years.pause");
    this.playButton.classList.add("playing");
    this.timer = setInterval(() => {
      i += 1;
      if (i >= steps.length) { this.stop(); return; }
      this.toInput.value = steps[i];
      this.update();
    }, 1200);
  }

  stop() {
    clearInterval(this.timer);
    this.timer = null;
    this.playButton.textContent = t("years.play");
    this.playButton.classList.remove("playing");
  }
}
