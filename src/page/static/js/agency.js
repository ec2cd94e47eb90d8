// For agencies: the API key lives in sessionStorage only (never localStorage, a URL or the
// console). Listings by freshness; confirm, edit (PUT with If-Match) and add.
import { h, field, radios, announce, DAYS, DAY_NAME, KIND, freshness, dateLong, ukDate, plural, notice, setFlash, takeFlash } from "./util.js";
import { api, get, remember, forget, ApiError } from "./api.js";
import { showErrors, clearErrors } from "./forms.js";

const KEY = "agencyKey";
let who = null; // {role, organization_id, orgName}

const keyNow = () => sessionStorage.getItem(KEY);
const rerender = () => window.dispatchEvent(new HashChangeEvent("hashchange"));

export async function render(ctx) {
  const key = keyNow();
  if (!key) return signIn(ctx);
  if (!who) {
    try {
      who = await identify(key);
    } catch (e) {
      signOut(false);
      return signIn(ctx, e.status === 401 ? "That key no longer works. Sign in again." : e.message);
    }
  }
  if (!ctx.alive()) return;
  if (!who.organization_id) {
    ctx.append(notice(who.role === "admin" ? "This is an administrator's key. It is not linked to one organisation, so use an agency key here." : "This key is not linked to an organisation."), signOutButton());
    return "agency-list";
  }
  if (ctx.path === "/agency/new") return (await editor(ctx, null), "agency-new");
  if (ctx.path.startsWith("/agency/edit/")) return (await editor(ctx, ctx.params[0]), "agency-edit");
  return list(ctx);
}

/** Who the key belongs to: {role, organization_id, orgName}. */
async function identify(key) {
  const me = await get("/v1/api-key", { key });
  const org = me.organization_id ? await get(`/v1/organizations/${encodeURIComponent(me.organization_id)}`) : null;
  return { role: me.role, organization_id: me.organization_id, orgName: org?.name ?? "" };
}

function signOut(say = true) {
  sessionStorage.removeItem(KEY);
  who = null;
  if (say) announce("Signed out.");
}

function signOutButton() {
  const b = h("button", { type: "button", class: "button secondary small" }, "Sign out");
  b.addEventListener("click", () => {
    signOut();
    setFlash("You have signed out. The key is no longer kept in this tab.");
    location.hash === "#/agency" ? rerender() : (location.hash = "#/agency");
  });
  return b;
}

async function signIn(ctx, message) {
  ctx.title("For agencies: sign in");
  const flash = takeFlash();
  const errorBox = h("div");
  const keyField = field({ id: "a-key", label: "API key", type: "password", hint: "Your organisation's key for this service. We keep it only in this browser tab, until you sign out or close the tab.", attrs: { autocomplete: "off" }, w: "medium" });
  const form = h("form", { class: "signin", novalidate: true }, errorBox, keyField.wrap, h("button", { type: "submit", class: "button" }, "Sign in"));
  ctx.append(
    flash && notice(flash, "success"),
    message && notice(message, "error"),
    h("p", { class: "lead" }, "Keep your organisation's listings up to date, so people are not sent to things that have stopped."),
    form);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    clearErrors(form, errorBox);
    const key = keyField.input.value.trim();
    const errs = [];
    if (!key) errs.push({ field: "key", message: "Enter your API key" });
    if (errs.length) return showErrors(form, errorBox, errs, { prefix: "a-" });
    try {
      who = await identify(key);
    } catch (err) {
      const text = err.status === 401 ? "That key did not work. Check it and try again." : err.message;
      return showErrors(form, errorBox, [{ field: "key", message: text }], { prefix: "a-" });
    }
    sessionStorage.setItem(KEY, key);
    keyField.input.value = "";
    setFlash(`Signed in for ${who.orgName}.`);
    rerender();
  });
  return "agency-signin";
}

// The list

const ORDER = { stale: 0, due: 1, fresh: 2 };

async function list(ctx) {
  ctx.title("Your listings");
  const key = keyNow();
  const items = [];
  let cursor = null;
  let counts = null;
  for (let page = 0; page < 10; page++) {
    const q = new URLSearchParams({ limit: "200" });
    if (cursor) q.set("cursor", cursor);
    let data;
    try {
      data = await get(`/v1/organizations/${who.organization_id}/assets?${q}`, { key });
    } catch (e) {
      if (e.status === 401) { signOut(false); return signIn(ctx, "That key no longer works. Sign in again."); }
      throw e;
    }
    items.push(...data.items);
    counts = counts || data.counts;
    cursor = data.next_cursor;
    if (!cursor) break;
  }
  if (!ctx.alive()) return;
  items.sort((a, b) => (ORDER[a.freshness] ?? 3) - (ORDER[b.freshness] ?? 3) || (a.confirmed_at || a.created_at).localeCompare(b.confirmed_at || b.created_at));
  const flash = takeFlash();
  const rows = h("ul", { class: "agency-list" }, items.map(row));
  ctx.append(
    h("div", { class: "org-bar" }, h("p", "Signed in for ", h("strong", { id: "org-name" }, who.orgName)), signOutButton()),
    flash && notice(flash, "success"),
    h("p", counts ? `${plural(counts.stale, "listing")} may be out of date, ${counts.due} due a check, ${counts.fresh} up to date.` : ""),
    h("p", { class: "hint" }, "Please check each listing at least every 6 months. If it still runs as described, say so with one click."),
    h("p", h("a", { class: "button", href: "#/agency/new" }, "Add a listing")),
    items.length ? rows : h("p", "You have no listings yet."));
  if (flash) announce(flash);
  return "agency-list";
}

function lastChecked(a) {
  return a.confirmed_at ? `Last checked ${dateLong(ukDate(a.confirmed_at), false)}` : `Never checked (listed ${dateLong(ukDate(a.created_at), false)})`;
}

function row(a) {
  remember(a);
  const confirm = h("button", { type: "button", class: "button small", "aria-label": `Still running as described: ${a.title}` }, "Still running as described");
  const li = h("li", { class: "agency-row", dataset: { id: a.id } },
    h("h2", h("a", { href: `#/listing/${a.id}` }, a.title)),
    h("p", { class: "meta" }, freshness(a), " ", h("span", { class: "checked" }, lastChecked(a)),
      a.status === "pending" ? " · Waiting to be checked before it shows" : "",
      a.pending_change ? " · A change is waiting for review" : "",
      a.example ? " · Example listing" : ""),
    h("p", { class: "actions" }, confirm, " ", h("a", { class: "button secondary small", href: `#/agency/edit/${a.id}`, "aria-label": `Edit ${a.title}` }, "Edit")));
  confirm.addEventListener("click", async () => {
    confirm.disabled = true;
    try {
      const { data } = await api(`/v1/assets/${a.id}/confirm`, { method: "POST", key: keyNow() });
      forget(a.id);
      const next = row(data);
      li.replaceWith(next);
      next.querySelector("button").focus();
      announce(`Saved: ${data.title} is marked as still running. ${lastChecked(data)}.`);
    } catch (e) {
      confirm.disabled = false;
      announce(`Not saved: ${e.message}`);
      li.append(notice(`Not saved: ${e.message}`, "error"));
    }
  });
  return li;
}

// Edit and add

const VENUES = [["community_centre", "Community centre"], ["library", "Library"], ["college", "College"], ["sports_centre", "Sports centre or pool"], ["park", "Park or outdoor space"], ["place_of_worship", "Place of worship"], ["cafe", "Café"], ["arts_venue", "Arts venue"], ["health_setting", "Health setting"], ["mental_health_service", "Mental health service"], ["other", "Somewhere else"]];
const pounds = (p) => (p == null ? "" : (p / 100).toFixed(p % 100 ? 2 : 0));

async function editor(ctx, id) {
  let asset = null;
  if (id) {
    try {
      const res = await api(`/v1/assets/${id}`, { key: keyNow() });
      asset = res.data;
      asset.etag = res.res.headers.get("etag") || `"${asset.version}"`;
    } catch (e) {
      if (e.status === 404 || e.status === 410) { ctx.append(notice("We could not find that listing.", "error")); return; }
      throw e;
    }
    if (!ctx.alive()) return;
    if (asset.organization?.id !== who.organization_id) {
      ctx.append(notice("This listing belongs to another organisation, so you cannot change it here.", "error"));
      return;
    }
  }
  ctx.title(asset ? `Edit: ${asset.title}` : "Add a listing");
  const f = listingForm(asset);
  const back = h("p", h("a", { href: "#/agency" }, "Back to your listings"));
  ctx.append(back, f.form);

  f.form.addEventListener("submit", async (e) => {
    e.preventDefault();
    clearErrors(f.form, f.errorBox);
    f.conflict.replaceChildren();
    const { body, errors } = f.read();
    if (errors.length) return showErrors(f.form, f.errorBox, errors);
    f.submit.disabled = true;
    try {
      const res = asset
        ? await api(`/v1/assets/${asset.id}`, { method: "PUT", body, key: keyNow(), headers: { "if-match": asset.etag } })
        : await api("/v1/assets", { method: "POST", body, key: keyNow() });
      forget(res.data.id);
      if (asset) {
        setFlash(res.res.status === 202 ? `Saved. Your change to ${res.data.title} is waiting to be checked before it shows.` : `Saved: ${body.title}.`);
        location.hash = "#/agency";
      } else {
        setFlash(res.data.status === "pending" ? "Listing added. It will show in searches once it has been checked." : "Listing added. It now shows in searches.");
        location.hash = `#/listing/${res.data.id}`;
      }
    } catch (err) {
      f.submit.disabled = false;
      if (err.status === 412) {
        const reload = h("button", { type: "button", class: "button secondary small" }, "Load the latest version");
        reload.addEventListener("click", rerender);
        const box = h("div", { class: "notice notice-error", tabindex: "-1", role: "alert" },
          h("p", "Someone else changed this listing while you were editing it, so your changes are not saved."),
          h("p", "Load the latest version, then make your changes again."), reload);
        f.conflict.replaceChildren(box);
        box.focus();
      } else if (err instanceof ApiError && err.errors.length) {
        showErrors(f.form, f.errorBox, err.errors);
      } else if (err.status === 401) {
        signOut(false);
        f.conflict.replaceChildren(notice("Your key no longer works. Sign in again, then make your changes.", "error"));
      } else {
        f.conflict.replaceChildren(notice(`Not saved: ${err.message}`, "error"));
        announce(`Not saved: ${err.message}`);
      }
    }
  });
}

/** The form for a listing (asset = null for a new one). read() gives {body: AssetInput, errors}. */
function listingForm(asset) {
  const a = asset || {};
  const errorBox = h("div");
  const conflict = h("div");
  const kind = asset ? null : field({ id: "f-kind", label: "What sort of thing is it?", kind: "select", value: "group", options: Object.entries(KIND).map(([k, v]) => [k, v]) });
  const title = field({ id: "f-title", label: "Name", hint: "What people will see in the results, for example \"Knit and natter\"", value: a.title ?? "", w: "full" });
  const description = field({ id: "f-description", label: "What happens", hint: "In plain words: what people do, who it suits, what it is like the first time.", kind: "textarea", value: a.description ?? "", attrs: { rows: 5 } });
  const interests = asset ? null : field({ id: "f-interests", label: "Interests", hint: "What it is about, separated by commas, for example knitting, crafts", w: "full" });
  let venue = null;
  if (!asset) {
    const vName = field({ id: "f-venue-name", label: "Name of the place", hint: "For example, Stretford Library", w: "full" });
    const vLine = field({ id: "f-venue-address_lines", label: "Street address (optional)", w: "full", attrs: { autocomplete: "off" } });
    const vTown = field({ id: "f-venue-town", label: "Town (optional)", w: "medium" });
    const vPostcode = field({ id: "f-venue-postcode", label: "Postcode", w: "postcode", attrs: { spellcheck: false, autocomplete: "off" } });
    const found = h("p", { class: "lookup-result", id: "postcode-found", "aria-live": "polite" });
    const lookup = h("button", { type: "button", class: "button secondary small" }, "Look up postcode");
    lookup.addEventListener("click", async () => {
      const pc = vPostcode.input.value.trim();
      found.classList.remove("bad");
      if (!pc) { found.textContent = "Enter a postcode first."; found.classList.add("bad"); return; }
      found.textContent = "Looking…";
      try {
        const g = await get(`/v1/postcodes/${encodeURIComponent(pc)}`);
        const what = { unit: "the exact postcode", sector: "the postcode sector", district: "the postcode district" }[g.precision] || "the postcode";
        found.textContent = `Found: ${g.postcode}, ${what}, at ${g.lat.toFixed(4)}, ${g.lon.toFixed(4)}.`;
      } catch (e) {
        found.textContent = e.errors[0] ? `Not found: ${e.errors[0].message}` : `Not found: ${e.message}`;
        found.classList.add("bad");
      }
    });
    const vType = field({ id: "f-venue-venue_type", label: "What sort of place is it?", kind: "select", value: "community_centre", options: VENUES });
    venue = { vName, vLine, vTown, vPostcode, vType, wrap: h("fieldset", { id: "f-venue" }, h("legend", { class: "big" }, "Where it happens"), vName.wrap, vLine.wrap, vTown.wrap, h("div", { class: "lookup" }, vPostcode.wrap, lookup), found, vType.wrap) };
  }
  const c = a.contact || {};
  const cName = field({ id: "f-contact-name", label: "Contact name (optional)", value: c.name ?? "", w: "medium", attrs: { autocomplete: "off" } });
  const cEmail = field({ id: "f-contact-email", label: "Email (optional)", type: "email", value: c.email ?? "", w: "medium", attrs: { autocomplete: "off" } });
  const cPhone = field({ id: "f-contact-phone", label: "Phone (optional)", type: "tel", value: c.phone ?? "", w: "medium", attrs: { autocomplete: "off" } });
  const cUrl = field({ id: "f-contact-url", label: "Website (optional)", type: "url", hint: "Starting with https://", value: c.url ?? "", w: "full", attrs: { spellcheck: false } });
  const cost = a.cost || {};
  const costKind = radios({ name: "f-cost-free", legend: "Does it cost anything?", value: cost.free ? "free" : cost.amount_pence != null ? "paid" : asset ? "unknown" : "free", options: [["free", "It is free"], ["paid", "It costs money"], ["unknown", "Not sure yet"]] });
  const price = field({ id: "f-cost-amount_pence", label: "Price for each session, in pounds", hint: "For example 4.50", value: pounds(cost.amount_pence), attrs: { inputmode: "decimal" }, w: "short" });
  const conc = field({ id: "f-cost-concession_pence", label: "Cheaper price with a concession, in pounds (optional)", value: pounds(cost.concession_pence), attrs: { inputmode: "decimal" }, w: "short" });
  const costNotes = field({ id: "f-cost-notes", label: "More about the cost (optional)", value: cost.notes ?? "", w: "full" });
  const paidBox = h("div", { class: "conditional" }, price.wrap, conc.wrap);
  const togglePaid = () => { paidBox.hidden = costKind.value !== "paid"; };
  costKind.inputs.forEach((i) => i.addEventListener("change", togglePaid));
  togglePaid();

  // weekly sessions: rows of day + start + end
  const sessions = (a.schedule?.weekly || []).map((s) => ({ ...s }));
  const rowsBox = h("div", { class: "session-rows" });
  const addBtn = h("button", { type: "button", class: "button secondary small" }, "Add a session");
  const readRows = () => [...rowsBox.querySelectorAll(".session-row")].forEach((r, i) => {
    sessions[i].day = r.querySelector("select").value;
    const [start, end] = r.querySelectorAll("input");
    sessions[i].start = start.value;
    sessions[i].end = end.value;
  });
  const drawRows = (focusIndex) => {
    rowsBox.replaceChildren(...sessions.map((s, i) => {
      const day = field({ id: `f-schedule-weekly-${i}-day`, label: "Day", kind: "select", value: s.day, options: DAYS.map((d) => [d, DAY_NAME[d]]) });
      const start = field({ id: `f-schedule-weekly-${i}-start`, label: "Starts", type: "time", value: s.start, w: "time" });
      const end = field({ id: `f-schedule-weekly-${i}-end`, label: "Ends", type: "time", value: s.end, w: "time" });
      const rm = h("button", { type: "button", class: "button secondary small" }, `Remove session ${i + 1}`);
      rm.addEventListener("click", () => { readRows(); sessions.splice(i, 1); drawRows(-1); announce(`Session ${i + 1} removed.`); });
      return h("fieldset", { class: "session-row" }, h("legend", `Session ${i + 1}`), h("div", { class: "row" }, day.wrap, start.wrap, end.wrap), rm);
    }));
    if (!sessions.length) rowsBox.append(h("p", { class: "hint" }, "No weekly sessions yet."));
    if (focusIndex >= 0) rowsBox.querySelectorAll("select")[focusIndex]?.focus();
    else if (focusIndex === -1) addBtn.focus();
  };
  addBtn.addEventListener("click", () => { readRows(); sessions.push({ day: "mon", start: "10:00", end: "11:00" }); drawRows(sessions.length - 1); });
  drawRows(null);

  const nc = a.newcomers || {};
  const ncNotes = field({ id: "f-newcomers-notes", label: "What should someone new know? (optional)", hint: "For example: just turn up, someone will say hello at the door.", kind: "textarea", value: nc.notes ?? "" });
  const submit = h("button", { type: "submit", class: "button" }, asset ? "Save changes" : "Add the listing");
  const form = h("form", { class: "listing-form", novalidate: true },
    conflict, errorBox,
    kind?.wrap, title.wrap, description.wrap, interests?.wrap, venue?.wrap,
    h("fieldset", { id: "f-contact" }, h("legend", { class: "big" }, "Who to contact"), cName.wrap, cEmail.wrap, cPhone.wrap, cUrl.wrap),
    h("fieldset", { id: "f-cost" }, h("legend", { class: "big" }, "Cost"), costKind.wrap, paidBox, costNotes.wrap),
    h("fieldset", { id: "f-schedule" }, h("legend", { class: "big" }, "When it runs each week"), rowsBox, addBtn),
    ncNotes.wrap,
    submit);

  const text = (inp) => inp.value.trim() || null;
  function money(inp, fieldName, errors) {
    const v = inp.value.trim().replace(/^£/, "");
    if (!v) return null;
    if (!/^\d+(\.\d{1,2})?$/.test(v)) { errors.push({ field: fieldName, message: "enter an amount in pounds, like 4.50" }); return null; }
    return Math.round(Number(v) * 100);
  }

  function read() {
    const errors = [];
    readRows();
    const free = costKind.value;
    const body = asset ? toInput(asset) : { interests: [] };
    if (kind) body.kind = kind.input.value;
    body.title = title.input.value.trim();
    body.description = description.input.value.trim() || null;
    if (interests) body.interests = interests.input.value.split(/[,\n]+/).map((s) => s.trim()).filter(Boolean);
    if (venue) {
      body.venue = { name: venue.vName.input.value.trim(), venue_type: venue.vType.input.value, postcode: text(venue.vPostcode.input), town: text(venue.vTown.input), address_lines: venue.vLine.input.value.trim() ? [venue.vLine.input.value.trim()] : [] };
    }
    body.contact = { name: text(cName.input), email: text(cEmail.input), phone: text(cPhone.input), url: text(cUrl.input) };
    const old = asset ? toInput(asset).cost : { concessions: [] };
    body.cost = {
      ...old,
      free: free === "free" ? true : free === "paid" ? false : null,
      amount_pence: free === "paid" ? money(price.input, "cost.amount_pence", errors) : null,
      concession_pence: free === "paid" ? money(conc.input, "cost.concession_pence", errors) : null,
      notes: text(costNotes.input),
    };
    if (free !== "paid") body.cost.concessions = [];
    body.schedule = { ...(body.schedule || { dated: [], notes: null }), weekly: sessions.map(({ day, start, end, valid_from, valid_until }) => ({ day, start, end, valid_from: valid_from ?? null, valid_until: valid_until ?? null })) };
    body.newcomers = { ...(body.newcomers || {}), notes: text(ncNotes.input) };
    return { body, errors };
  }

  return { form, errorBox, conflict, submit, read };
}

/** An AssetInput with everything the listing has now, so a PUT changes only what the form edits. */
function toInput(v) {
  const pick = (o, keys) => Object.fromEntries(keys.split(" ").filter((k) => o && k in o).map((k) => [k, o[k]]));
  return {
    ...pick(v, "kind title description online five_ways service_area"),
    ...(v.venue && { venue_id: v.venue.id }),
    interests: v.interests.map((i) => i.slug),
    eligibility: pick(v.eligibility, "min_age max_age criteria"),
    audience: pick(v.audience, "gender groups groups_only referral_only"),
    cost: pick(v.cost, "free amount_pence concession_pence concessions notes"),
    schedule: { weekly: v.schedule.weekly.map((s) => pick(s, "day start end valid_from valid_until")), dated: v.schedule.dated.map((s) => pick(s, "date start end")), notes: v.schedule.notes ?? null },
    newcomers: pick(v.newcomers, "drop_in taster_session meet_and_greet booking_required notes"),
    capacity: pick(v.capacity, "max_participants typical_group_size"),
    contact: pick(v.contact, "name email phone url"),
    participation: pick(v.participation, "levels coached attendee_instructions accessibility_support prepayment"),
  };
}
