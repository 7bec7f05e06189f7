"""Colleagues answering one assessment each on their own (issue 15): respond links and their responses.

A respond link is a capability link like the view and edit links (app/links.py: derived from the server
secret, only its hash stored, revocable, optional expiry). What a respondent submits is kept apart from
the assessment's answers; the owner moves an answer across by resolving a question, which saves the
assessment through `app.assessments.save_answers` and so becomes a revision in its history.

Functions take the session keyword-only and only flush, like app/assessments.py.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from app import assessments as store
from app.advisor import ENGINE_VERSION, Answers, recommend
from app.advisor.disagreements import Disagreements, disagreements
from app.links import hash_token, looks_like_token, new_id, new_nonce, shown_token
from app.models import Assessment, Respondent, RespondentAnswers, utcnow

# The `kind` mixed into a respond link's token: a view or edit token can never equal one.
LINK_KIND = "respond"


class UnknownQuestion(store.AssessmentError):
    """A resolution named a question the answers do not have."""


class InvalidAnswer(store.AssessmentError):
    """A resolution's answer is not a valid answer to its question."""


@dataclass(frozen=True)
class Invitee:
    """A respondent and what they submitted (None until they do)."""

    respondent: Respondent
    response: RespondentAnswers | None

    @property
    def live(self) -> bool:
        return link_is_live(self.respondent)


def invite(assessment: Assessment, name: str, *, session: Session, secret: bytes,
           expires_at: datetime | None = None) -> tuple[Respondent, str]:
    """A new respond link for one named person; returns it with its token (shown to the owner once)."""
    respondent = Respondent(id=new_id(), assessment_id=assessment.id, name=store.storable_text(name.strip()),
                            link_nonce=new_nonce(), token_hash="", expires_at=expires_at)
    token = respond_token(respondent, secret)
    respondent.token_hash = hash_token(token)
    session.add(respondent)
    session.flush()
    return respondent, token


def respond_token(respondent: Respondent, secret: bytes) -> str:
    return shown_token(secret, respondent.token_hash, LINK_KIND, respondent.id, respondent.link_nonce)


def link_is_live(respondent: Respondent, now: datetime | None = None) -> bool:
    # Same rule as the view and edit links: not revoked and not past its expiry.
    return store.link_is_live(respondent, now)


def respondent_by_token(token: str, *, session: Session) -> tuple[Respondent, Assessment]:
    """What a respond link opens: its respondent and assessment, or NotFound (revoked, expired, deleted)."""
    if not looks_like_token(token):
        raise store.NotFound("no such link")
    query = (select(Respondent, Assessment).join(Assessment, Assessment.id == Respondent.assessment_id)
             .where(Respondent.token_hash == hash_token(token)))
    row = session.exec(query).first()
    if row is None:
        raise store.NotFound("no such link")
    respondent, assessment = row
    if not link_is_live(respondent) or assessment.deleted_at is not None:
        raise store.NotFound("this link was revoked, has expired, or its assessment was deleted")
    return respondent, assessment


def respondent_of(assessment: Assessment, respondent_id: str, *, session: Session) -> Respondent:
    respondent = session.get(Respondent, respondent_id)
    if respondent is None or respondent.assessment_id != assessment.id:
        raise store.NotFound("no such respondent of this assessment")
    return respondent


def invitees(assessment: Assessment, *, session: Session) -> list[Invitee]:
    """Everyone invited to this assessment, in the order invited, with their response if any."""
    query = (select(Respondent, RespondentAnswers)
             .join(RespondentAnswers, RespondentAnswers.respondent_id == Respondent.id, isouter=True)
             .where(Respondent.assessment_id == assessment.id)
             .order_by(Respondent.created_at, Respondent.id))
    return [Invitee(respondent, response) for respondent, response in session.exec(query)]


def responses(assessment: Assessment, *, session: Session) -> list[RespondentAnswers]:
    """The submitted responses, in the order their respondents were invited."""
    return [i.response for i in invitees(assessment, session=session) if i.response is not None]


def save_response(respondent: Respondent, *, session: Session, answers: dict | Answers,
                  notes: dict | None = None) -> RespondentAnswers:
    """Store (or replace) what this respondent answered, with the engine's result for it."""
    answers = store.normalise_answers(answers)
    notes = {k: store.storable_text(v) for k, v in sorted((notes or {}).items()) if v and v.strip()}
    result = recommend(answers).model_dump(mode="json")
    response = session.get(RespondentAnswers, respondent.id)
    if response is None:
        response = RespondentAnswers(respondent_id=respondent.id, assessment_id=respondent.assessment_id,
                            name=respondent.name, verdict="", engine_version=ENGINE_VERSION)
    response.answers = answers
    response.notes = notes
    response.recommendation = result
    response.verdict = result["verdict"]
    response.engine_version = result["engine_version"]
    response.submitted_at = utcnow()
    session.add(response)
    session.flush()
    return response


def revoke(respondent: Respondent, *, session: Session) -> None:
    """The link stops at once; an answer already submitted stays in the comparison."""
    respondent.revoked_at = utcnow()
    session.add(respondent)
    session.flush()


def compare(assessment: Assessment, *, session: Session, found: list[RespondentAnswers] | None = None
            ) -> Disagreements:
    """The disagreement view's content: the assessment's answers against each submitted response."""
    found = responses(assessment, session=session) if found is None else found
    return disagreements(assessment.answers, [(r.name, r.answers) for r in found])


def resolve(assessment: Assessment, question: str, value: object, *, session: Session,
            expected_version: int) -> Assessment:
    """Take `value` (None: unanswered) as the assessment's answer to `question`: a save like any other,
    so it records a revision, and is refused as StaleRevision if someone saved since `expected_version`."""
    if question not in Answers.model_fields:
        raise UnknownQuestion(f"no question {question!r}")
    answers = {k: v for k, v in assessment.answers.items() if k != question}
    if value is not None:
        answers[question] = value
    try:
        valid = Answers.model_validate(answers)
    except ValueError as error:
        raise InvalidAnswer(f"not a valid answer to {question!r}") from error
    return store.save_answers(assessment, session=session, expected_version=expected_version,
                              answers=valid, notes=assessment.notes)
