"""qr payment attempts and webhook receipts

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-21 20:58:19.046946
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import hub.models.base

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('webhookreceipt',
    sa.Column('event_id', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('provider', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('attempt_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('received_at', hub.models.base.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('event_id')
    )
    op.create_table('qrattempt',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('sale_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('lane_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('provider', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.Column('currency', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('expires_at', hub.models.base.UTCDateTime(), nullable=False),
    sa.Column('provider_ref', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('pay_url', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('late_payment', sa.Boolean(), nullable=False),
    sa.Column('request_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('created_at', hub.models.base.UTCDateTime(), nullable=False),
    sa.Column('updated_at', hub.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['lane_id'], ['lane.id'], ),
    sa.ForeignKeyConstraint(['sale_id'], ['sale.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('request_id')
    )
    with op.batch_alter_table('qrattempt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_qrattempt_lane_id'), ['lane_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_qrattempt_sale_id'), ['sale_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_qrattempt_status'), ['status'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('qrattempt', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_qrattempt_status'))
        batch_op.drop_index(batch_op.f('ix_qrattempt_sale_id'))
        batch_op.drop_index(batch_op.f('ix_qrattempt_lane_id'))

    op.drop_table('qrattempt')
    op.drop_table('webhookreceipt')
