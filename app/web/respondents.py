"""Several colleagues answer (issue 15): the owner invites, each respondent answers on their own page, the
owner sees where the answers differ and which differences decide the verdict, and resolves them.

The respondent's page is one form with every section, built from the wizard's own question partial, so
it looks and validates like the wizard and works without scripts. It shows that person's answers only:
neither the others' nor the edit link. The owner's page is reached with the edit link (or from the
workspace, which forwards to it); each resolution is one click and saves like any edit, as a revision.
"""

from dataclasses import dataclass
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from app import assessments as store
from app import respondents as team_store
from app.access import EditableAssessment, WorkspaceAccess, secret_of
from app.advisor.disagreements import OWNER, Disagreements, QuestionAgreement
from app.advisor.words import verdict_label
from app.db import SessionDep
from app.links import parse_expiry
from app.models import MAX_RESPONDENT_NAME_LENGTH, Assessment, Respondent, RespondentAnswers, utcnow
from app.questionnaire import load_questionnaire
from app.questionnaire.progress import COMPLETE
from app.questionnaire.wording import answer_text, condition_text, form_value, question_label
from app.reports.downloads import SHARED_PAGE_HEADERS
from app.reports.downloads import public_url as absolute_url
from app.security.route_limits import limit
from app.web.compare import Column, result_lines
from app.web.render import SITE, is_htmx, render, route_path
from app.web.step_form import StepInput, read_step
from app.web.steps import PostedForm, ShownQuestion

router = APIRouter()

# How the assessment's own answers are headed in the owner's tables: the edit link holder's.
OWNER_LABEL = "Assessment (yours)"


# --- the respondent's form ---------------------------------------------------------------------


def _all_questions() -> list[ShownQuestion]:
    """Every question on one page; one that depends on another answer says so (no scripts needed)."""
    return [ShownQuestion(q, False, condition_text(q.show_if) if q.show_if else "")
            for section in load_questionnaire().sections for q in section.questions]


def read_response(form) -> StepInput:
    """The whole form read section by section with the wizard's own parser: raw values kept for the
    page, messages per field, and answers to questions the other answers rule out dropped."""
    questionnaire = load_questionnaire()
    whole = StepInput()
    for section in questionnaire.sections:
        step = read_step(section, form)
        whole.values |= step.values
        whole.notes |= step.notes
        whole.answers |= step.answers
        whole.errors |= {k: v for k, v in step.errors.items() if k != "name"}
    whole.answers = {k: v for k, v in whole.answers.items() if questionnaire.is_visible(k, whole.answers)}
    whole.notes = {k: v for k, v in whole.notes.items() if v and questionnaire.is_visible(k, whole.answers)}
    return whole


def saved_step(response: RespondentAnswers | None) -> StepInput:
    """What this respondent submitted, as the inputs show it; a blank they left reads "Not sure yet"."""
    step = StepInput()
    for section in load_questionnaire().sections:
        for q in section.questions:
            value = response.answers.get(q.id) if response else None
            blank_was_unsure = response is not None and q.allow_unsure and q.type != "number"
            step.values[q.id] = "unsure" if value is None and blank_was_unsure else form_value(q, value)
            step.notes[q.id] = response.notes.get(q.id, "") if response else ""
    return step


def _respond_page(request: Request, respondent: Respondent, assessment: Assessment, step: StepInput, *,
                  response: RespondentAnswers | None, status_code: int = 200,
                  just_sent: bool = False) -> Response:
    context = {
        "page_title": f"Your answers to “{assessment.name}” · {SITE}",
        "assessment_name": assessment.name,
        "respondent": respondent,
        "sections": [(section, [s for s in _all_questions() if s.question in section.questions])
                     for section in load_questionnaire().sections],
        "step": step,
        "response": response,
        "verdict": verdict_label(response.verdict) if response else "",
        "just_sent": just_sent,
        "error_labels": {q.id: q.label for q in load_questionnaire().questions},
        "action_url": route_path(request, "submit_response", respond_token=_token_of(request)),
        "htmx": is_htmx(request),
    }
    return render(request, "respondents/respond.html", context, block="content", status_code=status_code,
                  headers=SHARED_PAGE_HEADERS)


def _token_of(request: Request) -> str:
    return request.path_params["respond_token"]


@router.get("/r/{respond_token}", name="respond")
def respond(request: Request, respond_token: str, session: SessionDep, sent: str = ""):
    respondent, assessment = team_store.respondent_by_token(respond_token, session=session)
    response = session.get(RespondentAnswers, respondent.id)
    return _respond_page(request, respondent, assessment, saved_step(response), response=response,
                         just_sent=bool(sent) and response is not None)


@router.post("/r/{respond_token}/answers", name="submit_response")
def submit_response(request: Request, respond_token: str, form: PostedForm, session: SessionDep):
    respondent, assessment = team_store.respondent_by_token(respond_token, session=session)
    step = read_response(form)
    if step.errors:
        return _respond_page(request, respondent, assessment, step, status_code=422,
                             response=session.get(RespondentAnswers, respondent.id))
    response = team_store.save_response(respondent, session=session, answers=step.answers, notes=step.notes)
    if is_htmx(request):
        return _respond_page(request, respondent, assessment, saved_step(response), response=response,
                             just_sent=True)
    return RedirectResponse(route_path(request, "respond", respond_token=respond_token) + "?sent=1", 303)


# --- the owner's page ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    """One button of a resolution: an answer someone gave, who gave it, and the verdict it leads to."""

    value: str  # as the form sends it
    words: str
    given_by: str
    verdict: str
    current: bool  # the assessment's own answer now


@dataclass(frozen=True)
class Row:
    """A question in the owner's table: each person's answer in words, and the one-click choices."""

    question_id: str
    label: str
    agreement: str
    changes_verdict: bool
    answers: list[tuple[str, str]]  # (who, answer in words)
    choices: list[Choice]
    section_id: str


def _who(name: str) -> str:
    return OWNER_LABEL if name == OWNER else name


def _rows(found: Disagreements, owner: dict) -> list[Row]:
    questionnaire = load_questionnaire()
    section_of = {q.id: s.id for s in questionnaire.sections for q in s.questions}
    rows = []
    for q in found.questions:
        try:
            question = questionnaire.question(q.question)
        except KeyError:  # a field no question of this questionnaire asks
            continue
        words = [(_who(who), answer_text(q.question, value, status=COMPLETE)) for who, value in q.answers]
        rows.append(Row(q.question, question.label, q.agreement, q.changes_verdict, words,
                        _choices(q, question, owner), section_of[q.question]))
    return rows


def _choices(q: QuestionAgreement, question, owner: dict) -> list[Choice]:
    if q.differs:
        return [Choice(form_value(question, a.value), answer_text(q.question, a.value),
                       ", ".join(_who(who) for who in a.given_by), verdict_label(a.verdict),
                       q.answer_of(OWNER) is not None and owner.get(q.question) == a.value)
                for a in q.alternatives]
    if q.agreement == "unsure" and q.answer_of(OWNER) is None:
        # Someone knows what the assessment left open: one click takes it.
        known = next(((who, value) for who, value in q.answers if value is not None))
        return [Choice(form_value(question, known[1]), answer_text(q.question, known[1]), _who(known[0]), "",
                       False)]
    return []


def _columns(assessment: Assessment, found: list[RespondentAnswers]) -> list[Column]:
    """The assessment and each response as comparison columns: the comparison page's result lines."""
    columns = [Column("", assessment, None, assessment.answers, assessment.notes, assessment.recommendation,
                      assessment.updated_at)]
    for response in found:
        columns.append(Column(response.respondent_id, assessment, None, response.answers, response.notes,
                              response.recommendation, response.submitted_at))
    return columns


def _owner_page(request: Request, access, *, session: Session, status_code: int = 200,
                new_link: dict | None = None,
                name: str = "", errors: dict | None = None, notice: dict | None = None) -> Response:
    assessment = access.assessment
    everyone = team_store.invitees(assessment, session=session)
    found = [i.response for i in everyone if i.response is not None]
    compared = team_store.compare(assessment, session=session, found=found) if found else None
    rows = _rows(compared, assessment.answers) if compared else []
    columns = _columns(assessment, found)
    context = {
        "page_title": f"Several colleagues answer · {assessment.name} · {SITE}",
        "assessment": assessment,
        "verdict": verdict_label(assessment.verdict),
        "edit_token": access.token,
        "invitees": everyone,
        "responses": found,
        "column_names": [OWNER_LABEL] + [r.name for r in found],
        "result_lines": result_lines(columns) if found else [],
        "differing": [r for r in rows if r.agreement == "differs"],
        "unsure": [r for r in rows if r.agreement == "unsure"],
        "agreed": [r for r in rows if r.agreement in ("same", "single")],
        "new_link": new_link,
        "name": name,
        "errors": errors or {},
        "notice": notice,
        "max_name": MAX_RESPONDENT_NAME_LENGTH,
        "today": utcnow().date().isoformat(),
        "htmx": is_htmx(request),
    }
    return render(request, "respondents/manage.html", context, block="content", status_code=status_code,
                  headers=SHARED_PAGE_HEADERS)


@router.get("/e/{edit_token}/respondents", name="respondents")
def respondents_page(request: Request, access: EditableAssessment, session: SessionDep, resolved: str = "",
                     was: str = ""):
    notice = None
    if resolved in access.assessment.answers or (resolved and was):
        answers = access.assessment.answers
        notice = {"label": question_label(resolved),
                  "answer": answer_text(resolved, answers.get(resolved), status=COMPLETE),
                  "verdict": verdict_label(access.assessment.verdict),
                  "was": verdict_label(was) if was and was != access.assessment.verdict else ""}
    return _owner_page(request, access, session=session, notice=notice)


@router.post("/e/{edit_token}/respondents/invite", name="invite_respondent", dependencies=[limit("create")])
def invite_respondent(request: Request, form: PostedForm, access: EditableAssessment, session: SessionDep):
    name = store.storable_text(str(form.get("name", ""))).strip()
    expires_at, expiry_error = parse_expiry(str(form.get("expires_on", "")))
    errors = {}
    if not name:
        errors["name"] = "Enter the name of the person you are asking (it is shown beside their answers)."
    elif len(name) > MAX_RESPONDENT_NAME_LENGTH:
        errors["name"] = (f"Keep the name under {MAX_RESPONDENT_NAME_LENGTH} characters "
                          f"(it has {len(name):,}).")
    if expiry_error:
        errors["expires_on"] = expiry_error
    if errors:
        return _owner_page(request, access, session=session, status_code=422, name=name, errors=errors)
    respondent, token = team_store.invite(access.assessment, name, session=session, secret=secret_of(request),
                                          expires_at=expires_at)
    # Shown on this response only: the page a browser reloads afterwards lists the person, not the link.
    link = {"name": respondent.name, "url": absolute_url(request, "respond", respond_token=token)}
    return _owner_page(request, access, session=session, new_link=link)


@router.post("/e/{edit_token}/respondents/{respondent_id}/revoke", name="revoke_respondent")
def revoke_respondent(request: Request, respondent_id: str, access: EditableAssessment, session: SessionDep):
    respondent = team_store.respondent_of(access.assessment, respondent_id, session=session)
    team_store.revoke(respondent, session=session)
    return _back(request, access.token)


@router.post("/e/{edit_token}/respondents/resolve", name="resolve_question")
def resolve_question(request: Request, form: PostedForm, access: EditableAssessment, session: SessionDep):
    qid = str(form.get("question", ""))
    raw = str(form.get("answer", ""))
    assessment = access.assessment
    try:
        question = load_questionnaire().question(qid)
        value = question.parse(raw)
        version = int(str(form.get("version", "")))
    except (KeyError, ValueError):
        return _owner_page(request, access, session=session, status_code=422,
                           notice={"problem": "That choice could not be read; choose again below."})
    was = assessment.verdict
    try:
        team_store.resolve(assessment, qid, value, session=session, expected_version=version)
    except store.StaleRevision as stale:
        access = type(access)(stale.current, access.link, access.token)
        return _owner_page(request, access, session=session, status_code=409, notice={
            "problem": "Someone saved this assessment since you opened this page, so nothing was changed. "
                       "The table below shows their answers now; choose again."})
    except team_store.InvalidAnswer:
        return _owner_page(request, access, session=session, status_code=422,
                           notice={"problem": "That answer is not valid for the question; choose again."})
    return _back(request, access.token, resolved=qid, was=was)


def _back(request: Request, edit_token: str, **query: str) -> Response:
    path = route_path(request, "respondents", edit_token=edit_token)
    if query:
        path += "?" + urlencode(query)
    return RedirectResponse(path, 303)


@router.get("/w/{workspace_token}/a/{assessment_id}/respondents", name="workspace_respondents")
def workspace_respondents(request: Request, grant: WorkspaceAccess, assessment_id: str, session: SessionDep):
    """From the workspace: on to the page under the assessment's edit link (renew it there if revoked)."""
    assessment = store.get_in_workspace(grant.workspace, assessment_id, session=session)
    edit = store.links_of(assessment, session=session)["edit"]
    if not store.link_is_live(edit):
        return RedirectResponse(route_path(request, "workspace_share_links", workspace_token=grant.token,
                                           assessment_id=assessment.id), 303)
    token = store.link_token(edit, secret_of(request))
    return RedirectResponse(route_path(request, "respondents", edit_token=token), 303)

