"""name_lower in the list index: a name search reads only the rows that match

A search walks ix_assessment_workspace_updated in list order and tested each row's name, reading
rows of about 10 kB (answers and recommendation): 1.9 s for a search without matches among 100,000
assessments. With name_lower in the index only matching rows are read (60 ms).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 02:15:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_COLUMNS = ['workspace_id', 'deleted_at', 'updated_at', 'id']


def upgrade() -> None:
    with op.batch_alter_table('assessment', schema=None) as batch_op:
        batch_op.drop_index('ix_assessment_workspace_updated')
        batch_op.create_index('ix_assessment_workspace_updated', [*OLD_COLUMNS, 'name_lower'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('assessment', schema=None) as batch_op:
        batch_op.drop_index('ix_assessment_workspace_updated')
        batch_op.create_index('ix_assessment_workspace_updated', OLD_COLUMNS, unique=False)
