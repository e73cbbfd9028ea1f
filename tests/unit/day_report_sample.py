"""A small scripted register day, its day report figures written out by hand.

Three sales: A 250,00 at 25 % on card; B 12,49 at 25 % + 112,00 at 12 % = 124,49 in cash,
rounded to 124,00 (rounding −0,49); C 56,00 at 12 % by Swish/QR. The 12,49 item of B comes
back: 12,49 owed, 12,00 handed back in cash (rounding −0,49). Two training sales and one
receipt copy, which no bookkeeping sees.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hub.models.fiscal import CountAmount, DayReportFigures, GroupTotal, VatTotal


def scripted_day(**changes: Any) -> DayReportFigures:
    """The Z report of the scripted day, payments counted as the hub counts them: what each
    tender paid of the sale (cash 124,49), the cash rounding apart."""
    figures: dict[str, Any] = dict(
        kind="Z", z_no=7, title="Z-dagrapport", company_name="Kioskbåten Åre AB",
        org_number="556677-8899", address="Storgatan 1, 830 13 Åre", register_id="1",
        created_at=datetime(2025, 3, 1, 17, 5, tzinfo=UTC),
        period_start=datetime(2025, 2, 28, 17, 0, tzinfo=UTC),
        period_end=datetime(2025, 3, 1, 17, 5, tzinfo=UTC),
        currency="SEK", fiscal_device="Kontrollenhet CU-SIM-0001",
        sales_total=43049, sales_net=35999, receipts=3, first_receipt_no=101,
        last_receipt_no=103,
        product_groups=[GroupTotal(name="Kaffe", count=2, amount=25000),
                        GroupTotal(name="Livsmedel", count=3, amount=18049)],
        vat=[VatTotal(rate_bp=2500, gross=26249, vat=5250, net=20999),
             VatTotal(rate_bp=1200, gross=16800, vat=1800, net=15000)],
        cash_float=50000, goods_sold=5, services_sold=0, drawer_openings=3, no_sales=1,
        copies=CountAmount(count=1, amount=25000), training=CountAmount(count=2, amount=30000),
        proforma=CountAmount(count=0, amount=0), price_lookups=4,
        payments=[GroupTotal(name="card", count=1, amount=25000),
                  GroupTotal(name="cash", count=1, amount=12449),
                  GroupTotal(name="qr", count=1, amount=5600)],
        rounding=-49,
        returns=CountAmount(count=1, amount=1249),
        return_vat=[VatTotal(rate_bp=2500, gross=1249, vat=250, net=999)],
        return_payments=[GroupTotal(name="cash", count=1, amount=1249)], return_rounding=-49,
        discounts=CountAmount(count=1, amount=500),
        other_reductions=CountAmount(count=1, amount=200),
        abandoned=CountAmount(count=1, amount=3900),
        pay_ins=CountAmount(count=0, amount=0), pay_outs=CountAmount(count=1, amount=10000),
        missing_control_codes=0, net_total=41800,
        grand_total_sales=1234567, grand_total_returns=23456, grand_total_net=1211111,
    )
    figures.update(changes)
    return DayReportFigures(**figures)
