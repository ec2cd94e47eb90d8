// Leaflet maps: tiles from data-tiles (none: a blank background, markers still show); under
// the results, the whole directory from GET /v1/map/tiles/{z}/{x}/{y}. The list beside each
// map is its accessible equivalent, so only the map itself takes keyboard focus.
import { h } from "./util.js";

const L = () => window.L;

const escapeHtml = (s) => s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);

// Leaflet loads only on pages with a map. Starting early lets it load while the API answers.
let loading;
export const loadMap = () => (loading ||= new Promise((done) => {
  if (L()) return done();
  const s = document.createElement("script");
  s.src = "/ui/vendor/leaflet/leaflet.js";
  s.onload = s.onerror = () => done();
  document.head.append(s);
}));

/** A map in `el` (given a label for screen readers). Resolves to the Leaflet map, or null without Leaflet. */
export async function makeMap(el, { label, directory = true, center = [53.8, -1.9], zoom = 6 } = {}) {
  await loadMap();
  if (!L()) { el.append(h("p", { class: "hint" }, "The map could not load. The list has everything the map shows.")); return null; }
  el.setAttribute("role", "region");
  el.setAttribute("aria-label", label);
  const map = L().map(el, { center, zoom, scrollWheelZoom: false, zoomSnap: 1 });
  map.attributionControl.setPrefix(false);
  const tiles = document.body.dataset.tiles;
  if (tiles) L().tileLayer(tiles, { attribution: escapeHtml(document.body.dataset.tileAttribution || ""), maxZoom: 19 }).addTo(map);
  else map.attributionControl.remove();
  if (directory) {
    const pane = map.createPane("directory");
    pane.setAttribute("aria-hidden", "true");
    directoryLayer().addTo(map);
  }
  return map;
}

function directoryLayer() {
  return new (L().GridLayer.extend({
    options: { pane: "directory", minZoom: 5, maxZoom: 19, updateWhenZooming: false, keepBuffer: 1 },
    createTile(coords, done) {
      const tile = document.createElement("div");
      const ctrl = new AbortController();
      tile.abort = () => ctrl.abort();
      fetch(`/v1/map/tiles/${coords.z}/${coords.x}/${coords.y}`, { signal: ctrl.signal, headers: { accept: "application/geo+json, application/json" } })
        .then((r) => (r.ok ? r.json() : null))
        .then((fc) => { if (fc && this._map) draw(this._map, tile, fc, coords, this.getTileSize()); done(null, tile); })
        .catch((e) => done(e, tile));
      return tile;
    },
    onAdd(map) {
      L().GridLayer.prototype.onAdd.call(this, map);
      this.on("tileunload", (e) => e.tile.abort?.());
    },
  }))();
}

function draw(map, tile, fc, coords, size) {
  const origin = coords.scaleBy(size);
  for (const f of fc.features || []) {
    const [lon, lat] = f.geometry?.coordinates || [];
    if (lat == null) continue;
    const p = map.project([lat, lon], coords.z).subtract(origin);
    const n = f.properties?.count ?? 1;
    const el = document.createElement("span");
    if (n > 1) {
      el.className = `dir-cluster ${n >= 100 ? "big" : n >= 10 ? "mid" : ""}`;
      el.textContent = n > 999 ? `${Math.round(n / 1000)}k` : String(n);
      el.title = `${n} listings here: click to zoom in`;
      el.addEventListener("click", (e) => { e.stopPropagation(); map.setView([lat, lon], Math.min(coords.z + 2, 18)); });
    } else {
      el.className = "dir-dot";
      el.title = f.properties?.title || "A listing";
      const id = f.properties?.id;
      if (id) el.addEventListener("click", (e) => { e.stopPropagation(); location.hash = `#/listing/${id}`; });
    }
    el.style.left = `${p.x}px`;
    el.style.top = `${p.y}px`;
    L().DomEvent.disableClickPropagation(el);
    tile.append(el);
  }
}

// Numbered markers [{lat, lon, title, href, n, extra}], one per place. No Tab stops: the list
// is the keyboard's way in (the map's own keys still pan and zoom). Fits the map around them.
export function showResults(map, items, start) {
  if (!map) return null;
  const layer = L().layerGroup().addTo(map);
  const places = new Map();
  for (const it of items) {
    const k = `${it.lat.toFixed(5)},${it.lon.toFixed(5)}`;
    places.set(k, [...(places.get(k) || []), it]);
  }
  const points = [];
  for (const group of places.values()) {
    const { lat, lon } = group[0];
    const label = group.length > 2 ? `${group[0].n}+` : group.map((g) => g.n).join(",");
    const icon = L().divIcon({ className: `num-marker${label.length > 2 ? " wide" : ""}`, html: h("span", { "aria-hidden": "true" }, label), iconSize: [label.length > 2 ? 44 : 30, 30], popupAnchor: [0, -14] });
    const m = L().marker([lat, lon], { icon, title: group.map((g) => `${g.n}. ${g.title}`).join("\n"), keyboard: false, riseOnHover: true });
    m.bindPopup(() => h("ul", { class: "popup" }, group.map((g) => h("li", `${g.n}. `, h("a", { href: g.href }, g.title), g.extra ? ` (${g.extra})` : ""))));
    m.addTo(layer);
    points.push([lat, lon]);
  }
  if (start) {
    L().marker([start.lat, start.lon], { icon: L().divIcon({ className: "start-marker", iconSize: [18, 18] }), keyboard: false, interactive: false, title: "Where they start" }).addTo(layer);
    points.push([start.lat, start.lon]);
  }
  if (points.length === 1) map.setView(points[0], 15);
  else if (points.length) map.fitBounds(points, { padding: [30, 30], maxZoom: 16 });
  return layer;
}
