"""Whatever a hub puts in its events, central answers with last_seq and the queue moves on."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sync.schemas import EVENT_TYPES
from tests.central.conftest import Central, event

json_value = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner,
                                                                max_size=3),
    max_leaves=8,
)
skus = st.sampled_from(["milk", "ghost"]) | st.text(max_size=70)
numbers = st.integers() | st.integers(-10, 10) | json_value
payloads = st.one_of(
    st.fixed_dictionaries({"reason": st.text(max_size=50), "items": st.lists(
        st.fixed_dictionaries({"sku": skus, "delta": numbers}), max_size=3)}),
    st.fixed_dictionaries({"items": st.lists(
        st.fixed_dictionaries({"sku": skus, "counted": numbers}), max_size=3)}),
    st.fixed_dictionaries({"id": st.integers() | st.text(max_size=70), "total": numbers,
                           "lines": st.lists(st.fixed_dictionaries({
                               "sku": skus, "name": st.text(max_size=250), "quantity": numbers,
                               "net": numbers, "vat": numbers}), max_size=3)}),
    st.fixed_dictionaries({"order_id": st.text(max_size=40), "sale_id": json_value}),
    st.dictionaries(st.text(max_size=8), json_value, max_size=4),
)
events = st.lists(st.tuples(st.sampled_from([*EVENT_TYPES, "junk"]), payloads), max_size=6)


def test_fuzzed_payloads_never_block_the_queue(central: Central) -> None:
    central.add_store("s1")
    central.product("milk")
    last = [0]

    @given(batch=events)
    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck),
              database=None)
    def push_anything(batch: list[tuple[str, dict[str, object]]]) -> None:
        sent = [event(last[0] + i + 1, type_, payload) for i, (type_, payload) in
                enumerate(batch)]
        reply = central.push("s1", sent)
        assert reply["last_seq"] == last[0] + len(sent)
        assert reply["applied"] + len(reply["rejected"]) == len(sent)
        last[0] = reply["last_seq"]

    push_anything()
    assert central.push("s1", [])["last_seq"] == last[0]
