"""The wizard: one questionnaire section per step, each step saved as the team goes.

The first saved step makes the draft assessment (and a workspace when there is none); every later
step saves with the version it was loaded at, so a colleague's save in between shows a conflict page
(`conflicts`) instead of being overwritten. With htmx a step swaps in place and pushes its URL;
without it the same forms post and redirect. The form is read in `step_form`, the step page built
and saved in `steps`, the browser's workspaces kept in `workspace_cookie`.
"""

import re
from functools import partial

import anyio.to_thread
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.exc import OperationalError
from sqlmodel import Session
from starlette.datastructures import FormData

from app import assessments as store
from app.access import (
    AssessmentAccess,
    EditableAssessment,
    WorkspaceAccess,
    WorkspaceGrant,
    editable,
    secret_of,
)
from app.db import SessionDep, each_statement_commits, lock_was_busy, request_session
from app.models import Assessment, Workspace
from app.questionnaire import load_questionnaire
from app.questionnaire.progress import DRAFT, Status, section_index
from app.security.route_limits import limit
from app.web import loop_saves
from app.web.conflicts import conflict_page
from app.web.render import NO_STORE, render, route_path
from app.web.step_form import StepInput, dropped_answers, merged_answers, merged_notes, read_step, stored_step
from app.web.steps import (
    AUTOSAVED,
    DEFAULT_NAME,
    PostedForm,
    after_save,
    finishes,
    posted_form,
    reached_index,
    render_step,
    result_path,
    save_state,
    save_step_answers,
    section_or_404,
    show_saved,
    step_context,
    step_page,
    step_path,
    to_result,
)
from app.web.workspace_cookie import remember_workspace, remembered_workspace, workspace_link

router = APIRouter()
# The step post alone: sent after every answer, and FastAPI scans a router's routes in full (twice for the
# router that matches), so on its own, first, it is matched after 5 routes instead of 17 (app.web.ROUTERS).
step_posts = APIRouter()

# Step posts doing their database work at once, per process; the rest wait their turn on the event loop,
# first come first served. On PostgreSQL every free worker thread would otherwise take one, and each of a
# post's round trips then queues for the GIL again: at 32 connections 4 at once cost 2.26 instead of
# 2.46 ms of CPU a post and cut p99 from 155-208 to 84-155 ms (4 interleaved pairs; 2.00 against 2.22 ms
# at 8). Measured with PostgreSQL on the same 2 cores; with the database a millisecond away each post
# waits longer on its round trips, and more at once would pay. On SQLite, OneWriterAtATime lets one in
# at a time anyway.
STEP_POSTS_AT_ONCE = 4

IDEMPOTENCY_KEY = re.compile(r"[A-Za-z0-9-]{16,64}")


def edit_token_of(assessment: Assessment, *, session: Session, secret: bytes) -> str:
    return store.link_token(store.links_of(assessment, session=session)["edit"], secret)


def _first_section():
    return load_questionnaire().sections[0]


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
    section = _first_section()
    step = stored_step(section, None)
    context = step_context(request, section, step, assessment=None, action_url=action_url,
                           workspace_url=workspace_url)
    if remembered_workspace_token:
        context["remembered_workspace"] = {
            "url": route_path(request, "workspace", workspace_token=remembered_workspace_token),
            "new_url": route_path(request, "new_in_workspace", workspace_token=remembered_workspace_token),
        }
    return render_step(request, context)


@router.post("/new", name="wizard_create", dependencies=[limit("create")])
def create_assessment(request: Request, form: PostedForm, session: SessionDep):
    return _create(request, form, session, None, route_path(request, "wizard_create"))


@router.post("/w/{workspace_token}/new", name="wizard_create_in_workspace", dependencies=[limit("create")])
def create_in_workspace(request: Request, form: PostedForm, grant: WorkspaceAccess, session: SessionDep):
    action = route_path(request, "wizard_create_in_workspace", workspace_token=grant.token)
    return _create(request, form, session, grant, action)


def _create(request: Request, form: FormData, session: Session, grant: WorkspaceGrant | None,
            action_url: str) -> Response:
    """The first step saved: a new assessment, in the granted workspace or a new one."""
    section = _first_section()
    step = read_step(section, form)
    key = str(form.get("idempotency_key", ""))
    key = key if IDEMPOTENCY_KEY.fullmatch(key) else None
    refresh = form.get("action") == "refresh"
    if refresh or step.errors:
        workspace_url = route_path(request, "workspace", workspace_token=grant.token) if grant else None
        context = step_context(request, section, step, assessment=None, action_url=action_url,
                               workspace_url=workspace_url)
        context["idempotency_key"] = key or context["idempotency_key"]
        return render_step(request, context, status_code=200 if refresh else 422)
    secret = secret_of(request)
    answers = merged_answers(section, {}, step.answers)
    notes = merged_notes(section, {}, step.notes, answers)
    name = step.name or DEFAULT_NAME
    try:
        assessment = _already_created(key, grant.workspace if grant else None, name, answers, notes,
                                      session=session)
    except (store.IdempotencyConflict, store.ReplayRefused) as refused:
        return _not_replayed(request, refused)
    workspace_token = grant.token if grant else None
    if assessment is None:
        if grant is None:
            workspace, workspace_token = store.create_workspace(session=session, secret=secret)
        else:
            workspace = grant.workspace
        try:
            assessment = store.create_assessment(
                session=session, secret=secret, workspace=workspace, name=name, answers=answers, notes=notes,
                status=Status(DRAFT).after_saving(section.id).value,
                idempotency_key=key, fresh_workspace=grant is None, editing_session=True,
            )
        except (store.IdempotencyConflict, store.ReplayRefused) as refused:  # lost a race to a changed one
            return _not_replayed(request, refused)
        if assessment.workspace_id != workspace.id:  # the other click of a double click won the race
            first_workspace = session.get(Workspace, assessment.workspace_id)
            workspace_token = store.workspace_token(first_workspace, secret)
    edit_token = edit_token_of(assessment, session=session, secret=secret)
    workspace_url = workspace_link(request, assessment, session=session, token=workspace_token)
    response = after_save(request, assessment, edit_token, section, workspace_url, step.dropped)
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
    if Status(assessment.status).complete:
        return RedirectResponse(result_path(request, access.token), status_code=303, headers=NO_STORE)
    sections = load_questionnaire().sections
    section = sections[min(reached_index(assessment), len(sections) - 1)]
    return RedirectResponse(step_path(request, access.token, section.id), status_code=303, headers=NO_STORE)


@router.get("/e/{edit_token}/step/{section_id}", name="wizard_step")
def show_step(request: Request, section_id: str, access: EditableAssessment, session: SessionDep):
    section = section_or_404(section_id)
    workspace_url = workspace_link(request, access.assessment, session=session)
    step = stored_step(section, access.assessment)
    page = step_page(request, section, access.assessment, access.token, step, workspace_url)
    page["dropped"] = dropped_answers(request.query_params.getlist("dropped"))
    return render_step(request, page)


@step_posts.post("/e/{edit_token}/step/{section_id}")
async def save_step(request: Request) -> Response:
    # Sent after every answer, so it asks FastAPI for nothing but the request (the router's CSRF check still
    # runs): the form is read here, on the event loop, and the link look-up, the save, the next step and the
    # commit are done in one go: by plain statements on the event loop (app.web.loop_saves), or else in a
    # session opened for them (on SQLite right here, below; otherwise on a worker thread). As parameters and
    # dependencies (the path's two parts, PostedForm, SessionDep) they cost 0.33 of a post's 5.84 M
    # instructions (callgrind).
    form = await posted_form(request)
    edit_token, section_id = request.path_params["edit_token"], request.path_params["section_id"]
    if request.app.state.settings.is_sqlite:
        # Done right here, on the event loop, when SQLite's write lock is free: its database work is in
        # this process, with no round trip to wait for, and a hop to a worker thread and back cost about
        # 0.45 ms of CPU, a fifth of a post (in-process pairs, 2.06 against 2.52 ms). Other requests wait
        # no longer than behind the GIL, which the post held on its thread anyway.
        try:
            return (await loop_saves.save_on_loop(request, edit_token, section_id, form)
                    or _save_step_in_session(request, edit_token, section_id, form, on_event_loop=True))
        except OperationalError as error:
            if not lock_was_busy(error):
                raise
            # Another process holds the lock: wait for it on a worker thread, as any other write does.
    else:
        answered = await loop_saves.save_on_loop(request, edit_token, section_id, form)
        if answered is not None:
            return answered
    work = partial(_save_step_in_session, request, edit_token, section_id, form)
    return await anyio.to_thread.run_sync(work, limiter=_step_posts(request))


def _step_posts(request: Request) -> anyio.CapacityLimiter:
    state = request.app.state
    if getattr(state, "step_posts", None) is None:  # made on the event loop: anyio needs it running
        state.step_posts = anyio.CapacityLimiter(STEP_POSTS_AT_ONCE)
    return state.step_posts


def _save_step_in_session(request: Request, edit_token: str, section_id: str, form: FormData, *,
                          on_event_loop: bool = False) -> Response:
    # Commits before the response is sent, as SessionDep does. On the event loop, each of its transactions
    # (the first, and the one re-reading a colleague's save) fails at once on a busy lock, never after 10 s.
    with request_session(request, lock_at_once=on_event_loop) as session:
        each_statement_commits(session)  # its save is one statement (PostgreSQL): no BEGIN, no COMMIT
        return _save_step(request, section_id, form, editable(edit_token, session), session)


def _save_step(request: Request, section_id: str, form: FormData, access: AssessmentAccess,
               session: Session) -> Response:
    section = section_or_404(section_id)
    step = read_step(section, form)
    assessment = access.assessment
    action = form.get("action", "next")
    workspace_url = workspace_link(request, assessment, session=session)
    if action == "autosave":
        return _autosave(request, section, step, assessment, form, workspace_url, session=session)
    if action == "refresh" or step.errors:
        page = step_page(request, section, assessment, access.token, step, workspace_url)
        return render_step(request, page, 200 if action == "refresh" else 422)
    going_back = action == "back"
    status = assessment.status if going_back else Status(assessment.status).after_saving(section.id).value
    stale = save_step_answers(assessment, section, step, form, session=session, status=status,
                              editing_session="finish" if finishes(action, section) else "continue")
    if stale is not None:
        return conflict_page(request, section, stale, access.token, step)
    if going_back:
        previous = load_questionnaire().sections[max(section_index(section.id) - 1, 0)]
        return show_saved(request, assessment, access.token, previous, workspace_url, step.dropped)
    if action == "result" and Status(assessment.status).complete:
        return to_result(request, access.token, step.dropped)
    return after_save(request, assessment, access.token, section, workspace_url, step.dropped)


def _autosave(request: Request, section, step: StepInput, assessment: Assessment, form: FormData,
              workspace_url: str | None, *, session: Session) -> Response:
    """Save the step as it stands without leaving it; answer with the save state and the new version."""
    if step.errors:
        state = {"status": "not-saved"}
    elif save_step_answers(assessment, section, step, form, session=session,
                           editing_session="continue") is not None:
        state = {"status": "stale"}
    else:
        state = AUTOSAVED
    return save_state(request, section, assessment, workspace_url, state)
