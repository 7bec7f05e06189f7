"""A wizard step as a page, and the one way a step's answers are saved.

Shared by the wizard's routes and the data check, which fills in a step from an uploaded file.
"""

from dataclasses import dataclass
from typing import Annotated
from urllib.parse import urlencode
from uuid import uuid4

from fastapi import Depends, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session
from starlette.datastructures import FormData

from app import assessments as store
from app.models import Assessment
from app.questionnaire import load_questionnaire
from app.questionnaire.progress import Status, section_index
from app.questionnaire.wording import condition_text
from app.web.conflicts import same_as_stored
from app.web.kept_steps import render_saved_block
from app.web.render import NO_STORE, SITE, html_page, is_htmx, render, route_path
from app.web.step_form import StepInput, dropped_answers, merged_answers, merged_notes, stored_step

DEFAULT_NAME = "Untitled assessment"


async def posted_form(request: Request) -> FormData:
    # Read on the event loop, so the handlers can be plain functions: FastAPI runs those in worker
    # threads, and their blocking database calls (a row lock held by a double submit, say) never
    # stall the event loop that other requests, and the lock holder's commit, depend on.
    return await request.form()


PostedForm = Annotated[FormData, Depends(posted_form)]


@dataclass(frozen=True)
class ShownQuestion:
    question: object
    # "pending": its show-if depends on an answer in this same step that does not meet it (yet).
    # Scripts hide it until the server re-renders the step; without scripts it stays visible.
    pending: bool
    # "Answer this only if ...": shown on every question whose show-if rests on this same step, so a
    # page without scripts says when to skip it.
    condition: str

    @property
    def options(self) -> list[tuple[str, str]]:
        """(form value, label) of each choice; a yes/no question's choices are Yes and No."""
        return [(str(choice.value), choice.label) for choice in self.question.choices or []]


def shown_questions(section, answers: dict) -> list[ShownQuestion]:
    questionnaire = load_questionnaire()
    own = {q.id for q in section.questions}
    shown = []
    for question in section.questions:
        in_step = bool(question.show_if) and bool(set(question.show_if) & own)
        condition = condition_text(question.show_if) if in_step else ""
        if questionnaire.is_visible(question, answers):
            shown.append(ShownQuestion(question, False, condition))
        elif in_step:
            shown.append(ShownQuestion(question, True, condition))
    return shown


def triggers(section) -> dict[str, list[str]]:
    """Questions of this step whose answer decides whether others of it are shown: {trigger: [dependents]}.

    When a trigger's answer changes, only its dependents are re-rendered, so nothing typed elsewhere
    while the request is under way is replaced.
    """
    own = {q.id for q in section.questions}
    found: dict[str, list[str]] = {}
    for question in section.questions:
        for trigger in question.show_if or {}:
            if trigger in own:
                found.setdefault(trigger, []).append(question.id)
    return found


@dataclass(frozen=True)
class ProgressStep:
    """One step in the wizard's progress list."""

    title: str
    state: str  # "current", "done" (before the furthest step reached) or "todo"
    href: str | None  # steps up to the furthest reached link back, when the assessment is saved


def progress_steps(request: Request, sections, index: int, reached: int, edit_token: str | None) -> list:
    # Built here rather than in the template: five url_for calls through Jinja were a fifth of the
    # step's rendering (callgrind).
    return [ProgressStep(section.title,
                         "current" if number == index else ("done" if number < reached else "todo"),
                         step_path(request, edit_token, section.id)
                         if edit_token and number <= reached and number != index else None)
            for number, section in enumerate(sections)]


def reached_index(assessment: Assessment | None) -> int:
    """How far the team got: the index of the furthest step reached (all steps when complete)."""
    return 0 if assessment is None else Status(assessment.status).reached


def step_context(request: Request, section, step: StepInput, *, assessment: Assessment | None,
                 action_url: str, edit_token: str | None = None, status: str = "",
                 workspace_url: str | None = None) -> dict:
    sections = load_questionnaire().sections
    index = section_index(section.id)
    stored = assessment.answers if assessment else {}
    own = {q.id for q in section.questions}
    answers = {k: v for k, v in stored.items() if k not in own} | step.answers
    if not step.answers and assessment is not None:
        answers = stored
    name = assessment.name if assessment else "New assessment"
    return {
        "page_title": f"Step {index + 1} of {len(sections)}: {section.title} · {name} · {SITE}",
        "section": section,
        "sections": sections,
        "index": index,
        "progress": progress_steps(request, sections, index, reached_index(assessment), edit_token),
        "step": step,
        "error_labels": {q.id: q.label for q in section.questions} | {"name": "Name of this assessment:"},
        "shown": shown_questions(section, answers),
        "triggers": triggers(section),
        "assessment": assessment,
        "action_url": action_url,
        "edit_token": edit_token,
        "idempotency_key": uuid4().hex if assessment is None else "",
        "is_last": index == len(sections) - 1,
        "status": status,
        "autosaved": False,
        "workspace_url": workspace_url,
        "remembered_workspace": None,
        "dropped": [],
        "htmx": is_htmx(request),
    }


STEP_TEMPLATE = "wizard/step.html"


def render_step(request: Request, context: dict, status_code: int = 200,
                headers: dict | None = None) -> Response:
    return render(request, STEP_TEMPLATE, context, block="content", status_code=status_code,
                  headers=NO_STORE | (headers or {}))


def section_or_404(section_id: str):
    try:
        return load_questionnaire().section(section_id)
    except KeyError:
        raise HTTPException(status_code=404) from None


def step_path(request: Request, edit_token: str, section_id: str) -> str:
    return route_path(request, "wizard_step", edit_token=edit_token, section_id=section_id)


def result_path(request: Request, edit_token: str) -> str:
    return route_path(request, "assessment_result", edit_token=edit_token)


def step_page(request: Request, section, assessment: Assessment, edit_token: str, step: StepInput,
              workspace_url: str | None, status: str = "") -> dict:
    """The context of a saved assessment's step, posting back to itself."""
    return step_context(request, section, step, assessment=assessment, edit_token=edit_token, status=status,
                        action_url=step_path(request, edit_token, section.id), workspace_url=workspace_url)


# --- saving ---------------------------------------------------------------------------------


def expected_version(form: FormData) -> int:
    """The version the step was loaded at (-1, never current, when the form lost it)."""
    try:
        return int(str(form.get("version", "")))
    except ValueError:
        return -1


def step_name(section, step: StepInput) -> str | None:
    """The name the step sets: only the first step has the name field."""
    return (step.name or DEFAULT_NAME) if section_index(section.id) == 0 else None


def save_step_answers(assessment: Assessment, section, step: StepInput, form: FormData, *, session: Session,
                      status: str | None = None,
                      editing_session: store.EditingSave | None = None) -> store.StaleRevision | None:
    """Save the step into the assessment with the version it was loaded at.

    `editing_session`: the wizard's saves join their editing session's revision ("continue", or "finish"
    on the save that goes to the result); without it the save is a revision of its own (the data check).
    Returns the refusal when a colleague saved other answers first; None when saved, or when the same
    answers were stored already (a form sent twice: nothing to choose between).
    """
    saved = step_saves(assessment, section, step)
    try:
        store.save_answers(assessment, session=session, expected_version=expected_version(form),
                           status=status, editing_session=editing_session, **saved)
    except store.StaleRevision as stale:
        if not same_as_stored(stale, saved["name"]):
            return stale
    return None


def step_saves(assessment, section, step: StepInput) -> dict:
    """What saving the step into `assessment` (an Assessment or store.EditedAssessment) stores: the answers
    and notes, merged into the stored ones, and the name (of the first step only; else None)."""
    answers = merged_answers(section, assessment.answers, step.answers)
    return {"answers": answers, "notes": merged_notes(section, assessment.notes, step.notes, answers),
            "name": step_name(section, step)}


# --- after a save ---------------------------------------------------------------------------


def dropped_query(dropped: list[str]) -> str:
    return "?" + urlencode([("dropped", entry) for entry in dropped]) if dropped else ""


def to_result(request: Request, edit_token: str, dropped: list[str]) -> Response:
    path = result_path(request, edit_token) + dropped_query(dropped)
    if is_htmx(request):  # the result has its own layout: load it as a whole page
        return Response(status_code=204, headers=NO_STORE | {"HX-Redirect": path})
    return RedirectResponse(path, status_code=303, headers=NO_STORE)


def show_saved(request: Request, assessment: Assessment, edit_token: str, section,
               workspace_url: str | None, dropped: list[str]) -> Response:
    """The step after a save: swapped in with its URL pushed (htmx), or redirected to (plain form).

    Answers the save dropped are named on that step: passed along in the redirect's query string.
    """
    path = step_path(request, edit_token, section.id)
    if not is_htmx(request):
        return RedirectResponse(path + dropped_query(dropped), status_code=303, headers=NO_STORE)
    # The pushed address leaves the note out: a reload shows the step as saved, without it.
    headers = NO_STORE | {"HX-Push-Url": path}
    if dropped:
        page = step_page(request, section, assessment, edit_token, stored_step(section, assessment),
                         workspace_url, status="saved")
        page["dropped"] = dropped_answers(dropped)
        return render_step(request, page, headers=headers)

    def block(shown, token: str, workspace: str | None, csrf: str) -> str:
        page = step_page(request, section, shown, token, stored_step(section, shown), workspace,
                         status="saved")
        return render_saved_block(request, STEP_TEMPLATE, page, csrf)

    html = request.app.state.kept_steps.html(request, section, assessment, edit_token, workspace_url, block)
    return html_page(request, html, headers=headers)


def finishes(action: str, section) -> bool:
    """The save that ends an editing session: the one that goes to the result."""
    return action == "result" or (action == "next" and section.id == load_questionnaire().sections[-1].id)


def after_save(request: Request, assessment: Assessment, edit_token: str, section,
               workspace_url: str | None, dropped: list[str]) -> Response:
    """The answer to a step saved with "Save and continue": the next step, or the result after the last."""
    sections = load_questionnaire().sections
    index = section_index(section.id)
    if index == len(sections) - 1:
        return to_result(request, edit_token, dropped)
    return show_saved(request, assessment, edit_token, sections[index + 1], workspace_url, dropped)


# The save state of an autosave that saved (with the new version, swapped into the form).
AUTOSAVED = {"status": "saved", "autosaved": True}


def save_state(request: Request, section, assessment, workspace_url: str | None, state: dict) -> Response:
    """The answer to an autosave: the save state (`state`: its status, and AUTOSAVED's new version)."""
    index = section_index(section.id)
    context = {"assessment": assessment, "workspace_url": workspace_url, "autosaved": False, "index": index,
               "is_last": index == len(load_questionnaire().sections) - 1}
    return render(request, "wizard/_save_state.html", context | state, headers=NO_STORE)
