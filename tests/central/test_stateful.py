"""Hubs push over a network that drops, duplicates, reorders and delays batches and replies:
central still applies every event exactly once and in each hub's order."""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import text

from tests.central.conftest import Central, moved

SKUS = ("apple", "pear")


class Hub:
    """A simulated hub: its outbox and the last seq central acknowledged to it."""

    def __init__(self, store_id: str) -> None:
        self.store_id = store_id
        self.outbox: list[dict[str, Any]] = []
        self.acked = 0

    def batch(self, size: int) -> list[dict[str, Any]]:
        """What the pusher sends: from the last acknowledged seq on."""
        return self.outbox[self.acked:self.acked + size]

    def total(self, sku: str, up_to: int | None = None) -> int:
        """The sum of this hub's deltas for sku (up to a seq)."""
        return sum(item["delta"] for e in self.outbox[:up_to] for item in e["payload"]["items"]
                   if item["sku"] == sku)


class FlakyNetwork(RuleBasedStateMachine):
    """Batches and replies in flight, delivered in any order, some twice, some never."""

    central: ClassVar[Central]

    @initialize(n_hubs=st.integers(1, 3))
    def open_stores(self, n_hubs: int) -> None:
        run = uuid.uuid4().hex[:8]
        self.hubs = [Hub(f"{run}-{i}") for i in range(n_hubs)]
        for hub in self.hubs:
            self.central.add_store(hub.store_id)
        self.requests: list[tuple[Hub, list[dict[str, Any]]]] = []
        self.replies: list[tuple[Hub, int]] = []

    @rule(data=st.data(), sku=st.sampled_from(SKUS), delta=st.integers(-5, 5).filter(bool),
          count=st.integers(1, 4))
    def sell_or_receive(self, data: st.DataObject, sku: str, delta: int, count: int) -> None:
        hub = data.draw(st.sampled_from(self.hubs))
        for _ in range(count):
            hub.outbox.append(moved(len(hub.outbox) + 1, (sku, delta)))

    @rule(data=st.data(), size=st.integers(1, 6))
    def send_batch(self, data: st.DataObject, size: int) -> None:
        hub = data.draw(st.sampled_from(self.hubs))
        self.requests.append((hub, hub.batch(size)))

    @precondition(lambda self: self.requests)
    @rule(data=st.data(), keep=st.booleans(), lose_reply=st.booleans())
    def deliver(self, data: st.DataObject, keep: bool, lose_reply: bool) -> None:
        """Deliver any batch in flight (reorder); keep=True leaves a copy (duplicate)."""
        i = data.draw(st.integers(0, len(self.requests) - 1))
        hub, events = self.requests[i] if keep else self.requests.pop(i)
        reply = self.central.push(hub.store_id, events)
        if not lose_reply:
            self.replies.append((hub, reply["last_seq"]))

    @precondition(lambda self: self.requests)
    @rule(data=st.data())
    def drop_batch(self, data: st.DataObject) -> None:
        self.requests.pop(data.draw(st.integers(0, len(self.requests) - 1)))

    @precondition(lambda self: self.replies)
    @rule(data=st.data(), drop=st.booleans())
    def reply_arrives(self, data: st.DataObject, drop: bool) -> None:
        """A reply reaches its hub late, out of order, or not at all."""
        hub, last_seq = self.replies.pop(data.draw(st.integers(0, len(self.replies) - 1)))
        if not drop:
            hub.acked = max(hub.acked, last_seq)

    def stores(self) -> dict[str, int]:
        r = self.central.client.get("/admin/v1/stores", headers=self.central.admin)
        return {s["store_id"]: s["last_seq"] for s in r.json()}

    @invariant()
    def central_holds_a_prefix_of_each_outbox(self) -> None:
        """Whatever got through is exactly the first last_seq events of each hub, once each."""
        last = self.stores()
        for hub in self.hubs:
            assert last[hub.store_id] <= len(hub.outbox)
            for sku in SKUS:
                assert self.ledger(hub.store_id, sku) == hub.total(sku, last[hub.store_id])

    def ledger(self, store_id: str, sku: str) -> int:
        with self.central.db.transaction() as s:
            return int(s.execute(text("SELECT coalesce(sum(delta), 0) FROM stock_move "
                                      "WHERE store_id = :s AND sku = :k"),
                                 {"s": store_id, "k": sku}).scalar_one())

    def teardown(self) -> None:
        """Traffic stops, the pushers drain their outboxes: hubs and central agree."""
        for hub in getattr(self, "hubs", []):
            while hub.acked < len(hub.outbox):
                hub.acked = self.central.push(hub.store_id, hub.batch(500))["last_seq"]
            for sku in SKUS:
                assert self.ledger(hub.store_id, sku) == hub.total(sku)
            with self.central.db.transaction() as s:
                seqs = [row[0] for row in s.execute(text(
                    "SELECT a.hub_seq FROM stock_move m JOIN applied_event a "
                    "ON a.event_id = m.event_id WHERE m.store_id = :s ORDER BY m.id"),
                    {"s": hub.store_id})]
            assert seqs == list(range(1, len(hub.outbox) + 1))  # once each, in hub order


def test_every_event_lands_once_and_in_order_over_a_flaky_network(central: Central) -> None:
    central.product("apple")
    central.product("pear")
    FlakyNetwork.central = central
    run_state_machine_as_test(FlakyNetwork, settings=settings(
        max_examples=30, stateful_step_count=25, deadline=None,
        suppress_health_check=list(HealthCheck)))
