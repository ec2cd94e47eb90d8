// Same-origin calls to the public API; problems (application/problem+json) become ApiError.

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || (status ? `The service answered ${status}` : "Could not reach the service. Check the connection and try again."));
    this.status = status;
    this.problem = problem || {};
    // The API names each field error's text `reason`; older documents said `message`.
    this.errors = (problem?.errors || []).map((e) => ({ field: e.field, message: (e.reason ?? e.message ?? "is not valid").replace(/\s*\(see [A-Z]+ \/[^)]*\)/, ""), suggestions: e.suggestions || [] }));
  }
}

/** Resolves to {data, res}; throws ApiError for any answer that is not 2xx. */
export async function api(path, { method = "GET", body, key, headers = {}, signal } = {}) {
  const h = { accept: "application/json", ...headers };
  if (body !== undefined) h["content-type"] = "application/json";
  if (key) h.authorization = `Bearer ${key}`;
  let res;
  try {
    res = await fetch(path, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body), signal, cache: "no-store" });
  } catch (e) {
    if (e.name === "AbortError") throw e;
    throw new ApiError(0, null);
  }
  const type = res.headers.get("content-type") || "";
  const data = type.includes("json") ? await res.json().catch(() => null) : null;
  if (!res.ok) throw new ApiError(res.status, data);
  return { data, res };
}

export const get = async (path, opts) => (await api(path, opts)).data;

// Listings seen in this page, so moving back and forth does not fetch them again.
const assets = new Map();
export const remember = (a) => { if (a?.id) assets.set(a.id, a); return a; };
export const forget = (id) => assets.delete(id);
export async function getAsset(id, { fresh = false } = {}) {
  if (!fresh && assets.has(id)) return assets.get(id);
  const { data, res } = await api(`/v1/assets/${encodeURIComponent(id)}`);
  data.etag = res.headers.get("etag");
  return remember(data);
}

