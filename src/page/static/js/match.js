// Match together. The person's answers stay in this page's memory: sent only in the body of
// POST /v1/match (and /v1/interests/understand), never put in a link or in storage.
import { h, field, checkbox, radios, announce, DAYS, DAY_NAME, KIND, MODE, money, weeklyText, sessionText, plural, notice } from "./util.js";
import { api, get, remember, ApiError } from "./api.js";
import { showErrors, clearErrors } from "./forms.js";
import { planButton, MAX } from "./plan-store.js";
import { ACCESS_WORDS } from "./listing.js";

const P = "m-"; // form ids follow the request's field names: m-location-postcode, m-travel-max_minutes…
const SLOTS = { morning: ["06:00", "12:00", "Morning"], afternoon: ["12:00", "17:00", "Afternoon"], evening: ["17:00", "23:00", "Evening"] };
const BARRIERS = {
  cost: "Money: what it costs", transport: "Getting there", confidence: "Confidence, or meeting new people", stigma: "Being judged or labelled",
  access: "Getting into buildings", timing: "Finding a time that suits", caring: "Caring for someone", crowds: "Big groups or crowds",
  mobility: "Walking or moving about", after_dark: "Going out after dark", new_to_area: "Being new to the area",
};
const CIRCUMSTANCES = {
  pregnant: "Pregnant", new_parent: "New parent", recent_cardiac_event: "Recent heart problem", falls_risk: "At risk of falls",
  learning_disability: "Learning disability", disabled: "Disabled", carer: "A carer", lgbtq: "LGBTQ+", dementia: "Living with dementia",
  refugee_or_asylum_seeker: "Refugee or seeking asylum", veteran: "Armed forces veteran", long_term_condition: "Long-term health condition",
};
const GROUPS = { benefits: "On benefits", students: "A student", disabled: "Disabled", carers: "A carer", unemployed: "Not in work", armed_forces: "Armed forces" };
const HOW = { exact: "", synonym: "same meaning", contained: "found in their words", spelling: "spelling corrected", semantic: "closest match: check it is right" };

let page = null; // the form and results, kept while the page is open so answers survive moving around

export async function render(ctx) {
  ctx.title("Match together");
  if (!page) page = build();
  ctx.append(page.intro, page.form, page.results);
  // The plan may have changed elsewhere: bring the buttons' words up to date.
  for (const b of page.results.querySelectorAll(".plan-btn")) b.refresh();
}

function build() {
  const intro = h("div", {},
    h("p", { class: "lead" }, "Answer these together. We suggest a short list with reasons to talk through. You choose together."),
    h("p", { class: "hint" }, "Their answers stay in this page. They are not saved on our server or put in any link."));
  const errorBox = h("div");
  const interests = field({ id: `${P}interests`, label: "What do they enjoy, or used to enjoy?", hint: "Use their own words. Put one thing on each line, or separate them with commas.", kind: "textarea" });
  const understoodList = h("ul", { class: "understood-list" });
  const understood = h("div", { class: "understood", id: "understood", hidden: true }, h("p", { class: "understood-title" }, "How we understood it:"), understoodList);
  const postcode = field({ id: `${P}location-postcode`, label: "Where do they start from?", hint: "Their postcode, for example M32 0JG", w: "postcode", attrs: { autocomplete: "off" } });
  const mode = radios({ name: `${P}travel-mode`, legend: "How do they get about?", value: "walk", options: [["walk", "Walking"], ["cycle", "Cycling"], ["public_transport", "Bus or train"], ["car", "Car or a lift"]] });
  const minutes = field({ id: `${P}travel-max_minutes`, label: "Longest journey, in minutes", type: "number", value: "30", attrs: { min: 1, max: 180, inputmode: "numeric" }, w: "short" });
  const budget = field({ id: `${P}budget-max_pence_per_session`, label: "Most they can pay each time, in pounds", hint: "Leave empty if money is not a worry. Put 0 for free things only.", attrs: { inputmode: "decimal" }, w: "short" });
  const conc = checkbox({ id: `${P}budget-concessions`, label: "They can get concessions (cheaper prices)" });
  const boxes = (name, words) => Object.entries(words).map(([k, t]) => checkbox({ id: `${P}${name}-${k}`, label: t, value: k }));
  const cols = (list) => h("div", { class: "cols" }, list.map((b) => b.wrap));
  const groups = boxes("group", GROUPS);
  const groupsSet = h("fieldset", { class: "nested", id: `${P}budget-eligible_for` }, h("legend", "Which of these apply to them?"), cols(groups));
  const slots = DAYS.map((d) => ({ d, boxes: Object.entries(SLOTS).map(([k, [, , t]]) => checkbox({ id: `${P}free-${d}-${k}`, label: t, value: k })) }));
  const strict = checkbox({ id: `${P}availability_strict`, label: "Only show times they are free" });
  const barriers = boxes("barrier", BARRIERS);
  const age = field({ id: `${P}age`, label: "Age (optional)", type: "number", attrs: { min: 0, max: 120, inputmode: "numeric" }, w: "short" });
  const gender = field({ id: `${P}gender`, label: "Gender (optional)", kind: "select", options: [["", "Not said"], ["woman", "Woman"], ["man", "Man"], ["non_binary", "Non-binary"]] });
  const single = radios({ name: `${P}single_gender`, legend: "Would they like sessions just for women or just for men?", value: "", options: [["", "No preference"], ["women_only", "Women-only sessions"], ["men_only", "Men-only sessions"]] });
  const circs = boxes("circ", CIRCUMSTANCES);
  const needs = boxes("need", ACCESS_WORDS);
  const everyday = checkbox({ id: `${P}prefer_non_stigmatised`, label: "Prefer everyday places", hint: "Libraries, clubs, colleges and community centres before health settings", checked: true });
  const online = checkbox({ id: `${P}include_online`, label: "Include things online" });
  const submit = h("button", { class: "button", type: "submit" }, "Find suggestions");

  const form = h("form", { class: "match-form", novalidate: true },
    errorBox,
    h("fieldset", h("legend", { class: "big" }, "What they enjoy"), interests.wrap, understood),
    h("fieldset", h("legend", { class: "big" }, "Getting there"), postcode.wrap, mode.wrap, minutes.wrap),
    h("fieldset", h("legend", { class: "big" }, "What can they afford per session?"), budget.wrap, conc.wrap, groupsSet),
    h("fieldset", { id: `${P}availability` }, h("legend", { class: "big" }, "When are they free?"),
      h("p", { class: "hint" }, "Leave these empty if any time suits them."),
      h("div", { class: "days" }, slots.map(({ d, boxes }) => h("fieldset", { class: "day" }, h("legend", DAY_NAME[d]), boxes.map((b) => b.wrap)))),
      strict.wrap),
    h("fieldset", { id: `${P}barriers` }, h("legend", { class: "big" }, "What worries them, or gets in the way?"), cols(barriers)),
    h("details", { class: "about" }, h("summary", "About them (only if they want to say)"),
      h("div", { class: "row" }, age.wrap, gender.wrap), single.wrap,
      h("fieldset", { id: `${P}circumstances` }, h("legend", "Anything else that might matter?"), cols(circs)),
      h("fieldset", { id: `${P}access_needs` }, h("legend", "What do they need at the venue?"), cols(needs))),
    h("fieldset", h("legend", { class: "big" }, "Choices"), everyday.wrap, online.wrap),
    submit);
  const results = h("div", { class: "match-results" });
  const exclude = [];

  const words = () => [...new Set(interests.input.value.split(/[\n,;]+/).map((s) => s.trim()).filter(Boolean))];
  const ticked = (boxes) => boxes.filter((b) => b.input.checked).map((b) => b.input.value);

  function showUnderstood(list) {
    understoodList.replaceChildren(...list.map((r) => {
      if (!r.term || r.resolution === "text_only") return h("li", h("strong", r.input), ": no exact topic: we will look for these words");
      const how = HOW[r.resolution];
      const more = (r.concepts || []).map((c) => c.term.label).filter((l) => l !== r.term.label).slice(0, 2);
      return h("li", h("strong", r.input), " → ", r.term.label, how ? ` (${how})` : "", more.length ? `; also ${more.join(", ")}` : "");
    }));
    understood.hidden = list.length === 0;
  }

  let timer, ctrl;
  interests.input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const list = words().slice(0, 10);
      ctrl?.abort();
      if (!list.length) { showUnderstood([]); return; }
      ctrl = new AbortController();
      try {
        // A POST, so that the person's words stay out of URLs (and proxies' logs).
        const data = await get("/v1/interests/understand", { method: "POST", body: { phrases: list }, signal: ctrl.signal });
        showUnderstood(data.interests || []);
      } catch { /* an older server, or typing on: the match shows how it read them */ }
    }, 300);
  });

  function request() {
    const body = { location: { postcode: postcode.input.value.trim() }, interests: words(), limit: 10 };
    const mins = Number(minutes.input.value);
    body.travel = { mode: mode.value, max_minutes: minutes.input.value.trim() && Number.isFinite(mins) ? mins : null };
    const pounds = budget.input.value.trim().replace(/^£/, "");
    const groupsTicked = ticked(groups);
    if (pounds || conc.input.checked || groupsTicked.length) {
      body.budget = { max_pence_per_session: pounds ? Math.round(Number(pounds) * 100) : null, concessions: conc.input.checked || groupsTicked.length > 0, eligible_for: groupsTicked };
    }
    body.availability = [];
    for (const { d, boxes } of slots) {
      let cur = null;
      for (const b of boxes) {
        const [from, to] = SLOTS[b.input.value];
        if (!b.input.checked) { cur = null; continue; }
        if (cur && cur.to === from) cur.to = to;
        else body.availability.push((cur = { day: d, from, to }));
      }
    }
    body.availability_strict = strict.input.checked && body.availability.length > 0;
    if (age.input.value.trim()) body.age = Number(age.input.value);
    if (gender.input.value) body.gender = gender.input.value;
    if (single.value) body.single_gender = single.value;
    body.circumstances = ticked(circs);
    body.access_needs = ticked(needs);
    body.barriers = ticked(barriers);
    body.prefer_non_stigmatised = everyday.input.checked;
    body.include_online = online.input.checked;
    body.exclude_asset_ids = [...exclude];
    return body;
  }

  function check(body) {
    const errs = [];
    if (!body.location.postcode) errs.push({ field: "location.postcode", message: "Enter the postcode they start from, for example M32 0JG" });
    if (body.interests.length > 10) errs.push({ field: "interests", message: "Give at most 10 things they enjoy" });
    if (budget.input.value.trim() && !(Number(budget.input.value.trim().replace(/^£/, "")) >= 0)) errs.push({ field: "budget.max_pence_per_session", message: "Enter an amount in pounds, like 3 or 4.50" });
    return errs;
  }

  async function run({ focusResults = false, message } = {}) {
    const body = request();
    clearErrors(form, errorBox);
    const errs = check(body);
    if (errs.length) { showErrors(form, errorBox, errs, { prefix: P }); return; }
    submit.disabled = true;
    results.replaceChildren(h("p", { class: "loading" }, "Looking for suggestions…"));
    try {
      const data = (await api("/v1/match", { method: "POST", body })).data;
      showResults(data, focusResults, message);
      showUnderstood(data.interests || []);
    } catch (e) {
      results.replaceChildren();
      if (e instanceof ApiError && e.errors.length) showErrors(form, errorBox, e.errors, { prefix: P });
      else { results.append(notice(e.message, "error")); announce(e.message); }
    } finally {
      submit.disabled = false;
    }
  }

  function showResults(data, focus, message) {
    const heading = h("h2", { id: "match-heading", tabindex: "-1" }, data.results.length ? plural(data.results.length, "suggestion") : "No suggestions yet");
    const cards = data.results.map((r, i) => card(r, i + 1, data.travel?.mode));
    results.replaceChildren(h("section", { "aria-labelledby": "match-heading" }, heading,
      h("p", { class: "hint" }, `${data.travel?.note ?? ""} Add up to ${MAX} to the plan.`),
      data.results.length ? h("ol", { class: "cards" }, cards) : h("p", "Nothing fits everything they said. See below for what is close, or change an answer."),
      data.near_misses?.length ? h("div", { class: "near" }, h("h3", "Close, but not shown"), h("ul", data.near_misses.map((m) => h("li", m.message)))) : null,
      exclude.length ? h("p", h("button", { type: "button", class: "button secondary small", on: { click: () => { exclude.length = 0; run({ focusResults: true, message: "Showing everything again." }); } } }, `Show the ${plural(exclude.length, "one")} they tried again`)) : null,
      h("p", h("a", { href: "#/plan" }, "Go to the plan"))));
    announce(`${message ? `${message} ` : ""}${heading.textContent}.`);
    if (focus) heading.focus();
  }

  function card(r, n, travelMode) {
    const a = remember(r.asset);
    const mins = r.travel_minutes_estimate;
    const cost = r.effective_cost_pence;
    const tried = h("button", { type: "button", class: "button secondary small", "aria-label": `They've tried this / not for them: ${a.title}`,
      on: { click: () => { exclude.push(a.id); run({ focusResults: true, message: `Took out ${a.title}.` }); } } }, "They've tried this / not for them");
    return h("li", { class: "card" },
      h("h3", h("span", { class: "rank" }, `${n}. `), h("a", { href: `#/listing/${a.id}` }, a.title)),
      h("p", { class: "meta" }, `${KIND[a.kind] || a.kind} · ${a.organization?.name ?? ""}`),
      h("ul", { class: "facts" },
        mins != null && h("li", `Journey: about ${Math.round(mins)} minutes' ${MODE[travelMode] || "travel"}${r.distance_km != null ? ` (${r.distance_km.toFixed(1)} km)` : ""}`),
        h("li", `Cost for them: ${cost == null ? "not given: check" : money(cost)}`),
        r.next_session ? h("li", `Next: ${sessionText(r.next_session)}`) : null,
        weeklyText(a.schedule?.weekly) ? h("li", `Every week: ${weeklyText(a.schedule.weekly)}`) : null),
      r.reasons.length ? h("div", { class: "say" }, h("p", h("strong", "Say:")), h("ul", r.reasons.map((t) => h("li", t)))) : null,
      r.cautions.length ? h("div", { class: "check-these" }, h("p", h("strong", "Check:")), h("ul", r.cautions.map((t) => h("li", t)))) : null,
      h("p", { class: "actions" }, planButton(a, { mode: travelMode, min: mins != null ? Math.round(mins) : null, cost }), " ", tried));
  }

  form.addEventListener("submit", (e) => { e.preventDefault(); run({ focusResults: true }); });

  return { intro, form, results };
}
