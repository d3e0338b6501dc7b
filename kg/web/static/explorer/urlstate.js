// The view in the URL (query parameters, replaced as the view changes, read on load), so a
// view is shared by link: view, cities, seeds, expansions, selection, years, hidden classes,
// language.

export function read() {
  const p = new URLSearchParams(location.search);
  const list = (name) => (p.get(name) ? p.get(name).split("|").filter(Boolean) : []);
  let expansions = [];
  try {
    expansions = JSON.parse(p.get("x") ?? "[]").filter((e) => Array.isArray(e) && typeof e[0] === "string");
  } catch {
    expansions = [];
  }
  const from = parseInt(p.get("from"), 10), to = parseInt(p.get("to"), 10);
  return {
    lang: p.get("lang") ?? "zh",
    view: p.get("view"),
    a: p.get("a"),
    b: p.get("b"),
    seeds: list("seeds"),
    expansions,
    selected: p.get("node"),
    range: Number.isInteger(from) && Number.isInteger(to) ? [from, to] : null,
    hidden: list("hide"),
    fade: p.get("fade") === "1",
  };
}

export function write(state) {
  const p = new URLSearchParams();
  if (state.lang && state.lang !== "zh") p.set("lang", state.lang);
  if (state.view) p.set("view", state.view);
  if (state.a) p.set("a", state.a);
  if (state.b) p.set("b", state.b);
  if (state.seeds?.length) p.set("seeds", state.seeds.join("|"));
  if (state.expansions?.length) p.set("x", JSON.stringify(state.expansions));
  if (state.selected) p.set("node", state.selected);
  if (state.range) {
    p.set("from", state.range[0]);
    p.set("to", state.range[1]);
  }
  if (state.hidden?.length) p.set("hide", state.hidden.join("|"));
  if (state.fade) p.set("fade", "1");
  const query = p.toString();
  history.replaceState(null, "", query ? `?${query}` : location.pathname);
}
