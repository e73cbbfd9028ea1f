"""A real hub and a real central on PostgreSQL: offline selling, catch-up, pick-up orders,
oversell conflicts, one pusher per hub."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.conftest import PINS, HubProcess
from tests.sync.conftest import CentralProcess

pytestmark = pytest.mark.slow
API = "/api/v1"
MILK_SKU = "SKU00001"


def _till(hub: HubProcess, user: str = "erik") -> httpx.Client:
    http = httpx.Client(base_url=f"{hub.url}{API}", timeout=30)
    r = http.post("/auth/login", json={"username": user, "pin": PINS[user]})
    http.headers["Authorization"] = f"Bearer {r.json()['token']}"
    return http


def _until(check: Callable[[], Any], seconds: float = 30, what: str = "") -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def _sell(till: httpx.Client, lane: str = "1", code: str = "7310005000015",
          quantity: int = 1) -> dict[str, Any]:
    till.post(f"/lanes/{lane}/cart/items",
              json={"code": code, "quantity": quantity}).raise_for_status()
    due = till.get(f"/lanes/{lane}/cart").json()["due"]
    r = till.post(f"/lanes/{lane}/cart/tenders/cash", json={"tendered": (due + 99) // 100 * 100})
    r.raise_for_status()
    return r.json()


def _central_stock(central: CentralProcess, sku: str) -> dict[str, Any]:
    rows = central.admin("GET", "/stock", params={"store_id": "demo-store", "sku": sku}).json()
    return rows[0]


def test_sales_made_offline_reach_central_once_when_the_link_returns(
        central: CentralProcess, synced_hub: HubProcess) -> None:
    till = _till(synced_hub)
    till.post("/lanes/1/shift/open", json={"counted": 0}).raise_for_status()
    opening = _central_stock(central, MILK_SKU)["on_hand"]
    for _ in range(3):
        _sell(till)
    _until(lambda: till.get("/sync/status").json()["waiting"] == 0, what="first catch-up")

    central.stop()  # the internet goes down; the store keeps selling
    for _ in range(7):
        _sell(till)
    offline = _until(lambda: (s := till.get("/sync/status").json())["online"] is False and s,
                     what="offline status")
    assert offline["waiting"] == 7 * 2  # each sale and its stock move wait in the outbox
    assert "central" in offline["last_error"]

    central.start()  # the link returns
    status = _until(lambda: (s := till.get("/sync/status").json())["waiting"] == 0
                    and s["online"] and s, what="catch-up after the partition")
    assert status["rejected"] == 0
    report = {r["store_id"]: r for r in central.admin("GET", "/reports/sales").json()}
    assert report["demo-store"]["sales"] == 10
    assert _central_stock(central, MILK_SKU)["on_hand"] == opening - 10
    stores = central.admin("GET", "/stores").json()
    assert stores[0]["last_seq"] == status["last_seq"] and not stores[0]["silent"]
    till.close()


def test_a_pickup_order_from_the_online_shop_is_handed_over_at_the_till(
        central: CentralProcess, synced_hub: HubProcess) -> None:
    order = httpx.post(f"{central.url}/shop/v1/orders", json={
        "store_id": "demo-store", "customer_name": "Kim Kund", "customer_email": "kim@example.se",
        "lines": [{"sku": MILK_SKU, "quantity": 2}]}, timeout=30)
    assert order.status_code == 201, order.text
    order_id = order.json()["order_id"]
    assert _central_stock(central, MILK_SKU)["reserved"] == 2
    till = _till(synced_hub)
    till.post("/lanes/1/shift/open", json={"counted": 0}).raise_for_status()
    queue = _until(lambda: till.get("/pickups").json(), what="the order at the hub")
    assert queue[0]["order_id"] == order_id and queue[0]["customer_name"] == "Kim Kund"
    till.post(f"/pickups/{order_id}/pick").raise_for_status()
    sale = till.post(f"/pickups/{order_id}/hand-over", json={"lane_id": "1"})
    assert sale.status_code == 200, sale.text
    assert sale.json()["tenders"][0]["method"] == "prepaid"
    assert till.get("/pickups").json() == []
    done = _until(lambda: (o := httpx.get(f"{central.url}/shop/v1/orders/{order_id}").json())
                  ["status"] == "handed_over" and o, what="handed over at central")
    assert done["status"] == "handed_over"
    stock = _until(lambda: (s := _central_stock(central, MILK_SKU))["reserved"] == 0 and s,
                   what="the reservation consumed")
    assert stock["on_hand"] == _central_stock(central, MILK_SKU)["on_hand"]
    till.close()


def test_the_last_units_sold_in_store_while_reserved_online_open_a_conflict(
        central: CentralProcess, synced_hub: HubProcess) -> None:
    sku = "SKU00002"
    on_hand = _central_stock(central, sku)["on_hand"]
    order = httpx.post(f"{central.url}/shop/v1/orders", json={
        "store_id": "demo-store", "customer_name": "Ada", "lines": [{"sku": sku, "quantity":
                                                                    on_hand}]}, timeout=30)
    assert order.status_code == 201, order.text
    till = _till(synced_hub)
    till.post("/lanes/1/shift/open", json={"counted": 0}).raise_for_status()
    gtin = till.get("/products", params={"q": "SKU00002"}).json()[0]["gtin"]
    _sell(till, code=gtin)  # an in-store sale is never refused
    conflicts = _until(lambda: central.admin("GET", "/conflicts").json(), what="a conflict")
    assert conflicts[0]["sku"] == sku and conflicts[0]["store_id"] == "demo-store"
    till.close()


def test_only_one_process_pushes_a_hub_s_outbox(tmp_path) -> None:
    from hub.sync_runner import PusherLock

    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; from pathlib import Path; from hub.sync_runner import PusherLock;"
        f"lock = PusherLock(Path({str(tmp_path)!r})); assert lock.acquire(); print('held',"
        " flush=True); time.sleep(60)")], stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    lock = PusherLock(tmp_path)
    assert not lock.acquire() and lock.holder() == str(holder.pid)
    holder.kill()  # kill -9 releases the lock with the process
    holder.wait()
    assert lock.acquire()
    lock.release()


def test_hub_killed_during_a_long_catch_up_applies_every_event_once(
        central: CentralProcess, tmp_path) -> None:
    hub = HubProcess(tmp_path / "hub2", {"KASSA_HUB_ID": "demo-store"})  # offline at first
    hub.start()
    till = _till(hub)
    till.post("/lanes/1/shift/open", json={"counted": 0}).raise_for_status()
    for _ in range(300):  # 601 events: more than one batch
        _sell(till, quantity=1)
    till.close()
    hub.stop()
    hub.env.update({"KASSA_CENTRAL_URL": central.url, "KASSA_CENTRAL_TOKEN": central.token,
                    "KASSA_SYNC_INTERVAL_SECONDS": "0.2"})
    for _ in range(3):  # kill -9 the hub while it pushes its backlog, three times
        hub.start()
        time.sleep(0.4)
        hub.kill()
    hub.start()
    till = _till(hub)
    try:
        status = _until(lambda: (s := till.get("/sync/status").json())["waiting"] == 0 and s,
                        seconds=60, what="the backlog drained")
        total = status["last_seq"]
    finally:
        till.close()
        hub.stop()
    import psycopg

    url = central.db_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url) as conn:
        applied, distinct, high = conn.execute(
            "SELECT count(*), count(DISTINCT hub_seq), max(hub_seq) FROM applied_event "
            "WHERE store_id = 'demo-store'").fetchone()
    assert applied == distinct == high == total  # every event once, none missing


def test_sync_now_drains_a_stopped_hub_s_backlog_with_progress(central: CentralProcess,
                                                               tmp_path) -> None:
    hub = HubProcess(tmp_path / "hub3", {"KASSA_HUB_ID": "demo-store"})  # no central configured
    hub.start()
    till = _till(hub)
    till.post("/lanes/1/shift/open", json={"counted": 0}).raise_for_status()
    for _ in range(5):
        _sell(till)
    till.close()
    hub.stop()
    kassa = [sys.executable, "-m", "hub", "sync"]
    before = subprocess.run([*kassa, "status", "--data-dir", str(hub.data_dir)],
                            capture_output=True, text=True, timeout=60)
    assert "events waiting:  11" in before.stdout  # float + 5 × (sale, stock move)
    now = subprocess.run([*kassa, "now", "--data-dir", str(hub.data_dir), "--central-url",
                          central.url, "--token", central.token, "--hub-id", "demo-store"],
                         capture_output=True, text=True, timeout=120)
    assert now.returncode == 0, now.stderr
    assert "pushing to central" in now.stdout + now.stderr
    assert "events waiting:  0 (central has up to 11 of 11)" in now.stdout
    report = {r["store_id"]: r for r in central.admin("GET", "/reports/sales").json()}
    assert report["demo-store"]["sales"] == 5
