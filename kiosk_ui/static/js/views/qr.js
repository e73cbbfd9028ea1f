// Pay by QR with the shopper's phone: one request_id per code shown; the code comes from the
// hub as SVG; qr.updated events (and a GET after reconnecting) move the screen.
import { get, newRequestId, post, session } from "../api.js";
import { formatMoney } from "../money.js";
import { t } from "../i18n.js";
import { $, busy, show, state } from "../state.js";

const WORDS = { presented: "qr.scan", pending: "qr.pending", paid: "qr.paid",
  declined: "qr.declined", expired: "qr.expired", cancelled: "qr.cancelled" };

export function qrView() {
  let current = null; // {requestId, qr}

  function render(qr) {
    current.qr = qr;
    $("#qr-image").dataset.payload = qr.payload; // what the code says (the phone's pay page)
    $("#qr-amount").textContent = t("pay.amount", { amount: formatMoney(qr.amount, qr.currency) });
    $("#qr-status").textContent = t(WORDS[qr.status] || "qr.scan");
    $("#qr-status").dataset.state = qr.status;
    const open = qr.status === "presented" || qr.status === "pending";
    $("#qr-image").hidden = !open;
    $("#qr-cancel").hidden = !open;
    $("#qr-back").hidden = open || qr.status === "paid";
  }

  async function loadImage(qr) {
    const res = await fetch(`/api/v1/qr/${qr.id}/code.svg`,
      { headers: { Authorization: `Bearer ${session.token}` } });
    if (res.ok) $("#qr-image").src = URL.createObjectURL(await res.blob());
  }

  async function start() {
    current = { requestId: newRequestId(), qr: null };
    $("#qr-status").textContent = t("pay.starting");
    try {
      const qr = await post(`/lanes/${state.lane}/cart/tenders/qr`, { request_id: current.requestId });
      render(qr);
      await loadImage(qr);
    } catch (err) {
      $("#qr-status").textContent = t("pay.error");
      $("#qr-back").hidden = false;
    }
  }

  $("#qr-cancel").addEventListener("click", (e) => busy(e.currentTarget, async () => {
    if (current && current.qr) render(await post(`/qr/${current.qr.id}/cancel`));
  }));
  $("#qr-back").addEventListener("click", () => { current = null; show("shop"); });

  return {
    enter() { start(); },
    leave() {},
    /** A qr.updated event for this lane. */
    onQr(qr) {
      if (current && current.qr && qr.id === current.qr.id) render(qr);
    },
    /** The link came back: ask where the code stands. */
    async resync() {
      if (current && current.qr) render(await get(`/qr/${current.qr.id}`));
    },
    get active() { return current; },
    finish() { current = null; },
  };
}
