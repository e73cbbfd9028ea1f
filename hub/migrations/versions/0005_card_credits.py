"""card credits on refund tenders

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-21 20:40:05.524016
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('refundtender', schema=None) as batch_op:
        batch_op.add_column(sa.Column('payment_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('refundtender', schema=None) as batch_op:
        batch_op.drop_column('payment_id')

