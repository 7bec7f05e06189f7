"""Wizard step posts that really save: each post changes one answer and names the version it edits.

A step post carries the version the page was loaded at (optimistic locking). The load generator
cannot read versions back per connection, so it makes them predictable instead: every assessment
takes posts in strict turns (round r of assessment i is only sent once round r-1 came back: the load
script, bench_http.wizard_script, posts an assessment again only once its answer named it), and each
post flips one answer between two values, so each save moves the version up by exactly one. A stale
version would be a 409 and fail the run.
"""

import re
import time
from dataclasses import dataclass
from urllib.parse import urlencode

from sqlalchemy import func
from sqlmodel import Session, select

from app import assessments as store
from app.db import make_engine
from app.models import Assessment
from app.questionnaire import load_questionnaire
from bench.servers import BENCH_SECRET

# The wizard step that is posted: the second one (the first also names the assessment, the last
# redirects to the result instead of returning the next step).
STEP_INDEX = 1
# Every assessment answered like this before the load starts; the flipped question gets its second value.
BASE_ANSWERS = {
    "task_type": "classification", "accuracy_criticality": "high", "output_consistency_need": "high",
    "domain_specificity": "medium", "knowledge_in_base_model": "partly", "labeled_examples": 3000,
    "data_quality": "high", "data_confidential": False, "budget": "medium", "gpu_access": "cloud",
    "ml_expertise": "some", "time_to_deploy_weeks": 8, "monthly_requests": 200000,
    "avg_prompt_tokens_without_examples": 800, "avg_output_tokens": 200, "latency_sensitive": True,
    "requirements_change_frequency": "rare", "use_case_breadth": "narrow",
    "needs_fresh_or_private_knowledge": False, "model_access": "api_only",
}


VERSION_FIELD = re.compile(r'<input[^>]*name="version"[^>]*value="(\d+)"')


def version_in(page: str) -> int | None:
    """The version a step page's form will post (the version it shows)."""
    match = VERSION_FIELD.search(page)
    return int(match.group(1)) if match else None


@dataclass(frozen=True)
class Editable:
    id: str
    edit_token: str
    view_token: str
    version: int
    flipped: bool = False  # the flipped question holds values[0] (its next post sends values[1])


@dataclass(frozen=True)
class StepPost:
    section_id: str
    question_id: str
    values: tuple[str, str]  # flipped between on alternate rounds; stored answers hold values[1]
    fields: dict[str, str]  # the rest of the step's form, as the page shows the stored answers

    def path(self, edit_token: str) -> str:
        return f"/e/{edit_token}/step/{self.section_id}"

    def first_round(self, editable: Editable) -> int:
        """The round whose value differs from the stored one (rounds alternate the two values)."""
        return 1 if editable.flipped else 0

    def body(self, version: int, round_number: int) -> str:
        return urlencode(self.fields | {self.question_id: self.values[round_number % 2],
                                        "version": str(version), "action": "next"})

    def body_template(self, round_number: int) -> str:
        """The body with a %d where the version goes (for the Lua script)."""
        return self.body(987654321, round_number).replace("987654321", "%d")

    @property
    def answers(self) -> dict:
        return BASE_ANSWERS | {self.question_id: _typed(self.values[1])}


def _typed(text: str):
    return {"yes": True, "no": False}.get(text, int(text) if text.isdigit() else text)


def _form_text(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def step_post() -> StepPost:
    """The step to post and the question to flip: a choice no other question's visibility depends on."""
    questionnaire = load_questionnaire()
    section = questionnaire.sections[STEP_INDEX]
    conditions = {qid for s in questionnaire.sections for q in s.questions for qid in (q.show_if or {})}
    question = next(q for q in section.questions if q.type == "choice" and not q.show_if
                    and q.id not in conditions and len(q.choices) >= 2)
    values = (str(question.choices[0].value), str(question.choices[1].value))
    fields = {q.id: _form_text(BASE_ANSWERS[q.id]) for q in section.questions
              if q.id in BASE_ANSWERS and q.id != question.id}
    return StepPost(section.id, question.id, values, fields)


def create_editables(database_url: str, count: int, post: StepPost) -> tuple[str, list[Editable]]:
    """`count` complete assessments made through the store (as the app makes them), in one new workspace;
    returns the workspace token and the assessments."""
    engine = make_engine(database_url)
    secret = BENCH_SECRET.encode()
    made = []
    try:
        with Session(engine, expire_on_commit=False) as session:
            workspace, workspace_token = store.create_workspace(session=session, secret=secret)
            for number in range(count):
                assessment = store.create_assessment(
                    session=session, secret=secret, workspace=workspace, name=f"Load test {number}",
                    answers=post.answers, status="complete",
                )
                links = store.links_of(assessment, session=session)
                made.append(Editable(assessment.id, store.link_token(links["edit"], secret),
                                     store.link_token(links["view"], secret), assessment.version))
            session.commit()
    finally:
        engine.dispose()
    return workspace_token, made


def current_state(database_url: str, post: StepPost, editables: list[Editable]) -> list[Editable]:
    """The same assessments with their stored versions and values of the flipped question."""
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            ids = [e.id for e in editables]
            found = {a.id: a for a in session.exec(select(Assessment).where(Assessment.id.in_(ids)))}
    finally:
        engine.dispose()
    first_value = _typed(post.values[0])
    return [Editable(e.id, e.edit_token, e.view_token, found[e.id].version,
                     found[e.id].answers.get(post.question_id) == first_value) for e in editables]


def saves_so_far(database_url: str) -> int:
    """How many saves changed answers so far: each moves its assessment's version up by one. (Revisions
    no longer count them: a wizard save joins its editing session's revision, issue 14.)"""
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            return session.exec(select(func.coalesce(func.sum(Assessment.version), 0))).one()
    finally:
        engine.dispose()


def settled_saves(database_url: str, *, quiet_seconds: float = 0.5, deadline_seconds: float = 60) -> int:
    """saves_so_far once the server has finished the posts still in flight when the load stopped.

    wrk stops counting at its deadline, not the server: posts it had sent are still queued for the
    database writer. Reading versions before they land makes the next run post stale versions (409).
    """
    deadline = time.monotonic() + deadline_seconds
    count = saves_so_far(database_url)
    while time.monotonic() < deadline:
        time.sleep(quiet_seconds)
        again = saves_so_far(database_url)
        if again == count:
            return count
        count = again
    raise RuntimeError(f"the server was still saving wizard posts {deadline_seconds:.0f} s after the load")
