"""Who may do what: refund thresholds, device tokens, PIN lockout, pairing."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.conftest import Till


def _big_sale(cashier: Till) -> dict:
    cashier.post("/lanes/1/shift/open", {"counted": 100000}, expect=201)
    coffee = cashier.product("Kaffe mellanrost 450 g")
    cashier.scan("1", coffee["gtin"], 10)  # 699,50 kr, over the 500 kr refund limit
    return cashier.pay_cash("1", 70000)


def test_cashier_needs_a_manager_for_a_refund_over_the_threshold(cashier: Till,
                                                                  manager: Till) -> None:
    sale = _big_sale(cashier)
    body = {"lane_id": "1", "lines": [{"line_id": sale["lines"][0]["id"], "quantity": 10}]}
    refused = cashier.post(f"/sales/{sale['id']}/refunds", body, expect=403)
    assert refused["error"] == "approval_required"
    assert "manager" in refused["message"]
    wrong = cashier.post(f"/sales/{sale['id']}/refunds",
                         {**body, "approval": {"username": "sara", "pin": "2222"}}, expect=403)
    assert "not a manager" in wrong["message"]
    assert cashier.get(f"/sales/{sale['id']}/refunds") == []  # nothing was half-done

    refund = cashier.post(f"/sales/{sale['id']}/refunds",
                          {**body, "approval": {"username": "maria", "pin": "1234"}}, expect=201)
    assert refund["total"] == 69950 and refund["approved_by"] is not None
    audit = manager.get("/audit", params={"action": "refund"})
    assert audit[0]["ref"] == refund["id"]
    assert audit[0]["approved_by"] == refund["approved_by"] != audit[0]["user_id"]


def test_small_refund_needs_no_manager(cashier: Till) -> None:
    cashier.post("/lanes/1/shift/open", {"counted": 100000}, expect=201)
    cashier.scan("1", cashier.product("Dagstidning")["gtin"])
    sale = cashier.pay_cash("1", 4000)
    refund = cashier.post(f"/sales/{sale['id']}/refunds", {
        "lane_id": "1", "lines": [{"line_id": sale["lines"][0]["id"]}]}, expect=201)
    assert refund["approved_by"] is None and refund["total"] == 4000


def test_kiosk_token_reaches_only_its_lane_and_no_manager_endpoints(client: TestClient,
                                                                    admin: Till) -> None:
    code = admin.post("/devices/pairing-codes", {"role": "kiosk", "lane_id": "K1"}, expect=201)
    paired = client.post("/api/v1/devices/pair", json={"code": code["code"], "name": "Kiosk A"})
    assert paired.status_code == 200
    kiosk = Till(client, paired.json()["token"])
    assert kiosk.get("/auth/me")["role"] == "kiosk"

    cart = kiosk.scan("K1", kiosk.product("Dagstidning")["gtin"])
    assert cart["total"] == 4000
    assert kiosk.scan("1", "7310005000015", expect=403)["error"] == "forbidden"
    for method, path, body in [
        ("GET", "/audit", None), ("GET", "/users", None), ("GET", "/journal/verify", None),
        ("POST", "/users", {"username": "x", "display_name": "X", "role": "admin", "pin": "1234"}),
        ("POST", "/devices/pairing-codes", {"role": "kiosk", "lane_id": "K1"}),
        ("POST", "/lanes/1/drawer/no-sale", {}),
        ("POST", "/lanes/1/shift/open", {"counted": 0}),
    ]:
        r = kiosk.call(method, path, expect=403, json=body)
        assert r["error"] == "forbidden", (path, r)

    # A used code cannot pair a second device.
    again = client.post("/api/v1/devices/pair", json={"code": code["code"], "name": "Kiosk B"})
    assert again.status_code == 401


def test_pairing_code_expires(client: TestClient, admin: Till, settings) -> None:
    from datetime import timedelta

    from hub.models import PairingCode
    from hub.models.base import utcnow

    code = admin.post("/devices/pairing-codes", {"role": "display", "lane_id": "1"}, expect=201)
    with client.app.state.db.write() as s:
        for row in s.exec(__import__("sqlmodel").select(PairingCode)):
            row.expires_at = utcnow() - timedelta(seconds=1)
            s.add(row)
    r = client.post("/api/v1/devices/pair", json={"code": code["code"], "name": "late"})
    assert r.status_code == 401 and "expired" in r.json()["message"]


def test_wrong_pins_are_rate_limited(client: TestClient) -> None:
    for _ in range(5):
        r = client.post("/api/v1/auth/login", json={"username": "erik", "pin": "0000"})
        assert r.status_code == 401
    r = client.post("/api/v1/auth/login", json={"username": "erik", "pin": "1111"})
    assert r.status_code == 429
    assert int(r.headers["Retry-After"]) > 0
    assert "Too many wrong attempts" in r.json()["message"]
    # Another user is not locked out by erik's guesses.
    assert client.post("/api/v1/auth/login",
                       json={"username": "sara", "pin": "2222"}).status_code == 200


def test_wrong_approval_pins_count_too(cashier: Till, client: TestClient) -> None:
    sale = _big_sale(cashier)
    body = {"lane_id": "1", "lines": [{"line_id": sale["lines"][0]["id"], "quantity": 10}],
            "approval": {"username": "maria", "pin": "9876"}}
    for _ in range(5):
        assert cashier.post(f"/sales/{sale['id']}/refunds", body,
                            expect=403)["error"] == "approval_denied"
    body["approval"]["pin"] = "1234"
    assert cashier.post(f"/sales/{sale['id']}/refunds", body, expect=429)


def test_no_sale_needs_a_manager_and_is_audited(cashier: Till, manager: Till) -> None:
    cashier.post("/lanes/1/shift/open", {"counted": 0}, expect=201)
    assert cashier.post("/lanes/1/drawer/no-sale", {"reason": "växel"},
                        expect=403)["error"] == "approval_required"
    cashier.post("/lanes/1/drawer/no-sale",
                 {"reason": "växel", "approval": {"username": "maria", "pin": "1234"}})
    manager.post("/lanes/1/drawer/no-sale", {"reason": "kontroll"})
    entries = manager.get("/audit", params={"action": "no_sale"})
    assert len(entries) == 2
    assert all(e["approved_by"] == entries[0]["approved_by"] for e in entries)


def test_void_after_payment_started_needs_a_manager(cashier: Till, manager: Till) -> None:
    cashier.post("/lanes/1/shift/open", {"counted": 0}, expect=201)
    cashier.scan("1", cashier.product("Dagstidning")["gtin"])
    cart = cashier.scan("1", cashier.product("Kaffe mellanrost 450 g")["gtin"])
    cashier.pay_cash("1", 2000)  # part payment
    line = cart["lines"][1]["id"]
    assert cashier.post(f"/lanes/1/cart/lines/{line}/void", {}, expect=403)["error"] == \
        "approval_required"
    cart = cashier.post(f"/lanes/1/cart/lines/{line}/void",
                        {"approval": {"username": "maria", "pin": "1234"}})
    assert cart["total"] == 4000 and cart["due"] == 2000
    assert manager.get("/audit", params={"action": "void_after_payment"})[0]["detail"]["name"] == \
        "Kaffe mellanrost 450 g"


def test_price_override_is_approved_and_audited(cashier: Till, manager: Till) -> None:
    cashier.post("/lanes/1/shift/open", {"counted": 0}, expect=201)
    cart = cashier.scan("1", cashier.product("Dagstidning")["gtin"])
    line = cart["lines"][0]["id"]
    cashier.put(f"/lanes/1/cart/lines/{line}/price", {"unit_price": 2000}, expect=403)
    cart = cashier.put(f"/lanes/1/cart/lines/{line}/price",
                       {"unit_price": 2000, "approval": {"username": "maria", "pin": "1234"}})
    assert cart["total"] == 2000 and cart["lines"][0]["price_overridden"]
    entry = manager.get("/audit", params={"action": "price_override"})[0]
    assert entry["detail"]["old_price"] == 4000 and entry["detail"]["new_price"] == 2000


def test_requests_without_a_token_are_refused(client: TestClient) -> None:
    r = client.get("/api/v1/lanes/1/cart")
    assert r.status_code == 401 and "Log in" in r.json()["message"]
    r = client.get("/api/v1/lanes/1/cart", headers={"Authorization": "Bearer nonsense"})
    assert r.status_code == 401


def test_an_unpaired_device_can_no_longer_act(client: TestClient, admin: Till,
                                              manager: Till) -> None:
    code = admin.post("/devices/pairing-codes", {"role": "kiosk", "lane_id": "K1"}, expect=201)
    paired = client.post("/api/v1/devices/pair", json={"code": code["code"], "name": "Kiosk A"})
    kiosk = Till(client, paired.json()["token"])
    device_id = paired.json()["me"]["device_id"]
    assert kiosk.get("/lanes/K1/cart")["lines"] == []
    assert [d["name"] for d in admin.get("/devices")] == ["Kiosk A"]
    assert manager.call("DELETE", f"/devices/{device_id}", expect=403)["error"] == "forbidden"
    gone = admin.call("DELETE", f"/devices/{device_id}")
    assert gone["revoked"] is True
    assert kiosk.get("/lanes/K1/cart", expect=401)["error"] == "unauthenticated"
    assert admin.get("/audit", params={"action": "device_unpaired"})[0]["ref"] == str(device_id)
