// Router: hash routes (#/find, #/listing/<id>, #/match, #/plan, #/agency…), so deep links
// work and nothing after the # (a plan, the person's answers) reaches the server.
import { h, announce } from "./js/util.js";

const ROUTES = [
  [/^\/?(?:find)?$/, "find", "Find activities"],
  [/^\/listing\/([0-9a-f-]{36})$/i, "listing", "Activity"],
  [/^\/match$/, "match", "Match together"],
  [/^\/plan(?:\/([A-Za-z0-9_-]+))?$/, "plan", "My plan"],
  [/^\/agency$/, "agency", "For agencies"],
  [/^\/agency\/edit\/([0-9a-f-]{36})$/i, "agency", "Edit a listing"],
  [/^\/agency\/new$/, "agency", "Add a listing"],
];
const SERVICE = "Community activities";

let seq = 0;
let first = true;

function parse() {
  const raw = location.hash.replace(/^#/, "");
  const [path, query = ""] = raw.split("?");
  return { path: path || "/", query: new URLSearchParams(query) };
}

async function route() {
  const { path, query } = parse();
  if (!path.startsWith("/")) return; // an in-page anchor such as #main
  const main = document.getElementById("main");
  const mine = ++seq;
  const found = ROUTES.find(([re]) => re.test(path));
  main.removeAttribute("data-ready");
  main.replaceChildren();
  for (const a of document.querySelectorAll("header nav a")) {
    const section = a.getAttribute("href").slice(2).split("/")[0];
    if (found && found[1] === section) a.setAttribute("aria-current", "page"); else a.removeAttribute("aria-current");
  }
  const heading = h("h1", { tabindex: "-1" }, found ? found[2] : "Page not found");
  main.append(heading);
  const ctx = {
    main, heading, query, path,
    append: (...xs) => main.append(...xs.flat().filter((x) => x != null && x !== false && x !== "")),
    params: found ? path.match(found[0]).slice(1) : [],
    alive: () => mine === seq,
    title(text) { heading.textContent = text; document.title = `${text} – ${SERVICE}`; },
  };
  ctx.title(heading.textContent);
  if (!first) heading.focus();
  first = false;
  if (!found) {
    main.append(h("p", "We could not find that page. ", h("a", { href: "#/" }, "Find activities"), "."));
    main.dataset.ready = "missing";
    return;
  }
  try {
    const view = await import(`./js/${found[1]}.js`);
    ctx.ready = (await view.render(ctx)) || found[1];
  } catch (e) {
    if (!ctx.alive()) return;
    main.append(h("div", { class: "notice notice-error", role: "alert" }, `Something went wrong: ${e.message}`));
    announce(`Something went wrong: ${e.message}`);
  }
  if (ctx.alive()) main.dataset.ready = ctx.ready || found[1];
}

function shell() {
  const credit = document.getElementById("map-credit");
  const { tiles, tileAttribution } = document.body.dataset;
  if (credit && tiles && tileAttribution) credit.textContent = `Map: ${tileAttribution}.`;
  // The skip link moves focus without changing the route.
  document.querySelector(".skip-link")?.addEventListener("click", (e) => {
    e.preventDefault();
    const main = document.getElementById("main");
    main.focus();
    main.scrollIntoView();
  });
}

shell();
window.addEventListener("hashchange", route);
route();
