"""Database tables. The schema itself comes only from the Alembic migrations in migrations/."""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Float,
    Index,
    Integer,
    MetaData,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Field, SQLModel

from app.advisor import recommend

# Named constraints let Alembic's batch mode rebuild SQLite tables and drop constraints by name.
SQLModel.metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# Longest assessment name accepted (R01).
MAX_NAME_LENGTH = 200
# Longest note on one question (R01: free text up to 2,000 characters).
MAX_NOTE_LENGTH = 2000


def utcnow() -> datetime:
    return datetime.now(UTC)


def worked_out(answers: dict, saved_at: datetime | None) -> dict:
    """The result of the engine for stored answers, as the day they were saved saw it (the prices the
    engine compares are dated): the same result whether it is worked out at the save or at a later read."""
    return recommend(answers, as_of=(saved_at or utcnow()).date()).model_dump(mode="json")


# A stored confidence below zero marks a result not worked out yet (issue 18): a wizard save stores the
# answers and the verdict (the engine's cheap first stage) and leaves the full result, with its flips,
# to the first read of that version. Readers never see the mark: `recommendation` and `confidence` work
# the result out when it is missing (and app.assessments.recommendation_of keeps it).
PENDING = -1.0


def _nullable_timestamp() -> Column:
    return Column(DateTime(timezone=True), nullable=True)


def _timestamp(**kwargs) -> Any:
    return Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False, **kwargs))


class Workspace(SQLModel, table=True):
    """A team's private space, reached only by its secret link."""

    id: str = Field(primary_key=True, max_length=32)
    # Link tokens are HMAC(server secret, id, nonce); the nonce lets us show a link again, the
    # SHA-256 of the token finds the row. A database dump alone opens nothing.
    link_nonce: str = Field(max_length=32)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = _timestamp()


# Optimistic lock (R22): every UPDATE of an assessment says `WHERE version = <the version read>` and
# sets the next one, so of two saves from the same version only the first can land, on every database
# and however many instances. The store's saves write that UPDATE themselves (`_write_or_refuse`); any
# other ORM update of an assessment gets it from SQLAlchemy's version counter (StaleDataError).
ASSESSMENT_VERSION = Column("version", Integer, nullable=False)


class Assessment(SQLModel, table=True):
    __mapper_args__ = {"version_id_col": ASSESSMENT_VERSION}
    __table_args__ = (
        # name_lower last: a name search walks this index in list order and reads only matching rows.
        Index("ix_assessment_workspace_updated", "workspace_id", "deleted_at", "updated_at", "id",
              "name_lower"),
        Index("ix_assessment_workspace_name", "workspace_id", "name_lower"),
    )

    id: str = Field(primary_key=True, max_length=32)
    workspace_id: str = Field(foreign_key="workspace.id", max_length=32)
    name: str = Field(max_length=MAX_NAME_LENGTH)
    # Lower-cased copy of the name: case-insensitive search the same way on SQLite and PostgreSQL.
    name_lower: str = Field(max_length=MAX_NAME_LENGTH)
    answers: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    notes: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # Stored result of recommend(answers) for this version, worked out once: at the save, or (after a
    # wizard save) when first read. Read it as `recommendation`, which fills it in when pending.
    stored_recommendation: dict = Field(default_factory=dict,
                                        sa_column=Column("recommendation", JSON, nullable=False))
    # Always the current answers' verdict, also while the full result is pending: lists filter on it.
    verdict: str = Field(max_length=32, index=True)
    stored_confidence: float = Field(default=PENDING, sa_column=Column("confidence", Float, nullable=False))
    questionnaire_version: int
    engine_version: str = Field(max_length=32)
    version: int = Field(default=1, sa_column=ASSESSMENT_VERSION)
    # The wizard step reached; "complete" once the team has seen the result.
    status: str = Field(default="draft", max_length=16)
    created_at: datetime = _timestamp()
    updated_at: datetime = _timestamp()
    deleted_at: datetime | None = Field(default=None, sa_column=_nullable_timestamp())

    @property
    def result_pending(self) -> bool:
        return self.stored_confidence < 0

    @property
    def recommendation(self) -> dict:
        if self.result_pending:
            self._work_out()
        return self.stored_recommendation

    @recommendation.setter
    def recommendation(self, result: dict) -> None:
        self.stored_recommendation = result
        self.stored_confidence = result["confidence"]

    @property
    def confidence(self) -> float:
        if self.result_pending:
            self._work_out()
        return self.stored_confidence

    def _work_out(self) -> None:
        # Set as if read from the database: the object stays clean, so no UPDATE (and no new version)
        # follows from reading. app.assessments.recommendation_of writes it back.
        result = worked_out(self.answers, self.updated_at)
        set_committed_value(self, "stored_recommendation", result)
        set_committed_value(self, "stored_confidence", result["confidence"])


class Revision(SQLModel, table=True):
    """A snapshot of an assessment: one per editing session that changed its answers, and one per create,
    re-evaluation, import or duplication (app.assessments explains the sessions)."""

    __table_args__ = (UniqueConstraint("assessment_id", "number"),)
    # The columns the database fills in are read when used, not returned by every INSERT.
    __mapper_args__ = {"eager_defaults": False}

    id: int | None = Field(default=None, primary_key=True)
    assessment_id: str = Field(foreign_key="assessment.id", max_length=32, index=True)
    number: int
    reason: str = Field(max_length=32)  # created | edited | re-evaluated | imported | duplicated
    answers: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    notes: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # `{}` while pending, like the assessment's (see PENDING); read it as `recommendation`.
    stored_recommendation: dict = Field(default_factory=dict,
                                        sa_column=Column("recommendation", JSON, nullable=False))
    verdict: str = Field(max_length=32)
    questionnaire_version: int
    engine_version: str = Field(max_length=32)
    created_at: datetime = _timestamp()
    # The last save written into this revision (by default the time it was made).
    saved_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=True,
                                                                     server_default=text("CURRENT_TIMESTAMP")))
    # An editing session still writing into this revision: later wizard saves within the session's
    # pause join it instead of adding one; a finished wizard (or any other kind of save) closes it.
    # No default on this side (nor for saved_at): a revision outside a session leaves both columns to the
    # database, so the store writes the rows it wrote before them (tests/test_migration_data.py).
    session_open: bool | None = Field(default=None,
                                      sa_column=Column(Boolean, nullable=False, server_default=false()))

    @property
    def recommendation(self) -> dict:
        if not self.stored_recommendation:
            set_committed_value(self, "stored_recommendation",
                                worked_out(self.answers, self.saved_at or self.created_at))
        return self.stored_recommendation

    @recommendation.setter
    def recommendation(self, result: dict) -> None:
        self.stored_recommendation = result


class ShareLink(SQLModel, table=True):
    """A view or edit link of one assessment; revoking or renewing acts on this row."""

    __table_args__ = (UniqueConstraint("assessment_id", "kind"),)

    id: int | None = Field(default=None, primary_key=True)
    assessment_id: str = Field(foreign_key="assessment.id", max_length=32)
    kind: str = Field(max_length=8)  # view | edit
    link_nonce: str = Field(max_length=32)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = _timestamp()
    expires_at: datetime | None = Field(default=None, sa_column=_nullable_timestamp())
    revoked_at: datetime | None = Field(default=None, sa_column=_nullable_timestamp())


class IdempotencyKey(SQLModel, table=True):
    """A create request already handled: a replay returns the same assessment (R24).

    `key` is the SHA-256 of the workspace scope and the client's key (app.assessments.scoped_key);
    `links_hash` fingerprints the link nonces handed out, so a replay after a renewal is refused.
    """

    key: str = Field(primary_key=True, max_length=64)
    request_hash: str = Field(max_length=64)
    links_hash: str = Field(default="", max_length=64)
    assessment_id: str = Field(foreign_key="assessment.id", max_length=32)
    # Indexed: expired keys are deleted by a range on it.
    created_at: datetime = _timestamp(index=True)


# Longest respondent name accepted: a person's name, shown in a table column.
MAX_RESPONDENT_NAME_LENGTH = 120


class Respondent(SQLModel, table=True):
    """A colleague invited to answer one assessment on their own (issue 15): a respond link like the
    view and edit links (token derived from the server secret, only its hash stored; revocable; may
    expire). Their answers live in `RespondentAnswers`, apart from the assessment's, until the owner
    resolves a difference."""

    id: str = Field(primary_key=True, max_length=32)
    assessment_id: str = Field(foreign_key="assessment.id", max_length=32, index=True)
    name: str = Field(max_length=MAX_RESPONDENT_NAME_LENGTH)
    link_nonce: str = Field(max_length=32)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = _timestamp()
    expires_at: datetime | None = Field(default=None, sa_column=_nullable_timestamp())
    revoked_at: datetime | None = Field(default=None, sa_column=_nullable_timestamp())


class RespondentAnswers(SQLModel, table=True):
    """One respondent's submitted answers and the engine's result for them (one row per respondent;
    a later submission replaces it). Table `response`."""

    __tablename__ = "response"

    respondent_id: str = Field(primary_key=True, foreign_key="respondent.id", max_length=32)
    assessment_id: str = Field(foreign_key="assessment.id", max_length=32, index=True)
    name: str = Field(max_length=MAX_RESPONDENT_NAME_LENGTH)
    answers: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    notes: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # recommend(answers) when submitted, like Assessment.recommendation: pages never recompute it.
    recommendation: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    verdict: str = Field(max_length=32)
    engine_version: str = Field(max_length=32)
    submitted_at: datetime = _timestamp()


class RateLimitHit(SQLModel, table=True):
    """Counted requests of one client under one rate limit in one minute, shared by every worker and
    instance (app.security.counters.DatabaseCounters); minutes past the window are deleted."""

    rule: str = Field(primary_key=True, max_length=32)
    client: str = Field(primary_key=True, max_length=64)  # an IPv6 address is at most 45 characters
    window_start: int = Field(primary_key=True)  # Unix time of the minute's start
    hits: int
