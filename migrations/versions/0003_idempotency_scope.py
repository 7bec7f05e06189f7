"""Idempotency keys remember the links they handed out, and expire

Issue 17: a replayed create handed out an assessment's current edit and workspace links, even after
the owner renewed or revoked them. Each key now records a fingerprint of the link nonces at create
time (`links_hash`), and keys older than 24 hours are deleted by a range on `created_at`.

Keys stored before this migration were unscoped client keys; the store now looks keys up by a
scoped hash, so those rows can never be matched again and are dropped (at worst, a retry of a create
sent just before the upgrade makes a second assessment).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06 07:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("DELETE FROM idempotencykey")
    with op.batch_alter_table('idempotencykey', schema=None) as batch_op:
        batch_op.add_column(sa.Column('links_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False,
                                      server_default=''))
        batch_op.create_index(batch_op.f('ix_idempotencykey_created_at'), ['created_at'], unique=False)


def downgrade() -> None:
    # Scoped keys mean nothing to the older code: dropped, as on the way up.
    op.execute("DELETE FROM idempotencykey")
    with op.batch_alter_table('idempotencykey', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_idempotencykey_created_at'))
        batch_op.drop_column('links_hash')
