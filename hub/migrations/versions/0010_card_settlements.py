"""card settlements: card terminals' end-of-day totals reconciled against the hub's payments

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-22 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import hub.models.base

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('cardsettlement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lane_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('reader', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('terminal_id', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('currency', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
    sa.Column('period_start', hub.models.base.UTCDateTime(), nullable=True),
    sa.Column('period_end', hub.models.base.UTCDateTime(), nullable=False),
    sa.Column('hub_count', sa.Integer(), nullable=False),
    sa.Column('hub_amount', sa.Integer(), nullable=False),
    sa.Column('hub_debit_count', sa.Integer(), nullable=False),
    sa.Column('hub_debit_amount', sa.Integer(), nullable=False),
    sa.Column('hub_credit_count', sa.Integer(), nullable=False),
    sa.Column('hub_credit_amount', sa.Integer(), nullable=False),
    sa.Column('hub_in_doubt', sa.Integer(), nullable=False),
    sa.Column('terminal_count', sa.Integer(), nullable=True),
    sa.Column('terminal_amount', sa.Integer(), nullable=False),
    sa.Column('terminal_currency', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
    sa.Column('terminal_debit_count', sa.Integer(), nullable=True),
    sa.Column('terminal_debit_amount', sa.Integer(), nullable=True),
    sa.Column('terminal_credit_count', sa.Integer(), nullable=True),
    sa.Column('terminal_credit_amount', sa.Integer(), nullable=True),
    sa.Column('count_difference', sa.Integer(), nullable=True),
    sa.Column('amount_difference', sa.Integer(), nullable=False),
    sa.Column('brands', sa.JSON(), nullable=True),
    sa.Column('flagged', sa.Boolean(), nullable=False),
    sa.Column('problems', sa.JSON(), nullable=True),
    sa.Column('first_receipt_no', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True),
    sa.Column('last_receipt_no', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True),
    sa.Column('trace_no', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('receipt_lines', sa.JSON(), nullable=True),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', hub.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['user.id'], name='fk_cardsettlement_created_by'),
    sa.ForeignKeyConstraint(['lane_id'], ['lane.id'], name='fk_cardsettlement_lane_id'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('cardsettlement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cardsettlement_flagged'), ['flagged'], unique=False)
        batch_op.create_index(batch_op.f('ix_cardsettlement_lane_id'), ['lane_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('cardsettlement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cardsettlement_lane_id'))
        batch_op.drop_index(batch_op.f('ix_cardsettlement_flagged'))

    op.drop_table('cardsettlement')
