"""E-mailed receipts: delivered to a real local SMTP server (aiosmtpd), through the outbox."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from fastapi.testclient import TestClient

from hub.api.routes import mail as mail_routes
from hub.app import create_app
from hub.config import Settings
from hub.demo_mail import MailSink, start_mail_sink
from hub.mail_sender import MailSender
from tests.conftest import Till, free_port, login

MILK = "Mellanmjölk 1,5 % 1 l"
PUBLIC_URL = "https://kvitto.example.se"


def _settings(tmp_path: Path, smtp_url: str) -> Settings:
    return Settings(data_dir=tmp_path / "hub", demo_data=True, smtp_url=smtp_url,
                    public_url=PUBLIC_URL, mail_from="Kassa Demo Livs <kvitto@demo.example.se>")


@contextmanager
def running_hub(settings: Settings) -> Iterator[TestClient]:
    """The hub app with the mail routes and sender (wired here until app.py does it)."""
    app = create_app(settings)
    if not any(getattr(r, "path", "") == "/api/v1/deliveries" for r in app.routes):
        app.include_router(mail_routes.router, prefix="/api/v1")
    with TestClient(app) as client:
        own = getattr(app.state, "mail_sender", None) is None
        if own:
            app.state.mail_sender = MailSender(app.state.db, app.state.shop)
            client.portal.call(app.state.mail_sender.start)  # type: ignore[union-attr]
        app.state.mail_sender.first_retry_seconds = 0.3  # retry quickly in tests
        yield client
        if own:
            client.portal.call(app.state.mail_sender.stop)  # type: ignore[union-attr]


def wait_for(what: str, check: Callable[[], Any], seconds: float = 10.0) -> Any:
    """Poll until check() gives something truthy."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if value := check():
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def mails(sink: MailSink) -> list[EmailMessage]:
    """Every mail the sink received, oldest first."""
    return [BytesParser(policy=policy.default).parsebytes(p.read_bytes())  # type: ignore[misc]
            for p in sorted(sink.folder.glob("*.eml"))]


def text_of(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content()).replace("\r\n", "\n")  # type: ignore[attr-defined]


def cash_sale(till: Till, quantity: int = 2) -> dict[str, Any]:
    """A completed cash sale of milk on lane 1."""
    if till.client.get("/api/v1/lanes/1/shift", headers=till.headers).status_code == 404:
        till.post("/lanes/1/shift/open", {"counted": 100000}, expect=201)
    till.scan("1", till.product(MILK)["gtin"], quantity)
    sale = till.pay_cash("1", 10000)
    assert sale["status"] == "completed"
    return sale  # type: ignore[no-any-return]


def delivery(till: Till, delivery_id: int) -> dict[str, Any]:
    found = [d for d in till.get("/deliveries", params={"kind": "email"})
             if d["id"] == delivery_id]
    assert found, f"delivery {delivery_id} is not listed"
    return found[0]  # type: ignore[no-any-return]


@pytest.fixture
def sink(tmp_path: Path) -> Iterator[MailSink]:
    s = start_mail_sink(tmp_path / "mail")
    yield s
    s.stop()


@pytest.fixture
def till(tmp_path: Path, sink: MailSink) -> Iterator[Till]:
    with running_hub(_settings(tmp_path, sink.smtp_url)) as client:
        yield login(client, "erik")


def test_sale_receipt_arrives_by_email_with_the_receipt_and_its_link(
        till: Till, sink: MailSink) -> None:
    sale = cash_sale(till)
    asked = till.post(f"/sales/{sale['id']}/email", {"to": " Kund@Exempel.SE "}, expect=202)
    assert asked["kind"] == "email" and asked["target"] == "Kund@exempel.se"

    message = wait_for("the mail", lambda: mails(sink))[0]
    assert message["Subject"] == "Kvitto 1-000001 från Kassa Demo Livs"
    assert message["To"] == "Kund@exempel.se"
    assert message["From"] == "Kassa Demo Livs <kvitto@demo.example.se>"
    body = text_of(message)
    link = f"{PUBLIC_URL}/receipt/{sale['id']}"
    assert link in body and "elektroniskt kassakvitto" in body
    receipt_text = till.get(f"/sales/{sale['id']}/receipt")
    # The very receipt the till prints, marked as an electronic receipt above the thanks.
    printed, thanks = receipt_text.rsplit("\n\n", 1)
    assert f"{printed}\n\n{'Elektroniskt kassakvitto'.center(42).rstrip()}\n\n{thanks}" in body
    assert "Kvitto nr 1-000001" in body and MILK in body and "KOPIA" not in body
    # The link leads to the digital receipt page.
    page = till.client.get(link.removeprefix(PUBLIC_URL))
    assert page.status_code == 200 and "Kvitto nr 1-000001" in page.text

    done = wait_for("done", lambda: delivery(till, asked["id"])["status"] == "done"
                    and delivery(till, asked["id"]))
    assert done["attempts"] == 1 and done["last_error"] == "" and done["done_at"]


def test_a_copy_is_marked_kopia(till: Till, sink: MailSink) -> None:
    sale = cash_sale(till)
    till.post(f"/sales/{sale['id']}/email", {"to": "kund@exempel.se", "is_copy": True},
              expect=202)
    message = wait_for("the mail", lambda: mails(sink))[0]
    assert message["Subject"].endswith("(kopia)") and "KOPIA" in text_of(message)


def test_a_repeated_request_sends_one_mail(till: Till, sink: MailSink) -> None:
    sale = cash_sale(till)
    body = {"to": "kund@exempel.se", "request_id": "till1-mail-7"}
    first = till.post(f"/sales/{sale['id']}/email", body, expect=202)
    second = till.post(f"/sales/{sale['id']}/email", body, expect=202)
    assert first["id"] == second["id"]
    wait_for("done", lambda: delivery(till, first["id"])["status"] == "done")
    third = till.post(f"/sales/{sale['id']}/email", body, expect=202)  # after it was sent
    assert third["id"] == first["id"] and third["status"] == "done"
    other = till.post(f"/sales/{sale['id']}/email",
                      {"to": "annan@exempel.se", "request_id": "till1-mail-7"}, expect=409)
    assert "request_id" in other["message"]
    time.sleep(0.5)  # give a second mail every chance to show up
    assert len(mails(sink)) == 1
    assert len(till.get("/deliveries", params={"kind": "email"})) == 1


def test_bad_addresses_and_unknown_records_are_refused_clearly(till: Till) -> None:
    sale = cash_sale(till)
    for bad in ["", "kund", "kund@", "kund@exempel", "två ord@exempel.se",
                "a@b.se\r\nBcc: alla@exempel.se", "x" * 300 + "@exempel.se"]:
        answer = till.post(f"/sales/{sale['id']}/email", {"to": bad}, expect=422)
        assert "e-mail address" in answer["message"], answer
    missing = till.post("/sales/" + "0" * 32 + "/email", {"to": "kund@exempel.se"}, expect=404)
    assert "no sale" in missing["message"]
    till.post("/refunds/nope/email", {"to": "kund@exempel.se"}, expect=404)
    till.scan("1", till.product(MILK)["gtin"])  # an open cart has no receipt yet
    open_cart = till.get("/lanes/1/cart")
    answer = till.post(f"/sales/{open_cart['id']}/email", {"to": "kund@exempel.se"}, expect=409)
    assert "not completed" in answer["message"]
    till.get("/deliveries", params={"status": "stuck"}, expect=422)
    assert till.get("/deliveries") == []


def test_mail_waits_while_the_server_is_down_and_is_sent_once_it_is_back(
        tmp_path: Path) -> None:
    port = free_port()  # nothing listens here yet
    with running_hub(_settings(tmp_path, f"smtp://127.0.0.1:{port}")) as client:
        till = login(client, "erik")
        sale = cash_sale(till)
        asked = till.post(f"/sales/{sale['id']}/email", {"to": "kund@exempel.se"}, expect=202)

        stuck = wait_for("a failed attempt", lambda: (d := delivery(till, asked["id"]))
                         ["attempts"] >= 2 and d)
        assert stuck["status"] == "pending"
        assert "could not be reached" in stuck["last_error"]
        pending = till.get("/deliveries", params={"kind": "email", "status": "pending"})
        assert [d["id"] for d in pending] == [asked["id"]]

        sink = start_mail_sink(tmp_path / "mail", port=port)
        try:
            done = wait_for("delivery after the server came back",
                            lambda: (d := delivery(till, asked["id"]))["status"] == "done" and d)
            assert done["attempts"] >= stuck["attempts"] and done["last_error"] == ""
            time.sleep(1.0)  # several back-off periods: no second mail
            received = mails(sink)
            assert len(received) == 1 and received[0]["To"] == "kund@exempel.se"
        finally:
            sink.stop()
        assert till.get("/deliveries", params={"kind": "email", "status": "pending"}) == []


def test_email_off_answers_409(tmp_path: Path) -> None:
    with running_hub(_settings(tmp_path, "")) as client:
        till = login(client, "erik")
        sale = cash_sale(till)
        answer = till.post(f"/sales/{sale['id']}/email", {"to": "kund@exempel.se"}, expect=409)
        assert answer["message"] == "E-mail is not set up on this hub (KASSA_SMTP_URL)."


def test_refund_receipt_is_emailed(till: Till, sink: MailSink) -> None:
    sale = cash_sale(till)
    refund = till.post(f"/sales/{sale['id']}/refunds", {
        "lane_id": "1", "lines": [{"line_id": sale["lines"][0]["id"], "quantity": 1}],
        "reason": "trasig förpackning"}, expect=201)
    till.post(f"/refunds/{refund['id']}/email", {"to": "kund@exempel.se"}, expect=202)
    message = wait_for("the mail", lambda: mails(sink))[0]
    assert message["Subject"] == "Returkvitto 1-000002 från Kassa Demo Livs"
    body = text_of(message)
    assert "RETURKVITTO" in body and "Retur av kvitto nr 1-000001" in body
    assert "trasig förpackning" in body and f"{PUBLIC_URL}/receipt/{sale['id']}" in body


class _Mailbox:
    """An SMTP handler that refuses one address until told otherwise, and keeps the rest."""

    def __init__(self) -> None:
        self.refuse = "ingen@exempel.se"
        self.received: list[bytes] = []

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          options: list[str]) -> str:
        if address == self.refuse:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received.append(envelope.original_content)
        return "250 OK"


def _password(server: Any, session: Any, envelope: Any, mechanism: str,
              auth_data: Any) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        b"kassa", "hemligt lösen".encode())
    return AuthResult(success=ok)


def test_login_and_an_address_the_server_refuses(tmp_path: Path) -> None:
    mailbox = _Mailbox()
    port = free_port()
    server = Controller(mailbox, hostname="127.0.0.1", port=port, authenticator=_password,
                        auth_require_tls=False, auth_required=True)
    server.start()
    try:
        url = f"smtp://kassa:hemligt%20l%C3%B6sen@127.0.0.1:{port}"
        with running_hub(_settings(tmp_path, url)) as client:
            till = login(client, "erik")
            sale = cash_sale(till)
            asked = till.post(f"/sales/{sale['id']}/email", {"to": "ingen@exempel.se"},
                              expect=202)
            failed = wait_for("given up", lambda: (d := delivery(till, asked["id"]))
                              ["status"] == "failed" and d)
            assert failed["attempts"] == 1 and "550" in failed["last_error"]

            mailbox.refuse = ""  # the mailbox was made: staff try again
            again = till.post(f"/deliveries/{asked['id']}/retry", expect=202)
            assert again["status"] == "pending"
            wait_for("done", lambda: delivery(till, asked["id"])["status"] == "done")
            assert len(mailbox.received) == 1 and b"ingen@exempel.se" in mailbox.received[0]
            till.post(f"/deliveries/{asked['id']}/retry", expect=409)  # already sent
    finally:
        server.stop()
