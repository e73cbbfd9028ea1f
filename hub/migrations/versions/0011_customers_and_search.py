"""customers and search: the store's members, full-text indexes over product and member names

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-23 10:00:00.000000

The FTS5 tables are external-content indexes over product(name) and customer(name), kept in step
by triggers. A later migration that rebuilds `product` or `customer` with batch_alter_table
(copy, drop, rename) drops these triggers with the old table: it must create them again
(`create_search_triggers`) and rebuild the index.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import hub.models.base

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

# Swedish å ä ö are letters of their own: "mjö" finds "Mjölk", "mjolk" does not have to.
TOKENIZE = "unicode61 remove_diacritics 0"


def search_index_sql(table: str) -> list[str]:
    """The FTS5 table over `table`(name) and the triggers that keep it in step."""
    fts = f"{table}_fts"
    return [
        f"CREATE VIRTUAL TABLE {fts} USING fts5(name, content='{table}', content_rowid='id', "
        f"tokenize='{TOKENIZE}', prefix='2 3')",
        *create_search_triggers(table),
        f"INSERT INTO {fts}({fts}) VALUES ('rebuild')",
    ]


def create_search_triggers(table: str) -> list[str]:
    """Triggers that mirror inserts, renames and deletes of `table` into its FTS5 index."""
    fts = f"{table}_fts"
    return [
        f"CREATE TRIGGER {fts}_insert AFTER INSERT ON {table} BEGIN "
        f"INSERT INTO {fts}(rowid, name) VALUES (new.id, new.name); END",
        f"CREATE TRIGGER {fts}_delete AFTER DELETE ON {table} BEGIN "
        f"INSERT INTO {fts}({fts}, rowid, name) VALUES ('delete', old.id, old.name); END",
        f"CREATE TRIGGER {fts}_update AFTER UPDATE OF id, name ON {table} BEGIN "
        f"INSERT INTO {fts}({fts}, rowid, name) VALUES ('delete', old.id, old.name); "
        f"INSERT INTO {fts}(rowid, name) VALUES (new.id, new.name); END",
    ]


def drop_search_index_sql(table: str) -> list[str]:
    """Undo search_index_sql."""
    fts = f"{table}_fts"
    return [f"DROP TRIGGER IF EXISTS {fts}_{what}" for what in ("insert", "delete", "update")] + [
        f"DROP TABLE IF EXISTS {fts}"]


def upgrade() -> None:
    op.create_table('customer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_no', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('phone', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('phone_digits', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True),
    sa.Column('postal_code', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
    sa.Column('created_at', hub.models.base.UTCDateTime(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('member_no')
    )
    with op.batch_alter_table('customer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_customer_phone_digits'), ['phone_digits'],
                              unique=False)
    # Browsing a category in name order, and listing categories, without reading every product.
    with op.batch_alter_table('product', schema=None) as batch_op:
        batch_op.create_index('ix_product_category_name', ['category', 'name'], unique=False)
    for table in ('product', 'customer'):
        for statement in search_index_sql(table):
            op.execute(statement)


def downgrade() -> None:
    for table in ('customer', 'product'):
        for statement in drop_search_index_sql(table):
            op.execute(statement)
    with op.batch_alter_table('product', schema=None) as batch_op:
        batch_op.drop_index('ix_product_category_name')
    with op.batch_alter_table('customer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_customer_phone_digits'))
    op.drop_table('customer')
