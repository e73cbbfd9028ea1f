"""age checks

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-21 21:21:04.039366
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('sale', schema=None) as batch_op:
        batch_op.add_column(sa.Column('age_checked_by', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_sale_age_checked_by', 'user', ['age_checked_by'], ['id'])

    with op.batch_alter_table('saleline', schema=None) as batch_op:
        batch_op.add_column(sa.Column('age_limit', sa.Integer(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('saleline', schema=None) as batch_op:
        batch_op.drop_column('age_limit')

    with op.batch_alter_table('sale', schema=None) as batch_op:
        # WARNING: constraint name is None; this directive will fail as
        # rendered.  Add a name, or use a naming convention; see
        # https://alembic.sqlalchemy.org/en/latest/naming.html
        batch_op.drop_constraint('fk_sale_age_checked_by', type_='foreignkey')
        batch_op.drop_column('age_checked_by')

