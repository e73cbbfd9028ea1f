// The receipt summary after a completed sale, then back to the attract screen.
import { formatKg, formatMoney, formatRate } from "../money.js";
import { onLangChange, t } from "../i18n.js";
import { $, show, state } from "../state.js";

function row(cls, left, right) {
  const div = document.createElement("div");
  div.className = `receipt-row ${cls}`;
  const a = document.createElement("span");
  a.textContent = left;
  const b = document.createElement("span");
  b.textContent = right;
  div.append(a, b);
  return div;
}

export function doneView({ onFinished }) {
  const seconds = Number(new URLSearchParams(location.search).get("done_seconds")) || 20;
  let sale = null;
  let timer = null;

  function render() {
    const box = $("#receipt");
    box.replaceChildren();
    if (!sale) return;
    const cur = sale.currency;
    const head = document.createElement("p");
    head.className = "receipt-no";
    head.textContent = t("done.receipt_no", { no: sale.receipt_no ?? "" });
    if (sale.receipt_no !== null && sale.receipt_no !== undefined) box.append(head);
    sale.lines.filter((l) => !l.voided).forEach((l) => {
      const qty = l.weight_g ? `${t("cart.weight", { kg: formatKg(l.weight_g) })}` : `${l.quantity} ×`;
      box.append(row("receipt-line", `${qty} ${l.name}`, formatMoney(l.net, cur)));
    });
    box.append(row("receipt-total", t("done.total"), formatMoney(sale.total, cur)));
    sale.vat.forEach((v) => {
      box.append(row("receipt-vat", t("done.vat_rate", { rate: formatRate(v.rate_bp) }), formatMoney(v.vat, cur)));
    });
    sale.tenders.filter((x) => x.method === "card").forEach((x) => {
      box.append(row("receipt-tender", t("done.card", { pan: state.lastCard || "" }).trim(), formatMoney(x.amount, cur)));
    });
    if (sale.receipt_no !== null && sale.receipt_no !== undefined && sale.id) {
      // The digital receipt: a QR the shopper scans to keep the receipt on the phone.
      const qr = document.createElement("img");
      qr.className = "receipt-qr";
      qr.alt = t("done.receipt_qr");
      qr.src = `/receipt/${sale.id}/qr.svg`;
      const hint = document.createElement("p");
      hint.className = "receipt-qr-hint";
      hint.textContent = t("done.receipt_qr");
      box.append(qr, hint);
    }
    const bye = document.createElement("p");
    bye.className = "receipt-bye";
    bye.textContent = t("done.bye");
    box.append(bye);
  }

  function finish() {
    clearTimeout(timer);
    if (state.screen === "done") onFinished();
  }

  $("#done-btn").addEventListener("click", finish);
  onLangChange(render);

  return {
    enter(completed) {
      sale = completed;
      render();
      clearTimeout(timer);
      timer = setTimeout(finish, seconds * 1000);
    },
    leave() {
      clearTimeout(timer);
    },
    get saleId() { return sale && sale.id; },
  };
}
