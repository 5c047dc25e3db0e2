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

  // ---- state shared by both maps (they are linked) ----
  const state = { hover: 0, pinned: 0, query: "", matches: [], matchMark: new Uint8Array(N + 1), user: -1, selection: [], selMark: new Uint8Array(N + 1) };

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
  const status = el("span", { id: "status", role: "status" });
  header.append(searchLabel, userLabel, reset, status);
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
      this.x = typed(map.x, Float32Array);
      this.y = typed(map.y, Float32Array);
      let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity, count = 0;
      for (let i = 1; i <= N; i++) {
        const x = this.x[i], y = this.y[i];
        if (!Number.isFinite(x)) continue;
        count++;
        if (x < x0) x0 = x; if (x > x1) x1 = x; if (y < y0) y0 = y; if (y > y1) y1 = y;
      }
      this.count = count;
      this.bounds = [x0, x1, y0, y1];
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
    // Every item on the map as a square of its genre's colour, blended into white.
    drawBase() {
      const W = this.canvas.width, H = this.canvas.height, dpr = this.dpr;
      const img = this.ctx.createImageData(W, H), p = img.data;
      p.fill(255);
      const n = this.count;
      const side = Math.max(1, Math.round((n <= 5000 ? 4 : n <= 50000 ? 3 : n <= 200000 ? 2 : 1.5) * dpr));
      let a = n <= 5000 ? 0.7 : n <= 50000 ? 0.5 : 0.35;
      if (state.user >= 0) a *= 0.3;
      const half = side >> 1;
      let drawn = 0;
      for (let i = 1; i <= N; i++) {
        const x = this.x[i];
        if (!Number.isFinite(x)) continue;
        const px = Math.round((x * this.s + this.tx) * dpr) - half, py = Math.round((this.ty - this.y[i] * this.s) * dpr) - half;
        if (px + side <= 0 || py + side <= 0 || px >= W || py >= H) continue;
        drawn++;
        const r = itemRGB[3 * i], g = itemRGB[3 * i + 1], b = itemRGB[3 * i + 2];
        for (let yy = Math.max(0, py); yy < Math.min(H, py + side); yy++) {
          let o = 4 * (yy * W + Math.max(0, px));
          for (let xx = Math.max(0, px); xx < Math.min(W, px + side); xx++, o += 4) {
            p[o] += (r - p[o]) * a; p[o + 1] += (g - p[o + 1]) * a; p[o + 2] += (b - p[o + 2]) * a;
          }
        }
      }
      this.base = img;
      this.stats.drawn = drawn;
    }
    draw() {
      const key = `${this.s},${this.tx},${this.ty},${this.canvas.width},${this.canvas.height},${state.user >= 0}`;
      if (key !== this.baseKey) { this.drawBase(); this.baseKey = key; }
      const c = this.ctx;
      c.setTransform(1, 0, 0, 1, 0, 0);
      c.putImageData(this.base, 0, 0);
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
        for (let k = 0; k < m.stars.length / 2; k++) {
          star(c, this.sx(m.stars[2 * k]), this.sy(m.stars[2 * k + 1]), 11, interestColor(k));
          st.starsDrawn++;
        }
      }
      if (state.pinned && ring(state.pinned, 8, "#000", 2)) st.pinnedDrawn = state.pinned;
      if (state.hover && ring(state.hover, 8, "#e00000", 2.5)) st.hoverDrawn = state.hover;
      if (this.dragBox) {
        const [a, b, w, h] = this.dragBox;
        c.setLineDash([4, 3]); c.strokeStyle = "#0b3d91"; c.lineWidth = 1; c.strokeRect(a, b, w, h); c.setLineDash([]);
      }
    }
    // The item nearest to (mx, my) within r pixels, or 0.
    nearest(mx, my, r = 8) {
      let best = 0, bd = r * r;
      for (let i = 1; i <= N; i++) {
        const x = this.x[i];
        if (!Number.isFinite(x)) continue;
        const dx = x * this.s + this.tx - mx, dy = this.ty - this.y[i] * this.s - my, d = dx * dx + dy * dy;
        if (d < bd) { bd = d; best = i; }
      }
      return best;
    }
    within(ax, ay, bx, by) {
      const [x0, x1] = ax < bx ? [ax, bx] : [bx, ax], [y0, y1] = ay < by ? [ay, by] : [by, ay], out = [];
      for (let i = 1; i <= N; i++) {
        const x = this.x[i];
        if (!Number.isFinite(x)) continue;
        const px = this.sx(x), py = this.sy(this.y[i]);
        if (px >= x0 && px <= x1 && py >= y0 && py <= y1) out.push(i);
      }
      return out;
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
  }
  function showSelection() {
    selBox.replaceChildren();
    const parts = [];
    if (state.query.length >= 2) parts.push([`${state.matches.length} title${state.matches.length === 1 ? "" : "s"} match “${state.query}”`, state.matches]);
    if (state.selection.length) parts.push([`${state.selection.length} item${state.selection.length === 1 ? "" : "s"} selected`, state.selection]);
    for (const [head, items] of parts) {
      selBox.append(el("h3", {}, head), titleList(items.slice(0, 50)));
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
    legend.append(el("div", { class: "help" }, "Drag: pan · wheel or + −: zoom · shift-drag: box select · click: pin · 0 or Reset: start again · Esc: clear"));
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
      drag = { v, mode: e.shiftKey ? "box" : "pan", x0: mx, y0: my, last: [mx, my], moved: 0 };
      e.preventDefault();
      v.canvas.focus();
    });
    v.canvas.addEventListener("wheel", (e) => {
      e.preventDefault();
      const [mx, my] = local(e);
      v.zoom(Math.exp(-e.deltaY * 0.0015), mx, my);
      v.draw();
    }, { passive: false });
    v.canvas.addEventListener("keydown", (e) => {
      const step = 40, c = [v.w / 2, v.h / 2];
      const act = { "+": () => v.zoom(1.25, ...c), "=": () => v.zoom(1.25, ...c), "-": () => v.zoom(0.8, ...c),
        ArrowLeft: () => v.pan(step, 0), ArrowRight: () => v.pan(-step, 0), ArrowUp: () => v.pan(0, step), ArrowDown: () => v.pan(0, -step),
        0: () => v.fit(), Escape: () => clearPicks() }[e.key];
      if (act) { act(); e.preventDefault(); drawAll(); }
    });
  });
  window.addEventListener("mousemove", (e) => {
    if (!drag) return;
    const r = drag.v.canvas.getBoundingClientRect(), mx = e.clientX - r.left, my = e.clientY - r.top;
    drag.moved += Math.abs(mx - drag.last[0]) + Math.abs(my - drag.last[1]);
    if (drag.mode === "pan") drag.v.pan(mx - drag.last[0], my - drag.last[1]);
    else drag.v.dragBox = [drag.x0, drag.y0, mx - drag.x0, my - drag.y0];
    drag.last = [mx, my];
    drag.v.draw();
  });
  window.addEventListener("mouseup", (e) => {
    if (!drag) return;
    const d = drag; drag = null;
    const r = d.v.canvas.getBoundingClientRect(), mx = e.clientX - r.left, my = e.clientY - r.top;
    if (d.mode === "box") {
      d.v.dragBox = null;
      setSelection(d.v.within(d.x0, d.y0, mx, my));
    } else if (d.moved < 3) {
      state.pinned = d.v.nearest(mx, my); showItem();
    }
    drawAll();
  });
  function setSelection(items) {
    state.selMark.fill(0); items.forEach((i) => (state.selMark[i] = 1));
    state.selection = items;
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
    search.value = ""; userInput.value = "";
    state.hover = 0; state.user = -1; setQuery(""); clearPicks(); showUser(); showItem();
    views.forEach((v) => v.fit()); drawAll();
  });
  window.addEventListener("resize", () => { views.forEach((v) => { v.resize(); v.fit(); }); drawAll(); });

  views.forEach((v) => { v.resize(); v.fit(); });
  showLegend();
  const params = new URLSearchParams(location.hash.slice(1));
  if (params.get("user")) { userInput.value = params.get("user"); setUser(params.get("user")); }
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
    const out = { loadMs, scriptMs, items: views.map((v) => v.count) };
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
      out.selectionListed = selBox.querySelectorAll("li").length;
      clearPicks();
    }
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
    // Frame times: a full redraw (every item) and an overlay-only redraw (what hovering costs).
    const times = (f) => { const t = []; for (let r = 0; r < 5; r++) { const a = performance.now(); f(); t.push(performance.now() - a); } return t.sort((a, b) => a - b)[2]; };
    out.fullFrameMs = times(() => views.forEach((v) => { v.baseKey = ""; v.draw(); }));
    out.overlayFrameMs = times(drawAll);
    out.hoverMs = times(() => views[0].nearest(10, 10));
    out.resources = performance.getEntriesByType("resource").map((e) => e.name);
    const pre = el("pre", { id: "selftest-result" }, JSON.stringify(out));
    document.body.append(pre);
  }
  if (params.has("selftest")) selfTest();
})();
