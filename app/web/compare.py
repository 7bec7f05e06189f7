"""Side by side: two to four assessments of a workspace, or revisions of them, with the differences marked."""

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from sqlmodel import Session, select

from app import assessments as store
from app.access import WorkspaceAccess, secret_of
from app.advisor.words import verdict_label
from app.charts import break_even_words, score_text
from app.dates import day_time
from app.db import SessionDep
from app.models import Assessment, Revision, Workspace
from app.questionnaire.wording import answer_text, question_ids, question_label
from app.web.render import render, route_path
from app.web.workspaces import rows_with_edit_links

router = APIRouter()

MIN_COLUMNS, MAX_COLUMNS = 2, 4
# "ID" is the assessment as it is now, "ID@3" its revision 3.
REFERENCE = re.compile(r"^(?P<id>[0-9a-f]{1,64})(?:@(?P<revision>[1-9][0-9]{0,8}))?$")


@dataclass
class Column:
    """One compared thing: an assessment now, or one of its revisions."""

    reference: str
    assessment: Assessment
    revision: Revision | None
    answers: dict
    notes: dict
    result: dict
    saved_at: datetime
    edit_token: str | None = None
    versions: list[tuple[str, str]] = field(default_factory=list)  # (reference, label) to switch to

    @property
    def version_label(self) -> str:
        return f"Revision {self.revision.number}" if self.revision else "Current version"


@dataclass(frozen=True)
class Line:
    """One compared row: a label and each column's value; `differs` marks it for the reader."""

    label: str
    values: list[str]
    notes: list[str] = field(default_factory=list)
    # The stored values behind `values`, when their words can differ for one value (issue 14: a missing
    # answer reads "not sure yet" in one column and "not answered yet" in a revision, yet nothing differs).
    raw: list = field(default_factory=list)

    @property
    def differs(self) -> bool:
        compared = [repr(value) for value in self.raw] if self.raw else self.values
        return len(set(compared)) > 1 or len(set(self.notes)) > 1


def parse_references(values: list[str]) -> list[str] | None:
    """The distinct, well-formed references asked for, in order; None when any is malformed."""
    references = []
    for value in values:
        value = value.strip()
        if not REFERENCE.match(value):
            return None
        if value not in references:
            references.append(value)
    return references


def load_columns(workspace: Workspace, references: list[str], *, session: Session) -> list[Column]:
    """Each reference as a column; one outside the workspace (or deleted) is NotFound."""
    parts = [REFERENCE.match(reference) for reference in references]
    found = store.assessments_by_ids(workspace, [part["id"] for part in parts], session=session)
    current = {assessment.id: assessment for assessment in found}
    columns = []
    for reference, part in zip(references, parts, strict=True):
        assessment = current.get(part["id"])
        if assessment is None:
            raise store.NotFound("no such assessment in this workspace")
        if part["revision"]:
            revision = store.get_revision(assessment, int(part["revision"]), session=session)
            columns.append(Column(reference, assessment, revision, revision.answers, revision.notes,
                                  revision.recommendation, revision.created_at))
        else:
            columns.append(Column(reference, assessment, None, assessment.answers, assessment.notes,
                                  assessment.recommendation, assessment.updated_at))
    return columns


def add_versions(columns: list[Column], *, session: Session) -> None:
    """Each column's other versions (revision numbers and dates), read in one query."""
    ids = list({column.assessment.id for column in columns})
    rows = session.exec(
        select(Revision.assessment_id, Revision.number, Revision.reason, Revision.created_at)
        .where(Revision.assessment_id.in_(ids))
        .order_by(Revision.number.desc())
    )
    by_assessment: dict[str, list[tuple[str, str]]] = {}
    for assessment_id, number, reason, created_at in rows:
        label = f"Revision {number}, {reason}, {day_time(created_at)}"
        by_assessment.setdefault(assessment_id, []).append((f"{assessment_id}@{number}", label))
    for column in columns:
        current = (column.assessment.id, "Current version")
        column.versions = [current, *by_assessment.get(column.assessment.id, [])]


def answer_lines(columns: list[Column]) -> list[Line]:
    """Every question answered (or noted) in at least one column, in questionnaire order."""
    ordered = question_ids()
    seen = set().union(*(set(c.answers) | set(c.notes) for c in columns))
    lines = []
    for qid in ordered + sorted(seen - set(ordered)):
        if qid not in seen:
            continue
        # Only the current version knows how far the team got (a revision does not record it).
        values = [answer_text(qid, column.answers.get(qid), answers=column.answers,
                              status=None if column.revision else column.assessment.status)
                  for column in columns]
        notes = [column.notes.get(qid, "") for column in columns]
        raw = [column.answers.get(qid) for column in columns]
        lines.append(Line(question_label(qid), values, notes if any(notes) else [], raw))
    return lines


def _score(value) -> str:
    return "-" if value is None else score_text(float(value))  # as the result page's chart says it


def _money(value) -> str:
    if value is None:
        return "-"
    # Small sums keep their cents: "$0" for a few cents a month would hide a real difference.
    return f"${float(value):,.2f}" if float(value) < 10 else f"${float(value):,.0f}"


def _months(value) -> str:
    return break_even_words(None if value is None else float(value)).capitalize()


def _recommended_option(costs: dict) -> dict | None:
    """The priced line matching the verdict (results of engine 2.0.0 on; older results have none)."""
    chosen = costs.get("recommended_option")
    return next((o for o in costs.get("options") or [] if o.get("id") == chosen), None)


def _recommended_words(costs: dict) -> str:
    option = _recommended_option(costs)
    return "-" if option is None else option["label"]


def _recommended_total(costs: dict) -> str:
    option = _recommended_option(costs)
    return "-" if option is None else _money(option["total_24_months"])


def result_lines(columns: list[Column]) -> list[Line]:
    def each(read) -> list[str]:
        return [read(column.result) for column in columns]

    def costs(result) -> dict:
        return result.get("costs") or {}

    def scores(result) -> dict:
        return result.get("scores") or {}

    return [
        Line("Verdict", each(lambda r: verdict_label(r.get("verdict", "")))),
        Line("Confidence", each(lambda r: f"{round(float(r.get('confidence', 0)) * 100)}%")),
        Line("Prompt engineering score", each(lambda r: _score(scores(r).get("prompt_engineering")))),
        Line("Fine-tuning score", each(lambda r: _score(scores(r).get("fine_tuning")))),
        Line("Recommended option", each(lambda r: _recommended_words(costs(r)))),
        Line("Recommended option, 24 months", each(lambda r: _recommended_total(costs(r)))),
        Line("Monthly cost, prompting", each(lambda r: _money(costs(r).get("monthly_prompt_engineering")))),
        Line("Monthly cost, fine-tuned model", each(lambda r: _money(costs(r).get("monthly_fine_tuned")))),
        Line("One-time fine-tuning cost", each(lambda r: _money(costs(r).get("one_time_fine_tuning")))),
        Line("Fine-tuning pays off after", each(lambda r: _months(costs(r).get("break_even_months")))),
        Line("Add retrieval (RAG)", each(lambda r: "Yes" if r.get("add_retrieval") else "No")),
    ]


@router.get("/w/{workspace_token}/compare", name="compare")
def compare(
    request: Request,
    access: WorkspaceAccess,
    session: SessionDep,
    a: Annotated[list[str] | None, Query()] = None,
    add: str = "",
    only: str = "",
):
    asked = [*(a or []), add] if add else (a or [])
    references = parse_references(asked)
    workspace_url = route_path(request, "workspace", workspace_token=access.token)
    context = {"workspace_token": access.token, "workspace_url": workspace_url,
               "only_differences": only == "diff"}
    if references is None or not MIN_COLUMNS <= len(references) <= MAX_COLUMNS:
        context["problem"] = "bad" if references is None else "count"
        return render(request, "compare/compare.html", context, status_code=422,
                      headers={"Cache-Control": "no-store"})
    columns = load_columns(access.workspace, references, session=session)
    add_versions(columns, session=session)
    tokens = {row.assessment.id: row.edit_token for row in rows_with_edit_links(
        [c.assessment for c in columns], session=session, secret=secret_of(request))}
    for column in columns:
        column.edit_token = tokens.get(column.assessment.id)
    answers = answer_lines(columns)
    context |= {
        "problem": None,
        "columns": columns,
        "result_lines": result_lines(columns),
        "answer_lines": [line for line in answers if line.differs] if only == "diff" else answers,
        "differing_answers": sum(line.differs for line in answers),
        "addable": _versions_not_shown(columns) if len(columns) < MAX_COLUMNS else [],
        "self_query": urlencode([("a", c.reference) for c in columns]),
    }
    return render(request, "compare/compare.html", context, headers={"Cache-Control": "no-store"})


def _versions_not_shown(columns: list[Column]) -> list[tuple[str, str]]:
    """Versions of the compared assessments that are not a column yet, to add one."""
    shown = {column.reference for column in columns}
    offered, seen = [], set()
    for column in columns:
        for reference, label in column.versions:
            if reference not in shown and reference not in seen:
                seen.add(reference)
                offered.append((reference, f"{column.assessment.name}: {label}"))
    return offered
