// My plan: 1 to 3 activities with dates, journey, cost, who meets them, what to bring and a
// review date; print it, put it in a calendar, or share it as a link (#/plan/<data>).
import { h, field, announce, KIND, MODE, money, priceText, weeklyText, nextSessions, sessionText, addressLines, osmDirections, dateLong, notice, ukNow } from "./util.js";
import { getAsset } from "./api.js";
import { plan, save, remove, replace, encode, decode, MAX } from "./plan-store.js";
import { buildCalendar } from "./ics.js";

export async function render(ctx) {
  ctx.title("My plan");
  const [data] = ctx.params;
  if (data) {
    try {
      replace(decode(data));
    } catch (e) {
      ctx.append(notice(e instanceof SyntaxError || /atob|decode|base64/i.test(e.message) ? "This plan link is not complete. Ask for it again." : e.message, "error"));
      return;
    }
  }
  const privacy = h("p", { class: "privacy" }, "Nothing about this person is saved on our server. The plan lives in this page and in the link.");
  if (!plan.items.length) {
    ctx.append(privacy, h("p", "There is nothing in the plan yet. Choose up to 3 activities from ", h("a", { href: "#/match" }, "Match together"), " or ", h("a", { href: "#/find" }, "Find"), "."));
    return;
  }
  const loaded = await Promise.all(plan.items.map((it) => getAsset(it.id).then((asset) => ({ it, asset }), (error) => ({ it, error }))));
  if (!ctx.alive()) return;

  const name = field({ id: "p-name", label: "Their first name or initials (optional)", value: plan.name, attrs: { autocomplete: "off" }, w: "medium" });
  const review = field({ id: "p-review", label: "Review date", hint: "When you will talk about how it went. We suggest 4 weeks from today.", type: "date", value: plan.review, attrs: { min: ukNow().date }, w: "date" });
  const notes = field({ id: "p-notes", label: "Notes (optional)", hint: "For example, who will go with them the first time.", kind: "textarea", value: plan.notes });
  const printName = h("p", { class: "print-only print-name" });
  const printReview = h("p", { class: "print-only" });
  const printNotes = h("p", { class: "print-only print-notes" });
  const linkBox = field({ id: "p-link", label: "Link to this plan", hint: "Anyone with the link can see the plan. Share it only with them.", attrs: { readonly: true }, w: "full" });

  const updatePrint = () => {
    printName.textContent = plan.name ? `Plan for ${plan.name}` : "";
    printReview.textContent = plan.review ? `Review date: ${dateLong(plan.review)}` : "";
    printNotes.textContent = plan.notes ? `Notes: ${plan.notes}` : "";
    linkBox.input.value = `${location.origin}${location.pathname}#/plan/${encode()}`;
  };
  name.input.addEventListener("input", () => { plan.name = name.input.value.trim(); updatePrint(); });
  notes.input.addEventListener("input", () => { plan.notes = notes.input.value; updatePrint(); });
  review.input.addEventListener("change", () => {
    if (/^\d{4}-\d{2}-\d{2}$/.test(review.input.value)) { plan.review = review.input.value; save(); updatePrint(); announce(`Review date set to ${dateLong(plan.review)}.`); }
  });

  const items = h("ol", { class: "plan-items" });
  for (const { it, asset, error } of loaded) items.append(error ? h("li", { class: "plan-item" }, h("h2", "An activity that could not load"), h("p", error.status === 404 || error.status === 410 ? "It may have stopped running. Take it out and choose another." : error.message)) : item(it, asset));

  const print = h("button", { type: "button", class: "button", on: { click: () => window.print() } }, "Print");
  const ics = h("button", { type: "button", class: "button secondary" }, "Download calendar file");
  ics.addEventListener("click", () => {
    const entries = loaded.filter((x) => x.asset).map(({ it, asset }) => ({
      asset, weekly: chosen(it, asset),
      where: addressLines(asset.venue).join(", "),
      description: [whoMeets(asset).join(". "), `What to bring: ${bring(asset)}`, asset.contact?.phone && `Phone: ${asset.contact.phone}`].filter(Boolean).join("\n"),
    }));
    const text = buildCalendar(entries, plan.review, { name: plan.name });
    const url = URL.createObjectURL(new Blob([text], { type: "text/calendar;charset=utf-8" }));
    const a = h("a", { href: url, download: "activity-plan.ics", class: "visually-hidden" }, "calendar file");
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 30000);
    announce("Calendar file downloaded.");
  });
  const copy = h("button", { type: "button", class: "button secondary" }, "Copy link to this plan");
  copy.addEventListener("click", async () => {
    updatePrint();
    try {
      await navigator.clipboard.writeText(linkBox.input.value);
      announce("Link copied. Paste it into a message or a note.");
    } catch {
      linkBox.input.focus();
      linkBox.input.select();
      announce("Copy the selected link with Control and C.");
    }
  });

  ctx.append(
    privacy,
    printName,
    h("p", { class: "hint no-print" }, `${plan.items.length} of ${MAX} activities. Times are UK times.`),
    items,
    h("section", { class: "block plan-person", "aria-labelledby": "plan-review-h" }, h("h2", { id: "plan-review-h" }, "Review and notes"),
      h("div", { class: "no-print" }, name.wrap, review.wrap, notes.wrap), printReview, printNotes),
    h("div", { class: "action-bar no-print" }, print, ics, copy),
    h("div", { class: "no-print" }, linkBox.wrap));
  updatePrint();

  function item(it, a) {
    const weekly = a.schedule?.weekly || [];
    const dates = nextSessions(a.schedule, 3, { weekly: chosen(it, a) });
    const datesList = h("ul", { class: "dates" });
    const showDates = (list) => datesList.replaceChildren(...(list.length ? list.map((s) => h("li", sessionText(s))) : [h("li", "No dates given: ask them")]));
    showDates(dates);
    let choose = null;
    if (weekly.length > 1) {
      choose = field({ id: `p-session-${a.id}`, label: "Which session will they go to?", kind: "select", value: String(it.s ?? "all"),
        options: [["all", "Any of them"], ...weekly.map((s, i) => [String(i), weeklyText([s])])] });
      choose.input.addEventListener("change", () => {
        it.s = choose.input.value === "all" ? "all" : Number(choose.input.value);
        save();
        showDates(nextSessions(a.schedule, 3, { weekly: chosen(it, a) }));
        updatePrint();
      });
    }
    const loc = a.venue?.location;
    const journey = it.mode && it.min != null ? `About ${it.min} minutes' ${MODE[it.mode] || "journey"} from where they start.` : "Journey not worked out yet: plan the route together.";
    const takeOut = h("button", { type: "button", class: "button secondary small no-print", "aria-label": `Take out of the plan: ${a.title}` }, "Take out of the plan");
    takeOut.addEventListener("click", () => {
      remove(a.id);
      announce(`Took ${a.title} out of the plan.`);
      location.hash === "#/plan" ? window.dispatchEvent(new HashChangeEvent("hashchange")) : (location.hash = "#/plan");
    });
    const fact = (dt, ...dd) => h("div", h("dt", dt), h("dd", ...dd));
    return h("li", { class: "plan-item" },
      h("h2", h("a", { href: `#/listing/${a.id}` }, a.title)),
      h("dl", { class: "plan-facts" },
        fact("What", `${KIND[a.kind] || a.kind} run by ${a.organization?.name ?? "a local organisation"}`),
        fact("Where", addressLines(a.venue).join(", ") || (a.online ? "Online" : "Ask them")),
        fact("Next dates", datesList, choose ? h("div", { class: "no-print" }, choose.wrap) : null),
        fact("Getting there", journey, loc ? [" ", h("a", { class: "no-print", href: osmDirections(loc), rel: "noopener noreferrer" }, "Directions on OpenStreetMap")] : null),
        fact("Cost", it.cost != null ? `${money(it.cost)} for them` : priceText(a.cost)),
        fact("Who will meet them", whoMeets(a).join(". ") || "Not said: ask when they call."),
        fact("What to bring", bring(a))),
      takeOut);
  }
}

const chosen = (it, a) => {
  const weekly = a.schedule?.weekly || [];
  return it.s === "all" || it.s == null || !weekly[it.s] ? weekly : [weekly[it.s]];
};

function whoMeets(a) {
  const c = a.contact || {};
  const nc = a.newcomers || {};
  return [
    c.name && `Ask for ${c.name}`,
    nc.meet_and_greet && "Someone meets new people when they arrive",
    nc.drop_in && "They can just turn up",
    nc.booking_required && "Book first",
    (c.phone || a.venue?.phone) && `Phone ${c.phone || a.venue.phone}`,
    c.email && `Email ${c.email}`,
  ].filter(Boolean);
}

const bring = (a) => a.participation?.attendee_instructions || a.newcomers?.notes || "Nothing special said: ask them.";
