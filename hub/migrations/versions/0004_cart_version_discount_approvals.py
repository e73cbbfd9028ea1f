"""cart versions per lane, discount approvals

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21 20:30:48.660537
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('lane', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cart_version', sa.Integer(), nullable=False, server_default='0'))

    with op.batch_alter_table('sale', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cart_discount_approved_by', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_sale_cart_discount_approved_by', 'user', ['cart_discount_approved_by'], ['id'])

    with op.batch_alter_table('saleline', schema=None) as batch_op:
        batch_op.add_column(sa.Column('discount_approved_by', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_saleline_discount_approved_by', 'user', ['discount_approved_by'], ['id'])



def downgrade() -> None:
    with op.batch_alter_table('saleline', schema=None) as batch_op:
        batch_op.drop_constraint('fk_saleline_discount_approved_by', type_='foreignkey')
        batch_op.drop_column('discount_approved_by')

    with op.batch_alter_table('sale', schema=None) as batch_op:
        batch_op.drop_constraint('fk_sale_cart_discount_approved_by', type_='foreignkey')
        batch_op.drop_column('cart_discount_approved_by')

    with op.batch_alter_table('lane', schema=None) as batch_op:
        batch_op.drop_column('cart_version')
