"""The respondents' pages through the app's own forms, read with an HTML parser: invite, answer alone,
see the differences, resolve with one click."""

import re

from app import assessments as store
from app import respondents as team_store
from app.questionnaire import load_questionnaire
from app.questionnaire.wording import form_value
from tests.datacheck.page import Page
from tests.share.conftest import post_form
from tests.team.conftest import BEN, LEGAL, invite

RESPOND_PATH = re.compile(r"/r/([A-Za-z0-9_-]{43})$")


def as_form(answers: dict) -> dict:
    """Answers as the respondent's form posts them ("unsure" where a choice was left open)."""
    form = {}
    for question in load_questionnaire().questions:
        value = answers.get(question.id)
        form[question.id] = form_value(question, value) if value is not None else ""
    return form


def invite_on_page(client, owned, name: str):
    return post_form(client, f"/e/{owned.edit_token}/respondents/invite", {"name": name},
                     page=f"/e/{owned.edit_token}/respondents")


def respond(client, token: str, answers: dict):
    return post_form(client, f"/r/{token}/answers", as_form(answers), page=f"/r/{token}")


def test_inviting_shows_the_respond_link_once_and_it_opens_a_form_for_that_person(client, owned):
    response = invite_on_page(client, owned, "Ana")
    assert response.status_code == 200
    page = Page(response.text)
    link = re.search(r'id="respond-link-url"[^>]*value="([^"]+)"', response.text).group(1)
    token = RESPOND_PATH.search(link).group(1)
    assert "Ana" in " ".join(page.texts.values())
    # Reloading the page lists Ana but no longer shows her link.
    again = client.get(f"/e/{owned.edit_token}/respondents").text
    assert token not in again and "respond-link-url" not in Page(again).ids and "Ana" in again
    form = Page(client.get(f"/r/{token}").text)
    assert "Asked of Ana" in form.text("main")
    # Every question of every section on the one page, as the wizard shows it.
    assert all(f"field-{q.id}" in form.ids for q in load_questionnaire().questions)


def test_a_nameless_or_overlong_invitation_is_refused_beside_the_field_keeping_the_text(client, owned):
    response = invite_on_page(client, owned, "   ")
    assert response.status_code == 422
    assert "Enter the name" in Page(response.text).text("respondent-name-error")
    long_name = "Ana " + "x" * 130
    response = invite_on_page(client, owned, long_name)
    assert response.status_code == 422
    assert "under 120 characters" in Page(response.text).text("respondent-name-error")
    assert Page(response.text).form("/respondents/invite").fields["name"] == long_name
    assert team_store.invitees(owned.assessment, session=owned.session) == []


def test_the_respondent_sees_neither_the_edit_link_nor_anyone_elses_answers(client, owned):
    invite(owned, "Ana", LEGAL)
    team_store.save_response(team_store.invitees(owned.assessment, session=owned.session)[0].respondent,
                             session=owned.session, answers=LEGAL, notes={"budget": "Ana-only-note"})
    ben = invite(owned, "Ben")
    html = client.get(f"/r/{ben}").text
    assert owned.edit_token not in html and owned.view_token not in html
    assert "Ana-only-note" not in html and "Ana" not in html
    page = Page(html)
    # Nothing is chosen for Ben yet, although the assessment and Ana answered every question.
    fields = page.form(f"/r/{ben}/answers").fields
    assert all(not value for name, value in fields.items() if name != "csrf_token")


def test_bad_answers_get_messages_beside_the_fields_and_everything_typed_stays(client, owned):
    token = invite(owned, "Ben")
    form = as_form(BEN) | {"labeled_examples": "lots", "monthly_requests": "40,000"}
    response = post_form(client, f"/r/{token}/answers", form, page=f"/r/{token}")
    assert response.status_code == 422
    page = Page(response.text)
    assert page.text("error-labeled_examples")
    fields = page.form(f"/r/{token}/answers").fields
    assert fields["labeled_examples"] == "lots" and fields["requirements_change_frequency"] == "weekly"
    assert team_store.responses(owned.assessment, session=owned.session) == []


def test_a_sent_response_thanks_the_person_with_their_own_verdict(client, owned):
    token = invite(owned, "Ben")
    response = respond(client, token, BEN)
    assert response.status_code == 303
    page = Page(client.get(response.headers["location"]).text)
    assert "Prompt engineering" in page.text("sent")
    assert team_store.responses(owned.assessment, session=owned.session)[0].verdict == "prompt_engineering"


def test_the_owner_sees_the_deciding_difference_first_and_resolves_it_with_one_click(client, owned):
    for name, answers in (("Ana", LEGAL), ("Ben", BEN)):
        respond(client, invite(owned, name), answers)
    html = client.get(f"/e/{owned.edit_token}/respondents").text
    page = Page(html)
    first = re.search(r'<article class="differing[^"]*" id="q-([a-z_]+)"', html).group(1)
    assert first == "requirements_change_frequency"
    row = page.text("q-requirements_change_frequency")
    assert "changes the verdict" in row
    assert "Ben: Weekly or more often" in row and "Ana: Rarely" in row and "Assessment (yours): Rarely" in row
    assert "verdict stays the same" in page.text("q-budget")
    assert "Fine-tuning" in page.text("current-verdict")
    resolve = next(f for f in page.forms if f.action.endswith("/respondents/resolve")
                   and f.fields["question"] == "requirements_change_frequency")
    take_bens = next(b for b in resolve.buttons if b.get("value") == "weekly")
    response = post_form(client, resolve.action, resolve.fields | {"answer": take_bens["value"]},
                         page=f"/e/{owned.edit_token}/respondents")
    assert response.status_code == 303
    after = Page(client.get(response.headers["location"]).text)
    assert "changed from Fine-tuning to" in after.text("notice")
    assert "Prompt engineering" in after.text("current-verdict")
    owned.session.refresh(owned.assessment)
    assert owned.assessment.verdict == "prompt_engineering"
    assert store.revisions_of(owned.assessment, session=owned.session)[0].answers[
        "requirements_change_frequency"] == "weekly"


def test_a_resolution_from_a_stale_page_changes_nothing_and_says_so(client, owned):
    respond(client, invite(owned, "Ben"), BEN)
    stale = owned.assessment.version
    store.save_answers(owned.assessment, session=owned.session, expected_version=stale,
                       answers=LEGAL | {"budget": "low"})
    response = post_form(client, f"/e/{owned.edit_token}/respondents/resolve",
                         {"question": "requirements_change_frequency", "answer": "weekly",
                          "version": str(stale)},
                         page=f"/e/{owned.edit_token}/respondents")
    assert response.status_code == 409
    assert "nothing was changed" in Page(response.text).text("notice")
    assert owned.assessment.answers["requirements_change_frequency"] == "rare"
    bad = post_form(client, f"/e/{owned.edit_token}/respondents/resolve",
                    {"question": "colour", "answer": "red", "version": "1"},
                    page=f"/e/{owned.edit_token}/respondents")
    assert bad.status_code == 422 and "choose again" in Page(bad.text).text("notice")


def test_a_revoked_respond_link_is_404_and_an_unknown_one_too(client, owned):
    token = invite(owned, "Ana")
    respondent = team_store.invitees(owned.assessment, session=owned.session)[0].respondent
    response = post_form(client, f"/e/{owned.edit_token}/respondents/{respondent.id}/revoke",
                         page=f"/e/{owned.edit_token}/respondents")
    assert response.status_code == 303
    assert client.get(f"/r/{token}").status_code == 404
    assert client.get("/r/" + "W" * 43).status_code == 404
    assert client.get(f"/e/{owned.view_token}/respondents").status_code == 404


def test_the_workspace_and_the_result_page_lead_to_the_respondents_page(client, owned):
    response = client.get(f"/w/{owned.workspace_token}/a/{owned.assessment.id}/respondents",
                          follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].endswith(f"/e/{owned.edit_token}/respondents")
    result = client.get(f"/e/{owned.edit_token}/result").text
    assert f'href="/e/{owned.edit_token}/respondents"' in result and "Invite respondents" in result
