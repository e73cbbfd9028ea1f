// The store manager's dashboard: log in with username + PIN, then today's figures (polled),
// the charts of a period, the cashier table with its flags, and the health of the store.
import { formatMoney } from "../js/money.js";

const API = "/api/v1";
const TOKEN_KEY = "kassa.manager.token";
const NAME_KEY = "kassa.manager.name";
const MANAGERS = new Set(["manager", "admin"]);
const OVERVIEW_MS = 5000; // today's figures
const REPORT_MS = 15000; // the period's breakdowns (charts reload only when figures change)
const CHARTS = ["hour", "channel", "products", "categories", "cashiers"];
const KINDS = { register: "kassa", kiosk: "självscanning", phone: "mobil" };
const DEVICE_KINDS = { printer: "Kvittoskrivare", scanner: "Streckkodsläsare", pole_display: "Kunddisplay" };
const METRIC_CELLS = { refunds: 3, voids: 4, discounts: 5, no_sales: 7 };

const $ = (selector) => document.querySelector(selector);
let currency = "SEK";
let timers = [];
let lastChartsKey = "";
let lastTodayKey = "";
let storeDay = new Date().toLocaleDateString("sv-SE"); // YYYY-MM-DD; the hub's answer wins
let chartUrls = {};

class Refused extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

// --- talking to the hub ---------------------------------------------------------------------

const token = () => sessionStorage.getItem(TOKEN_KEY);

async function api(path, { method = "GET", body, raw = false } = {}) {
  const headers = { Authorization: `Bearer ${token()}` };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const res = await fetch(`${API}${path}`, { method, headers, cache: "no-store",
    body: body === undefined ? undefined : JSON.stringify(body) });
  if (res.status === 401) {
    signedOut("Inloggningen har gått ut. Logga in igen.");
    throw new Refused(401, "utloggad");
  }
  if (!res.ok) {
    let message = `HTTP ${res.status}`;
    try { message = (await res.json()).message || message; } catch { /* not JSON */ }
    throw new Refused(res.status, message);
  }
  if (raw) return res;
  return res.status === 204 ? null : res.json();
}

// --- words and numbers ----------------------------------------------------------------------

const money = (minor) => formatMoney(minor, currency);
let zone; // the store's timezone (from the hub), so times read as the shop floor's clock
const time = (iso) => (iso ? new Date(iso).toLocaleTimeString("sv-SE", { hour: "2-digit", minute: "2-digit", timeZone: zone }) : "–");
const dateTime = (iso) => (iso ? new Date(iso).toLocaleString("sv-SE", { dateStyle: "short", timeStyle: "short", timeZone: zone }) : "–");

function el(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined && text !== null) node.textContent = text;
  return node;
}

function badge(ok, yes, no, warn = false) {
  return el("span", ok ? "badge" : warn ? "badge warn" : "badge bad", ok ? yes : no);
}

function cell(row, text, cls) {
  const td = el("td", cls, text);
  row.append(td);
  return td;
}

function listOrEmpty(list, items, emptyText) {
  list.replaceChildren(...(items.length ? items : [el("li", "empty", emptyText)]));
}

// --- login ----------------------------------------------------------------------------------

async function login(event) {
  event.preventDefault();
  const error = $("#login-error");
  error.textContent = "";
  $("#login-submit").disabled = true;
  try {
    const res = await fetch(`${API}/auth/login`, { method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ username: $("#login-user").value.trim(), pin: $("#login-pin").value }) });
    const answer = await res.json().catch(() => ({}));
    if (!res.ok) {
      error.textContent = res.status === 401 ? "Fel användarnamn eller PIN-kod."
        : answer.message || `Inloggningen misslyckades (HTTP ${res.status}).`;
      return;
    }
    if (!MANAGERS.has(answer.me.role)) {
      // The API refuses a cashier anyway (403); say so before they see an empty page.
      await fetch(`${API}/auth/logout`, { method: "POST",
        headers: { Authorization: `Bearer ${answer.token}` } }).catch(() => {});
      error.textContent = `${answer.me.name} är inloggad som kassör. Översikten är bara för `
        + "butikschefer och administratörer.";
      return;
    }
    sessionStorage.setItem(TOKEN_KEY, answer.token);
    sessionStorage.setItem(NAME_KEY, answer.me.name);
    $("#login-pin").value = "";
    start();
  } catch {
    error.textContent = "Ingen kontakt med hubben. Försök igen.";
  } finally {
    $("#login-submit").disabled = false;
  }
}

async function logout() {
  try { await api("/auth/logout", { method: "POST" }); } catch { /* gone already */ }
  signedOut("");
}

function signedOut(message) {
  timers.forEach(clearInterval);
  timers = [];
  sessionStorage.removeItem(TOKEN_KEY);
  sessionStorage.removeItem(NAME_KEY);
  Object.values(chartUrls).forEach(URL.revokeObjectURL);
  chartUrls = {};
  lastChartsKey = "";
  lastTodayKey = "";
  $("#login-error").textContent = message;
  document.body.dataset.screen = "login";
  $("#login-user").focus();
}

async function start() {
  document.body.dataset.screen = "dashboard";
  $("#who").textContent = sessionStorage.getItem(NAME_KEY) || "";
  await refreshOverview(); // learns the store's today (its timezone, not this browser's)
  $("#period-from").value = $("#period-from").value || storeDay;
  $("#period-to").value = $("#period-to").value || storeDay;
  refreshReport();
  timers.push(setInterval(refreshOverview, OVERVIEW_MS));
  timers.push(setInterval(refreshReport, REPORT_MS));
}

// --- today ----------------------------------------------------------------------------------

async function refreshOverview() {
  let o;
  try {
    o = await api("/reports/overview");
  } catch (err) {
    if (err.status !== 401) $("#stale").hidden = false;
    return;
  }
  $("#stale").hidden = true;
  currency = o.currency;
  storeDay = o.day;
  zone = o.timezone;
  $("#today").textContent = `Idag ${o.day}`;
  $("#updated").textContent = time(o.at);
  const s = o.summary;
  $("#kpi-total").textContent = money(s.amount);
  $("#kpi-sales").textContent = String(s.sales);
  $("#kpi-average").textContent = money(s.average);
  $("#kpi-refunds").textContent = money(s.refunds.amount);
  $("#kpi-refund-count").textContent = `${s.refunds.count} ${s.refunds.count === 1 ? "retur" : "returer"}`;
  $("#kpi-net").textContent = money(s.net);
  $("#kpi-open").textContent = String(o.open_carts.count);
  $("#kpi-open-amount").textContent = money(o.open_carts.amount);
  $("#kpi-abandoned").textContent = String(s.abandoned.count);
  $("#kpi-abandoned-amount").textContent = money(s.abandoned.amount);
  renderLanes(o);
  renderDevices(o);
  renderSync(o.sync);
  renderInDoubt(o.in_doubt);
  renderStock(o.stock);
  const alerts = o.in_doubt.length + o.stock.items.length + (window.flagCount || 0);
  $("#kpi-alerts").textContent = String(alerts);
  $("#kpi-alerts-box").classList.toggle("alert", alerts > 0);
  // A sale or refund today moves a period that holds today: look again now, not in 15 s.
  const todayKey = `${s.sales}:${s.amount}:${s.refunds.count}`;
  if (lastTodayKey && todayKey !== lastTodayKey && $("#period-to").value >= o.day) refreshReport();
  lastTodayKey = todayKey;
}

function renderLanes(o) {
  const rows = o.lanes.map((lane) => {
    const tr = el("tr");
    tr.dataset.lane = lane.id;
    const name = cell(tr, `${lane.name} `);
    name.append(el("span", "muted", `(${lane.id}, ${KINDS[lane.kind] || lane.kind})`));
    if (lane.training) name.append(" ", badge(false, "", "övningsläge", true));
    cell(tr, String(lane.sales), "num");
    cell(tr, money(lane.amount), "num");
    cell(tr, lane.open_cart ? money(lane.open_cart) : "–", "num");
    const z = cell(tr, lane.latest_z
      ? `Z ${lane.latest_z.z_no} · ${dateTime(lane.latest_z.period_end)} · ${money(lane.latest_z.net_total)}`
      : "ingen ännu");
    z.className = "latest-z";
    const card = cell(tr, "");
    card.className = "settlement";
    if (!o.card_settlements_available) card.textContent = "–";
    else if (!lane.card_settlement) card.textContent = "ingen ännu";
    else {
      const st = lane.card_settlement;
      card.append(badge(!st.flagged, "stämmer", "avviker"), " ", dateTime(st.created_at || st.period_end));
      if (st.flagged) card.title = st.problems.join("\n");
      if (st.amount_difference) card.append(el("div", "muted", `skillnad ${money(st.amount_difference)}`));
    }
    const reports = el("div", "reports");
    const x = el("button", "small secondary", "X-rapport");
    x.dataset.action = "x-report";
    x.addEventListener("click", () => openDocument(`/lanes/${encodeURIComponent(lane.id)}/x-report?format=html`));
    reports.append(x);
    if (lane.latest_z) {
      for (const fmt of ["html", "pdf", "csv", "sie"]) {
        const b = el("button", "small secondary", `Z ${fmt.toUpperCase()}`);
        b.dataset.action = `z-${fmt}`;
        b.addEventListener("click", () => openDocument(`/z-reports/${lane.latest_z.id}?format=${fmt}`,
          fmt === "csv" || fmt === "sie" ? `z-${lane.id}-${lane.latest_z.z_no}.${fmt === "sie" ? "se" : "csv"}` : null));
        reports.append(b);
      }
      const all = el("button", "small secondary", "Alla Z");
      all.addEventListener("click", () => showZReports(lane));
      reports.append(all);
    }
    cell(tr, "").append(reports);
    return tr;
  });
  $("#lanes tbody").replaceChildren(...rows);
  const note = $("#settlements-note");
  note.hidden = o.card_settlements_available;
  note.textContent = o.card_settlements_message;
}

function renderDevices(o) {
  const items = o.readers.map((r) => {
    const li = el("li");
    li.append(badge(r.available, r.busy ? "upptagen" : "ansluten", "ej ansluten"),
      ` Kortterminal ${r.lane_id} (${r.protocol})`);
    if (r.last_error) li.append(el("span", "muted", ` – ${r.last_error}`));
    return li;
  });
  for (const d of o.devices) {
    const li = el("li");
    li.append(badge(d.available, "ansluten", "ej ansluten"), ` ${DEVICE_KINDS[d.kind] || d.kind} ${d.lane_id}`);
    if (d.paper === "low") li.append(" ", badge(false, "", "lite papper", true));
    if (d.paper === "out") li.append(" ", badge(false, "", "papper slut"));
    if (d.waiting) li.append(el("span", "muted", ` – ${d.waiting} kvitton väntar`));
    if (d.last_error) li.append(el("span", "muted", ` – ${d.last_error}`));
    items.push(li);
  }
  listOrEmpty($("#devices"), items, "Inga enheter konfigurerade.");
}

function renderSync(sync) {
  const dl = $("#sync");
  dl.replaceChildren();
  const row = (label, value) => { dl.append(el("dt", null, label)); const dd = el("dd"); dd.append(value); dl.append(dd); };
  if (!sync) { row("Status", "okänd"); return; }
  if (!sync.enabled) row("Status", badge(false, "", "avstängd (ingen central)", true));
  else row("Status", badge(sync.online, "online", "offline"));
  row("Väntar på att skickas", `${sync.waiting} händelser`);
  if (sync.lag_seconds) row("Äldsta väntande", `${Math.round(sync.lag_seconds / 60)} min`);
  row("Senast skickat", dateTime(sync.last_push_at));
  row("Senast hämtat", dateTime(sync.last_pull_at));
  if (sync.rejected) row("Avvisade", badge(false, "", `${sync.rejected} händelser`));
  if (sync.last_error) row("Senaste fel", sync.last_error);
}

function renderInDoubt(payments) {
  listOrEmpty($("#in-doubt"), payments.map((p) => {
    const li = el("li");
    li.append(badge(false, "", "ovisst"), ` ${money(p.amount)} på kassa ${p.lane_id}, ${dateTime(p.created_at)}`);
    if (p.message) li.append(el("span", "muted", ` – ${p.message}`));
    return li;
  }), "Inga – alla kortbetalningar har ett känt utfall.");
}

function renderStock(stock) {
  const items = stock.items.map((item) => {
    const li = el("li");
    const label = { negative: "minus i lager", pickup_overdue: "hämtorder", sync_rejected: "avvisad" }[item.kind] || item.kind;
    li.append(badge(false, "", label, item.kind === "pickup_overdue"), ` ${item.message}`);
    return li;
  });
  if (stock.pickups_waiting) {
    items.push(el("li", "muted", `${stock.pickups_waiting} hämtorder väntar på att hämtas.`));
  }
  listOrEmpty($("#stock"), items, "Inga kända lagerproblem.");
}

// --- the period -----------------------------------------------------------------------------

function periodQuery() {
  return `from=${encodeURIComponent($("#period-from").value)}&to=${encodeURIComponent($("#period-to").value)}`;
}

async function refreshReport() {
  let report;
  try {
    report = await api(`/reports/sales?${periodQuery()}`);
    $("#period-error").textContent = "";
  } catch (err) {
    if (err.status !== 401) $("#period-error").textContent = err.message;
    return;
  }
  currency = report.currency;
  renderCashiers(report);
  const s = report.summary;
  const key = `${s.sales}:${s.amount}:${s.refunds.count}:${report.first_day}:${report.last_day}`;
  if (key !== lastChartsKey) {
    lastChartsKey = key;
    await loadCharts();
  }
}

async function loadCharts() {
  const query = periodQuery();
  await Promise.all(CHARTS.map(async (name) => {
    const img = $(`#chart-${name}`);
    try {
      const res = await api(`/reports/charts/${name}.svg?${query}`, { raw: true });
      const url = URL.createObjectURL(await res.blob());
      await new Promise((resolve) => { img.onload = resolve; img.onerror = resolve; img.src = url; });
      if (chartUrls[name]) URL.revokeObjectURL(chartUrls[name]);
      chartUrls[name] = url;
    } catch { /* the next refresh tries again */ }
  }));
  document.body.dataset.charts = "loaded";
}

function renderCashiers(report) {
  window.flagCount = report.flags.length;
  const flags = report.flags.map((f) => {
    const li = el("li", "flag", f.message);
    li.dataset.metric = f.metric;
    return li;
  });
  listOrEmpty($("#flags"), flags, "");
  if (!flags.length) {
    $("#flags").replaceChildren(el("li", "none", "Inget avvikande: ingen kassör sticker ut."));
  }
  const rows = report.cashiers.map((c) => {
    const tr = el("tr", c.flags.length ? "flagged" : c.self_service ? "self-service" : "");
    tr.dataset.name = c.name;
    cell(tr, c.name);
    cell(tr, String(c.sales), "num");
    cell(tr, money(c.amount), "num");
    cell(tr, c.refunds.count ? `${c.refunds.count} · ${money(c.refunds.amount)}` : "–", "num");
    cell(tr, String(c.voided_lines || "–"), "num");
    cell(tr, c.discounts.count ? `${c.discounts.count} · ${money(c.discounts.amount)}` : "–", "num");
    cell(tr, c.price_overrides.count ? `${c.price_overrides.count} · ${money(c.price_overrides.amount)}` : "–", "num");
    cell(tr, String(c.no_sales || "–"), "num");
    cell(tr, c.abandoned.count ? `${c.abandoned.count} · ${money(c.abandoned.amount)}` : "–", "num");
    for (const metric of c.flags) {
      const td = tr.children[METRIC_CELLS[metric]];
      td.classList.add("flag");
      td.title = (report.flags.find((f) => f.name === c.name && f.metric === metric) || {}).message || "";
    }
    return tr;
  });
  $("#cashiers tbody").replaceChildren(...rows);
}

// --- reports (need the token: fetched, then shown from a blob) ------------------------------

async function openDocument(path, downloadName = null) {
  // Open the tab now, while the click still counts as the user's: a tab opened after an
  // await would be stopped by the pop-up blocker.
  const tab = downloadName ? null : window.open("", "_blank");
  try {
    const res = await api(path, { raw: true });
    const url = URL.createObjectURL(await res.blob());
    if (downloadName) {
      const a = el("a");
      a.href = url;
      a.download = downloadName;
      a.click();
    } else if (tab) {
      tab.location.href = url;
    } else {
      location.assign(url);
    }
    setTimeout(() => URL.revokeObjectURL(url), 60000);
  } catch (err) {
    if (tab) tab.close();
    if (err.status !== 401) alert(`Rapporten kunde inte öppnas: ${err.message}`);
  }
}

async function showZReports(lane) {
  const dialog = $("#z-dialog");
  $("#z-title").textContent = `Z-rapporter – ${lane.name}`;
  try {
    const reports = await api(`/z-reports?lane_id=${encodeURIComponent(lane.id)}&limit=30`);
    listOrEmpty($("#z-list"), reports.map((z) => {
      const li = el("li", null, `Z ${z.z_no} · ${dateTime(z.period_end)} · netto ${money(z.net_total)} `);
      for (const fmt of ["html", "pdf"]) {
        const b = el("button", "small secondary", fmt.toUpperCase());
        b.addEventListener("click", () => openDocument(`/z-reports/${z.id}?format=${fmt}`));
        li.append(b);
      }
      return li;
    }), "Inga Z-rapporter ännu.");
    dialog.showModal();
  } catch (err) {
    if (err.status !== 401) alert(`Z-rapporterna kunde inte hämtas: ${err.message}`);
  }
}

// --- start ----------------------------------------------------------------------------------

$("#login-form").addEventListener("submit", login);
$("#logout").addEventListener("click", logout);
$("#period-form").addEventListener("submit", (event) => {
  event.preventDefault();
  lastChartsKey = "";
  refreshReport();
});
$("#period-today").addEventListener("click", () => {
  $("#period-from").value = storeDay;
  $("#period-to").value = storeDay;
  lastChartsKey = "";
  refreshReport();
});

if (token()) start();
else document.body.dataset.screen = "login";
