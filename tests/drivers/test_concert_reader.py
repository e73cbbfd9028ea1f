"""ConcertReader against the emulated terminal over a real pty."""

from __future__ import annotations

import asyncio

import pytest

from drivers.card import Outcome
from drivers.concert import ConcertReader
from drivers.concert.codec import Transaction
from drivers.emulators.concert import ConcertEmulator
from drivers.errors import InvalidRequest, ReaderBusy, UnsupportedOperation
from tests.drivers.conftest import CONCERT_TIMERS, run, wait_until


def reader(emulator: ConcertEmulator, **options: object) -> ConcertReader:
    return ConcertReader(emulator.path, timers=CONCERT_TIMERS, **options)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("step", "outcome", "requests_taken"),
    [
        ("approve", Outcome.APPROVED, 1),
        ("decline", Outcome.DECLINED, 1),
        ("cancel_by_cardholder", Outcome.DECLINED, 1),  # v2 reports both as status 7
        ("card_removed", Outcome.DECLINED, 1),
        ("slow_cardholder:0.5", Outcome.APPROVED, 1),
        ("noise", Outcome.APPROVED, 1),
        ("nak_burst:2", Outcome.APPROVED, 1),
        ("nak_burst:3", Outcome.FAILED, 0),  # every copy refused: nothing was charged
        ("drop_ack", Outcome.APPROVED, 1),  # the answer still comes; the debit is not resent
        ("no_answer", Outcome.UNKNOWN, 1),
        ("power_loss:0.3", Outcome.UNKNOWN, 1),
    ],
)
def test_scripted_outcome(
    concert_emulator: ConcertEmulator, step: str, outcome: Outcome, requests_taken: int
) -> None:
    concert_emulator.script.extend([step])

    async def scenario() -> None:
        async with reader(concert_emulator) as terminal:
            result = await terminal.pay(1250, "SEK", "attempt-0001")
        assert result.outcome is outcome, result.message
        assert (result.amount_minor, result.currency) == (1250, "SEK")
        assert len(concert_emulator.requests) == requests_taken
        if requests_taken:
            req = concert_emulator.requests[0]
            assert (req.amount_minor, req.currency_numeric, req.private_data) == (
                1250,
                752,
                "tempt-0001",
            )  # the last ten characters of the reference

    run(scenario())


def test_approved_payment_then_refund_use_debit_and_credit(
    concert_emulator: ConcertEmulator,
) -> None:
    async def scenario() -> None:
        async with reader(concert_emulator, pos_number="07", long_answer=True) as terminal:
            paid = await terminal.pay(99_999_99, "EUR", "sale-42")
            refunded = await terminal.refund(500, "EUR", "refund-43")
        assert paid.outcome is refunded.outcome is Outcome.APPROVED
        assert paid.receipt_lines == ["VISA ****1234 AUTH 123456"]
        assert paid.result_code == "0" and paid.currency == "EUR"
        kinds = [(r.pos_number, r.transaction, r.long_answer) for r in concert_emulator.requests]
        assert kinds == [("07", Transaction.DEBIT, True), ("07", Transaction.CREDIT, True)]

    run(scenario())


def test_terminal_killed_mid_transaction_is_unknown_and_not_resent(
    concert_emulator: ConcertEmulator,
) -> None:
    concert_emulator.script.extend(["slow_cardholder:10"])

    async def scenario() -> None:
        terminal = reader(concert_emulator)
        payment = asyncio.create_task(terminal.pay(1250, "SEK", "attempt-7"))
        await wait_until(lambda: len(concert_emulator.requests) == 1)
        concert_emulator.stop()
        result = await payment
        assert result.outcome is Outcome.UNKNOWN and result.in_doubt
        assert len(concert_emulator.requests) == 1
        await terminal.close()

    run(scenario())


def test_second_payment_while_one_runs_is_refused_as_busy(
    concert_emulator: ConcertEmulator,
) -> None:
    concert_emulator.script.extend(["slow_cardholder:0.5"])

    async def scenario() -> None:
        async with reader(concert_emulator) as terminal:
            first = asyncio.create_task(terminal.pay(100, "SEK", "a"))
            await wait_until(lambda: len(concert_emulator.requests) == 1)
            with pytest.raises(ReaderBusy):
                await terminal.pay(100, "SEK", "b")
            assert (await terminal.status()).busy
            assert (await first).outcome is Outcome.APPROVED

    run(scenario())


def test_status_and_unsupported_operations(concert_emulator: ConcertEmulator) -> None:
    async def scenario() -> None:
        async with reader(concert_emulator) as terminal:
            assert (await terminal.status()).available
            assert await terminal.last_transaction() is None
            with pytest.raises(UnsupportedOperation):
                await terminal.cancel()
            assert not terminal.capabilities.last_transaction

    run(scenario())


def test_missing_port_fails_without_charging() -> None:
    async def scenario() -> None:
        terminal = ConcertReader("/dev/does-not-exist", timers=CONCERT_TIMERS)
        result = await terminal.pay(100, "SEK", "x")
        assert result.outcome is Outcome.FAILED
        status = await terminal.status()
        assert not status.available

    run(scenario())


def test_invalid_requests_raise_before_touching_the_line() -> None:
    terminal = ConcertReader("loop://", timers=CONCERT_TIMERS)
    with pytest.raises(InvalidRequest):
        run(terminal.pay(0, "SEK", "x"))
    with pytest.raises(InvalidRequest):
        run(terminal.pay(100_000_000, "SEK", "x"))
    with pytest.raises(InvalidRequest):
        run(terminal.pay(100, "XXX", "x"))


def test_usb_style_8n1_line_settings(concert_emulator: ConcertEmulator) -> None:
    async def scenario() -> None:
        async with reader(concert_emulator, serial_mode="8N1", baudrate=115200) as terminal:
            assert terminal.settings.bytesize == 8 and terminal.settings.parity == "N"
            assert (await terminal.pay(250, "EUR", "usb-1")).outcome is Outcome.APPROVED

    run(scenario())
