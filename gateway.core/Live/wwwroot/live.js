// The live page: one WebSocket (/v1/live), opened with a single-use ticket that the admin or reader key buys over
// REST (POST /v1/live/ticket). The page tells the server what is on screen (a page of the list, one session); the
// server sends only that, at most 5 times a second. No framework, no build step. docs/observability.md, "Live page".
"use strict";
(() => {
  const keyName = "anc-live-key";
  const pageSize = 25;
  const $ = (id) => document.getElementById(id);
  const state = { socket: null, offset: 0, watch: null, total: 0, rows: [], view: null, updates: 0, retry: null };
  window.ancLive = state; // what the page last received (for a look in the console, and the browser test)

  function setStatus(text) { $("status").textContent = text; }

  function showLogin(error) {
    $("login").hidden = false;
    $("main").hidden = true;
    $("signout").hidden = true;
    $("dashboard").hidden = true;
    $("login-error").textContent = error || "";
    $("key").focus();
  }

  $("login").addEventListener("submit", (event) => {
    event.preventDefault();
    const key = $("key").value.trim();
    if (!key) return;
    sessionStorage.setItem(keyName, key);
    $("key").value = "";
    connect();
  });

  // The Orleans Dashboard: the admin key buys an HttpOnly login cookie for /dashboard, then it opens in a new tab.
  $("dashboard").addEventListener("click", async () => {
    const key = sessionStorage.getItem(keyName);
    const response = await fetch("/v1/dashboard/login", { method: "POST", headers: { Authorization: "Bearer " + key } });
    if (response.ok) window.open("/dashboard/", "_blank", "noopener");
    else setStatus(response.status === 403 ? "the dashboard needs the admin key" : "dashboard login refused (" + response.status + ")");
  });

  $("signout").addEventListener("click", () => {
    sessionStorage.removeItem(keyName);
    if (state.socket) state.socket.close();
    showLogin();
  });

  async function connect() {
    clearTimeout(state.retry);
    const key = sessionStorage.getItem(keyName);
    if (!key) { showLogin(); return; }
    setStatus("connecting…");
    let response;
    try {
      response = await fetch("/v1/live/ticket", { method: "POST", headers: { Authorization: "Bearer " + key } });
    } catch (e) {
      setStatus("gateway unreachable; retrying");
      state.retry = setTimeout(connect, 2000);
      return;
    }
    if (response.status === 401 || response.status === 403) {
      sessionStorage.removeItem(keyName);
      const problem = await response.json().catch(() => ({}));
      showLogin("Refused: " + (problem.detail || response.statusText));
      return;
    }
    if (!response.ok) {
      setStatus("ticket refused (" + response.status + "); retrying");
      state.retry = setTimeout(connect, 2000);
      return;
    }
    const ticket = await response.json();
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const socket = new WebSocket(scheme + "//" + location.host + "/v1/live?ticket=" + encodeURIComponent(ticket.value));
    state.socket = socket;
    socket.onopen = () => {
      $("login").hidden = true;
      $("main").hidden = false;
      $("signout").hidden = false;
      $("dashboard").hidden = false;
      setStatus("live");
      subscribe();
    };
    socket.onmessage = (event) => receive(JSON.parse(event.data));
    socket.onclose = () => {
      if (state.socket !== socket) return;
      state.socket = null;
      if (sessionStorage.getItem(keyName)) {
        setStatus("disconnected; reconnecting");
        state.retry = setTimeout(connect, 2000);
      }
    };
  }

  function subscribe() {
    if (!state.socket || state.socket.readyState !== WebSocket.OPEN) return;
    state.socket.send(JSON.stringify({ list: { offset: state.offset, count: pageSize }, watch: state.watch }));
  }

  function receive(message) {
    if (message.type === "error") { setStatus(message.reason); return; }
    if (message.type !== "update") return;
    state.updates++;
    state.total = message.total;
    state.rows = message.sessions || [];
    state.view = message.session;
    renderList(message);
    renderDetail(message.session);
    setStatus("live · " + new Date(message.at).toLocaleTimeString());
  }

  const fmt = (v, digits = 1) => (v === null || v === undefined) ? "–" : Number(v).toFixed(digits);

  function cell(tr, text, field, cls) {
    const td = document.createElement("td");
    td.textContent = text;
    if (field) td.dataset.field = field;
    if (cls) td.className = cls;
    tr.appendChild(td);
    return td;
  }

  function alertText(row) {
    if (!row.alerts) return "0";
    const last = row.lastAlert;
    return row.alerts + (last ? " · " + last.kind + (last.active ? " (active)" : "") : "");
  }

  function renderList(message) {
    $("total").textContent = message.total + " on this gateway";
    const from = message.total === 0 ? 0 : message.offset + 1;
    $("page").textContent = from + "–" + (message.offset + state.rows.length) + " of " + message.total;
    const body = $("sessions").tBodies[0];
    body.replaceChildren();
    for (const row of state.rows) {
      const tr = document.createElement("tr");
      tr.dataset.id = row.id;
      if (row.id === state.watch) tr.className = "selected";
      cell(tr, row.id, "id");
      cell(tr, row.mode + (row.transport ? " · " + row.transport : ""), "mode");
      cell(tr, row.state, "state");
      cell(tr, fmt(row.reductionShortDb), "reductionShortDb", "num").dataset.value = row.reductionShortDb;
      cell(tr, fmt(row.reductionSinceStartDb), "reductionSinceStartDb", "num").dataset.value = row.reductionSinceStartDb;
      cell(tr, row.noiseLabel || "–", "noiseLabel");
      cell(tr, row.profile || "–", "profile");
      cell(tr, alertText(row), "alerts", row.lastAlert && row.lastAlert.active ? "alert-active" : "").dataset.value = row.alerts;
      cell(tr, fmt(row.latencyP50Ms, 2) + " / " + fmt(row.latencyP99Ms, 2), "latency", "num");
      cell(tr, row.silo, "silo");
      tr.addEventListener("click", () => { state.watch = row.id; subscribe(); });
      body.appendChild(tr);
    }
  }

  $("prev").addEventListener("click", () => { state.offset = Math.max(0, state.offset - pageSize); subscribe(); });
  $("next").addEventListener("click", () => { if (state.offset + pageSize < state.total) { state.offset += pageSize; subscribe(); } });

  function renderDetail(view) {
    $("detail").hidden = !view;
    if (!view) return;
    const row = view.row;
    $("detail-id").textContent = row.id;
    $("detail-summary").textContent = row.mode + " · " + row.algorithm + " · " + row.state + " · " + fmt(row.reductionShortDb) + " dB now, "
      + fmt(row.reductionSinceStartDb) + " dB since start · silo " + row.silo;
    drawHistory(view.reductionHistoryDb);
    drawSpectrum(view.spectrum);
    const classes = $("classes");
    classes.replaceChildren();
    for (const c of view.topClasses) {
      const li = document.createElement("li");
      li.dataset.label = c.label;
      li.textContent = c.label + " " + (100 * c.probability).toFixed(0) + " %";
      const bar = document.createElement("span");
      bar.className = "bar";
      bar.style.width = Math.round(120 * c.probability) + "px";
      li.appendChild(bar);
      classes.appendChild(li);
    }
    const alerts = $("alerts").tBodies[0];
    alerts.replaceChildren();
    for (const a of view.alerts.slice().reverse()) {
      const tr = document.createElement("tr");
      tr.dataset.kind = a.kind;
      if (a.active) tr.className = "alert-active";
      cell(tr, new Date(a.detectedUtc).toISOString().replace("T", " ").slice(0, 23));
      cell(tr, a.kind, "kind");
      cell(tr, a.active ? "detected" : "cleared");
      cell(tr, fmt(a.audioSeconds, 2), null, "num");
      alerts.appendChild(tr);
    }
  }

  function axes(ctx, w, h, pad, yMin, yMax, yStep, yUnit) {
    ctx.clearRect(0, 0, w, h);
    ctx.font = "11px system-ui, sans-serif";
    ctx.strokeStyle = "#e3e6ea";
    ctx.fillStyle = "#6b7785";
    for (let v = Math.ceil(yMin / yStep) * yStep; v <= yMax; v += yStep) {
      const y = pad.t + (h - pad.t - pad.b) * (1 - (v - yMin) / (yMax - yMin));
      ctx.beginPath(); ctx.moveTo(pad.l, y); ctx.lineTo(w - pad.r, y); ctx.stroke();
      ctx.fillText(v + yUnit, 2, y + 4);
    }
  }

  function drawHistory(points) {
    const canvas = $("history"), ctx = canvas.getContext("2d"), w = canvas.width, h = canvas.height;
    const pad = { l: 44, r: 8, t: 8, b: 18 };
    const max = Math.max(40, Math.ceil(Math.max(0, ...points) / 10) * 10);
    const min = Math.min(0, Math.floor(Math.min(0, ...points) / 10) * 10);
    axes(ctx, w, h, pad, min, max, 10, " dB");
    const n = Math.max(points.length, 60);
    ctx.fillText("−" + n + " s", pad.l, h - 4);
    ctx.fillText("now", w - pad.r - 20, h - 4);
    ctx.strokeStyle = "#1d3557";
    ctx.lineWidth = 2;
    ctx.beginPath();
    points.forEach((v, i) => {
      const x = pad.l + (w - pad.l - pad.r) * (n - points.length + i) / (n - 1);
      const y = pad.t + (h - pad.t - pad.b) * (1 - (v - min) / (max - min));
      if (i === 0) ctx.moveTo(x, y); else ctx.lineTo(x, y);
    });
    ctx.stroke();
    ctx.lineWidth = 1;
  }

  function drawSpectrum(spectrum) {
    const canvas = $("spectrum"), ctx = canvas.getContext("2d"), w = canvas.width, h = canvas.height;
    const pad = { l: 44, r: 8, t: 8, b: 18 };
    const min = -120, max = 0;
    axes(ctx, w, h, pad, min, max, 20, " dB");
    if (!spectrum) { ctx.fillText("waiting for audio…", pad.l + 10, pad.t + 20); $("line").textContent = ""; return; }
    const bins = spectrum.noiseDb.length, top = (bins - 1) * spectrum.binHz;
    // Frequency on a log axis from 20 Hz: the low lines ANC works on get the room they need.
    const lo = Math.log10(20), hi = Math.log10(top);
    const xOf = (f) => pad.l + (w - pad.l - pad.r) * (Math.log10(Math.max(f, 20)) - lo) / (hi - lo);
    const yOf = (db) => pad.t + (h - pad.t - pad.b) * (1 - (Math.max(min, Math.min(max, db)) - min) / (max - min));
    for (const f of [50, 100, 200, 500, 1000, 2000, 4000]) if (f <= top) ctx.fillText(f >= 1000 ? f / 1000 + "k" : String(f), xOf(f) - 8, h - 4);
    for (const [series, color] of [[spectrum.noiseDb, "#d1495b"], [spectrum.residualDb, "#00798c"]]) {
      ctx.strokeStyle = color;
      ctx.beginPath();
      let started = false;
      for (let k = 1; k < bins; k++) {
        const f = k * spectrum.binHz;
        if (f < 20) continue;
        if (!started) { ctx.moveTo(xOf(f), yOf(series[k])); started = true; } else ctx.lineTo(xOf(f), yOf(series[k]));
      }
      ctx.stroke();
    }
    // The strongest line of the noise, and how much lower the residual is there.
    let peak = 1;
    for (let k = 1; k < bins; k++) if (k * spectrum.binHz >= 20 && spectrum.noiseDb[k] > spectrum.noiseDb[peak]) peak = k;
    const around = (series) => Math.max(...series.slice(Math.max(0, peak - 2), peak + 3));
    const noise = around(spectrum.noiseDb), residual = around(spectrum.residualDb);
    $("line").textContent = "strongest line " + (peak * spectrum.binHz).toFixed(0) + " Hz: " + noise.toFixed(1) + " dB without ANC, "
      + residual.toFixed(1) + " dB residual (" + (noise - residual).toFixed(1) + " dB lower)";
  }

  connect();
})();
