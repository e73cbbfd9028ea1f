"""SIE 4I export of Z reports: one balanced voucher per closed register day, for bookkeeping.

A SIE typ 4I file carries vouchers (verifikationer) only; the bookkeeping program reads them
in. The file is IBM PC 8-bit (codepage 437, `#FORMAT PC8`), amounts are kronor with a decimal
point, debit positive and credit negative, and every voucher sums to exactly zero.

The day voucher, in minor units (debit +, credit −), with R the sales' cash rounding and RR
the returns' cash rounding (what was paid out above the amount owed):

    + payments per means of payment          (cash also + R, see below)
    − net sales per VAT rate                  (3001–3004)
    − output VAT per VAT rate                 (2611, 2621, 2631)
    − R                                        (3740 Öres- och kronutjämning)
    + net returns per VAT rate, + their VAT  (the same accounts, the other way)
    + RR                                       (3740)
    − return payments per means of payment   (cash also + RR, see below)

It balances because of the identity the day report's figures keep:

    Σ VAT rows' gross        = sales_total       Σ payments        = sales_total (+ R)
    Σ return VAT rows' gross = returns.amount    Σ return payments = returns.amount (+ RR)

The payments may be given as applied to the sales (Σ = sales_total, the rounding kept apart
in `rounding`; this is how the hub counts them) or as taken in (Σ = sales_total + R). In the
first case the rounding is added to the cash row, so the cash account always gets the cash
that really came in; likewise for the returns and `return_rounding`. Figures that keep
neither form, or have a rounding without any cash, raise ValueError: a voucher that does not
balance is never written. Training sales, pro-forma slips, copies and the drawer's float,
pay-ins and pay-outs are not sales and are not on the voucher.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from importlib.metadata import PackageNotFoundError, version
from zoneinfo import ZoneInfo

from hub.models.fiscal import DayReportFigures, GroupTotal
from hub.money import exponent

ENCODING = "cp437"  # what "#FORMAT PC8" means


@dataclass(frozen=True)
class Account:
    """A bookkeeping account: its number and its name."""

    number: str
    name: str


# The BAS chart of accounts (BAS 2024) for every figure of the day voucher, by key.
BAS_DEFAULTS: dict[str, Account] = {
    "cash": Account("1910", "Kassa"),
    "card": Account("1580", "Fordringar för kontokort och kuponger"),
    "card_external": Account("1580", "Fordringar för kontokort och kuponger"),
    "qr": Account("1930", "Företagskonto/checkkonto/affärskonto"),
    "prepaid": Account("2420", "Förskott från kunder"),
    "rounding": Account("3740", "Öres- och kronutjämning"),
    "sales_2500": Account("3001", "Försäljning inom Sverige, 25 % moms"),
    "sales_1200": Account("3002", "Försäljning inom Sverige, 12 % moms"),
    "sales_600": Account("3003", "Försäljning inom Sverige, 6 % moms"),
    "sales_0": Account("3004", "Försäljning inom Sverige, momsfri"),
    "vat_2500": Account("2611", "Utgående moms på försäljning inom Sverige, 25 %"),
    "vat_1200": Account("2621", "Utgående moms på försäljning inom Sverige, 12 %"),
    "vat_600": Account("2631", "Utgående moms på försäljning inom Sverige, 6 %"),
}
PAYMENT_METHODS = ("cash", "card", "card_external", "qr", "prepaid")
METHOD_TEXT = {"cash": "Kontant", "card": "Kort", "card_external": "Kort (extern terminal)",
               "qr": "Swish/QR", "prepaid": "Förskottsbetalt"}
_OVERRIDE = re.compile(r"(\d{4,6})(?:\s+(\S.*))?")


class SieAccounts(Mapping[str, Account]):
    """Which account each figure is booked on: the BAS defaults with the store's changes."""

    def __init__(self, overrides: Mapping[str, str] | None = None) -> None:
        overrides = dict(overrides or {})
        unknown = sorted(set(overrides) - set(BAS_DEFAULTS))
        if unknown:
            raise ValueError(f"Unknown SIE account key(s) {', '.join(map(repr, unknown))}; "
                             f"the keys are: {', '.join(BAS_DEFAULTS)}.")
        known_names = {a.number: a.name for a in BAS_DEFAULTS.values()}
        self._accounts = dict(BAS_DEFAULTS)
        for key, value in overrides.items():
            match = _OVERRIDE.fullmatch(str(value).strip())
            if match is None:
                raise ValueError(f"The SIE account for {key!r} must be an account number of 4 "
                                 f"to 6 digits, optionally followed by its name (e.g. \"1581\" "
                                 f"or \"1581 Fordran kortinlösen\"), not {value!r}.")
            number, name = match.group(1), match.group(2)
            self._accounts[key] = Account(
                number, name or known_names.get(number, BAS_DEFAULTS[key].name))

    def __getitem__(self, key: str) -> Account:
        return self._accounts[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._accounts)

    def __len__(self) -> int:
        return len(self._accounts)

    def payment(self, method: str) -> Account:
        """The account a means of payment is booked on (a clear error for an unknown one)."""
        if method not in PAYMENT_METHODS:
            raise ValueError(f"The day report has a payment method {method!r} that has no SIE "
                             f"account; the known methods are: {', '.join(PAYMENT_METHODS)}.")
        return self._accounts[method]

    def sales(self, rate_bp: int) -> Account:
        """The sales account of a VAT rate."""
        return self._by_rate("sales", rate_bp)

    def vat(self, rate_bp: int) -> Account:
        """The output VAT account of a VAT rate."""
        if rate_bp == 0:
            raise ValueError("A VAT rate of 0 % cannot carry VAT; the figures are wrong.")
        return self._by_rate("vat", rate_bp)

    def _by_rate(self, prefix: str, rate_bp: int) -> Account:
        key = f"{prefix}_{rate_bp}"
        if key not in self._accounts:
            rates = sorted({int(k.split("_")[1]) for k in self._accounts if k.startswith(prefix)},
                           reverse=True)
            raise ValueError(f"There is no SIE account for VAT rate {rate_text(rate_bp)}; the "
                             f"rates with accounts are {', '.join(map(rate_text, rates))}.")
        return self._accounts[key]


def rate_text(rate_bp: int) -> str:
    """A VAT rate in basis points as Swedish text: 2500 → '25 %', 1250 → '12,5 %'."""
    whole, frac = divmod(rate_bp, 100)
    return f"{whole} %" if not frac else f"{whole},{frac:02d}".rstrip("0") + " %"


@dataclass(frozen=True)
class Transaction:
    """One row of a voucher: an account and an amount (minor units, debit positive)."""

    account: Account
    amount: int
    text: str


@dataclass(frozen=True)
class Voucher:
    """One verifikation: a series, a number, a date, a text and rows summing to zero."""

    series: str
    number: int
    day: date
    text: str
    transactions: tuple[Transaction, ...]


def _kr(minor: int) -> str:
    """Minor units as Swedish text for an error message."""
    sign = "-" if minor < 0 else ""
    whole, frac = divmod(abs(minor), 100)
    return f"{sign}{whole},{frac:02d} kr"


def _cash_extra(what: str, paid: int, owed: int, rounding: int, groups: list[GroupTotal]) -> int:
    """How much of the cash rounding the cash row still lacks: all of it, or none."""
    cash_payments = sum(g.count for g in groups if g.name == "cash")
    if rounding and not cash_payments:
        raise ValueError(f"The {what} have a cash rounding of {_kr(rounding)} but no cash "
                         "payment; the day report does not balance.")
    if abs(rounding) >= 100 * max(cash_payments, 1):  # no cash step is above one krona
        raise ValueError(f"The {what} have a cash rounding of {_kr(rounding)}, more than a cash "
                         f"rounding can be over {cash_payments} cash payment(s).")
    if paid == owed:
        return rounding
    if paid == owed + rounding:
        return 0
    raise ValueError(f"The payments of the {what} ({_kr(paid)}) are neither the {what} "
                     f"({_kr(owed)}) nor the {what} with their cash rounding "
                     f"({_kr(owed + rounding)}); the day report does not balance.")


def day_voucher(report: DayReportFigures, accounts: SieAccounts, *, series: str = "K",
                timezone: str = "Europe/Stockholm") -> Voucher:
    """The Z report as one balanced voucher (see the module docstring for the identity)."""
    if report.kind != "Z" or report.z_no is None:
        raise ValueError("Only a Z report (a closed day) can be booked; this is an "
                         f"{report.kind} report.")
    where = f"Z report {report.z_no} of register {report.register_id}"
    if sum(v.gross for v in report.vat) != report.sales_total:
        raise ValueError(f"{where}: the VAT rows do not add up to the sales.")
    if sum(v.gross for v in report.return_vat) != report.returns.amount:
        raise ValueError(f"{where}: the return VAT rows do not add up to the returns.")
    for row in (*report.vat, *report.return_vat):
        if row.gross != row.net + row.vat:
            raise ValueError(f"{where}: VAT {rate_text(row.rate_bp)} has gross {_kr(row.gross)}"
                             f" ≠ net {_kr(row.net)} + VAT {_kr(row.vat)}.")
    rounding, return_rounding = report.rounding, report.return_rounding
    try:
        cash_extra = _cash_extra("sales", sum(p.amount for p in report.payments),
                                 report.sales_total, rounding, report.payments)
        return_cash_extra = _cash_extra("returns", sum(p.amount for p in report.return_payments),
                                        report.returns.amount, return_rounding,
                                        report.return_payments)
    except ValueError as error:
        raise ValueError(f"{where}: {error}") from None

    rows: dict[tuple[str, str], list[Transaction]] = {}

    def book(side: str, account: Account, amount: int, text: str) -> None:
        if amount:
            rows.setdefault((side, account.number), []).append(Transaction(account, amount, text))

    for p in report.payments:
        book("sale", accounts.payment(p.name),
             p.amount + (cash_extra if p.name == "cash" else 0), METHOD_TEXT[p.name])
    book("sale", accounts["rounding"], -rounding, "Öresavrundning")
    for v in report.vat:
        book("sale", accounts.sales(v.rate_bp), -v.net, f"Försäljning {rate_text(v.rate_bp)}")
    for v in report.vat:
        if v.vat:
            book("sale", accounts.vat(v.rate_bp), -v.vat, f"Moms {rate_text(v.rate_bp)}")
    for v in report.return_vat:
        book("return", accounts.sales(v.rate_bp), v.net, f"Returer {rate_text(v.rate_bp)}")
    for v in report.return_vat:
        if v.vat:
            book("return", accounts.vat(v.rate_bp), v.vat, f"Moms returer {rate_text(v.rate_bp)}")
    book("return", accounts["rounding"], return_rounding, "Öresavrundning returer")
    for p in report.return_payments:
        book("return", accounts.payment(p.name),
             -(p.amount + (return_cash_extra if p.name == "cash" else 0)),
             f"Returer {METHOD_TEXT[p.name].lower()}")

    merged = tuple(
        Transaction(same[0].account, sum(t.amount for t in same),
                    ", ".join(dict.fromkeys(t.text for t in same)))
        for same in rows.values())
    merged = tuple(t for t in merged if t.amount)
    if sum(t.amount for t in merged):  # the checks above make this impossible; never write it
        raise ValueError(f"{where}: the voucher does not balance.")
    day = report.period_end.astimezone(ZoneInfo(timezone)).date()
    return Voucher(series, report.z_no, day,
                   f"Z-dagrapport kassa {report.register_id} nr {report.z_no}", merged)


def _text(value: str) -> str:
    """A quoted SIE field: one line, quotes and backslashes escaped."""
    value = re.sub(r"[\x00-\x1f\x7f]+", " ", value)
    for wide, narrow in (("–", "-"), ("—", "-"), ("’", "'"), ("‘", "'"), ("“", '"'),
                         ("”", '"'), ("\u00a0", " ")):
        value = value.replace(wide, narrow)
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _amount(minor: int) -> str:
    """Minor units as SIE kronor: 12345 → '123.45', -5 → '-0.05'."""
    sign = "-" if minor < 0 else ""
    whole, frac = divmod(abs(minor), 100)
    return f"{sign}{whole}.{frac:02d}"


def _org_number(org: str) -> str | None:
    digits = re.sub(r"[\s-]", "", org)
    if not digits:
        return None
    if not digits.isdigit() or len(digits) not in (10, 12):
        raise ValueError(f"The organisation number {org!r} is not 10 digits (NNNNNN-NNNN).")
    digits = digits[-10:]
    return f"{digits[:6]}-{digits[6:]}"


def _program_version() -> str:
    try:
        return version("kassa")
    except PackageNotFoundError:
        return "0"


def to_sie(
    reports: Sequence[DayReportFigures],
    accounts: SieAccounts | Mapping[str, str] | None = None,
    *,
    series: str | Mapping[str, str] = "K",
    generated: date | None = None,
    timezone: str = "Europe/Stockholm",
) -> bytes:
    """Z reports as one SIE 4I file (CP437 bytes): one voucher per report with anything to book.

    `series` is one voucher series for all, or one per register id (the voucher number is the
    Z number, so two registers in one file need two series)."""
    if not reports:
        raise ValueError("There are no Z reports to export.")
    if not isinstance(accounts, SieAccounts):
        accounts = SieAccounts(accounts)
    first = reports[0]
    for report in reports:
        if (report.company_name, report.org_number) != (first.company_name, first.org_number):
            raise ValueError("A SIE file is one company's: the reports name different companies.")
        if report.currency != first.currency:
            raise ValueError("A SIE file has one currency: the reports have "
                             f"{first.currency} and {report.currency}.")
    if exponent(first.currency) != 2:
        raise ValueError(f"SIE amounts have two decimals; {first.currency} has not.")
    vouchers: list[Voucher] = []
    seen: set[tuple[str, int]] = set()
    for report in reports:
        if isinstance(series, str):
            chosen = series
        elif report.register_id in series:
            chosen = series[report.register_id]
        else:
            raise ValueError(f"No voucher series for register {report.register_id!r}.")
        voucher = day_voucher(report, accounts, series=chosen, timezone=timezone)
        if (chosen, voucher.number) in seen:
            raise ValueError(f"Two vouchers would be {chosen} {voucher.number}: give each "
                             "register its own series.")
        seen.add((chosen, voucher.number))
        if voucher.transactions:  # a day without sales or returns books nothing
            vouchers.append(voucher)

    made = generated or datetime.now(ZoneInfo(timezone)).date()
    lines = [
        "#FLAGGA 0",
        f"#PROGRAM {_text('Kassa')} {_text(_program_version())}",
        "#FORMAT PC8",
        f"#GEN {made:%Y%m%d}",
        "#SIETYP 4",
    ]
    if (org := _org_number(first.org_number)) is not None:
        lines.append(f"#ORGNR {org}")
    lines.append(f"#FNAMN {_text(first.company_name)}")
    if first.currency != "SEK":
        lines.append(f"#VALUTA {first.currency}")
    used = {t.account.number: t.account for v in vouchers for t in v.transactions}
    for number in sorted(used):
        lines.append(f"#KONTO {number} {_text(used[number].name)}")
    for v in vouchers:
        lines += ["", f"#VER {_text(v.series)} {v.number} {v.day:%Y%m%d} {_text(v.text)}", "{"]
        lines += [f"   #TRANS {t.account.number} {{}} {_amount(t.amount)} {v.day:%Y%m%d} "
                  f"{_text(t.text)}" for t in v.transactions]
        lines.append("}")
    return ("\r\n".join(lines) + "\r\n").encode(ENCODING, errors="replace")


# Reading SIE back: a small parser of the parts this export writes (and most others do).


@dataclass
class ParsedTransaction:
    """A #TRANS row as read: amount in hundredths (öre), debit positive."""

    account: str
    objects: list[str]
    amount: int
    day: date | None
    text: str


@dataclass
class ParsedVoucher:
    """A #VER and its #TRANS rows as read."""

    series: str
    number: str
    day: date
    text: str
    transactions: list[ParsedTransaction] = field(default_factory=list)

    @property
    def balance(self) -> int:
        """The sum of its rows: zero for a balanced voucher."""
        return sum(t.amount for t in self.transactions)


@dataclass
class ParsedSie:
    """What a SIE file says: its identification, accounts and vouchers."""

    flag: str = ""
    format: str = ""
    sie_type: str = ""
    program: list[str] = field(default_factory=list)
    generated: date | None = None
    company: str = ""
    org_number: str = ""
    currency: str = "SEK"
    accounts: dict[str, str] = field(default_factory=dict)
    vouchers: list[ParsedVoucher] = field(default_factory=list)


Token = str | list[str]
_AMOUNT = re.compile(r"(-?)(\d+)(?:\.(\d{1,2}))?")


def _tokens(line: str, line_no: int) -> list[Token]:
    """Split a line into fields: bare words, quoted texts and {object lists}."""
    out: list[Token] = []
    stack: list[list[str]] = []
    i, n = 0, len(line)
    while i < n:
        c = line[i]
        if c in " \t":
            i += 1
            continue
        if c == "{":
            if stack:
                raise ValueError(f"line {line_no}: an object list inside an object list")
            stack.append([])
            i += 1
            continue
        if c == "}":
            if not stack:
                raise ValueError(f"line {line_no}: '}}' without '{{'")
            out.append(stack.pop())
            i += 1
            continue
        if c == '"':
            chars: list[str] = []
            i += 1
            while i < n and line[i] != '"':
                if line[i] == "\\" and i + 1 < n:
                    i += 1
                chars.append(line[i])
                i += 1
            if i >= n:
                raise ValueError(f"line {line_no}: a quoted text is not closed")
            i += 1
            word = "".join(chars)
        else:
            start = i
            while i < n and line[i] not in ' \t{}"':
                i += 1
            word = line[start:i]
        if stack:
            stack[-1].append(word)
        else:
            out.append(word)
    if stack:
        raise ValueError(f"line {line_no}: an object list is not closed")
    return out


def _word(fields: list[Token], index: int, line_no: int, what: str) -> str:
    if index >= len(fields):
        return ""
    value = fields[index]
    if isinstance(value, list):
        raise ValueError(f"line {line_no}: {what} cannot be an object list")
    return value


def _date(text: str, line_no: int) -> date | None:
    if not text:
        return None
    try:
        return datetime.strptime(text, "%Y%m%d").date()
    except ValueError:
        raise ValueError(f"line {line_no}: {text!r} is not a date YYYYMMDD") from None


def _hundredths(text: str, line_no: int) -> int:
    match = _AMOUNT.fullmatch(text)
    if match is None:
        raise ValueError(f"line {line_no}: {text!r} is not an amount like 123.45")
    sign, whole, frac = match.groups()
    value = int(whole) * 100 + int((frac or "").ljust(2, "0"))
    return -value if sign else value


def parse_sie(data: bytes) -> ParsedSie:
    """Read a SIE file (CP437): identification, #KONTO and #VER/#TRANS; unknown labels ignored."""
    parsed = ParsedSie()
    voucher: ParsedVoucher | None = None
    in_block = False
    for line_no, raw in enumerate(data.decode(ENCODING).splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if line == "{":
            if voucher is None or in_block:
                raise ValueError(f"line {line_no}: '{{' without a #VER before it")
            in_block = True
            continue
        if line == "}":
            if not in_block or voucher is None:
                raise ValueError(f"line {line_no}: '}}' without an open voucher")
            parsed.vouchers.append(voucher)
            voucher, in_block = None, False
            continue
        if not line.startswith("#"):
            raise ValueError(f"line {line_no}: {line[:40]!r} is not a SIE label line")
        fields = _tokens(line, line_no)
        label = _word(fields, 0, line_no, "a label").upper()
        args = fields[1:]
        if voucher is not None and not in_block:
            raise ValueError(f"line {line_no}: the #VER before it has no '{{' block")
        if in_block and label not in ("#TRANS", "#RTRANS", "#BTRANS"):
            raise ValueError(f"line {line_no}: {label} inside a voucher")
        if label == "#TRANS":
            if voucher is None:
                raise ValueError(f"line {line_no}: #TRANS outside a voucher")
            if len(args) < 3 or not isinstance(args[1], list):
                raise ValueError(f"line {line_no}: #TRANS needs an account, {{}} and an amount")
            voucher.transactions.append(ParsedTransaction(
                account=_word(args, 0, line_no, "the account"), objects=args[1],
                amount=_hundredths(_word(args, 2, line_no, "the amount"), line_no),
                day=_date(_word(args, 3, line_no, "the date"), line_no),
                text=_word(args, 4, line_no, "the text")))
        elif label in ("#RTRANS", "#BTRANS"):
            pass  # added rows repeat as #TRANS; removed rows no longer count
        elif label == "#VER":
            day = _date(_word(args, 2, line_no, "the date"), line_no)
            if day is None:
                raise ValueError(f"line {line_no}: #VER needs a date")
            voucher = ParsedVoucher(_word(args, 0, line_no, "the series"),
                                    _word(args, 1, line_no, "the number"), day,
                                    _word(args, 3, line_no, "the text"))
        elif label == "#KONTO":
            parsed.accounts[_word(args, 0, line_no, "the account")] = _word(
                args, 1, line_no, "the name")
        elif label == "#PROGRAM":
            parsed.program = [_word(args, i, line_no, "the program") for i in range(len(args))]
        elif label == "#GEN":
            parsed.generated = _date(_word(args, 0, line_no, "the date"), line_no)
        else:
            simple = {"#FLAGGA": "flag", "#FORMAT": "format", "#SIETYP": "sie_type",
                      "#FNAMN": "company", "#ORGNR": "org_number", "#VALUTA": "currency"}
            if label in simple:
                setattr(parsed, simple[label], _word(args, 0, line_no, label))
    if voucher is not None:
        raise ValueError("The file ends inside a voucher (a '}' is missing).")
    return parsed
