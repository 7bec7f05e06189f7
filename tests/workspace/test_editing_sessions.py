"""Editing sessions and results worked out on first read (issues 14 item 6 and 18).

A wizard save joins its editing session's revision and stores the answers and the verdict; the full
result is worked out when first read, for the day of the save, and kept for that version.
"""

import json
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from sqlalchemy import update

from app import assessments as store
from app.advisor import Recommendation, recommend
from app.models import Assessment, Revision
from tests.conftest import EXAMPLES, ROOT
from tests.workspace.conftest import example_answers

SCENARIOS = sorted(EXAMPLES.glob("*.json")) + sorted((ROOT / "tests/advisor/scenarios").glob("*.json"))


def wizard_save(session, assessment, editing="continue", **changes):
    return store.save_answers(assessment, session=session, expected_version=assessment.version,
                              answers=assessment.answers | changes, editing_session=editing)


def history(session, assessment) -> list[tuple[int, str]]:
    return [(r.number, r.reason) for r in store.revisions_of(assessment, session=session)]


def started_in_wizard(team, session, name="Support bot", **answers):
    return store.create_assessment(session=session, secret=b"x" * 32, workspace=team.workspace, name=name,
                                   answers=example_answers("startup-support-bot") | answers,
                                   editing_session=True)


def stored_row(session, assessment) -> dict:
    table = Assessment.__table__
    row = session.connection().execute(table.select().where(table.c.id == assessment.id)).mappings().one()
    return dict(row)


class _Cells(HTMLParser):
    """The text of the list's table cells labelled `label` (data-label), in order."""

    def __init__(self, label: str):
        super().__init__()
        self.label, self.cells, self.depth = label, [], 0

    def handle_starttag(self, tag, attrs):
        if self.depth:
            self.depth += tag == "td"
        elif tag == "td" and dict(attrs).get("data-label") == self.label:
            self.depth = 1
            self.cells.append("")

    def handle_endtag(self, tag):
        if self.depth and tag == "td":
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.cells[-1] += data.strip()


def cells(html: str, label: str) -> list[str]:
    parser = _Cells(label)
    parser.feed(html)
    return parser.cells


# --- editing sessions ---------------------------------------------------------------------


def test_a_walk_through_the_wizard_records_one_revision_however_many_saves(team, session):
    assessment = started_in_wizard(team, session)
    for examples in (100, 200, 300, 400):
        wizard_save(session, assessment, labeled_examples=examples)
    wizard_save(session, assessment, "finish", budget="high")
    assert history(session, assessment) == [(1, "created")]
    revision = store.get_revision(assessment, 1, session=session)
    assert revision.answers == assessment.answers  # the session's last save, not its first
    assert assessment.version == 6  # every save still moved the version


def test_after_the_walk_is_finished_the_next_edit_is_a_new_revision_that_its_saves_join(team, session):
    assessment = started_in_wizard(team, session)
    wizard_save(session, assessment, "finish", labeled_examples=100)
    wizard_save(session, assessment, labeled_examples=5000)
    wizard_save(session, assessment, budget="high")
    assert history(session, assessment) == [(2, "edited"), (1, "created")]
    assert store.get_revision(assessment, 1, session=session).answers["labeled_examples"] == 100


def test_a_pause_longer_than_the_session_starts_a_new_revision(team, session):
    assessment = started_in_wizard(team, session)
    wizard_save(session, assessment, labeled_examples=100)
    long_ago = assessment.updated_at - store.EDITING_SESSION_PAUSE - timedelta(seconds=1)
    session.execute(update(Revision.__table__).values(saved_at=long_ago))
    wizard_save(session, assessment, labeled_examples=200)
    assert history(session, assessment) == [(2, "edited"), (1, "created")]


def test_api_saves_and_reevaluations_are_revisions_of_their_own_that_the_wizard_never_joins(team, session):
    assessment = started_in_wizard(team, session)
    store.save_answers(assessment, session=session, expected_version=assessment.version,
                       answers=assessment.answers | {"labeled_examples": 100})  # an API save
    wizard_save(session, assessment, labeled_examples=200)
    store.reevaluate(assessment, session=session)
    wizard_save(session, assessment, labeled_examples=300)
    assert history(session, assessment) == [(5, "edited"), (4, "re-evaluated"), (3, "edited"), (2, "edited"),
                                            (1, "created")]


def test_joining_a_session_still_refuses_a_save_from_a_version_the_session_left_behind(team, session):
    assessment = started_in_wizard(team, session)
    held = assessment.version
    wizard_save(session, assessment, labeled_examples=100)
    with pytest.raises(store.StaleRevision):
        store.save_answers(assessment, session=session, expected_version=held,
                           answers=assessment.answers | {"labeled_examples": 7}, editing_session="continue")
    assert assessment.answers["labeled_examples"] == 100


def test_a_save_that_changes_nothing_writes_nothing(team, session):
    assessment = started_in_wizard(team, session)
    wizard_save(session, assessment, labeled_examples=100)
    before = stored_row(session, assessment)
    for editing in ("continue", None):
        store.save_answers(assessment, session=session, expected_version=assessment.version,
                           answers=dict(assessment.answers), notes=dict(assessment.notes),
                           editing_session=editing)
    assert stored_row(session, assessment) == before
    assert history(session, assessment) == [(1, "created")]


# --- results worked out on first read -------------------------------------------------------


def test_a_wizard_save_leaves_the_result_to_its_first_read_and_every_reader_gets_it_in_full(team, session):
    assessment = started_in_wizard(team, session)
    wizard_save(session, assessment, labeled_examples=5000, budget="high")
    assert stored_row(session, assessment)["confidence"] < 0  # nothing worked out in the save
    expected = recommend(assessment.answers).model_dump(mode="json")
    again = session.get(Assessment, assessment.id)
    assert again.recommendation == expected
    assert again.confidence == expected["confidence"]
    assert store.get_revision(assessment, 1, session=session).recommendation == expected


def test_recommendation_of_keeps_the_worked_out_result_for_the_same_version(team, session):
    assessment = started_in_wizard(team, session)
    wizard_save(session, assessment, labeled_examples=5000)
    version = assessment.version
    result = store.recommendation_of(assessment)
    assert isinstance(result, Recommendation)
    row = stored_row(session, assessment)
    assert row["version"] == version  # no new version: a page holding it stays current
    assert row["recommendation"] == result.model_dump(mode="json") and row["confidence"] == result.confidence
    revisions = Revision.__table__
    kept = session.connection().execute(revisions.select().where(revisions.c.assessment_id == assessment.id))
    kept = kept.mappings().one()
    assert kept["recommendation"] == row["recommendation"]


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_the_verdict_stored_at_a_wizard_save_is_the_full_results_verdict(team, session, path):
    answers = json.loads(path.read_text())
    answers = answers.get("answers", answers)
    assessment = started_in_wizard(team, session, labeled_examples=1)
    store.save_answers(assessment, session=session, expected_version=assessment.version, answers=answers,
                       editing_session="continue")
    assert assessment.result_pending
    assert assessment.verdict == recommend(answers).verdict


def test_the_list_shows_the_confidence_of_an_assessment_whose_result_was_pending(client, team, session):
    assessment = started_in_wizard(team, session)
    wizard_save(session, assessment, labeled_examples=5000, budget="high")
    expected = recommend(assessment.answers)
    assert cells(client.get(team.url).text, "Confidence") == [f"{round(expected.confidence * 100)}%"]
    assert stored_row(session, assessment)["confidence"] == expected.confidence  # kept by the list


def test_filtering_the_list_by_verdict_finds_a_pending_result(client, team, session):
    assessment = started_in_wizard(team, session)
    wizard_save(session, assessment, labeled_examples=5000, budget="high")
    verdict = recommend(assessment.answers).verdict
    assert len(cells(client.get(team.url, params={"verdict": verdict}).text, "Verdict")) == 1
    other = next(v for v in store.VERDICTS if v != verdict)
    assert cells(client.get(team.url, params={"verdict": other}).text, "Verdict") == []
