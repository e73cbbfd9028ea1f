"""The demo catalog: a believable Swedish grocery and convenience store, made by code.

Central owns the catalog in a real chain; the demo hub and the demo central both start from this.
"""

from __future__ import annotations

from sync.gtin import with_check_digit
from sync.schemas import CatalogItem

FOOD, BOOKS, STANDARD = 1200, 600, 2500  # Swedish VAT: food 12 %, newspapers/books 6 %, rest 25 %

# (category, VAT, [(name, price in öre)]) – each name is sold in a few brands below.
_RANGE: list[tuple[str, int, list[tuple[str, int]]]] = [
    ("Mejeri", FOOD, [("Mellanmjölk 1,5 % 1 l", 1695), ("Standardmjölk 3 % 1 l", 1795),
                      ("Filmjölk 1 l", 1995), ("Grekisk yoghurt 10 % 1 kg", 4495),
                      ("Smör normalsaltat 500 g", 5495), ("Hushållsost 1,1 kg", 10995),
                      ("Vispgrädde 3 dl", 2495), ("Crème fraiche 2 dl", 1995)]),
    ("Bröd", FOOD, [("Rågbröd skivat 500 g", 3295), ("Tunnbröd mjukt 8 st", 2995),
                    ("Kanelbulle 1 st", 1500), ("Knäckebröd 520 g", 3495),
                    ("Formfranska 700 g", 2995)]),
    ("Skafferi", FOOD, [("Pasta penne 1 kg", 2495), ("Jasminris 1 kg", 3495),
                        ("Krossade tomater 400 g", 1295), ("Havregryn 1,5 kg", 2995),
                        ("Lingonsylt 400 g", 3295), ("Kaffe mellanrost 450 g", 6995),
                        ("Te Earl Grey 20 p", 2995), ("Vetemjöl 2 kg", 2395)]),
    ("Kött & fisk", FOOD, [("Falukorv 800 g", 4495), ("Köttbullar 500 g", 5995),
                           ("Laxfilé 250 g", 6995), ("Kycklingfilé 900 g", 11995),
                           ("Fiskpinnar 450 g", 4295), ("Bacon 140 g", 2295)]),
    ("Dryck", FOOD, [("Apelsinjuice 1 l", 2995), ("Lingondricka 1 l", 2495),
                     ("Mineralvatten citron 1,5 l", 1695), ("Julmust 1,4 l", 2495),
                     ("Cola 1,5 l", 2695), ("Lättöl 3,5 % 33 cl", 1295)]),
    ("Godis & snacks", FOOD, [("Chokladkaka mjölk 200 g", 3495), ("Chips salt 275 g", 3295),
                              ("Lakritsbitar 100 g", 1995), ("Saltade nötter 200 g", 3695)]),
    ("Frukt & grönt", FOOD, [("Gurka 1 st", 1495), ("Isbergssallad 1 st", 2295),
                             ("Avokado 2 st", 2995), ("Citron 1 st", 695),
                             ("Morötter 1 kg", 1695), ("Lök gul 1 kg", 1495)]),
    ("Frys", FOOD, [("Glass vanilj 1,5 l", 4995), ("Frysta ärter 1 kg", 2995),
                    ("Pizza Vesuvio 350 g", 3495), ("Blåbär frysta 1 kg", 6995)]),
    ("Tidningar", BOOKS, [("Dagstidning", 4000), ("Kvällstidning", 3000),
                          ("Korsordstidning", 4995), ("Pocketbok", 12900)]),
    ("Hem & hushåll", STANDARD, [("Diskmedel 500 ml", 2995), ("Tvättmedel 1,5 kg", 8995),
                                 ("Toalettpapper 8 rl", 5995), ("Hushållspapper 4 rl", 3995),
                                 ("Värmeljus 30 st", 4495), ("Soppåsar 40 st", 2995)]),
    ("Hygien", STANDARD, [("Tandkräm 75 ml", 2995), ("Schampo 250 ml", 4495),
                          ("Tvål 300 ml", 2495), ("Deodorant 50 ml", 3995)]),
    ("Kiosk", STANDARD, [("Snus portion 24 g", 5795), ("Tändare", 1500),
                         ("Batterier AA 4 st", 6995), ("Mobilladdare USB-C", 14900)]),
]
_BRANDS = [("", 0), ("Eko ", 20), ("Kassa Basic ", -15)]  # name prefix, price change in %
_AGE_LIMITED = {"Snus portion 24 g": 18, "Tändare": 18}

# Weighed at the till (price per kg) with Swedish weight-embedded barcodes (prefix 23).
_WEIGHED = [("Bananer", 2495), ("Äpplen Ingrid Marie", 3495), ("Tomater", 4995),
            ("Potatis fast", 1995), ("Lösgodis", 9900), ("Vindruvor gröna", 5995),
            ("Räkor i skal", 19900), ("Ost grevé bit", 14900)]
# Packed in the store with the price in the barcode (prefix 20).
_PRICE_LABELLED = [("Färdigsallad kyckling", 6900), ("Smörgåstårta bit", 4900)]

GS1_SWEDEN = "73"


def demo_catalog() -> list[tuple[CatalogItem, int]]:
    """At least 200 products with valid EAN-13 barcodes, three VAT classes and weighed items,
    each with its opening stock at the demo store (grams for weighed items)."""
    products: list[tuple[CatalogItem, int]] = []
    item = 0
    for category, vat, items in _RANGE:
        for name, price in items:
            for prefix, change in _BRANDS:
                item += 1
                body = f"{GS1_SWEDEN}10005{item:05d}"
                products.append((CatalogItem(
                    sku=f"SKU{item:05d}", gtin=with_check_digit(body), name=f"{prefix}{name}",
                    category=category, price=(price * (100 + change) + 250) // 500 * 5,
                    vat_rate_bp=vat, age_limit=_AGE_LIMITED.get(name),
                ), 40 + item % 60))
    for plu, (name, per_kg) in enumerate(_WEIGHED, start=101):
        products.append((CatalogItem(
            sku=f"PLU{plu}", gtin=with_check_digit(f"23{plu:05d}00000"), name=name,
            category="Frukt & grönt" if plu < 105 else "Färskvaror", price=per_kg,
            vat_rate_bp=FOOD, unit="kg",
        ), 50_000))
    for plu, (name, price) in enumerate(_PRICE_LABELLED, start=201):
        products.append((CatalogItem(
            sku=f"PLU{plu}", gtin=with_check_digit(f"20{plu:05d}00000"), name=name,
            category="Färskvaror", price=price, vat_rate_bp=FOOD,
        ), 20))
    return products


