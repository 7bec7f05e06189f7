"""The report: the stored result and answers of an assessment, laid out for paper, and made into a PDF.

The words and charts come from the same `ResultView` the result page uses, so the PDF says exactly
what the page says. `report_pdf` is the one way both the web pages and the API make the report.
"""

from collections.abc import Mapping
from datetime import datetime

from jinja2 import Environment

from app import assessments as store
from app.advisor.models import Reason
from app.advisor.words import OPTION_LABELS
from app.dates import day
from app.models import Assessment, utcnow
from app.reports.answers import answer_sections
from app.reports.pdf import PdfRenderer
from app.reports.result_view import ResultView, result_view

# Reasons summed up on the first page, for readers who stop there.
HEADLINE_REASONS = 3


def assessment_report_html(
    env: Environment, assessment: Assessment, view: ResultView, *, link_url: str, now: datetime | None = None
) -> str:
    """`view` is the `ResultView` of the assessment's stored result."""
    reasons = sorted(store.recommendation_of(assessment).reasons, key=lambda reason: -reason.weight)
    weighted = [reason for reason in reasons if reason.weight > 0]
    leaning = [reason for reason in reasons if reason.weight <= 0 and reason.leans]
    context_only = [reason for reason in reasons if reason.weight <= 0 and not reason.leans]
    context = {
        "assessment": assessment,
        "r": assessment.recommendation,
        "view": view,
        "generated_on": day(now or utcnow()),
        "updated_on": day(assessment.updated_at),
        "link_url": link_url,
        "headline_reasons": _shown(weighted[:HEADLINE_REASONS]),
        # Engine 2.0.0: weightless answers that still lean one way are listed with that side.
        "weighted_reasons": _shown(weighted + leaning),
        "context_reasons": _shown(context_only),
        "answer_sections": answer_sections(assessment.answers, assessment.notes, status=assessment.status),
        "option_labels": OPTION_LABELS,
    }
    return env.get_template("report/assessment.html").render(context)


def _shown(reasons: list[Reason]) -> list[dict]:
    return [reason.model_dump(mode="json") for reason in reasons]


async def report_pdf(assessment: Assessment, *, env: Environment, renderer: PdfRenderer, link_url: str,
                     params: Mapping[str, str] | None = None) -> bytes:
    """The assessment's report as a PDF; cost assumptions in `params` redo the costs, as on the page.

    Raises `ReportUnavailable` when the renderer is busy or stuck.
    """
    view = result_view(params or {}, assessment, store.recommendation_of(assessment))
    return await renderer.render(assessment_report_html(env, assessment, view, link_url=link_url))
