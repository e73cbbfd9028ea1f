"""QR payments: start one on a lane, the provider's webhooks, the sandbox PSP's pay page and
the shopper's phone pay page."""

from __future__ import annotations

import asyncio
import html
import logging
from typing import Annotated, Literal

from fastapi import Depends, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ValidationError

from hub.api.deps import Actor, BusDep, DbDep, LaneId, RequestId, ShopDep, requires
from hub.api.events import EventBus, QrUpdated, publish_cart
from hub.api.routing import Router
from hub.db import Database
from hub.models import Sale
from hub.models.base import utcnow
from hub.models.qr import QrAttempt, QrPublic
from hub.money import format_amount
from hub.psp import QrProvider, SandboxPsp
from hub.services import qr_payment as qr
from hub.services.context import Shop
from hub.services.errors import Invalid, NotFound, Unauthenticated
from hub.services.sale import sale_public

log = logging.getLogger("kassa.qr")
router = Router(tags=["qr"])
pages = Router(include_in_schema=False)
Payer = Annotated[Actor, Depends(requires("tender"))]
Watcher = Annotated[Actor, Depends(requires("lane.read"))]
QrId = Annotated[str, Path(min_length=1, max_length=32)]


async def get_providers(request: Request) -> dict[str, QrProvider]:
    """The configured QR payment providers by name."""
    return request.app.state.psp  # type: ignore[no-any-return]


ProvidersDep = Annotated[dict[str, QrProvider], Depends(get_providers)]


class QrTender(BaseModel):
    """Pay what is due by QR, through a provider."""

    provider: Literal["sandbox"] = "sandbox"
    request_id: RequestId = None


class SandboxWebhook(BaseModel):
    """What the sandbox PSP posts (signed)."""

    event_id: str
    ref: str
    reference: str
    state: str


def _publish(bus: EventBus, attempt: QrAttempt) -> QrPublic:
    shown = qr.public(attempt)
    bus.publish(QrUpdated(lane_id=attempt.lane_id, qr=shown))
    return shown


@router.post("/lanes/{lane_id}/cart/tenders/qr", status_code=201)
def tender_qr(lane_id: LaneId, body: QrTender, db: DbDep, shop: ShopDep, bus: BusDep,
              providers: ProvidersDep, actor: Payer) -> QrPublic:
    """Show a QR for what is due; the shopper pays on their phone; webhooks confirm it."""
    actor.require_lane(lane_id)
    provider = providers[body.provider]
    with db.write() as s:  # written before the provider hears of it
        attempt, new = qr.create(s, shop, lane_id, body.provider, body.request_id)
    if not new:
        return qr.public(attempt)
    ref, url = provider.create(attempt.id, attempt.amount, attempt.currency,
                               f"{shop.settings.store_name} kassa {lane_id}")
    with db.write() as s:
        attempt = qr.presented(s, attempt.id, ref, f"{shop.settings.public_url}/pay/{attempt.id}")
    del url  # the phone page links to the provider's pay step
    return _publish(bus, attempt)


@router.get("/qr/{qr_id}")
def get_qr(qr_id: QrId, db: DbDep, actor: Watcher) -> QrPublic:
    """One QR payment."""
    with db.read() as s:
        attempt = qr.get_qr(s, qr_id)
    actor.require_lane(attempt.lane_id)
    return qr.public(attempt)


@router.get("/qr/{qr_id}/code.svg", response_class=Response,
            responses={200: {"content": {"image/svg+xml": {}}}})
def qr_code_svg(qr_id: QrId, db: DbDep, actor: Watcher) -> Response:
    """The QR code itself (byte mode), for a kiosk or customer display to show."""
    import io

    from drivers.qr.render import make_symbol

    with db.read() as s:
        attempt = qr.get_qr(s, qr_id)
    actor.require_lane(attempt.lane_id)
    out = io.BytesIO()
    make_symbol(attempt.pay_url).qr.save(out, kind="svg", scale=8, border=4)
    return Response(out.getvalue(), media_type="image/svg+xml")


@router.post("/qr/{qr_id}/cancel")
def cancel_qr(qr_id: QrId, db: DbDep, bus: BusDep, providers: ProvidersDep,
              actor: Payer) -> QrPublic:
    """Take the QR down: the provider closes the payment too."""
    with db.read() as s:
        actor.require_lane(qr.get_qr(s, qr_id).lane_id)
    with db.write() as s:
        attempt = qr.cancel(s, qr_id)
    providers[attempt.provider].cancel(attempt.provider_ref)
    return _publish(bus, attempt)


@router.post("/qr/webhooks/sandbox")
async def sandbox_webhook(request: Request, db: DbDep, shop: ShopDep, bus: BusDep,
                          providers: ProvidersDep) -> dict[str, bool]:
    """The sandbox PSP's signed webhook: verified, de-duplicated, and the PSP re-read."""
    provider = providers["sandbox"]
    body = await request.body()
    if not provider.verify(body, request.headers.get("x-sandbox-signature", "")):
        raise Unauthenticated("The webhook signature does not match: ignored.")
    try:
        event = SandboxWebhook.model_validate_json(body)
    except ValidationError as exc:
        raise Invalid(f"A webhook body the hub cannot read: {exc.errors()[0]['msg']}") from exc
    status = provider.status(event.ref)  # never trust the webhook's own claim

    def apply() -> tuple[QrAttempt | None, object, bool]:
        with db.write() as s:
            return qr.take_webhook(s, shop, "sandbox", event.event_id, event.reference, status)

    attempt, cart, duplicate = await asyncio.to_thread(apply)
    if attempt is not None:
        _publish(bus, attempt)
    if cart is not None:
        publish_cart(bus, cart)  # type: ignore[arg-type]
    return {"ok": True, "duplicate": duplicate}


async def sweep_forever(db: Database, shop: Shop, bus: EventBus,
                        providers: dict[str, QrProvider]) -> None:
    """The safety net: poll open attempts, expire and cancel stale ones (QR.md)."""
    while True:
        try:
            await asyncio.to_thread(sweep_once, db, shop, bus, providers)
        except Exception:  # the edge of the loop: log it, keep sweeping
            log.exception("QR sweep failed; trying again")
        await asyncio.sleep(shop.settings.qr_sweep_seconds)


def sweep_once(db: Database, shop: Shop, bus: EventBus,
               providers: dict[str, QrProvider]) -> None:
    """One round: each open attempt is expired (and cancelled at the provider) or polled."""
    with db.read() as s:
        waiting = qr.open_attempts(s)
    for attempt in waiting:
        provider = providers.get(attempt.provider)
        if provider is None:
            continue
        now = utcnow()
        status = provider.status(attempt.provider_ref)  # paid before it expired counts
        expired = attempt.expires_at <= now and status != "paid"
        if expired:
            provider.cancel(attempt.provider_ref)  # do not just hide the code: close it
        with db.write() as s:
            fresh = qr.get_qr(s, attempt.id)
            cart = None if expired else qr.apply_status(s, shop, fresh, status)
            if expired:
                qr.expire(s, fresh, now)
        if fresh.status != attempt.status or fresh.late_payment != attempt.late_payment:
            _publish(bus, fresh)
        if cart is not None:
            publish_cart(bus, cart)


# --- pages ----------------------------------------------------------------------------------

_PAGE = """<!doctype html><html lang="sv"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title><style>
body{{font-family:system-ui,sans-serif;margin:0;background:#f4f4f1;color:#1b1b1b}}
main{{max-width:30rem;margin:0 auto;padding:1.2rem}}
h1{{font-size:1.4rem}} .amount{{font-size:2.4rem;font-weight:700;margin:.4rem 0 1rem}}
.box{{background:#fff;border-radius:12px;padding:1rem;margin:.8rem 0}}
.row{{display:flex;justify-content:space-between;gap:1rem;padding:.2rem 0}}
button,.button{{display:block;width:100%;font-size:1.2rem;padding:1rem;border:0;
border-radius:10px;margin:.5rem 0;text-align:center;text-decoration:none;color:#fff;
background:#0b6e4f}} .decline{{background:#9b2226}} .abandon{{background:#6c757d}}
.banner{{background:#ffb703;padding:.6rem;text-align:center;font-weight:700}}
#status{{font-size:1.3rem;font-weight:700}} [hidden]{{display:none!important}}
</style></head><body>{body}</body></html>"""


@pages.get("/sandbox/pay/{ref}", response_class=HTMLResponse)
def sandbox_pay_page(ref: Annotated[str, Path(max_length=64)],
                     providers: ProvidersDep) -> HTMLResponse:
    """The sandbox PSP's pay step, where a tester pays, declines or abandons."""
    sandbox = providers["sandbox"]
    assert isinstance(sandbox, SandboxPsp)
    try:
        payment = sandbox.open_page(ref)
    except KeyError as exc:
        raise NotFound("The sandbox knows no such payment.") from exc
    body = f"""<div class="banner">SANDBOX — testläge, inga riktiga pengar</div><main>
<h1>{html.escape(payment.description)}</h1>
<div class="amount">{format_amount(payment.amount, payment.currency)} {payment.currency}</div>
<p>Status: <b id="state">{payment.state}</b></p>
<form method="post"><button name="action" value="pay">Betala</button>
<button class="decline" name="action" value="decline">Neka</button>
<button class="abandon" name="action" value="abandon">Avbryt</button></form></main>"""
    return HTMLResponse(_PAGE.format(title="Sandbox PSP", body=body))


@pages.post("/sandbox/pay/{ref}")
def sandbox_act(ref: Annotated[str, Path(max_length=64)],
                action: Annotated[Literal["pay", "decline", "abandon"], Form()],
                providers: ProvidersDep) -> RedirectResponse:
    """A tester's choice: the sandbox sends the signed webhook, then shows the hub's page."""
    sandbox = providers["sandbox"]
    assert isinstance(sandbox, SandboxPsp)
    try:
        payment = sandbox.act(ref, action)
    except KeyError as exc:
        raise NotFound("The sandbox knows no such payment.") from exc
    return RedirectResponse(f"/pay/{payment.reference}", status_code=303)


class PayStatus(BaseModel):
    """What the phone page shows (no staff data)."""

    store: str
    status: str
    amount: int
    currency: str
    amount_text: str
    expires_at: str
    provider_url: str
    lines: list[dict[str, object]]
    receipt_no: str | None
    receipt_url: str | None


def _pay_status(db: Database, shop: Shop, providers: dict[str, QrProvider],
                attempt_id: str) -> PayStatus:
    with db.read() as s:
        attempt = qr.get_qr(s, attempt_id)
        sale = s.get(Sale, attempt.sale_id)
        assert sale is not None
        cart = sale_public(s, sale)
    provider_url = ""
    if attempt.status in ("presented", "pending"):
        provider_url = f"/sandbox/pay/{attempt.provider_ref}" if attempt.provider == "sandbox" \
            else ""
    return PayStatus(
        store=shop.settings.store_name, status=attempt.status, amount=attempt.amount,
        currency=attempt.currency,
        amount_text=f"{format_amount(attempt.amount, attempt.currency)} {attempt.currency}",
        expires_at=attempt.expires_at.isoformat(), provider_url=provider_url,
        lines=[{"name": line.name, "quantity": line.quantity,
                "amount": format_amount(line.net, cart.currency)}
               for line in cart.lines if not line.voided],
        receipt_no=f"{cart.lane_id}-{cart.receipt_no:06d}" if cart.receipt_no else None,
        receipt_url=f"/receipt/{cart.id}" if cart.status == "completed" else None,
    )


@pages.get("/pay/{attempt_id}/status")
def pay_status(attempt_id: QrId, db: DbDep, shop: ShopDep,
               providers: ProvidersDep) -> PayStatus:
    """The phone page's live status (the unguessable attempt id is the only key)."""
    return _pay_status(db, shop, providers, attempt_id)


@pages.get("/pay/{attempt_id}", response_class=HTMLResponse)
def pay_page(attempt_id: QrId, db: DbDep, shop: ShopDep,
             providers: ProvidersDep) -> HTMLResponse:
    """The shopper's phone page: merchant, amount, items, the pay step, live status, receipt."""
    first = _pay_status(db, shop, providers, attempt_id)
    body = f"""<main><h1>{html.escape(first.store)}</h1>
<div class="amount" id="amount">{first.amount_text}</div>
<div class="box" id="lines"></div>
<p id="status"></p><a class="button" id="pay" href="#">Till betalning</a>
<div class="box" id="receipt" hidden></div></main>
<script>
const words = {{presented: "Väntar på betalning", pending: "Betalningen pågår",
  paid: "Betalt – tack!", declined: "Betalningen nekades", expired: "QR-koden har gått ut",
  cancelled: "Betalningen avbröts", created: "Förbereder"}};
function show(s) {{
  document.getElementById("lines").innerHTML = s.lines.map(l =>
    `<div class="row"><span>${{l.quantity}} × ${{l.name}}</span><span>${{l.amount}}</span></div>`
  ).join("");
  document.getElementById("status").textContent = words[s.status] || s.status;
  const pay = document.getElementById("pay");
  pay.hidden = !s.provider_url; pay.href = s.provider_url || "#";
  const receipt = document.getElementById("receipt");
  if (s.receipt_no) {{ receipt.hidden = false;
    receipt.innerHTML = `<a href="${{s.receipt_url}}">Digitalt kvitto nr ${{s.receipt_no}}</a>`; }}
}}
show({first.model_dump_json()});
async function poll() {{
  try {{ const r = await fetch(location.pathname + "/status");
    if (r.ok) {{ const s = await r.json(); show(s);
      const settled = ["paid", "declined", "expired", "cancelled"].includes(s.status);
      if (settled && (s.status !== "paid" || s.receipt_no)) return; }}
  }} catch (e) {{}}
  setTimeout(poll, 1000);
}}
setTimeout(poll, 1000);
</script>"""
    return HTMLResponse(_PAGE.format(title=f"Betala – {html.escape(first.store)}", body=body))

