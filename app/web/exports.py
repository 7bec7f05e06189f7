"""Downloads and uploads: one assessment as JSON (and back), a workspace's list as CSV."""

import csv
import io
import json
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from sqlmodel import select

from app import assessments as store
from app.access import EditableAssessment, WorkspaceAccess, secret_of
from app.advisor import Answers
from app.advisor.words import verdict_label
from app.db import SessionDep
from app.models import MAX_NAME_LENGTH, MAX_NOTE_LENGTH, Assessment, ShareLink
from app.reports.downloads import SHARED_PAGE_HEADERS, attachment
from app.reports.downloads import public_url as absolute_url
from app.reports.export import EXPORT_FORMAT, export_document
from app.security.route_limits import limit
from app.web.render import render, route_path
from app.web.workspaces import ListQuery

router = APIRouter()

# Rows read per query while writing a CSV: bounded memory per query, few round trips.
CSV_BATCH = 500
# Spreadsheets run cells starting with these as formulas (OWASP "CSV injection").
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


# --- JSON export ----------------------------------------------------------------------------------


@router.get("/e/{edit_token}/export.json", name="export_json")
def export_json(access: EditableAssessment) -> Response:
    body = json.dumps(export_document(access.assessment), indent=2, ensure_ascii=False)
    headers = {"Content-Disposition": attachment(access.assessment.name, "json"), **SHARED_PAGE_HEADERS}
    return Response(body, media_type="application/json", headers=headers)


# --- JSON import ----------------------------------------------------------------------------------


class ImportedAssessment(BaseModel):
    """What an import needs from an exported file; the stored result is recomputed, never trusted."""

    model_config = ConfigDict(extra="ignore")

    format: Literal["llm-customization-advisor/assessment"]
    format_version: Literal[1]
    name: str = Field(min_length=1, max_length=MAX_NAME_LENGTH)
    answers: Answers
    notes: dict[str, Annotated[str, Field(max_length=MAX_NOTE_LENGTH)]] = Field(default_factory=dict)

    @field_validator("name")
    @classmethod
    def _printable_name(cls, name: str) -> str:
        name = name.strip()
        if not name or "\x00" in name:
            raise ValueError("the name must be some text")
        return name

    @field_validator("notes")
    @classmethod
    def _notes_on_known_questions(cls, notes: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(notes) - set(Answers.model_fields))
        if unknown:
            raise ValueError(f"notes on unknown questions: {', '.join(unknown)}")
        if any("\x00" in text for text in notes.values()):
            raise ValueError("notes must be plain text")
        return notes


def read_import(raw: bytes) -> tuple[ImportedAssessment | None, list[str]]:
    """The parsed file, or the reasons it cannot be imported, in words a person can act on."""
    try:
        data = json.loads(raw.decode("utf-8"))
    # ValueError covers JSONDecodeError and an integer of more than 4,300 digits (Python's int limit);
    # RecursionError, JSON nested some 2,000 levels deep. Both were 500s (issue 17, finding 4; R02).
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None, ["This file is not JSON. Choose a file saved with “Export JSON” from an assessment."]
    if not isinstance(data, dict) or data.get("format") != EXPORT_FORMAT:
        return None, ["This JSON file is not an assessment exported from this app."]
    try:
        return ImportedAssessment.model_validate(data), []
    except ValidationError as error:
        return None, [_problem(item) for item in error.errors()]
    except RecursionError:  # nested deeper than pydantic follows, inside a field
        return None, ["This JSON file is not an assessment exported from this app."]


def _problem(item: dict) -> str:
    where = ".".join(str(part) for part in item["loc"])
    return f"{where}: {item['msg']}"


def _import_page(request: Request, grant, *, problems: list[str], status_code: int = 200) -> Response:
    context = {"workspace_token": grant.token, "problems": problems}
    return render(request, "share/import.html", context, status_code=status_code, headers=SHARED_PAGE_HEADERS)


@router.get("/w/{workspace_token}/import", name="import_form")
def import_form(request: Request, grant: WorkspaceAccess) -> Response:
    return _import_page(request, grant, problems=[])


@router.post("/w/{workspace_token}/import", name="import_assessment", dependencies=[limit("create")])
def import_assessment(
    request: Request,
    grant: WorkspaceAccess,
    session: SessionDep,
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    if file is None or not file.filename:
        return _import_page(request, grant, problems=["Choose a file to import."], status_code=422)
    limit = request.app.state.settings.max_body_bytes
    raw = file.file.read(limit + 1)  # a plain function (worker thread): the database calls block
    if len(raw) > limit:
        return _import_page(
            request,
            grant,
            status_code=413,
            problems=[f"This file is larger than {limit // 1024} KiB; an export is much smaller."],
        )
    imported, problems = read_import(raw)
    if imported is None:
        return _import_page(request, grant, problems=problems, status_code=422)
    # A file imported back next to its original would be two rows of the same name: mark the copy.
    renamed = store.name_in_use(grant.workspace, imported.name, session=session)
    name = imported_name(imported.name) if renamed else imported.name
    assessment = store.create_assessment(
        session=session,
        secret=secret_of(request),
        workspace=grant.workspace,
        name=name,
        answers=imported.answers,
        notes=imported.notes,
        reason="imported",
        status="complete",
    )
    edit = store.links_of(assessment, session=session)["edit"]
    path = route_path(request, "assessment_result", edit_token=store.link_token(edit, secret_of(request)))
    done = "imported-renamed" if renamed else "imported"
    return RedirectResponse(f"{path}?done={done}", status_code=303, headers=SHARED_PAGE_HEADERS)


def imported_name(name: str) -> str:
    suffix = " (imported)"
    return name[: MAX_NAME_LENGTH - len(suffix)] + suffix


# --- CSV of the list ------------------------------------------------------------------------------

# "verdict" in the words the pages use; "verdict_code" stays stable for scripts and filters.
CSV_COLUMNS = (
    "name",
    "verdict",
    "verdict_code",
    "confidence",
    "status",
    "created",
    "updated",
    "questionnaire_version",
    "engine_version",
    "view_link",
)


def safe_cell(value: Any) -> str:
    """A cell a spreadsheet shows as text, never runs: formula-like text gets a leading apostrophe."""
    text = value.isoformat() if isinstance(value, datetime) else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def _view_links(request: Request, items: list[Assessment], *, session) -> dict[str, str]:
    """Live view links of a batch of assessments, from one query."""
    secret = secret_of(request)
    query = select(ShareLink).where(
        ShareLink.assessment_id.in_([a.id for a in items]), ShareLink.kind == "view"
    )
    return {
        link.assessment_id: absolute_url(
            request, "view_assessment", view_token=store.link_token(link, secret)
        )
        for link in session.exec(query)
        if store.link_is_live(link)
    }


def csv_rows(request: Request, workspace, *, session, search: str, verdict: str | None, sort: str):
    page = 1
    while True:
        listing = store.list_assessments(
            workspace,
            session=session,
            search=search,
            verdict=verdict,
            sort=sort,
            page=page,
            page_size=CSV_BATCH,
        )
        links = _view_links(request, listing.items, session=session)
        for a in listing.items:
            yield (
                a.name,
                verdict_label(a.verdict),
                a.verdict,
                f"{a.confidence:.2f}",
                a.status,
                a.created_at,
                a.updated_at,
                a.questionnaire_version,
                a.engine_version,
                links.get(a.id, ""),
            )
        if not listing.has_next or page >= store.MAX_PAGE:
            return
        page += 1


@router.get("/w/{workspace_token}/export.csv", name="export_csv")
def export_csv(
    request: Request,
    grant: WorkspaceAccess,
    session: SessionDep,
    q: str = "",
    verdict: str = "",
    sort: str = "updated",
) -> Response:
    buffer = io.StringIO()
    buffer.write("\ufeff")  # a byte-order mark, so spreadsheet apps read the file as UTF-8
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    query = ListQuery.parse(q, verdict, sort, page="1")  # the same normalising as the list on screen
    rows = csv_rows(
        request,
        grant.workspace,
        session=session,
        search=query.search,
        verdict=query.verdict or None,
        sort=query.sort,
    )
    writer.writerows([safe_cell(cell) for cell in row] for row in rows)
    headers = {"Content-Disposition": attachment("assessments", "csv"), **SHARED_PAGE_HEADERS}
    return Response(buffer.getvalue(), media_type="text/csv; charset=utf-8", headers=headers)
