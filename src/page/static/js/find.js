// Find: search near a postcode; a numbered list beside a map. The search is in the link.
import { h, field, checkbox, announce, KIND, DAY_NAME, DAYS, priceText, distanceText, weeklyText, nextSessions, sessionText, freshness } from "./util.js";
import { api, get, remember, ApiError } from "./api.js";
import { makeMap, showResults, loadMap } from "./map.js";
import { showErrors, clearErrors } from "./forms.js";
import { planButton } from "./plan-store.js";

export const TIMES = { morning: ["06:00", "12:00", "Morning (before 12:00)"], afternoon: ["12:00", "17:00", "Afternoon (12:00 to 17:00)"], evening: ["17:00", "23:00", "Evening (after 17:00)"] };
const PAGE = 20;

export async function render(ctx) {
  const q = ctx.query;
  ctx.title("Find activities");
  const intro = h("p", { class: "lead" }, "Find groups, volunteering, courses and activities near someone. Start with their postcode.");
  const postcode = field({ id: "f-postcode", label: "Postcode", hint: "For example, M32 0JG", value: q.get("postcode") ?? "", attrs: { autocomplete: "postal-code", class: "w-postcode", spellcheck: false } });
  const interest = field({ id: "f-interest", label: "What are they interested in? (optional)", hint: "One thing, for example walking, choir or gardening", value: q.get("interest") ?? "", w: "medium" });
  const day = field({ id: "f-day", label: "Day", kind: "select", value: q.get("day") ?? "", options: [["", "Any day"], ...DAYS.map((d) => [d, DAY_NAME[d]])] });
  const time = field({ id: "f-time", label: "Time of day", kind: "select", value: q.get("time") ?? "", options: [["", "Any time"], ...Object.entries(TIMES).map(([k, v]) => [k, v[2]])] });
  const free = checkbox({ id: "f-free", label: "Free only", checked: q.get("free") === "true" });
  const step = checkbox({ id: "f-step", label: "Step-free access", checked: q.get("access") === "step_free_access" });
  const everyday = checkbox({ id: "f-everyday", label: "Only everyday places", hint: "Like libraries, sports clubs and community centres, not health or mental health settings", checked: q.get("non_stigmatised") === "true" });
  const errorBox = h("div");
  const form = h("form", { class: "search-form", novalidate: true },
    errorBox,
    h("div", { class: "row" }, postcode.wrap, interest.wrap),
    h("fieldset", h("legend", "When"), h("div", { class: "row" }, day.wrap, time.wrap)),
    h("fieldset", h("legend", "Only show"), free.wrap, step.wrap, everyday.wrap),
    h("button", { class: "button", type: "submit" }, "Search"));
  const results = h("div", { class: "results-area" });
  ctx.append(intro, form, results);

  const params = () => {
    const p = new URLSearchParams();
    if (postcode.input.value.trim()) p.set("postcode", postcode.input.value.trim());
    if (interest.input.value.trim()) p.set("interest", interest.input.value.trim());
    if (free.input.checked) p.set("free", "true");
    if (day.input.value) p.set("day", day.input.value);
    if (time.input.value) p.set("time", time.input.value);
    if (step.input.checked) p.set("access", "step_free_access");
    if (everyday.input.checked) p.set("non_stigmatised", "true");
    return p;
  };

  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const p = params();
    const hash = `#/find?${p}`;
    if (location.hash !== hash) history.pushState(null, "", hash);
    search(p);
  });

  async function search(p, limit = PAGE, focusAt) {
    clearErrors(form, errorBox);
    if (!p.get("postcode")) {
      showErrors(form, errorBox, [{ field: "postcode", message: "Enter a postcode, for example M32 0JG" }], { prefix: "f-" });
      return;
    }
    results.replaceChildren(h("p", { class: "loading" }, "Searching…"));
    loadMap();
    const apiQuery = new URLSearchParams(p);
    apiQuery.delete("time");
    // Free text: read it the way matching does, then search for the topic (or for the words).
    const words = p.get("interest");
    let note = "";
    if (words) {
      try {
        const u = (await get("/v1/interests/understand", { method: "POST", body: { phrases: [words] } })).interests[0];
        if (u.term) {
          apiQuery.set("interest", u.term.slug);
          if (u.resolution !== "exact") note = `Showing ${u.term.label} for “${words}”.`;
        } else {
          apiQuery.delete("interest");
          apiQuery.set("q", words);
          note = `No topic matches “${words}”, so we looked for the words.`;
        }
      } catch { /* the search reads it itself */ }
      if (!ctx.alive()) return;
    }
    const t = TIMES[p.get("time")];
    if (t) { apiQuery.set("from", t[0]); apiQuery.set("to", t[1]); }
    apiQuery.set("limit", String(limit));
    try {
      const { data } = await api(`/v1/assets?${apiQuery}`);
      if (!ctx.alive()) return;
      await showResults_(data, p, limit, note);
      if (focusAt) results.querySelectorAll(".results h3 a")[focusAt]?.focus();
    } catch (e) {
      if (!ctx.alive()) return;
      results.replaceChildren();
      if (e instanceof ApiError && e.errors.length) {
        showErrors(form, errorBox, e.errors, { prefix: "f-" });
      } else {
        results.append(h("div", { class: "notice notice-error", role: "alert" }, e.message));
        announce(e.message);
      }
    }
  }

  async function showResults_(data, p, limit, note) {
    const items = data.items.map(remember);
    const where = data.location?.postcode || p.get("postcode");
    const more = data.next_cursor && limit < 100;
    const heading = h("h2", { id: "results-heading" }, items.length ? `${items.length}${more ? "+" : ""} ${items.length === 1 ? "activity" : "activities"} near ${where}` : `Nothing found near ${where}`);
    const list = h("ol", { class: "results" }, items.map((a, i) => resultItem(a, i + 1)));
    const mapEl = h("div", { class: "map", id: "results-map" });
    results.replaceChildren(h("section", { "aria-labelledby": "results-heading" }, heading, note && h("p", { class: "hint" }, note),
      items.length ? h("div", { class: "results-layout" },
        h("div", list, more && h("button", { class: "button secondary", type: "button", on: { click: () => search(p, limit + PAGE, limit) } }, "Show more")),
        h("div", { class: "map-wrap" }, mapEl, h("p", { class: "hint" }, "The list has everything on the map. Grey circles are other listings.")))
        : h("p", "Try a wider search: remove a filter or try another interest. Match together also looks at related topics.")));
    if (!items.length) return announce(`${heading.textContent}. ${note}`);
    const markers = items.filter((a) => a.venue?.location).map((a) => ({ n: items.indexOf(a) + 1, lat: a.venue.location.lat, lon: a.venue.location.lon, title: a.title, href: `#/listing/${a.id}`, extra: distanceText(a.distance_km) }));
    showResults(await makeMap(mapEl, { label: "Map of these results. The list before it has the same results." }), markers, data.location);
    announce(`${heading.textContent}. ${note}`);
  }

  if (q.get("postcode")) await search(params());
}

export function resultItem(a, n) {
  const next = nextSessions(a.schedule, 1)[0];
  const times = weeklyText(a.schedule?.weekly);
  return h("li", { class: "result" },
    h("span", { class: "num", "aria-hidden": "true" }, String(n)),
    h("div", {},
      h("h3", h("a", { href: `#/listing/${a.id}` }, a.title)),
      h("p", { class: "meta" }, `${KIND[a.kind] || a.kind} · ${a.organization?.name ?? ""}`),
      h("ul", { class: "facts" },
        a.distance_km != null && h("li", distanceText(a.distance_km)),
        h("li", times ? `When: ${times}` : next ? `Next: ${sessionText(next)}` : "Times not given: ask them"),
        times && next && h("li", `Next: ${sessionText(next)}`),
        h("li", `Cost: ${priceText(a.cost).replace(/^N/, "n")}`),
        a.example && h("li", "An example listing, not a real session")),
      h("p", { class: "actions" }, freshness(a), " ", planButton(a))));
}
