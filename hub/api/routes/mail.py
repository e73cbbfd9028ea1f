"""E-mailed receipts: ask for one (it goes through the outbox) and see what is still waiting."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Depends, Path, Query, Request
from pydantic import BaseModel, Field, field_validator
from starlette.concurrency import run_in_threadpool

from hub.api.deps import Actor, DbDep, RequestId, ShopDep, requires
from hub.api.routing import Router
from hub.models import Refund, Sale
from hub.services import fiscal, mail
from hub.services.mail import DeliveryPublic
from hub.services.records import audit

router = Router(tags=["receipts"])
Clerk = Annotated[Actor, Depends(requires("sales.read"))]
RecordId = Annotated[str, Path(min_length=1, max_length=32)]


class EmailReceipt(BaseModel):
    """Where to e-mail a receipt."""

    to: str = Field(max_length=320, description="The customer's e-mail address")
    request_id: RequestId = None

    @field_validator("to")
    @classmethod
    def _address(cls, value: str) -> str:
        """A checked, tidied address."""
        return mail.normalize_address(value)


class EmailSaleReceipt(EmailReceipt):
    """Where to e-mail a sale's receipt, and whether the customer already has it on paper."""

    is_copy: bool = Field(False, description="The paper receipt was printed: mark it KOPIA")


def _kick(request: Request) -> None:
    sender = getattr(request.app.state, "mail_sender", None)
    if sender is not None:
        sender.kick()


async def _email(request: Request, db: DbDep, shop: ShopDep, actor: Actor, body: EmailReceipt,
                 sale_id: str | None = None, refund_id: str | None = None,
                 copy: bool = False) -> DeliveryPublic:
    def ask() -> DeliveryPublic:
        with db.write() as s:
            delivery, new = mail.request_email(s, shop.settings, body.to, sale_id=sale_id,
                                               refund_id=refund_id, copy=copy,
                                               request_id=body.request_id)
            if new:
                if copy:  # the paper receipt was printed: this is its one copy
                    fiscal.issue_copy(s, shop, actor, sale=s.get(Sale, sale_id or ""),
                                      refund=s.get(Refund, refund_id or ""), channel="email")
                audit(s, "receipt_email", actor, ref=sale_id or refund_id,
                      delivery_id=delivery.id, copy=copy)
            return mail.delivery_public(delivery)

    delivery = await run_in_threadpool(ask)
    _kick(request)
    return delivery


@router.post("/sales/{sale_id}/email", status_code=202)
async def email_sale_receipt(sale_id: RecordId, body: EmailSaleReceipt, request: Request,
                             db: DbDep, shop: ShopDep, actor: Clerk) -> DeliveryPublic:
    """E-mail the receipt of a completed sale; it is sent in the background (202)."""
    return await _email(request, db, shop, actor, body, sale_id=sale_id, copy=body.is_copy)


@router.post("/refunds/{refund_id}/email", status_code=202)
async def email_refund_receipt(refund_id: RecordId, body: EmailReceipt, request: Request,
                               db: DbDep, shop: ShopDep, actor: Clerk) -> DeliveryPublic:
    """E-mail the return receipt of a refund; it is sent in the background (202)."""
    return await _email(request, db, shop, actor, body, refund_id=refund_id)


@router.get("/deliveries")
def list_deliveries(
    db: DbDep, _: Clerk,
    kind: Annotated[Literal["print", "email"] | None, Query()] = None,
    status: Annotated[Literal["pending", "done", "failed"] | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[DeliveryPublic]:
    """Receipts on their way out, newest first: what is stuck shows its attempts and error."""
    with db.read() as s:
        return [mail.delivery_public(d) for d in mail.list_deliveries(s, kind, status, limit)]


@router.post("/deliveries/{delivery_id}/retry", status_code=202)
async def retry_email(delivery_id: Annotated[int, Path(ge=1, le=2**62)], request: Request,
                      db: DbDep, actor: Clerk) -> DeliveryPublic:
    """Try a waiting or given-up e-mail again now (after the address or server was fixed)."""

    def retry() -> DeliveryPublic:
        with db.write() as s:
            delivery = mail.retry_email(s, delivery_id)
            audit(s, "receipt_email_retry", actor, ref=delivery.sale_id or delivery.refund_id,
                  delivery_id=delivery_id)
            return mail.delivery_public(delivery)

    delivery = await run_in_threadpool(retry)
    _kick(request)
    return delivery
