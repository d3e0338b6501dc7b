// Interface strings from static/i18n/<lang>.json; Chinese by default.

const BASE = new URL("../i18n/", import.meta.url);
export const LANGS = ["zh", "en"];
let strings = {};
let current = "zh";

export async function load(lang) {
  current = LANGS.includes(lang) ? lang : "zh";
  const response = await fetch(new URL(`${current}.json`, BASE));
  strings = await response.json();
  document.documentElement.lang = current;
  apply(document);
  return current;
}

export const lang = () => current;

/** The string for key with {name} placeholders filled from params. */
export function t(key, params = {}) {
  const text = strings[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(params[name] ?? ""));
}

/** The localised name of an ontology class (unknown classes keep their name). */
export function className(cls) {
  return strings[`class.${cls}`] ?? cls ?? t("class.Other");
}

/** Fill data-i18n (text), data-i18n-placeholder and data-i18n-title under root. */
export function apply(root) {
  for (const node of root.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  for (const node of root.querySelectorAll("[data-i18n-placeholder]")) {
    node.placeholder = t(node.dataset.i18nPlaceholder);
  }
  for (const node of root.querySelectorAll("[data-i18n-title]")) node.title = t(node.dataset.i18nTitle);
  document.title = t("title");
  const button = document.getElementById("lang");
  if (button) {
    button.textContent = t("lang.switch");
    button.lang = current === "zh" ? "en" : "zh";
  }
}
