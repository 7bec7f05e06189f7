"""What a team does to a saved assessment besides answering: history, old results, re-evaluation,
what-if copies, delete with undo."""

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from app import assessments as store
from app.access import EditableAssessment, RestorableAssessment, secret_of
from app.advisor.words import verdict_label
from app.charts import score_text
from app.db import SessionDep
from app.models import MAX_NAME_LENGTH, Revision
from app.questionnaire.progress import Status
from app.questionnaire.wording import answer_text, question_ids, question_label
from app.reports.result_view import result_view
from app.security.route_limits import limit
from app.web.answer_changes import Change, answer_changes
from app.web.render import NO_STORE, render, route_path
from app.web.results import rules_changed
from app.web.workspace_cookie import workspace_link

router = APIRouter()

# Longest return path kept from a form: a workspace path with its query string.
MAX_BACK_LENGTH = 600
# Revision numbers past this are not real (and would overflow the integer column).
MAX_REVISION_DIGITS = 9


def safe_back(value: str | None) -> str | None:
    """A path back to a workspace list, or None: never a link to another site."""
    if not value or len(value) > MAX_BACK_LENGTH:
        return None
    if not value.startswith("/w/") or "//" in value or "\\" in value:
        return None
    return value


def resume_url(request: Request, edit_token: str) -> str:
    return route_path(request, "resume", edit_token=edit_token)


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303, headers=NO_STORE)


# --- what moved between two results --------------------------------------------------------


@dataclass(frozen=True)
class Moved:
    """A result figure before and after (verdict, confidence, a score)."""

    label: str
    before: str
    after: str

    @property
    def changed(self) -> bool:
        return self.before != self.after


def _percent(value) -> str:
    return f"{round(float(value) * 100)}%" if value is not None else "-"


def _score(value) -> str:
    return "-" if value is None else score_text(float(value))  # as the result page's chart says it


def result_movement(old: dict, new: dict) -> list[Moved]:
    old_scores, new_scores = old.get("scores") or {}, new.get("scores") or {}
    return [
        Moved("Verdict", verdict_label(old.get("verdict", "")), verdict_label(new.get("verdict", ""))),
        Moved("Confidence", _percent(old.get("confidence")), _percent(new.get("confidence"))),
        Moved("Prompt engineering score", _score(old_scores.get("prompt_engineering")),
              _score(new_scores.get("prompt_engineering"))),
        Moved("Fine-tuning score", _score(old_scores.get("fine_tuning")),
              _score(new_scores.get("fine_tuning"))),
    ]


@dataclass(frozen=True)
class HistoryEntry:
    revision: Revision
    changes: list[Change]
    movement: list[Moved]
    first: bool

    @property
    def verdict_label(self) -> str:
        return verdict_label(self.revision.verdict)

    @property
    def rules_changed(self) -> bool:
        return self.revision.reason == "re-evaluated"

    @property
    def verdict_flip(self) -> Moved | None:
        """The verdict before and after, when this revision changed it."""
        return next((moved for moved in self.movement if moved.label == "Verdict" and moved.changed), None)


def history_entries(revisions: list[Revision]) -> list[HistoryEntry]:
    """Newest first, each with what changed since the revision before it.

    A revision does not record how far the team had got, so an empty answer in it reads "Not answered"
    (or "Not asked"), never "Not sure yet": the step may not have been reached then.
    """
    entries = []
    for index, revision in enumerate(revisions):
        previous = revisions[index + 1] if index + 1 < len(revisions) else None
        if previous is None:
            entries.append(HistoryEntry(revision, [], [], first=True))
            continue
        changes = answer_changes(previous.answers, revision.answers, previous.notes, revision.notes)
        movement = result_movement(previous.recommendation, revision.recommendation)
        entries.append(HistoryEntry(revision, changes, movement, first=False))
    return entries


# --- history and old results ---------------------------------------------------------------


@router.get("/e/{edit_token}/history", name="assessment_history")
def history(request: Request, access: EditableAssessment, session: SessionDep, reevaluated: str = ""):
    assessment = access.assessment
    entries = history_entries(store.revisions_of(assessment, session=session))
    workspace_path = workspace_link(request, assessment, session=session)
    just_reevaluated = next(
        (e for e in entries if str(e.revision.number) == reevaluated and e.rules_changed), None)
    context = {
        "assessment": assessment,
        "edit_token": access.token,
        "entries": entries,
        "just_reevaluated": just_reevaluated,
        "rules": rules_changed(assessment),
        # Revisions compare on the workspace's compare page, offered when this browser knows the workspace.
        "compare_url": f"{workspace_path}/compare" if workspace_path else None,
        "workspace_url": workspace_path,
    }
    return render(request, "history/history.html", context, block="history", headers=NO_STORE)


@dataclass(frozen=True)
class AsItWas:
    """What the shared result template reads from an assessment, taken from one of its revisions."""

    answers: dict
    notes: dict
    updated_at: datetime
    recommendation: dict


@router.get("/e/{edit_token}/revisions/{number}", name="assessment_revision")
def revision_page(request: Request, access: EditableAssessment, session: SessionDep, number: str):
    if not number.isdigit() or len(number) > MAX_REVISION_DIGITS:
        raise store.NotFound("no such revision")
    revision = store.get_revision(access.assessment, int(number), session=session)
    answered = [qid for qid in question_ids() if qid in revision.answers or qid in revision.notes]
    as_it_was = AsItWas(revision.answers, revision.notes, revision.created_at, revision.recommendation)
    context = {
        "assessment": access.assessment,
        "as_it_was": as_it_was,
        "view": result_view(request.query_params, as_it_was, store.recommendation_of(as_it_was)),
        "edit_token": access.token,
        "revision": revision,
        "answers": [
            (question_label(qid),
             answer_text(qid, revision.answers.get(qid), answers=revision.answers),
             revision.notes.get(qid, ""))
            for qid in answered
        ],
    }
    return render(request, "history/revision.html", context, headers=NO_STORE)


# --- re-evaluation --------------------------------------------------------------------------


@router.post("/e/{edit_token}/reevaluate", name="assessment_reevaluate")
def reevaluate(request: Request, access: EditableAssessment, session: SessionDep):
    """Judge the stored answers with the current rules, then show what moved on the history page."""
    history_url = route_path(request, "assessment_history", edit_token=access.token)
    if not store.needs_reevaluation(access.assessment):
        return see_other(history_url)
    store.reevaluate(access.assessment, session=session)
    number = store.revisions_of(access.assessment, session=session)[0].number
    return see_other(f"{history_url}?reevaluated={number}#revision-{number}")


# --- duplicate ------------------------------------------------------------------------------


def copy_name(name: str) -> str:
    return f"{name} (what-if)"[:MAX_NAME_LENGTH]


@router.post("/e/{edit_token}/duplicate", name="assessment_duplicate", dependencies=[limit("create")])
def duplicate(request: Request, access: EditableAssessment, session: SessionDep, name: str = Form("")):
    """A what-if copy with the same answers and notes; it opens at once so the team can change it."""
    new_name = name.strip()[:MAX_NAME_LENGTH] or copy_name(access.assessment.name)
    copy = store.duplicate(access.assessment, session=session, secret=secret_of(request), name=new_name)
    token = store.link_token(store.links_of(copy, session=session)["edit"], secret_of(request))
    if not Status(copy.status).complete:  # a draft's copy opens at the step reached, as the draft would
        return see_other(resume_url(request, token))
    # The copy's result looks just like the original's: the page says which one this is.
    result_url = route_path(request, "assessment_result", edit_token=token)
    return see_other(f"{result_url}?{urlencode({'done': 'duplicated'})}")


# --- delete and undo ------------------------------------------------------------------------


@router.get("/e/{edit_token}/delete", name="assessment_delete_confirm")
def confirm_delete(request: Request, access: EditableAssessment, back: str = ""):
    context = {"assessment": access.assessment, "edit_token": access.token, "back": safe_back(back)}
    return render(request, "history/delete.html", context, headers=NO_STORE)


@router.post("/e/{edit_token}/delete", name="assessment_delete")
def delete(request: Request, access: EditableAssessment, session: SessionDep, back: str = Form("")):
    store.soft_delete(access.assessment, session=session)
    deleted_url = route_path(request, "assessment_deleted", edit_token=access.token)
    back = safe_back(back)
    return see_other(f"{deleted_url}?{urlencode({'back': back})}" if back else deleted_url)


@router.get("/e/{edit_token}/deleted", name="assessment_deleted")
def deleted(request: Request, access: RestorableAssessment, session: SessionDep, back: str = ""):
    """Says the assessment is gone and offers the way back; a live one just opens."""
    if access.assessment.deleted_at is None:
        return see_other(resume_url(request, access.token))
    back = safe_back(back) or workspace_link(request, access.assessment, session=session)
    context = {"assessment": access.assessment, "edit_token": access.token, "back": back}
    return render(request, "history/deleted.html", context, headers=NO_STORE)


@router.post("/e/{edit_token}/restore", name="assessment_restore")
def restore(request: Request, access: RestorableAssessment, session: SessionDep, back: str = Form("")):
    store.restore(access.assessment, session=session)
    back = safe_back(back)
    if back is None:
        return see_other(resume_url(request, access.token))
    # The workspace list says which assessment came back (it may sit on another page of the list).
    path, _, query = back.partition("?")
    return see_other(f"{path}?{urlencode([*parse_qsl(query), ('restored', access.assessment.id)])}")
