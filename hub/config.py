"""Hub settings: one typed object, read from KASSA_* environment variables."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from sync.schemas import MAX_BATCH


class Settings(BaseSettings):
    """Everything a store can configure, with defaults for the demo store."""

    model_config = SettingsConfigDict(env_prefix="KASSA_", env_file=None, extra="ignore",
                                      hide_input_in_errors=True)  # no passwords in errors

    data_dir: Path = Field(Path(".kassa-data"), description="Database, hub key and logs live here")
    demo_data: bool = Field(False, description="Fill an empty hub with the demo store on start")
    store_name: str = "Kassa Demo Livs"
    store_org_number: str = "556000-0000"
    store_address: str = "Storgatan 1, 111 22 Stockholm"
    currency: str = "SEK"
    timezone: str = "Europe/Stockholm"
    # Cash rounding step per currency in minor units (SEK cash rounds to whole kronor).
    cash_rounding: dict[str, int] = {"SEK": 100, "NOK": 100, "DKK": 50, "CHF": 5}
    # Swedish in-store EAN-13 prefixes: which embed a price (öre) and which a weight (grams).
    price_embedded_prefixes: list[str] = ["20", "21", "22"]
    weight_embedded_prefixes: list[str] = ["23", "24", "25", "26", "27", "28", "29"]
    # A discount above this share of the line (or cart) needs a manager (basis points).
    discount_approval_bp: int = Field(2000, ge=0, le=10000)
    # A refund above this amount (minor units) needs a manager.
    refund_approval_minor: int = Field(50000, ge=0)
    # Card reader per lane: "zvt:socket://10.0.0.5:20007", "zvt:/dev/ttyUSB0",
    # "concert:/dev/ttyACM0".
    card_readers: dict[str, str] = {}
    card_reader_baud: int = Field(9600, gt=0, description="Serial speed of the card readers")
    concert_serial_mode: str = "7E1"  # native RS-232; USB CDC ports are usually 8N1
    card_answer_seconds: float = Field(180.0, gt=0, description="ZVT T4 / Concert answer wait")
    reader_poll_seconds: float = Field(15.0, gt=0, description="Health check of idle readers")
    # Store peripherals per lane, by URL (see docs/peripherals.md): receipt printers (the cash
    # drawer hangs off the printer), serial barcode scanners, 2x20 pole displays.
    printers: dict[str, str] = {}  # {"1": "socket://10.0.0.5:9100?paper=80mm"}
    scanners: dict[str, str] = {}  # {"3": "serial:/dev/ttyACM0?suffix=%0D"}
    pole_displays: dict[str, str] = {}  # {"1": "serial:/dev/ttyUSB1?dialect=epson"}
    printer_paper: str = Field("80mm", pattern=r"^(58|80)mm$")
    device_status_seconds: float = Field(10.0, gt=0, description="Printer status poll")
    # Central (head office). Without a URL the hub sells alone and its outbox waits.
    hub_id: str = Field("demo-store", min_length=1, max_length=64)
    central_url: str | None = None
    central_token: str = ""
    sync_interval_seconds: float = Field(2.0, gt=0)
    sync_batch_events: int = Field(MAX_BATCH, ge=1, le=MAX_BATCH,
                                   description="Events per push (fewer when they are large)")
    # QR payments: where phones reach this hub (the pay pages), and the sandbox PSP's secret.
    public_url: str = "http://127.0.0.1:8000"
    qr_expiry_seconds: int = Field(300, ge=30, description="How long a QR at a till is valid")
    qr_sweep_seconds: float = Field(5.0, gt=0)
    sandbox_webhook_secret: str = "sandbox-secret-change-me"
    # The fiscal device that gives every receipt its control code (docs/fiscal.md): "" for
    # none (the reports then say so), "simulator:CU-SIM-0001" for the simulated control unit.
    fiscal_device: str = ""
    # Bookkeeping: BAS account per figure of the SIE 4I day voucher; give only the ones to change
    # (keys in docs/fiscal.md, e.g. {"card": "1581", "sales_2500": "3001"}).
    sie_accounts: dict[str, str] = {}
    pin_max_failures: int = Field(5, ge=1)
    pin_lockout_seconds: int = Field(300, ge=1)
    pairing_code_ttl_seconds: int = Field(600, ge=30)
    session_ttl_seconds: int = Field(12 * 3600, ge=60)

    @property
    def database_path(self) -> Path:
        """The hub's SQLite database file."""
        return self.data_dir / "hub.sqlite3"

    @property
    def database_url(self) -> str:
        """SQLAlchemy URL of the hub database."""
        return f"sqlite:///{self.database_path}"

    def cash_step(self, currency: str) -> int:
        """Cash rounding step for a currency (1 means no rounding)."""
        return self.cash_rounding.get(currency, 1)

    # E-mailed receipts (docs/receipts.md): the mail server as a URL, e.g.
    # "smtp://user:pass@mail.example.com:587?starttls=1" or "smtps://…:465"; empty = no e-mail.
    smtp_url: str = ""
    mail_from: str = ""  # "Butiken <kvitto@butiken.se>"; empty: the store name <kvitto@localhost>
    mail_retry_max_seconds: int = Field(1800, ge=1, description="Longest pause between tries")

    @field_validator("smtp_url")
    @classmethod
    def _check_smtp_url(cls, value: str) -> str:
        """A mail server URL the sender can use, or a message saying how to write one."""
        from hub.services.mail import SmtpServer  # imported late: the services import config

        if value.strip():
            try:
                SmtpServer.from_url(value)
            except ValueError as exc:
                raise ValueError(f"KASSA_SMTP_URL: {exc}") from None
        return value.strip()

    @field_validator("fiscal_device")
    @classmethod
    def _check_fiscal_device(cls, value: str) -> str:
        """A fiscal device the hub can open, or a message saying how to name one."""
        from drivers.fiscal import FiscalDeviceError, open_fiscal_device

        try:
            open_fiscal_device(value)
        except FiscalDeviceError as exc:
            raise ValueError(f"KASSA_FISCAL_DEVICE: {exc}") from None
        return value.strip()

    @field_validator("mail_from")
    @classmethod
    def _check_mail_from(cls, value: str) -> str:
        """The From address of receipt mails, checked."""
        from hub.services.mail import check_sender

        try:
            return check_sender(value)
        except ValueError as exc:
            raise ValueError(f"KASSA_MAIL_FROM: {exc}") from None
