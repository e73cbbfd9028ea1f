"""The daily sums the sale path keeps equal the sums rebuilt from the sale lines."""

from __future__ import annotations

from sqlmodel import col, select

from hub.models import SalesDay, SalesHour
from hub.services import rollup
from tests.conftest import Till, login, weighed_code

MILK, COFFEE, DISH = "Mellanmjölk 1,5 % 1 l", "Kaffe mellanrost 450 g", "Diskmedel 500 ml"
MANAGER = {"username": "maria", "pin": "1234"}


def _rows(client) -> list[tuple]:  # type: ignore[no-untyped-def]
    with client.app.state.db.read() as s:
        return [(r.day, r.lane_id, r.cashier_id, r.product_id, r.category, r.units, r.amount,
                 r.voided, r.discounted, r.discount, r.overridden, r.below_list)
                for r in s.exec(select(SalesDay).order_by(
                    col(SalesDay.lane_id), col(SalesDay.cashier_id), col(SalesDay.product_id)))]


def _hours(client) -> list[tuple]:  # type: ignore[no-untyped-def]
    with client.app.state.db.read() as s:
        return [(r.day, r.hour, r.lane_id, r.cashier_id, r.channel, r.sales, r.amount)
                for r in s.exec(select(SalesHour).order_by(
                    col(SalesHour.lane_id), col(SalesHour.cashier_id), col(SalesHour.hour)))]


def test_the_sums_kept_by_each_sale_equal_a_rebuild(client, cashier: Till) -> None:  # type: ignore[no-untyped-def]
    codes = {name: cashier.product(name)["gtin"] for name in (MILK, COFFEE, DISH)}
    sara = login(client, "sara")
    for till, lane in ((cashier, "1"), (sara, "2")):
        till.post(f"/lanes/{lane}/shift/open", {"counted": 0}, expect=201)
    cart = cashier.scan("1", codes[MILK], 3)
    cashier.put(f"/lanes/1/cart/lines/{cart['lines'][0]['id']}/discount",
                {"kind": "percent", "value": 1000})
    cart = cashier.scan("1", codes[DISH])
    cashier.post(f"/lanes/1/cart/lines/{cart['lines'][1]['id']}/void", {"approval": MANAGER})
    cashier.scan("1", weighed_code(101, 734))
    cashier.pay_cash("1", 10000)
    cart = sara.scan("2", codes[COFFEE])
    sara.put(f"/lanes/2/cart/lines/{cart['lines'][0]['id']}/price",
             {"unit_price": 5000, "approval": MANAGER})
    sara.scan("2", codes[MILK])
    sara.pay_cash("2", 7000)
    sara.scan("2", codes[MILK])
    sara.pay_cash("2", 2000)

    kept = _rows(client)
    assert kept, "each completed sale adds to the day's sums"
    coffee = next(r for r in kept if r[5] == 1 and r[10] == 1)
    assert coffee[11] == 6995 - 5000  # what the override took off the list price
    assert sum(r[7] for r in kept) == 1  # the voided dish
    hours = _hours(client)
    assert sum(r[5] for r in hours) == 3 and {r[4] for r in hours} == {"kassa"}
    with client.app.state.db.write() as s:
        assert rollup.rebuild(s, client.app.state.shop.settings.timezone) == 3
    assert _rows(client) == kept
    assert _hours(client) == hours
