"""`advisor purge`: what nobody can reach any more, deleted for good.

- Assessments deleted (soft, from their page or the API) more than ADVISOR_RETENTION_DAYS ago, with
  everything that hangs off them: revisions, their view and edit links, idempotency keys. Until then a
  team can restore one (the "deleted" list of a workspace); after, it is gone, as its page says.
- Idempotency keys older than IDEMPOTENCY_TTL (24 h): a replay that late is refused anyway.

Not purged: the link rows of assessments that still exist, even revoked or long expired. Each assessment
has exactly one view and one edit link row, which its owner renews or re-enables from the share page
(every page looks both up), and such a row holds only a nonce and a hash that open nothing.

Works on a Connection, in the caller's transaction: a dry run is the same deletes, rolled back.
"""

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

import app.models  # noqa: F401 - registers every table on SQLModel.metadata
from app.assessments import IDEMPOTENCY_TTL

# The kinds purge reports, in the order it prints them.
DELETED_ASSESSMENTS = "deleted assessments"
STALE_IDEMPOTENCY_KEYS = "stale idempotency keys"


def purge(connection: Connection, *, now: datetime, retention: timedelta) -> dict[str, int]:
    """Delete what is past its time; returns how many rows of each kind (tables in foreign-key order)."""
    tables = SQLModel.metadata.tables
    assessment, keys = tables["assessment"], tables["idempotencykey"]
    expired = select(assessment.c.id).where(assessment.c.deleted_at.is_not(None),
                                            assessment.c.deleted_at < now - retention)
    counts: dict[str, int] = {}
    # Children first: every table that points at an assessment (revisions, links, keys, and any added later).
    for table in reversed(SQLModel.metadata.sorted_tables):
        if "assessment_id" in table.c and table is not assessment:
            deleted = connection.execute(table.delete().where(table.c.assessment_id.in_(expired))).rowcount
            counts[f"their {table.name} rows"] = deleted
    counts[DELETED_ASSESSMENTS] = connection.execute(assessment.delete().where(assessment.c.id.in_(expired))
                                                     ).rowcount
    counts[STALE_IDEMPOTENCY_KEYS] = connection.execute(
        keys.delete().where(keys.c.created_at < now - IDEMPOTENCY_TTL)).rowcount
    return {DELETED_ASSESSMENTS: counts.pop(DELETED_ASSESSMENTS), **counts}
