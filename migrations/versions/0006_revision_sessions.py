"""Revisions record editing sessions: when their last save was, and whether the session is still open

Issue 14 item 6: a wizard walk recorded a revision per step and per autosave (25 in one walk). Wizard
saves now join the revision of their editing session (app.assessments, "editing sessions"), which needs
the time of a revision's last save and whether its session is still open. Existing revisions are closed
sessions of one save each.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 10:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('revision', schema=None) as batch_op:
        batch_op.add_column(sa.Column('saved_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('session_open', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('revision', schema=None) as batch_op:
        batch_op.drop_column('session_open')
        batch_op.drop_column('saved_at')
