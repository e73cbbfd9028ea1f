"""ZvtReader against the emulated terminal, on loopback TCP and over a real pty."""

from __future__ import annotations

import asyncio

import pytest

from drivers.card import Outcome, ProgressEvent, ProgressKind
from drivers.emulators.zvt import ZvtEmulator
from drivers.errors import ReaderBusy
from drivers.zvt import ZvtReader, ZvtTimers, codec
from tests.drivers.conftest import ZVT_TIMERS, run, wait_until


def reader(emulator: ZvtEmulator, **options: object) -> ZvtReader:
    options.setdefault("timers", ZVT_TIMERS)
    return ZvtReader(emulator.url, **options)  # type: ignore[arg-type]


def debits(emulator: ZvtEmulator) -> list[codec.Apdu]:
    return [c for c in emulator.commands if c.command == codec.AUTHORIZATION]


OUTCOMES = [
    ("approve", Outcome.APPROVED, "00"),
    ("decline", Outcome.DECLINED, "05"),
    ("cancel_by_cardholder", Outcome.CANCELLED, "6C"),
    ("card_removed", Outcome.DECLINED, "64"),
    ("slow_cardholder:0.3", Outcome.APPROVED, "00"),
    ("noise", Outcome.APPROVED, "00"),
    ("nak_burst:2", Outcome.APPROVED, "00"),
    ("drop_ack", Outcome.APPROVED, "00"),
    ("no_answer", Outcome.UNKNOWN, None),
    ("power_loss:0.2", Outcome.UNKNOWN, None),
]


@pytest.mark.parametrize(("step", "outcome", "code"), OUTCOMES)
def test_scripted_outcome(
    zvt_emulator: ZvtEmulator, step: str, outcome: Outcome, code: str | None
) -> None:
    zvt_emulator.script.extend([step])

    async def scenario() -> None:
        async with reader(zvt_emulator) as terminal:
            result = await terminal.pay(1250, "EUR", "attempt-1")
        assert result.outcome is outcome, result.message
        assert result.result_code == code
        assert (result.amount_minor, result.currency) == (1250, "EUR")
        assert len(debits(zvt_emulator)) == 1  # never sent twice, whatever happened

    run(scenario())


def test_approval_carries_card_data_receipt_and_progress(zvt_emulator: ZvtEmulator) -> None:
    async def scenario() -> None:
        events: list[ProgressEvent] = []
        async with reader(zvt_emulator) as terminal:
            terminal.on_progress(events.append)
            result = await terminal.pay(4711, "EUR", "sale-9")
        assert result.outcome is Outcome.APPROVED
        assert (result.masked_pan, result.brand, result.auth_code) == (
            "4711********1234",
            "VISA",
            "123456",
        )
        assert (result.receipt_no, result.trace_no, result.terminal_id) == (
            "0001",
            "000001",
            "52500001",
        )
        assert "VISA 4711********1234" in result.receipt_lines
        assert [e.kind for e in events] == [
            ProgressKind.INSERT_CARD,
            ProgressKind.ENTER_PIN,
            ProgressKind.PLEASE_WAIT,
            ProgressKind.APPROVED,
        ]
        # the register acknowledged every message of the terminal with 80 00 00
        assert zvt_emulator.replies and all(codec.is_ack(r) for r in zvt_emulator.replies)

    run(scenario())


def test_progress_as_an_async_iterator(zvt_emulator: ZvtEmulator) -> None:
    zvt_emulator.script.extend(["decline"])

    async def scenario() -> None:
        async with reader(zvt_emulator) as terminal:
            kinds: list[ProgressKind] = []

            async def collect() -> None:
                async for event in terminal.progress():
                    kinds.append(event.kind)
                    if event.kind is ProgressKind.DECLINED:
                        return

            watcher = asyncio.create_task(collect())
            await asyncio.sleep(0)
            await terminal.pay(100, "EUR", "x")
            await asyncio.wait_for(watcher, 2)
        assert kinds == [ProgressKind.INSERT_CARD, ProgressKind.DECLINED]

    run(scenario())


def test_cashier_cancels_a_slow_payment(zvt_emulator: ZvtEmulator) -> None:
    zvt_emulator.script.extend(["slow_cardholder:5"])

    async def scenario() -> None:
        async with reader(zvt_emulator) as terminal:
            started = asyncio.Event()
            terminal.on_progress(lambda e: started.set())
            payment = asyncio.create_task(terminal.pay(1250, "EUR", "x"))
            await asyncio.wait_for(started.wait(), 2)
            with pytest.raises(ReaderBusy):
                await terminal.pay(1, "EUR", "y")
            await terminal.cancel()
            result = await asyncio.wait_for(payment, 3)
        assert result.outcome is Outcome.CANCELLED
        assert [c.command for c in zvt_emulator.commands][-1] == codec.ABORT_REQUEST

    run(scenario())


def test_nak_storm_fails_without_charging(zvt_emulator: ZvtEmulator) -> None:
    """Serial: four NAKs exhaust the resends. TCP has no NAK, so the step just approves."""
    zvt_emulator.script.extend(["nak_burst:4"])

    async def scenario() -> None:
        async with reader(zvt_emulator) as terminal:
            result = await terminal.pay(1250, "EUR", "x")
        serial = zvt_emulator.url.startswith("/")
        assert result.outcome is (Outcome.FAILED if serial else Outcome.APPROVED)
        assert len(debits(zvt_emulator)) == (0 if serial else 1)

    run(scenario())


def test_crash_recovery_with_repeat_receipt_and_reversal(zvt_emulator: ZvtEmulator) -> None:
    zvt_emulator.script.extend(["power_loss:0.3"])

    async def scenario() -> None:
        first = reader(zvt_emulator)
        lost = await first.pay(2500, "EUR", "attempt-77")
        assert lost.outcome is Outcome.UNKNOWN
        await first.close()  # the register "crashes" with the attempt in doubt
        await wait_until(lambda: not zvt_emulator.silent)

        async with reader(zvt_emulator) as restarted:
            last = await restarted.last_transaction()
            assert last is not None and last.outcome is Outcome.APPROVED
            assert (last.amount_minor, last.currency, last.receipt_no) == (2500, "EUR", "0001")
            reversed_ = await restarted.reverse(last.receipt_no or "", 2500, "EUR", "attempt-77")
            assert reversed_.outcome is Outcome.APPROVED
            again = await restarted.reverse("0001", 2500, "EUR")
            assert again.outcome is Outcome.DECLINED  # already reversed
        assert zvt_emulator.batch[0].reversed
        assert len(debits(zvt_emulator)) == 1

    run(scenario())


def test_repeat_receipt_with_nothing_to_repeat(zvt_emulator: ZvtEmulator) -> None:
    async def scenario() -> None:
        async with reader(zvt_emulator) as terminal:
            assert await terminal.last_transaction() is None

    run(scenario())


def test_terminal_killed_mid_transaction_is_unknown(zvt_emulator: ZvtEmulator) -> None:
    zvt_emulator.script.extend(["slow_cardholder:10"])

    async def scenario() -> None:
        terminal = reader(zvt_emulator, timers=ZvtTimers(t3=1, t4=10, link_ack=0.4))
        payment = asyncio.create_task(terminal.pay(1250, "EUR", "x"))
        await wait_until(lambda: len(debits(zvt_emulator)) == 1)
        zvt_emulator.stop()
        result = await asyncio.wait_for(payment, 15)
        assert result.outcome is Outcome.UNKNOWN
        # the lost line ended it, not a timer running out (t3 / t4; t4 is 180 s in a store)
        assert "no message within" not in result.message, result.message
        assert len(debits(zvt_emulator)) == 1
        await terminal.close()

    run(scenario())


def test_goods_check_asks_for_more_time_then_confirms(zvt_emulator: ZvtEmulator) -> None:
    async def goods_handed_out(_: object) -> bool:
        await asyncio.sleep(0.2)
        return True

    async def scenario() -> None:
        async with reader(zvt_emulator, goods_check=goods_handed_out) as terminal:
            result = await terminal.pay(300, "EUR", "vending-1")
        assert result.outcome is Outcome.APPROVED
        assert codec.NEED_MORE_TIME in zvt_emulator.replies

    run(scenario())


def test_goods_not_handed_out_makes_the_terminal_reverse(zvt_emulator: ZvtEmulator) -> None:
    async def jammed(_: object) -> bool:
        return False

    async def scenario() -> None:
        async with reader(zvt_emulator, goods_check=jammed) as terminal:
            result = await terminal.pay(300, "EUR", "vending-2")
        assert result.outcome is Outcome.CANCELLED
        assert codec.GOODS_NOT_HANDED_OUT in zvt_emulator.replies
        assert zvt_emulator.batch[0].reversed

    run(scenario())


def test_refund_status_and_end_of_day(zvt_emulator: ZvtEmulator) -> None:
    async def scenario() -> None:
        async with reader(zvt_emulator, currency="EUR") as terminal:
            status = await terminal.status()
            assert status.available and status.terminal_id == "52500001"
            assert (await terminal.pay(1000, "EUR", "a")).outcome is Outcome.APPROVED
            assert (await terminal.pay(2000, "EUR", "b")).outcome is Outcome.APPROVED
            refund = await terminal.refund(500, "EUR", "c")
            assert refund.outcome is Outcome.APPROVED
            totals = await terminal.end_of_day()
        assert (totals.total_minor, totals.currency, totals.transaction_count) == (2500, "EUR", 3)
        assert (totals.first_receipt_no, totals.last_receipt_no) == ("0001", "0003")
        assert [c.command for c in zvt_emulator.commands].count(codec.REFUND) == 1
        registration = codec.parse_command(zvt_emulator.commands[0])
        assert registration.currency == 978 and registration.password == "000000"

    run(scenario())


def test_unreachable_terminal_fails_without_charging() -> None:
    async def scenario() -> None:
        terminal = ZvtReader("socket://127.0.0.1:9", timers=ZVT_TIMERS)
        result = await terminal.pay(100, "EUR", "x")
        assert result.outcome is Outcome.FAILED
        assert not (await terminal.status()).available

    run(scenario())
