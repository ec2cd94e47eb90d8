// Shared helpers: DOM built as text (no HTML strings, no style attributes: the CSP forbids
// them), the live region, and times, prices and dates in plain words (UK time).

/** h("p", {class: "x", on: {click: fn}}, "text", child, [more]); the attributes may be left out. */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs == null || typeof attrs !== "object" || attrs instanceof Node || Array.isArray(attrs)) {
    children.unshift(attrs);
    attrs = {};
  }
  for (const [k, v] of Object.entries(attrs)) {
    if (v == null || v === false) continue;
    if (k === "on") for (const [ev, fn] of Object.entries(v)) el.addEventListener(ev, fn);
    else if (k === "class") el.className = v;
    else if (k === "text") el.textContent = v;
    else if (k === "dataset") Object.assign(el.dataset, v);
    else if (k in el && typeof v !== "string" && k !== "list") el[k] = v;
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  add(el, children);
  return el;
}

function add(el, children) {
  for (const c of children) {
    if (c == null || c === false) continue;
    if (Array.isArray(c)) add(el, c);
    else el.append(c instanceof Node ? c : String(c));
  }
}


let announceTimer;
export function announce(message) {
  const region = document.getElementById("status");
  if (!region) return;
  region.textContent = "";
  clearTimeout(announceTimer);
  announceTimer = setTimeout(() => (region.textContent = message), 50);
}

/** A labelled form field: returns {wrap, input}. kind: "input" | "textarea" | "select". */
export function field({ id, label, hint, type = "text", kind = "input", options, value, w, attrs = {} }) {
  const input = h(kind, { id, name: id, class: w && `w-${w}`, rows: kind === "textarea" ? 3 : null, type: kind === "input" ? type : null, "aria-describedby": hint && `${id}-hint`, ...attrs },
    options?.map(([v, text]) => h("option", { value: v, selected: String(value ?? "") === v }, text)));
  if (kind !== "select" && value != null) input.value = value;
  return { input, wrap: h("div", { class: "field" }, h("label", { for: id }, label), hint && h("p", { class: "hint", id: `${id}-hint` }, hint), input) };
}

export function checkbox({ id, label, checked, hint, value = "on" }) {
  const input = h("input", { type: "checkbox", id, name: id, checked: !!checked, value, "aria-describedby": hint && `${id}-hint` });
  return { input, wrap: h("div", { class: "check" }, input, h("label", { for: id }, label), hint && h("p", { class: "hint", id: `${id}-hint` }, hint)) };
}

export function radios({ name, legend, options, value, hint }) {
  const inputs = options.map(([v, text], i) =>
    h("input", { type: "radio", name, id: i === 0 ? name : `${name}-${v}`, value: v, checked: value === v }));
  const fs = h("fieldset", { class: "radios" }, h("legend", legend),
    hint && h("p", { class: "hint" }, hint),
    inputs.map((inp, i) => h("div", { class: "check" }, inp, h("label", { for: inp.id }, options[i][1]))));
  return { wrap: fs, inputs, get value() { return inputs.find((i) => i.checked)?.value ?? null; } };
}

// Words

export const DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
export const DAY_NAME = { mon: "Monday", tue: "Tuesday", wed: "Wednesday", thu: "Thursday", fri: "Friday", sat: "Saturday", sun: "Sunday" };
export const KIND = { group: "Group", volunteering: "Volunteering", course: "Course", activity: "Activity" };
export const MODE = { walk: "walk", cycle: "cycle ride", public_transport: "bus or train ride", car: "drive" };

export const plural = (n, one, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export function money(pence) {
  if (pence === 0) return "Free";
  return pence % 100 === 0 ? `£${pence / 100}` : `£${(pence / 100).toFixed(2)}`;
}

const GROUP = { benefits: "people on benefits", students: "students", disabled: "disabled people", carers: "carers", unemployed: "people not in work", armed_forces: "armed forces" };

/** "Free", "£4.50", "£4.50, or £3 with concession", or "Not given: ask them". */
export function priceText(cost) {
  if (!cost) return "Not given: ask them";
  if (cost.free) return "Free";
  if (cost.amount_pence == null) return "Not given: ask them";
  let text = money(cost.amount_pence);
  if (cost.concession_pence != null) text += `, or ${money(cost.concession_pence)} with concession`;
  for (const c of cost.concessions || []) {
    const who = (c.who || []).map((w) => GROUP[w] || w);
    if (c.min_age != null) who.push(`age ${c.min_age} and over`);
    if (c.max_age != null) who.push(`age ${c.max_age} and under`);
    text += `; ${money(c.price_pence)} for ${who.join(", ") || "some people"}`;
  }
  return text;
}

export const distanceText = (km) =>
  km == null ? "" : km < 1 ? `${Math.round(km * 1000 / 10) * 10} m away` : `${km.toFixed(1)} km away`;

const range = (s) => `${s.start}–${s.end}`;

/** "Mondays 18:30–19:30; Tuesdays and Thursdays 10:00–13:00 (from 12 January 2027)". */
export function weeklyText(weekly) {
  const groups = new Map();
  for (const s of [...(weekly || [])].sort((a, b) => DAYS.indexOf(a.day) - DAYS.indexOf(b.day))) {
    const key = `${range(s)}|${s.valid_from ?? ""}|${s.valid_until ?? ""}`;
    if (!groups.has(key)) groups.set(key, { s, days: [] });
    groups.get(key).days.push(`${DAY_NAME[s.day]}s`);
  }
  return [...groups.values()].map(({ s, days }) => {
    let t = `${listWords(days)} ${range(s)}`;
    if (s.valid_from && s.valid_until) t += ` (${dateLong(s.valid_from, false)} to ${dateLong(s.valid_until, false)})`;
    else if (s.valid_from) t += ` (from ${dateLong(s.valid_from, false)})`;
    else if (s.valid_until) t += ` (until ${dateLong(s.valid_until, false)})`;
    return t;
  }).join("; ");
}

export const listWords = (xs) => xs.length < 2 ? xs.join("") : `${xs.slice(0, -1).join(", ")} and ${xs.at(-1)}`;

export const sessionText = (s) => `${dateLong(s.date)}, ${range(s)}`;

/** "Saturday 12 December 2026" from "2026-12-12" (no time zone shift: it is a UK date). */
export function dateLong(iso, weekday = true) {
  const d = new Date(`${iso.slice(0, 10)}T12:00:00Z`);
  return d.toLocaleDateString("en-GB", { timeZone: "UTC", weekday: weekday ? "long" : undefined, day: "numeric", month: "long", year: "numeric" });
}

/** The date and time now in the UK: {date: "2026-12-06", minutes: 1390}. */
export function ukNow(now = new Date()) {
  const parts = Object.fromEntries(new Intl.DateTimeFormat("en-GB", {
    timeZone: "Europe/London", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23",
  }).formatToParts(now).map((p) => [p.type, p.value]));
  return { date: `${parts.year}-${parts.month}-${parts.day}`, minutes: Number(parts.hour) * 60 + Number(parts.minute) };
}

export function addDays(iso, n) {
  const d = new Date(`${iso}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

export const weekdayOf = (iso) => DAYS[(new Date(`${iso}T12:00:00Z`).getUTCDay() + 6) % 7];
const mins = (hhmm) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** The next `count` sessions from weekly and dated ones, in UK time: [{date, day, start, end}]. */
export function nextSessions(schedule, count = 3, { weekly = schedule?.weekly || [], now = ukNow() } = {}) {
  const out = [];
  const dated = schedule?.dated || [];
  for (let i = 0; i < 400 && out.length < count; i++) {
    const date = addDays(now.date, i);
    const day = weekdayOf(date);
    const today = [];
    for (const s of weekly) {
      if (s.day !== day) continue;
      if (s.valid_from && date < s.valid_from) continue;
      if (s.valid_until && date > s.valid_until) continue;
      today.push({ date, day, start: s.start, end: s.end });
    }
    for (const s of dated) if (s.date === date) today.push({ date, day, start: s.start, end: s.end });
    today.sort((a, b) => a.start.localeCompare(b.start));
    for (const s of today) if (i > 0 || mins(s.start) > now.minutes) out.push(s);
  }
  return out.slice(0, count);
}

export function freshness(asset) {
  const words = { fresh: "Up to date", due: "Due a check", stale: "May be out of date" };
  return h("span", { class: `badge badge-${asset.freshness}` }, words[asset.freshness] || asset.freshness);
}

export function checkedText(asset) {
  if (asset.confirmed_at) return `Last checked by the organisers on ${dateLong(ukDate(asset.confirmed_at), false)}`;
  return `Not checked by the organisers since it was listed on ${dateLong(ukDate(asset.created_at), false)}`;
}

export const ukDate = (stamp) => ukNow(new Date(stamp)).date;

export const osmDirections = (loc) =>
  `https://www.openstreetmap.org/directions?to=${loc.lat.toFixed(5)}%2C${loc.lon.toFixed(5)}#map=16/${loc.lat.toFixed(5)}/${loc.lon.toFixed(5)}`;

export function addressLines(venue) {
  if (!venue) return [];
  return [venue.name, ...(venue.address_lines || []), venue.town, venue.postcode].filter(Boolean);
}

export const section = (title, ...content) => h("section", { class: "block" }, h("h2", title), ...content);

export function notice(text, kind = "info") {
  return h("div", { class: `notice notice-${kind}`, role: kind === "error" ? "alert" : null }, text);
}

// A message for the next view ("Saved", "Listing added"), shown once.
let flashMessage = null;
export const setFlash = (m) => { flashMessage = m; };
export function takeFlash() { const m = flashMessage; flashMessage = null; return m; }
