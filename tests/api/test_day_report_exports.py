"""A real day on the hub, closed with a Z report: its figures export to a SIE voucher that
balances to the öre, and to CSV, HTML, PDF and text without loss."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from hub.app import create_app
from hub.config import Settings
from hub.models.fiscal import DayReportFigures
from hub.services.report_export import to_csv, to_html, to_pdf, to_text
from hub.services.sie import parse_sie, to_sie
from tests.conftest import login

LANE = "2"
MILK, COFFEE = "Mellanmjölk 1,5 % 1 l", "Kaffe mellanrost 450 g"


@pytest.fixture
def hub_client(tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(data_dir=tmp_path / "hub", demo_data=True,
                        fiscal_device=f"simulator:CU-TEST-0002?offline_file={tmp_path}/cu-off")
    with TestClient(create_app(settings)) as client:
        yield client


def test_a_closed_day_books_as_one_balanced_voucher(hub_client: TestClient) -> None:
    cashier = login(hub_client, "erik")
    milk, coffee = cashier.product(MILK), cashier.product(COFFEE)
    cashier.post(f"/lanes/{LANE}/shift/open", {"counted": 50000}, expect=201)
    cashier.scan(LANE, milk["gtin"], 2)
    sale = cashier.pay_cash(LANE, 4000)  # 33,90 → 34 kr in cash
    assert (sale["total"], sale["rounding"]) == (3390, 10)
    cashier.scan(LANE, coffee["gtin"])
    cashier.post(f"/lanes/{LANE}/cart/tenders/card-external", {"reference": "T-1"})
    cashier.post(f"/sales/{sale['id']}/refunds", {
        "lane_id": LANE, "lines": [{"line_id": sale["lines"][0]["id"], "quantity": 1}],
        "reason": "trasig"}, expect=201)  # 16,95 back, 17 kr in cash
    z = cashier.post(f"/lanes/{LANE}/z-report", expect=201)
    report = DayReportFigures.model_validate(z["figures"])

    parsed = parse_sie(to_sie([report]))
    [voucher] = parsed.vouchers
    assert voucher.balance == 0 and voucher.number == str(report.z_no)
    booked: dict[str, int] = {}
    for row in voucher.transactions:
        booked[row.account] = booked.get(row.account, 0) + row.amount
    assert booked["1910"] == 3400 - 1700  # the cash that came in, less the cash handed back
    assert booked["1580"] == coffee["price"]
    assert booked["3740"] == -10 + 5  # rounded up on the sale, 0,05 more handed back
    sales_and_vat = sum(amount for account, amount in booked.items() if account[0] in "23")
    assert sales_and_vat == -(report.net_total + report.rounding - report.return_rounding)

    assert report.title in to_text(report, 32) and "%PDF" in to_pdf(report)[:8].decode()
    assert "Grand total netto" in to_html(report) and str(report.sales_total) in to_csv(report)
