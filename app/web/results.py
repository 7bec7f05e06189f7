"""The result page: the stored result (`app.reports.result_view`), what else the team can do with
it, and a note when the rules changed since it was judged.

`templates/assessment/_result.html` renders it; the read-only view and an old revision include the
same template with their own `view`.
"""

from dataclasses import dataclass

from fastapi import APIRouter, Request

from app import assessments as store
from app.access import EditableAssessment
from app.advisor import ENGINE_VERSION
from app.db import SessionDep
from app.models import Assessment
from app.questionnaire import QUESTIONNAIRE_VERSION, load_questionnaire
from app.reports.result_view import result_view
from app.web.render import NO_STORE, SITE, is_htmx, render, route_path
from app.web.step_form import dropped_answers
from app.web.workspace_cookie import workspace_link

router = APIRouter()

# --- GET /e/{edit}/result --------------------------------------------------------------------

# Notices the result page shows after an action that leads to it (?done=...); the words are in the template.
DONE = {"duplicated", "imported", "imported-renamed"}

# What else a team can do with the assessment: (route name, label, method).
ACTIONS = (
    ("assessment_history", "History", "get"),
    ("share_links", "Share", "get"),
    ("edit_report_pdf", "PDF summary", "get"),
    ("edit_starter_kit", "Download starter kit", "get"),
    ("export_json", "Export JSON", "get"),
    ("assessment_duplicate", "Duplicate as a what-if", "post"),
    ("assessment_delete_confirm", "Delete", "get"),
)


@dataclass(frozen=True)
class Action:
    label: str
    url: str
    method: str


def result_actions(request: Request, edit_token: str) -> list[Action]:
    return [Action(label, route_path(request, name, edit_token=edit_token), method)
            for name, label, method in ACTIONS]


def rules_changed(assessment: Assessment) -> dict | None:
    """(judged with, current) questionnaire and engine versions, when the rules moved since."""
    if not store.needs_reevaluation(assessment):
        return None
    return {"questionnaire": (assessment.questionnaire_version, QUESTIONNAIRE_VERSION),
            "engine": (assessment.engine_version, ENGINE_VERSION)}


@router.get("/e/{edit_token}/result", name="assessment_result")
def show_result(request: Request, access: EditableAssessment, session: SessionDep):
    assessment = access.assessment
    view = result_view(request.query_params, assessment, store.recommendation_of(assessment))
    context = {
        "page_title": f"{assessment.name}: {view.verdict} · {SITE}",
        "assessment": assessment,
        "result": assessment.recommendation,
        "view": view,
        "can_edit": True,
        "edit_token": access.token,
        "rules": rules_changed(assessment),
        "sections": load_questionnaire().sections,
        "workspace_url": workspace_link(request, assessment, session=session),
        "actions": result_actions(request, access.token),
        # What the team just did, when it landed here from a duplicate or an import.
        "done": request.query_params.get("done", "") if request.query_params.get("done") in DONE else "",
        "dropped": dropped_answers(request.query_params.getlist("dropped")),
        "htmx": is_htmx(request),
    }
    return render(request, "assessment/result.html", context, block="content",
                  status_code=422 if view.form.errors else 200, headers=NO_STORE)
