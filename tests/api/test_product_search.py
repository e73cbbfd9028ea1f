"""Product search is index-backed (FTS5 over names, index ranges over codes) and still finds what
a cashier types: word starts, Swedish letters, codes; search syntax is only ever text."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import select

from bench.data import bench_gtin, catalog, new_hub
from hub.barcode import with_check_digit
from hub.db import Database
from hub.models import Product
from hub.services import catalog as products
from hub.services import search
from tests.conftest import Till


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Database:
    _, database = new_hub(tmp_path_factory.mktemp("search") / "hub")
    return database


def found(db: Database, q: str, **kw: object) -> list[str]:
    with db.read() as s:
        return [p.name for p in products.search(s, q, **kw)]  # type: ignore[arg-type]


def test_a_word_start_anywhere_in_the_name_finds_it(db: Database) -> None:
    assert "Eko Chokladkaka mjölk 200 g" in found(db, "mjö")
    assert "Eko Chokladkaka mjölk 200 g" in found(db, "chok")
    assert found(db, "eko chok") == ["Eko Chokladkaka mjölk 200 g"]
    assert found(db, "chok eko") == ["Eko Chokladkaka mjölk 200 g"]  # any order
    assert "Mellanmjölk 1,5 % 1 l" not in found(db, "mjölk")  # not the middle of a word


def test_swedish_letters(db: Database) -> None:
    assert "Köttbullar 500 g" in found(db, "kött")
    assert "Köttbullar 500 g" in found(db, "KÖTT")
    assert "Köttbullar 500 g" in found(db, "kö")
    assert "Äpplen Ingrid Marie" in found(db, "äpp")
    assert "Blåbär frysta 1 kg" in found(db, "blå")
    assert "Köttbullar 500 g" not in found(db, "kott")  # ö is a letter of its own


def test_results_are_active_only_in_name_order_limited_and_by_category(db: Database) -> None:
    names = found(db, "eko", limit=200)
    assert names == sorted(names) and len(names) > 50
    assert len(found(db, "eko")) == 50
    assert all(n.startswith("Eko") for n in found(db, "eko", category="Bröd"))
    with db.write() as s:
        bacon = s.exec(select(Product).where(Product.name == "Eko Bacon 140 g")).one()
        bacon.active = False
    assert "Eko Bacon 140 g" not in found(db, "bacon")
    assert found(db, "", category="Frys")[0].startswith("Blåbär")


def test_codes_match_by_their_start(db: Database) -> None:
    with db.read() as s:
        cola = s.exec(select(Product).where(Product.name == "Cola 1,5 l")).one()
    assert cola.gtin is not None
    assert found(db, cola.gtin) == ["Cola 1,5 l"]
    assert "Cola 1,5 l" in found(db, cola.gtin[:9], limit=200)
    assert "Cola 1,5 l" in found(db, cola.sku.lower(), limit=200)


@pytest.mark.parametrize("q", ['"', '""', "*", "AND", "OR", "NOT", "(", ")", "mjölk)", "a AND",
                               "NEAR(a b)", "col:mjölk", "^mj", "-mj", "+", "'", "\\", "%", "_",
                               "{name}: x", "mj*ö", "\x00", "😀"])
def test_search_syntax_in_the_query_never_errors(db: Database, q: str) -> None:
    found(db, q)


def test_fts_syntax_over_http_is_a_normal_answer(cashier: Till) -> None:
    for q in ['"', "*", "AND", "(", "NEAR(", "mjölk OR"]:
        cashier.get("/products", params={"q": q})


def test_the_name_index_follows_inserts_renames_and_deletes(db: Database) -> None:
    """What sync does to the catalog: a new product, a rename, a removal."""
    with db.write() as s:
        s.add(Product(sku="NEW1", gtin=with_check_digit("735000000001"), name="Hjortronsylt 400 g",
                      price=5995, vat_rate_bp=1200))
    assert found(db, "hjortron") == ["Hjortronsylt 400 g"]
    with db.write() as s:
        product = s.exec(select(Product).where(Product.sku == "NEW1")).one()
        product.name = "Åkerbärssylt 400 g"
    assert found(db, "hjortron") == []
    assert found(db, "åkerbär") == ["Åkerbärssylt 400 g"]
    with db.write() as s:
        s.exec(text("DELETE FROM product WHERE sku = 'NEW1'"))  # type: ignore[call-overload]
    assert found(db, "åkerbär") == []
    with db.read() as s:  # the index agrees with the table, row for row
        s.exec(text("INSERT INTO product_fts(product_fts) VALUES ('integrity-check')"))  # type: ignore[call-overload]


def plan(db: Database, sql: str, **params: object) -> str:
    with db.read() as s:
        rows = s.connection().exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params).fetchall()
    return " | ".join(str(r[-1]) for r in rows)


def test_barcode_lookup_and_code_prefixes_use_indexes(db: Database) -> None:
    lookup = plan(db, "SELECT * FROM product WHERE gtin = :g", g="7310005000011")
    assert "USING INDEX ix_product_gtin (gtin=?)" in lookup, lookup
    search = plan(db, "SELECT * FROM product WHERE active AND (id IN (SELECT rowid FROM "
                  "product_fts WHERE product_fts MATCH :m) OR (gtin >= :a AND gtin < :b)) "
                  "ORDER BY name LIMIT 50", m='"mj"*', a="73", b="74")
    assert "SCAN product" not in search.replace("SCAN product_fts", ""), search
    assert "VIRTUAL TABLE INDEX" in search and "ix_product_gtin" in search, search


def test_categories_are_listed_without_reading_every_product(db: Database) -> None:
    with db.read() as s:
        listed = products.categories(s)
    assert listed == sorted({c for c in listed}) and "Mejeri" in listed


def test_bench_catalog_makes_valid_unique_ean13s(tmp_path: Path) -> None:
    settings, database = new_hub(tmp_path / "hub")
    database.dispose()
    catalog(settings.database_path, 5000)
    db = Database(settings.database_url)
    with db.read() as s:
        codes = [p.gtin for p in s.exec(select(Product).where(
            Product.sku.startswith("B")))]  # type: ignore[attr-defined]
        assert found(db, "arla", limit=200)  # the names are indexed for search too
    db.dispose()
    assert len(codes) == 5000 and len(set(codes)) == 5000
    assert {bench_gtin(n) for n in range(5000)} == set(codes)
    for code in codes:
        assert code is not None and len(code) == 13 and code.isdigit()
        assert with_check_digit(code[:12]) == code and code[:2] not in {str(p) for p in
                                                                          range(20, 30)}


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Database:
    settings, database = new_hub(tmp_path_factory.mktemp("big") / "hub")
    database.dispose()
    catalog(settings.database_path, 20_000)
    return Database(settings.database_url)


@pytest.mark.parametrize("q", ["ba", "no", "so", "ar", "mellan", "arla", "7320000", "B00001",
                               "eko mj", "zz"])
def test_walking_the_name_index_finds_what_sorting_every_match_finds(
        big: Database, q: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Many matches are first looked for along the name index: found there (a long walk) or not
    (a walk of one entry a match, then every match sorted), the answer is the same."""
    monkeypatch.setattr(search, "SPREAD_MARGIN", 10**9)  # never walk: every match sorted
    for kw in ({}, {"category": "Mejeri"}):
        expected = [(p.name, p.id) for p in _search(big, q, **kw)]
        assert expected == sorted(expected)
        monkeypatch.setattr(search, "SPREAD_MARGIN", 0)  # always walk
        for per_match in (100.0, 1.0, 0.0):  # found on the walk; rarely; never (a bound of 0)
            monkeypatch.setattr(search, "WALK_PER_MATCH", per_match)
            assert [(p.name, p.id) for p in _search(big, q, **kw)] == expected, per_match
        monkeypatch.setattr(search, "SPREAD_MARGIN", 10**9)


def _search(db: Database, q: str, **kw: object) -> list[Product]:
    with db.read() as s:
        return products.search(s, q, 50, **kw)  # type: ignore[arg-type]
