"""A printer-neutral receipt: preformatted texts the hub fills in; no arithmetic on money here."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Row:
    """A label on the left and an amount text on the right ("ATT BETALA", "249,00 SEK")."""

    label: str
    amount: str
    bold: bool = False


@dataclass(frozen=True)
class ItemLine:
    """One sold or returned article, with its quantity or weight text and optional discount."""

    name: str
    amount: str  # "25,90"
    detail: str = ""  # "2 x 12,95" or "0,532 kg x 39,90/kg", printed indented below the name
    discount: str = ""  # "-5,00"; printed as its own row when set
    discount_label: str = "Rabatt"


@dataclass(frozen=True)
class VatRow:
    """One VAT rate: the rate text and its VAT, net and gross amount texts."""

    rate: str  # "25,00 %"
    vat: str
    net: str
    gross: str


@dataclass(frozen=True)
class Tender:
    """How (part of) the sale was paid: "Kontant" 300,00, "Kort" 49,00 with a reference."""

    name: str
    amount: str
    reference: str = ""


@dataclass(frozen=True)
class ReceiptLabels:
    """The fixed words the layout prints; Swedish by default."""

    register: str = "Kassa"
    receipt_no: str = "Kvitto nr"
    cashier: str = "Kassör"
    rounding: str = "Öresavrundning"
    change: str = "Växel"
    vat_rate: str = "Moms %"
    vat: str = "Moms"
    net: str = "Netto"
    gross: str = "Brutto"


@dataclass(frozen=True)
class Receipt:
    """Everything on one printed receipt, top to bottom; all amounts are preformatted text."""

    store_lines: tuple[str, ...] = ()  # name, address, "Org.nr 556677-8899"
    title: str = "KVITTO"  # "KVITTO", "RETUR"
    markings: tuple[str, ...] = ()  # printed large and centred: "KOPIA", "ÖVNING", "EJ KVITTO"
    register: str = ""
    receipt_no: str = ""
    cashier: str = ""
    time: str = ""  # "2024-05-02 14:03"
    info_lines: tuple[str, ...] = ()  # e.g. "Retur av kvitto nr 1-000041"
    body_lines: tuple[str, ...] = ()  # preformatted lines printed as they are (a day report)
    items: tuple[ItemLine, ...] = ()
    totals: tuple[Row, ...] = ()  # discount summary rows and the bold total
    rounding: str = ""
    tenders: tuple[Tender, ...] = ()
    change: str = ""
    vat: tuple[VatRow, ...] = ()
    terminal_lines: tuple[str, ...] = ()  # the card terminal's own receipt, printed as-is
    footer_lines: tuple[str, ...] = ()
    qr_url: str = ""  # the digital receipt; printed as a native QR code when set
    labels: ReceiptLabels = field(default_factory=ReceiptLabels)
