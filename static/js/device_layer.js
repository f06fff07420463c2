// The live map's device layer: every device drawn on one <canvas> as a heading arrow in its
// status colour, grouped into pie-chart clusters on a screen grid below CLUSTER_UNTIL_ZOOM.
// One canvas instead of 10,000 DOM markers keeps first paint and each 2 s update cheap
// (bench/bench_live_map.py); nothing here puts device data into markup.

const CLUSTER_UNTIL_ZOOM = 14;
const CELL = 64; // px: the clustering grid
const HIT = 14; // px: how near a click must be to an arrow
const COLOURS = {
  moving: "#1f9d55", idle: "#e0a800", parked: "#3b82c4", offline: "#8a94a0", unknown: "#c2c8cf",
};
const ORDER = ["moving", "idle", "parked", "offline", "unknown"];

export const DeviceLayer = L.Layer.extend({
  // items(): iterable of {id, lat, lng, direction, status}; onDeviceClick(id)
  initialize(options) {
    L.setOptions(this, options);
    this._drawn = [];
    this._frame = null;
    this.stats = { arrows: 0, clusters: 0, ms: 0, draws: 0 };
  },

  onAdd(map) {
    this._canvas = L.DomUtil.create("canvas", "device-layer leaflet-zoom-hide");
    this._canvas.style.pointerEvents = "none";
    map.getPanes().overlayPane.appendChild(this._canvas);
    map.on("moveend zoomend resize viewreset", this.redraw, this);
    map.on("zoomstart", this._hide, this);
    map.on("click", this._onClick, this);
    map.on("mousemove", this._onHover, this);
    this.redraw();
  },

  onRemove(map) {
    L.DomUtil.remove(this._canvas);
    map.off("moveend zoomend resize viewreset", this.redraw, this);
    map.off("zoomstart", this._hide, this);
    map.off("click", this._onClick, this);
    map.off("mousemove", this._onHover, this);
  },

  // Coalesce many changes into one draw on the next animation frame.
  redraw() {
    if (this._frame === null && this._map) {
      this._frame = L.Util.requestAnimFrame(() => {
        this._frame = null;
        this.draw();
      });
    }
    return this;
  },

  _hide() {
    this._canvas.style.visibility = "hidden";
  },

  draw() {
    const map = this._map;
    if (!map) return;
    const started = performance.now();
    const size = map.getSize();
    const ratio = window.devicePixelRatio || 1;
    const canvas = this._canvas;
    if (canvas.width !== size.x * ratio || canvas.height !== size.y * ratio) {
      canvas.width = size.x * ratio;
      canvas.height = size.y * ratio;
      canvas.style.width = `${size.x}px`;
      canvas.style.height = `${size.y}px`;
    }
    L.DomUtil.setPosition(canvas, map.containerPointToLayerPoint([0, 0]));
    canvas.style.visibility = "";
    const ctx = canvas.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, size.x, size.y);

    // 1. Project every device inside the view (plus a margin) to screen pixels.
    const bounds = map.getBounds().pad(0.1);
    const south = bounds.getSouth(), north = bounds.getNorth();
    const west = bounds.getWest(), east = bounds.getEast();
    const points = [];
    for (const item of this.options.items()) {
      if (item.lat < south || item.lat > north || item.lng < west || item.lng > east) continue;
      const p = map.latLngToContainerPoint([item.lat, item.lng]);
      points.push({ x: p.x, y: p.y, item });
    }
    // 2. Below CLUSTER_UNTIL_ZOOM, group them on a screen grid; a lone device stays an arrow.
    const drawn = [];
    if (map.getZoom() < CLUSTER_UNTIL_ZOOM && points.length > 1) {
      const cells = new Map();
      for (const p of points) {
        const key = `${Math.floor(p.x / CELL)}:${Math.floor(p.y / CELL)}`;
        let cell = cells.get(key);
        if (!cell) cells.set(key, (cell = { x: 0, y: 0, members: [] }));
        cell.x += p.x;
        cell.y += p.y;
        cell.members.push(p);
      }
      // Grid cells cut groups at arbitrary lines: merge cells whose centres ended up close,
      // biggest first, so two neighbouring clusters do not sit on top of each other.
      const groups = [...cells.values()]
        .map((c) => ({ x: c.x / c.members.length, y: c.y / c.members.length, members: c.members }))
        .sort((a, b) => b.members.length - a.members.length);
      const kept = [];
      for (const g of groups) {
        const near = kept.find((k) => Math.abs(k.x - g.x) < CELL * 0.7 && Math.abs(k.y - g.y) < CELL * 0.7);
        if (near) {
          const n = near.members.length;
          const m = g.members.length;
          near.x = (near.x * n + g.x * m) / (n + m);
          near.y = (near.y * n + g.y * m) / (n + m);
          near.members.push(...g.members);
        } else {
          kept.push(g);
        }
      }
      for (const g of kept) {
        if (g.members.length === 1) drawn.push({ kind: "arrow", ...g.members[0] });
        else drawn.push({ kind: "cluster", x: g.x, y: g.y, members: g.members });
      }
    } else {
      for (const p of points) drawn.push({ kind: "arrow", ...p });
    }
    // 3. Paint: clusters under arrows; the followed device last, on top.
    let arrows = 0;
    let clusters = 0;
    for (const d of drawn) if (d.kind === "cluster") { drawCluster(ctx, d); clusters += 1; }
    const followed = this.options.followed ? this.options.followed() : null;
    let top = null;
    for (const d of drawn) {
      if (d.kind !== "arrow") continue;
      if (d.item.id === followed) { top = d; continue; }
      drawArrow(ctx, d.x, d.y, d.item);
      arrows += 1;
    }
    if (top) { drawArrow(ctx, top.x, top.y, top.item, true); arrows += 1; }
    this._drawn = drawn;
    this.stats = { arrows, clusters, ms: performance.now() - started, draws: this.stats.draws + 1 };
  },

  // The drawn thing under a container point: an arrow (nearest) or a cluster.
  hit(point) {
    let best = null;
    let bestDistance = Infinity;
    for (const d of this._drawn) {
      const radius = d.kind === "cluster" ? clusterRadius(d.members.length) : HIT;
      const distance = Math.hypot(d.x - point.x, d.y - point.y);
      if (distance <= radius && distance < bestDistance) {
        best = d;
        bestDistance = distance;
      }
    }
    return best;
  },

  _onClick(event) {
    const hit = this.hit(event.containerPoint);
    if (!hit) return;
    if (hit.kind === "arrow") {
      this.options.onDeviceClick(hit.item.id);
    } else {
      const latlngs = hit.members.map((m) => [m.item.lat, m.item.lng]);
      const target = L.latLngBounds(latlngs);
      if (target.getNorthEast().equals(target.getSouthWest())) {
        this._map.setView(target.getCenter(), CLUSTER_UNTIL_ZOOM);
      } else {
        this._map.fitBounds(target, { padding: [40, 40], maxZoom: CLUSTER_UNTIL_ZOOM });
      }
    }
  },

  _onHover(event) {
    const container = this._map.getContainer();
    const hit = this.hit(event.containerPoint);
    container.style.cursor = hit ? "pointer" : "";
    if (hit && hit.kind === "arrow" && this.options.tooltip) {
      container.title = this.options.tooltip(hit.item.id);
    } else if (hit) {
      container.title = `${hit.members.length} devices: click to zoom in`;
    } else {
      container.title = "";
    }
  },
});

function clusterRadius(count) {
  return count < 10 ? 15 : count < 100 ? 18 : count < 1000 ? 22 : 26;
}

function drawCluster(ctx, cluster) {
  const counts = {};
  for (const m of cluster.members) counts[m.item.status] = (counts[m.item.status] || 0) + 1;
  const total = cluster.members.length;
  const radius = clusterRadius(total);
  let angle = -Math.PI / 2;
  for (const status of ORDER) {
    if (!counts[status]) continue;
    const sweep = (counts[status] / total) * Math.PI * 2;
    ctx.beginPath();
    ctx.moveTo(cluster.x, cluster.y);
    ctx.arc(cluster.x, cluster.y, radius, angle, angle + sweep);
    ctx.closePath();
    ctx.fillStyle = COLOURS[status];
    ctx.fill();
    angle += sweep;
  }
  ctx.beginPath();
  ctx.arc(cluster.x, cluster.y, radius * 0.66, 0, Math.PI * 2);
  ctx.fillStyle = "#fff";
  ctx.fill();
  ctx.fillStyle = "#1d2733";
  ctx.font = "600 11px system-ui, sans-serif";
  ctx.textAlign = "center";
  ctx.textBaseline = "middle";
  ctx.fillText(String(total), cluster.x, cluster.y + 0.5);
}

function drawArrow(ctx, x, y, item, highlighted) {
  const colour = COLOURS[item.status] || COLOURS.unknown;
  const direction = item.direction;
  ctx.lineWidth = highlighted ? 2.5 : 1.2;
  ctx.strokeStyle = highlighted ? "#14324d" : "rgba(0,0,0,.65)";
  ctx.fillStyle = colour;
  if (direction === null || direction === undefined || direction < 0) {
    // No heading known: a dot.
    ctx.beginPath();
    ctx.arc(x, y, highlighted ? 8 : 6, 0, Math.PI * 2);
    ctx.fill();
    ctx.stroke();
    return;
  }
  const a = (direction * Math.PI) / 180;
  const s = highlighted ? 1.35 : 1;
  const sin = Math.sin(a) * s;
  const cos = Math.cos(a) * s;
  // An arrowhead pointing at `direction` (0 = north, clockwise), centred on the position.
  const pts = [[0, -11], [7, 8], [0, 4], [-7, 8]];
  ctx.beginPath();
  pts.forEach(([px, py], i) => {
    const rx = x + px * cos - py * sin;
    const ry = y + px * sin + py * cos;
    if (i) ctx.lineTo(rx, ry); else ctx.moveTo(rx, ry);
  });
  ctx.closePath();
  ctx.fill();
  ctx.stroke();
}
