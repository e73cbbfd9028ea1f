"""The hub with real peripheral protocols: an emulated network receipt printer (ESC/POS over TCP)
with its cash drawer, a serial barcode scanner and a pole display on ptys — through the whole
path from the HTTP API to the bytes and back."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path

import httpx
import pytest

from drivers.emulators.pole_display import PoleDisplayEmulator
from drivers.emulators.printer import PrinterEmulator
from drivers.emulators.scanner import ScannerEmulator
from tests.conftest import PINS, HubProcess

pytestmark = pytest.mark.slow
MILK = "7310005000015"  # Mellanmjölk 1,5 % 1 l, 16,95 kr


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """A hub with a printer on lanes 1 and 2, a scanner and a pole display on lane 3."""
    printer, second = PrinterEmulator(), PrinterEmulator()
    printer.start_tcp()
    second.start_tcp()
    scanner, pole = ScannerEmulator(), PoleDisplayEmulator()
    scanner_path, pole_path = scanner.start(), pole.start()
    hub = HubProcess(tmp_path_factory.mktemp("peripherals") / "hub", {
        "KASSA_PRINTERS": json.dumps({"1": printer.url, "2": second.url}),
        "KASSA_SCANNERS": json.dumps({"3": f"serial:{scanner_path}"}),
        "KASSA_POLE_DISPLAYS": json.dumps({"3": f"serial:{pole_path}?dialect=epson"}),
        "KASSA_DEVICE_STATUS_SECONDS": "0.3",
    })
    hub.start()
    yield {"hub": hub, "printer": printer, "second": second, "scanner": scanner, "pole": pole}
    hub.stop()
    for device in (printer, second, scanner, pole):
        device.stop()


def staff(hub: HubProcess, user: str = "erik") -> httpx.Client:
    client = httpx.Client(base_url=f"{hub.url}/api/v1", timeout=10)
    token = client.post("/auth/login", json={"username": user, "pin": PINS[user]}).json()["token"]
    client.headers["Authorization"] = f"Bearer {token}"
    return client


def cash_sale(client: httpx.Client, lane: str) -> dict:
    if client.get(f"/lanes/{lane}/shift").status_code == 404:
        client.post(f"/lanes/{lane}/shift/open", json={"counted": 50000}).raise_for_status()
    client.post(f"/lanes/{lane}/cart/items", json={"code": MILK}).raise_for_status()
    sale = client.post(f"/lanes/{lane}/cart/tenders/cash", json={"tendered": 2000})
    sale.raise_for_status()
    return sale.json()


def until(condition: Callable[[], bool], what: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def device(client: httpx.Client, device_id: str) -> dict:
    return next(d for d in client.get("/devices/status").json() if d["id"] == device_id)


def test_a_cash_sale_prints_its_receipt_and_opens_the_drawer(store: dict) -> None:
    printer: PrinterEmulator = store["printer"]
    with closing(staff(store["hub"])) as client:
        until(lambda: device(client, "printer:1")["available"], "the printer")
        before = len(printer.receipts)
        sale = cash_sale(client, "1")
        printed = printer.wait_for_receipts(before + 1)[-1]
        assert device(client, "printer:1")["paper"] == "ok"
    assert f"1-{sale['receipt_no']:06d}" in printed.text
    assert "Mellanmjölk 1,5 % 1 l" in printed.text and "Växel" in printed.text
    assert printed.drawer_kicks == 1 and printed.cut == "partial"
    assert [qr.data for qr in printed.qr_codes] == [
        f"{store['hub'].url}/receipt/{sale['id']}"]


def test_printer_unplugged_mid_receipt_reprints_it_whole(store: dict) -> None:
    printer: PrinterEmulator = store["second"]
    with closing(staff(store["hub"])) as client:
        until(lambda: device(client, "printer:2")["available"], "the printer")
        before = len(printer.receipts)
        printer.disconnect_after = 300  # the cable comes out part-way through the receipt
        sale = cash_sale(client, "2")  # the sale is done; the paper is not its business
        assert sale["status"] == "completed"
        printed = printer.wait_for_receipts(before + 1, timeout=15)[-1]
        assert f"2-{sale['receipt_no']:06d}" in printed.text
        assert "Tack för besöket!" in printed.text  # the whole receipt, not the tail
        with closing(staff(store["hub"], "maria")) as manager:
            outbox = manager.get("/sales", params={"lane_id": "2", "limit": 1}).json()[0]
        assert outbox["id"] == sale["id"]
        until(lambda: device(client, "printer:2")["waiting"] == 0, "the queue to empty")


def test_paper_out_holds_receipts_until_a_new_roll(store: dict) -> None:
    printer: PrinterEmulator = store["printer"]
    with closing(staff(store["hub"])) as client:
        until(lambda: device(client, "printer:1")["available"], "the printer")
        before = len(printer.receipts)
        printer.paper = "out"
        until(lambda: device(client, "printer:1")["paper"] == "out", "paper out reported")
        assert not device(client, "printer:1")["available"]
        cash_sale(client, "1")
        until(lambda: device(client, "printer:1")["waiting"] == 1, "the receipt to wait")
        assert len(printer.receipts) == before
        printer.paper = "ok"
        printer.wait_for_receipts(before + 1, timeout=40)
        until(lambda: device(client, "printer:1")["waiting"] == 0, "the queue to empty")


def test_no_sale_kicks_the_drawer_and_a_copy_is_marked(store: dict) -> None:
    printer: PrinterEmulator = store["printer"]
    with closing(staff(store["hub"], "maria")) as manager:
        until(lambda: device(manager, "printer:1")["available"], "the printer")
        count = len(printer.receipts) + 1
        cash_sale(manager, "1")
        printer.wait_for_receipts(count)
        kicks = printer.drawer_kicks
        manager.post("/lanes/1/drawer/no-sale", json={"reason": "växla"}).raise_for_status()
        until(lambda: printer.drawer_kicks == kicks + 1, "the drawer kick")
        sale = manager.get("/sales", params={"lane_id": "1", "limit": 1}).json()[0]
        manager.post(f"/sales/{sale['id']}/print", json={"lane_id": "1"}).raise_for_status()
        copy = printer.wait_for_receipts(count + 1)[-1]
        assert "KOPIA" in copy.text and copy.drawer_kicks == 0
        refused = manager.post(f"/sales/{sale['id']}/print", json={"lane_id": "3"})
        assert refused.status_code == 409 and "no receipt printer" in refused.json()["message"]
        second = manager.post(f"/sales/{sale['id']}/print", json={"lane_id": "1"})
        assert second.status_code == 409 and "only one" in second.json()["message"]


def test_x_and_z_reports_print_on_the_lane_printer(store: dict) -> None:
    printer: PrinterEmulator = store["second"]
    with closing(staff(store["hub"], "erik")) as cashier:
        until(lambda: device(cashier, "printer:2")["available"], "the printer")
        count = len(printer.receipts)
        cash_sale(cashier, "2")
        printer.wait_for_receipts(count + 1)
        cashier.post("/lanes/2/x-report/print").raise_for_status()
        x = printer.wait_for_receipts(count + 2)[-1]
        assert "X-dagrapport" in x.text and "Ingen kontrollenhet ansluten" in x.text
        z = cashier.post("/lanes/2/z-report", params={"print": "true"})
        assert z.status_code == 201, z.text
        printed = printer.wait_for_receipts(count + 3)[-1]
        sold = z.json()["figures"]["sales_total"]
        assert sold > 0
        total = f"{sold // 100},{sold % 100:02d}"
        assert f"Z-dagrapport nr {z.json()['z_no']}" in printed.text and total in printed.text
        assert max(len(line) for line in printed.text.splitlines()) <= 48


def test_serial_scanner_fills_the_cart_and_the_pole_display_follows(store: dict) -> None:
    scanner: ScannerEmulator = store["scanner"]
    pole: PoleDisplayEmulator = store["pole"]
    with closing(staff(store["hub"])) as client:
        until(lambda: device(client, "scanner:3")["available"], "the scanner")
        until(lambda: device(client, "pole_display:3")["available"], "the pole display")
        client.post("/lanes/3/shift/open", json={"counted": 50000}).raise_for_status()
        scanner.scan(MILK)
        scanner.scan("7310005999999")  # no such product: refused, cart unchanged
        scanner.scan(MILK)
        until(lambda: sum(line["quantity"] for line in
                          client.get("/lanes/3/cart").json()["lines"]) == 2, "two milks")
        pole.wait_for(("Mellanmjölk 1, 33,90", "TOTALT         33,90"), timeout=5)


def test_serial_ports_are_listed_with_stable_paths(store: dict) -> None:
    with closing(staff(store["hub"], "maria")) as manager:
        ports = manager.get("/devices/ports")
    assert ports.status_code == 200
    assert all(set(p) >= {"device", "stable_path", "description"} for p in ports.json())


def test_receipts_land_in_the_outbox_even_without_a_printer_process(tmp_path: Path) -> None:
    """A printer configured but switched off: the sale completes and the receipt waits."""
    hub = HubProcess(tmp_path / "hub", {"KASSA_PRINTERS": json.dumps(
        {"1": "socket://127.0.0.1:9"})})  # nothing listens on the discard port
    hub.start()
    try:
        with closing(staff(hub)) as client:
            sale = cash_sale(client, "1")
            assert sale["status"] == "completed"
            until(lambda: device(client, "printer:1")["waiting"] == 1, "the waiting receipt")
            state = device(client, "printer:1")
            assert not state["available"] and state["last_error"]
    finally:
        hub.stop()
