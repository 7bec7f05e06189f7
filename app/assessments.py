"""The one module that reads and writes workspaces, assessments, their revisions and their links.

Functions take the session keyword-only and only flush: the request's session dependency commits.
They raise the named errors below; the web and API edges turn those into pages and status codes.
"""

import functools
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, NamedTuple, TypeVar

from sqlalchemy import (
    ARRAY,
    JSON,
    Connection,
    Select,
    String,
    any_,
    bindparam,
    cast,
    exists,
    func,
    insert,
    literal,
    true,
    update,
)
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import defer, object_session
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, select

from app.advisor import ENGINE_VERSION, Answers, Recommendation
from app.advisor.costs import DEFAULT_ASSUMPTIONS
from app.advisor.engine import evaluate
from app.advisor.words import VERDICTS
from app.links import hash_token, looks_like_token, new_id, new_nonce, shown_token
from app.models import PENDING, Assessment, IdempotencyKey, Revision, ShareLink, Workspace, utcnow, worked_out
from app.questionnaire import QUESTIONNAIRE_VERSION

LinkKind = Literal["view", "edit"]
SORTS = {
    "updated": (Assessment.updated_at.desc(), Assessment.id.desc()),
    "created": (Assessment.created_at.desc(), Assessment.id.desc()),
    "name": (Assessment.name_lower.asc(), Assessment.id.asc()),
}


class AssessmentError(Exception):
    """Base of the store's domain errors."""


class NotFound(AssessmentError):
    """Unknown, revoked or expired link, or an id outside the workspace: always answered as 404."""


class StaleRevision(AssessmentError):
    """A save started from an older version than the stored one (someone else saved meanwhile)."""

    def __init__(self, current: Assessment, submitted_answers: dict, submitted_notes: dict):
        super().__init__(f"assessment {current.id} is at version {current.version}")
        self.current = current
        self.submitted_answers = submitted_answers
        self.submitted_notes = submitted_notes


class IdempotencyConflict(AssessmentError):
    """The same idempotency key was sent before with a different request."""


class ReplayRefused(AssessmentError):
    """A replayed create whose links were renewed or revoked (or whose assessment was deleted) since
    the first request: answering it would hand out the current links, so it is refused (issue 17)."""


# How long a create can be replayed by its idempotency key (issue 17; Stripe keeps keys 24 hours, the
# IETF Idempotency-Key draft leaves the window to the server). Older keys are forgotten.
IDEMPOTENCY_TTL = timedelta(hours=24)
# The scope of a key sent without a workspace: a create that makes its own workspace.
NO_WORKSPACE = "new"


def storable_text(text: str) -> str:
    """Text both databases store alike: PostgreSQL refuses NUL characters and lone surrogates."""
    return text.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")


# --- workspaces ---------------------------------------------------------------------------


def create_workspace(*, session: Session, secret: bytes) -> tuple[Workspace, str]:
    workspace = Workspace(id=new_id(), link_nonce=new_nonce(), token_hash="")
    token = workspace_token(workspace, secret)
    workspace.token_hash = hash_token(token)
    session.add(workspace)
    session.flush()
    return workspace, token


def workspace_token(workspace: Workspace, secret: bytes) -> str:
    return shown_token(secret, workspace.token_hash, "workspace", workspace.id, workspace.link_nonce)


def workspace_by_token(token: str, *, session: Session) -> Workspace:
    if not looks_like_token(token):
        raise NotFound("no such workspace")
    workspace = session.exec(select(Workspace).where(Workspace.token_hash == hash_token(token))).first()
    if workspace is None:
        raise NotFound("no such workspace")
    return workspace


def renew_workspace_link(workspace: Workspace, *, session: Session, secret: bytes) -> str:
    """A new workspace link; the old one stops working at once."""
    workspace.link_nonce = new_nonce()
    token = workspace_token(workspace, secret)
    workspace.token_hash = hash_token(token)
    session.add(workspace)
    session.flush()
    return token


# --- assessments --------------------------------------------------------------------------

# Editing sessions (issue 14 item 6). History keeps one revision per editing session, not one per save:
# a wizard save (step button or autosave, from the edit link) joins the newest revision of the
# assessment when that revision's session is open and its last save is less than this long ago. A
# wizard save that finishes (the last step's button, or "see the result") joins, then closes the
# session; so does a pause this long. Every other change (API, import, re-evaluation, duplicate, the
# data check) records a revision of its own. The assessment's version still moves on every save, so a
# page holding an older version is refused as before (R22); only the history is coalesced.
EDITING_SESSION_PAUSE = timedelta(minutes=30)
EditingSave = Literal["continue", "finish"]


def _evaluate(answers: dict, saved_at: datetime) -> dict:
    return worked_out(answers, saved_at)


def _apply_result(assessment: Assessment, result: dict) -> None:
    """A new assessment's result, set before its INSERT (a save writes `_result_values` itself)."""
    for key, value in _result_values(result).items():
        setattr(assessment, key, value)


def _result_values(result: dict) -> dict:
    """The assessment's attributes that hold a worked-out result."""
    return {"stored_recommendation": result, "stored_confidence": result["confidence"],
            "verdict": result["verdict"], "questionnaire_version": result["questionnaire_version"],
            "engine_version": result["engine_version"]}


def _verdict_values(given: dict, saved_at: datetime) -> dict:
    """The verdict alone (the engine's scoring, about 0.03 ms), the full result left to its first read.

    The full result (flips, costs, risks: 1-2 ms, most of a wizard save's CPU) is worked out once per
    version by whoever reads it first (`recommendation_of`), for the same day, so it is the result the
    save would have stored. The verdict is stored now: lists filter and sort on it.
    """
    return {"verdict": evaluate(given, DEFAULT_ASSUMPTIONS, saved_at.date()).verdict,
            "stored_recommendation": {}, "stored_confidence": PENDING,
            "questionnaire_version": QUESTIONNAIRE_VERSION, "engine_version": ENGINE_VERSION}


def _record_revision(assessment: Assessment, reason: str, *, session: Session,
                     session_open: bool = False) -> Revision:
    revision = Revision(
        assessment_id=assessment.id,
        # The next number, worked out by the INSERT itself: no round trip to read the last one.
        number=select(func.coalesce(func.max(Revision.number), 0) + 1)
        .where(Revision.assessment_id == assessment.id)
        .scalar_subquery(),
        reason=reason,
        answers=assessment.answers,
        notes=assessment.notes,
        stored_recommendation=assessment.stored_recommendation,
        verdict=assessment.verdict,
        questionnaire_version=assessment.questionnaire_version,
        engine_version=assessment.engine_version,
    )
    if session_open:
        revision.saved_at, revision.session_open = assessment.updated_at, True
    session.add(revision)
    return revision


_REVISIONS = Revision.__table__
_NEWEST_NUMBER = (select(func.max(_REVISIONS.c.number))
                  .where(_REVISIONS.c.assessment_id == bindparam("assessment"))
                  .scalar_subquery())
# Core statements, built once (building a statement costs more than running it). The UPDATE joins the
# open session's revision: the newest one, open, saved within the pause.
_JOIN_SESSION = (
    update(_REVISIONS)
    .where(_REVISIONS.c.assessment_id == bindparam("assessment"), _REVISIONS.c.number == _NEWEST_NUMBER,
           _REVISIONS.c.session_open == true(), _REVISIONS.c.saved_at > bindparam("since"))
)
_NEW_SESSION_REVISION = insert(_REVISIONS).values(
    number=select(func.coalesce(func.max(_REVISIONS.c.number), 0) + 1)
    .where(_REVISIONS.c.assessment_id == bindparam("assessment"))
    .scalar_subquery())
_CLOSE_SESSIONS = (update(_REVISIONS)
                   .where(_REVISIONS.c.assessment_id == bindparam("assessment"),
                          _REVISIONS.c.session_open == true())
                   .values(session_open=False))


def _session_revision(assessment, editing: EditingSave, *, session: Session | Connection) -> None:
    """Write the saved state into the editing session's revision, or start one (see EDITING_SESSION_PAUSE)."""
    now = assessment.updated_at
    state = {"answers": assessment.answers, "notes": assessment.notes,
             "recommendation": assessment.stored_recommendation, "verdict": assessment.verdict,
             "questionnaire_version": assessment.questionnaire_version,
             "engine_version": assessment.engine_version, "saved_at": now,
             "session_open": editing == "continue"}
    # The parameters named after columns are what the statements set.
    joined = session.execute(_JOIN_SESSION, state | {"assessment": assessment.id,
                                                      "since": now - EDITING_SESSION_PAUSE})
    if joined.rowcount:
        return
    session.execute(_NEW_SESSION_REVISION, state | {"assessment": assessment.id,
                                                     "assessment_id": assessment.id, "reason": "edited",
                                                     "created_at": now})


def _close_session(assessment: Assessment, *, session: Session) -> None:
    session.execute(_CLOSE_SESSIONS, {"assessment": assessment.id})


def normalise_answers(answers: dict | Answers) -> dict:
    """Validated answers as plain JSON, unknown values dropped: the stored and compared form."""
    model = answers if isinstance(answers, Answers) else Answers.model_validate(answers)
    return model.model_dump(mode="json", exclude_none=True)


def _clean_notes(notes: dict | None) -> dict:
    return {key: storable_text(text) for key, text in sorted((notes or {}).items()) if text and text.strip()}


def create_assessment(
    *,
    session: Session,
    secret: bytes,
    workspace: Workspace,
    name: str,
    answers: dict | Answers,
    notes: dict | None = None,
    reason: str = "created",
    status: str = "draft",
    idempotency_key: str | None = None,
    fresh_workspace: bool = False,
    editing_session: bool = False,
) -> Assessment:
    """A new assessment with its links and first revision.

    With `idempotency_key`, a repeat of the same request returns the first one's assessment. A key is
    scoped to the workspace the request names; when the caller made `workspace` for this request
    (`fresh_workspace`) the scope is "no workspace" and a repeat is recognised by the key and the
    content alone. See `replay_of` for what a repeat must match.

    `editing_session`: made by the wizard's first step, so its first revision stays open for the rest of
    the walk (see EDITING_SESSION_PAUSE).
    """
    answers = normalise_answers(answers)
    notes = _clean_notes(notes)
    name = storable_text(name)
    if not idempotency_key:
        return _insert_assessment(session, secret, workspace, name, answers, notes, reason, status, None,
                                  editing_session)
    scope = None if fresh_workspace else workspace
    replay = _replayed(idempotency_key, scope, name, answers, notes, session=session)
    if replay is not None:
        return replay
    stored_key = scoped_key(idempotency_key, scope)
    try:
        with session.begin_nested():
            return _insert_assessment(session, secret, workspace, name, answers, notes, reason, status,
                                      stored_key, editing_session)
    except IntegrityError:
        # The same request ran at the same time and committed first: PostgreSQL made this one wait on
        # the key, then refused it. Answer with what the first one created, after dropping the objects
        # this attempt left pending (else the look-up's autoflush would insert them again).
        for pending in list(session.new):
            session.expunge(pending)
        replay = _replayed(idempotency_key, scope, name, answers, notes, session=session)
        if replay is None:
            raise
        return replay


def _insert_assessment(session: Session, secret: bytes, workspace: Workspace, name: str, answers: dict,
                       notes: dict, reason: str, status: str, idempotency_key: str | None,
                       editing_session: bool = False) -> Assessment:
    now = utcnow()
    assessment = Assessment(
        id=new_id(),
        workspace_id=workspace.id,
        name=name,
        name_lower=name.lower(),
        answers=answers,
        notes=notes,
        status=status,
        created_at=now,
        updated_at=now,
        verdict="",
        questionnaire_version=QUESTIONNAIRE_VERSION,
        engine_version=ENGINE_VERSION,
    )
    _apply_result(assessment, _evaluate(answers, now))
    session.add(assessment)
    session.flush()
    for kind in ("view", "edit"):
        _new_link(assessment, kind, session=session, secret=secret)
    _record_revision(assessment, reason, session=session, session_open=editing_session)
    if idempotency_key:
        session.flush()  # the links, so their nonces are recorded with the key
        session.add(
            IdempotencyKey(
                key=idempotency_key,
                request_hash=_request_hash(name, answers, notes),
                links_hash=_links_hash(assessment, workspace, session=session),
                assessment_id=assessment.id,
            )
        )
    session.flush()
    return assessment


def _request_hash(name: str, answers: dict, notes: dict) -> str:
    body = json.dumps([name, answers, notes], sort_keys=True)
    return hashlib.sha256(body.encode()).hexdigest()


def scoped_key(key: str, workspace: Workspace | None) -> str:
    """The stored form of a client's idempotency key: bound to the workspace the request names (or to
    "no workspace"), so a key sent into another workspace is another key. Hashed, so the table holds no
    key a client could replay."""
    scope = workspace.id if workspace is not None else NO_WORKSPACE
    return hashlib.sha256(f"{scope}\x00{key}".encode()).hexdigest()


def _links_hash(assessment: Assessment, workspace: Workspace, *, session: Session) -> str:
    """A fingerprint of the link nonces the create handed out: renewing any link changes it."""
    nonces = sorted((link.kind, link.link_nonce) for link in links_of(assessment, session=session).values())
    body = json.dumps([nonces, workspace.link_nonce])
    return hashlib.sha256(body.encode()).hexdigest()


def _expired(seen: IdempotencyKey, now: datetime) -> bool:
    created = seen.created_at
    if created.tzinfo is None:  # SQLite hands back naive datetimes (stored as UTC)
        created = created.replace(tzinfo=now.tzinfo)
    return created + IDEMPOTENCY_TTL <= now


def replay_of(key: str, workspace: Workspace | None, *, name: str, answers: dict | Answers,
              notes: dict | None, session: Session) -> Assessment | None:
    """The assessment an earlier create with this key made, when this request repeats it; else None.

    A repeat names the same workspace (`None`: a create that makes its own), sends the same name,
    answers and notes (else IdempotencyConflict), within IDEMPOTENCY_TTL of the first, and finds the
    links the first one handed out unchanged: renewed, revoked or expired links, a renewed workspace
    link or a deleted assessment raise ReplayRefused, so a replay never reveals the current links
    (renewing is the cure for a leaked link, issue 17).
    """
    return _replayed(key, workspace, storable_text(name), normalise_answers(answers), _clean_notes(notes),
                     session=session)


def _replayed(key: str, scope: Workspace | None, name: str, answers: dict, notes: dict, *,
              session: Session) -> Assessment | None:
    stored_key = scoped_key(key, scope)
    seen = session.get(IdempotencyKey, stored_key)
    if seen is None:
        return None
    now = utcnow()
    if _expired(seen, now):
        # Forgotten: the key may make a new assessment. Older keys go with it (an indexed range).
        cutoff = now - IDEMPOTENCY_TTL
        session.execute(IdempotencyKey.__table__.delete().where(IdempotencyKey.created_at <= cutoff))
        session.expunge(seen)
        return None
    if seen.request_hash != _request_hash(name, answers, notes):
        raise IdempotencyConflict("this idempotency key was used for a different request")
    first = session.get(Assessment, seen.assessment_id)
    workspace = session.get(Workspace, first.workspace_id)
    links = links_of(first, session=session)
    live = first.deleted_at is None and all(link_is_live(link, now) for link in links.values())
    if not live or seen.links_hash != _links_hash(first, workspace, session=session):
        raise ReplayRefused("the links of this assessment were renewed or revoked since it was created")
    return first


def save_answers(
    assessment: Assessment,
    *,
    session: Session,
    expected_version: int,
    answers: dict | Answers,
    notes: dict | None = None,
    name: str | None = None,
    status: str | None = None,
    editing_session: EditingSave | None = None,
) -> Assessment:
    """Store new answers if nobody saved since `expected_version`; a change records a revision.

    Without `editing_session` (the API, the data check) each change is a revision of its own and the
    result is worked out now. A wizard save names its place in an editing session ("continue", or
    "finish" for the save that ends the walk): it joins the session's revision, and leaves the full
    result to its first read (`recommendation_of`). A save that changes nothing writes nothing (a
    "finish" only closes the session).
    """
    plan = plan_save(assessment, expected_version=expected_version, answers=answers, notes=notes, name=name,
                     status=status, editing_session=editing_session)
    values, answers, notes, changed = plan.values, plan.answers, plan.notes, plan.changed
    if not values:
        if editing_session == "finish":
            _close_session(assessment, session=session)
        return assessment
    if editing_session and writes_in_one_statement(session):
        statement, parameters = wizard_save_statement(assessment, plan, editing_session)
        counts = session.execute(statement, parameters).one()
        _refuse_or_hold(assessment, values, counts.saved == 1, session=session, answers=answers, notes=notes)
        return assessment
    _write_or_refuse(assessment, values, session=session, answers=answers, notes=notes)
    if changed and not editing_session:
        _record_revision(assessment, "edited", session=session)
    if changed and editing_session:
        _session_revision(assessment, editing_session, session=session)
    elif editing_session == "finish":
        _close_session(assessment, session=session)
    return assessment


@dataclass(frozen=True)
class PlannedSave:
    """What a save writes: `values` (attribute -> value, updated_at included; empty when nothing changes),
    and the answers and notes as stored."""

    values: dict
    answers: dict
    notes: dict
    changed: bool  # the answers or notes change (not only the name or status)


def plan_save(assessment, *, expected_version: int, answers: dict | Answers, notes: dict | None = None,
              name: str | None = None, status: str | None = None,
              editing_session: EditingSave | None = None) -> PlannedSave:
    """What save_answers writes into `assessment` (an Assessment, or an EditedAssessment), or StaleRevision
    when it is no longer at `expected_version`. Decides only: writes nothing."""
    model = answers if isinstance(answers, Answers) else Answers.model_validate(answers)
    answers = normalise_answers(model)
    notes = _clean_notes(notes)
    if expected_version != assessment.version:
        raise StaleRevision(assessment, answers, notes)
    changed = answers != assessment.answers or notes != assessment.notes
    name = None if name is None else storable_text(name)
    now = utcnow()
    values = {}
    if changed:
        values |= {"answers": answers, "notes": notes}
        if editing_session:
            values |= _verdict_values(model.model_dump(exclude_none=True), now)  # what recommend() scores
        else:
            values |= _result_values(_evaluate(answers, now))
    if name is not None and name != assessment.name:
        values |= {"name": name, "name_lower": name.lower()}
    if status is not None and status != assessment.status:
        values["status"] = status
    return PlannedSave(values | {"updated_at": now} if values else {}, answers, notes, changed)


_ASSESSMENTS = Assessment.__table__
# The table's column of each attribute (the stored result's attributes are named apart from their columns).
_COLUMN_NAMES = {attribute.key: attribute.columns[0].name for attribute in Assessment.__mapper__.column_attrs}
# The parameters named after columns are what the statement sets (as _JOIN_SESSION's).
_SAVE = update(_ASSESSMENTS).where(_ASSESSMENTS.c.id == bindparam("assessment"),
                                   _ASSESSMENTS.c.version == bindparam("read"))


def _write_or_refuse(assessment: Assessment, values: dict, *, session: Session, answers: dict,
                     notes: dict) -> None:
    """Write `values` (attribute -> value) and the next version, unless someone saved the same assessment
    since it was read (R22); the object then holds them as written, with nothing left for a flush.

    One Core UPDATE in place of the ORM's unit of work, whose flush was half of a save's CPU (0.5 of 1.0 ms).
    """
    written = _written(assessment, values, session)
    _refuse_or_hold(assessment, values, written, session=session, answers=answers, notes=notes)


def _written(assessment, values: dict, executor: Session | Connection) -> bool:
    """Whether `values` were written, with the next version: only if nobody saved since it was read."""
    read = assessment.version
    parameters = {_COLUMN_NAMES[key]: value for key, value in values.items()}
    written = executor.execute(_SAVE, parameters | {"version": read + 1, "assessment": assessment.id,
                                                      "read": read})
    return written.rowcount == 1


def save_edited(assessment: "EditedAssessment", plan: PlannedSave, *, connection: Connection) -> bool:
    """A wizard save that continues its editing session, of `plan` into `assessment`, on `connection` in its
    transaction (SQLite's step post on the event loop, app.web.loop_saves): the assessment's UPDATE if it is
    still at the version read, and its editing session's revision, as save_answers writes them. False,
    with nothing written, when someone saved first."""
    if not _written(assessment, plan.values, connection):
        return False
    assessment.hold(plan.values)
    if plan.changed:
        _session_revision(assessment, "continue", session=connection)
    return True


def _refuse_or_hold(assessment: Assessment, values: dict, written: bool, *, session: Session, answers: dict,
                    notes: dict) -> None:
    if not written:
        # Nothing of ours was written. End the transaction, so the read sees what they saved.
        session.rollback()
        raise StaleRevision(session.get(Assessment, assessment.id), answers, notes) from None
    for key, value in values.items():
        set_committed_value(assessment, key, value)
    set_committed_value(assessment, "version", assessment.version + 1)


def writes_in_one_statement(session: Session) -> bool:
    """Whether a wizard save is one statement here: on PostgreSQL, where each statement is a network
    round trip. The wizard's step post then needs no transaction around it (app.db.each_statement_commits)."""
    return session.get_bind().dialect.name == "postgresql"


# The revision columns a wizard save writes into its session's revision; their parameters are named (and
# valued) as the assessment's columns of the same name. (SQLAlchemy also sets any column named like an
# execution parameter in every UPDATE of the statement: no other parameter may be named after a column.)
_SESSION_COLUMNS = ("answers", "notes", "recommendation", "verdict", "questionnaire_version",
                    "engine_version", "saved_at", "session_open")


@functools.cache
def _one_statement(columns: frozenset[str], revision: str | None):
    """The assessment's UPDATE (only if nobody saved since it was read) and what it does to the editing
    session's revision ("join": write into the open one, or start one; "close"; or nothing), as one
    PostgreSQL statement: data-modifying CTEs, each seeing the table as it was before the statement, so
    the revision is only touched when the assessment's UPDATE matched (R22). Built once per shape."""
    def parameter(table, column: str):
        return bindparam(column, type_=table.c[column].type)

    saved = (update(_ASSESSMENTS)
             .where(_ASSESSMENTS.c.id == bindparam("assessment"), _ASSESSMENTS.c.version == bindparam("read"))
             .values({column: parameter(_ASSESSMENTS, column) for column in sorted(columns | {"version"})})
             .returning(_ASSESSMENTS.c.id)
             .cte("saved"))
    counted = [saved]
    mine = _REVISIONS.c.assessment_id.in_(select(saved.c.id))
    if revision == "join":
        joined = (update(_REVISIONS)
                  .where(mine, _REVISIONS.c.number == _NEWEST_NUMBER, _REVISIONS.c.session_open == true(),
                         _REVISIONS.c.saved_at > bindparam("since"))
                  .values({column: parameter(_REVISIONS, column) for column in _SESSION_COLUMNS})
                  .returning(_REVISIONS.c.number)
                  .cte("joined"))
        next_number = (select(func.coalesce(func.max(_REVISIONS.c.number), 0) + 1)
                       .where(_REVISIONS.c.assessment_id == bindparam("assessment"))
                       .scalar_subquery())
        started_columns = ("assessment_id", "number", "reason", "created_at", *_SESSION_COLUMNS)
        started = (insert(_REVISIONS)
                   .from_select(started_columns, select(
                       saved.c.id, next_number, literal("edited", String),
                       bindparam("started", type_=_REVISIONS.c.created_at.type),
                       *(parameter(_REVISIONS, column) for column in _SESSION_COLUMNS))
                       .where(~exists(select(joined.c.number))))
                   .returning(_REVISIONS.c.number)
                   .cte("started"))
        counted += [joined, started]
    elif revision == "close":
        counted.append(update(_REVISIONS).where(mine, _REVISIONS.c.session_open == true())
                       .values(session_open=False).returning(_REVISIONS.c.number).cte("closed"))
    # Every CTE is counted: SQLAlchemy writes only the ones the query names (PostgreSQL runs all it is given).
    return select(*(select(func.count()).select_from(cte).scalar_subquery().label(cte.name)
                    for cte in counted))


def wizard_save_statement(assessment, plan: PlannedSave, editing_session: EditingSave) -> tuple[Select, dict]:
    """A wizard save of `plan` (values to write) as one PostgreSQL statement and its parameters: the
    assessment's UPDATE if it is still at the version read, and its editing session's revision. The
    statement's row counts the assessments it saved (`saved`: 1, or 0 when someone saved first)."""
    revision = "join" if plan.changed else ("close" if editing_session == "finish" else None)
    read, now = assessment.version, plan.values["updated_at"]
    parameters = {_COLUMN_NAMES[key]: value for key, value in plan.values.items()}
    statement = _one_statement(frozenset(parameters), revision)
    if revision == "join":
        parameters |= {"saved_at": now, "started": now, "session_open": editing_session == "continue",
                       "since": now - EDITING_SESSION_PAUSE}
    return statement, parameters | {"version": read + 1, "assessment": assessment.id, "read": read}


# A worked-out result is kept for the version it was worked out for, without a new version: the answers
# did not change, so a page holding that version stays current.
_KEEP_RESULT = (update(_ASSESSMENTS)
                .where(_ASSESSMENTS.c.id == bindparam("assessment"),
                       _ASSESSMENTS.c.version == bindparam("read"), _ASSESSMENTS.c.confidence < 0))
_KEEP_REVISION_RESULT = (update(_REVISIONS)
                         .where(_REVISIONS.c.assessment_id == bindparam("assessment"),
                                _REVISIONS.c.number == _NEWEST_NUMBER,
                                _REVISIONS.c.saved_at == bindparam("saved"),
                                cast(_REVISIONS.c.recommendation, String) == "{}"))


def recommendation_of(assessment: Assessment) -> Recommendation:
    """The assessment's result, typed. A result a wizard save left pending is worked out here and kept
    (with its session's revision), so it is worked out once per version."""
    if getattr(assessment, "result_pending", False):  # an old revision's result (AsItWas) is read as stored
        keep_result(assessment)
    return Recommendation.model_validate(assessment.recommendation)


def keep_result(assessment: Assessment) -> None:
    """Work out a pending result and store it for the version read; a no-op when it is stored.

    Best effort: when the row moved on meanwhile (a newer version) nothing is written, and when the
    database will not take a write now (a read that found SQLite's write lock taken) the result is
    still right for this request and is worked out again by the next read.
    """
    if not assessment.result_pending:
        return
    result = assessment.recommendation  # works it out
    session = object_session(assessment)
    if session is None:
        return
    try:
        with session.begin_nested():
            session.execute(_KEEP_RESULT, {"recommendation": result, "confidence": result["confidence"],
                                           "assessment": assessment.id, "read": assessment.version})
            session.execute(_KEEP_REVISION_RESULT, {"recommendation": result, "assessment": assessment.id,
                                                    "saved": assessment.updated_at})
    except OperationalError:
        pass


def needs_reevaluation(assessment: Assessment) -> bool:
    return (
        assessment.questionnaire_version != QUESTIONNAIRE_VERSION
        or assessment.engine_version != ENGINE_VERSION
    )


def reevaluate(assessment: Assessment, *, session: Session) -> tuple[dict, dict]:
    """Judge the stored answers with the current rules; returns (old result, new result)."""
    old = assessment.recommendation
    answers = normalise_answers(assessment.answers)
    now = utcnow()
    values = _result_values(_evaluate(answers, now)) | {"answers": answers, "updated_at": now}
    _write_or_refuse(assessment, values, session=session, answers=answers, notes=assessment.notes)
    _record_revision(assessment, "re-evaluated", session=session)
    return old, assessment.recommendation


def duplicate(assessment: Assessment, *, session: Session, secret: bytes, name: str) -> Assessment:
    workspace = session.get(Workspace, assessment.workspace_id)
    return create_assessment(
        session=session,
        secret=secret,
        workspace=workspace,
        name=name,
        answers=assessment.answers,
        notes=assessment.notes,
        reason="duplicated",
        status=assessment.status,
    )


def soft_delete(assessment: Assessment, *, session: Session) -> None:
    assessment.deleted_at = utcnow()
    session.add(assessment)
    session.flush()


def restore(assessment: Assessment, *, session: Session) -> None:
    assessment.deleted_at = None
    session.add(assessment)
    session.flush()


def get_in_workspace(workspace: Workspace, assessment_id: str, *, session: Session,
                     include_deleted: bool = False) -> Assessment:
    assessment = session.get(Assessment, assessment_id)
    if assessment is None or assessment.workspace_id != workspace.id:
        raise NotFound("no such assessment in this workspace")
    if assessment.deleted_at is not None and not include_deleted:
        raise NotFound("this assessment was deleted")
    return assessment


def revisions_of(assessment: Assessment, *, session: Session) -> list[Revision]:
    query = select(Revision).where(Revision.assessment_id == assessment.id).order_by(Revision.number.desc())
    return list(session.exec(query))


def get_revision(assessment: Assessment, number: int, *, session: Session) -> Revision:
    query = select(Revision).where(Revision.assessment_id == assessment.id, Revision.number == number)
    revision = session.exec(query).first()
    if revision is None:
        raise NotFound("no such revision")
    return revision


# --- listing --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    items: list[Assessment]
    page: int
    has_next: bool
    total: int | None = None


LIST_SKIPS = (Assessment.answers, Assessment.notes, Assessment.stored_recommendation)
# Deep offsets get slow on large tables; nobody pages this far by hand, search narrows instead.
MAX_PAGE = 500


def list_assessments(
    workspace: Workspace,
    *,
    session: Session,
    search: str = "",
    verdict: str | None = None,
    sort: str = "updated",
    page: int = 1,
    page_size: int = 20,
    deleted: bool = False,
) -> Page:
    # Lists show names, verdicts and dates: the answers and the result (about 10 kB of JSON a row) stay
    # unread unless asked for (half the list page's time was decoding them).
    query = select(Assessment).options(*(defer(column) for column in LIST_SKIPS))
    query = query.where(Assessment.workspace_id == workspace.id)
    query = query.where(Assessment.deleted_at.is_not(None) if deleted else Assessment.deleted_at.is_(None))
    search = storable_text(search).strip()
    if search:
        pattern = "%" + _escape_like(search.lower()) + "%"
        query = query.where(Assessment.name_lower.like(pattern, escape="\\"))
    if verdict in VERDICTS:
        query = query.where(Assessment.verdict == verdict)
    page = max(1, min(page, MAX_PAGE))
    if deleted:
        # Most recently deleted first, read in index order: sorting every deleted row (with its JSON)
        # by updated_at cost 0.6 s at 100,000 assessments (bench/bench_scale.py).
        query = query.order_by(Assessment.deleted_at.desc(), Assessment.updated_at.desc(),
                               Assessment.id.desc())
    else:
        query = query.order_by(*SORTS.get(sort, SORTS["updated"]))
    # One row more than a page tells whether a next page exists without a COUNT over the table.
    rows = list(session.exec(query.offset((page - 1) * page_size).limit(page_size + 1)))
    for row in rows[:page_size]:
        keep_result(row)  # the confidence column: rows a wizard save left pending (one or two, if any)
    return Page(items=rows[:page_size], page=page, has_next=len(rows) > page_size)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def name_in_use(workspace: Workspace, name: str, *, session: Session) -> bool:
    """Does a live assessment of the workspace have this name (ignoring case)?"""
    query = select(Assessment.id).where(
        Assessment.workspace_id == workspace.id, Assessment.name_lower == name.lower(),
        Assessment.deleted_at.is_(None),
    )
    return session.exec(query.limit(1)).first() is not None


def assessments_by_ids(workspace: Workspace, ids: list[str], *, session: Session) -> list[Assessment]:
    """The workspace's live assessments among `ids`, in the order asked."""
    if not ids:
        return []
    query = select(Assessment).where(
        Assessment.workspace_id == workspace.id, Assessment.id.in_(ids), Assessment.deleted_at.is_(None)
    )
    found = {a.id: a for a in session.exec(query)}
    return [found[i] for i in ids if i in found]


# --- share links ----------------------------------------------------------------------------


def _new_link(assessment: Assessment, kind: LinkKind, *, session: Session, secret: bytes) -> ShareLink:
    link = ShareLink(assessment_id=assessment.id, kind=kind, link_nonce=new_nonce(), token_hash="")
    link.token_hash = hash_token(link_token(link, secret))
    session.add(link)
    return link


def link_token(link: ShareLink, secret: bytes) -> str:
    return shown_token(secret, link.token_hash, link.kind, link.assessment_id, link.link_nonce)


def links_of(assessment: Assessment, *, session: Session) -> dict[str, ShareLink]:
    links = session.exec(select(ShareLink).where(ShareLink.assessment_id == assessment.id))
    return {link.kind: link for link in links}


def link_is_live(link: ShareLink, now: datetime | None = None) -> bool:
    now = now or utcnow()
    if link.revoked_at is not None:
        return False
    expires = link.expires_at
    if expires is not None and expires.tzinfo is None:  # SQLite hands back naive datetimes
        expires = expires.replace(tzinfo=now.tzinfo)
    return expires is None or expires > now


# The look-ups behind every link, built once: building a select costs more than running it. Pages
# read the stored result only when they show it, so the link look-up leaves it for later.
_LINK_AND_ASSESSMENT = (
    select(ShareLink, Assessment)
    .join(Assessment, Assessment.id == ShareLink.assessment_id)
    .where(ShareLink.token_hash == bindparam("token_hash"))
    .options(defer(Assessment.stored_recommendation))
)
_GRANT_COLUMNS = (
    select(ShareLink.kind, ShareLink.expires_at, ShareLink.revoked_at, Assessment.id, Assessment.version,
           Assessment.deleted_at)
    .join(Assessment, Assessment.id == ShareLink.assessment_id)
)
_GRANT = _GRANT_COLUMNS.where(ShareLink.token_hash == bindparam("token_hash"))
# The same for many links at once (PostgreSQL: = ANY of an array), each row ending with its token's hash.
_GRANTS = _GRANT_COLUMNS.add_columns(ShareLink.token_hash).where(
    ShareLink.token_hash == any_(bindparam("token_hashes", type_=ARRAY(String))))


@dataclass(frozen=True)
class Grant:
    """What a live link opens, read without the assessment itself: enough to serve a kept page."""

    assessment_id: str
    version: int
    kind: LinkKind


def assessment_by_token(token: str, *, session: Session, need: LinkKind,
                        include_deleted: bool = False) -> tuple[Assessment, ShareLink]:
    """The assessment a link opens: an edit link also views; a view link never edits.

    `include_deleted` lets an edit link reach its deleted assessment, for restoring it only.
    """
    row = session.exec(_LINK_AND_ASSESSMENT, params=_lookup_params(token)).first()
    if row is None:
        raise NotFound("no such link")
    link, assessment = row
    _refuse_unless_open(link, link.kind, assessment.deleted_at, need=need, include_deleted=include_deleted)
    return assessment, link


def grant_by_token(token: str, *, connection: Connection, need: LinkKind) -> Grant:
    """Like assessment_by_token, by the same rules, reading only the link and the assessment's version.

    A plain Core query on a connection: a third of the cost of the same query through a session.
    """
    row = connection.execute(_GRANT, _lookup_params(token)).first()
    if row is None:
        raise NotFound("no such link")
    _refuse_unless_open(row, row.kind, row.deleted_at, need=need, include_deleted=False)
    return Grant(row.id, row.version, row.kind)


class _GrantRow(NamedTuple):
    """A row of _GRANT, by the names link_is_live and _refuse_unless_open read."""

    kind: str
    expires_at: datetime | None
    revoked_at: datetime | None
    id: str
    version: int
    deleted_at: datetime | None


class _DriverLookUp:
    """A link's look-up done on the database driver's own connection (app.db.LoopConnection, on the event
    loop), by the same statement and rules as the store's own: compiled once for the driver's dialect, its
    values converted by the columns' own types. `sql` takes one token's hash; `sql_many` (PostgreSQL) a list
    of them, each row ending with its hash."""

    def __init__(self, one: Select, many: Select, dialect) -> None:
        self.sql = str(one.compile(dialect=dialect))
        self.sql_many = str(many.compile(dialect=dialect)) if dialect.name == "postgresql" else None
        self._converters = [_read_as_stored(column.type, dialect) for column in one.selected_columns]

    @staticmethod
    def key(token: str) -> str:
        """The statements' one parameter for `token` (NotFound: not a token at all)."""
        return _lookup_params(token)["token_hash"]

    def _values(self, found: tuple | None):
        if found is None:
            raise NotFound("no such link")
        return (convert(value) if convert and value is not None else value
                for convert, value in zip(self._converters, found[:len(self._converters)], strict=True))


_LookUp = TypeVar("_LookUp", bound=_DriverLookUp)
# Each look-up compiled once per kind and driver (dialect name and driver: one for SQLite, one for asyncpg).
_COMPILED_LOOK_UPS: dict[tuple[type, str, str], _DriverLookUp] = {}


def driver_look_up(kind: type[_LookUp], dialect) -> _LookUp:
    """The look-up of `kind` (DriverGrants, DriverEdits) compiled for `dialect`, kept for the next caller."""
    key = (kind, dialect.name, dialect.driver)
    if key not in _COMPILED_LOOK_UPS:
        _COMPILED_LOOK_UPS[key] = kind(dialect)
    return _COMPILED_LOOK_UPS[key]


def _read_as_stored(column_type, dialect):
    """The conversion of a column's value as the driver of `dialect` hands it back (asyncpg hands JSON back
    as its text: SQLAlchemy's asyncpg dialect decodes it in a codec of its own connections)."""
    convert = column_type.dialect_impl(dialect).result_processor(dialect, None)
    if convert is None and isinstance(column_type, JSON) and dialect.driver == "asyncpg":
        return json.loads
    return convert


class DriverGrants(_DriverLookUp):
    """grant_by_token, read through the driver. SQLAlchemy's execution around the 40 µs indexed read was half
    of a kept view page's cost on SQLite (cProfile of 3,000 pages in-process; 215 -> 130 µs a page
    without it)."""

    def __init__(self, dialect) -> None:
        super().__init__(_GRANT, _GRANTS, dialect)

    def grant(self, found: tuple | None, *, need: LinkKind) -> Grant:
        """The grant of a row either statement found (None: no such link)."""
        row = _GrantRow(*self._values(found))
        _refuse_unless_open(row, row.kind, row.deleted_at, need=need, include_deleted=False)
        return Grant(row.id, row.version, row.kind)


@dataclass
class EditedAssessment:
    """An assessment as the wizard's step post reads it through the driver (app.web.loop_saves): what a step
    shows and its save needs, with its workspace's token hash (its workspace link). Not an ORM object: a
    save is written by statements of its own (wizard_save_statement on PostgreSQL, save_edited on SQLite)
    and then held here (`hold`)."""

    id: str
    version: int
    name: str
    status: str
    answers: dict
    notes: dict
    updated_at: datetime
    workspace_token_hash: str | None

    def hold(self, values: dict) -> None:
        """The values a save wrote (attribute -> value, the result's among them when the answers changed:
        its revision is written from them), and the version it moved to."""
        for key, value in values.items():
            setattr(self, key, value)
        self.version += 1


class _EditLink(NamedTuple):
    """The first columns of a row of _EDITED, by the names link_is_live and _refuse_unless_open read; the
    rest are an EditedAssessment's."""

    kind: str
    expires_at: datetime | None
    revoked_at: datetime | None
    deleted_at: datetime | None


_EDITED_COLUMNS = (
    select(ShareLink.kind, ShareLink.expires_at, ShareLink.revoked_at, Assessment.deleted_at, Assessment.id,
           Assessment.version, Assessment.name, Assessment.status, Assessment.answers, Assessment.notes,
           Assessment.updated_at, Workspace.token_hash)
    .join(Assessment, Assessment.id == ShareLink.assessment_id)
    .outerjoin(Workspace, Workspace.id == Assessment.workspace_id)
)
_EDITED = _EDITED_COLUMNS.where(ShareLink.token_hash == bindparam("token_hash"))
_EDITED_MANY = _EDITED_COLUMNS.add_columns(ShareLink.token_hash).where(
    ShareLink.token_hash == any_(bindparam("token_hashes", type_=ARRAY(String))))


class DriverEdits(_DriverLookUp):
    """assessment_by_token(need="edit") for the wizard's step post, read through the driver: the link's
    rules, and the assessment as an EditedAssessment."""

    def __init__(self, dialect) -> None:
        super().__init__(_EDITED, _EDITED_MANY, dialect)

    def edited(self, found: tuple | None) -> EditedAssessment:
        """The assessment an edit link opens, of a row either statement found (None: no such link)."""
        values = list(self._values(found))
        link = _EditLink(*values[:len(_EditLink._fields)])
        _refuse_unless_open(link, link.kind, link.deleted_at, need="edit", include_deleted=False)
        return EditedAssessment(*values[len(_EditLink._fields):])


def _lookup_params(token: str) -> dict:
    if not looks_like_token(token):
        raise NotFound("no such link")
    return {"token_hash": hash_token(token)}


def _refuse_unless_open(link, kind: str, deleted_at: datetime | None, *, need: LinkKind,
                        include_deleted: bool) -> None:
    if need == "edit" and kind != "edit":
        raise NotFound("this link only views the assessment")
    if not link_is_live(link) or (deleted_at is not None and not include_deleted):
        raise NotFound("this link was revoked, has expired, or its assessment was deleted")


def renew_link(assessment: Assessment, kind: LinkKind, *, session: Session, secret: bytes) -> ShareLink:
    """A fresh token for the link (revocation lifted, expiry kept); the old token stops at once."""
    link = links_of(assessment, session=session)[kind]
    link.link_nonce = new_nonce()
    link.token_hash = hash_token(link_token(link, secret))
    link.revoked_at = None
    session.add(link)
    session.flush()
    return link


def revoke_link(assessment: Assessment, kind: LinkKind, *, session: Session) -> ShareLink:
    link = links_of(assessment, session=session)[kind]
    link.revoked_at = utcnow()
    session.add(link)
    session.flush()
    return link


def set_link_expiry(assessment: Assessment, kind: LinkKind, expires_at: datetime | None, *,
                    session: Session) -> ShareLink:
    link = links_of(assessment, session=session)[kind]
    link.expires_at = expires_at
    session.add(link)
    session.flush()
    return link
