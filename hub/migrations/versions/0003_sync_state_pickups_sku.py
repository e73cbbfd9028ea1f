"""sync state, pick-up orders, sku on sale lines

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21 20:25:19.566291
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import hub.models.base

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('pickuporder',
    sa.Column('order_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('order_no', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('customer_name', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('customer_email', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('lines', sa.JSON(), nullable=True),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('currency', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
    sa.Column('reserved_until', hub.models.base.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('picked', sa.Boolean(), nullable=False),
    sa.Column('sale_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.PrimaryKeyConstraint('order_id')
    )
    with op.batch_alter_table('pickuporder', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pickuporder_status'), ['status'], unique=False)

    op.create_table('syncrejection',
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('event_id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.PrimaryKeyConstraint('seq')
    )
    op.create_table('syncstate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('acked_seq', sa.Integer(), nullable=False),
    sa.Column('pull_cursor', sa.Integer(), nullable=False),
    sa.Column('last_push_at', hub.models.base.UTCDateTime(), nullable=True),
    sa.Column('last_pull_at', hub.models.base.UTCDateTime(), nullable=True),
    sa.Column('last_error', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('last_error_at', hub.models.base.UTCDateTime(), nullable=True),
    sa.Column('rejected', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('saleline', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sku', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False, server_default=''))



def downgrade() -> None:
    with op.batch_alter_table('saleline', schema=None) as batch_op:
        batch_op.drop_column('sku')

    op.drop_table('syncstate')
    op.drop_table('syncrejection')
    with op.batch_alter_table('pickuporder', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pickuporder_status'))

    op.drop_table('pickuporder')
