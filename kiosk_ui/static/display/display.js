// The customer display: a read-only mirror of one lane, fed by the hub's websocket events.
// welcome → cart (lines, totals, card or QR payment) → thanks (change, receipt QR) → welcome.
import { formatKg, formatMoney, formatRate } from "../js/money.js";
import { HubSocket } from "../js/ws.js";

const LANGUAGES = ["sv", "en"];
const params = new URLSearchParams(location.search);
const LANG = LANGUAGES.includes(params.get("lang")) ? params.get("lang") : LANGUAGES[0];
const THANKS_MS = (Number(params.get("thanks_seconds")) || 15) * 1000;
const RESULT_MS = 6000; // how long a declined or cancelled payment stays on screen
const OFFLINE_AFTER_MS = 1500; // a slow first connection is shown as offline, not as nothing
const CARD_STEPS = new Set(["insert_card", "enter_pin", "remove_card", "please_wait"]);
const FINAL = new Set(["approved", "paid", "declined", "cancelled", "failed", "expired"]);

const lane = document.body.dataset.lane;
const TOKEN_KEY = `kassa.display.${lane}.token`;
const $ = (selector) => document.querySelector(selector);

const view = {
  cart: null, // the lane's cart as the hub last sent it (SalePublic)
  payment: null, // {kind: "card"|"qr", id, status, amount, currency, key}
  sale: null, // the completed sale on the thanks screen
};
let strings = {};
let socket = null;
let thanksTimer = null;
let resultTimer = null;
let offlineTimer = null;

// --- words ----------------------------------------------------------------------------------

/** The string for key with {name} placeholders filled; the key itself if it is missing. */
function t(key, vars = {}) {
  const text = strings[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (m, name) => (name in vars ? String(vars[name]) : m));
}

async function loadStrings() {
  try {
    const res = await fetch(`/kiosk/display/i18n/${LANG}.json`, { cache: "no-cache" });
    strings = await res.json();
  } catch { /* keys stand in for words; the page still mirrors the lane */ }
  document.documentElement.lang = LANG;
  document.querySelectorAll("[data-i18n]").forEach((el) => { el.textContent = t(el.dataset.i18n); });
}

// --- screens --------------------------------------------------------------------------------

function show(screen) {
  document.body.dataset.screen = screen;
}

const money = (minor) => formatMoney(minor, (view.cart && view.cart.currency) || "SEK");
const liveLines = (cart) => (cart && cart.status === "open" ? cart.lines.filter((l) => !l.voided) : []);

function el(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined) node.textContent = text;
  return node;
}

function row(list, cls, label, value) {
  const dt = el("dt", cls, label);
  const dd = el("dd", cls, value);
  list.append(dt, dd);
}

function lineItem(line) {
  const li = el("li", "line");
  li.dataset.lineId = line.id;
  li.dataset.net = line.net;
  const detail = line.weight_g
    ? t("cart.weight", { kg: formatKg(line.weight_g), price: money(line.unit_price) })
    : t("cart.each", { qty: line.quantity, price: money(line.unit_price) });
  const name = el("span", "line-name", line.name);
  const qty = el("span", "line-detail", detail);
  const amount = el("span", "line-amount", money(line.net));
  li.append(name, amount, qty);
  const discount = line.line_discount + line.cart_discount_share;
  if (discount > 0) {
    li.classList.add("discounted");
    amount.prepend(el("s", "line-gross", money(line.gross)), " ");
    li.append(el("span", "line-discount", `${t("cart.discount")} ${money(-discount)}`));
  }
  return li;
}

function renderCart() {
  const cart = view.cart;
  const lines = liveLines(cart);
  const list = $("#lines");
  const before = new Map([...list.children].map((li) => [li.dataset.lineId, li.dataset.net]));
  list.replaceChildren(...lines.map(lineItem));
  // A line just scanned or changed lights up briefly, so the shopper sees what happened.
  [...list.children].forEach((li) => {
    if (before.size && before.get(li.dataset.lineId) !== li.dataset.net) li.classList.add("fresh");
  });
  if (!before.size && list.lastElementChild) list.lastElementChild.classList.add("fresh");
  list.parentElement.scrollTop = list.parentElement.scrollHeight; // the newest line in view
  $("#total").textContent = money(cart ? cart.total : 0);
  $("#saved").hidden = !(cart && cart.discount_total > 0);
  if (cart && cart.discount_total > 0) $("#saved").textContent = t("cart.saved", { amount: money(cart.discount_total) });
  const sums = $("#money");
  sums.replaceChildren();
  if (cart && cart.rounding) row(sums, "rounding", t("cart.rounding"), money(cart.rounding));
  if (cart && cart.paid > 0) {
    row(sums, "paid", t("cart.paid"), money(cart.paid));
    row(sums, "left", t("cart.left"), money(cart.due));
  }
  const vat = $("#vat");
  vat.replaceChildren();
  (cart ? cart.vat : []).forEach((v) => row(vat, "vat-row", t("cart.vat", { rate: formatRate(v.rate_bp) }), money(v.vat)));
}

/** A cart.updated event (or the answer to GET …/cart): shown only if newer than what is shown. */
function applyCart(cart) {
  if (!cart || cart.lane_id !== lane) return;
  if (view.cart && cart.version <= view.cart.version) return;
  if (cart.status === "completed") {
    showThanks(cart);
    return;
  }
  view.cart = cart;
  renderCart();
  const screen = document.body.dataset.screen;
  const hasLines = liveLines(cart).length > 0;
  if (hasLines && screen !== "cart") {
    clearTimeout(thanksTimer); // the next shopper's first item ends the thank-you
    view.sale = null;
    show("cart");
  } else if (!hasLines && screen === "cart" && !view.payment) {
    show("welcome");
  } else if (screen === "loading") {
    show(hasLines ? "cart" : "welcome");
  }
}

// --- payments -------------------------------------------------------------------------------

function paymentKey(p) {
  if (p.kind === "qr") return `qr.${p.status}`;
  if (p.status === "in_progress") {
    return CARD_STEPS.has(p.progress) ? `pay.${p.progress}` : "pay.follow_terminal";
  }
  if (p.status === "created" || p.status === "sent") return "pay.starting";
  return `pay.${p.status}`;
}

function renderPayment() {
  const p = view.payment;
  const panel = $("#pay-panel");
  panel.hidden = !p;
  if (!p) return;
  panel.dataset.kind = p.kind;
  panel.dataset.state = p.status;
  $("#pay-title").textContent = t(p.kind === "qr" ? "pay.qr" : "pay.card");
  $("#pay-amount").textContent = formatMoney(p.amount, p.currency);
  $("#pay-status").textContent = t(paymentKey(p));
  $("#pay-qr").hidden = !(p.kind === "qr" && (p.status === "presented" || p.status === "pending"));
}

function onPayment(p, kind) {
  if (p.lane_id !== lane || p.kind === "credit") return; // refunds are staff business
  if (view.sale && p.sale_id === view.sale.id) return; // late news of the sale just thanked for
  const previous = view.payment;
  view.payment = { kind, id: p.id, status: p.status, amount: p.amount, currency: p.currency,
    progress: p.progress };
  clearTimeout(resultTimer);
  if (kind === "qr" && (!previous || previous.id !== p.id)) loadQrImage(p.id);
  if (document.body.dataset.screen !== "thanks") show("cart");
  renderPayment();
  if (FINAL.has(p.status)) {
    // An approval normally gives way to the thank-you at once; this only tidies up after a
    // decline, or after an approval whose sale.completed the link lost.
    resultTimer = setTimeout(() => clearPayment(p.id), RESULT_MS);
  }
}

function clearPayment(id) {
  if (!view.payment || (id && view.payment.id !== id)) return;
  view.payment = null;
  renderPayment();
  if (document.body.dataset.screen === "cart" && !liveLines(view.cart).length) show("welcome");
}

async function loadQrImage(id) {
  const img = $("#pay-qr");
  img.removeAttribute("src");
  try {
    const res = await fetch(`/api/v1/qr/${encodeURIComponent(id)}/code.svg`,
      { headers: { Authorization: `Bearer ${localStorage.getItem(TOKEN_KEY)}` } });
    if (!res.ok || !view.payment || view.payment.id !== id) return;
    if (img.src.startsWith("blob:")) URL.revokeObjectURL(img.src);
    img.src = URL.createObjectURL(await res.blob());
  } catch { /* the link is down; the reconnect asks again */ }
}

/** After a reconnect: where the payment on screen stands now (events may have been lost). */
async function resyncPayment() {
  const p = view.payment;
  if (!p || FINAL.has(p.status)) return;
  const path = p.kind === "qr" ? `/qr/${p.id}` : `/payments/${p.id}`;
  try {
    const fresh = await api(path);
    onPayment(fresh, p.kind);
    if (p.kind === "qr" && !$("#pay-qr").src) loadQrImage(p.id);
  } catch { /* the next reconnect asks again */ }
}

// --- thanks ---------------------------------------------------------------------------------

function showThanks(sale) {
  if (sale.lane_id !== lane || (view.sale && view.sale.id === sale.id)) return;
  view.sale = sale;
  if (!view.cart || sale.version > view.cart.version) view.cart = sale;
  view.payment = null;
  clearTimeout(resultTimer);
  renderPayment();
  const cur = sale.currency;
  const list = $("#thanks-money");
  list.replaceChildren();
  row(list, "thanks-total", t("thanks.total"), formatMoney(sale.total, cur));
  sale.tenders.forEach((x) => {
    row(list, `tender tender-${x.method}`, t(`thanks.${x.method}`),
      formatMoney(x.method === "cash" ? x.tendered || x.amount : x.amount, cur));
  });
  $("#change").hidden = !(sale.change > 0);
  $("#change").textContent = t("thanks.change", { amount: formatMoney(sale.change, cur) });
  const hasReceipt = Boolean(sale.id && sale.receipt_no !== null && sale.receipt_no !== undefined);
  $("#receipt").hidden = !hasReceipt;
  if (hasReceipt) {
    $("#receipt-qr").src = `/receipt/${sale.id}/qr.svg`;
    $("#receipt-qr").alt = t("thanks.receipt_qr");
    $("#receipt-no").textContent = t("thanks.receipt_no", { no: sale.receipt_no });
  }
  show("thanks");
  clearTimeout(thanksTimer);
  thanksTimer = setTimeout(() => {
    view.sale = null;
    show(liveLines(view.cart).length ? "cart" : "welcome");
  }, THANKS_MS);
}

// --- the link to the hub --------------------------------------------------------------------

class Refused extends Error {
  constructor(status) {
    super(`HTTP ${status}`);
    this.status = status;
  }
}

async function api(path, options = {}) {
  const headers = { Accept: "application/json", ...(options.headers || {}) };
  const token = localStorage.getItem(TOKEN_KEY);
  if (token && !("Authorization" in headers)) headers.Authorization = `Bearer ${token}`;
  const res = await fetch(`/api/v1${path}`, { ...options, headers });
  const body = (res.headers.get("content-type") || "").includes("json") ? await res.json() : null;
  if (!res.ok) throw new Refused(res.status);
  return body;
}

function onEvent(msg) {
  if (msg.type === "hello" && !msg.lanes.includes(lane)) {
    forget("pair.wrong_lane");
    return;
  }
  if (msg.lane_id && msg.lane_id !== lane) return;
  if (msg.type === "cart.updated") applyCart(msg.cart);
  else if (msg.type === "sale.completed") showThanks(msg.sale);
  else if (msg.type === "payment.updated") onPayment(msg.payment, "card");
  else if (msg.type === "qr.updated") onPayment(msg.qr, "qr");
}

function onLinkState(link) {
  clearTimeout(offlineTimer);
  document.body.dataset.link = link === "open" ? "open" : "down";
  $("#offline").hidden = link === "open";
  if (link === "open") resyncPayment();
}

/** The hub refused the token (unpaired, or paired to another lane): ask for a code again. */
function forget(reason) {
  if (socket) socket.stop();
  socket = null;
  localStorage.removeItem(TOKEN_KEY);
  $("#offline").hidden = true;
  $("#pair-error").textContent = t(reason, { lane: $("#lane-name").textContent });
  show("pairing");
}

async function startPaired() {
  show("welcome"); // never a blank screen, even before the hub answers
  socket = new HubSocket(() => localStorage.getItem(TOKEN_KEY), {
    onEvent,
    onState: onLinkState,
    onRejected: (code) => forget(code === 4401 ? "pair.forgotten" : "pair.wrong_lane"),
  });
  socket.start();
  offlineTimer = setTimeout(() => { if (!socket || !socket.isOpen) $("#offline").hidden = false; }, OFFLINE_AFTER_MS);
  try {
    applyCart(await api(`/lanes/${encodeURIComponent(lane)}/cart`));
  } catch (err) {
    if (err.status === 401) forget("pair.forgotten");
    else if (err.status === 403) forget("pair.wrong_lane");
    // otherwise the websocket's snapshot fills the cart in when the hub is back
  }
}

$("#pair-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const error = $("#pair-error");
  const button = $("#pair-submit");
  const code = $("#pair-code").value.trim().toUpperCase();
  const laneName = $("#lane-name").textContent;
  error.textContent = "";
  button.disabled = true;
  try {
    const res = await api("/devices/pair", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ code, name: t("pair.name", { lane: laneName }).slice(0, 80) }),
    });
    $("#pair-code").value = ""; // a code works once, whatever it was for
    if (res.me.role !== "display") {
      error.textContent = t("pair.not_display", { role: res.me.role });
    } else if (res.me.lane_id !== lane) {
      error.textContent = t("pair.other_lane", { other: res.me.lane_id, lane: laneName });
    } else {
      localStorage.setItem(TOKEN_KEY, res.token);
      await startPaired();
    }
  } catch (err) {
    error.textContent = err instanceof Refused ? t("pair.invalid") : t("pair.offline");
  } finally {
    button.disabled = false;
  }
});

await loadStrings();
$("#pair-form p[data-i18n='pair.help']").textContent = t("pair.help", { lane: $("#lane-name").textContent });
if (localStorage.getItem(TOKEN_KEY)) await startPaired();
else show("pairing");
