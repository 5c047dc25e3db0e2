// re4-viz explore: the page's viewer (docs/explorer.md). Plain canvas, no
// library, no request: the data sits in the page as JSON (typed arrays as
// base64). Items are drawn into an ImageData (fast at hundreds of thousands of
// points); what changes on hover (rings, stars, highlights) is drawn on top.
"use strict";
(() => {
  const T0 = performance.now();
  const D = JSON.parse(document.getElementById("re4-data").textContent);
  const N = D.n;

  function typed(s, Type) {
    const bin = atob(s), bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    return new Type(bytes.buffer);
  }
  const pop = typed(D.pop, Uint32Array);
  const lowerTitles = D.titles.map((t) => t.toLowerCase());

  // Colours: interests take matplotlib's tab10; genres tab10 when they are few, else tab20, then golden-angle hues.
  const INTEREST = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];
  const TAB20 = ["#1f77b4", "#aec7e8", "#ff7f0e", "#ffbb78", "#2ca02c", "#98df8a", "#d62728", "#ff9896", "#9467bd", "#c5b0d5",
    "#8c564b", "#c49c94", "#e377c2", "#f7b6d2", "#7f7f7f", "#c7c7c7", "#bcbd22", "#dbdb8d", "#17becf", "#9edae5"];
  const interestColor = (k) => INTEREST[k % INTEREST.length];
  function genreColor(g) {
    if (D.genres.length <= INTEREST.length) return INTEREST[g];
    if (g < TAB20.length) return TAB20[g];
    return `hsl(${(g * 137.508) % 360}, 55%, 48%)`;
  }
  function rgbOf(css) {
    const c = document.createElement("canvas").getContext("2d");
    c.fillStyle = css;
    const h = c.fillStyle; // normalised to #rrggbb
    return [parseInt(h.slice(1, 3), 16), parseInt(h.slice(3, 5), 16), parseInt(h.slice(5, 7), 16)];
  }
  const genreRGB = D.genres.map((_, g) => rgbOf(genreColor(g)));
  const itemRGB = new Uint8Array(3 * (N + 1));
  for (let i = 1; i <= N; i++) {
    const g = D.itemGenres[i] && D.itemGenres[i].length ? genreRGB[D.itemGenres[i][0]] : [150, 150, 150];
    itemRGB.set(g, 3 * i);
  }

  // ---- level of detail: while a pan or zoom runs, a seeded uniform sample of the items
  // (the first LOD of one fixed shuffled order, so density is kept and frames do not flicker);
  // every item once the gesture ends ----
  const LOD = Number(new URLSearchParams(location.hash.slice(1)).get("lod")) || 120000;
  const order = (() => {
    const o = new Uint32Array(N);
    for (let i = 0; i < N; i++) o[i] = i + 1;
    let a = 0x9e3779b9;
    const next = () => { a = (a + 0x6d2b79f5) | 0; let t = Math.imul(a ^ (a >>> 15), 1 | a); t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t; return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
    for (let i = N - 1; i > 0; i--) { const j = Math.floor(next() * (i + 1)); const t = o[i]; o[i] = o[j]; o[j] = t; }
    return o;
  })();
  // Each item's place in that order: an item belongs to the sample when its rank is under LOD.
  const rank = new Uint32Array(N + 1);
  for (let q = 0; q < N; q++) rank[order[q]] = q;
  let gesture = false, gestureTimer = 0;
  // ---- state shared by both maps (they are linked) ----
  const state = { selUsers: [], epoch: D.epochs ? D.epochs.length - 1 : 0, hover: 0, pinned: 0, query: "", matches: [], matchMark: new Uint8Array(N + 1), user: -1, selection: [], selMark: new Uint8Array(N + 1) };

  // ---- DOM ----
  const el = (tag, attrs = {}, text) => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    if (text !== undefined) e.textContent = text;
    return e;
  };
  const header = el("header");
  header.append(el("h1", {}, D.title));
  const searchLabel = el("label", {}, "Title ");
  const search = el("input", { id: "search", type: "search", placeholder: "search titles (2+ letters)", "aria-label": "search item titles" });
  searchLabel.append(search);
  const userLabel = el("label", {}, "User ");
  const userInput = el("input", { id: "user", list: "user-list", placeholder: `one of ${D.users.length} test users`, "aria-label": "choose a test user" });
  const userList = el("datalist", { id: "user-list" });
  D.users.forEach((u) => userList.append(el("option", { value: u.id })));
  userLabel.append(userInput, userList);
  const reset = el("button", { id: "reset", type: "button" }, "Reset");
  // Shift-drag selects with the tool chosen here; the maps can move together; category labels on or off.
  const tool = el("select", { id: "tool", "aria-label": "what shift-drag selects with" });
  tool.append(el("option", { value: "box" }, "box"), el("option", { value: "lasso" }, "lasso"));
  const toolLabel = el("label", {}, "Select ");
  toolLabel.append(tool);
  const check = (id, text, on) => {
    const box = el("input", { id, type: "checkbox" }), l = el("label", {});
    box.checked = on; l.append(box, document.createTextNode(text));
    return [box, l];
  };
  const [lock, lockLabel] = check("lock", "lock maps", false);
  const [labelsOn, labelsLabel] = check("labels", "labels", true);
  const [densityOn, densityLabel] = check("density", "density", false);
  const status = el("span", { id: "status", role: "status" });
  header.append(searchLabel, userLabel, toolLabel, lockLabel, labelsLabel, densityLabel);
  // One model's checkpoints across training: a slider moves the chosen user's interests.
  const epochSlider = D.epochs ? el("input", { id: "epoch", type: "range", min: "0", max: String(D.epochs.length - 1), step: "1", "aria-label": "training epoch of the interests shown" }) : null;
  const epochText = el("span", { id: "epoch-label" });
  if (epochSlider) {
    epochSlider.value = String(D.epochs.length - 1);
    const l = el("label", {}, "Interests at ");
    l.append(epochSlider, epochText);
    header.append(l);
  }
  header.append(reset, status);
  const viewsBox = el("main", { id: "views" });
  const side = el("aside", { id: "side" });
  const legend = el("div", { id: "legend" });
  const itemBox = el("div", { id: "item" });
  const selBox = el("div", { id: "selection" });
  const userBox = el("div", { id: "user-panel" });
  side.append(legend, itemBox, selBox, userBox);
  const tip = el("div", { id: "tip" });
  document.body.append(header, viewsBox, side, tip);

  // ---- one map ----
  class View {
    constructor(index, map) {
      this.index = index;
      this.label = map.label;
      this.K = map.K;
      if (map.x) { this.x = typed(map.x, Float32Array); this.y = typed(map.y, Float32Array); }
      else {
        // Positions as 16-bit steps across the extent; 65535: not on this map.
        const [ex0, ex1, ey0, ey1] = map.extent, qx = typed(map.qx, Uint16Array), qy = typed(map.qy, Uint16Array);
        this.x = new Float32Array(N + 1); this.y = new Float32Array(N + 1);
        const fx = (ex1 - ex0) / 65534, fy = (ey1 - ey0) / 65534;
        for (let i = 0; i <= N; i++) {
          if (qx[i] === 65535) { this.x[i] = NaN; this.y[i] = NaN; }
          else { this.x[i] = ex0 + qx[i] * fx; this.y[i] = ey0 + qy[i] * fy; }
        }
      }
      // Each item's nearest items by the cosine of this model's item embeddings (absent on large maps).
      this.nnK = map.nnK || 0;
      this.nn = map.nn ? typed(map.nn, Int32Array) : null;
      let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity, count = 0;
      for (let i = 1; i <= N; i++) {
        const x = this.x[i], y = this.y[i];
        if (!Number.isFinite(x)) continue;
        count++;
        if (x < x0) x0 = x; if (x > x1) x1 = x; if (y < y0) y0 = y; if (y > y1) y1 = y;
      }
      this.count = count;
      this.bounds = [x0, x1, y0, y1];
      this.buildIndex();
      this.placeLabels();
      this.box = el("div", { class: "view" });
      this.box.append(el("h2", {}, `${map.label} · ${count.toLocaleString("en")} items`));
      this.canvas = el("canvas", { tabindex: "0", role: "img", "aria-label": `item map of ${map.label}: arrows pan, + and - zoom, 0 resets` });
      this.box.append(this.canvas);
      viewsBox.append(this.box);
      this.ctx = this.canvas.getContext("2d");
      this.baseKey = "";
      this.stats = {};
      this.dragBox = null;
    }
    // A uniform grid over the map's extent (about 4 items a cell): hover and
    // selection visit the cells they touch instead of every item.
    buildIndex() {
      const [x0, x1, y0, y1] = this.bounds;
      const side = Math.max(1, Math.round(Math.sqrt(Math.max(1, this.count) / 4)));
      this.gw = side; this.gh = side;
      this.cw = Math.max(1e-12, (x1 - x0) / side); this.ch = Math.max(1e-12, (y1 - y0) / side);
      const cellOf = (i) => Math.min(side - 1, Math.floor((this.x[i] - x0) / this.cw)) + side * Math.min(side - 1, Math.floor((this.y[i] - y0) / this.ch));
      const start = new Uint32Array(side * side + 1);
      for (let i = 1; i <= N; i++) if (Number.isFinite(this.x[i])) start[cellOf(i) + 1]++;
      for (let c = 0; c < side * side; c++) start[c + 1] += start[c];
      const fill = start.slice(0, side * side), items = new Uint32Array(this.count);
      for (let i = 1; i <= N; i++) if (Number.isFinite(this.x[i])) items[fill[cellOf(i)]++] = i;
      this.cellStart = start; this.cellItems = items;
    }
    // Calls f(i) for every item in the cells overlapping the data rectangle.
    visit(ax, bx, ay, by, f) {
      const [x0, , y0] = this.bounds, g = this.gw;
      const c0 = Math.max(0, Math.floor((ax - x0) / this.cw)), c1 = Math.min(g - 1, Math.floor((bx - x0) / this.cw));
      const r0 = Math.max(0, Math.floor((ay - y0) / this.ch)), r1 = Math.min(this.gh - 1, Math.floor((by - y0) / this.ch));
      for (let r = r0; r <= r1; r++) for (let c = c0; c <= c1; c++) {
        const cell = c + g * r;
        for (let j = this.cellStart[cell]; j < this.cellStart[cell + 1]; j++) f(this.cellItems[j]);
      }
    }
    // One label per category at its densest place on the map, but only where the category
    // is concentrated beyond chance: on a grid of about 20 items a cell, the fullest cell whose
    // count c of the category is improbable if the category were spread like the map (Poisson
    // with mean e = the cell's items × the category's share: P(X ≥ c) below 1 % divided by the
    // number of cells × categories tried, and c at least 3). A map without category structure
    // gets no labels. Larger categories first.
    placeLabels() {
      const [x0, x1, y0, y1] = this.bounds;
      const G = Math.max(4, Math.min(48, Math.round(Math.sqrt(this.count / 20)))), G2 = G * G;
      const cellTotal = new Uint32Array(G2), per = new Map();
      let withGenre = 0;
      for (let i = 1; i <= N; i++) {
        const x = this.x[i], gs = D.itemGenres[i];
        if (!Number.isFinite(x) || !gs || !gs.length) continue;
        const c = Math.min(G - 1, Math.floor(((x - x0) / Math.max(1e-12, x1 - x0)) * G)) + G * Math.min(G - 1, Math.floor(((this.y[i] - y0) / Math.max(1e-12, y1 - y0)) * G));
        let a = per.get(gs[0]);
        if (!a) { a = { total: 0, cells: new Uint32Array(G2), sx: new Float64Array(G2), sy: new Float64Array(G2) }; per.set(gs[0], a); }
        a.total++; a.cells[c]++; a.sx[c] += x; a.sy[c] += this.y[i];
        cellTotal[c]++; withGenre++;
      }
      this.labels = [];
      const logAlpha = Math.log(0.01 / (G2 * Math.max(1, per.size)));
      // log n! (exact sums below 30, Stirling's series above).
      const logFact = (n) => { if (n < 30) { let t = 0; for (let k = 2; k <= n; k++) t += Math.log(k); return t; } return n * Math.log(n) - n + 0.5 * Math.log(2 * Math.PI * n) + 1 / (12 * n); };
      // log P(X ≥ c), X ~ Poisson(e), for c > e: the first term times the geometric bound of the rest.
      const logTail = (c, e) => -e + c * Math.log(e) - logFact(c) + Math.log((c + 1) / (c + 1 - e));
      for (const [g, a] of per) {
        const share = a.total / withGenre;
        let best = -1;
        for (let c = 0; c < G2; c++) {
          const k = a.cells[c], e = cellTotal[c] * share;
          if (k < 3 || !(e > 0) || k <= e + 1 || (best >= 0 && k <= a.cells[best])) continue;
          if (logTail(k, e) <= logAlpha) best = c;
        }
        if (best >= 0) this.labels.push({ genre: g, total: a.total, x: a.sx[best] / a.cells[best], y: a.sy[best] / a.cells[best] });
      }
      this.labels.sort((p, q) => q.total - p.total || p.genre - q.genre);
    }
    neighbours(i) { return this.nn && i ? Array.from(this.nn.subarray((i - 1) * this.nnK, i * this.nnK)) : []; }
    // The labels that fit without overlapping, in order; zooming in spreads them so more fit.
    drawLabels(c) {
      const placed = [];
      c.font = "600 12px 'DejaVu Sans', sans-serif";
      c.textAlign = "center"; c.textBaseline = "middle";
      for (const l of this.labels) {
        const x = this.sx(l.x), y = this.sy(l.y), text = D.genres[l.genre], w = c.measureText(text).width + 6, h = 16;
        const r = [x - w / 2, y - h / 2, x + w / 2, y + h / 2];
        if (r[2] < 0 || r[3] < 0 || r[0] > this.w || r[1] > this.h) continue;
        if (placed.some((q) => r[0] < q[2] && q[0] < r[2] && r[1] < q[3] && q[1] < r[3])) continue;
        placed.push(r);
        c.lineWidth = 3; c.strokeStyle = "rgba(255,255,255,0.9)"; c.strokeText(text, x, y);
        c.fillStyle = "#111"; c.fillText(text, x, y);
      }
      this.stats.labelBoxes = placed;
    }
    resize() {
      const r = this.canvas.getBoundingClientRect();
      this.w = Math.max(50, r.width); this.h = Math.max(50, r.height);
      this.dpr = window.devicePixelRatio || 1;
      this.canvas.width = Math.round(this.w * this.dpr);
      this.canvas.height = Math.round(this.h * this.dpr);
      this.baseKey = "";
    }
    fit() {
      const [x0, x1, y0, y1] = this.bounds;
      const bw = Math.max(1e-9, x1 - x0), bh = Math.max(1e-9, y1 - y0);
      this.s = Math.min((this.w * 0.94) / bw, (this.h * 0.94) / bh);
      this.tx = this.w / 2 - ((x0 + x1) / 2) * this.s;
      this.ty = this.h / 2 + ((y0 + y1) / 2) * this.s;
      this.baseKey = "";
    }
    sx(x) { return x * this.s + this.tx; }
    sy(y) { return this.ty - y * this.s; }
    zoom(f, cx, cy) {
      this.tx = cx - (cx - this.tx) * f; this.ty = cy - (cy - this.ty) * f; this.s *= f;
      this.baseKey = "";
    }
    pan(dx, dy) { this.tx += dx; this.ty += dy; this.baseKey = ""; }
    // An item's square: its side in device pixels and its opacity (fainter under a chosen user).
    pointStyle() {
      const n = this.count;
      const side = Math.max(1, Math.round((n <= 5000 ? 4 : n <= 50000 ? 3 : n <= 200000 ? 2 : 1.5) * this.dpr));
      let a = n <= 5000 ? 0.7 : n <= 50000 ? 0.5 : 0.35;
      if (state.user >= 0) a *= 0.3;
      return { side, half: side >> 1, a };
    }
    // Every item on the map as a square of its genre's colour, blended into white.
    drawBase() {
      const W = this.canvas.width, H = this.canvas.height;
      // One buffer per canvas size, cleared each frame (a fresh 5 MB ImageData a frame cost a third of a gesture frame).
      if (!this.base || this.base.width !== W || this.base.height !== H) this.base = this.ctx.createImageData(W, H);
      const p = this.base.data;
      p.fill(255);
      const { side, half, a } = this.pointStyle();
      const lod = gesture && N > LOD, count = lod ? LOD : N;
      if (densityOn.checked) this.shadeDensity(p, W, H, lod, count);
      else this.stats.densityCells = 0;
      let drawn = 0;
      this.stats.lod = lod;
      for (let q = 0; q < count; q++) {
        const i = lod ? order[q] : q + 1;
        if (Number.isFinite(this.x[i]) && this.square(p, W, i, 0, 0, W, H, side, half, a)) drawn++;
      }
      this.stats.drawn = drawn;
    }
    // Grey shading by the number of items in each cell of a 6-pixel grid over the
    // view (log scale, the fullest cell darkest), so dense regions read as such
    // however the points overlap.
    // The items counted are those the base layer draws: during a gesture, the same sample.
    shadeDensity(p, W, H, lod, count) {
      const cell = Math.max(2, Math.round(6 * this.dpr)), gw = Math.ceil(W / cell), gh = Math.ceil(H / cell);
      const counts = new Uint32Array(gw * gh);
      for (let q = 0; q < count; q++) {
        const i = lod ? order[q] : q + 1;
        const x = this.x[i];
        if (!Number.isFinite(x)) continue;
        const px = Math.floor((x * this.s + this.tx) * this.dpr / cell), py = Math.floor((this.ty - this.y[i] * this.s) * this.dpr / cell);
        if (px >= 0 && py >= 0 && px < gw && py < gh) counts[py * gw + px]++;
      }
      let max = 0, cells = 0;
      for (const c of counts) { if (c > max) max = c; if (c) cells++; }
      this.stats.densityCells = cells; this.stats.densityMax = max;
      if (!max) return;
      const scale = 1 / Math.log(1 + max);
      for (let gy = 0; gy < gh; gy++) for (let gx = 0; gx < gw; gx++) {
        const c = counts[gy * gw + gx];
        if (!c) continue;
        const v = Math.round(255 - 110 * Math.log(1 + c) * scale);
        for (let yy = gy * cell; yy < Math.min(H, (gy + 1) * cell); yy++) {
          let o = 4 * (yy * W + gx * cell);
          for (let xx = gx * cell; xx < Math.min(W, (gx + 1) * cell); xx++, o += 4) { p[o] = v; p[o + 1] = v; p[o + 2] = v; }
        }
      }
    }
    draw() {
      const key = `${this.s},${this.tx},${this.ty},${this.canvas.width},${this.canvas.height},${state.user >= 0},${densityOn.checked},${gesture && N > LOD}`;
      const content = `${this.canvas.width},${this.canvas.height},${state.user >= 0}`;
      const c = this.ctx;
      c.setTransform(1, 0, 0, 1, 0, 0);
      this.stats.fromSnapshot = false;
      if (gesture && N > LOD && !densityOn.checked && this.snap && this.snap.content === content) {
        // Large maps while a gesture runs: the last full picture moved and scaled as the view
        // moved (cached, not redrawn), and only the strips it leaves uncovered drawn from the sample.
        this.drawFromSnapshot(c);
        this.baseKey = "";
      } else {
        if (key !== this.baseKey) {
          this.drawBase(); this.baseKey = key;
          // A full picture of a large map (not the sample, not shaded) is kept for the next gesture.
          if (!gesture && !densityOn.checked && N > LOD) this.keepSnapshot(content);
        }
        c.putImageData(this.base, 0, 0);
      }
      c.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
      const st = this.stats;
      st.matchesDrawn = 0; st.selectedDrawn = 0; st.historyDrawn = 0; st.topDrawn = 0; st.starsDrawn = 0; st.hoverDrawn = 0;
      const ring = (i, r, color, width) => {
        const x = this.x[i];
        if (!Number.isFinite(x)) return false;
        c.beginPath(); c.arc(this.sx(x), this.sy(this.y[i]), r, 0, 2 * Math.PI);
        c.strokeStyle = color; c.lineWidth = width; c.stroke();
        return true;
      };
      for (const i of state.matches) if (ring(i, 4.5, "#000", 1.2)) st.matchesDrawn++;
      for (const i of state.selection) if (ring(i, 3.5, "#0b3d91", 1.5)) st.selectedDrawn++;
      if (state.user >= 0) {
        const u = D.users[state.user], m = u.models[this.index];
        const owner = attendingInterest(u, this.index);
        u.history.forEach((it, l) => {
          const x = this.x[it];
          if (!Number.isFinite(x)) return;
          c.beginPath(); c.arc(this.sx(x), this.sy(this.y[it]), 4, 0, 2 * Math.PI);
          c.fillStyle = interestColor(owner[l]); c.fill();
          c.strokeStyle = "#222"; c.lineWidth = 0.8; c.stroke();
          st.historyDrawn++;
        });
        m.top.forEach((items, k) => items.forEach((it) => { if (ring(it, 7, interestColor(k), 2)) st.topDrawn++; }));
        // Across training (first map only): each interest's path through the epochs, and its star at the chosen one.
        let stars = m.stars;
        st.trajectories = 0;
        if (D.epochs && this.index === 0) {
          const path = u.epochStars.concat([m.stars]);
          stars = path[state.epoch];
          for (let k = 0; k < m.stars.length / 2; k++) {
            c.beginPath();
            path.forEach((p, e) => (e ? c.lineTo(this.sx(p[2 * k]), this.sy(p[2 * k + 1])) : c.moveTo(this.sx(p[2 * k]), this.sy(p[2 * k + 1]))));
            c.globalAlpha = 0.5; c.strokeStyle = interestColor(k); c.lineWidth = 1.5; c.stroke(); c.globalAlpha = 1;
            st.trajectories++;
          }
        }
        st.starsAt = [];
        for (let k = 0; k < stars.length / 2; k++) {
          star(c, this.sx(stars[2 * k]), this.sy(stars[2 * k + 1]), 11, interestColor(k));
          st.starsAt.push([stars[2 * k], stars[2 * k + 1]]);
          st.starsDrawn++;
        }
      }
      if (labelsOn.checked) this.drawLabels(c); else st.labelBoxes = [];
      st.neighboursDrawn = 0;
      for (const j of this.neighbours(state.pinned)) if (ring(j, 5.5, "#6a3d9a", 2)) st.neighboursDrawn++;
      if (state.pinned && ring(state.pinned, 8, "#000", 2)) st.pinnedDrawn = state.pinned;
      if (state.hover && ring(state.hover, 8, "#e00000", 2.5)) st.hoverDrawn = state.hover;
      st.selShapeDrawn = false;
      if (state.selShape && state.selShape.view === this.index) {
        c.beginPath(); state.selShape.pts.forEach(([x, y], j) => (j ? c.lineTo(this.sx(x), this.sy(y)) : c.moveTo(this.sx(x), this.sy(y)))); c.closePath();
        c.setLineDash([5, 3]); c.strokeStyle = "#0b3d91"; c.lineWidth = 1.5; c.stroke(); c.setLineDash([]);
        c.fillStyle = "rgba(11,61,145,0.05)"; c.fill();
        st.selShapeDrawn = true;
      }
      if (this.dragBox) {
        const [a, b, w, h] = this.dragBox;
        c.setLineDash([4, 3]); c.strokeStyle = "#0b3d91"; c.lineWidth = 1; c.strokeRect(a, b, w, h); c.setLineDash([]);
      }
      if (this.lasso && this.lasso.length > 1) {
        c.beginPath(); this.lasso.forEach(([x, y], j) => (j ? c.lineTo(x, y) : c.moveTo(x, y))); c.closePath();
        c.setLineDash([4, 3]); c.strokeStyle = "#0b3d91"; c.lineWidth = 1; c.stroke(); c.setLineDash([]);
        c.fillStyle = "rgba(11,61,145,0.06)"; c.fill();
      }
    }
    // The last full picture under the current view: drawn scaled by s/s₀ and shifted, in device
    // pixels; the strips it does not cover are painted from the level-of-detail sample.
    keepSnapshot(content) {
      if (!this.snap || this.snap.canvas.width !== this.canvas.width || this.snap.canvas.height !== this.canvas.height) {
        const sc = document.createElement("canvas"); sc.width = this.canvas.width; sc.height = this.canvas.height;
        this.snap = { canvas: sc, ctx: sc.getContext("2d") };
      }
      this.snap.ctx.putImageData(this.base, 0, 0);
      Object.assign(this.snap, { s: this.s, tx: this.tx, ty: this.ty, content });
    }
    // Item i's square blended into the RGBA buffer p (W device pixels wide), clipped to
    // [x0, x1) × [y0, y1); whether any of it was inside.
    square(p, W, i, x0, y0, x1, y1, side, half, a) {
      const dpr = this.dpr;
      const px = Math.round((this.x[i] * this.s + this.tx) * dpr) - half, py = Math.round((this.ty - this.y[i] * this.s) * dpr) - half;
      const ya = Math.max(y0, py), yb = Math.min(y1, py + side), xa = Math.max(x0, px), xb = Math.min(x1, px + side);
      if (xa >= xb || ya >= yb) return false;
      const r = itemRGB[3 * i], g = itemRGB[3 * i + 1], b = itemRGB[3 * i + 2];
      for (let yy = ya; yy < yb; yy++) {
        for (let o = 4 * (yy * W + xa), xx = xa; xx < xb; xx++, o += 4) {
          p[o] += (r - p[o]) * a; p[o + 1] += (g - p[o + 1]) * a; p[o + 2] += (b - p[o + 2]) * a;
        }
      }
      return true;
    }
    drawFromSnapshot(c) {
      const sn = this.snap, W = this.canvas.width, H = this.canvas.height, dpr = this.dpr, k = this.s / sn.s;
      const ox = (this.tx - sn.tx * k) * dpr, oy = (this.ty - sn.ty * k) * dpr;
      c.imageSmoothingEnabled = false;
      c.drawImage(sn.canvas, ox, oy, W * k, H * k);
      const l = Math.max(0, Math.min(W, Math.ceil(ox))), r = Math.max(0, Math.min(W, Math.floor(ox + W * k)));
      const top = Math.max(0, Math.min(H, Math.ceil(oy))), bottom = Math.max(0, Math.min(H, Math.floor(oy + H * k)));
      const strips = [[0, 0, W, top], [0, bottom, W, H], [0, top, l, bottom], [r, top, W, bottom]].filter(([x0, y0, x1, y1]) => x1 > x0 && y1 > y0);
      if (!this.base || this.base.width !== W || this.base.height !== H) this.base = c.createImageData(W, H);
      const p = this.base.data, { side, half, a } = this.pointStyle();
      // Thin strips (a drag's edge) take every item in them; wide ones (zooming out) the sample.
      const area = strips.reduce((t, [x0, y0, x1, y1]) => t + (x1 - x0) * (y1 - y0), 0), all = area * N <= LOD * W * H;
      let drawn = 0;
      for (const [x0, y0, x1, y1] of strips) {
        for (let yy = y0; yy < y1; yy++) p.fill(255, 4 * (yy * W + x0), 4 * (yy * W + x1));
        // The strip in map coordinates, widened by a square's half side.
        const m = (side + 1) / dpr / this.s;
        this.visit((x0 / dpr - this.tx) / this.s - m, (x1 / dpr - this.tx) / this.s + m,
                   (this.ty - y1 / dpr) / this.s - m, (this.ty - y0 / dpr) / this.s + m, (i) => {
          if ((all || rank[i] < LOD) && this.square(p, W, i, x0, y0, x1, y1, side, half, a)) drawn++;
        });
        c.putImageData(this.base, 0, 0, x0, y0, x1 - x0, y1 - y0);
      }
      this.stats.fromSnapshot = true;
      this.stats.lod = !all;
      this.stats.drawn = drawn;
      this.stats.strips = strips.length;
    }
    // The item nearest to (mx, my) within r pixels, or 0.
    nearest(mx, my, r = 8) {
      let best = 0, bd = r * r;
      const dx0 = (mx - this.tx) / this.s, dy0 = (this.ty - my) / this.s, dr = r / this.s;
      this.visit(dx0 - dr, dx0 + dr, dy0 - dr, dy0 + dr, (i) => {
        const dx = this.x[i] * this.s + this.tx - mx, dy = this.ty - this.y[i] * this.s - my, d = dx * dx + dy * dy;
        if (d < bd || (d === bd && i < best)) { bd = d; best = i; }
      });
      return best;
    }
    // Items whose screen position is inside the polygon (screen pixels; even-odd rule), in item order.
    inside(poly) {
      let ax = Infinity, bx = -Infinity, ay = Infinity, by = -Infinity;
      for (const [x, y] of poly) { ax = Math.min(ax, x); bx = Math.max(bx, x); ay = Math.min(ay, y); by = Math.max(by, y); }
      const out = [];
      this.visit((ax - this.tx) / this.s, (bx - this.tx) / this.s, (this.ty - by) / this.s, (this.ty - ay) / this.s, (i) => {
        const px = this.sx(this.x[i]), py = this.sy(this.y[i]);
        if (px >= ax && px <= bx && py >= ay && py <= by && holds(poly, px, py)) out.push(i);
      });
      return out.sort((p, q) => p - q);
    }
    within(ax, ay, bx, by) {
      const [x0, x1] = ax < bx ? [ax, bx] : [bx, ax], [y0, y1] = ay < by ? [ay, by] : [by, ay], out = [];
      this.visit((x0 - this.tx) / this.s, (x1 - this.tx) / this.s, (this.ty - y1) / this.s, (this.ty - y0) / this.s, (i) => {
        const px = this.sx(this.x[i]), py = this.sy(this.y[i]);
        if (px >= x0 && px <= x1 && py >= y0 && py <= y1) out.push(i);
      });
      return out.sort((p, q) => p - q);
    }
  }

  function star(c, x, y, r, color) {
    c.beginPath();
    for (let j = 0; j < 10; j++) {
      const a = -Math.PI / 2 + (j * Math.PI) / 5, rr = j % 2 ? r * 0.45 : r;
      j ? c.lineTo(x + rr * Math.cos(a), y + rr * Math.sin(a)) : c.moveTo(x + rr * Math.cos(a), y + rr * Math.sin(a));
    }
    c.closePath(); c.fillStyle = color; c.fill(); c.strokeStyle = "#000"; c.lineWidth = 1.2; c.stroke();
  }

  // For each history position, the interest (of the model behind view v) whose attention there is largest.
  function attendingInterest(u, v) {
    const m = u.models[v], K = D.maps[v].K;
    return u.history.map((_, l) => {
      let best = 0;
      for (let k = 1; k < K; k++) if (m.att[l * K + k] > m.att[l * K + best]) best = k;
      return best;
    });
  }

  const views = D.maps.map((m, i) => new View(i, m));
  const drawAll = () => views.forEach((v) => v.draw());

  // ---- side panel ----
  const genreText = (i) => (D.itemGenres[i] || []).map((g) => D.genres[g]).join(", ") || "no genre";
  function describe(i) {
    const box = el("div");
    box.append(el("b", {}, D.titles[i]));
    box.append(el("div", {}, `${genreText(i)} · item ${D.ids[i]} · ${pop[i].toLocaleString("en")} training interactions`));
    return box;
  }
  function titleList(items) {
    const ol = el("ol");
    items.forEach((it) => {
      const li = el("li", { tabindex: "0" }, D.titles[it]);
      const pin = () => { state.pinned = it; showItem(); drawAll(); };
      li.addEventListener("click", pin);
      li.addEventListener("keydown", (e) => { if (e.key === "Enter") pin(); });
      ol.append(li);
    });
    return ol;
  }
  function showItem() {
    itemBox.replaceChildren();
    const i = state.hover || state.pinned;
    if (!i) return;
    itemBox.append(el("h3", {}, state.hover ? "Item under the pointer" : "Pinned item"), describe(i));
    if (!state.hover && views.some((v) => v.nn)) {
      // Its nearest items in each model's embedding space (ringed purple on that model's map);
      // with two models, the ones both list are marked.
      const lists = views.map((v) => v.neighbours(i));
      views.forEach((v, j) => {
        if (!v.nn) return;
        const other = views.length > 1 ? new Set(lists[1 - j]) : null;
        const shared = other ? lists[j].filter((x) => other.has(x)).length : null;
        itemBox.append(el("h3", { class: "nn-head" }, `${v.label}: ${v.nnK} nearest items (cosine)` + (other ? ` · ${shared} in both` : "")));
        const ol = titleList(lists[j]);
        ol.classList.add("nn");
        if (other) ol.querySelectorAll("li").forEach((li, r) => { if (other.has(lists[j][r])) li.classList.add("both"); });
        itemBox.append(ol);
      });
    }
  }
  function showSelection() {
    selBox.replaceChildren();
    const parts = [];
    if (state.query.length >= 2) parts.push([`${state.matches.length} title${state.matches.length === 1 ? "" : "s"} match “${state.query}”`, state.matches]);
    if (state.selection.length) parts.push([`${state.selection.length} item${state.selection.length === 1 ? "" : "s"} selected`, state.selection]);
    for (const [head, items] of parts) {
      selBox.append(el("h3", {}, head));
      if (items === state.selection) {
        // By category (first genre), largest first; and every selected item as CSV, from the page itself.
        const byGenre = new Map();
        for (const i of items) { const g = D.itemGenres[i] && D.itemGenres[i].length ? D.genres[D.itemGenres[i][0]] : "no genre"; byGenre.set(g, (byGenre.get(g) || 0) + 1); }
        const ul = el("ul", { class: "counts" });
        [...byGenre.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).forEach(([g, n]) => ul.append(el("li", { "data-count": String(n) }, `${g}: ${n}`)));
        const q = (t) => (/[",\n\r]/.test(t) ? `"${t.replace(/"/g, '""')}"` : t);
        const csv = "item,title,genres\n" + items.map((i) => [D.ids[i], D.titles[i], genreText(i)].map(q).join(",")).join("\n") + "\n";
        const a = el("a", { id: "selection-csv", download: "selection.csv", href: "data:text/csv;charset=utf-8," + encodeURIComponent(csv) }, "download as CSV");
        selBox.append(ul, a);
      }
      if (items === state.selection && state.selUsers.length) {
        // Users whose interests land in the selection; a click chooses one.
        selBox.append(el("h3", {}, `${state.selUsers.length} user${state.selUsers.length === 1 ? "" : "s"} with an interest here`));
        const ul = el("ul", { class: "sel-users" });
        state.selUsers.slice(0, 50).forEach((ui) => {
          const li = el("li", { tabindex: "0" }, D.users[ui].id);
          const choose = () => { userInput.value = D.users[ui].id; setUser(D.users[ui].id); };
          li.addEventListener("click", choose);
          li.addEventListener("keydown", (e) => { if (e.key === "Enter") choose(); });
          ul.append(li);
        });
        selBox.append(ul);
      }
      selBox.append(titleList(items.slice(0, 50)));
      if (items.length > 50) selBox.append(el("div", { class: "help" }, `… and ${items.length - 50} more`));
    }
  }
  function showUser() {
    userBox.replaceChildren();
    if (state.user < 0) return;
    const u = D.users[state.user];
    userBox.append(el("h3", {}, `User ${u.id}: ${u.history.length} history items, most recent first`));
    const table = el("table", { id: "history" });
    const owners = views.map((v) => attendingInterest(u, v.index));
    u.history.forEach((it, l) => {
      const tr = el("tr", { class: "hist" });
      tr.append(el("td", {}, D.titles[it]));
      views.forEach((v, j) => {
        const k = owners[j][l], K = D.maps[j].K, w = u.models[j].att[l * K + k];
        const td = el("td", { class: "w", title: `${v.label}: interest ${k + 1} attends most, weight ${w.toFixed(3)}` });
        const chip = el("span", { class: "chip" }); chip.style.background = interestColor(k);
        td.append(chip, document.createTextNode(w.toFixed(2)));
        tr.append(td);
      });
      tr.addEventListener("click", () => { state.pinned = it; showItem(); drawAll(); });
      table.append(tr);
    });
    const head = el("tr");
    head.append(el("td", {}, "item"));
    views.forEach((v) => head.append(el("td", { class: "w" }, `${v.label} att.`)));
    table.prepend(head);
    userBox.append(table);
    views.forEach((v, j) => {
      u.models[j].top.forEach((items, k) => {
        const h = el("h3", {});
        const chip = el("span", { class: "chip" }); chip.style.background = interestColor(k);
        h.append(chip, document.createTextNode(`${v.label} · interest ${k + 1}: top ${items.length}`));
        userBox.append(h, titleList(items));
      });
    });
  }
  function showLegend() {
    legend.replaceChildren();
    legend.append(el("h3", {}, "Legend"));
    const counts = D.genres.map(() => 0);
    for (let i = 1; i <= N; i++) for (const g of D.itemGenres[i] || []) { counts[g]++; break; }
    const order = counts.map((c, g) => [c, g]).sort((a, b) => b[0] - a[0] || a[1] - b[1]).slice(0, 12);
    for (const [, g] of order) {
      const s = el("span", { class: "g" }), chip = el("span", { class: "chip" });
      chip.style.background = genreColor(g);
      s.append(chip, document.createTextNode(D.genres[g]));
      legend.append(s);
    }
    if (D.genres.length > 12) legend.append(el("span", { class: "g" }, `+ ${D.genres.length - 12} more (colour: first genre)`));
    legend.append(el("div", { class: "help" }, "★ interest, placed on the map · ● history item, in the colour of the interest attending to it most · ◯ an interest's top retrieved items · black ring: title match · red ring: under the pointer"));
    legend.append(el("div", { class: "help" }, "Click an item: its nearest items in each model's embedding space ringed purple and listed (● in both lists) · Density: grey shading by items per cell · Labels: a category's name where it is concentrated beyond chance (none on a map without such places) · Drag: pan · wheel or + −: zoom · shift-drag: select (box or lasso, above) · click: pin · lock maps: both move together · 0 or Reset: start again · Esc: clear"));
  }

  // ---- interaction ----
  let drag = null;
  function setHover(i, ev) {
    if (i !== state.hover) { state.hover = i; showItem(); drawAll(); }
    if (i && ev) {
      tip.replaceChildren(describe(i));
      tip.style.display = "block";
      tip.style.left = `${Math.min(window.innerWidth - 330, ev.clientX + 14)}px`;
      tip.style.top = `${ev.clientY + 14}px`;
    } else tip.style.display = "none";
  }
  // With the maps locked, the view that moved gives its scale and offset to the others
  // (the maps share one frame: the second is Procrustes-aligned to the first).
  function follow(v) {
    if (!lock.checked) return;
    for (const w of views) if (w !== v) { w.s = v.s; w.tx = v.tx; w.ty = v.ty; w.baseKey = ""; }
  }
  lock.addEventListener("change", () => { follow(views[0]); drawAll(); });
  labelsOn.addEventListener("change", drawAll);
  const showEpoch = () => { epochText.textContent = " " + D.epochs[state.epoch]; };
  if (epochSlider) {
    showEpoch();
    epochSlider.addEventListener("input", () => { state.epoch = Number(epochSlider.value); showEpoch(); drawAll(); });
  }
  densityOn.addEventListener("change", () => { views.forEach((v) => (v.baseKey = "")); drawAll(); });
  views.forEach((v) => {
    const local = (e) => { const r = v.canvas.getBoundingClientRect(); return [e.clientX - r.left, e.clientY - r.top]; };
    v.canvas.addEventListener("mousemove", (e) => {
      if (drag) return;
      const [mx, my] = local(e);
      setHover(v.nearest(mx, my), e);
    });
    v.canvas.addEventListener("mouseleave", () => { if (!drag) setHover(0); });
    v.canvas.addEventListener("mousedown", (e) => {
      const [mx, my] = local(e);
      drag = { v, mode: e.shiftKey ? tool.value : "pan", x0: mx, y0: my, last: [mx, my], moved: 0 };
      if (drag.mode === "pan") gesture = true;
      if (drag.mode === "lasso") v.lasso = [[mx, my]];
      e.preventDefault();
      v.canvas.focus();
    });
    v.canvas.addEventListener("wheel", (e) => {
      e.preventDefault();
      const [mx, my] = local(e);
      v.zoom(Math.exp(-e.deltaY * 0.0015), mx, my);
      follow(v);
      // Wheel steps come one by one: the gesture ends 180 ms after the last.
      gesture = true; clearTimeout(gestureTimer);
      gestureTimer = setTimeout(() => { gesture = false; drawAll(); }, 180);
      if (lock.checked) drawAll(); else v.draw();
    }, { passive: false });
    v.canvas.addEventListener("keydown", (e) => {
      const step = 40, c = [v.w / 2, v.h / 2];
      const act = { "+": () => v.zoom(1.25, ...c), "=": () => v.zoom(1.25, ...c), "-": () => v.zoom(0.8, ...c),
        ArrowLeft: () => v.pan(step, 0), ArrowRight: () => v.pan(-step, 0), ArrowUp: () => v.pan(0, step), ArrowDown: () => v.pan(0, -step),
        0: () => v.fit(), Escape: () => clearPicks() }[e.key];
      if (act) { act(); follow(v); e.preventDefault(); drawAll(); }
    });
  });
  window.addEventListener("mousemove", (e) => {
    if (!drag) return;
    const r = drag.v.canvas.getBoundingClientRect(), mx = e.clientX - r.left, my = e.clientY - r.top;
    drag.moved += Math.abs(mx - drag.last[0]) + Math.abs(my - drag.last[1]);
    if (drag.mode === "pan") { drag.v.pan(mx - drag.last[0], my - drag.last[1]); follow(drag.v); }
    else if (drag.mode === "lasso") drag.v.lasso.push([mx, my]);
    else drag.v.dragBox = [drag.x0, drag.y0, mx - drag.x0, my - drag.y0];
    drag.last = [mx, my];
    if (drag.mode === "pan" && lock.checked) drawAll(); else drag.v.draw();
  });
  window.addEventListener("mouseup", (e) => {
    if (!drag) return;
    const d = drag; drag = null;
    if (d.mode === "pan") gesture = false;
    const r = d.v.canvas.getBoundingClientRect(), mx = e.clientX - r.left, my = e.clientY - r.top;
    if (d.mode === "box") {
      d.v.dragBox = null;
      const [ax, bx] = d.x0 < mx ? [d.x0, mx] : [mx, d.x0], [ay, by] = d.y0 < my ? [d.y0, my] : [my, d.y0];
      setSelection(d.v.within(d.x0, d.y0, mx, my), d.v, [[ax, ay], [bx, ay], [bx, by], [ax, by]]);
    } else if (d.mode === "lasso") {
      d.v.lasso.push([mx, my]);
      const poly = d.v.lasso;
      d.v.lasso = null;
      setSelection(poly.length >= 3 ? d.v.inside(poly) : [], d.v, poly);
    } else if (d.moved < 3) {
      state.pinned = d.v.nearest(mx, my); showItem();
    }
    drawAll();
  });
  // The screen polygon holds (x, y) by the even-odd rule.
  function holds(poly, x, y) {
    let odd = false;
    for (let a = 0, b = poly.length - 1; a < poly.length; b = a++) {
      const [xa, ya] = poly[a], [xb, yb] = poly[b];
      if ((ya > y) !== (yb > y) && x < ((xb - xa) * (y - ya)) / (yb - ya) + xa) odd = !odd;
    }
    return odd;
  }
  // A selection also finds the page's users with an interest (★) inside the drawn shape on that map.
  function setSelection(items, v = null, poly = null) {
    state.selMark.fill(0); items.forEach((i) => (state.selMark[i] = 1));
    state.selection = items;
    // The drawn shape stays on its map (in map coordinates, so it follows pan and zoom) until cleared.
    state.selShape = v && poly && poly.length >= 3 && items.length
      ? { view: v.index, pts: poly.map(([x, y]) => [(x - v.tx) / v.s, (v.ty - y) / v.s]) } : null;
    state.selUsers = [];
    if (v && poly && poly.length >= 3) {
      D.users.forEach((u, ui) => {
        const st = u.models[v.index].stars;
        for (let k = 0; k < st.length / 2; k++) {
          if (holds(poly, v.sx(st[2 * k]), v.sy(st[2 * k + 1]))) { state.selUsers.push(ui); break; }
        }
      });
    }
    showSelection();
  }
  function setQuery(q) {
    state.query = q.trim().toLowerCase();
    state.matchMark.fill(0);
    state.matches = [];
    if (state.query.length >= 2) {
      for (let i = 1; i <= N; i++) if (lowerTitles[i].includes(state.query)) { state.matches.push(i); state.matchMark[i] = 1; }
    }
    status.textContent = state.query.length >= 2 ? `${state.matches.length} matches` : "";
    showSelection(); drawAll();
  }
  function setUser(id) {
    const i = D.users.findIndex((u) => u.id === id.trim());
    if (i < 0) { status.textContent = id.trim() ? `no test user “${id.trim()}” on this page` : ""; state.user = -1; }
    else { state.user = i; status.textContent = `user ${D.users[i].id}`; }
    showUser(); drawAll();
  }
  function clearPicks() { state.pinned = 0; setSelection([]); }
  search.addEventListener("input", () => setQuery(search.value));
  userInput.addEventListener("change", () => setUser(userInput.value));
  userInput.addEventListener("keydown", (e) => { if (e.key === "Enter") setUser(userInput.value); });
  reset.addEventListener("click", () => {
    search.value = ""; userInput.value = ""; lock.checked = false; densityOn.checked = false;
    clearTimeout(gestureTimer); gesture = false;
    state.hover = 0; state.user = -1; setQuery(""); clearPicks(); showUser(); showItem();
    views.forEach((v) => v.fit()); drawAll();
  });
  window.addEventListener("resize", () => { views.forEach((v) => { v.resize(); v.fit(); }); drawAll(); });

  views.forEach((v) => { v.resize(); v.fit(); });
  showLegend();
  const params = new URLSearchParams(location.hash.slice(1));
  if (params.get("user")) { userInput.value = params.get("user"); setUser(params.get("user")); }
  // For screenshots and links: #pin=ITEM_NUMBER pins an item, #density shades, #lock locks the maps.
  if (params.get("pin")) { const i = Number(params.get("pin")); if (i >= 1 && i <= N) { state.pinned = i; showItem(); } }
  if (params.has("density")) densityOn.checked = true;
  // #lasso=x1,y1,x2,y2,… selects the items inside that polygon of the first map's coordinates (links, screenshots).
  if (params.get("lasso")) {
    const p = params.get("lasso").split(",").map(Number);
    if (p.length >= 6 && p.length % 2 === 0 && p.every(Number.isFinite)) {
      const v = views[0], poly = [];
      for (let j = 0; j < p.length; j += 2) poly.push([v.sx(p[j]), v.sy(p[j + 1])]);
      setSelection(v.inside(poly), v, poly);
    } else {
      status.textContent = "#lasso= needs three or more x,y pairs of map coordinates";
    }
  }
  if (params.has("lock")) { lock.checked = true; follow(views[0]); }
  drawAll();
  // Since navigation began (reading and parsing the page included), and the script's own share.
  const loadMs = performance.now(), scriptMs = loadMs - T0;

  // ---- the page's API, and a self-test the browser tests read back (docs/explorer.md) ----
  const api = {
    state, views,
    screen(v, i) { const w = views[v]; return [w.sx(w.x[i]), w.sy(w.y[i])]; },
    loadMs, scriptMs,
  };
  window.re4Explorer = api;

  function selfTest() {
    const out = { loadMs, scriptMs, items: views.map((v) => v.count), initialSelection: state.selection.slice(),
                  initialShapeDrawn: views.map((v) => v.stats.selShapeDrawn), initialStatus: status.textContent };
    const fire = (target, type, v, x, y, extra = {}) => {
      const r = views[v].canvas.getBoundingClientRect();
      const init = { clientX: r.left + x, clientY: r.top + y, bubbles: true, cancelable: true, ...extra };
      target.dispatchEvent(type === "wheel" ? new WheelEvent(type, init) : new MouseEvent(type, init));
    };
    out.drawn = views.map((v) => v.stats.drawn);
    const item = Number(params.get("item") || 0);
    if (item) {
      // Whole pixels, as a pointer delivers them; on a dense map a neighbour may be nearer to that pixel.
      const [x, y] = api.screen(0, item).map(Math.round);
      fire(views[0].canvas, "mousemove", 0, x, y);
      out.hoverItem = state.hover;
      out.hoverTitle = tip.style.display === "block" ? tip.querySelector("b").textContent : null;
      out.hoverDrawn = views.map((v) => v.stats.hoverDrawn);
      fire(views[0].canvas, "mouseleave", 0, -5, -5);
      out.hoverAfterLeave = state.hover;
      // Box select around the item, from the second map when there is one.
      const v = views.length - 1, [bx, by] = api.screen(v, item);
      fire(views[v].canvas, "mousedown", v, bx - 5, by - 5, { shiftKey: true });
      fire(window, "mousemove", v, bx + 5, by + 5, { shiftKey: true });
      fire(window, "mouseup", v, bx + 5, by + 5, { shiftKey: true });
      out.boxSelected = state.selection.length;
      out.boxHasItem = state.selMark[item] === 1;
      out.selectedDrawn = views.map((w) => w.stats.selectedDrawn);
      out.selectionListed = selBox.querySelectorAll("ol li").length;
      const boxItems = state.selection.slice();
      clearPicks();
      // The same square drawn with the lasso selects the same items; the panel counts them by
      // category and offers them as CSV.
      tool.value = "lasso";
      const sq = [[bx - 5, by - 5], [bx + 5, by - 5], [bx + 5, by + 5], [bx - 5, by + 5]];
      fire(views[v].canvas, "mousedown", v, sq[0][0], sq[0][1], { shiftKey: true });
      for (const [x, y] of sq.slice(1)) fire(window, "mousemove", v, x, y, { shiftKey: true });
      fire(window, "mouseup", v, sq[0][0], sq[0][1], { shiftKey: true });
      out.lassoSelected = state.selection.length;
      out.lassoHasItem = state.selMark[item] === 1;
      out.lassoSameAsBox = JSON.stringify(state.selection) === JSON.stringify(boxItems);
      out.lassoOutlineKept = views.map((w) => w.stats.selShapeDrawn);
      out.countsSum = [...selBox.querySelectorAll("ul.counts li")].reduce((t, li) => t + Number(li.dataset.count), 0);
      const a = selBox.querySelector("#selection-csv");
      out.csvIsData = !!a && a.href.startsWith("data:text/csv");
      out.csv = a ? decodeURIComponent(a.href.slice(a.href.indexOf(",") + 1)) : null;
      // A lasso around nothing selects nothing.
      fire(views[v].canvas, "mousedown", v, 1, 1, { shiftKey: true });
      fire(window, "mousemove", v, 2, 1, { shiftKey: true });
      fire(window, "mouseup", v, 1, 2, { shiftKey: true });
      out.lassoEmpty = state.selection.length;
      out.emptyLassoOutline = views.map((w) => w.stats.selShapeDrawn);
      tool.value = "box";
      clearPicks();
    }
    // Clicking an item pins it and rings its nearest items on each map; the panel lists them.
    if (item) {
      const [px, py] = api.screen(0, item).map(Math.round);
      fire(views[0].canvas, "mousedown", 0, px, py); fire(window, "mouseup", 0, px, py);
      out.pinnedItem = state.pinned;
      out.neighbourLists = views.map((w) => w.neighbours(state.pinned));
      out.neighboursDrawn = views.map((w) => w.stats.neighboursDrawn);
      out.neighbourRows = [...itemBox.querySelectorAll("ol.nn")].map((ol) => ol.querySelectorAll("li").length);
      out.neighbourBoth = [...itemBox.querySelectorAll("ol.nn")].map((ol) => ol.querySelectorAll("li.both").length);
      clearPicks(); drawAll();
      out.neighboursAfterClear = views.map((w) => w.stats.neighboursDrawn);
    }
    // The density layer shades the cells that hold items; off, none.
    densityOn.checked = true; densityOn.dispatchEvent(new Event("change"));
    out.densityCells = views.map((w) => w.stats.densityCells);
    out.densityMax = views.map((w) => w.stats.densityMax);
    densityOn.checked = false; densityOn.dispatchEvent(new Event("change"));
    out.densityOff = views.map((w) => w.stats.densityCells);
    // Locked maps move together (wheel and drag on the first); unlocked they do not.
    const same = () => views.every((w) => w.s === views[0].s && w.tx === views[0].tx && w.ty === views[0].ty);
    lock.checked = true; lock.dispatchEvent(new Event("change"));
    fire(views[0].canvas, "wheel", 0, views[0].w / 3, views[0].h / 3, { deltaY: -200 });
    out.lockedAfterZoom = same();
    fire(views[0].canvas, "mousedown", 0, 60, 60); fire(window, "mousemove", 0, 90, 75); fire(window, "mouseup", 0, 90, 75);
    out.lockedAfterPan = same();
    lock.checked = false; lock.dispatchEvent(new Event("change"));
    fire(views[0].canvas, "wheel", 0, views[0].w / 2, views[0].h / 2, { deltaY: -200 });
    out.unlockedMovesOne = views.length < 2 ? null : !same();
    reset.click();
    // Category labels: the placed boxes never overlap; turned off, none.
    const overlap = (b) => b.some((r, i) => b.some((q, j) => j > i && r[0] < q[2] && q[0] < r[2] && r[1] < q[3] && q[1] < r[3]));
    out.labelCandidates = views.map((w) => w.labels.length);
    out.labels = views.map((w) => w.stats.labelBoxes.length);
    out.labelsOverlap = views.some((w) => overlap(w.stats.labelBoxes));
    out.labelTexts = views[0].labels.slice(0, 3).map((l) => D.genres[l.genre]);
    out.labelPlaces = views[0].labels.map((l) => [D.genres[l.genre], l.x, l.y]);
    fire(views[0].canvas, "wheel", 0, views[0].w / 2, views[0].h / 2, { deltaY: -500 });
    out.labelsZoomed = views[0].stats.labelBoxes.length;
    out.labelsZoomedOverlap = overlap(views[0].stats.labelBoxes);
    labelsOn.checked = false; labelsOn.dispatchEvent(new Event("change"));
    out.labelsOff = views.map((w) => w.stats.labelBoxes.length);
    labelsOn.checked = true; labelsOn.dispatchEvent(new Event("change"));
    reset.click();
    const query = params.get("query");
    if (query) {
      search.value = query; search.dispatchEvent(new Event("input"));
      out.matches = state.matches.length;
      out.matchesDrawn = views.map((v) => v.stats.matchesDrawn);
      out.matchHasItem = item ? state.matchMark[item] === 1 : null;
    }
    const user = params.get("selftest-user");
    if (user) {
      userInput.value = user; userInput.dispatchEvent(new Event("change"));
      out.stars = views.map((v) => v.stats.starsDrawn);
      out.historyDrawn = views.map((v) => v.stats.historyDrawn);
      out.topDrawn = views.map((v) => v.stats.topDrawn);
      out.historyRows = userBox.querySelectorAll("tr.hist").length;
      // A box around the user's first interest (★) on the first map lists the user; a click on the entry chooses it.
      {
        const ui = state.user, st = D.users[ui].models[0].stars, sx = views[0].sx(st[0]), sy = views[0].sy(st[1]);
        setUser(""); userInput.value = "";
        fire(views[0].canvas, "mousedown", 0, sx - 4, sy - 4, { shiftKey: true });
        fire(window, "mousemove", 0, sx + 4, sy + 4, { shiftKey: true });
        fire(window, "mouseup", 0, sx + 4, sy + 4, { shiftKey: true });
        const entries = [...selBox.querySelectorAll("ul.sel-users li")];
        out.selectionUserListed = entries.some((li) => li.textContent === D.users[ui].id);
        out.selectionUsersAllHaveAStar = state.selUsers.every((j) => {
          const s2 = D.users[j].models[0].stars;
          for (let k = 0; k < s2.length / 2; k++) { const x = views[0].sx(s2[2 * k]), y = views[0].sy(s2[2 * k + 1]); if (Math.abs(x - sx) <= 4 && Math.abs(y - sy) <= 4) return true; }
          return false;
        });
        const entry = entries.find((li) => li.textContent === D.users[ui].id);
        if (entry) entry.click();
        out.userChosenFromSelection = state.user === ui;
        clearPicks();
      }
      if (epochSlider) {
        // The slider moves the stars to each epoch's placement; the path is drawn per interest.
        const at = (e) => { epochSlider.value = String(e); epochSlider.dispatchEvent(new Event("input")); return views[0].stats.starsAt; };
        out.epochLabels = D.epochs;
        out.epochFirst = at(0);
        out.epochShown = epochText.textContent.trim();
        out.epochLast = at(D.epochs.length - 1);
        out.trajectories = views[0].stats.trajectories;
      }
      out.topLists = userBox.querySelectorAll("ol").length;
    }
    // Zoom at the centre, then Reset brings the first view's scale back.
    const s0 = views[0].s;
    fire(views[0].canvas, "wheel", 0, views[0].w / 2, views[0].h / 2, { deltaY: -300 });
    out.zoomed = views[0].s / s0;
    reset.click();
    out.resetScale = views[0].s / s0;
    out.drawnAfterReset = views.map((v) => v.stats.drawn);
    out.userAfterReset = state.user;
    // A scripted gesture: 20 wheel steps in, then a 40-step drag across the first map; each
    // event's redraw timed (the level of detail applies above LOD items). Then the full picture.
    const gestureTimes = [];
    // Canvas drawing is recorded and rasterised later; reading a pixel back makes each timed
    // frame include its rasterisation (the cost the screen would pay).
    const flush = () => views.forEach((v) => v.ctx.getImageData(0, 0, 1, 1));
    const timed = (f) => { const a = performance.now(); f(); flush(); gestureTimes.push(performance.now() - a); };
    const cx = views[0].w / 2, cy = views[0].h / 2;
    for (let k = 0; k < 20; k++) timed(() => fire(views[0].canvas, "wheel", 0, cx, cy, { deltaY: -40 }));
    // Cheap frames: the level-of-detail sample, or (the default above LOD items) the last full picture scaled.
    out.lodDuringGesture = views[0].stats.lod || views[0].stats.fromSnapshot;
    out.snapshotDuringZoom = views[0].stats.fromSnapshot;
    out.drawnDuringGesture = views[0].stats.drawn;
    out.lod = LOD;
    fire(views[0].canvas, "mousedown", 0, cx, cy);
    for (let k = 1; k <= 40; k++) timed(() => fire(window, "mousemove", 0, cx + 3 * k, cy + 2 * k));
    out.snapshotDuringDrag = views[0].stats.fromSnapshot;
    out.stripItemsDuringDrag = views[0].stats.drawn;
    const endAt = performance.now();
    fire(window, "mouseup", 0, cx + 120, cy + 80);
    flush();
    out.gestureEndMs = performance.now() - endAt;
    out.lodAfterGesture = views[0].stats.lod;
    out.drawnAfterGesture = views[0].stats.drawn;
    gestureTimes.sort((a, b) => a - b);
    out.gestureFrames = gestureTimes.length;
    out.gestureMedianMs = gestureTimes[Math.floor(gestureTimes.length / 2)];
    out.gestureP95Ms = gestureTimes[Math.min(gestureTimes.length - 1, Math.floor(gestureTimes.length * 0.95))];
    clearTimeout(gestureTimer); gesture = false;
    reset.click();
    // A pan drawn from the cached picture shows, where that picture covers the view, the same
    // pixels as the full redraw that ends the gesture.
    if (N > LOD) {
      const v = views[0], W = v.canvas.width, H = v.canvas.height;
      const rx = Math.floor(W / 4), ry = Math.floor(H / 4), rw = Math.floor(W / 2), rh = Math.floor(H / 2);
      // Zoomed in first (and settled), so the strips a drag uncovers hold items.
      for (let k = 0; k < 6; k++) fire(v.canvas, "wheel", 0, cx, cy, { deltaY: -40 });
      clearTimeout(gestureTimer); gesture = false; drawAll();
      fire(v.canvas, "mousedown", 0, cx, cy);
      const stripTimes = [];
      for (let k = 1; k <= 3; k++) { const a = performance.now(); fire(window, "mousemove", 0, cx + 7 * k, cy + 5 * k); flush(); stripTimes.push(performance.now() - a); }
      out.panStripFrameMs = Math.max(...stripTimes);
      out.panFromSnapshot = v.stats.fromSnapshot;
      out.panStripItems = v.stats.drawn;
      const moved = v.ctx.getImageData(rx, ry, rw, rh).data;
      fire(window, "mouseup", 0, cx + 21, cy + 15);
      const full = v.ctx.getImageData(rx, ry, rw, rh).data;
      let diff = 0;
      for (let j = 0; j < full.length; j++) if (full[j] !== moved[j]) diff++;
      out.panSnapshotDiff = diff;
      out.panAfterFromSnapshot = v.stats.fromSnapshot;
      // Zooming out uncovers wide strips: drawn from the sample.
      const outTimes = [];
      for (let k = 0; k < 8; k++) { const a = performance.now(); fire(v.canvas, "wheel", 0, cx, cy, { deltaY: 40 }); flush(); outTimes.push(performance.now() - a); }
      out.zoomOutFrameMs = Math.max(...outTimes);
      out.zoomOutStripItems = v.stats.drawn;
      clearTimeout(gestureTimer); gesture = false;
      reset.click();
    }
    // Search over every title, timed.
    { const a = performance.now(); setQuery("zq"); out.searchMs = performance.now() - a; setQuery(""); }
    // Frame times: a full redraw (every item) and an overlay-only redraw (what hovering costs).
    const times = (f) => { const t = []; for (let r = 0; r < 5; r++) { const a = performance.now(); f(); flush(); t.push(performance.now() - a); } return t.sort((a, b) => a - b)[2]; };
    out.fullFrameMs = times(() => views.forEach((v) => { v.baseKey = ""; v.draw(); }));
    out.overlayFrameMs = times(drawAll);
    out.hoverMs = times(() => views[0].nearest(10, 10));
    out.resources = performance.getEntriesByType("resource").map((e) => e.name);
    const pre = el("pre", { id: "selftest-result" }, JSON.stringify(out));
    document.body.append(pre);
  }
  if (params.has("selftest")) selfTest();
})();
