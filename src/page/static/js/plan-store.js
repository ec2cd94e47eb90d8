// The plan. sessionStorage holds only listing ids, sessions, travel and the review date; the
// person's name and the notes stay in memory and in the plan's link. Nothing is sent.
import { h, announce, addDays, ukNow } from "./util.js";

export const MAX = 3;
const KEY = "plan";

export const plan = load();

function load() {
  const empty = { items: [], review: addDays(ukNow().date, 28), name: "", notes: "" };
  try {
    const saved = JSON.parse(sessionStorage.getItem(KEY) || "null");
    return saved ? { ...empty, items: saved.items || [], review: saved.review || empty.review } : empty;
  } catch {
    return empty;
  }
}

export function save() {
  sessionStorage.setItem(KEY, JSON.stringify({ items: plan.items.map(({ id, s, mode, min, cost }) => ({ id, s, mode, min, cost })), review: plan.review }));
  for (const fn of listeners) fn();
}

const listeners = new Set();
export const onChange = (fn) => (listeners.add(fn), () => listeners.delete(fn));

export const inPlan = (id) => plan.items.some((i) => i.id === id);

export function add(item) {
  if (inPlan(item.id)) return true;
  if (plan.items.length >= MAX) return false;
  plan.items.push({ s: "all", ...item });
  save();
  return true;
}

export function remove(id) {
  plan.items = plan.items.filter((i) => i.id !== id);
  save();
}

export function replace(next) {
  plan.items = next.items.slice(0, MAX);
  plan.review = next.review || plan.review;
  plan.name = next.name || "";
  plan.notes = next.notes || "";
  save();
}

export function planButton(asset, extra = {}) {
  const btn = h("button", { type: "button", class: "button secondary small plan-btn" });
  const label = (btn.refresh = () => {
    btn.textContent = inPlan(asset.id) ? "Remove from plan" : "Add to plan";
    btn.setAttribute("aria-label", `${btn.textContent}: ${asset.title}`);
  });
  btn.addEventListener("click", () => {
    if (inPlan(asset.id)) {
      remove(asset.id);
      announce(`Removed ${asset.title} from the plan.`);
    } else if (add({ id: asset.id, ...extra })) {
      announce(`Added ${asset.title} to the plan (${plan.items.length} of ${MAX}).`);
    } else {
      announce(`The plan already has ${MAX} activities. Take one out first.`);
    }
    label();
  });
  label();
  return btn;
}

// The plan's link: base64url JSON after #/plan/

export function encode() {
  const data = { v: 1, i: plan.items.map(({ id, s, mode, min, cost }) => [id, s, mode ?? null, min ?? null, cost ?? null]), r: plan.review, n: plan.name || undefined, t: plan.notes || undefined };
  const bytes = new TextEncoder().encode(JSON.stringify(data));
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function decode(text) {
  const bin = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  const data = JSON.parse(new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0))));
  if (data.v !== 1 || !Array.isArray(data.i)) throw new Error("This plan link is not complete. Ask for it again.");
  return {
    items: data.i.filter((x) => /^[0-9a-f-]{36}$/i.test(x[0])).map(([id, s, mode, min, cost]) => ({ id, s: s ?? "all", mode, min, cost })),
    review: /^\d{4}-\d{2}-\d{2}$/.test(data.r) ? data.r : null,
    name: typeof data.n === "string" ? data.n.slice(0, 60) : "",
    notes: typeof data.t === "string" ? data.t.slice(0, 2000) : "",
  };
}
