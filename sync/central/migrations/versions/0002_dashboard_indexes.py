"""dashboard indexes: sales by completion time, rejected events by arrival

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

REJECTED = sa.text("outcome = 'rejected'")


def upgrade() -> None:
    """The dashboard asks for one day's sales and rejections every few seconds."""
    with op.batch_alter_table("sale", schema=None) as batch_op:
        batch_op.create_index("ix_sale_completed_at", ["completed_at"])
    with op.batch_alter_table("applied_event", schema=None) as batch_op:
        batch_op.create_index("ix_applied_event_rejected", ["received_at"],
                              postgresql_where=REJECTED, sqlite_where=REJECTED)


def downgrade() -> None:
    """Drop them again."""
    with op.batch_alter_table("applied_event", schema=None) as batch_op:
        batch_op.drop_index("ix_applied_event_rejected")
    with op.batch_alter_table("sale", schema=None) as batch_op:
        batch_op.drop_index("ix_sale_completed_at")
