"""Rate-limit counts in the database, shared by every worker and instance

Issue 13: each worker counted on its own, so N workers allowed N times the limit. One row per rule,
client and minute (app.security.counters.DatabaseCounters); rows live two minutes at most.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 10:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'ratelimithit',
        sa.Column('rule', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('client', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('window_start', sa.Integer(), nullable=False),
        sa.Column('hits', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('rule', 'client', 'window_start', name=op.f('pk_ratelimithit')),
    )


def downgrade() -> None:
    op.drop_table('ratelimithit')
