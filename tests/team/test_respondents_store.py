"""The store of respondents: links like the others, answers kept apart, resolutions as revisions."""

from datetime import timedelta

import pytest

from app import assessments as store
from app import respondents as team_store
from app.links import hash_token
from app.models import utcnow
from tests.team.conftest import BEN, LEGAL, SECRET, invite


def test_a_respond_link_is_256_bits_stored_only_as_its_hash(owned):
    respondent, token = team_store.invite(owned.assessment, " Ana ", session=owned.session, secret=SECRET)
    assert len(token) == 43 and respondent.name == "Ana"
    assert respondent.token_hash == hash_token(token) and token not in respondent.token_hash
    assert team_store.respond_token(respondent, SECRET) == token  # shown again from the nonce
    found, assessment = team_store.respondent_by_token(token, session=owned.session)
    assert (found.id, assessment.id) == (respondent.id, owned.assessment.id)


def test_a_respond_token_opens_nothing_else_and_other_tokens_do_not_open_it(owned):
    token = invite(owned, "Ana")
    with pytest.raises(store.NotFound):
        store.assessment_by_token(token, session=owned.session, need="view")
    with pytest.raises(store.NotFound):
        team_store.respondent_by_token(owned.edit_token, session=owned.session)


@pytest.mark.parametrize("how", ["revoked", "expired", "assessment deleted"])
def test_a_revoked_or_expired_link_or_a_deleted_assessment_is_not_found(owned, how):
    respondent, token = team_store.invite(owned.assessment, "Ana", session=owned.session, secret=SECRET)
    if how == "revoked":
        team_store.revoke(respondent, session=owned.session)
    elif how == "expired":
        respondent.expires_at = utcnow() - timedelta(minutes=1)
        owned.session.add(respondent)
        owned.session.flush()
    else:
        store.soft_delete(owned.assessment, session=owned.session)
    with pytest.raises(store.NotFound):
        team_store.respondent_by_token(token, session=owned.session)


def test_a_response_is_kept_apart_with_its_own_verdict_and_a_resubmission_replaces_it(owned):
    respondent, _ = team_store.invite(owned.assessment, "Ben", session=owned.session, secret=SECRET)
    first = team_store.save_response(respondent, session=owned.session, answers=LEGAL)
    assert first.verdict == "fine_tuning"
    second = team_store.save_response(respondent, session=owned.session, answers=BEN, notes={"budget": "Q3"})
    assert second.verdict == "prompt_engineering" and second.notes == {"budget": "Q3"}
    assert [r.verdict for r in team_store.responses(owned.assessment, session=owned.session)] == [
        "prompt_engineering"]
    assert owned.assessment.answers == LEGAL  # the assessment's own answers are untouched


def test_invitees_are_listed_in_order_with_or_without_a_response(owned):
    invite(owned, "Ana", LEGAL)
    invite(owned, "Ben")
    listed = team_store.invitees(owned.assessment, session=owned.session)
    assert [(i.respondent.name, i.response is not None) for i in listed] == [("Ana", True), ("Ben", False)]


def test_compare_finds_the_difference_that_changes_the_verdict(owned):
    invite(owned, "Ana", LEGAL)
    invite(owned, "Ben", BEN)
    found = team_store.compare(owned.assessment, session=owned.session)
    assert [(q.question, q.changes_verdict) for q in found.differing] == [
        ("requirements_change_frequency", True), ("budget", False)]


def test_resolving_takes_their_answer_and_records_a_revision(owned):
    before = len(store.revisions_of(owned.assessment, session=owned.session))
    resolved = team_store.resolve(owned.assessment, "requirements_change_frequency", "weekly",
                                  session=owned.session, expected_version=owned.assessment.version)
    assert resolved.answers["requirements_change_frequency"] == "weekly"
    assert resolved.verdict == "prompt_engineering"
    revisions = store.revisions_of(owned.assessment, session=owned.session)
    assert len(revisions) == before + 1 and revisions[0].verdict == "prompt_engineering"


def test_resolving_from_an_old_version_is_refused_and_a_bad_answer_is_named(owned):
    with pytest.raises(store.StaleRevision):
        team_store.resolve(owned.assessment, "budget", "low", session=owned.session,
                           expected_version=owned.assessment.version - 1)
    with pytest.raises(team_store.InvalidAnswer):
        team_store.resolve(owned.assessment, "budget", "enormous", session=owned.session,
                           expected_version=owned.assessment.version)
    with pytest.raises(team_store.UnknownQuestion):
        team_store.resolve(owned.assessment, "colour", "red", session=owned.session,
                           expected_version=owned.assessment.version)
