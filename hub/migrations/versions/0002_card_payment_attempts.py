"""card payment attempts

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21 19:52:00.645368
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import hub.models.base

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('paymentattempt',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('reference', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('sale_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('lane_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('reader', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.Column('currency', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('progress', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('message', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('masked_pan', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('brand', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('auth_code', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('trace_no', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('terminal_receipt_no', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('terminal_id', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('receipt_lines', sa.JSON(), nullable=True),
    sa.Column('resolved_how', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('resolved_by', sa.Integer(), nullable=True),
    sa.Column('request_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', hub.models.base.UTCDateTime(), nullable=False),
    sa.Column('updated_at', hub.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['user.id'], ),
    sa.ForeignKeyConstraint(['lane_id'], ['lane.id'], ),
    sa.ForeignKeyConstraint(['resolved_by'], ['user.id'], ),
    sa.ForeignKeyConstraint(['sale_id'], ['sale.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('reference'),
    sa.UniqueConstraint('request_id')
    )
    with op.batch_alter_table('paymentattempt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_paymentattempt_lane_id'), ['lane_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_paymentattempt_sale_id'), ['sale_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_paymentattempt_status'), ['status'], unique=False)

    with op.batch_alter_table('tender', schema=None) as batch_op:
        batch_op.add_column(sa.Column('payment_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('tender', schema=None) as batch_op:
        batch_op.drop_column('payment_id')

    with op.batch_alter_table('paymentattempt', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_paymentattempt_status'))
        batch_op.drop_index(batch_op.f('ix_paymentattempt_sale_id'))
        batch_op.drop_index(batch_op.f('ix_paymentattempt_lane_id'))

    op.drop_table('paymentattempt')
