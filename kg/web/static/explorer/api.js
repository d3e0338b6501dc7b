// The JSON API (kg.web.api); every call answers JSON or throws an Error with the server's message.

async function get(path, params = {}) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== "") query.set(key, value);
  }
  const response = await fetch(`${path}?${query}`, {headers: {Accept: "application/json"}});
  let body;
  try {
    body = await response.json();
  } catch {
    throw new Error(`${path}: ${response.status} ${response.statusText}`);
  }
  if (!response.ok) throw new Error(body?.error ?? `${path}: ${response.status}`);
  return body;
}

export const search = (q, cls, limit = 20) => get("/api/search", {q, class: cls, limit});
export const node = (iri) => get("/api/node", {iri});
export const neighbours = (iri, {cls, limit = 25, offset = 0, from, to} = {}) =>
  get("/api/neighbours", {iri, class: cls, limit, offset, from, to});
export const factProvenance = (fact) => get("/api/provenance", {fact});
/** The facts linking iri and city; without city every city's, newest first, a page of limit. */
export const provenance = (iri, {city, from, to, limit, offset} = {}) =>
  get("/api/provenance", {iri, city, from, to, limit, offset});
export const series = (city) => get("/api/series", {city});
export const vocabulary = () => get("/api/vocabulary");
export const recurring = (limit = 50) => get("/api/views/recurring", {limit});
export const cityView = (iri) => get("/api/views/city", {iri});
export const compare = (a, b) => get("/api/views/compare", {a, b});
export const map = () => get("/api/views/map");

/** The report years of the store, from the `reports` named query. */
export async function reportYears() {
  const response = await fetch("/queries/reports", {
    headers: {Accept: "application/sparql-results+json"}});
  if (!response.ok) return [];
  const body = await response.json();
  const years = new Set();
  for (const row of body.results?.bindings ?? []) {
    const year = parseInt(row.reportYear?.value, 10);
    if (Number.isInteger(year)) years.add(year);
  }
  return [...years].sort((a, b) => a - b);
}
