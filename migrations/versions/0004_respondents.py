"""Respondents: colleagues answer an assessment each on their own (issue 15, part 1)

A respondent is a capability link like the view and edit links (HMAC-derived token, only its SHA-256
stored, revocable, optional expiry); a response holds what that person submitted and the engine's
result for it, apart from the assessment's own answers until the owner resolves a difference.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06 10:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'respondent',
        sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('assessment_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column('link_nonce', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['assessment_id'], ['assessment.id'],
                                name=op.f('fk_respondent_assessment_id_assessment')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_respondent')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_respondent_token_hash')),
    )
    with op.batch_alter_table('respondent', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_respondent_assessment_id'), ['assessment_id'], unique=False)
    op.create_table(
        'response',
        sa.Column('respondent_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('assessment_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column('answers', sa.JSON(), nullable=False),
        sa.Column('notes', sa.JSON(), nullable=False),
        sa.Column('recommendation', sa.JSON(), nullable=False),
        sa.Column('verdict', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('engine_version', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['assessment_id'], ['assessment.id'],
                                name=op.f('fk_response_assessment_id_assessment')),
        sa.ForeignKeyConstraint(['respondent_id'], ['respondent.id'],
                                name=op.f('fk_response_respondent_id_respondent')),
        sa.PrimaryKeyConstraint('respondent_id', name=op.f('pk_response')),
    )
    with op.batch_alter_table('response', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_response_assessment_id'), ['assessment_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('response', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_response_assessment_id'))
    op.drop_table('response')
    with op.batch_alter_table('respondent', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_respondent_assessment_id'))
    op.drop_table('respondent')
