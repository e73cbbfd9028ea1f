// Card payment on the lane's reader. One request_id per attempt, reused on every resend, so a
// lost answer or a double tap can never start a second debit.
import { get, newRequestId, post } from "../api.js";
import { formatMoney } from "../money.js";
import { onLangChange, t } from "../i18n.js";
import { $, busy, pendingPayment, show, state } from "../state.js";

const RESEND_MS = 2000;
const COMPLETED_WAIT_MS = 2500; // how long an approval waits for its sale.completed event
const FINAL = new Set(["approved", "declined", "cancelled", "failed"]);

/** The terminal's progress text (free text from the driver) as one of our own strings. */
function progressKey(progress) {
  const p = (progress || "").toLowerCase();
  if (p.includes("pin")) return "pay.enter_pin";
  if (p.includes("remove")) return "pay.remove_card";
  if (p.includes("insert") || p.includes("card")) return "pay.insert_card";
  if (p.includes("wait") || p.includes("host")) return "pay.please_wait";
  return "pay.follow_terminal";
}

export function payView({ onPaid }) {
  const status = $("#pay-status");
  let current = null; // {requestId, paymentId, sent}
  let last = null; // what the status line shows: {key} or a payment
  let resendTimer = null;
  let paidTimer = null;
  let paying = null; // the cart on the terminal (frozen while the payment runs)

  function setStatus(key, stateName) {
    last = { key, stateName };
    status.textContent = t(key);
    status.dataset.state = stateName;
    const running = stateName === "running" || stateName === "starting";
    $("#pay-cancel").hidden = !(stateName === "running" && current && current.paymentId);
    $("#pay-retry").hidden = running || stateName === "approved" || stateName === "unknown";
    $("#pay-back").hidden = running || stateName === "approved" || stateName === "unknown";
  }

  function renderAmount() {
    const cart = state.cart;
    if (cart && cart.status === "open" && cart.lines.length) paying = cart;
    if (cart && cart.status === "open") {
      $("#pay-amount").textContent = t("pay.amount", { amount: formatMoney(cart.due, cart.currency) });
    }
  }

  function remember() {
    if (current) pendingPayment.set(current);
    else pendingPayment.clear();
  }

  async function send() {
    clearTimeout(resendTimer);
    if (!current || state.screen !== "pay") return;
    setStatus(current.paymentId ? "pay.please_wait" : "pay.starting", "starting");
    const attempt = current;
    await busy($("#pay-retry"), async () => {
      try {
        attempt.sent = true;
        remember();
        const payment = await post(`/lanes/${state.lane}/cart/tenders/card`, { request_id: attempt.requestId });
        if (attempt !== current) return;
        onPayment(payment);
      } catch (err) {
        if (attempt !== current) return;
        if (err.status === 0 || err.status >= 500) {
          // The hub may or may not have it: send the same request_id again until it answers.
          setStatus("pay.offline", "starting");
          resendTimer = setTimeout(send, RESEND_MS);
        } else if (err.status === 409 && attempt.sent && !attempt.paymentId && attempt.resends) {
          // Our earlier send may be the payment now running: wait and ask again, same id.
          setStatus("pay.please_wait", "starting");
          resendTimer = setTimeout(send, RESEND_MS);
        } else {
          current = null;
          remember();
          setStatus(err.status === 409 && /reader/i.test(err.message) ? "pay.no_reader" : "pay.error", "error");
        }
      } finally {
        attempt.resends = (attempt.resends || 0) + 1;
      }
    });
  }

  /** A payment.updated event, the answer to a POST, or a GET after reconnecting. */
  function onPayment(p) {
    if (p.lane_id !== state.lane || p.kind === "credit") return;
    if (!current) return; // not ours to show (e.g. staff paying at this lane)
    if (current.paymentId && p.id !== current.paymentId) return;
    if (!current.paymentId) {
      current.paymentId = p.id;
      remember();
    }
    clearTimeout(resendTimer);
    if (state.screen !== "pay") show("pay");
    if (p.status === "created" || p.status === "sent") setStatus("pay.starting", "running");
    else if (p.status === "in_progress") setStatus(progressKey(p.progress), "running");
    else if (p.status === "unknown") setStatus("pay.unknown", "unknown");
    else if (p.status === "approved") {
      state.lastCard = p.masked_pan || p.brand || "";
      setStatus("pay.approved", "approved");
      // sale.completed normally follows at once; if the link lost it, the cart that was on
      // the terminal is the receipt (only its number is unknown to the kiosk).
      clearTimeout(paidTimer);
      const cart = paying && paying.id === p.sale_id
        ? paying // after a page reload only the amount is known
        : { id: p.sale_id, lane_id: p.lane_id, currency: p.currency, lines: [], vat: [], total: p.amount };
      paidTimer = setTimeout(() => {
        if (state.screen === "pay") {
          onPaid({ ...cart, status: "completed", receipt_no: null, paid: p.amount, due: 0,
            tenders: [{ method: "card", amount: p.amount }] });
        }
      }, COMPLETED_WAIT_MS);
    }
    else if (FINAL.has(p.status)) {
      // Declined, cancelled or failed: the cart stays; the next try is a new attempt.
      current = null;
      remember();
      setStatus(`pay.${p.status}`, p.status);
    }
  }

  /** The link came back: ask the hub where our payment stands (events may have been missed). */
  async function resync() {
    if (!current || state.screen !== "pay") return;
    if (!current.paymentId) {
      if (current.sent) send();
      return;
    }
    try {
      onPayment(await get(`/payments/${current.paymentId}`));
    } catch { /* the next reconnect asks again */ }
  }

  $("#pay-retry").addEventListener("click", () => {
    if (!current) current = { requestId: newRequestId(), paymentId: null, sent: false };
    remember();
    send();
  });
  $("#pay-back").addEventListener("click", () => {
    current = null;
    remember();
    show("shop");
  });
  $("#pay-cancel").addEventListener("click", (e) => busy(e.currentTarget, async () => {
    if (!current || !current.paymentId) return;
    try {
      onPayment(await post(`/payments/${current.paymentId}/cancel`));
    } catch { /* it ended already; its payment.updated tells how */ }
  }));

  onLangChange(() => {
    renderAmount();
    if (last) status.textContent = t(last.key);
  });

  return {
    enter() {
      renderAmount();
      current = pendingPayment.get();
      if (current) {
        // A reload or a return mid-payment: pick up the same attempt, never start another.
        setStatus("pay.please_wait", "starting");
        resync();
        return;
      }
      current = { requestId: newRequestId(), paymentId: null, sent: false };
      remember();
      send();
    },
    leave() {
      clearTimeout(resendTimer);
      clearTimeout(paidTimer);
    },
    onPayment,
    resync,
    renderAmount,
    get active() { return current; },
    finish() {
      current = null;
      remember();
    },
  };
}
