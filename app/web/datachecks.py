"""The training-data checker on the wizard's data step: upload a sample, read its report, use its figures.

"Check the file" is a submit button of the step form itself (formaction), so whatever the team typed on
the step travels with the file and comes back unsaved-but-kept, with or without JavaScript. With htmx the
report swaps in below the form; without it the step page is shown again with the report. "Use these
figures" posts the step's typed answers with the two figures replaced, and saves them through the same
store function as a wizard step (`assessments.save_answers`): a colleague's save in between shows the
wizard's conflict page, and the verdict updates like after any other answer change.
"""

from datetime import date

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool

from app import assessments as store
from app.access import EditableAssessment
from app.advisor.datacheck import DataCheckError, DataReport, FileTooLarge, report_notes
from app.db import SessionDep
from app.models import MAX_NOTE_LENGTH
from app.questionnaire import load_questionnaire
from app.security.csrf import FIELD, HEADER, token_is_valid
from app.security.route_limits import limit
from app.uploads import ChecksBusy, fields_before, read_upload
from app.web import step_form, steps
from app.web.conflicts import conflict_page
from app.web.render import NO_STORE, is_htmx, render, route_path
from app.web.workspace_cookie import workspace_link

# This router checks the CSRF token itself, from the streamed form (the shared router dependency would
# parse the whole body first, spooling the file to disk); it is included without that dependency.
upload_router = APIRouter()
router = APIRouter()

DATA_SECTION = "data"
FIGURES = ("labeled_examples", "data_quality")
QUALITY_WORDS = {"low": "Low", "medium": "Medium", "high": "High"}


def data_section():
    return load_questionnaire().section(DATA_SECTION)


def step_fields(section, fields: dict[str, str]) -> dict[str, str]:
    """The step's own inputs (answers and notes) among the posted fields, to carry them along."""
    names = {q.id for q in section.questions} | {step_form.NOTE_PREFIX + q.id for q in section.questions}
    return {name: value for name, value in fields.items() if name in names}


@upload_router.post("/e/{edit_token}/data-check", name="data_check", dependencies=[limit(body="upload")])
async def check_data(request: Request, access: EditableAssessment, session: SessionDep):
    settings = request.app.state.settings
    header_token = request.headers.get(HEADER)
    if header_token is not None and not token_is_valid(request, header_token):
        raise HTTPException(status_code=403, detail="csrf")  # htmx sends it in a header: refused unread
    section = data_section()
    report: DataReport | None = None
    problem = ""
    status = 200
    fields: dict[str, str] = {}
    try:
        upload = await read_upload(request, max_bytes=settings.data_check_max_bytes, as_of=date.today())
        fields, report = upload.fields, upload.report
    except FileTooLarge as too_large:
        # 422, not 413, for htmx: the page's htmx config swaps 422 answers in, so the message shows.
        problem, status = too_large.message, 422 if is_htmx(request) else 413
        fields = fields_before(too_large)
    except ChecksBusy as busy:
        # 422 for htmx, as above; the page keeps what was typed, so pressing the button again is enough.
        problem, status = busy.message, 422 if is_htmx(request) else 503
        fields = fields_before(busy)
    except DataCheckError as refused:
        problem, status, fields = refused.message, 422, fields_before(refused)
        if refused.line is not None and f"line {refused.line}" not in problem:
            problem = f"Line {refused.line}: {problem}"
    # Checked once the form is read when the token is a form field (without JavaScript): the file was only
    # counted, nothing stored or changed, and cross-site posts were already refused by the origin guard.
    token = request.headers.get(HEADER) or fields.get(FIELD)
    if not token_is_valid(request, token):
        raise HTTPException(status_code=403, detail="csrf")
    typed = step_fields(section, fields)
    step = step_form.read_step(section, typed) if typed else step_form.stored_step(section, access.assessment)
    context = {"report": report, "problem": problem, "carried": typed, "assessment": access.assessment,
               "use_url": route_path(request, "data_check_use", edit_token=access.token),
               "quality_words": QUALITY_WORDS, "htmx": is_htmx(request),
               "notes": report_notes(report, date.today()) if report else {}}
    if is_htmx(request):
        return render(request, "datacheck/_report.html", context, status_code=status, headers=NO_STORE)
    workspace_url = await run_in_threadpool(workspace_link, request, access.assessment,
                                            session=session)
    page = steps.step_context(request, section, step, assessment=access.assessment, edit_token=access.token,
                               action_url=steps.step_path(request, access.token, section.id),
                               workspace_url=workspace_url)
    page["data_check"] = context
    return steps.render_step(request, page, status)


@router.post("/e/{edit_token}/data-check/use", name="data_check_use")
def use_figures(request: Request, form: steps.PostedForm, access: EditableAssessment, session: SessionDep):
    section = data_section()
    assessment = access.assessment
    step = step_form.read_step(section, form)
    if form.get("keep_report") == "yes":  # the team chose to keep the report with the assessment
        for qid in FIGURES:
            kept = store.storable_text(str(form.get(f"report-note-{qid}", ""))).strip()
            step.notes[qid] = "\n".join(filter(None, [step.notes.get(qid, ""), kept]))[:MAX_NOTE_LENGTH]
    workspace_url = workspace_link(request, assessment, session=session)
    if step.errors:
        page = steps.step_context(request, section, step, assessment=assessment, edit_token=access.token,
                                   action_url=steps.step_path(request, access.token, section.id),
                                   workspace_url=workspace_url)
        return steps.render_step(request, page, 422)
    stale = steps.save_step_answers(assessment, section, step, form, session=session)
    if stale is not None:
        return conflict_page(request, section, stale, access.token, step)
    if is_htmx(request):  # the step swapped in with its new values, as after a wizard save
        return steps.show_saved(request, assessment, access.token, section, workspace_url, [])
    path = steps.step_path(request, access.token, section.id) + "#field-labeled_examples"
    return RedirectResponse(path, status_code=303, headers=NO_STORE)
