"""One assessment as a JSON document: the page's "Export JSON" and the API's export give the same file, which
a workspace page imports back (app/web/exports.py reads it). It holds no link."""

from typing import Any

from app.models import Assessment, utcnow

EXPORT_FORMAT = "llm-customization-advisor/assessment"
EXPORT_FORMAT_VERSION = 1


def export_document(assessment: Assessment) -> dict[str, Any]:
    return {
        "format": EXPORT_FORMAT,
        "format_version": EXPORT_FORMAT_VERSION,
        "exported_at": utcnow().isoformat(),
        "name": assessment.name,
        "status": assessment.status,
        "created_at": assessment.created_at.isoformat(),
        "updated_at": assessment.updated_at.isoformat(),
        "questionnaire_version": assessment.questionnaire_version,
        "engine_version": assessment.engine_version,
        "answers": assessment.answers,
        "notes": assessment.notes,
        "recommendation": assessment.recommendation,
    }
