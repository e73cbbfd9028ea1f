"""A manager's approval at the till: username and PIN keyed in, then the action is sent again."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from terminal_client.hub_client import HubError

T = TypeVar("T")
Approval = dict[str, str]
APPROVAL_CODES = ("approval_required", "approval_denied")


class ApprovalDialog(ModalScreen[Approval | None]):
    """Why a manager is needed, then their username and PIN; None when Esc is pressed."""

    BINDINGS = [Binding("escape", "cancel", "Avbryt")]

    def __init__(self, reason: str) -> None:
        super().__init__()
        self.reason = reason

    def compose(self) -> ComposeResult:
        """The hub's reason, username, masked PIN."""
        with Vertical(classes="dialog"):
            yield Label("CHEF GODKÄNNER", classes="dialog-title")
            yield Static(self.reason, id="approval-reason")
            yield Label("Chefens användarnamn")
            yield Input(placeholder="t.ex. maria", id="approver")
            yield Label("PIN")
            yield Input(placeholder="****", password=True, id="approver-pin",
                        restrict=r"[0-9]*")
            yield Static("Enter: godkänn   Esc: avbryt", classes="hint")

    def on_mount(self) -> None:
        """Start with the manager's username."""
        self.query_one("#approver", Input).focus()

    @on(Input.Submitted, "#approver")
    def _to_pin(self) -> None:
        self.query_one("#approver-pin", Input).focus()

    @on(Input.Submitted, "#approver-pin")
    def _submit(self) -> None:
        username = self.query_one("#approver", Input).value.strip()
        pin = self.query_one("#approver-pin", Input).value
        if not username:
            self.query_one("#approver", Input).focus()
        elif len(pin) >= 4:
            self.dismiss({"username": username, "pin": pin})

    def action_cancel(self) -> None:
        """No approval: the action is not done."""
        self.dismiss(None)


async def with_approval(app: App[Any], call: Callable[[Approval | None], Awaitable[T]]
                        ) -> T | None:
    """Do `call`; when the hub wants a manager, ask for one and send it again with the approval.

    Returns None when the cashier gives up (Esc); any other refusal is raised as HubError.
    Must run in a worker (it waits for the dialog)."""
    approval: Approval | None = None
    while True:
        try:
            return await call(approval)
        except HubError as exc:
            if exc.code not in APPROVAL_CODES:
                raise
            approval = await app.push_screen_wait(ApprovalDialog(exc.message))
            if approval is None:
                return None
