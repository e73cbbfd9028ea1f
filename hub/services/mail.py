"""E-mailed receipts: the outbox rows, the message a customer gets, and sending it over SMTP.

Asking for an e-mail only writes a `ReceiptDelivery` (kind "email"); `send_due` — run by the
mail sender in the background — claims due rows one at a time, sends each over SMTP and marks
it done in its own write transaction after the server accepted it. A server that is down gets
the message later (exponential back-off); a delivery is given up on only after `GIVE_UP_AFTER`.

At-least-once: if the hub dies after the server accepted a message but before "done" is
committed, the delivery is claimed again after `CLAIM_LEASE` and the customer gets the mail a
second time (with the same Message-ID, so many mail clients show it once).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import re
import smtplib
import ssl
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from typing import TYPE_CHECKING, Literal
from urllib.parse import parse_qs, unquote, urlsplit

from pydantic import BaseModel
from sqlmodel import Session, col, select

from hub.models import ReceiptDelivery, Refund, Sale, User
from hub.models.base import utcnow
from hub.services import receipt
from hub.services.errors import Conflict, NotFound
from hub.services.refund import refund_public
from hub.services.sale import sale_public

if TYPE_CHECKING:
    from hub.config import Settings
    from hub.db import Database

GIVE_UP_AFTER = timedelta(days=3)  # a mail still not accepted after this is marked failed
CLAIM_LEASE = timedelta(minutes=10)  # a claimed delivery no one finished is tried again after
SMTP_TIMEOUT = 30.0  # seconds per connect / command
MAIL_OFF = "E-mail is not set up on this hub (KASSA_SMTP_URL)."

_LOCAL = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_ADDRESS = re.compile(rf"^({_LOCAL})@({_LABEL}(?:\.{_LABEL})*)$")


def normalize_address(value: str, *, local_domain: bool = False) -> str:
    """A customer's e-mail address checked and tidied, or ValueError saying what is wrong.

    A domain without a dot (`kvitto@localhost`) is allowed only with local_domain: for a
    customer it is nearly always a typo (`namn@gmailcom`).
    """
    address = value.strip()
    if not address:
        raise ValueError("give the customer's e-mail address, like namn@exempel.se")
    if len(address) > 254:
        raise ValueError("an e-mail address is at most 254 characters")
    local, at, domain = address.rpartition("@")
    if at and domain and not domain.isascii():
        try:  # a Swedish domain (åäö) travels as its IDNA form
            domain = domain.encode("idna").decode("ascii")
        except UnicodeError:
            raise ValueError(f"'{address}' has a domain that cannot be used in e-mail") from None
        address = f"{local}@{domain}"
    match = _ADDRESS.match(address)
    if (match is None or len(match.group(1)) > 64 or len(address) > 254
            or not (local_domain or "." in match.group(2))):
        raise ValueError(f"'{value.strip()[:80]}' is not an e-mail address the hub can send to "
                         "(like namn@exempel.se; letters outside A–Z only after the @)")
    return f"{match.group(1)}@{match.group(2).lower()}"


@dataclass(frozen=True)
class SmtpServer:
    """Where mail goes, parsed from `smtp://user:pass@host:587?starttls=1` (or `smtps://`)."""

    host: str
    port: int
    tls: Literal["none", "starttls", "ssl"] = "none"
    username: str = ""
    password: str = ""
    timeout: float = SMTP_TIMEOUT

    @classmethod
    def from_url(cls, url: str) -> SmtpServer:
        """Parse an SMTP URL; ValueError tells what is wrong with it."""
        example = "like smtp://user:password@mail.example.com:587?starttls=1"
        parts = urlsplit(url.strip())
        if parts.scheme not in ("smtp", "smtps"):
            raise ValueError(f"an SMTP URL starts with smtp:// or smtps:// ({example})")
        try:
            port = parts.port
        except ValueError:
            raise ValueError(f"the port in the SMTP URL is not a number 1-65535 ({example})"
                             ) from None
        if not parts.hostname:
            raise ValueError(f"the SMTP URL names no mail server ({example})")
        if parts.path not in ("", "/"):
            raise ValueError(f"an SMTP URL has no path ({example})")
        query = parse_qs(parts.query, keep_blank_values=True)
        unknown = set(query) - {"starttls", "timeout"}
        if unknown:
            raise ValueError(f"unknown SMTP URL option {sorted(unknown)[0]!r}; "
                             "known are starttls=1 and timeout=SECONDS")
        starttls = query.get("starttls", ["0"])[-1].lower()
        if starttls not in ("0", "1", "true", "false", "yes", "no", ""):
            raise ValueError("starttls in the SMTP URL is 1 or 0")
        try:
            timeout = float(query.get("timeout", [SMTP_TIMEOUT])[-1])
        except ValueError:
            raise ValueError("timeout in the SMTP URL is a number of seconds") from None
        if not 0 < timeout <= 600:
            raise ValueError("timeout in the SMTP URL is between 0 and 600 seconds")
        tls: Literal["none", "starttls", "ssl"] = "none"
        if parts.scheme == "smtps":
            tls = "ssl"
        elif starttls in ("1", "true", "yes"):
            tls = "starttls"
        default_port = {"ssl": 465, "starttls": 587, "none": 25}[tls]
        return cls(host=parts.hostname, port=port or default_port, tls=tls,
                   username=unquote(parts.username or ""), password=unquote(parts.password or ""),
                   timeout=timeout)

    def send(self, message: EmailMessage) -> None:
        """Hand one message to the server; returns once the server has accepted it."""
        context = ssl.create_default_context()
        smtp: smtplib.SMTP
        if self.tls == "ssl":
            smtp = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
        else:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        try:
            smtp.ehlo()
            if self.tls == "starttls":
                smtp.starttls(context=context)
                smtp.ehlo()
            if self.username:
                _log_in(smtp, self.username, self.password)
            smtp.send_message(message)
        finally:
            # The message is accepted once send_message returned: a failing QUIT changes nothing.
            with contextlib.suppress(smtplib.SMTPException, OSError):
                smtp.quit()
            smtp.close()


def _log_in(smtp: smtplib.SMTP, username: str, password: str) -> None:
    """Log in; smtplib only speaks ASCII credentials, so others go as UTF-8 AUTH PLAIN."""
    if username.isascii() and password.isascii():
        smtp.login(username, password)
        return
    secret = base64.b64encode(f"\0{username}\0{password}".encode()).decode("ascii")
    code, reply = smtp.docmd("AUTH", f"PLAIN {secret}")
    if code == 334:  # the server wants the credentials on their own line
        code, reply = smtp.docmd(secret)
    if code != 235:
        raise smtplib.SMTPAuthenticationError(code, reply)


def sender_address(settings: Settings) -> str:
    """The From of receipt mails: the mail_from setting, or the store name at kvitto@localhost."""
    if settings.mail_from:
        return settings.mail_from
    return str(Address(display_name=settings.store_name, addr_spec="kvitto@localhost"))


def check_sender(value: str) -> str:
    """A mail_from setting checked: empty, an address, or `Name <address>`."""
    if not value.strip():
        return ""
    name, address = parseaddr(value)
    if "\n" in value or "\r" in value or not address:
        raise ValueError("mail_from is an address like 'Butiken <kvitto@butiken.se>'")
    address = normalize_address(address, local_domain=True)
    # Not email.utils.formataddr: it breaks a non-ASCII name with a comma in two addresses.
    return str(Address(display_name=name, addr_spec=address)) if name else address


# -- the outbox rows ------------------------------------------------------------------------

class DeliveryPublic(BaseModel):
    """A receipt on its way out, as staff see it."""

    id: int
    kind: str
    target: str
    sale_id: str | None
    refund_id: str | None
    is_copy: bool
    status: str
    attempts: int
    last_error: str
    next_attempt_at: datetime
    request_id: str | None
    created_at: datetime
    done_at: datetime | None


def delivery_public(delivery: ReceiptDelivery) -> DeliveryPublic:
    """The staff view of a delivery."""
    return DeliveryPublic.model_validate(delivery, from_attributes=True)


def request_email(session: Session, settings: Settings, to: str, *, sale_id: str | None = None,
                  refund_id: str | None = None, copy: bool = False,
                  request_id: str | None = None) -> tuple[ReceiptDelivery, bool]:
    """Put the receipt of a completed sale (or of a refund) in the outbox for an address.

    Returns the delivery and whether it is new; a repeated request_id returns the first one.
    """
    if not settings.smtp_url:
        raise Conflict(MAIL_OFF)
    if request_id is not None:
        done = session.exec(
            select(ReceiptDelivery).where(ReceiptDelivery.request_id == request_id)).first()
        if done is not None:
            if (done.kind, done.target, done.sale_id, done.refund_id) != (
                    "email", to, sale_id, refund_id):
                raise Conflict(f"request_id '{request_id}' was used for another receipt "
                               "delivery; use a new request_id for a new e-mail.")
            return done, False
    if sale_id is not None:
        sale = session.get(Sale, sale_id)
        if sale is None:
            raise NotFound(f"There is no sale {sale_id}.")
        if sale.status != "completed":
            raise Conflict("This sale is not completed, so it has no receipt to e-mail yet.")
    elif refund_id is not None and session.get(Refund, refund_id) is None:
        raise NotFound(f"There is no refund {refund_id}.")
    delivery = ReceiptDelivery(kind="email", target=to, sale_id=sale_id, refund_id=refund_id,
                               is_copy=copy, request_id=request_id)
    session.add(delivery)
    session.flush()
    return delivery, True


def list_deliveries(session: Session, kind: str | None, status: str | None,
                    limit: int) -> list[ReceiptDelivery]:
    """Deliveries, newest first, optionally of one kind and status."""
    stmt = select(ReceiptDelivery)
    if kind:
        stmt = stmt.where(ReceiptDelivery.kind == kind)
    if status:
        stmt = stmt.where(ReceiptDelivery.status == status)
    return list(session.exec(stmt.order_by(col(ReceiptDelivery.id).desc()).limit(limit)).all())


def retry_email(session: Session, delivery_id: int) -> ReceiptDelivery:
    """Send a pending or given-up e-mail again at once (staff fixed the address or the server)."""
    delivery = session.get(ReceiptDelivery, delivery_id)
    if delivery is None or delivery.kind != "email":
        raise NotFound(f"There is no e-mail delivery {delivery_id}.")
    if delivery.status == "done":
        raise Conflict("This receipt was already e-mailed; ask for a new e-mail to send it again.")
    # One more try now; a delivery older than GIVE_UP_AFTER that fails again is failed again.
    delivery.status = "pending"
    delivery.next_attempt_at = utcnow()
    session.add(delivery)
    return delivery


# -- the message ---------------------------------------------------------------------------

def _cashier(session: Session, user_id: int | None) -> str:
    user = session.get(User, user_id) if user_id else None
    return user.display_name if user else "självbetjäning"


def build_message(session: Session, settings: Settings, delivery: ReceiptDelivery) -> EmailMessage:
    """The e-mail for a delivery: the text receipt and the link to the digital receipt."""
    store = settings.store_name
    if delivery.refund_id is not None:
        refund = session.get(Refund, delivery.refund_id)
        if refund is None:
            raise LookupError(f"refund {delivery.refund_id} is gone")
        text = receipt.render_refund(refund_public(session, refund), settings,
                                     _cashier(session, refund.cashier_id),
                                     copy=delivery.is_copy, electronic=True)
        number = f"{refund.lane_id}-{refund.receipt_no:06d}"
        subject = f"Returkvitto {number} från {store}"
        intro = f"Här är ditt returkvitto från {store} som elektroniskt kassakvitto."
        link_text, sale_id = "Kvittot för det ursprungliga köpet:", refund.sale_id
    else:
        sale = session.get(Sale, delivery.sale_id) if delivery.sale_id else None
        if sale is None:
            raise LookupError(f"sale {delivery.sale_id} is gone")
        text = receipt.render_sale(sale_public(session, sale), settings,
                                   _cashier(session, sale.cashier_id), copy=delivery.is_copy,
                                   electronic=True)
        number = f"{sale.lane_id}-{sale.receipt_no or 0:06d}"
        subject = f"Kvitto {number} från {store}" + (" (kopia)" if delivery.is_copy else "")
        intro = f"Här är ditt elektroniska kassakvitto från {store}."
        link_text, sale_id = "Kvittot finns också på webben:", sale.id
    link = f"{settings.public_url.rstrip('/')}/receipt/{sale_id}"
    body = (f"Hej!\n\n{intro}\n\n{text}\n{link_text}\n{link}\n\n"
            "Detta är ett elektroniskt kassakvitto. Spara det om du vill kunna byta eller "
            f"lämna tillbaka varor.\n\n{store}\n{settings.store_address}\n")
    message = EmailMessage()
    sender = sender_address(settings)
    message["From"] = sender
    message["To"] = delivery.target
    message["Subject"] = subject
    message["Date"] = formatdate(usegmt=True)
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    # The same Message-ID on every attempt, so a rare second copy looks like the first one;
    # hashed, because the sale id is the key to the receipt page and mail logs keep headers.
    tag = hashlib.sha256(f"{delivery.refund_id or sale_id}".encode()).hexdigest()[:20]
    message["Message-ID"] = f"<kvitto.{delivery.id}.{tag}@{domain}>"
    message.set_content(body)
    return message


# -- sending ---------------------------------------------------------------------------------

@dataclass
class MailRound:
    """What one pass over the due e-mails did."""

    sent: int = 0
    failed: int = 0  # attempts that failed (to be tried again, or given up)
    last_error: str = ""
    next_due: datetime | None = None  # when the next pending e-mail is due


def claim_next(session: Session, now: datetime) -> ReceiptDelivery | None:
    """Take the oldest due e-mail: count the attempt and hold it for CLAIM_LEASE."""
    delivery = session.exec(
        select(ReceiptDelivery)
        .where(ReceiptDelivery.kind == "email", ReceiptDelivery.status == "pending",
               col(ReceiptDelivery.next_attempt_at) <= now)
        .order_by(col(ReceiptDelivery.next_attempt_at), col(ReceiptDelivery.id))
        .limit(1)
    ).first()
    if delivery is None:
        return None
    delivery.attempts += 1
    delivery.next_attempt_at = now + CLAIM_LEASE
    session.add(delivery)
    return delivery


def record_sent(session: Session, delivery_id: int, now: datetime) -> None:
    """The server accepted the mail."""
    delivery = session.get(ReceiptDelivery, delivery_id)
    if delivery is not None:
        delivery.status, delivery.done_at, delivery.last_error = "done", now, ""
        session.add(delivery)


def record_failure(session: Session, delivery_id: int, error: str, now: datetime, *,
                   first_retry: float, max_retry: float, permanent: bool = False) -> None:
    """An attempt failed: try again after a doubling pause, or give up when it is hopeless."""
    delivery = session.get(ReceiptDelivery, delivery_id)
    if delivery is None:
        return
    delivery.last_error = error[:300]
    if permanent or now - delivery.created_at >= GIVE_UP_AFTER:
        delivery.status = "failed"
    else:
        pause = min(first_retry * 2 ** max(delivery.attempts - 1, 0), max_retry)
        delivery.next_attempt_at = now + timedelta(seconds=pause)
    session.add(delivery)


def next_due(session: Session) -> datetime | None:
    """When the next pending e-mail is due."""
    return session.exec(
        select(ReceiptDelivery.next_attempt_at)
        .where(ReceiptDelivery.kind == "email", ReceiptDelivery.status == "pending")
        .order_by(col(ReceiptDelivery.next_attempt_at)).limit(1)
    ).first()


def _describe(exc: BaseException) -> tuple[str, bool]:
    """A failure in words, and whether trying again cannot help (the address is refused)."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        replies = "; ".join(f"{code} {msg.decode(errors='replace')}"
                            for code, msg in exc.recipients.values())
        return f"the mail server refused the address: {replies}", all(c >= 500 for c in codes)
    if isinstance(exc, smtplib.SMTPResponseException):
        text = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) \
            else str(exc.smtp_error)
        return f"the mail server answered {exc.smtp_code} {text}", False
    if isinstance(exc, OSError | smtplib.SMTPException):
        return f"the mail server could not be reached: {exc or type(exc).__name__}", False
    return f"{type(exc).__name__}: {exc}", False


def send_due(db: Database, settings: Settings, *, first_retry: float = 10.0, limit: int = 100,
             stop: threading.Event | None = None) -> MailRound:
    """Send the e-mails that are due, each marked done in its own transaction once accepted.

    Setting `stop` ends the round after the e-mail being sent (the hub is shutting down).
    """
    result = MailRound()
    server = SmtpServer.from_url(settings.smtp_url)
    max_retry = float(settings.mail_retry_max_seconds)
    for _ in range(limit):
        if stop is not None and stop.is_set():
            break
        with db.write() as s:
            delivery = claim_next(s, utcnow())
            if delivery is None:
                break
        assert delivery.id is not None
        try:
            with db.read() as s:
                message = build_message(s, settings, delivery)
        except Exception as exc:  # a receipt that cannot be rendered will not get better
            with db.write() as s:
                record_failure(s, delivery.id, f"the receipt could not be made: {exc}",
                               utcnow(), first_retry=first_retry, max_retry=max_retry,
                               permanent=True)
            result.failed += 1
            result.last_error = str(exc)
            continue
        try:
            server.send(message)
        except Exception as exc:  # recorded on the delivery, where staff see it
            error, permanent = _describe(exc)
            with db.write() as s:
                record_failure(s, delivery.id, error, utcnow(), first_retry=first_retry,
                               max_retry=max_retry, permanent=permanent)
            result.failed += 1
            result.last_error = error
            continue
        with db.write() as s:
            record_sent(s, delivery.id, utcnow())
        result.sent += 1
    with db.read() as s:
        result.next_due = next_due(s)
    return result
