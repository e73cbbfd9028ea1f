"""sales per day: SalesDay and SalesHour sums kept with every sale, sales by completion time

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-22 00:09:44.866519
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('salesday',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('lane_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('cashier_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('category', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('units', sa.Integer(), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.Column('voided', sa.Integer(), nullable=False),
    sa.Column('discounted', sa.Integer(), nullable=False),
    sa.Column('discount', sa.Integer(), nullable=False),
    sa.Column('overridden', sa.Integer(), nullable=False),
    sa.Column('below_list', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('day', 'lane_id', 'cashier_id', 'product_id', 'category',
                        name='uq_salesday_key')
    )
    with op.batch_alter_table('salesday', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_salesday_day'), ['day'], unique=False)
    op.create_table('saleshour',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('hour', sa.Integer(), nullable=False),
    sa.Column('lane_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('cashier_id', sa.Integer(), nullable=False),
    sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('sales', sa.Integer(), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('day', 'hour', 'lane_id', 'cashier_id', 'channel',
                        name='uq_saleshour_key')
    )
    with op.batch_alter_table('saleshour', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_saleshour_day'), ['day'], unique=False)
    # The hub fills them from older sales on its next start (hub/services/rollup.py rebuild).
    with op.batch_alter_table('sale', schema=None) as batch_op:
        batch_op.create_index('ix_sale_completed_at', ['completed_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('sale', schema=None) as batch_op:
        batch_op.drop_index('ix_sale_completed_at')
    with op.batch_alter_table('saleshour', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_saleshour_day'))
    op.drop_table('saleshour')
    with op.batch_alter_table('salesday', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_salesday_day'))
    op.drop_table('salesday')
