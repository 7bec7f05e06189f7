"""The report's HTML: the stored result and answers of an assessment, laid out for paper.

The words and charts come from the same `ResultView` the result page uses, so the PDF says exactly
what the page says.
"""

from datetime import datetime

from jinja2 import Environment

from app.models import Assessment, utcnow
from app.reports.answers import answer_sections
from app.web.dates import day as web_day

OPTION_LABELS = {"prompt_engineering": "Prompt engineering", "fine_tuning": "Fine-tuning"}
# Reasons summed up on the first page, for readers who stop there.
HEADLINE_REASONS = 3


def day(moment: datetime) -> str:
    """The web pages' date style, so the PDF and the page say the same date the same way."""
    return web_day(moment)


def assessment_report_html(
    env: Environment, assessment: Assessment, view, *, link_url: str, now: datetime | None = None
) -> str:
    """`view` is the `app.web.results.ResultView` of the assessment's stored result."""
    reasons = sorted(
        assessment.recommendation.get("reasons", []), key=lambda reason: -float(reason["weight"])
    )
    weighted = [reason for reason in reasons if float(reason["weight"]) > 0]
    context = {
        "assessment": assessment,
        "r": assessment.recommendation,
        "view": view,
        "generated_on": day(now or utcnow()),
        "updated_on": day(assessment.updated_at),
        "link_url": link_url,
        "headline_reasons": weighted[:HEADLINE_REASONS],
        # Engine 2.0.0: weightless answers that still lean one way are listed with that side.
        "weighted_reasons": weighted + [r for r in reasons if float(r["weight"]) <= 0 and r.get("leans")],
        "context_reasons": [r for r in reasons if float(r["weight"]) <= 0 and not r.get("leans")],
        "answer_sections": answer_sections(assessment.answers, assessment.notes, status=assessment.status),
        "option_labels": OPTION_LABELS,
    }
    return env.get_template("report/assessment.html").render(context)
