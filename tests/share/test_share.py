"""View and edit links: what a colleague sees, revoking, renewing, expiry, headers, logs."""

import logging
from datetime import timedelta

from app import assessments as store
from app.models import utcnow
from app.questionnaire.wording import answer_text
from tests.share.conftest import HTMX, assert_shared_page_headers, post_form, share_assessment

EXPLAINS_404 = ("revoked", "expired")


def assert_explained_404(response) -> None:
    assert response.status_code == 404
    text = response.text.lower()
    assert all(word in text for word in EXPLAINS_404), "the 404 page should say what may have happened"


# --- the colleague with a view link --------------------------------------------------------------


def test_view_link_shows_result_answers_and_notes_without_an_account(client, shared):
    response = client.get(f"/v/{shared.view_token}")
    assert response.status_code == 200
    page = response.text
    assert "Support bot" in page
    assert "Our recommendation" in page
    assert "Answers and notes" in page
    assert "Support can label 500 tickets by May." in page
    assert answer_text("task_type", "conversation") in page  # in the questionnaire's words


def test_view_page_has_no_edit_controls_and_never_reveals_the_edit_link(client, shared):
    page = client.get(f"/v/{shared.view_token}").text
    assert shared.edit_token not in page
    assert shared.workspace_token not in page
    assert "/e/" not in page
    assert 'method="post"' not in page.lower()
    assert "csrf_token" not in page.split("<body", 1)[1].split(">", 1)[1]  # no form posts anything


def test_a_view_token_cannot_edit_share_or_export(client, shared, session):
    view = shared.view_token
    before = shared.assessment.version
    assert client.get(f"/e/{view}").status_code == 404
    assert client.get(f"/e/{view}/share").status_code == 404
    assert client.get(f"/e/{view}/export.json").status_code == 404
    assert post_form(client, f"/e/{view}/share/view/revoke").status_code == 404
    assert post_form(client, f"/e/{view}/step/task", {"task_type": "code"}).status_code == 404
    session.refresh(shared.assessment)
    assert shared.assessment.version == before
    assert store.links_of(shared.assessment, session=session)["view"].revoked_at is None


def test_an_edit_token_also_opens_the_view_page(client, shared):
    assert client.get(f"/v/{shared.edit_token}").status_code == 200


def test_a_token_of_one_assessment_never_opens_another(client, session, shared):
    other = share_assessment(session, name="Other project")
    page = client.get(f"/v/{other.view_token}").text
    assert "Other project" in page and "Support bot" not in page


def test_shared_pages_send_no_referrer_and_noindex(client, shared):
    for path in (f"/v/{shared.view_token}", f"/e/{shared.edit_token}/share", f"/v/{'x' * 43}"):
        response = client.get(path)
        assert_shared_page_headers(response)
        assert response.headers["cache-control"] == "no-store"


def test_a_wrong_token_gets_the_explanatory_404_page(client):
    assert_explained_404(client.get("/v/" + "A" * 43))
    assert_explained_404(client.get("/v/short"))


# --- managing the links --------------------------------------------------------------------------


def test_share_page_shows_both_links_in_selectable_fields_with_a_copy_button(client, shared):
    page = client.get(f"/e/{shared.edit_token}/share").text
    assert f'value="http://testserver/v/{shared.view_token}"' in page
    assert f'value="http://testserver/e/{shared.edit_token}"' in page
    assert "readonly" in page
    assert page.count("data-copy-from=") == 2
    assert "/static/js/share.js" in page


def test_revoked_view_link_is_404_with_the_explanatory_page(client, shared):
    old = shared.view_token
    response = post_form(client, f"/e/{shared.edit_token}/share/view/revoke")
    assert response.status_code == 303
    assert_explained_404(client.get(f"/v/{old}"))
    assert client.get(f"/v/{old}/report.pdf").status_code == 404
    assert "revoked" in client.get(f"/e/{shared.edit_token}/share").text


def test_renewed_view_link_replaces_the_old_one_at_once(client, shared):
    old = shared.view_token
    response = post_form(client, f"/e/{shared.edit_token}/share/view/renew")
    assert response.status_code == 303
    new = shared.view_token
    assert new != old
    assert_explained_404(client.get(f"/v/{old}"))
    assert client.get(f"/v/{new}").status_code == 200
    page = client.get(response.headers["location"]).text
    assert "was renewed" in page and new in page


def test_renewing_a_revoked_link_brings_it_back_under_a_new_token(client, shared):
    edit = shared.edit_token
    post_form(client, f"/e/{edit}/share/view/revoke")
    post_form(client, f"/e/{edit}/share/view/renew")
    assert client.get(f"/v/{shared.view_token}").status_code == 200


def test_renewing_the_edit_link_moves_the_holder_to_the_new_link(client, shared):
    old = shared.edit_token
    response = post_form(client, f"/e/{old}/share/edit/renew")
    new = shared.edit_token
    assert response.status_code == 303
    assert response.headers["location"] == f"/e/{new}/share?renewed=edit"
    assert client.get(f"/e/{old}/share").status_code == 404
    assert client.get(f"/e/{new}/share").status_code == 200


def test_revoking_the_edit_link_says_so_and_the_workspace_link_can_renew_it(client, shared):
    old = shared.edit_token
    response = post_form(client, f"/e/{old}/share/edit/revoke")
    assert response.status_code == 200
    assert "revoked" in response.text
    assert_explained_404(client.get(f"/e/{old}"))
    workspace_share = f"/w/{shared.workspace_token}/a/{shared.assessment.id}/share"
    assert "revoked" in client.get(workspace_share).text
    response = post_form(client, f"{workspace_share}/edit/renew")
    assert response.status_code == 303
    assert client.get(f"/e/{shared.edit_token}/share").status_code == 200


def test_workspace_share_page_refuses_an_assessment_of_another_workspace(client, session, shared):
    other = share_assessment(session, name="Not yours")
    assert client.get(f"/w/{shared.workspace_token}/a/{other.assessment.id}/share").status_code == 404
    response = post_form(client, f"/w/{shared.workspace_token}/a/{other.assessment.id}/share/view/revoke")
    assert response.status_code == 404
    assert client.get(f"/v/{other.view_token}").status_code == 200


def test_an_expiry_date_is_kept_and_the_link_stops_after_that_day(client, session, shared):
    last_day = (utcnow() + timedelta(days=7)).date().isoformat()
    response = post_form(client, f"/e/{shared.edit_token}/share/view/expiry", {"expires_on": last_day})
    assert response.status_code == 303
    assert f'value="{last_day}"' in client.get(f"/e/{shared.edit_token}/share").text
    assert client.get(f"/v/{shared.view_token}").status_code == 200
    # The clock moves past the expiry: the link now answers like a revoked one.
    link = store.links_of(shared.assessment, session=session)["view"]
    link.expires_at = utcnow() - timedelta(seconds=1)
    session.add(link)
    session.flush()
    assert_explained_404(client.get(f"/v/{shared.view_token}"))
    assert "expired" in client.get(f"/e/{shared.edit_token}/share").text


def test_clearing_the_expiry_reopens_an_expired_link(client, session, shared):
    store.set_link_expiry(shared.assessment, "view", utcnow() - timedelta(days=1), session=session)
    assert client.get(f"/v/{shared.view_token}").status_code == 404
    post_form(client, f"/e/{shared.edit_token}/share/view/expiry", {"expires_on": ""})
    assert client.get(f"/v/{shared.view_token}").status_code == 200


def test_a_past_or_malformed_expiry_is_refused_with_a_message(client, shared):
    yesterday = (utcnow() - timedelta(days=1)).date().isoformat()
    response = post_form(client, f"/e/{shared.edit_token}/share/view/expiry", {"expires_on": yesterday})
    assert response.status_code == 422
    assert "Choose today or a later day" in response.text
    response = post_form(client, f"/e/{shared.edit_token}/share/view/expiry", {"expires_on": "next week"})
    assert response.status_code == 422
    assert "year-month-day" in response.text
    assert client.get(f"/v/{shared.view_token}").status_code == 200


def test_htmx_gets_the_links_block_after_an_action(client, shared):
    response = post_form(client, f"/e/{shared.edit_token}/share/view/revoke", headers=HTMX)
    follow = client.get(response.headers["location"], headers=HTMX)
    assert follow.text.lstrip().startswith('<div id="links"')
    assert "<html" not in follow.text


def test_link_actions_need_the_csrf_token(client, shared):
    response = client.post(f"/e/{shared.edit_token}/share/view/revoke", follow_redirects=False)
    assert response.status_code == 403
    assert client.get(f"/v/{shared.view_token}").status_code == 200


# --- the workspace link ----------------------------------------------------------------------


def test_renewing_the_workspace_link_shows_the_new_one_and_the_old_one_fails(client, shared):
    old = shared.workspace_token
    response = post_form(client, f"/w/{old}/renew-link")
    assert response.status_code == 200
    assert_shared_page_headers(response)
    new_url = response.text.split('id="workspace-link-url" type="text" readonly value="', 1)[1].split('"', 1)[
        0
    ]
    new = new_url.rsplit("/", 1)[1]
    assert new != old
    assert store.workspace_by_token(new, session=shared.session).id == shared.assessment.workspace_id
    assert_explained_404(client.get(f"/w/{old}"))
    assert client.get(f"/w/{new}").status_code == 200


# --- tokens stay out of logs ---------------------------------------------------------------------


def test_tokens_never_reach_the_logs(client, shared, caplog):
    caplog.set_level(logging.DEBUG)
    edit, view = shared.edit_token, shared.view_token
    client.get(f"/v/{view}")
    client.get(f"/e/{edit}/share")
    client.get(f"/v/{'Z' * 43}")
    post_form(client, f"/e/{edit}/share/view/renew")
    client.get("/api/v1/assessments/" + shared.assessment.id, headers={"Authorization": f"Bearer {view}"})
    # httpx is the test's own client logging what it sent; everything else is the app's (the access
    # log of a real server is checked by the live-server tests).
    server_records = [record for record in caplog.records if not record.name.startswith("httpx")]
    logged = "\n".join(record.getMessage() + repr(record.args) for record in server_records)
    for token in (edit, view, shared.view_token, shared.workspace_token):
        assert token not in logged


def test_the_view_page_says_not_sure_yet_for_a_question_the_team_left_open(client, session):
    shared = share_assessment(session, notes={})
    shared.assessment.status = "complete"  # went through every step; data_confidential left open
    session.add(shared.assessment)
    session.flush()
    page = client.get(f"/v/{shared.view_token}").text
    answers = page.split('id="answers-heading"', 1)[1]
    assert "Not sure yet" in answers and "Not answered" not in answers
