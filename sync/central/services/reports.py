"""Cross-store reports from what the hubs pushed."""

from __future__ import annotations

from pydantic import BaseModel
from sqlalchemy import func
from sqlmodel import Session, col, select

from sync.central.models import RefundRow, SaleRow, Store


class StoreSales(BaseModel):
    """One store's takings: sales, gross (tax-inclusive), VAT and refunds, minor units."""

    store_id: str
    name: str
    sales: int
    gross: int
    vat: int
    refunds: int
    refunded: int
    refunded_vat: int


def sales_report(session: Session) -> list[StoreSales]:
    """Per store: number of sales, gross, VAT, number and amount of refunds."""
    sales = {row[0]: row[1:] for row in session.exec(
        select(SaleRow.store_id, func.count(), func.coalesce(func.sum(SaleRow.total), 0),
               func.coalesce(func.sum(SaleRow.vat), 0)).group_by(SaleRow.store_id)).all()}
    refunds = {row[0]: row[1:] for row in session.exec(
        select(RefundRow.store_id, func.count(), func.coalesce(func.sum(RefundRow.total), 0),
               func.coalesce(func.sum(RefundRow.vat), 0)).group_by(RefundRow.store_id)).all()}
    report = []
    for store in session.exec(select(Store).order_by(col(Store.store_id))).all():
        n, gross, vat = sales.get(store.store_id, (0, 0, 0))
        rn, refunded, rvat = refunds.get(store.store_id, (0, 0, 0))
        report.append(StoreSales(store_id=store.store_id, name=store.name, sales=n,
                                 gross=int(gross), vat=int(vat), refunds=rn,
                                 refunded=int(refunded), refunded_vat=int(rvat)))
    return report
