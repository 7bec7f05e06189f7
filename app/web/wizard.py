"""The wizard: one questionnaire section per step, each step saved as the team goes.

The first saved step makes the draft assessment (and a workspace when there is none); every later
step saves with the version it was loaded at, so a colleague's save in between shows a conflict page
instead of being overwritten. With htmx a step swaps in place and pushes its URL; without it the
same forms post and redirect.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Annotated
from uuid import uuid4

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session
from starlette.datastructures import FormData
from starlette.routing import NoMatchFound

from app import assessments as store
from app.access import EditableAssessment, WorkspaceAccess, secret_of
from app.db import SessionDep
from app.models import MAX_NAME_LENGTH, MAX_NOTE_LENGTH, Assessment, IdempotencyKey, Workspace
from app.questionnaire import load_questionnaire
from app.web.render import is_htmx, render, route_path

router = APIRouter()

NO_STORE = {"Cache-Control": "no-store"}
DEFAULT_NAME = "Untitled assessment"
COMPLETE = "complete"
# The browser remembers the workspace it made, so the wizard and result can link back to it.
WORKSPACE_COOKIE = "advisor_workspace"
WORKSPACE_COOKIE_SECONDS = 400 * 24 * 3600
IDEMPOTENCY_KEY = re.compile(r"[A-Za-z0-9-]{16,64}")
NOTE_PREFIX = "note-"
SITE = "LLM Customization Advisor"


# --- what the person typed ------------------------------------------------------------------


@dataclass
class StepInput:
    """One step's form as typed (raw text), what it parsed to, and the messages for bad fields."""

    values: dict[str, str] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    name: str = ""
    answers: dict = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def read_step(section, form: Mapping) -> StepInput:
    def typed(field_name: str) -> str:
        return store.storable_text(str(form.get(field_name, "")))

    questionnaire = load_questionnaire()
    values = {q.id: typed(q.id) for q in section.questions}
    notes = {q.id: typed(NOTE_PREFIX + q.id).strip() for q in section.questions}
    answers, errors = questionnaire.parse_form(section.id, values)
    errors = dict(errors)
    for qid, note in notes.items():
        if len(note) > MAX_NOTE_LENGTH:
            errors.setdefault(qid, f"Keep the note under {MAX_NOTE_LENGTH:,} characters "
                                   f"(it has {len(note):,}).")
    name = typed("name").strip()
    if len(name) > MAX_NAME_LENGTH:
        errors["name"] = f"Keep the name under {MAX_NAME_LENGTH} characters (it has {len(name):,})."
    return StepInput(values, notes, name, {k: v for k, v in answers.items() if v is not None}, errors)


def form_value(question, value) -> str:
    """A stored answer as the text its input shows."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def stored_step(section, assessment: Assessment | None) -> StepInput:
    """The saved answers as the step's inputs show them; a step already passed shows blanks as "not sure"."""
    answers = assessment.answers if assessment else {}
    notes = assessment.notes if assessment else {}
    questionnaire = load_questionnaire()
    sections = questionnaire.sections
    passed = assessment is not None and [s.id for s in sections].index(section.id) < reached_index(assessment)

    def shown_value(question) -> str:
        unanswered = answers.get(question.id) is None
        shown = questionnaire.is_visible(question, answers)
        if passed and unanswered and shown and question.allow_unsure and question.type != "number":
            return "unsure"
        return form_value(question, answers.get(question.id))

    return StepInput(
        values={q.id: shown_value(q) for q in section.questions},
        notes={q.id: notes.get(q.id, "") for q in section.questions},
        name=assessment.name if assessment else "",
    )


def merged_answers(section, stored: dict, step_answers: dict) -> dict:
    """The stored answers with this step's replaced; answers to questions now hidden are dropped."""
    questionnaire = load_questionnaire()
    own = {q.id for q in section.questions}
    answers = {k: v for k, v in stored.items() if k not in own} | step_answers
    return {k: v for k, v in answers.items() if _visible(questionnaire, k, answers)}


def merged_notes(section, stored: dict, step_notes: dict, answers: dict) -> dict:
    questionnaire = load_questionnaire()
    own = {q.id for q in section.questions}
    notes = {k: v for k, v in stored.items() if k not in own} | {k: v for k, v in step_notes.items() if v}
    return {k: v for k, v in notes.items() if _visible(questionnaire, k, answers)}


def _visible(questionnaire, question_id: str, answers: dict) -> bool:
    try:
        return questionnaire.is_visible(question_id, answers)
    except KeyError:  # not a question of this questionnaire version: keep it, the store validates it
        return True


# --- the step page --------------------------------------------------------------------------


@dataclass(frozen=True)
class ShownQuestion:
    question: object
    # "pending": its show-if depends on an answer in this same step that does not meet it (yet).
    # Scripts hide it until the server re-renders the step; without scripts it stays visible.
    pending: bool
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
        if questionnaire.is_visible(question, answers):
            shown.append(ShownQuestion(question, False, ""))
        elif question.show_if and set(question.show_if) & own:
            shown.append(ShownQuestion(question, True, condition_text(question.show_if)))
    return shown


def condition_text(show_if: dict) -> str:
    """'Answer only if ...' in the questionnaire's own words."""
    questionnaire = load_questionnaire()
    parts = []
    for qid, allowed in show_if.items():
        source = questionnaire.question(qid)
        labels = [_choice_label(source, value) for value in allowed]
        parts.append(f"“{source.label}” is {' or '.join(labels)}")
    return "Answer this only if " + " and ".join(parts) + "."


def _choice_label(question, value) -> str:
    if isinstance(value, dict):  # a range condition on a number, e.g. {"min": 1}
        return _range_words(value, question.unit or "")
    if isinstance(value, bool):
        return "Yes" if value else "No"
    for choice in question.choices or []:
        if choice.value == value:
            return choice.label
    return str(value)


def _range_words(limits: dict, unit: str) -> str:
    low, high = limits.get("min"), limits.get("max")
    if low is not None and high is not None:
        return f"between {low:,} and {high:,} {unit}".strip()
    if low is not None:
        return f"{low:,} or more"
    return f"{high:,} or fewer"


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


def step_context(request: Request, section, step: StepInput, *, assessment: Assessment | None,
                 action_url: str, edit_token: str | None = None, status: str = "",
                 workspace_url: str | None = None) -> dict:
    questionnaire = load_questionnaire()
    sections = questionnaire.sections
    index = next(i for i, s in enumerate(sections) if s.id == section.id)
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
        "reached": reached_index(assessment),
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
        "htmx": is_htmx(request),
    }


def reached_index(assessment: Assessment | None) -> int:
    """How far the team got: the index of the furthest step reached (all steps when complete)."""
    sections = load_questionnaire().sections
    if assessment is None:
        return 0
    if assessment.status == COMPLETE:
        return len(sections)
    ids = [s.id for s in sections]
    return ids.index(assessment.status) if assessment.status in ids else 0


def render_step(request: Request, context: dict, status_code: int = 200,
                headers: dict | None = None) -> Response:
    return render(request, "wizard/step.html", context, block="content", status_code=status_code,
                  headers=NO_STORE | (headers or {}))


def section_or_404(section_id: str):
    try:
        return load_questionnaire().section(section_id)
    except KeyError:
        raise HTTPException(status_code=404) from None


def first_section():
    return load_questionnaire().sections[0]


def next_status(assessment: Assessment | None, section) -> str:
    """The step to come back to after saving `section`: never earlier than already reached."""
    sections = load_questionnaire().sections
    index = [s.id for s in sections].index(section.id)
    if (assessment is not None and assessment.status == COMPLETE) or index == len(sections) - 1:
        return COMPLETE
    following = sections[index + 1].id
    return following if index + 1 >= reached_index(assessment) else assessment.status


# --- links and navigation -----------------------------------------------------------------


def step_path(request: Request, edit_token: str, section_id: str) -> str:
    return route_path(request, "wizard_step", edit_token=edit_token, section_id=section_id)


def result_path(request: Request, edit_token: str) -> str:
    return route_path(request, "assessment_result", edit_token=edit_token)


def workspace_link(request: Request, assessment: Assessment, *, session: Session,
                   token: str | None = None) -> str | None:
    """The workspace page, when this browser made (or started the wizard from) the assessment's workspace.

    Only then: a colleague holding just this assessment's edit link must not learn the workspace link.
    """
    token = token or request.cookies.get(WORKSPACE_COOKIE, "")
    if not token:
        return None
    try:
        workspace = store.workspace_by_token(token, session=session)
    except store.NotFound:
        return None
    if workspace.id != assessment.workspace_id:
        return None
    try:
        return route_path(request, "workspace", workspace_token=token)
    except NoMatchFound:  # an app without the workspace pages
        return None


def remember_workspace(request: Request, response: Response, token: str) -> None:
    https = request.app.state.settings.https
    response.set_cookie(WORKSPACE_COOKIE, token, max_age=WORKSPACE_COOKIE_SECONDS, httponly=True,
                        secure=https, samesite="lax", path="/")


def edit_token_of(assessment: Assessment, *, session: Session, secret: bytes) -> str:
    return store.link_token(store.links_of(assessment, session=session)["edit"], secret)


# --- starting: /new and /w/{ws}/new -------------------------------------------------------


@router.get("/new", name="new_assessment")
def new_assessment(request: Request):
    return _start_page(request, route_path(request, "wizard_create"))


@router.get("/w/{workspace_token}/new", name="new_in_workspace")
def new_in_workspace(request: Request, grant: WorkspaceAccess):
    action = route_path(request, "wizard_create_in_workspace", workspace_token=grant.token)
    return _start_page(request, action)


def _start_page(request: Request, action_url: str) -> Response:
    section = first_section()
    step = stored_step(section, None)
    return render_step(request, step_context(request, section, step, assessment=None, action_url=action_url))


async def _posted_form(request: Request) -> FormData:
    # Read on the event loop, so the handlers below can be plain functions: FastAPI runs those in
    # worker threads, and their blocking database calls (a row lock held by a double submit, say)
    # never stall the event loop that other requests, and the lock holder's commit, depend on.
    return await request.form()


PostedForm = Annotated[FormData, Depends(_posted_form)]


@router.post("/new", name="wizard_create")
def create_assessment(request: Request, form: PostedForm, session: SessionDep):
    return _create(request, form, session, None, route_path(request, "wizard_create"))


@router.post("/w/{workspace_token}/new", name="wizard_create_in_workspace")
def create_in_workspace(request: Request, form: PostedForm, grant: WorkspaceAccess, session: SessionDep):
    action = route_path(request, "wizard_create_in_workspace", workspace_token=grant.token)
    return _create(request, form, session, (grant.workspace, grant.token), action)


def _create(request: Request, form: FormData, session: Session, grant: tuple[Workspace, str] | None,
            action_url: str) -> Response:
    section = first_section()
    step = read_step(section, form)
    key = str(form.get("idempotency_key", ""))
    key = key if IDEMPOTENCY_KEY.fullmatch(key) else None
    refresh = form.get("action") == "refresh"
    if refresh or step.errors:
        context = step_context(request, section, step, assessment=None, action_url=action_url)
        context["idempotency_key"] = key or context["idempotency_key"]
        return render_step(request, context, status_code=200 if refresh else 422)
    secret = secret_of(request)
    assessment = _already_created(key, session=session)
    workspace_token = grant[1] if grant else None
    if assessment is None:
        if grant is None:
            workspace, workspace_token = store.create_workspace(session=session, secret=secret)
        else:
            workspace = grant[0]
        answers = merged_answers(section, {}, step.answers)
        assessment = store.create_assessment(
            session=session, secret=secret, workspace=workspace, name=step.name or DEFAULT_NAME,
            answers=answers, notes=merged_notes(section, {}, step.notes, answers),
            status=next_status(None, section), idempotency_key=key, fresh_workspace=grant is None,
        )
        if assessment.workspace_id != workspace.id:  # the other click of a double click won the race
            first_workspace = session.get(Workspace, assessment.workspace_id)
            workspace_token = store.workspace_token(first_workspace, secret)
    edit_token = edit_token_of(assessment, session=session, secret=secret)
    workspace_url = workspace_link(request, assessment, session=session, token=workspace_token)
    response = _after_save(request, assessment, edit_token, section, workspace_url)
    if workspace_token:
        remember_workspace(request, response, workspace_token)
    return response


def _already_created(key: str | None, *, session: Session) -> Assessment | None:
    """A double-submitted first step: the assessment its first submission made."""
    if key is None:
        return None
    seen = session.get(IdempotencyKey, key)
    return session.get(Assessment, seen.assessment_id) if seen else None


# --- resuming and stepping: /e/{edit} ------------------------------------------------------


@router.get("/e/{edit_token}", name="resume")
def resume(request: Request, access: EditableAssessment):
    assessment = access.assessment
    if assessment.status == COMPLETE:
        return RedirectResponse(result_path(request, access.token), status_code=303, headers=NO_STORE)
    sections = load_questionnaire().sections
    section = sections[min(reached_index(assessment), len(sections) - 1)]
    return RedirectResponse(step_path(request, access.token, section.id), status_code=303, headers=NO_STORE)


@router.get("/e/{edit_token}/step/{section_id}", name="wizard_step")
def show_step(request: Request, section_id: str, access: EditableAssessment, session: SessionDep):
    section = section_or_404(section_id)
    workspace_url = workspace_link(request, access.assessment, session=session)
    return render_step(request, _step_page(request, section, access.assessment, access.token,
                                           stored_step(section, access.assessment), workspace_url))


def _step_page(request: Request, section, assessment: Assessment, edit_token: str, step: StepInput,
               workspace_url: str | None, status: str = "") -> dict:
    return step_context(request, section, step, assessment=assessment, edit_token=edit_token, status=status,
                        action_url=step_path(request, edit_token, section.id), workspace_url=workspace_url)


@router.post("/e/{edit_token}/step/{section_id}")
def save_step(request: Request, section_id: str, form: PostedForm, access: EditableAssessment,
              session: SessionDep):
    section = section_or_404(section_id)
    step = read_step(section, form)
    assessment = access.assessment
    action = form.get("action", "next")
    workspace_url = workspace_link(request, assessment, session=session)
    if action == "autosave":
        return _autosave(request, section, step, assessment, form, workspace_url, session=session)
    if action == "refresh" or step.errors:
        page = _step_page(request, section, assessment, access.token, step, workspace_url)
        return render_step(request, page, 200 if action == "refresh" else 422)
    expected = _expected_version(form)
    answers = merged_answers(section, assessment.answers, step.answers)
    is_first = section.id == first_section().id
    going_back = action == "back"
    try:
        store.save_answers(
            assessment, session=session, expected_version=expected, answers=answers,
            notes=merged_notes(section, assessment.notes, step.notes, answers),
            name=(step.name or DEFAULT_NAME) if is_first else None,
            status=assessment.status if going_back else next_status(assessment, section),
        )
    except store.StaleRevision as stale:
        if not _same_as_stored(stale, (step.name or DEFAULT_NAME) if is_first else None):
            return _conflict(request, section, stale, access.token, step)
        # The same answers are already stored (a form sent twice): nothing to choose between.
    if going_back:
        return _go_back(request, assessment, access.token, section, workspace_url)
    return _after_save(request, assessment, access.token, section, workspace_url)


def _expected_version(form) -> int:
    try:
        return int(str(form.get("version", "")))
    except ValueError:
        return -1


def _autosave(request: Request, section, step: StepInput, assessment: Assessment, form,
              workspace_url: str | None, *, session: Session) -> Response:
    """Save the step as it stands without leaving it; answer with the save state and the new version."""
    context = {"assessment": assessment, "workspace_url": workspace_url, "autosaved": False}
    if step.errors:
        return render(request, "wizard/_save_state.html", context | {"status": "not-saved"}, headers=NO_STORE)
    answers = merged_answers(section, assessment.answers, step.answers)
    is_first = section.id == first_section().id
    try:
        store.save_answers(
            assessment, session=session, expected_version=_expected_version(form), answers=answers,
            notes=merged_notes(section, assessment.notes, step.notes, answers),
            name=(step.name or DEFAULT_NAME) if is_first else None,
        )
    except store.StaleRevision as stale:
        if not _same_as_stored(stale, (step.name or DEFAULT_NAME) if is_first else None):
            return render(request, "wizard/_save_state.html", context | {"status": "stale"}, headers=NO_STORE)
    return render(request, "wizard/_save_state.html", context | {"status": "saved", "autosaved": True},
                  headers=NO_STORE)


def _after_save(request: Request, assessment: Assessment, edit_token: str, section,
                workspace_url: str | None) -> Response:
    sections = load_questionnaire().sections
    index = [s.id for s in sections].index(section.id)
    if index == len(sections) - 1:
        path = result_path(request, edit_token)
        if is_htmx(request):  # the result has its own layout: load it as a whole page
            return Response(status_code=204, headers=NO_STORE | {"HX-Redirect": path})
        return RedirectResponse(path, status_code=303, headers=NO_STORE)
    return _show_saved(request, assessment, edit_token, sections[index + 1], workspace_url)


def _go_back(request: Request, assessment: Assessment, edit_token: str, section,
             workspace_url: str | None) -> Response:
    sections = load_questionnaire().sections
    index = max([s.id for s in sections].index(section.id) - 1, 0)
    return _show_saved(request, assessment, edit_token, sections[index], workspace_url)


def _show_saved(request: Request, assessment: Assessment, edit_token: str, section,
                workspace_url: str | None) -> Response:
    """The step after a save: swapped in with its URL pushed (htmx), or redirected to (plain form)."""
    path = step_path(request, edit_token, section.id)
    if not is_htmx(request):
        return RedirectResponse(path, status_code=303, headers=NO_STORE)
    page = _step_page(request, section, assessment, edit_token, stored_step(section, assessment),
                      workspace_url, status="saved")
    return render_step(request, page, headers={"HX-Push-Url": path})


# --- a colleague saved first -----------------------------------------------------------------


@dataclass(frozen=True)
class ConflictRow:
    label: str
    theirs: str
    mine: str

    @property
    def differs(self) -> bool:
        return self.theirs != self.mine


def conflict_rows(section, current: Assessment, step: StepInput) -> list[ConflictRow]:
    rows = []
    for question in section.questions:
        theirs = answer_words(question, current.answers.get(question.id))
        mine = answer_words(question, step.answers.get(question.id))
        if theirs != "Not answered" or mine != "Not answered":
            rows.append(ConflictRow(question.label, theirs, mine))
        their_note, my_note = current.notes.get(question.id, ""), step.notes.get(question.id, "")
        if their_note or my_note:
            label = f"Note on “{question.label}”"
            rows.append(ConflictRow(label, their_note or "No note", my_note or "No note"))
    return rows


def answer_words(question, value) -> str:
    """An answer as the wizard shows it: the choice's label, Yes/No, or the number with its unit."""
    if value is None:
        return "Not answered"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,} {question.unit or ''}".strip()
    return _choice_label(question, value)


def _same_as_stored(stale: store.StaleRevision, name: str | None) -> bool:
    current = stale.current
    return (stale.submitted_answers == current.answers and stale.submitted_notes == current.notes
            and name in (None, current.name))


def _conflict(request: Request, section, stale: store.StaleRevision, edit_token: str,
              step: StepInput) -> Response:
    current = stale.current
    context = {
        "page_title": f"Someone else saved first · {current.name} · {SITE}",
        "section": section,
        "step": step,
        "rows": conflict_rows(section, current, step),
        "current": current,
        "action_url": step_path(request, edit_token, section.id),
        "is_first": section.id == first_section().id,
        "htmx": is_htmx(request),
    }
    return render(request, "wizard/conflict.html", context, block="content", status_code=409,
                  headers=NO_STORE)
