"""Fast, realistic seeding: workspaces full of assessments with revisions and share links, by bulk insert.

Rows look like the app's own: real recommendations from the engine (a few dozen answer sets, reused),
names a team would type, dates spread over a year, a few deleted, every assessment with its view and
edit link and at least one revision. Bulk inserts make 100,000 assessments in well under a minute.
"""

import random
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert
from sqlalchemy.engine import Engine

from app.advisor import ENGINE_VERSION, recommend
from app.assessments import normalise_answers
from app.links import derive_token, hash_token, new_nonce
from app.models import Assessment, Revision, ShareLink, Workspace
from app.questionnaire import QUESTIONNAIRE_VERSION

# Answer values a team picks from (answers-v1); numbers from plausible ranges.
CHOICES = {
    "task_type": ["classification", "extraction", "summarization", "generation", "conversation",
                  "translation", "code", "question_answering", "reasoning"],
    "accuracy_criticality": ["low", "medium", "high"],
    "output_consistency_need": ["low", "medium", "high"],
    "domain_specificity": ["low", "medium", "high"],
    "knowledge_in_base_model": ["yes", "partly", "no"],
    "labeled_examples": [0, 50, 300, 2000, 20000],
    "data_quality": ["low", "medium", "high"],
    "data_confidential": [True, False],
    "budget": ["low", "medium", "high"],
    "gpu_access": ["none", "cloud", "own"],
    "ml_expertise": ["none", "some", "strong"],
    "time_to_deploy_weeks": [2, 6, 12, 26],
    "monthly_requests": [1000, 50000, 1000000],
    "avg_prompt_tokens_without_examples": [300, 1200],
    "avg_output_tokens": [100, 400],
    "latency_sensitive": [True, False],
    "requirements_change_frequency": ["rare", "monthly", "weekly"],
    "use_case_breadth": ["narrow", "broad"],
    "needs_fresh_or_private_knowledge": [True, False],
    "model_access": ["api_only", "open_weights", "both"],
}
PROJECTS = ["support bot", "invoice extraction", "contract review", "triage", "product copy",
            "ticket routing", "code review", "sales email", "translation", "search answers",
            "claims intake", "chat assistant", "meeting notes", "policy qa", "log summaries",
            "lead scoring", "faq bot", "resume screening", "medical coding", "legal research"]
TEAMS = ["platform", "growth", "finance", "legal", "ops", "data", "mobile", "care", "risk", "hr"]
# Distinct answer sets (each with its real recommendation) that the seeded rows reuse.
VARIANTS = 32
# Share of names that end in " pilot": a search for it fills a page at every size (25 of 100).
PILOT_SHARE = 0.25
# Rows per INSERT statement batch.
BATCH = 2000
# Share of assessments that were edited later (two extra revisions each), and that are deleted.
EDITED_SHARE = 0.2
DELETED_SHARE = 0.02


@dataclass(frozen=True)
class SeededAssessment:
    id: str
    view_token: str
    edit_token: str
    version: int


def answer_variants(rng: random.Random, count: int = VARIANTS) -> list[tuple[dict, dict]]:
    """`count` (answers, recommendation) pairs; a few questions left unanswered, as in real drafts."""
    variants = []
    for _ in range(count):
        answers = {key: rng.choice(values) for key, values in CHOICES.items() if rng.random() > 0.1}
        answers = normalise_answers(answers)
        variants.append((answers, recommend(answers).model_dump(mode="json")))
    return variants


def create_workspace(engine: Engine, secret: bytes) -> tuple[str, str]:
    """A new workspace row; returns (id, link token)."""
    workspace_id, nonce = secrets.token_hex(12), new_nonce()
    token = derive_token(secret, "workspace", workspace_id, nonce)
    with engine.begin() as connection:
        connection.execute(insert(Workspace.__table__), [
            {"id": workspace_id, "link_nonce": nonce, "token_hash": hash_token(token), "created_at": _now()}
        ])
    return workspace_id, token


def _now() -> datetime:
    return datetime.now(UTC)


def add_assessments(engine: Engine, secret: bytes, workspace_id: str, count: int, *, seed: int = 1,
                    keep: int = 0) -> list[SeededAssessment]:
    """Insert `count` assessments into the workspace; returns the first `keep` with their link tokens."""
    rng = random.Random(seed)
    variants = answer_variants(rng)
    start = _now() - timedelta(days=365)
    kept: list[SeededAssessment] = []
    rows: dict[str, list[dict]] = {"assessment": [], "revision": [], "sharelink": []}
    for index in range(count):
        answers, result = variants[index % len(variants)]
        created = start + timedelta(seconds=rng.uniform(0, 360 * 86400))
        edited = rng.random() < EDITED_SHARE
        deleted = index >= keep and rng.random() < DELETED_SHARE
        assessment = _assessment_row(rng, workspace_id, answers, result, created, edited, deleted)
        rows["assessment"].append(assessment)
        rows["revision"].extend(_revision_rows(assessment, edited))
        links = {kind: _link_row(secret, assessment["id"], kind, created) for kind in ("view", "edit")}
        rows["sharelink"].extend(row for row, _token in links.values())
        if index < keep:
            kept.append(SeededAssessment(assessment["id"], links["view"][1], links["edit"][1],
                                         assessment["version"]))
        if len(rows["assessment"]) >= BATCH:
            _flush(engine, rows)
    _flush(engine, rows)
    return kept


def _assessment_row(rng, workspace_id, answers, result, created, edited, deleted) -> dict:
    name = f"{rng.choice(PROJECTS).capitalize()} for {rng.choice(TEAMS)} #{rng.randrange(1, 10000)}"
    if rng.random() < PILOT_SHARE:
        name += " pilot"
    updated = created + timedelta(days=rng.uniform(0, 20)) if edited else created
    return {
        "id": secrets.token_hex(12), "workspace_id": workspace_id, "name": name, "name_lower": name.lower(),
        "answers": answers, "notes": {"budget": "Confirm with finance in Q3."} if edited else {},
        "recommendation": result, "verdict": result["verdict"], "confidence": result["confidence"],
        "questionnaire_version": QUESTIONNAIRE_VERSION, "engine_version": ENGINE_VERSION,
        "version": 3 if edited else 1, "status": "complete" if rng.random() < 0.8 else "draft",
        "created_at": created, "updated_at": updated, "deleted_at": updated if deleted else None,
    }


def _revision_rows(assessment: dict, edited: bool) -> list[dict]:
    reasons = ["created", "edited", "edited"] if edited else ["created"]
    return [
        {"assessment_id": assessment["id"], "number": number, "reason": reason,
         "answers": assessment["answers"], "notes": assessment["notes"],
         "recommendation": assessment["recommendation"], "verdict": assessment["verdict"],
         "questionnaire_version": assessment["questionnaire_version"],
         "engine_version": assessment["engine_version"], "created_at": assessment["updated_at"]}
        for number, reason in enumerate(reasons, start=1)
    ]


def _link_row(secret: bytes, assessment_id: str, kind: str, created: datetime) -> tuple[dict, str]:
    nonce = new_nonce()
    token = derive_token(secret, kind, assessment_id, nonce)
    row = {"assessment_id": assessment_id, "kind": kind, "link_nonce": nonce, "token_hash": hash_token(token),
           "created_at": created, "expires_at": None, "revoked_at": None}
    return row, token


def _flush(engine: Engine, rows: dict[str, list[dict]]) -> None:
    tables = {"assessment": Assessment.__table__, "revision": Revision.__table__,
              "sharelink": ShareLink.__table__}
    with engine.begin() as connection:
        for name in ("assessment", "revision", "sharelink"):  # parents first: foreign keys are on
            if rows[name]:
                connection.execute(insert(tables[name]), rows[name])
            rows[name].clear()
