// Head office's dashboard: fetch the day's figures every few seconds and show them.
// Every value goes in with textContent, never as HTML.

const REFRESH_MS = 5000;
const API = "/admin/v1/dashboard";
const $ = (id) => document.getElementById(id);

let fingerprint = "";
let timer = 0;

/** Swedish kronor from integer minor units: 123450 → "1 234,50 kr". */
export function kronor(minor) {
  const sign = minor < 0 ? "\u2212" : "";
  const abs = Math.abs(minor);
  const whole = String(Math.trunc(abs / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, "\u00a0");
  const ore = String(abs % 100).padStart(2, "0");
  return `${sign}${whole},${ore}\u00a0kr`;
}

/** "12 s", "4 min", "2 h 5 min", "3 d" for a number of seconds. */
export function duration(seconds) {
  if (seconds === null || seconds === undefined) return "aldrig";
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86400)} d`;
}

function cell(row, text, className = "") {
  const td = document.createElement("td");
  td.textContent = text;
  if (className) td.className = className;
  row.appendChild(td);
  return td;
}

function selectedDay() {
  return $("day").value || "";
}

function query(extra = {}) {
  const params = new URLSearchParams();
  if (selectedDay()) params.set("day", selectedDay());
  for (const [k, v] of Object.entries(extra)) params.set(k, v);
  const text = params.toString();
  return text ? `?${text}` : "";
}

function renderTotals(data) {
  const t = data.totals;
  $("total-sales").textContent = String(t.sales);
  $("total-gross").textContent = kronor(t.gross);
  $("total-vat").textContent = kronor(t.vat);
  $("total-refunded").textContent = kronor(t.refunded);
  $("total-refunds").textContent = `${t.refunds} returer`;
  $("total-net").textContent = kronor(t.net);
  $("foot-sales").textContent = String(t.sales);
  $("foot-gross").textContent = kronor(t.gross);
  $("foot-vat").textContent = kronor(t.vat);
  $("foot-refunded").textContent = `${kronor(t.refunded)} (${t.refunds})`;
  $("foot-net").textContent = kronor(t.net);
}

function renderStores(data) {
  const body = $("stores").tBodies[0];
  body.replaceChildren();
  for (const store of data.stores) {
    const row = body.insertRow();
    row.dataset.store = store.store_id;
    if (store.sync.silent) row.classList.add("silent");
    const name = document.createElement("th");
    name.scope = "row";
    name.textContent = store.name;
    const id = document.createElement("span");
    id.className = "muted id";
    id.textContent = store.store_id;
    name.append(" ", id);
    row.appendChild(name);
    cell(row, String(store.sales), "num sales");
    cell(row, kronor(store.gross), "num gross");
    cell(row, kronor(store.vat), "num vat");
    cell(row, `${kronor(store.refunded)} (${store.refunds})`, "num refunded");
    cell(row, kronor(store.net), "num net");
    const badge = cell(row, store.sync.silent ? "Tyst" : "OK", "sync");
    badge.classList.add(store.sync.silent ? "bad" : "good");
    const heard = store.sync.silent_seconds === null
      ? "aldrig" : `${duration(store.sync.silent_seconds)} sedan`;
    cell(row, heard, "heard");
    const lag = store.sync.lag_seconds === null ? "–" : `${duration(store.sync.lag_seconds)} sedan`;
    cell(row, lag, "num lag");
    cell(row, String(store.sync.rejected_today), store.sync.rejected_today ? "num bad" : "num");
  }
  const silent = data.stores.filter((s) => s.sync.silent);
  const banner = $("silent-banner");
  banner.hidden = silent.length === 0;
  banner.textContent = silent.length === 0 ? "" :
    `Tyst i mer än ${Math.round(data.silent_after_seconds / 60)} min: ` +
    silent.map((s) => s.name).join(", ") +
    ". Deras siffror kan sakna det senaste, och de säljer inget i webbutiken.";
  const currency = $("currency-banner");
  currency.hidden = data.currencies.length <= 1;
  currency.textContent = `Köp i flera valutor (${data.currencies.join(", ")}): ` +
    "summorna räknar dem som kronor.";
}

function renderConflicts(data) {
  const body = $("conflicts").tBodies[0];
  body.replaceChildren();
  for (const c of data.conflicts) {
    const row = body.insertRow();
    cell(row, new Date(c.opened_at).toLocaleString("sv-SE", { timeZone: data.timezone }));
    cell(row, c.store_name);
    cell(row, `${c.product_name} (${c.sku})`);
    cell(row, String(c.shortfall), "num");
    cell(row, String(c.orders), "num");
  }
  $("no-conflicts").hidden = data.conflicts.length > 0;
  $("conflicts").hidden = data.conflicts.length === 0;
}

function renderCharts(data) {
  const stamp = [data.day, data.totals.sales, data.totals.refunds, data.totals.net,
    ...data.stores.map((s) => `${s.store_id}:${s.sync.last_seq}`)].join("|");
  if (stamp === fingerprint) return;
  fingerprint = stamp;
  const v = encodeURIComponent(stamp).slice(0, 200);
  $("chart-hourly").src = `${API}/charts/hourly.svg${query({ v })}`;
  $("chart-stores").src = `${API}/charts/stores.svg${query({ v })}`;
  $("chart-share").src = `${API}/charts/share.svg${query({ v })}`;
  $("chart-products").src = `${API}/charts/products.svg${query({ v })}`;
  const grid = $("store-charts");
  grid.replaceChildren();
  for (const store of data.stores) {
    const figure = document.createElement("figure");
    const img = document.createElement("img");
    img.alt = `Försäljning per timme, ${store.name}`;
    img.src = `${API}/charts/hourly.svg${query({ store_id: store.store_id, v })}`;
    figure.appendChild(img);
    grid.appendChild(figure);
  }
}

async function refresh() {
  clearTimeout(timer);
  try {
    const response = await fetch(`${API}${query()}`, {
      credentials: "same-origin", headers: { Accept: "application/json" },
    });
    if (response.status === 401) {
      window.location.assign("/dashboard/login");
      return;
    }
    const data = await response.json();
    if (!response.ok) throw new Error(data.message || `HTTP ${response.status}`);
    $("day-title").textContent = data.is_today ? "idag" : data.day;
    if (!$("day").value) $("day").value = data.day;
    renderTotals(data);
    renderStores(data);
    renderConflicts(data);
    renderCharts(data);
    $("error").hidden = true;
    const at = new Date(data.generated_at).toLocaleTimeString("sv-SE", { timeZone: data.timezone });
    $("live").textContent = `Uppdaterad ${at}`;
    $("live").classList.remove("stale");
    document.body.dataset.loaded = "true";
  } catch (error) {
    $("error").textContent = `Kunde inte hämta siffrorna: ${error.message}. Försöker igen…`;
    $("error").hidden = false;
    $("live").classList.add("stale");
  } finally {
    timer = setTimeout(refresh, REFRESH_MS);
  }
}

$("day").addEventListener("change", () => {
  fingerprint = "";
  refresh();
});
refresh();
