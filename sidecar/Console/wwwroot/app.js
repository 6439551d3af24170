// Mesh.Gateway console: plain script, no build step, no third-party code. Every figure comes from /admin/v1 with the admin token.
"use strict";
(() => {
  const TOKEN_KEY = "mesh-gateway-admin-token";
  const COLORS = ["#0b57d0", "#b3261e", "#0d652d", "#8e3ec8", "#b35c00", "#00707a", "#5f6368", "#c2185b"];
  const $ = (sel) => document.querySelector(sel);
  let token = sessionStorage.getItem(TOKEN_KEY) || "";
  let refreshTimer = null;

  async function api(path, options = {}) {
    const response = await fetch(path, {
      ...options,
      headers: { "Authorization": "Bearer " + token, "Content-Type": "application/json", ...(options.headers || {}) },
    });
    // 403 with a JSON reason is a role's refusal (a viewer asking for key management): said where it happened, no sign-in.
    if (response.status === 403 && response.headers.get("content-type")?.includes("json")) {
      throw new Error((await response.json()).error);
    }
    if (response.status === 401 || response.status === 403) {
      showLogin(response.status === 403 ? await response.text() : "");
      throw new Error("unauthorized");
    }
    const body = response.headers.get("content-type")?.includes("json") ? await response.json() : await response.text();
    if (!response.ok) {
      throw new Error(body && body.error ? body.error : String(body));
    }
    return body;
  }

  function showLogin(message) {
    $("#login").hidden = false;
    document.querySelectorAll("[role=tabpanel]").forEach((p) => (p.hidden = true));
    $("#login-error").textContent = message || "";
    $("#token").focus();
  }

  $("#login-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    token = $("#token").value.trim();
    sessionStorage.setItem(TOKEN_KEY, token);
    try {
      await applyRole();
      $("#login").hidden = true;
      $("#token").value = "";
      select("overview");
    } catch (err) {
      if (err.message === "unauthorized") {
        $("#login-error").textContent = $("#login-error").textContent || "That token is not an admin credential.";
      }
    }
  });

  // A viewer (admin.viewers) reads; key management is an admin's, so its tab is not offered.
  async function applyRole() {
    const who = await api("/admin/v1/whoami");
    const viewer = who.role !== "admin";
    $("#tab-keys").parentElement.hidden = viewer;
    $("#role").textContent = viewer ? "Signed in as a viewer (read-only)" : "Signed in as an admin";
    return who.role;
  }

  // Tabs: arrow keys move between them, Enter/Space or click selects (WAI-ARIA tabs pattern).
  const tabs = [...document.querySelectorAll("[role=tab]")];
  const shown = () => tabs.filter((t) => !t.parentElement.hidden);
  tabs.forEach((tab) => {
    tab.addEventListener("click", () => select(tab.getAttribute("aria-controls")));
    tab.addEventListener("keydown", (e) => {
      const visible = shown();
      const i = visible.indexOf(tab);
      const next = e.key === "ArrowRight" ? i + 1 : e.key === "ArrowLeft" ? i - 1 : e.key === "Home" ? 0 : e.key === "End" ? visible.length - 1 : null;
      if (next !== null) {
        e.preventDefault();
        const target = visible[(next + visible.length) % visible.length];
        target.focus();
        select(target.getAttribute("aria-controls"));
      }
    });
  });

  function select(panel) {
    tabs.forEach((tab) => {
      const on = tab.getAttribute("aria-controls") === panel;
      tab.setAttribute("aria-selected", String(on));
      tab.tabIndex = on ? 0 : -1;
    });
    document.querySelectorAll("[role=tabpanel]").forEach((p) => (p.hidden = p.id !== panel));
    location.hash = panel;
    clearInterval(refreshTimer);
    const load = { overview: loadOverview, calls: loadCalls, keys: loadKeys, spend: loadSpend, config: loadConfig }[panel];
    load().catch(report);
    if (panel === "overview") {
      refreshTimer = setInterval(() => loadOverview().catch(report), 5000);
    }
  }

  function report(err) {
    if (err.message !== "unauthorized") {
      $("#status").textContent = "Error: " + err.message;
    }
  }

  function text(value) {
    return value === null || value === undefined ? "" : String(value);
  }

  function cell(row, value, cls) {
    const td = document.createElement("td");
    td.textContent = text(value);
    if (cls) td.className = cls;
    row.appendChild(td);
    return td;
  }

  function localToIso(value) {
    return value ? new Date(value + "Z").toISOString() : "";
  }

  // ---- Overview: line charts drawn as SVG from /admin/v1/stats ----
  const CHARTS = [
    { id: "requests", title: "Requests", value: (p) => p.requests },
    { id: "errors", title: "Errors", value: (p) => p.errors },
    { id: "tokens", title: "Tokens (in + out)", value: (p) => p.input_tokens + p.output_tokens },
    { id: "cost", title: "Cost (USD)", value: (p) => p.cost_usd },
    { id: "p50", title: "Latency p50 (ms)", value: (p) => p.p50_ms },
    { id: "p99", title: "Latency p99 (ms)", value: (p) => p.p99_ms },
    { id: "findings", title: "Guardrail findings", value: (p) => p.guardrail_findings },
    { id: "cache-ratio", title: "Cache hit ratio (%)", value: (p) => (p.requests ? (100 * p.cache_hits) / p.requests : null) },
    { id: "cache-saved", title: "Saved by the cache (USD)", value: (p) => p.cost_saved_usd },
  ];

  async function loadOverview() {
    const by = $("#by").value;
    const minutes = $("#minutes").value;
    const stats = await api(`/admin/v1/stats?by=${encodeURIComponent(by)}&minutes=${encodeURIComponent(minutes)}`);
    const charts = $("#charts");
    charts.replaceChildren();
    const fleet = String(stats.source || "").startsWith("fleet");
    $("#overview-title").textContent = fleet ? "The fleet, live" : "This sidecar, live";
    $("#overview-source").textContent = "Source: " + stats.source + (fleet ? " (every sidecar writing to the ledger's stream; gateway overhead is this sidecar's)." : ".");
    for (const chart of CHARTS) {
      charts.appendChild(figure(chart.id, chart.title + " by " + stats.by, stats.series.map((s) => ({ name: s.group, values: s.points.map(chart.value) }))));
    }
    const overheadOf = fleet ? " (this sidecar)" : "";
    charts.appendChild(figure("overhead-p50", "Gateway overhead p50 (ms) by " + stats.overhead_by + overheadOf, stats.overhead.map((s) => ({ name: s.group, values: s.points.map((p) => p.p50_ms) }))));
    charts.appendChild(figure("overhead-p99", "Gateway overhead p99 (ms) by " + stats.overhead_by + overheadOf, stats.overhead.map((s) => ({ name: s.group, values: s.points.map((p) => p.p99_ms) }))));
    const cache = document.createElement("figure");
    cache.id = "chart-cache";
    cache.innerHTML = "<figcaption>Cache hit ratio, whole window</figcaption>";
    const p = document.createElement("p");
    p.className = "nodata";
    p.textContent = stats.cache_hit_ratio === null || stats.cache_hit_ratio === undefined ? "No calls in this window." : (stats.cache_hit_ratio * 100).toFixed(1) + " % of calls answered from the cache";
    cache.appendChild(p);
    charts.appendChild(cache);
    $("#status").textContent = "Updated " + new Date().toLocaleTimeString();
  }

  function figure(id, title, series) {
    const fig = document.createElement("figure");
    fig.id = "chart-" + id;
    const caption = document.createElement("figcaption");
    caption.textContent = title;
    fig.appendChild(caption);
    const all = series.flatMap((s) => s.values).filter((v) => v !== null && v !== undefined);
    if (all.length === 0 || series.length === 0) {
      const p = document.createElement("p");
      p.className = "nodata";
      p.textContent = "No calls in this window.";
      fig.appendChild(p);
      fig.dataset.points = "0";
      return fig;
    }
    const max = Math.max(...all, 0) || 1;
    const W = 400, H = 150, L = 40, B = 18;
    const ns = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
    svg.setAttribute("class", "chart");
    svg.setAttribute("role", "img");
    const total = all.reduce((a, b) => a + b, 0);
    svg.setAttribute("aria-label", `${title}: ${series.length} series, peak ${fmt(max)}, sum ${fmt(total)}`);
    const axis = document.createElementNS(ns, "path");
    axis.setAttribute("d", `M${L},4 V${H - B} H${W - 4}`);
    axis.setAttribute("class", "axis");
    axis.setAttribute("fill", "none");
    svg.appendChild(axis);
    const label = document.createElementNS(ns, "text");
    label.setAttribute("x", "2");
    label.setAttribute("y", "12");
    label.textContent = fmt(max);
    svg.appendChild(label);
    let points = 0;
    series.forEach((s, si) => {
      const n = s.values.length;
      let d = "";
      s.values.forEach((v, i) => {
        if (v === null || v === undefined) return;
        const x = L + (n <= 1 ? 0 : (i * (W - L - 6)) / (n - 1));
        const y = H - B - (v / max) * (H - B - 8);
        d += (d ? " L" : "M") + x.toFixed(1) + "," + y.toFixed(1);
        if (v > 0) points++;
      });
      // A value with no value either side draws no line: mark it with a dot.
      s.values.forEach((v, i) => {
        const lone = v !== null && v !== undefined && (i === 0 || s.values[i - 1] === null || s.values[i - 1] === undefined)
          && (i === n - 1 || s.values[i + 1] === null || s.values[i + 1] === undefined);
        if (!lone) return;
        const dot = document.createElementNS(ns, "circle");
        dot.setAttribute("cx", (L + (n <= 1 ? 0 : (i * (W - L - 6)) / (n - 1))).toFixed(1));
        dot.setAttribute("cy", (H - B - (v / max) * (H - B - 8)).toFixed(1));
        dot.setAttribute("r", "3");
        dot.setAttribute("fill", COLORS[si % COLORS.length]);
        svg.appendChild(dot);
      });
      const path = document.createElementNS(ns, "path");
      path.setAttribute("d", d || "M0,0");
      path.setAttribute("fill", "none");
      path.setAttribute("stroke", COLORS[si % COLORS.length]);
      path.setAttribute("stroke-width", "2");
      path.setAttribute("data-series", s.name);
      svg.appendChild(path);
    });
    fig.dataset.points = String(points);
    fig.appendChild(svg);
    const legend = document.createElement("ul");
    legend.className = "legend";
    series.forEach((s, si) => {
      const li = document.createElement("li");
      const sw = document.createElement("span");
      sw.className = "swatch";
      sw.style.background = COLORS[si % COLORS.length];
      li.appendChild(sw);
      li.appendChild(document.createTextNode(s.name));
      legend.appendChild(li);
    });
    fig.appendChild(legend);
    return fig;
  }

  function fmt(v) {
    return v >= 100 ? Math.round(v).toString() : v >= 1 ? v.toFixed(1) : v.toPrecision(2);
  }

  $("#by").addEventListener("change", () => loadOverview().catch(report));
  $("#minutes").addEventListener("change", () => loadOverview().catch(report));

  // ---- Call log ----
  async function loadCalls() {
    const form = new FormData($("#calls-form"));
    const query = new URLSearchParams();
    for (const [k, v] of form) {
      if (!v) continue;
      query.set(k, k === "from" || k === "to" ? localToIso(v) : v);
    }
    const result = await api("/admin/v1/calls?" + query);
    const body = $("#calls-table tbody");
    body.replaceChildren();
    for (const c of result.calls) {
      const tr = document.createElement("tr");
      cell(tr, c.timestamp.replace("T", " ").replace(/\.\d+/, "").replace("+00:00", ""));
      cell(tr, c.tenant);
      cell(tr, c.key_id);
      cell(tr, c.route);
      cell(tr, c.provider);
      cell(tr, c.status, "status-" + c.status);
      cell(tr, c.input_tokens + " / " + c.output_tokens, "num");
      cell(tr, Number(c.cost_usd).toFixed(6), "num");
      cell(tr, Math.round(c.latency_ms), "num");
      cell(tr, (c.guardrail_actions || []).join(", "));
      const capture = document.createElement("td");
      if (c.captured) {
        const button = document.createElement("button");
        button.type = "button";
        button.className = "capture-toggle";
        button.textContent = "Show";
        button.setAttribute("aria-expanded", "false");
        button.setAttribute("aria-label", "Show the captured prompt and answer of call " + c.request_id);
        button.addEventListener("click", () => toggleCapture(button, tr, c.request_id).catch(report));
        capture.appendChild(button);
      } else {
        capture.textContent = "\u2014";
      }
      tr.appendChild(capture);
      body.appendChild(tr);
    }
    $("#calls-summary").textContent = `${result.matched} matching calls (showing ${result.calls.length}) of ${result.kept} kept; source: ${result.source}.`;
  }

  // A call's captured prompt and answer (capture.readers only), in a row under the call; the button toggles it.
  async function toggleCapture(button, tr, id) {
    const open = tr.nextElementSibling && tr.nextElementSibling.classList.contains("capture-row") ? tr.nextElementSibling : null;
    if (open) {
      open.remove();
      button.setAttribute("aria-expanded", "false");
      button.textContent = "Show";
      return;
    }
    const row = document.createElement("tr");
    row.className = "capture-row";
    const td = document.createElement("td");
    td.colSpan = tr.children.length;
    const response = await fetch("/admin/v1/calls/" + encodeURIComponent(id) + "/capture", { headers: { "Authorization": "Bearer " + token } });
    const body = response.headers.get("content-type")?.includes("json") ? await response.json() : { error: await response.text() };
    if (!response.ok) {
      const p = document.createElement("p");
      p.setAttribute("role", "status");
      p.textContent = (response.status === 403 ? "Not allowed: " : "Not available: ") + (body.error || response.status);
      td.appendChild(p);
    } else {
      for (const [label, text] of [["Prompt (as sent upstream, redacted)", body.prompt], ["Answer (as the caller received it)", body.answer]]) {
        const h = document.createElement("h3");
        h.textContent = label;
        const pre = document.createElement("pre");
        pre.className = "capture-text";
        pre.textContent = text === null || text === undefined ? "(none)" : text;
        td.append(h, pre);
      }
      if (body.truncated) {
        const p = document.createElement("p");
        p.textContent = "Cut at capture.max_chars.";
        td.appendChild(p);
      }
    }
    row.appendChild(td);
    tr.after(row);
    button.setAttribute("aria-expanded", "true");
    button.textContent = "Hide";
  }

  $("#calls-form").addEventListener("submit", (e) => {
    e.preventDefault();
    loadCalls().catch(report);
  });
  $("#calls-form").addEventListener("reset", () => setTimeout(() => loadCalls().catch(report)));

  // ---- Keys ----
  async function loadKeys() {
    const result = await api("/admin/v1/keys");
    const body = $("#keys-table tbody");
    body.replaceChildren();
    for (const k of result.keys) {
      const tr = document.createElement("tr");
      tr.dataset.keyId = k.id;
      cell(tr, k.id);
      cell(tr, k.name);
      cell(tr, k.tenant);
      cell(tr, (k.models || []).join(", ") || "(tenant's)");
      cell(tr, k.status + (k.previous_secret_valid_until ? " (old secret until " + k.previous_secret_valid_until + ")" : ""), "status-" + (k.status === "active" ? "ok" : "error"));
      cell(tr, k.expires_at || "never");
      cell(tr, Object.entries(k.labels || {}).map(([a, b]) => a + "=" + b).join(", "));
      cell(tr, keyLimits(k));
      const actions = cell(tr, "");
      if (k.status !== "revoked") {
        const rotate = document.createElement("button");
        rotate.textContent = "Rotate";
        rotate.setAttribute("aria-label", "Rotate key " + k.name + " (" + k.id + "), old secret valid 1 hour");
        rotate.addEventListener("click", () => rotateKey(k.id));
        const revoke = document.createElement("button");
        revoke.textContent = "Revoke";
        revoke.setAttribute("aria-label", "Revoke key " + k.name + " (" + k.id + ")");
        revoke.addEventListener("click", () => revokeKey(k.id));
        const edit = document.createElement("button");
        edit.textContent = "Edit limits";
        edit.className = "edit-limits";
        edit.setAttribute("aria-expanded", "false");
        edit.setAttribute("aria-label", "Edit the own limits and budget of key " + k.name + " (" + k.id + ")");
        edit.addEventListener("click", () => toggleEdit(edit, tr, k));
        actions.append(rotate, " ", revoke, " ", edit);
      }
      body.appendChild(tr);
    }
    $("#status").textContent = `${result.keys.length} keys (store: ${result.store})`;
  }

  // A key's own limits and budget, edited in a form under its row (PATCH /admin/v1/keys/{id}); an empty field removes that
  // limit, every sidecar of the store applies the change as it does any other key change.
  function toggleEdit(button, tr, k) {
    const open = tr.nextElementSibling && tr.nextElementSibling.classList.contains("edit-row");
    if (open) {
      tr.nextElementSibling.remove();
      button.setAttribute("aria-expanded", "false");
      return;
    }
    const l = k.limits || {}, b = k.budget || {};
    const row = document.createElement("tr");
    row.className = "edit-row";
    const td = document.createElement("td");
    td.colSpan = 9;
    const form = document.createElement("form");
    form.className = "filters key-edit";
    form.setAttribute("aria-label", "Own limits and budget of key " + k.id);
    const fields = [
      ["rpm", "Requests per minute", l.requests_per_minute, "1"],
      ["tpm", "Tokens per minute", l.tokens_per_minute, "1"],
      ["day_usd", "Budget per day (USD)", b.per_day_usd, "any"],
      ["month_usd", "Budget per month (USD)", b.per_month_usd, "any"],
      ["alert_at", "Alert at (fraction of a budget)", b.alert_at, "any"],
    ];
    for (const [name, label, value, step] of fields) {
      const id = "edit-" + name + "-" + k.id;
      const lab = document.createElement("label");
      lab.htmlFor = id;
      lab.textContent = label;
      const input = document.createElement("input");
      input.id = id;
      input.name = name;
      input.type = "number";
      input.min = "0";
      input.step = step;
      input.value = value === undefined || value === null ? "" : String(value);
      form.append(lab, input);
    }
    const save = document.createElement("button");
    save.type = "submit";
    save.textContent = "Save limits";
    const error = document.createElement("p");
    error.className = "error";
    error.setAttribute("role", "alert");
    form.append(save, error);
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const f = new FormData(form);
      const num = (n) => (f.get(n) === "" || f.get(n) === null ? undefined : Number(f.get(n)));
      const body = {
        limits: { requests_per_minute: num("rpm"), tokens_per_minute: num("tpm") },
        budget: { per_day_usd: num("day_usd"), per_month_usd: num("month_usd"), alert_at: num("alert_at") },
      };
      try {
        await api(`/admin/v1/keys/${encodeURIComponent(k.id)}`, { method: "PATCH", body: JSON.stringify(body) });
        await loadKeys();
        $("#status").textContent = "Saved the own limits of " + k.id + "; every sidecar of the store applies them.";
      } catch (err) {
        error.textContent = err.message;
      }
    });
    td.appendChild(form);
    row.appendChild(td);
    tr.after(row);
    button.setAttribute("aria-expanded", "true");
    form.querySelector("input").focus();
  }

  function keyLimits(k) {
    const parts = [];
    const l = k.limits || {}, b = k.budget || {};
    if (l.requests_per_minute) parts.push(l.requests_per_minute + " req/min");
    if (l.tokens_per_minute) parts.push(l.tokens_per_minute + " tokens/min");
    if (b.per_day_usd) parts.push("$" + b.per_day_usd + "/day");
    if (b.per_month_usd) parts.push("$" + b.per_month_usd + "/month");
    if (b.alert_at) parts.push("alert at " + Math.round(b.alert_at * 100) + " %");
    return parts.join(", ") || "(tenant's)";
  }

  function showSecret(secret) {
    $("#secret").textContent = secret;
    $("#secret-box").hidden = false;
  }

  $("#key-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    $("#key-error").textContent = "";
    const f = new FormData(e.target);
    const labels = {};
    for (const pair of String(f.get("labels") || "").split(",")) {
      const [k, v] = pair.split("=").map((s) => s && s.trim());
      if (k) labels[k] = v || "";
    }
    const body = {
      tenant: f.get("tenant"),
      name: f.get("name"),
      models: String(f.get("models") || "").split(",").map((s) => s.trim()).filter(Boolean),
      labels,
    };
    if (f.get("expires")) body.expires_at = localToIso(f.get("expires"));
    const limits = {}, budget = {};
    if (f.get("rpm")) limits.requests_per_minute = Number(f.get("rpm"));
    if (f.get("tpm")) limits.tokens_per_minute = Number(f.get("tpm"));
    if (f.get("day_usd")) budget.per_day_usd = Number(f.get("day_usd"));
    if (f.get("month_usd")) budget.per_month_usd = Number(f.get("month_usd"));
    if (Object.keys(limits).length) body.limits = limits;
    if (Object.keys(budget).length) body.budget = budget;
    try {
      const issued = await api("/admin/v1/keys", { method: "POST", body: JSON.stringify(body) });
      showSecret(issued.secret);
      await loadKeys();
    } catch (err) {
      $("#key-error").textContent = err.message;
    }
  });

  async function rotateKey(id) {
    try {
      const issued = await api(`/admin/v1/keys/${encodeURIComponent(id)}/rotate`, { method: "POST", body: JSON.stringify({ overlap_seconds: 3600 }) });
      showSecret(issued.secret);
      await loadKeys();
    } catch (err) {
      $("#key-error").textContent = err.message;
    }
  }

  async function revokeKey(id) {
    if (!confirm("Revoke " + id + "? Every sidecar sharing the store refuses it from now on.")) return;
    try {
      await api(`/admin/v1/keys/${encodeURIComponent(id)}/revoke`, { method: "POST" });
      await loadKeys();
    } catch (err) {
      $("#key-error").textContent = err.message;
    }
  }

  // ---- Spend ----
  async function loadSpend() {
    const f = new FormData($("#spend-form"));
    const query = new URLSearchParams({ by: f.get("by") });
    if (f.get("from")) query.set("from", localToIso(f.get("from")));
    if (f.get("to")) query.set("to", localToIso(f.get("to")));
    const report = await api("/admin/v1/spend?" + query);
    const body = $("#spend-table tbody");
    body.replaceChildren();
    for (const r of report.rows) {
      const tr = document.createElement("tr");
      cell(tr, r.group);
      cell(tr, r.requests, "num");
      cell(tr, r.input_tokens, "num");
      cell(tr, r.output_tokens, "num");
      cell(tr, Number(r.cost_usd).toFixed(6), "num");
      body.appendChild(tr);
    }
    $("#spend-total").textContent = Number(report.total_usd).toFixed(6);
  }

  $("#spend-form").addEventListener("submit", (e) => {
    e.preventDefault();
    loadSpend().catch(report);
  });

  // ---- Configuration ----
  async function loadConfig() {
    const config = await api("/admin/v1/config");
    $("#config-version").textContent = "(version " + config.version + ")";
    const body = $("#config-table tbody");
    body.replaceChildren();
    for (const e of config.entries) {
      const tr = document.createElement("tr");
      cell(tr, e.key);
      cell(tr, e.value);
      body.appendChild(tr);
    }
  }

  const start = (location.hash || "#overview").slice(1);
  if (!token) {
    showLogin("");
  } else {
    applyRole()
      .then((role) => select(["overview", "calls", "spend", "config"].concat(role === "admin" ? ["keys"] : []).includes(start) ? start : "overview"))
      .catch(report);
  }
})();
