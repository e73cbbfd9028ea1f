// The kiosk: pairing → attract → shopping → pay → done, driven by the hub's websocket events.
import { get, post, session, setUnauthorizedHandler } from "./api.js";
import { loadLang, nextLang, savedLang, t } from "./i18n.js";
import { $, busy, pendingPayment, registerScreen, show, state, toast } from "./state.js";
import { HubSocket } from "./ws.js";
import { doneView } from "./views/done.js";
import { pairingView } from "./views/pairing.js";
import { payView } from "./views/pay.js";
import { qrView } from "./views/qr.js";
import { shopView } from "./views/shop.js";

let socket = null;
let bannerTimer = null;

/** Show a cart from the hub, unless a newer one is already on screen. */
function applyCart(cart) {
  if (!cart || (state.cart && cart.version <= state.cart.version)) return;
  state.cart = cart;
  const hasLines = cart.status === "open" && cart.lines.some((l) => !l.voided);
  if (cart.status === "completed" && (state.screen === "pay" || state.screen === "qr")) {
    showSale(cart); // the sale.completed event may have been lost with the link
    return;
  }
  if (state.screen === "attract" && hasLines) show("shop");
  else if (state.screen === "shop") shop.renderCart();
  else if (state.screen === "pay") pay.renderAmount();
}

function showSale(sale) {
  if (sale.lane_id !== state.lane || done.saleId === sale.id) return;
  pay.finish();
  qr.finish();
  state.ageChecked.clear();
  show("done", sale);
}

function onEvent(msg) {
  if (msg.lane_id && msg.lane_id !== state.lane) return;
  if (msg.type === "cart.updated") applyCart(msg.cart);
  else if (msg.type === "sale.completed") {
    if (state.screen === "pay" || state.screen === "qr" || pay.active) showSale(msg.sale);
  } else if (msg.type === "payment.updated") pay.onPayment(msg.payment);
  else if (msg.type === "qr.updated") qr.onQr(msg.qr);
}

function onLinkState(link) {
  clearTimeout(bannerTimer);
  if (link === "open") {
    $("#banner").hidden = true;
    document.body.dataset.link = "open";
    pay.resync();
    qr.resync().catch(() => {});
  } else {
    document.body.dataset.link = "down";
    $("#banner").hidden = false;
  }
}

function unpair() {
  if (socket) socket.stop();
  socket = null;
  session.clear();
  pendingPayment.clear();
  $("#banner").hidden = true;
  show("pairing");
}

async function startPaired() {
  state.lane = session.lane;
  socket = new HubSocket(() => session.token, { onEvent, onState: onLinkState, onRejected: unpair });
  socket.start();
  // Show the banner only if the first connection takes noticeably long.
  bannerTimer = setTimeout(() => { if (!socket || !socket.isOpen) $("#banner").hidden = false; }, 1500);
  try {
    applyCart(await get(`/lanes/${state.lane}/cart`));
  } catch { /* the websocket snapshot fills it in */ }
  if (!session.token) return; // the token was refused: pairing shows
  if (pendingPayment.get()) show("pay");
  else if (state.cart && state.cart.status === "open" && state.cart.lines.some((l) => !l.voided)) show("shop");
  else show("attract");
}

const shop = shopView({ applyCart });
const pay = payView({ onPaid: (sale) => showSale(sale) });
const qr = qrView();
const done = doneView({ onFinished: () => show("attract") });
registerScreen("pairing", pairingView(() => startPaired()));
registerScreen("attract", { enter() { $("#attract-start").focus(); } });
registerScreen("shop", shop);
registerScreen("pay", pay);
registerScreen("qr", qr);
registerScreen("done", done);

// On the attract screen the first key of a keyboard-wedge scan opens the shop and lands in the
// scan field (the browser types the key into whatever has focus once this handler returns).
document.addEventListener("keydown", (e) => {
  if (!$("#modal").hidden && e.key.length === 1 && state.screen === "shop") {
    $("#modal").hidden = true; // a scan goes on; the notice has been seen
    $("#scan").focus();
  }
  if (state.screen === "attract" && e.key.length === 1 && !e.ctrlKey && !e.metaKey && !e.altKey) {
    show("shop");
  }
}, true);
$("#attract-start").addEventListener("click", () => show("shop"));
$("#qr-btn").addEventListener("click", () => show("qr"));
$("#modal-ok").addEventListener("click", () => {
  $("#modal").hidden = true;
  if (state.screen === "shop") $("#scan").focus();
});
$("#lang-btn").addEventListener("click", () => loadLang(nextLang()));
$("#help-btn").addEventListener("click", (e) => busy(e.currentTarget, async () => {
  try {
    await post(`/lanes/${state.lane}/assist`, { reason: "help", note: state.screen });
    toast(t("help.sent"), 5000);
  } catch {
    toast(t("error.generic"), 5000);
  }
}));
setUnauthorizedHandler(unpair);

await loadLang(savedLang());
if (session.token) await startPaired();
else show("pairing");
