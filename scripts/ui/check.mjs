// End-to-end check of the page at / in headless Chromium, against a server with the demo data:
// Find (keyboard only) -> listing -> calendar link; Match together -> plan -> print (one A4
// page), calendar file, plan link in a fresh browser; For agencies: sign in, confirm, add,
// edit (with the API's field errors and a 412), sign out. On every state: axe-core (WCAG 2.2
// AA tags must find nothing), no request to another origin, no CSP violation, no page error;
// no horizontal scrolling on a phone and at 200% zoom; each page ready in under a second.
//
// Usage (from the repo root or from scripts/ui):
//   node scripts/ui/check.mjs BASE_URL AGENCY_KEY [--screenshots DIR]
// The check creates one listing for the key's organisation and archives it at the end.
import { chromium } from "playwright-core";
import { readFileSync, readdirSync, statSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const staticDir = path.resolve(here, "../../src/page/static");
const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

const args = process.argv.slice(2);
const shotsAt = args.indexOf("--screenshots");
const shots = shotsAt >= 0 ? path.resolve(args.splice(shotsAt, 2)[1]) : null;
const [baseArg, key] = args;
if (!baseArg || !key) {
  console.error("usage: node check.mjs BASE_URL AGENCY_KEY [--screenshots DIR]");
  process.exit(2);
}
const base = baseArg.replace(/\/$/, "");
const origin = new URL(base).origin;
if (shots) mkdirSync(shots, { recursive: true });

const JS_BUDGET = 90 * 1024;
const CSS_BUDGET = 25 * 1024;
const READY_MS = 1000;
const WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];
const PERSON_WORDS = ["swimming", "walking", "reading"];
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
const ZOOMED = { width: 640, height: 400 }; // 1280x800 at 200%

class Failure extends Error {}
const fail = (message) => { throw new Failure(message); };
const ok = (message) => console.error(`ui check: ok: ${message}`);
const note = (message) => console.error(`ui check: note: ${message}`);

// ---- static budgets ------------------------------------------------------------------------

function filesUnder(dir, ext) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (name === "vendor") continue;
    if (statSync(p).isDirectory()) out.push(...filesUnder(p, ext));
    else if (name.endsWith(ext)) out.push(p);
  }
  return out;
}

function budgets() {
  const size = (files) => files.reduce((n, f) => n + statSync(f).size, 0);
  const js = size(filesUnder(staticDir, ".js"));
  const css = size(filesUnder(staticDir, ".css"));
  if (js > JS_BUDGET) fail(`our JavaScript is ${js} bytes, over the ${JS_BUDGET}-byte budget`);
  if (css > CSS_BUDGET) fail(`our CSS is ${css} bytes, over the ${CSS_BUDGET}-byte budget`);
  ok(`sizes: JavaScript ${(js / 1024).toFixed(1)} KB of ${JS_BUDGET / 1024} KB, CSS ${(css / 1024).toFixed(1)} KB of ${CSS_BUDGET / 1024} KB (Leaflet excluded)`);
}

// ---- API helpers (for setting up and checking what the page did) ----------------------------

async function apiCall(pathname, { method = "GET", body, headers = {} } = {}) {
  const res = await fetch(`${base}${pathname}`, {
    method,
    headers: { accept: "application/json", authorization: `Bearer ${key}`, ...(body ? { "content-type": "application/json" } : {}), ...headers },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  let data = null;
  try { data = JSON.parse(text); } catch { /* not JSON */ }
  return { status: res.status, data, etag: res.headers.get("etag") };
}

// ---- browser -------------------------------------------------------------------------------

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});

// A server set up with map tiles from elsewhere may have the page ask that origin for images
// (its CSP allows it); the check stays offline: such requests are refused but not counted as faults.
const tilesTemplate = ((await (await fetch(`${base}/`)).text()).match(/data-tiles="([^"]*)"/) || [])[1] || "";
const tileOrigin = /^https?:\/\//.test(tilesTemplate) ? new URL(tilesTemplate.replace(/[{}]/g, "")).origin : null;
let tileRequests = 0;

const requests = []; // every URL any page asked for
const problems = []; // page errors, CSP violations, requests elsewhere

async function newContext(viewport = DESKTOP, extra = {}) {
  // A browser set up as in the UK, where the page's users are (dates read 03/01/2027).
  const context = await browser.newContext({ viewport, acceptDownloads: true, locale: "en-GB", timezoneId: "Europe/London", ...extra });
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith(`${origin}/`) || url === origin || url.startsWith("data:") || url.startsWith("blob:")) return route.continue();
    if (tileOrigin && url.startsWith(`${tileOrigin}/`) && route.request().resourceType() === "image") { tileRequests++; return route.abort(); }
    problems.push(`a request left ${origin}: ${url}`);
    return route.abort();
  });
  await context.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) =>
      console.error(`Content Security Policy violation: ${e.violatedDirective} blocked ${e.blockedURI || "inline"}`));
  });
  context.on("page", watch);
  return context;
}

function watch(page) {
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("console", (m) => {
    if (/Content Security Policy/i.test(m.text())) problems.push(`CSP: ${m.text()}`);
  });
  page.on("request", (r) => requests.push(r.url()));
}

function clean(where) {
  if (problems.length) fail(`${where}: ${problems.join("; ")}`);
}

const ready = (page, name, timeout = 10_000) =>
  page.waitForSelector(`main[data-ready="${name}"]`, { timeout }).catch(() => fail(`the ${name} page did not become ready`));

/**
 * Loads a URL as a whole new document (not a hash change) and times it until the route's
 * content is ready. A slow first try (a busy machine) is tried once more; both are reported.
 */
async function timedGoto(page, url, name, label) {
  const tries = [];
  for (let i = 0; i < 2; i++) {
    await page.goto("about:blank");
    const t0 = performance.now();
    await page.goto(url);
    await ready(page, name);
    tries.push(Math.round(performance.now() - t0));
    if (tries[i] <= READY_MS) break;
  }
  const ms = tries.at(-1);
  if (ms > READY_MS) fail(`${label} took ${tries.join(" ms, then ")} ms to be ready (limit ${READY_MS} ms)`);
  ok(`${label} ready in ${tries.join(" ms (slow first try), then ")} ms`);
}

async function axe(page, label) {
  if (!(await page.evaluate(() => typeof window.axe === "object"))) await page.evaluate(axeSource);
  const result = await page.evaluate(async (tags) => {
    const r = await window.axe.run(document, { runOnly: { type: "tag", values: [...tags, "best-practice"] }, resultTypes: ["violations"] });
    return r.violations.map((v) => ({ id: v.id, tags: v.tags, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")) }));
  }, WCAG);
  const wcag = result.filter((v) => v.tags.some((t) => WCAG.includes(t)));
  const other = result.filter((v) => !wcag.includes(v));
  if (wcag.length) fail(`axe on ${label}: ${wcag.map((v) => `${v.id} (${v.help}) at ${v.nodes.join(", ")}`).join("; ")}`);
  ok(`axe: no WCAG 2.2 AA violations on ${label}${other.length ? ` (best practice notes: ${other.map((v) => v.id).join(", ")})` : ""}`);
}

/**
 * The page's own words (not the listings' text, which agencies write) as a reading age: the
 * Flesch-Kincaid grade of every sentence of four words or more, plus 5 years (UK reading ages
 * run about five years above US grades). A link worker reads these out.
 */
const READING_AGE = 11;
async function readingAge(page, label) {
  const sentences = await page.evaluate(() => {
    const main = document.querySelector("main");
    const data = [...main.querySelectorAll(".results, .cards, .plan-item, .agency-row, .listing, .listing-body, .understood, #understood, input, select, textarea")];
    const blocks = [...main.querySelectorAll("h1, h2, h3, p, li, label, legend, dt, dd, button, summary, .hint")]
      .filter((el) => !data.some((d) => d.contains(el)) && !el.querySelector("p, li, label, legend, dd"));
    return blocks.flatMap((b) => b.textContent.replace(/\s+/g, " ").trim().split(/(?<=[.!?:])\s+/));
  });
  const syllables = (w) => {
    const word = w.toLowerCase().replace(/[^a-z]/g, "");
    if (word.length <= 3) return 1;
    const groups = word.replace(/(?:[^laeiouy]es|ed|[^laeiouy]e)$/, "").replace(/^y/, "").match(/[aeiouy]{1,2}/g);
    return Math.max(1, groups ? groups.length : 1);
  };
  let words = 0, syll = 0, count = 0;
  for (const s of sentences) {
    const ws = s.match(/[A-Za-z][A-Za-z'’-]*/g) || [];
    if (ws.length < 4) continue;
    count += 1;
    words += ws.length;
    syll += ws.reduce((n, w) => n + syllables(w), 0);
  }
  if (!count) return;
  const grade = 0.39 * (words / count) + 11.8 * (syll / words) - 15.59;
  const age = Math.round((grade + 5) * 10) / 10;
  if (age > READING_AGE) fail(`${label}: the page's words read at age ${age} (${count} sentences), above ${READING_AGE}`);
  ok(`${label}: the page's words read at age ${age} (Flesch-Kincaid over ${count} sentences, ${(words / count).toFixed(1)} words each)`);
}

async function noSideways(page, label) {
  const { scroll, width } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: document.documentElement.clientWidth }));
  if (scroll > width + 1) fail(`${label}: the page scrolls sideways (${scroll}px content in a ${width}px window)`);
}

async function shot(page, name) {
  if (!shots) return;
  const vp = page.viewportSize();
  const height = Math.min(2000, await page.evaluate(() => document.documentElement.scrollHeight));
  await page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true, clip: { x: 0, y: 0, width: vp.width, height } });
}

/** Presses Tab until `test(activeElement)` holds (keyboard only). */
async function tabTo(page, test, arg, what, max = 80) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press("Tab");
    if (await page.evaluate(test, arg)) return;
  }
  fail(`could not reach ${what} with the Tab key`);
}

const text = (page, sel) => page.locator(sel).first().innerText();
const today = () => new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/London" }).format(new Date());
const addDays = (iso, n) => { const d = new Date(`${iso}T12:00:00Z`); d.setUTCDate(d.getUTCDate() + n); return d.toISOString().slice(0, 10); };

let createdId = null;
/** Archives the listing the check made, so the demo data stays as it was. */
async function archive() {
  if (!createdId) return;
  const gone = await apiCall(`/v1/assets/${createdId}`, { method: "DELETE" });
  if (gone.status >= 300) note(`could not archive the listing the check made (${createdId}): ${gone.status}`);
  else ok(`archived the listing the check made (${createdId})`);
  createdId = null;
}
let exitCode = 0;
try {
  budgets();
  const ctx = await newContext();
  const page = await ctx.newPage();

  // ---- 1. Find, keyboard only ---------------------------------------------------------------
  await timedGoto(page, `${base}/#/find`, "find", "find (first load)");
  await tabTo(page, () => document.activeElement?.id === "f-postcode", null, "the postcode field");
  const ring = await page.evaluate(() => { const s = getComputedStyle(document.activeElement); return { style: s.outlineStyle, width: parseFloat(s.outlineWidth) }; });
  if (ring.style === "none" || ring.width < 2) fail(`the focused field has no clear outline (${ring.style} ${ring.width}px)`);
  await page.keyboard.type("M32 0JG");
  await page.keyboard.press("Enter");
  await page.waitForSelector(".results .result", { timeout: 10_000 }).catch(() => fail("Find showed no results near M32 0JG"));
  const results = await page.locator(".results .result").count();
  await page.waitForFunction(() => document.querySelectorAll(".leaflet-marker-icon.num-marker").length > 0, null, { timeout: 5000 }).catch(() => fail("the map shows no markers"));
  const markers = await page.locator(".leaflet-marker-icon.num-marker").count();
  if (markers < 1 || markers > results) fail(`the map shows ${markers} markers for ${results} results`);
  await page.waitForFunction(() => /activit(y|ies) near M32 0JG/.test(document.getElementById("status").textContent), null, { timeout: 2000 })
    .catch(async () => fail(`the live region did not announce the results: "${await text(page, "#status")}"`));
  if (!page.url().includes("postcode=M32")) fail(`the search is not in the link: ${page.url()}`);
  // the whole directory's layer under the results
  await page.waitForFunction(() => document.querySelectorAll(".dir-dot, .dir-cluster").length > 0, null, { timeout: 5000 })
    .then(async () => ok(`directory layer drew ${await page.locator(".dir-dot, .dir-cluster").count()} dots and clusters`))
    .catch(() => fail("the map's directory layer (GET /v1/map/tiles) drew nothing"));
  ok(`find: ${results} results in the list, ${markers} numbered markers on the map, announced; focus ring ${ring.width}px`);
  // the map takes focus (Leaflet's keys pan and zoom it) and lets it go again
  await page.focus("#results-map");
  for (let i = 0; i < 4 && (await page.evaluate(() => !!document.activeElement?.closest(".leaflet-container"))); i++) await page.keyboard.press("Tab");
  if (await page.evaluate(() => !!document.activeElement?.closest(".leaflet-container"))) fail("the map keeps keyboard focus: Tab does not leave it");
  await page.keyboard.press("Shift+Tab");
  await axe(page, "find with results");
  await readingAge(page, "find");
  await shot(page, "find-desktop");
  // open a listing that has weekly times, still with the keyboard
  const target = await page.evaluate(() => [...document.querySelectorAll(".results .result")].find((li) => /When: /.test(li.innerText))?.querySelector("h3 a")?.textContent);
  if (!target) fail("no result near M32 0JG has weekly times");
  await tabTo(page, (t) => document.activeElement?.textContent === t && document.activeElement.closest(".results"), target, `the result "${target}"`, 120);
  await page.keyboard.press("Enter");
  await ready(page, "listing");
  if (!(await page.evaluate(() => document.activeElement?.tagName === "H1"))) fail("focus did not move to the heading after opening the listing");
  const sessions = await page.locator("section:has(h2:text-is('When')) ul.sessions li").count();
  if (sessions < 1) fail(`the listing "${target}" shows no upcoming sessions`);
  const contacts = await page.locator("section:has(h2:text-is('Who to contact')) a[href^='tel:'], section:has(h2:text-is('Who to contact')) a[href^='mailto:'], section:has(h2:text-is('Who to contact')) a[href^='http']").count();
  if (contacts < 1) fail(`the listing "${target}" shows no way to contact them`);
  const ics = await page.getAttribute("#calendar-link", "href");
  const icsType = await page.evaluate(async (u) => (await fetch(u)).headers.get("content-type"), ics);
  if (!/^text\/calendar/.test(icsType || "")) fail(`the calendar link ${ics} answered ${icsType}`);
  ok(`listing "${target}": ${sessions} upcoming sessions, ${contacts} contact links, calendar link is ${icsType}`);
  await axe(page, "listing");
  await shot(page, "listing-desktop");
  const listingUrl = page.url();
  await timedGoto(page, `${base}/#/find?postcode=M32+0JG`, "find", "find with results and the map (fresh load)");
  await timedGoto(page, listingUrl, "listing", "listing (fresh load)");
  clean("find and listing");

  // ---- 2. Match together -> plan -----------------------------------------------------------
  await timedGoto(page, `${base}/#/match`, "match", "match");
  const before = requests.length;
  await page.locator("#m-interests").pressSequentially("swimming, walking, reading", { delay: 20 });
  await page.waitForFunction(() => document.querySelectorAll("#understood:not([hidden]) li").length >= 3, null, { timeout: 5000 })
    .catch(() => fail("the 'how we understood it' list did not appear while typing"));
  const understood = await text(page, "#understood");
  if (!/swimming/i.test(understood)) fail(`the understood list does not mention swimming: ${understood}`);
  ok(`match: while typing, "how we understood it" shows: ${understood.replace(/\s+/g, " ").slice(0, 120)}`);
  await page.fill("#m-location-postcode", "M32 0JG");
  await page.check("#m-travel-mode");
  await page.fill("#m-travel-max_minutes", "30");
  await page.fill("#m-budget-max_pence_per_session", "5");
  for (const slot of ["m-free-mon-evening", "m-free-wed-morning", "m-free-sat-morning", "m-free-tue-morning", "m-free-thu-afternoon"]) await page.check(`#${slot}`);
  await page.click("button:text-is('Find suggestions')");
  await page.waitForSelector(".cards .card", { timeout: 10_000 }).catch(() => fail("Match together gave no suggestions"));
  const cards = await page.locator(".cards .card").count();
  const withReasons = await page.locator(".cards .card .say li").count();
  if (withReasons < cards) fail("some suggestions have no reasons to read out");
  ok(`match: ${cards} suggestions with reasons ("Say:") and cautions ("Check:")`);
  await axe(page, "match with results");
  await readingAge(page, "match");
  await shot(page, "match-desktop");
  // "They've tried this": it goes, and the list is asked for again
  const ids = () => page.$$eval(".cards .card h3 a", (as) => as.map((a) => a.getAttribute("href").split("/").pop()));
  const firstId = (await ids())[0];
  await page.locator(".cards .card").first().locator("button", { hasText: "They've tried this" }).click();
  await page.waitForFunction((id) => document.querySelector(".cards") && ![...document.querySelectorAll(".cards .card h3 a")].some((a) => a.getAttribute("href").endsWith(id)), firstId, { timeout: 10_000 })
    .catch(() => fail("the suggestion they tried is still shown"));
  ok("match: a suggestion they tried is gone after asking again");
  // add two with upcoming sessions to the plan
  const chosen = await page.evaluate(() => [...document.querySelectorAll(".cards .card")].filter((c) => /Next: /.test(c.innerText)).slice(0, 2).map((c) => c.querySelector("h3 a").textContent));
  if (chosen.length < 2) fail("fewer than two suggestions have an upcoming session");
  for (const title of chosen) await page.locator(".cards .card", { has: page.locator(`h3 a:text-is("${title}")`) }).locator("button", { hasText: "Add to plan" }).click();
  const leaked = requests.slice(before).filter((u) => PERSON_WORDS.some((w) => u.toLowerCase().includes(w)));
  if (leaked.length) fail(`the person's answers went into request URLs: ${leaked.join(", ")}`);
  await page.click("header nav a:text-is('My plan')");
  await ready(page, "plan");
  const planTitles = await page.$$eval(".plan-item h2", (hs) => hs.map((x) => x.textContent));
  if (planTitles.length !== 2 || !chosen.every((t) => planTitles.includes(t))) fail(`the plan shows ${JSON.stringify(planTitles)}, expected ${JSON.stringify(chosen)}`);
  const dates = await page.$$eval(".plan-item", (items) => items.map((i) => i.querySelectorAll(".dates li").length));
  if (dates.some((n) => n < 1)) fail(`a plan item shows no next dates (${dates})`);
  const review = await page.inputValue("#p-review");
  if (review !== addDays(today(), 28)) fail(`the review date is ${review}, expected 4 weeks from today (${addDays(today(), 28)})`);
  if (!/Nothing about this person is saved on our server/.test(await text(page, "main"))) fail("the plan does not say that nothing is saved on the server");
  await page.fill("#p-name", "J.S.");
  await page.fill("#p-notes", "Meet Sam at the front door at 9:50.");
  ok(`plan: ${planTitles.join(" + ")}, next dates ${dates.join("/")} each, review on ${review}`);
  await axe(page, "plan");
  await readingAge(page, "plan");
  await shot(page, "plan-desktop");
  // print: one A4 page
  await page.emulateMedia({ media: "print" });
  const pdf = (await page.pdf({ format: "A4", printBackground: true })).toString("latin1");
  await page.emulateMedia({ media: "screen" });
  const pages = (pdf.match(/\/Type\s*\/Page(?!s)/g) || []).length;
  if (pages !== 1) fail(`the printed plan has ${pages} pages, not 1`);
  ok("plan: prints on one A4 page");
  // calendar file
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("button:text-is('Download calendar file')")]);
  const cal = readFileSync(await download.path(), "utf8");
  const events = (cal.match(/^BEGIN:VEVENT\r$/gm) || []).length;
  if (!cal.startsWith("BEGIN:VCALENDAR\r\n") || !cal.trimEnd().endsWith("END:VCALENDAR")) fail("the calendar file is not a VCALENDAR");
  if (/[^\r]\n/.test(cal)) fail("the calendar file has lines that do not end in CRLF");
  if (events < 2) fail(`the calendar file has ${events} events`);
  if (cal.split("\r\n").some((l) => Buffer.byteLength(l) > 75)) fail("the calendar file has lines longer than 75 octets");
  if (!/DTSTART;TZID=Europe\/London:/.test(cal) || (cal.match(/^UID:/gm) || []).length !== events) fail("the calendar file's events lack Europe/London times or UIDs");
  ok(`plan: calendar file ${download.suggestedFilename()} with ${events} events`);
  // the plan's link, opened in a fresh browser
  await ctx.grantPermissions(["clipboard-read", "clipboard-write"], { origin });
  await page.click("button:text-is('Copy link to this plan')");
  const link = await page.inputValue("#p-link");
  if (!link.startsWith(`${base}/#/plan/`)) fail(`the plan link is ${link}`);
  const copied = await page.evaluate(() => navigator.clipboard.readText()).catch(() => null);
  if (copied !== null && copied !== link) fail("the copied link is not the plan's link");
  // the person's answers: not in storage, not in the URL (except a plan link's fragment)
  const stored = await page.evaluate(() => JSON.stringify({ s: { ...sessionStorage }, l: { ...localStorage } }).toLowerCase());
  const inStore = PERSON_WORDS.filter((w) => stored.includes(w));
  if (inStore.length) fail(`the person's answers are in browser storage: ${inStore.join(", ")}`);
  const urlNow = page.url().replace(/#\/plan\/.*$/, "");
  if (PERSON_WORDS.some((w) => urlNow.toLowerCase().includes(w))) fail(`the person's answers are in the URL: ${page.url()}`);
  const fresh = await newContext();
  const other = await fresh.newPage();
  await timedGoto(other, link, "plan", "plan from its link (fresh browser)");
  const again = await other.$$eval(".plan-item h2", (hs) => hs.map((x) => x.textContent));
  if (JSON.stringify(again) !== JSON.stringify(planTitles)) fail(`the plan link shows ${JSON.stringify(again)}`);
  if ((await other.inputValue("#p-review")) !== review || (await other.inputValue("#p-name")) !== "J.S." || !(await other.inputValue("#p-notes")).includes("front door")) fail("the plan link lost the review date, name or notes");
  ok("plan: its link shows the same plan in a fresh browser; the person's answers are not in storage or URLs");
  await fresh.close();
  clean("match and plan");

  // ---- 3. For agencies -----------------------------------------------------------------------
  await timedGoto(page, `${base}/#/agency`, "agency-signin", "agency sign-in");
  await axe(page, "agency, signed out");
  await readingAge(page, "agency sign-in");
  await page.fill("#a-key", key);
  await page.press("#a-key", "Enter");
  await page.waitForSelector("#org-name", { timeout: 10_000 }).catch(async () => fail(`signing in failed: ${await text(page, "main")}`));
  const org = await text(page, "#org-name");
  const keyInLocal = await page.evaluate((k) => JSON.stringify({ ...localStorage }).includes(k), key);
  if (keyInLocal) fail("the API key is in localStorage");
  if (page.url().includes(key)) fail("the API key is in the URL");
  if (requests.some((u) => u.includes(key))) fail("the API key was put in a request URL");
  if (!(await page.evaluate((k) => sessionStorage.getItem("agencyKey") === k, key))) fail("the key is not kept in sessionStorage");
  const rows = await page.$$eval(".agency-row", (rs) => rs.map((r) => ({ id: r.dataset.id, title: r.querySelector("h2").textContent, badge: r.querySelector(".badge").className })));
  if (!rows.length) fail("the agency sees no listings");
  const rank = (b) => (b.includes("stale") ? 0 : b.includes("due") ? 1 : 2);
  if (rows.some((r, i) => i && rank(rows[i - 1].badge) > rank(r.badge))) fail("the listings are not sorted stale, due, then fresh");
  ok(`agency: signed in for "${org}", ${rows.length} listings with freshness, key only in sessionStorage`);
  await axe(page, "agency list");
  await shot(page, "agency-desktop");
  // confirm one
  const first = rows[0];
  const row = page.locator(`.agency-row[data-id="${first.id}"]`);
  await row.locator("button", { hasText: "Still running as described" }).click();
  await page.waitForFunction((id) => /^Last checked/.test(document.querySelector(`.agency-row[data-id="${id}"] .checked`)?.textContent || ""), first.id, { timeout: 10_000 })
    .catch(() => fail("confirming did not update the row's last checked date"));
  const confirmed = await apiCall(`/v1/assets/${first.id}`);
  if (!confirmed.data?.confirmed_at || Date.now() - Date.parse(confirmed.data.confirmed_at) > 120_000) fail(`the API does not show "${first.title}" as just confirmed`);
  await page.waitForFunction(() => /^Saved/.test(document.getElementById("status").textContent), null, { timeout: 2000 }).catch(() => fail("confirming was not announced as saved"));
  ok(`agency: confirmed "${first.title}" (now ${await text(page, `.agency-row[data-id="${first.id}"] .checked`)}), announced`);
  // add a listing, with a postcode look-up
  const stamp = new Date().toISOString().slice(0, 19).replace("T", " ");
  const newTitle = `UI check: knitting circle ${stamp}`;
  await page.click("a:text-is('Add a listing')");
  await ready(page, "agency-new");
  await page.selectOption("#f-kind", "group");
  await page.fill("#f-title", newTitle);
  await page.fill("#f-description", "Made by the page's end-to-end check; it is archived straight away.");
  await page.fill("#f-interests", "knitting, crafts");
  await page.fill("#f-venue-name", "Stretford Public Hall");
  await page.fill("#f-venue-postcode", "ZZ1 1ZZ");
  await page.click("button:text-is('Look up postcode')");
  await page.waitForFunction(() => /^Not found/.test(document.querySelector("#postcode-found")?.textContent || ""), null, { timeout: 5000 })
    .catch(() => fail("looking up an unknown postcode did not say so"));
  await page.fill("#f-venue-postcode", "M32 0JG");
  await page.click("button:text-is('Look up postcode')");
  await page.waitForFunction(() => /^Found: /.test(document.querySelector("#postcode-found")?.textContent || ""), null, { timeout: 5000 })
    .catch(() => fail("looking up M32 0JG found nothing"));
  const found = await text(page, "#postcode-found");
  await page.selectOption("#f-venue-venue_type", "community_centre");
  await page.fill("#f-contact-email", "hello@example.org");
  await page.check("#f-cost-free");
  await page.click("button:text-is('Add a session')");
  await page.selectOption("#f-schedule-weekly-0-day", "tue");
  await page.fill("#f-schedule-weekly-0-start", "10:00");
  await page.fill("#f-schedule-weekly-0-end", "11:30");
  await axe(page, "new-listing form");
  await page.click("button:text-is('Add the listing')");
  await ready(page, "listing");
  createdId = page.url().split("/").pop();
  const created = await apiCall(`/v1/assets/${createdId}`);
  if (created.status !== 200 || created.data.title !== newTitle) fail(`the new listing is not in the API (${created.status})`);
  ok(`agency: added "${newTitle}" (${found}); GET /v1/assets/${createdId} has it`);
  // edit it: a bad email first, shown next to the field and in the summary
  await page.goto(`${base}/#/agency`);
  await ready(page, "agency-list");
  await page.locator(`.agency-row[data-id="${createdId}"] a[href^="#/agency/edit/"]`).click();
  await ready(page, "agency-edit");
  await page.fill("#f-contact-email", "not-an-email");
  await page.click("button:text-is('Save changes')");
  await page.waitForSelector("#f-contact-email-error", { timeout: 10_000 }).catch(() => fail("a bad email gave no error next to the field"));
  const apiReason = (await apiCall(`/v1/assets/${createdId}`, { method: "PUT", headers: { "if-match": (await apiCall(`/v1/assets/${createdId}`)).etag }, body: { kind: "group", title: newTitle, interests: ["knitting"], online: true, contact: { email: "not-an-email" } } })).data?.errors?.find((e) => e.field === "contact.email")?.reason;
  const fieldError = await text(page, "#f-contact-email-error");
  const summary = await text(page, ".error-summary");
  if (!apiReason || !fieldError.includes(apiReason) || !summary.includes(apiReason)) fail(`the API's message for contact.email ("${apiReason}") is not next to the field ("${fieldError}") and in the summary`);
  if (!(await page.evaluate(() => document.activeElement?.classList.contains("error-summary")))) fail("the error summary did not take focus");
  if ((await page.getAttribute(".error-summary a", "href")) !== "#f-contact-email") fail("the error summary does not link to the email field");
  ok(`agency: a bad email shows the API's message "${apiReason}" next to the field and in the focused summary`);
  await axe(page, "edit form with errors");
  await page.fill("#f-contact-email", "hello@example.org");
  await page.fill("#f-title", `${newTitle} (edited)`);
  await page.click("button:text-is('Save changes')");
  await ready(page, "agency-list");
  const edited = await apiCall(`/v1/assets/${createdId}`);
  if (edited.data?.title !== `${newTitle} (edited)`) fail(`after saving, the API's title is "${edited.data?.title}"`);
  if (edited.data?.schedule?.weekly?.length !== 1 || !edited.data.interests.some((i) => i.slug === "knitting")) fail("saving the edit lost the sessions or interests it did not change");
  ok("agency: the edit is saved (GET shows the new title; sessions and interests kept)");
  // someone else changes it while the form is open: 412, said plainly, with a reload
  await page.locator(`.agency-row[data-id="${createdId}"] a[href^="#/agency/edit/"]`).click();
  await ready(page, "agency-edit");
  const cur = await apiCall(`/v1/assets/${createdId}`);
  const bump = await apiCall(`/v1/assets/${createdId}`, { method: "PUT", headers: { "if-match": cur.etag }, body: { kind: "group", title: cur.data.title, description: "Changed elsewhere.", interests: ["knitting"], venue_id: cur.data.venue.id } });
  if (bump.status !== 200) fail(`could not change the listing through the API (${bump.status})`);
  await page.fill("#f-title", `${newTitle} (late)`);
  await page.click("button:text-is('Save changes')");
  await page.waitForSelector("text=Someone else changed this listing", { timeout: 10_000 }).catch(() => fail("a 412 did not say someone else changed it"));
  await page.click("button:text-is('Load the latest version')");
  await ready(page, "agency-edit");
  if ((await page.inputValue("#f-description")) !== "Changed elsewhere.") fail("reloading after a 412 did not show the latest version");
  ok("agency: a change made elsewhere (412) is explained and the latest version can be loaded");
  // sign out
  await page.goto(`${base}/#/agency`);
  await ready(page, "agency-list");
  await page.click("button:text-is('Sign out')");
  await page.waitForSelector("#a-key", { timeout: 5000 }).catch(() => fail("signing out did not show the sign-in form"));
  if (await page.evaluate(() => sessionStorage.getItem("agencyKey"))) fail("the key is still kept after signing out");
  ok("agency: signed out, the key is gone from the tab");
  await archive();
  clean("agency");

  // ---- 4. phone and 200% zoom ----------------------------------------------------------------
  const findUrl = `${base}/#/find?postcode=M32+0JG`;
  for (const [vp, label] of [[PHONE, "phone"], [ZOOMED, "200% zoom"]]) {
    const c = await newContext(vp);
    const p = await c.newPage();
    await p.goto(findUrl);
    await ready(p, "find");
    await p.waitForSelector(".results .result");
    await noSideways(p, `find on a ${label}`);
    if (vp === PHONE) {
      const [list, map] = await Promise.all([p.locator(".results").boundingBox(), p.locator("#results-map").boundingBox()]);
      if (!(map.y >= list.y + list.height - 1 || list.y >= map.y + map.height - 1)) fail("on a phone, the list and the map are not stacked");
      await shot(p, "find-phone");
    }
    await p.goto(listingUrl);
    await ready(p, "listing");
    await noSideways(p, `listing on a ${label}`);
    if (vp === PHONE) await shot(p, "listing-phone");
    await p.goto(`${base}/#/match`);
    await ready(p, "match");
    await p.fill("#m-interests", "swimming, walking");
    await p.fill("#m-location-postcode", "M32 0JG");
    await p.click("button:text-is('Find suggestions')");
    await p.waitForSelector(".cards .card", { timeout: 10_000 });
    await noSideways(p, `match on a ${label}`);
    if (vp === PHONE) { await axe(p, "match on a phone"); await shot(p, "match-phone"); }
    await p.goto(link);
    await ready(p, "plan");
    await noSideways(p, `plan on a ${label}`);
    if (vp === PHONE) {
      await shot(p, "plan-phone");
      await p.goto(`${base}/#/agency`);
      await ready(p, "agency-signin");
      await p.fill("#a-key", key);
      await p.press("#a-key", "Enter");
      await p.waitForSelector("#org-name");
      await noSideways(p, "agency list on a phone");
      await shot(p, "agency-phone");
    }
    ok(`no sideways scrolling on a ${label} (${vp.width}x${vp.height}) on find, listing, match and plan`);
    await c.close();
  }
  clean("phone and zoom");
  if (tileRequests) note(`${tileRequests} map tile requests to ${tileOrigin} were refused (the check runs offline)`);
  console.error("ui check: all checks passed");
} catch (e) {
  exitCode = 1;
  console.error(`ui check: FAILED: ${e instanceof Failure ? e.message : e.stack || e}`);
} finally {
  await archive().catch((e) => note(`could not archive the listing the check made: ${e.message}`));
  await browser.close();
}
process.exit(exitCode);
