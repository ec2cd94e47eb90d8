// Checks the interactive reference at /docs in headless Chromium, the way a newcomer uses it:
// the page renders every documented operation, and "Try it out" on GET /v1/assets returns
// results. Every request the page makes must go to the service itself: the reference has to
// work with no internet, and nothing on it may break the service's Content-Security-Policy. Usage: node docs-check.mjs BASE_URL [SCREENSHOT.png]
import { chromium } from "playwright-core";

const base = (process.argv[2] ?? "http://127.0.0.1:8080").replace(/\/$/, "");
const screenshot = process.argv[3];
const origin = new URL(base).origin;

function fail(message) {
  console.error(`docs check: ${message}`);
  process.exit(1);
}

const spec = await (await fetch(`${base}/openapi.json`)).json();
// Swagger UI shows the webhooks (requests this service sends) beside the operations.
const operations = [...Object.values(spec.paths), ...Object.values(spec.webhooks ?? {})].flatMap((item) =>
  Object.keys(item).filter((k) => ["get", "put", "post", "delete", "patch"].includes(k)),
).length;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
});
try {
  const page = await browser.newPage();
  const elsewhere = [];
  await page.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith(origin) || url.startsWith("data:")) return route.continue();
    elsewhere.push(url);
    return route.abort();
  });
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  // The service sends a Content-Security-Policy: anything it blocks on the page is a fault.
  page.on("console", (m) => {
    if (m.type() === "error" && /Content Security Policy/i.test(m.text())) errors.push(m.text());
  });

  await page.goto(`${base}/docs/`, { waitUntil: "networkidle" });
  await page.waitForSelector(".opblock", { timeout: 30_000 });
  const shown = await page.locator(".opblock").count();
  if (shown !== operations) fail(`the page shows ${shown} operations; the document has ${operations}`);

  const search = page.locator("#operations-assets-searchAssets");
  const toggle = search.locator(".opblock-summary-control");
  if ((await toggle.getAttribute("aria-expanded")) !== "true") await toggle.click();
  const tryOut = search.locator(".try-out__btn");
  if ((await tryOut.innerText()).trim().toLowerCase() === "try it out") await tryOut.click();
  await search.locator('tr[data-param-name="postcode"] input').fill("M32 0JG");
  await search.locator('tr[data-param-name="limit"] input').fill("5");
  await search.getByRole("button", { name: "Execute" }).click();
  const status = search.locator(".live-responses-table .response .response-col_status").first();
  await status.waitFor({ timeout: 30_000 });
  const code = (await status.innerText()).trim();
  if (code !== "200") fail(`"Try it out" on GET /v1/assets answered ${code}`);
  const body = await search.locator(".live-responses-table .response-col_description pre").first().innerText();
  const items = JSON.parse(body).items ?? [];
  if (items.length === 0) fail(`"Try it out" on GET /v1/assets returned no assets`);

  if (elsewhere.length > 0) fail(`the page asked for resources elsewhere: ${elsewhere.join(", ")}`);
  if (errors.length > 0) fail(`the page raised errors: ${errors.join("; ")}`);
  if (screenshot) await page.screenshot({ path: screenshot, fullPage: false });
  console.log(
    `docs check: ${shown} operations rendered; "Try it out" on GET /v1/assets returned ${items.length} assets, first "${items[0].title}"; no request left ${origin}`,
  );
} finally {
  await browser.close();
}
