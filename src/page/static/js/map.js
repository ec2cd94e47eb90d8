// Leaflet maps. Tiles come from the server's setting (data-tiles on <body>); with none, the
// map has no background but the markers still show. Under the current results lies the whole
// directory, drawn tile by tile from GET /v1/map/tiles/{z}/{x}/{y} (clusters and single dots).
// The list beside each map is its accessible equivalent, so the directory's dots are not
// focusable; the numbered result markers keep Leaflet's keyboard support.
import { h } from "./util.js";

const L = () => window.L;
let directoryMissing = false; // this server has no /v1/map/tiles yet: stop asking

const escapeHtml = (s) => s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);

/** A map in `el` (given a label for screen readers). Returns the Leaflet map, or null without Leaflet. */
export function makeMap(el, { label, directory = true, center = [53.8, -1.9], zoom = 6 } = {}) {
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
      if (directoryMissing) { setTimeout(() => done(null, tile)); return tile; }
      const ctrl = new AbortController();
      tile.abort = () => ctrl.abort();
      fetch(`/v1/map/tiles/${coords.z}/${coords.x}/${coords.y}`, { signal: ctrl.signal, headers: { accept: "application/geo+json, application/json" } })
        .then((r) => {
          if (r.status === 404 || r.status === 405) directoryMissing = true;
          return r.ok ? r.json() : null;
        })
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

/** Numbered markers for results: items [{lat, lon, title, href, n}]. Fits the map around them (and `start`). */
export function showResults(map, items, start) {
  if (!map) return null;
  const layer = L().layerGroup().addTo(map);
  const points = [];
  for (const it of items) {
    const icon = L().divIcon({ className: "num-marker", html: h("span", {}, h("span", { "aria-hidden": "true" }, String(it.n)), h("span", { class: "visually-hidden" }, `${it.n}: ${it.title}`)), iconSize: [30, 30], iconAnchor: [15, 15], popupAnchor: [0, -14] });
    const m = L().marker([it.lat, it.lon], { icon, title: it.title, keyboard: true, riseOnHover: true });
    m.bindPopup(() => h("p", { class: "popup" }, h("a", { href: it.href }, it.title), it.extra ? h("br") : null, it.extra || null));
    m.addTo(layer);
    points.push([it.lat, it.lon]);
  }
  if (start) {
    const here = L().divIcon({ className: "start-marker", html: h("span", { class: "visually-hidden" }, "Start"), iconSize: [18, 18] });
    L().marker([start.lat, start.lon], { icon: here, keyboard: false, interactive: false, title: "Where they start" }).addTo(layer);
    points.push([start.lat, start.lon]);
  }
  if (points.length === 1) map.setView(points[0], 15);
  else if (points.length) map.fitBounds(points, { padding: [30, 30], maxZoom: 16 });
  return layer;
}
