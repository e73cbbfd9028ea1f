"""Data sets for the benchmarks, written straight into a migrated hub database.

`trading_day` fills a hub with one busy day: N completed sales of ~10 lines each spread over the
registers and the opening hours, paid in cash (rounded) and by card, with a few refunds, voided
lines, discounts and no-sales. The rows are what the sale path writes (same columns, same sums),
inserted in bulk so a 50,000-line day takes seconds to make.

`catalog` and `customers` add a large catalog (unique EAN-13s, Swedish names from word lists) and
a store's members in bulk; `store_at_scale` makes such a hub once per size in a run.
"""

from __future__ import annotations

import functools
import random
import sqlite3
import tempfile
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert
from sqlmodel import col, select

from hub.config import Settings
from hub.db import Database, upgrade
from hub.demo import load_demo_data
from hub.models import (
    CashMovement,
    Lane,
    Product,
    Refund,
    RefundLine,
    RefundTender,
    RegisterEvent,
    Sale,
    SaleLine,
    Shift,
    Tender,
    User,
)
from hub.money import div_half_up, round_cash


@dataclass(frozen=True)
class DayFacts:
    """What was generated, for the benchmark's report and its checks."""

    sales: int
    lines: int
    refunds: int
    sales_total: int
    lanes: tuple[str, ...]


def _vat(gross: int, rate_bp: int) -> int:
    return div_half_up(gross * rate_bp, 10000 + rate_bp)


def new_hub(data_dir: Path) -> tuple[Settings, Database]:
    """A migrated hub with the demo store (catalog, users, lanes) in `data_dir`."""
    settings = Settings(data_dir=data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    upgrade(settings.database_url)
    db = Database(settings.database_url)
    with db.write() as s:
        load_demo_data(s)
    return settings, db


def trading_day(db: Database, *, sales: int = 5000, lines_per_sale: int = 10,
                lanes: tuple[str, ...] = ("1", "2", "3"), seed: int = 1,
                day: datetime | None = None) -> DayFacts:
    """Write one trading day of completed sales into the hub database."""
    rng = random.Random(seed)
    # The day ran 13 hours and ended an hour ago (so every report taken now covers all of it).
    opening = (day or datetime.now(UTC) - timedelta(hours=14)).replace(second=0, microsecond=0)
    with db.write() as s:
        products = [p for p in s.exec(select(Product).where(Product.unit == "each"))]
        cashiers = [u.id for u in s.exec(select(User)) if u.role == "cashier" and u.id]
        shifts = {}
        for lane_id in lanes:
            shift = Shift(lane_id=lane_id, opened_by=cashiers[0], opened_at=opening,
                          float_amount=100000)
            s.add(shift)
            s.flush()
            shifts[lane_id] = shift.id
            s.add(CashMovement(shift_id=shift.id or 0, lane_id=lane_id, kind="float",
                               amount=100000, user_id=cashiers[0], created_at=opening))
        sale_rows: list[dict[str, Any]] = []
        line_rows: list[dict[str, Any]] = []
        tender_rows: list[dict[str, Any]] = []
        event_rows: list[dict[str, Any]] = []
        receipt_no = dict.fromkeys(lanes, 0)
        step = timedelta(seconds=13 * 3600 / max(sales, 1))
        total_sum = line_count = 0
        sold: list[tuple[str, str, list[dict[str, Any]], str]] = []
        for n in range(sales):
            lane_id = lanes[n % len(lanes)]
            receipt_no[lane_id] += 1
            at = opening + step * n
            sale_id = uuid.uuid4().hex
            lines: list[dict[str, Any]] = []
            for _ in range(max(1, lines_per_sale + rng.randint(-3, 3))):
                product = rng.choice(products)
                quantity = 1 if rng.random() < 0.8 else rng.randint(2, 4)
                gross = product.price * quantity
                discount = div_half_up(gross, 10) if rng.random() < 0.03 else 0
                net = gross - discount
                voided = rng.random() < 0.01
                lines.append({
                    "sale_id": sale_id, "product_id": product.id, "name": product.name,
                    "sku": product.sku, "gtin": product.gtin, "category": product.category,
                    "service": product.service, "quantity": quantity, "weight_g": None,
                    "unit_price": product.price, "price_overridden": False, "list_price": None,
                    "vat_rate_bp": product.vat_rate_bp, "age_limit": None, "gross": gross,
                    "discount_kind": "percent" if discount else None,
                    "discount_value": 1000 if discount else 0, "discount_approved_by": None,
                    "line_discount": discount, "cart_discount_share": 0, "net": net,
                    "vat": _vat(net, product.vat_rate_bp), "voided": voided})
            total = sum(line["net"] for line in lines if not line["voided"])
            cash = rng.random() < 0.4
            rounding = round_cash(total, 100) - total if cash else 0
            sale_rows.append({
                "id": sale_id, "lane_id": lane_id, "status": "completed", "currency": "SEK",
                "cashier_id": rng.choice(cashiers), "shift_id": shifts[lane_id],
                "receipt_no": receipt_no[lane_id], "cart_discount_kind": None,
                "cart_discount_value": 0, "cart_discount_approved_by": None,
                "age_checked_by": None, "total": total, "rounding": rounding, "change": 0,
                "version": 1, "training": False, "control_code": None, "copies": 0,
                "created_at": at, "completed_at": at})
            tender_rows.append({
                "sale_id": sale_id, "method": "cash" if cash else "card", "payment_id": None,
                "amount": total, "tendered": total + rounding if cash else 0, "change": 0,
                "rounding": rounding, "reference": None, "request_id": None, "created_at": at})
            if cash:
                event_rows.append({"lane_id": lane_id, "kind": "drawer_open", "at": at,
                                   "user_id": None, "ref": sale_id, "amount": 0,
                                   "detail": {"reason": "sale"}})
            line_rows += lines
            total_sum += total
            line_count += len(lines)
            sold.append((sale_id, lane_id, lines, "cash" if cash else "card"))
        s.execute(insert(Sale.__table__), sale_rows)  # type: ignore[attr-defined]
        s.execute(insert(SaleLine.__table__), line_rows)  # type: ignore[attr-defined]
        s.execute(insert(Tender.__table__), tender_rows)  # type: ignore[attr-defined]
        if event_rows:
            s.execute(insert(RegisterEvent.__table__), event_rows)  # type: ignore[attr-defined]
        refunds = _refunds(s, sold[:: max(1, sales // 50)], receipt_no, shifts, opening)
        for lane_id in lanes:
            lane = s.get(Lane, lane_id)
            assert lane is not None
            lane.last_receipt_no = receipt_no[lane_id]
            s.add(lane)
    return DayFacts(sales=sales, lines=line_count, refunds=refunds, sales_total=total_sum,
                    lanes=lanes)


def _refunds(s: Any, picked: list[tuple[str, str, list[dict[str, Any]], str]],
             receipt_no: dict[str, int], shifts: dict[str, int | None],
             opening: datetime) -> int:
    """Some sales get their first line back, on their own tender."""
    for n, (sale_id, lane_id, _, method) in enumerate(picked):
        line = s.exec(select(SaleLine).where(SaleLine.sale_id == sale_id,
                                             col(SaleLine.voided).is_(False))
                      .limit(1)).first()
        tender = s.exec(select(Tender).where(Tender.sale_id == sale_id)).first()
        if line is None or tender is None:
            continue
        receipt_no[lane_id] += 1
        at = opening + timedelta(hours=12, seconds=n)
        refund = Refund(sale_id=sale_id, lane_id=lane_id, receipt_no=receipt_no[lane_id],
                        total=line.net, shift_id=shifts[lane_id], reason="bench",
                        created_at=at)
        s.add(refund)
        s.flush()
        s.add(RefundLine(refund_id=refund.id, sale_line_id=line.id or 0,
                         quantity=line.quantity, amount=line.net, vat=line.vat,
                         vat_rate_bp=line.vat_rate_bp))
        rounding = round_cash(line.net, 100) - line.net if method == "cash" else 0
        s.add(RefundTender(refund_id=refund.id, tender_id=tender.id or 0, method=method,
                           amount=line.net, rounding=rounding))
    return len(picked)


# --- Catalogs and members at scale -------------------------------------------------------------

_FOOD, _BOOKS, _STANDARD = 1200, 600, 2500
# category → VAT, and the kinds of goods in it (the word a shopper searches for).
_CATEGORIES: dict[str, tuple[int, list[str]]] = {
    "Mejeri": (_FOOD, ["Mellanmjölk", "Standardmjölk", "Lättmjölk", "Filmjölk", "Yoghurt",
                       "Kvarg", "Smör", "Grädde", "Crème fraiche", "Gräddfil", "Hushållsost",
                       "Prästost", "Getost", "Fetaost", "Havredryck", "Mjölkdryck"]),
    "Bröd": (_FOOD, ["Rågbröd", "Tunnbröd", "Kanelbulle", "Knäckebröd", "Formfranska",
                     "Limpa", "Baguette", "Surdegsbröd", "Hamburgerbröd", "Kardemummabulle",
                     "Skorpor", "Tortilla"]),
    "Skafferi": (_FOOD, ["Pasta", "Spaghetti", "Ris", "Havregryn", "Müsli", "Sylt", "Kaffe",
                         "Te", "Vetemjöl", "Socker", "Ketchup", "Senap", "Buljong", "Tomatsås",
                         "Linser", "Bönor", "Kikärtor", "Nudlar", "Honung", "Olivolja"]),
    "Kött & fisk": (_FOOD, ["Falukorv", "Köttbullar", "Laxfilé", "Kycklingfilé", "Fiskpinnar",
                            "Bacon", "Fläskfilé", "Nötfärs", "Blandfärs", "Prinskorv",
                            "Skinka", "Torskfilé", "Sill", "Räkor", "Leverpastej"]),
    "Dryck": (_FOOD, ["Apelsinjuice", "Äppeljuice", "Lingondricka", "Mineralvatten", "Julmust",
                      "Cola", "Lättöl", "Saft", "Energidryck", "Iste", "Smoothie", "Påskmust"]),
    "Godis & snacks": (_FOOD, ["Chokladkaka", "Chips", "Lakrits", "Nötter", "Popcorn",
                               "Kex", "Godispåse", "Tuggummi", "Pastiller", "Dragéer",
                               "Ostbågar", "Chokladbollar"]),
    "Frukt & grönt": (_FOOD, ["Gurka", "Sallad", "Avokado", "Citron", "Morötter", "Lök",
                              "Äpplen", "Päron", "Bananer", "Tomater", "Paprika", "Broccoli",
                              "Blomkål", "Vitkål", "Potatis", "Svamp", "Örter", "Vindruvor"]),
    "Frys": (_FOOD, ["Glass", "Ärter", "Pizza", "Blåbär", "Hallon", "Pommes", "Wokgrönsaker",
                     "Fiskgratäng", "Piroger", "Jordgubbar", "Spenat", "Grönsaksblandning"]),
    "Tidningar": (_BOOKS, ["Dagstidning", "Kvällstidning", "Korsordstidning", "Pocketbok",
                           "Serietidning", "Magasin", "Kokbok", "Barnbok"]),
    "Hem & hushåll": (_STANDARD, ["Diskmedel", "Tvättmedel", "Toalettpapper", "Hushållspapper",
                                  "Värmeljus", "Soppåsar", "Aluminiumfolie", "Plastfolie",
                                  "Diskborste", "Rengöring", "Sköljmedel", "Fryspåsar",
                                  "Glödlampa", "Servetter"]),
    "Hygien": (_STANDARD, ["Tandkräm", "Schampo", "Tvål", "Deodorant", "Balsam", "Tandborste",
                           "Handkräm", "Solkräm", "Plåster", "Bomullspads", "Rakhyvel",
                           "Duschkräm"]),
    "Kiosk": (_STANDARD, ["Tändare", "Batterier", "Mobilladdare", "Hörlurar", "Paraply",
                          "Solglasögon", "Vykort", "Kortlek", "Presentkort", "Laddkabel"]),
    "Djur": (_STANDARD, ["Kattmat", "Hundmat", "Kattsand", "Hundgodis", "Fågelfrö",
                         "Fiskfoder"]),
    "Baby": (_FOOD, ["Barnmat", "Välling", "Gröt", "Klämmis", "Majskrokar"]),
    "Blommor": (_STANDARD, ["Tulpaner", "Rosor", "Krukväxt", "Pelargon", "Orkidé", "Blomjord"]),
}
_BRAND_WORDS = [
    "Arla", "Skånemejerier", "Norrmejerier", "Pågen", "Polarbröd", "Wasa", "Barilla", "Zeta",
    "Felix", "Findus", "Dafgårds", "Scan", "Lithells", "Abba", "Bregott", "Kavli", "Marabou",
    "Cloetta", "Fazer", "Estrella", "OLW", "Göteborgs", "Mariestads", "Spendrups", "Loka",
    "Ramlösa", "Bravo", "God Morgon", "Zoégas", "Gevalia", "Löfbergs", "Kronfågel", "Guldfågeln",
    "Garant", "ICA", "Coop", "Eldorado", "Änglamark", "Sia", "Hemglass", "GB", "Triumf",
    "Yes", "Via", "Neutral", "Libero", "Nivea", "Barnängen", "Colgate", "Pepsodent", "Semper",
    "Nestlé", "Kungsörnen", "Dansukker", "Saltå Kvarn", "Oatly", "Valio", "Lantmännen",
    "Gårdsbutiken", "Fjällbrynt", "Västkust", "Norrlands", "Östgöta", "Småländsk", "Gotlands",
    "Ölands", "Jämtlands", "Värmlands", "Bjäre", "Österlen", "Åbro", "Ådalens", "Älvsby",
    "Kalles", "Santa Maria", "Risenta", "Urtekram", "Eko", "Kassa Basic",
]
_VARIANTS = [
    "", "", "", "ekologisk", "laktosfri", "original", "light", "extra", "naturell", "vanilj",
    "jordgubb", "hallon", "citron", "kanel", "choklad", "mild", "stark", "grov", "fin", "rökt",
    "saltad", "osaltad", "färsk", "fryst", "klassisk", "lyx", "familjeförpackning", "portion",
    "glutenfri", "vegansk", "fullkorn", "mellan", "mörk", "ljus", "söt", "syrlig", "krämig",
    "krispig", "skivad", "riven", "hel", "halv", "smörgås", "picknick", "jul", "påsk", "midsommar",
]
_SIZES = ["1 l", "1,5 l", "2 l", "33 cl", "50 cl", "3 dl", "5 dl", "100 g", "150 g", "200 g",
          "250 g", "400 g", "500 g", "750 g", "1 kg", "1,5 kg", "2 kg", "4 st", "6 st", "8 st",
          "10 st", "12 st", "20 st", "24 st", "1 st", "2-pack", "3-pack", "6-pack", "75 ml",
          "250 ml"]
_COMPANIES = 2000  # GS1 company prefixes 73 20000–21999 (the demo store uses 73 10005)
CATALOG_VERSION = 1  # bump when the generated rows change, so no stale cached file is reused


def bench_gtin(n: int) -> str:
    """The EAN-13 of the n-th generated product (n from 0): unique, valid, Swedish prefix 73."""
    company, item = 20000 + n // 100_000 % _COMPANIES, n % 100_000
    total = _company_sum(company) + _item_sums()[item]
    return f"73{company:05d}{item:05d}{(10 - total % 10) % 10}"


def _weighted_sum(digits: str, start: int) -> int:
    """GS1 weights (1, 3, 1, 3 … from an EAN-13's first digit) times the digits at `start`…"""
    return sum(int(d) * (3 if (start + k) % 2 else 1) for k, d in enumerate(digits))


@functools.cache
def _company_sum(company: int) -> int:
    """The weighted sum of 73 and a company number (EAN-13 digits 1–7)."""
    return _weighted_sum(f"73{company:05d}", 0)


@functools.cache
def _item_sums() -> list[int]:
    """The weighted sum of every 5-digit item number (EAN-13 digits 8–12), computed once."""
    return [_weighted_sum(f"{item:05d}", 7) for item in range(100_000)]


def bench_member_no(n: int) -> str:
    """The member number of the n-th generated member (n from 0)."""
    return f"{1_000_000 + n}"


def _sqlite_path(db_or_path: Database | Path | str) -> Path:
    if isinstance(db_or_path, Database):
        return Path(db_or_path.url.removeprefix("sqlite:///"))
    return Path(db_or_path)


def _bulk_insert(path: Path, table: str, columns: list[str], rows: Any) -> None:
    """Insert rows in one transaction with the table's secondary indexes and FTS trigger off,
    then build each index (and the FTS index) in one sorted pass: minutes become seconds."""
    con = sqlite3.connect(path, isolation_level=None)
    try:
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("PRAGMA synchronous=OFF")  # a generated file: made again if a run dies
        con.execute("PRAGMA cache_size=-262144")
        rebuilt = con.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE tbl_name=? AND sql IS NOT NULL AND "
            "(type='index' OR (type='trigger' AND name=?))", (table, f"{table}_fts_insert"),
        ).fetchall()
        con.execute("BEGIN IMMEDIATE")
        for kind, name, _ in rebuilt:
            con.execute(f"DROP {kind.upper()} {name}")
        marks = ", ".join("?" * len(columns))
        con.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)
        for _, _, sql in rebuilt:
            con.execute(sql)
        if any(name == f"{table}_fts_insert" for _, name, _ in rebuilt):
            con.execute(f"INSERT INTO {table}_fts({table}_fts) VALUES ('rebuild')")
        con.execute("COMMIT")
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        con.close()


def catalog(db_or_path: Database | Path | str, n: int, *, seed: int = 1) -> int:
    """Write n products with unique EAN-13s (`bench_gtin(0..n-1)`), Swedish names from word lists,
    categories, VAT classes and prices into a migrated hub database; returns n."""
    rng = random.Random(seed)
    kinds = [(category, vat, kind) for category, (vat, goods) in _CATEGORIES.items()
             for kind in goods]

    def rows() -> Any:
        # Drawn in bulk (random.choices runs its loop in C): a million rows in seconds.
        picks = zip(rng.choices(kinds, k=n), rng.choices(_BRAND_WORDS, k=n),
                    rng.choices(_VARIANTS, k=n), rng.choices(_SIZES, k=n),
                    rng.choices(range(5, 600), k=n), rng.choices((0, 5, 10, 55), k=n),
                    rng.choices(range(200), k=n), strict=True)
        for i, ((category, vat, kind), brand, variant, size, kronor, ore, stock) in enumerate(
                picks):
            name = f"{brand} {kind} {variant} {size}" if variant else f"{brand} {kind} {size}"
            yield (f"B{i:07d}", bench_gtin(i), name, category, kronor * 100 - ore, "SEK", vat,
                   "each", stock, None, False, i % 50 != 7, 1)

    _bulk_insert(_sqlite_path(db_or_path), "product",
                 ["sku", "gtin", "name", "category", "price", "currency", "vat_rate_bp", "unit",
                  "on_hand", "age_limit", "service", "active", "version"], rows())
    return n


_FIRST_NAMES = [
    "Anna", "Eva", "Maria", "Karin", "Sara", "Lena", "Kerstin", "Emma", "Ingrid", "Malin",
    "Linnéa", "Elin", "Ida", "Johanna", "Birgitta", "Åsa", "Ulla", "Märta", "Signe", "Astrid",
    "Ebba", "Maja", "Saga", "Wilma", "Alice", "Elsa", "Agnes", "Klara", "Ella", "Stina", "Lars",
    "Mikael", "Anders", "Johan", "Per", "Erik", "Karl", "Peter", "Jan", "Thomas", "Daniel",
    "Fredrik", "Mattias", "Björn", "Göran", "Håkan", "Örjan", "Åke", "Sven", "Nils", "Olof",
    "Gustav", "Oscar", "Hugo", "Lucas", "Liam", "Elias", "Noah", "Axel", "Ali", "Mohammed",
    "Fatima", "Leila", "Ahmed", "Yusuf", "Amina", "Jonas", "Kristoffer", "Henrik", "Magnus",
]
_SURNAMES = [
    "Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson",
    "Persson", "Svensson", "Gustafsson", "Pettersson", "Jonsson", "Jansson", "Hansson",
    "Bengtsson", "Jönsson", "Lindberg", "Jakobsson", "Magnusson", "Olofsson", "Lindström",
    "Lindqvist", "Lindgren", "Berg", "Axelsson", "Bergström", "Lundberg", "Lind", "Lundgren",
    "Lundqvist", "Mattsson", "Berglund", "Fredriksson", "Sandberg", "Henriksson", "Forsberg",
    "Sjöberg", "Wallin", "Engström", "Eklund", "Danielsson", "Lundin", "Håkansson", "Björk",
    "Bergman", "Gunnarsson", "Holm", "Wikström", "Samuelsson", "Isaksson", "Fransson",
    "Bergqvist", "Nyström", "Holmberg", "Arvidsson", "Löfgren", "Söderberg", "Nyberg",
    "Blomqvist", "Claesson", "Nordström", "Mårtensson", "Lundström", "Åberg", "Öberg",
    "Ström", "Hassan", "Ali", "Mohammed", "Ahmed", "Nguyen", "Kowalski", "Virtanen",
]


def customers(db_or_path: Database | Path | str, n: int, *, seed: int = 2) -> int:
    """Write n members (`bench_member_no(0..n-1)`) with Swedish names, mobile numbers, e-mail
    addresses and postal codes into a migrated hub database; returns n."""
    rng = random.Random(seed)
    created = datetime(2020, 1, 1)

    def rows() -> Any:
        for i in range(n):
            first, last = rng.choice(_FIRST_NAMES), rng.choice(_SURNAMES)
            name = f"{first} {last}" if rng.random() > 0.1 else \
                f"{first} {rng.choice(_SURNAMES)}-{last}"
            local = f"07{rng.choice('02369')}{rng.randrange(10**7):07d}"
            phone = f"{local[:3]}-{local[3:6]} {local[6:8]} {local[8:]}"
            email = f"{first}.{last}{rng.randrange(100)}@example.se".lower()
            postal = f"{rng.randrange(100, 990)} {rng.randrange(100):02d}"
            yield (bench_member_no(i), name, phone, local, email, postal,
                   created + timedelta(minutes=i), rng.random() > 0.03)

    _bulk_insert(_sqlite_path(db_or_path), "customer",
                 ["member_no", "name", "phone", "phone_digits", "email", "postal_code",
                  "created_at", "active"], rows())
    return n


_prepared: dict[tuple[int, int], Path] = {}
_cache_dir: tempfile.TemporaryDirectory[str] | None = None


def store_at_scale(products: int, members: int) -> Path:
    """A hub data directory with the demo store plus `products` generated products and `members`
    generated members; made once per size in a run and reused (copy it before writing to it)."""
    global _cache_dir
    key = (products, members)
    if key not in _prepared:
        if _cache_dir is None:
            _cache_dir = tempfile.TemporaryDirectory(prefix="kassa-bench-catalog-")
        data_dir = Path(_cache_dir.name) / f"p{products}-c{members}-v{CATALOG_VERSION}"
        settings, db = new_hub(data_dir)
        db.dispose()
        catalog(settings.database_path, products)
        customers(settings.database_path, members)
        _prepared[key] = data_dir
    return _prepared[key]
