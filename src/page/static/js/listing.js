// One listing in full: what, when, cost, who it is for, newcomers, getting there, contact.
import { h, section, KIND, weeklyText, sessionText, nextSessions, priceText, freshness, checkedText, addressLines, osmDirections, listWords, notice, takeFlash } from "./util.js";
import { getAsset, ApiError } from "./api.js";
import { makeMap, showResults, loadMap } from "./map.js";
import { planButton } from "./plan-store.js";

export const ACCESS_WORDS = {
  step_free_access: "Step-free access", wheelchair_accessible: "Wheelchair accessible", accessible_toilet: "Accessible toilet",
  changing_places_toilet: "Changing Places toilet", hearing_loop: "Hearing loop", quiet_space: "Quiet space", parking: "Parking",
  accessible_parking: "Accessible parking", near_public_transport: "Near buses or trains", large_print: "Large print",
  sign_language: "Sign language", assistance_dogs_welcome: "Assistance dogs welcome",
};
const AUDIENCE = {
  pregnant_postnatal: "pregnant women and new mums", parents_and_babies: "parents and babies", older_people: "older people",
  young_people: "young people", disabled_people: "disabled people", learning_disability: "people with a learning disability",
  carers: "carers", lgbtq: "LGBTQ+ people", dementia: "people with dementia and their carers",
  refugees_and_asylum_seekers: "refugees and people seeking asylum", veterans: "veterans", long_term_conditions: "people with long-term health conditions",
};
const VENUE = {
  library: "a library", community_centre: "a community centre", college: "a college", sports_centre: "a sports centre", park: "a park",
  place_of_worship: "a place of worship", cafe: "a café", arts_venue: "an arts venue", health_setting: "a health setting",
  mental_health_service: "a mental health service", online: "online", other: "another kind of place",
};

export async function render(ctx) {
  const [id] = ctx.params;
  let a;
  loadMap();
  try {
    a = await getAsset(id, { fresh: true });
  } catch (e) {
    if (e instanceof ApiError && (e.status === 404 || e.status === 410)) {
      ctx.title("Listing not found");
      ctx.append(h("p", e.status === 410 ? "This listing has been taken down: it no longer runs." : "We could not find this listing."), h("p", h("a", { href: "#/find" }, "Find other activities")));
      return;
    }
    throw e;
  }
  if (!ctx.alive()) return;
  ctx.title(a.title);
  const flash = takeFlash();
  const v = a.venue;
  const loc = v?.location;
  const weekly = weeklyText(a.schedule.weekly);
  const upcoming = nextSessions(a.schedule, 3);
  const el = a.eligibility || {};
  const aud = a.audience || {};
  const nc = a.newcomers || {};
  const c = a.contact || {};
  const p = a.participation || {};
  const mapEl = loc ? h("div", { class: "map small-map", id: "listing-map" }) : null;
  const who = [
    el.min_age != null && el.max_age != null ? `Ages ${el.min_age} to ${el.max_age}` : el.min_age != null ? `Ages ${el.min_age} and over` : el.max_age != null ? `Ages up to ${el.max_age}` : "All ages",
    aud.gender === "women_only" ? "Women only" : aud.gender === "men_only" ? "Men only" : "Open to everyone (mixed)",
    aud.groups?.length ? `${aud.groups_only ? "Only for" : "Made for"} ${listWords(aud.groups.map((g) => AUDIENCE[g] || g))}` : null,
    aud.referral_only ? "Only with a referral (for example from a GP or a worker)" : null,
    el.criteria,
  ].filter(Boolean);
  const newcomers = [
    nc.drop_in && "Drop in: no need to book",
    nc.booking_required && "Book before going",
    nc.taster_session && "A free or taster first session",
    nc.meet_and_greet && "Someone meets new people when they arrive",
    nc.notes,
  ].filter(Boolean);
  const access = [...(v?.accessibility || []).map((x) => ACCESS_WORDS[x] || x), ...(p.accessibility_support || [])];

  ctx.append(
    flash && notice(flash, "success"),
    h("p", { class: "meta" }, `${KIND[a.kind] || a.kind} run by ${a.organization?.name ?? "a local organisation"}`),
    h("p", { class: "actions" }, freshness(a), " ", checkedText(a)),
    a.example && notice("This is an example listing in the demo data, not a real session."),
    a.status === "pending" && notice("This listing is waiting to be checked before it shows in searches."),
    h("div", { class: "action-bar" },
      planButton(a),
      (a.schedule.weekly.length || a.schedule.dated.length) ? h("a", { class: "button secondary small", href: `/v1/assets/${a.id}/sessions.ics`, download: `${a.title.replace(/[^\w -]+/g, "").trim() || "sessions"}.ics`, id: "calendar-link" }, "Add sessions to my calendar") : null),
    section("What it is", ...(a.description || "No description given.").split(/\n{2,}/).map((t) => h("p", t)),
      a.interests?.length ? h("p", `Good for: ${a.interests.map((i) => i.label).join(", ")}`) : null,
      a.online ? h("p", "It also runs online.") : null),
    section("When",
      weekly ? h("p", `Every week: ${weekly}`) : null,
      upcoming.length ? h("div", h("p", "Next sessions:"), h("ul", { class: "sessions" }, upcoming.map((s) => h("li", sessionText(s))))) : h("p", "No times given: ask them."),
      a.schedule.notes ? h("p", a.schedule.notes) : null),
    section("Cost", h("p", priceText(a.cost)), a.cost?.notes ? h("p", a.cost.notes) : null),
    section("Who it is for", h("ul", who.map((t) => h("li", t)))),
    section("If it is their first time", newcomers.length ? h("ul", newcomers.map((t) => h("li", t))) : h("p", "Not said: ask them what to expect.")),
    section("How to get there",
      v ? h("address", addressLines(v).map((l, i) => [i ? h("br") : null, l])) : h("p", a.online ? "Online." : "No address given."),
      v ? h("p", `It is at ${VENUE[v.venue_type] || "a venue"}${v.non_stigmatised ? ", an everyday place" : ""}.`) : null,
      access.length ? h("div", h("p", "Access:"), h("ul", access.map((t) => h("li", t)))) : h("p", "Access not described: ask them about steps, toilets and parking."),
      mapEl,
      loc ? h("p", h("a", { href: osmDirections(loc), rel: "noopener noreferrer" }, "Directions on OpenStreetMap"), " (opens another website)") : null),
    section("Who to contact", contactList(c, v)),
    (p.levels?.length || p.attendee_instructions || p.coached != null || p.prepayment) ? section("Taking part",
      p.levels?.length ? h("p", `Levels: ${p.levels.join(", ")}`) : null,
      p.coached != null ? h("p", p.coached ? "There is a coach or leader." : "No coach: people take part together.") : null,
      p.attendee_instructions ? h("p", `What to bring: ${p.attendee_instructions}`) : null,
      p.prepayment === "required" ? h("p", "Pay before going.") : null) : null,
    section("Where this comes from",
      h("p", `Listed by ${a.organization?.name ?? "a local organisation"}${a.source ? ` (source: ${a.source})` : ""}. ${checkedText(a)}.`),
      a.attribution ? h("p", a.attribution.url ? h("a", { href: a.attribution.url, rel: "noopener noreferrer" }, a.attribution.text) : a.attribution.text, `. Licence: ${a.attribution.licence}.`) : null),
  );
  if (mapEl) {
    const map = await makeMap(mapEl, { label: `Map showing where ${a.title} is`, directory: false });
    showResults(map, [{ n: 1, lat: loc.lat, lon: loc.lon, title: v.name, href: `#/listing/${a.id}` }]);
  }
}

function contactList(c, v) {
  const rows = [];
  if (c.name) rows.push(h("li", `Ask for ${c.name}`));
  const phone = c.phone || v?.phone;
  if (phone) rows.push(h("li", "Phone: ", h("a", { href: `tel:${phone.replace(/[^\d+]/g, "")}` }, phone)));
  if (c.email) rows.push(h("li", "Email: ", h("a", { href: `mailto:${c.email}` }, c.email)));
  const web = c.url || v?.website;
  if (web && /^https?:\/\//.test(web)) rows.push(h("li", "Website: ", h("a", { href: web, rel: "noopener noreferrer" }, web.replace(/^https?:\/\//, "").replace(/\/$/, ""))));
  return rows.length ? h("ul", { class: "contact" }, rows) : h("p", "No contact details given.");
}
