// Small DOM helpers: every piece of data text goes in through textContent, never as HTML.

/** el("li", {class: "x", dataset: {iri}}, "text", child) -> an element. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export const $ = (selector) => document.querySelector(selector);

/** The sentence as text nodes with the code points [start, end) inside <mark>. */
export function highlighted(sentence, start, end) {
  const chars = Array.from(sentence ?? "");  // offsets count code points, as Python does
  if (!(Number.isInteger(start) && Number.isInteger(end) && start >= 0 && end > start &&
        end <= chars.length)) {
    return el("q", {class: "sentence"}, sentence ?? "");
  }
  return el("q", {class: "sentence"}, chars.slice(0, start).join(""),
            el("mark", {}, chars.slice(start, end).join("")), chars.slice(end).join(""));
}

/** Start a download of blob under filename. */
export function download(blob, filename) {
  const url = URL.createObjectURL(blob);
  const a = el("a", {href: url, download: filename, hidden: true});
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
