"""The store's public functions, called directly in the test's rolled-back transaction.

tests/test_assessments.py races two connections; these read one function at a time, as a page would.
"""


import pytest
from sqlalchemy import inspect
from sqlmodel import Session

from app import assessments as store
from app.advisor import Recommendation
from app.advisor.words import VERDICTS
from tests.conftest import TEST_SECRET
from tests.factories import example_answers

SECRET = TEST_SECRET.encode()


@pytest.fixture
def workspace(session):
    return store.create_workspace(session=session, secret=SECRET)


def add(session, workspace, name="Support bot", answers=None):
    return store.create_assessment(session=session, secret=SECRET, workspace=workspace[0], name=name,
                                   answers=answers if answers is not None else example_answers())


def test_a_stored_result_reads_back_as_the_engines_model(session, workspace):
    assessment = add(session, workspace)
    result = store.recommendation_of(assessment)
    assert isinstance(result, Recommendation)
    assert result.verdict in VERDICTS
    assert result.verdict == assessment.verdict


def test_the_workspace_token_opens_its_workspace_until_renewed(session, workspace):
    space, token = workspace
    assert store.workspace_by_token(token, session=session).id == space.id
    renewed = store.renew_workspace_link(space, session=session, secret=SECRET)
    assert store.workspace_by_token(renewed, session=session).id == space.id
    with pytest.raises(store.NotFound):
        store.workspace_by_token(token, session=session)
    with pytest.raises(store.NotFound):
        store.workspace_by_token("not a token", session=session)


def test_a_view_link_views_but_never_edits(session, workspace):
    assessment = add(session, workspace)
    view = store.link_token(store.links_of(assessment, session=session)["view"], SECRET)
    found, link = store.assessment_by_token(view, session=session, need="view")
    assert (found.id, link.kind) == (assessment.id, "view")
    with pytest.raises(store.NotFound):
        store.assessment_by_token(view, session=session, need="edit")


def test_an_edit_link_also_views(session, workspace):
    assessment = add(session, workspace)
    edit = store.link_token(store.links_of(assessment, session=session)["edit"], SECRET)
    assert store.assessment_by_token(edit, session=session, need="view")[0].id == assessment.id


def test_a_link_opened_in_a_new_session_gives_the_stored_assessment_as_a_query_would(session, connection,
                                                                                      workspace):
    """In a session of its own (as each request has) the link gives the stored values, one object per
    row, clean, with the result (left out of the look-up) read when asked for; a change made to it
    writes with the version it was read at."""
    assessment = add(session, workspace)
    edit = store.link_token(store.links_of(assessment, session=session)["edit"], SECRET)
    session.commit()
    options = {"join_transaction_mode": "create_savepoint", "expire_on_commit": False}
    with Session(bind=connection, **options) as fresh:
        found, link = store.assessment_by_token(edit, session=fresh, need="edit")
        assert found is not assessment and inspect(found).persistent and not fresh.dirty
        assert (found.name, found.answers, found.version, found.workspace_id, link.kind) == (
            assessment.name, assessment.answers, assessment.version, assessment.workspace_id, "edit")
        assert store.assessment_by_token(edit, session=fresh, need="view")[0] is found
        assert found.recommendation == assessment.recommendation  # left out of the look-up, read now
        store.soft_delete(found, session=fresh)
        fresh.commit()
    with Session(bind=connection, **options) as later:
        with pytest.raises(store.NotFound):
            store.assessment_by_token(edit, session=later, need="edit")
        deleted, _ = store.assessment_by_token(edit, session=later, need="edit", include_deleted=True)
        assert deleted.deleted_at is not None and deleted.version == assessment.version + 1


def test_a_revoked_link_stops_and_a_renewed_one_opens_again_under_a_new_token(session, workspace):
    assessment = add(session, workspace)
    old = store.link_token(store.links_of(assessment, session=session)["view"], SECRET)
    link = store.revoke_link(assessment, "view", session=session)
    assert not store.link_is_live(link)
    with pytest.raises(store.NotFound):
        store.assessment_by_token(old, session=session, need="view")
    renewed = store.renew_link(assessment, "view", session=session, secret=SECRET)
    assert store.link_is_live(renewed)
    new = store.link_token(renewed, SECRET)
    assert new != old
    assert store.assessment_by_token(new, session=session, need="view")[0].id == assessment.id


def test_a_deleted_assessment_leaves_the_list_and_comes_back_on_restore(session, workspace):
    kept, gone = add(session, workspace, "Kept"), add(session, workspace, "Gone")
    store.soft_delete(gone, session=session)
    names = [a.name for a in store.list_assessments(workspace[0], session=session).items]
    assert names == ["Kept"]
    deleted = store.list_assessments(workspace[0], session=session, deleted=True).items
    assert [a.name for a in deleted] == ["Gone"]
    store.restore(gone, session=session)
    assert {a.name for a in store.list_assessments(workspace[0], session=session).items} == {"Kept", "Gone"}
    assert kept.deleted_at is None


def test_the_list_searches_names_and_filters_by_verdict(session, workspace):
    add(session, workspace, "Support bot")
    add(session, workspace, "Contract review")
    found = store.list_assessments(workspace[0], session=session, search="SUPPORT")
    assert [a.name for a in found.items] == ["Support bot"]
    verdict = found.items[0].verdict
    others = [v for v in VERDICTS if v != verdict]
    other_verdict = store.list_assessments(workspace[0], session=session, search="support", verdict=others[0])
    assert other_verdict.items == []
    # An unknown verdict filters nothing out rather than everything.
    assert len(store.list_assessments(workspace[0], session=session, verdict="nonsense").items) == 2


def test_names_are_in_use_ignoring_case(session, workspace):
    add(session, workspace, "Support bot")
    assert store.name_in_use(workspace[0], "support BOT", session=session)
    assert not store.name_in_use(workspace[0], "Other", session=session)


def test_each_save_that_changes_answers_adds_a_revision(session, workspace):
    assessment = add(session, workspace)
    changed = example_answers() | {"labeled_examples": 12}
    store.save_answers(assessment, session=session, expected_version=assessment.version, answers=changed)
    numbers = [r.number for r in store.revisions_of(assessment, session=session)]
    assert numbers == [2, 1]
    assert store.get_revision(assessment, 1, session=session).answers["labeled_examples"] != 12
    with pytest.raises(store.NotFound):
        store.get_revision(assessment, 3, session=session)


def test_a_duplicate_is_a_new_assessment_with_the_same_answers(session, workspace):
    assessment = add(session, workspace)
    copy = store.duplicate(assessment, session=session, secret=SECRET, name="What if")
    assert copy.id != assessment.id
    assert (copy.name, copy.answers) == ("What if", assessment.answers)
    assert copy.workspace_id == assessment.workspace_id


def test_text_is_made_storable_in_both_databases():
    assert store.storable_text("a\x00b") == "ab"
    assert store.storable_text("lone \ud800 surrogate") == "lone ? surrogate"


def test_a_current_assessment_needs_no_reevaluation(session, workspace):
    assert not store.needs_reevaluation(add(session, workspace))
