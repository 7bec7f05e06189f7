"""The wizard: one questionnaire section per step, each step saved as the team goes.

The first saved step makes the draft assessment (and a workspace when there is none); every later
step saves with the version it was loaded at, so a colleague's save in between shows a conflict page
instead of being overwritten. With htmx a step swaps in place and pushes its URL; without it the
same forms post and redirect.
"""

import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Annotated
from urllib.parse import urlencode
from uuid import uuid4

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session
from starlette.datastructures import FormData
from starlette.routing import NoMatchFound

from app import assessments as store
from app.access import EditableAssessment, WorkspaceAccess, secret_of
from app.db import SessionDep
from app.links import hash_token, looks_like_token
from app.models import MAX_NAME_LENGTH, MAX_NOTE_LENGTH, Assessment, Workspace
from app.questionnaire import load_questionnaire
from app.questionnaire.loader import UNSURE
from app.security.route_limits import limit
from app.web.render import is_htmx, render, route_path

router = APIRouter()

NO_STORE = {"Cache-Control": "no-store"}
DEFAULT_NAME = "Untitled assessment"
COMPLETE = "complete"
# The browser remembers the workspaces it made or opened, so the wizard and result can link back to
# them and the home page can start the next assessment in the same one.
WORKSPACE_COOKIE = "advisor_workspace"
WORKSPACE_COOKIE_SECONDS = 400 * 24 * 3600
# Workspaces remembered per browser, most recent first: a second team's workspace must not make the
# first one's pages lose their way back. Five tokens keep the cookie near 220 bytes.
REMEMBERED_WORKSPACES = 5
IDEMPOTENCY_KEY = re.compile(r"[A-Za-z0-9-]{16,64}")
NOTE_PREFIX = "note-"
# Dropped answers read back from a query string: never more than a step has questions.
MAX_DROPPED = 20
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
    # Answers (or notes) given to questions this step's own answers rule out: not saved, so the next
    # page says so. Each is "question id:answer as a form sends it[:note]", ready for a query string.
    dropped: list[str] = field(default_factory=list)


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
    dropped = [_dropped_entry(q, values[q.id], notes[q.id]) for q in section.questions
               if not questionnaire.is_visible(q, answers) and (_given(values[q.id]) or notes[q.id])]
    given = {k: v for k, v in answers.items() if v is not None}
    return StepInput(values, notes, name, given, errors, dropped)


def _given(raw: str) -> bool:
    text = raw.strip()
    return bool(text) and text.lower() != UNSURE


def _dropped_entry(question, raw: str, note: str) -> str:
    try:
        value = form_value(question, question.parse(raw))
    except ValueError:  # not even a valid answer: say only that something was there
        value = ""
    return f"{question.id}:{value}" + (":note" if note else "")


@dataclass(frozen=True)
class DroppedAnswer:
    label: str
    answer: str  # "" when only a note (or an unreadable answer) was dropped
    had_note: bool
    condition: str
    section_id: str
    section_title: str


def dropped_answers(entries: list[str]) -> list[DroppedAnswer]:
    """What `read_step` dropped, from a query string or the step itself; anything unknown is ignored."""
    questionnaire = load_questionnaire()
    found = []
    for entry in entries[:MAX_DROPPED]:
        qid, _, rest = entry.partition(":")
        raw, _, flag = rest.partition(":")
        try:
            question = questionnaire.question(qid)
        except KeyError:
            continue
        if not question.show_if:
            continue
        try:
            value = question.parse(raw)
        except ValueError:
            value = None
        answer = answer_words(question, value) if value is not None else ""
        section = next(s for s in questionnaire.sections if question in s.questions)
        found.append(DroppedAnswer(question.label, answer, flag == "note", condition_clause(question.show_if),
                                   section.id, section.title))
    return found


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


def condition_text(show_if: dict) -> str:
    """'Answer this only if ...' in the questionnaire's own words."""
    return "Answer this only if " + condition_clause(show_if) + "."


def condition_clause(show_if: dict) -> str:
    """'“How many…?” is 1 or more': a show-if condition in the questionnaire's own words."""
    questionnaire = load_questionnaire()
    parts = []
    for qid, allowed in show_if.items():
        source = questionnaire.question(qid)
        # A choice is quoted as the page shows it; a range of numbers reads as words ("1 or more").
        labels = [_choice_label(source, value) if isinstance(value, dict)
                  else f"“{_choice_label(source, value)}”" for value in allowed]
        parts.append(f"“{source.label}” is {' or '.join(labels)}")
    return " and ".join(parts)


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
        "remembered_workspace": None,
        "dropped": [],
        "htmx": is_htmx(request),
    }


def reached_index(assessment: Assessment | None) -> int:
    """How far the team got: the index of the furthest step reached (all steps when complete)."""
    return 0 if assessment is None else reached_for_status(assessment.status)


def reached_for_status(status: str) -> int:
    sections = load_questionnaire().sections
    if status == COMPLETE:
        return len(sections)
    ids = [s.id for s in sections]
    return ids.index(status) if status in ids else 0


def passed_questions(status: str) -> set[str]:
    """The questions on steps the team has gone past: one left blank there was "not sure yet"."""
    sections = load_questionnaire().sections[:reached_for_status(status)]
    return {q.id for section in sections for q in section.questions}


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
    """The workspace page, when this browser made (or opened) the assessment's workspace.

    Only then: a colleague holding just this assessment's edit link must not learn the workspace link.
    `token` is a workspace token just made or granted in this request (its cookie is not sent yet).
    """
    tokens = ([token] if token else []) + remembered_tokens(request)
    if not tokens:
        return None
    workspace = session.get(Workspace, assessment.workspace_id)
    if workspace is None:
        return None
    mine = next((t for t in tokens if secrets.compare_digest(hash_token(t), workspace.token_hash)), None)
    if mine is None:
        return None
    try:
        return route_path(request, "workspace", workspace_token=mine)
    except NoMatchFound:  # an app without the workspace pages
        return None


def remembered_tokens(request: Request) -> list[str]:
    """The workspace tokens this browser remembers, most recent first (well-formed ones only)."""
    raw = request.cookies.get(WORKSPACE_COOKIE, "")
    return [token for token in raw.split(".") if looks_like_token(token)][:REMEMBERED_WORKSPACES]


def remembered_workspace(request: Request, *, session: Session) -> str | None:
    """The token of the most recent workspace this browser remembers that still opens, or None."""
    for token in remembered_tokens(request):
        try:
            store.workspace_by_token(token, session=session)
        except store.NotFound:  # renewed or never existed: try the next one
            continue
        return token
    return None


def remember_workspace(request: Request, response: Response, token: str) -> None:
    """Put `token` first in this browser's remembered workspaces, keeping the others."""
    tokens = [token, *(t for t in remembered_tokens(request) if t != token)][:REMEMBERED_WORKSPACES]
    https = request.app.state.settings.https
    # Tokens are base64url, so "." separates them without quoting.
    response.set_cookie(WORKSPACE_COOKIE, ".".join(tokens), max_age=WORKSPACE_COOKIE_SECONDS, httponly=True,
                        secure=https, samesite="lax", path="/")


def edit_token_of(assessment: Assessment, *, session: Session, secret: bytes) -> str:
    return store.link_token(store.links_of(assessment, session=session)["edit"], secret)


# --- starting: /new and /w/{ws}/new -------------------------------------------------------


@router.get("/new", name="new_assessment")
def new_assessment(request: Request, session: SessionDep):
    # A browser that remembers a workspace is told this starts another one, and offered its own.
    remembered = remembered_workspace(request, session=session)
    return _start_page(request, route_path(request, "wizard_create"), remembered_workspace_token=remembered)


@router.get("/w/{workspace_token}/new", name="new_in_workspace")
def new_in_workspace(request: Request, grant: WorkspaceAccess):
    action = route_path(request, "wizard_create_in_workspace", workspace_token=grant.token)
    workspace_url = route_path(request, "workspace", workspace_token=grant.token)
    return _start_page(request, action, workspace_url=workspace_url)


def _start_page(request: Request, action_url: str, *, workspace_url: str | None = None,
                remembered_workspace_token: str | None = None) -> Response:
    section = first_section()
    step = stored_step(section, None)
    context = step_context(request, section, step, assessment=None, action_url=action_url,
                           workspace_url=workspace_url)
    if remembered_workspace_token:
        context["remembered_workspace"] = {
            "url": route_path(request, "workspace", workspace_token=remembered_workspace_token),
            "new_url": route_path(request, "new_in_workspace", workspace_token=remembered_workspace_token),
        }
    return render_step(request, context)


async def _posted_form(request: Request) -> FormData:
    # Read on the event loop, so the handlers below can be plain functions: FastAPI runs those in
    # worker threads, and their blocking database calls (a row lock held by a double submit, say)
    # never stall the event loop that other requests, and the lock holder's commit, depend on.
    return await request.form()


PostedForm = Annotated[FormData, Depends(_posted_form)]


@router.post("/new", name="wizard_create", dependencies=[limit("create")])
def create_assessment(request: Request, form: PostedForm, session: SessionDep):
    return _create(request, form, session, None, route_path(request, "wizard_create"))


@router.post("/w/{workspace_token}/new", name="wizard_create_in_workspace", dependencies=[limit("create")])
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
        workspace_url = route_path(request, "workspace", workspace_token=grant[1]) if grant else None
        context = step_context(request, section, step, assessment=None, action_url=action_url,
                               workspace_url=workspace_url)
        context["idempotency_key"] = key or context["idempotency_key"]
        return render_step(request, context, status_code=200 if refresh else 422)
    secret = secret_of(request)
    answers = merged_answers(section, {}, step.answers)
    notes = merged_notes(section, {}, step.notes, answers)
    name = step.name or DEFAULT_NAME
    try:
        assessment = _already_created(key, grant[0] if grant else None, name, answers, notes, session=session)
    except (store.IdempotencyConflict, store.ReplayRefused) as refused:
        return _not_replayed(request, refused)
    workspace_token = grant[1] if grant else None
    if assessment is None:
        if grant is None:
            workspace, workspace_token = store.create_workspace(session=session, secret=secret)
        else:
            workspace = grant[0]
        try:
            assessment = store.create_assessment(
                session=session, secret=secret, workspace=workspace, name=name, answers=answers, notes=notes,
                status=next_status(None, section), idempotency_key=key, fresh_workspace=grant is None,
                editing_session=True,
            )
        except (store.IdempotencyConflict, store.ReplayRefused) as refused:  # lost a race to a changed one
            return _not_replayed(request, refused)
        if assessment.workspace_id != workspace.id:  # the other click of a double click won the race
            first_workspace = session.get(Workspace, assessment.workspace_id)
            workspace_token = store.workspace_token(first_workspace, secret)
    edit_token = edit_token_of(assessment, session=session, secret=secret)
    workspace_url = workspace_link(request, assessment, session=session, token=workspace_token)
    response = _after_save(request, assessment, edit_token, section, workspace_url, step.dropped)
    if workspace_token:
        remember_workspace(request, response, workspace_token)
    return response


def _already_created(key: str | None, workspace: Workspace | None, name: str, answers: dict, notes: dict, *,
                     session: Session) -> Assessment | None:
    """A double-submitted first step: the assessment its first submission made.

    Only for the same form sent again (same workspace, or none; same name, answers and notes) within a
    day, while the links it made are unchanged: the key alone, a field in the page, never leads to an
    assessment (issue 17).
    """
    if key is None:
        return None
    return store.replay_of(key, workspace, name=name, answers=answers, notes=notes, session=session)


def _not_replayed(request: Request, refused: store.AssessmentError) -> Response:
    """A first step sent again after its assessment's links changed, or changed since: say so, show nothing
    of the assessment (its links may have been renewed because they leaked)."""
    detail = "replay-refused" if isinstance(refused, store.ReplayRefused) else "replay-changed"
    return render(request, "errors/error.html", {"status": 409, "detail": detail}, status_code=409,
                  headers=NO_STORE)


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
    step = stored_step(section, access.assessment)
    page = _step_page(request, section, access.assessment, access.token, step, workspace_url)
    page["dropped"] = dropped_answers(request.query_params.getlist("dropped"))
    return render_step(request, page)


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
            editing_session="finish" if _finishes(action, section) else "continue",
        )
    except store.StaleRevision as stale:
        if not _same_as_stored(stale, (step.name or DEFAULT_NAME) if is_first else None):
            return _conflict(request, section, stale, access.token, step)
        # The same answers are already stored (a form sent twice): nothing to choose between.
    if going_back:
        return _go_back(request, assessment, access.token, section, workspace_url, step.dropped)
    if action == "result" and assessment.status == COMPLETE:
        return _to_result(request, access.token, step.dropped)
    return _after_save(request, assessment, access.token, section, workspace_url, step.dropped)


def _finishes(action: str, section) -> bool:
    """The save that ends an editing session: the one that goes to the result."""
    return action == "result" or (action == "next" and section.id == load_questionnaire().sections[-1].id)


def _expected_version(form) -> int:
    try:
        return int(str(form.get("version", "")))
    except ValueError:
        return -1


def _autosave(request: Request, section, step: StepInput, assessment: Assessment, form,
              workspace_url: str | None, *, session: Session) -> Response:
    """Save the step as it stands without leaving it; answer with the save state and the new version."""
    sections = load_questionnaire().sections
    index = [s.id for s in sections].index(section.id)
    context = {"assessment": assessment, "workspace_url": workspace_url, "autosaved": False, "index": index,
               "is_last": index == len(sections) - 1}
    if step.errors:
        return render(request, "wizard/_save_state.html", context | {"status": "not-saved"}, headers=NO_STORE)
    answers = merged_answers(section, assessment.answers, step.answers)
    is_first = section.id == first_section().id
    try:
        store.save_answers(
            assessment, session=session, expected_version=_expected_version(form), answers=answers,
            notes=merged_notes(section, assessment.notes, step.notes, answers),
            name=(step.name or DEFAULT_NAME) if is_first else None, editing_session="continue",
        )
    except store.StaleRevision as stale:
        if not _same_as_stored(stale, (step.name or DEFAULT_NAME) if is_first else None):
            return render(request, "wizard/_save_state.html", context | {"status": "stale"}, headers=NO_STORE)
    return render(request, "wizard/_save_state.html", context | {"status": "saved", "autosaved": True},
                  headers=NO_STORE)


def _after_save(request: Request, assessment: Assessment, edit_token: str, section,
                workspace_url: str | None, dropped: list[str]) -> Response:
    sections = load_questionnaire().sections
    index = [s.id for s in sections].index(section.id)
    if index == len(sections) - 1:
        return _to_result(request, edit_token, dropped)
    return _show_saved(request, assessment, edit_token, sections[index + 1], workspace_url, dropped)


def _to_result(request: Request, edit_token: str, dropped: list[str]) -> Response:
    path = result_path(request, edit_token) + _dropped_query(dropped)
    if is_htmx(request):  # the result has its own layout: load it as a whole page
        return Response(status_code=204, headers=NO_STORE | {"HX-Redirect": path})
    return RedirectResponse(path, status_code=303, headers=NO_STORE)


def _go_back(request: Request, assessment: Assessment, edit_token: str, section,
             workspace_url: str | None, dropped: list[str]) -> Response:
    sections = load_questionnaire().sections
    index = max([s.id for s in sections].index(section.id) - 1, 0)
    return _show_saved(request, assessment, edit_token, sections[index], workspace_url, dropped)


def _show_saved(request: Request, assessment: Assessment, edit_token: str, section,
                workspace_url: str | None, dropped: list[str]) -> Response:
    """The step after a save: swapped in with its URL pushed (htmx), or redirected to (plain form).

    Answers the save dropped are named on that step: passed along in the redirect's query string.
    """
    path = step_path(request, edit_token, section.id)
    if not is_htmx(request):
        return RedirectResponse(path + _dropped_query(dropped), status_code=303, headers=NO_STORE)
    page = _step_page(request, section, assessment, edit_token, stored_step(section, assessment),
                      workspace_url, status="saved")
    page["dropped"] = dropped_answers(dropped)
    # The pushed address leaves the note out: a reload shows the step as saved, without it.
    return render_step(request, page, headers={"HX-Push-Url": path})


def _dropped_query(dropped: list[str]) -> str:
    return "?" + urlencode([("dropped", entry) for entry in dropped]) if dropped else ""


# --- a colleague saved first -----------------------------------------------------------------


@dataclass(frozen=True)
class ConflictRow:
    """One answer (or note) as the other person saved it and as this person sent it, with the form
    values that keep either: on a row that differs, the person picks which one to save."""

    label: str
    field: str  # the form field: the question id, or the note's field
    theirs: str
    mine: str
    theirs_value: str
    mine_value: str

    @property
    def differs(self) -> bool:
        return self.theirs != self.mine

    @property
    def keeps_theirs(self) -> bool:
        """The choice made for the person: theirs only where this person left it blank."""
        return not self.mine_value.strip() and bool(self.theirs_value.strip())


def conflict_rows(section, current: Assessment, step: StepInput) -> list[ConflictRow]:
    rows = []
    for question in section.questions:
        theirs = answer_words(question, current.answers.get(question.id))
        mine = answer_words(question, step.answers.get(question.id))
        if theirs != NOT_ANSWERED or mine != NOT_ANSWERED:
            rows.append(ConflictRow(question.label, question.id, theirs, mine,
                                    form_value(question, current.answers.get(question.id)),
                                    step.values.get(question.id, "")))
        their_note, my_note = current.notes.get(question.id, ""), step.notes.get(question.id, "")
        if their_note or my_note:
            rows.append(ConflictRow(f"Note on “{question.label}”", NOTE_PREFIX + question.id,
                                    their_note or "No note", my_note or "No note", their_note, my_note))
    return rows


NOT_ANSWERED = "Not answered"
NOT_SURE = "Not sure yet"
NOT_ASKED = "Not asked"


def answer_words(question, value, *, answers: Mapping | None = None, status: str | None = None) -> str:
    """An answer as the wizard shows it: the choice's label, Yes/No, or the number with its unit.

    No answer reads "Not asked" when the other `answers` ruled the question out, "Not sure yet" when
    the team went past its step (`status`, the assessment's) without answering, else "Not answered".
    """
    if value is None:
        if answers is not None and not load_questionnaire().is_visible(question, answers):
            return NOT_ASKED
        if status is not None and question.id in passed_questions(status):
            return NOT_SURE
        return NOT_ANSWERED
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
