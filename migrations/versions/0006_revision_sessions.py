"""Revisions record editing sessions: when their last save was, and whether the session is still open

Issue 14 item 6: a wizard walk recorded a revision per step and per autosave (25 in one walk). Wizard
saves now join the revision of their editing session (app.assessments, "editing sessions"), which needs
the time of a revision's last save and whether its session is still open. Existing revisions are closed
sessions of one save each.

The same release stores a wizard save's full result when it is first read (issue 18): the code before it
expects every result stored, so the downgrade works out the pending ones first.

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
        batch_op.add_column(sa.Column('saved_at', sa.DateTime(timezone=True), nullable=True,
                                      server_default=sa.text('CURRENT_TIMESTAMP')))
        batch_op.add_column(sa.Column('session_open', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    _work_out_pending_results()
    with op.batch_alter_table('revision', schema=None) as batch_op:
        batch_op.drop_column('session_open')
        batch_op.drop_column('saved_at')


def _work_out_pending_results() -> None:
    from app.models import PENDING, worked_out  # the engine of this release, as the reads would use it

    connection = op.get_bind()
    assessment, revision = sa.table("assessment", sa.column("id"), sa.column("answers", sa.JSON),
                                    sa.column("recommendation", sa.JSON), sa.column("confidence"),
                                    sa.column("updated_at", sa.DateTime(timezone=True))), \
        sa.table("revision", sa.column("id"), sa.column("answers", sa.JSON), sa.column("recommendation", sa.JSON),
                 sa.column("created_at", sa.DateTime(timezone=True)), sa.column("saved_at", sa.DateTime(timezone=True)))
    for row in connection.execute(sa.select(assessment).where(assessment.c.confidence <= PENDING)).all():
        result = worked_out(row.answers, row.updated_at)
        connection.execute(assessment.update().where(assessment.c.id == row.id)
                           .values(recommendation=result, confidence=result["confidence"]))
    pending = sa.cast(revision.c.recommendation, sa.String) == "{}"
    for row in connection.execute(sa.select(revision).where(pending)).all():
        connection.execute(revision.update().where(revision.c.id == row.id)
                           .values(recommendation=worked_out(row.answers, row.saved_at or row.created_at)))
