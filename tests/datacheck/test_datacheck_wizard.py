"""The data checker on the wizard's data step: upload a sample, read the report, use its figures."""

import json

import pytest
from sqlmodel import select

from app.advisor import recommend
from app.models import Assessment
from app.questionnaire import load_questionnaire
from tests.datacheck.page import Page
from tests.datacheck.samples import broken_sample, tickets
from tests.web.conftest import HTMX, Walker, filled


@pytest.fixture
def team(client) -> Walker:
    return Walker(client)


def at_data_step(team: Walker) -> str:
    """An assessment walked up to the data step; returns its edit token."""
    token = team.edit_token(team.start())
    for section in team.sections[1:]:
        if section.id == "data":
            return token
        assert team.post_step(token, section, filled(section)).status_code == 303
    raise AssertionError("the questionnaire has no data step")


def typed_on_the_step(team: Walker, token: str) -> dict:
    """What a person typed on the data step without saving, plus the form's hidden fields."""
    return {"labeled_examples": "5", "note-labeled_examples": "the tickets from March",
            "data_confidential": "yes", "csrf_token": team.csrf, "version": team.version(token, "data"),
            "action": "check"}


def upload(team: Walker, token: str, data: bytes, fields: dict, headers=None, name="tickets.jsonl"):
    return team.client.post(f"/e/{token}/data-check", data=fields, files={"file": (name, data)},
                            headers=headers, follow_redirects=False)


def stored(session, token_owner_name: str = "Support bot") -> Assessment:
    session.expire_all()
    return session.exec(select(Assessment).where(Assessment.name == token_owner_name)).one()


def test_the_data_step_offers_a_file_check_that_posts_the_step_form_as_multipart(team):
    token = at_data_step(team)
    page = Page(team.client.get(f"/e/{token}/step/data").text)
    step_form = page.form("/step/data")
    assert step_form.file_inputs == ["file"]
    [check] = [button for button in step_form.buttons if button.get("value") == "check"]
    assert check["formaction"] == f"/e/{token}/data-check"
    assert check["formenctype"] == "multipart/form-data"
    assert "20 MB" in page.text("data-check-help")


def test_other_steps_have_no_file_check(team):
    token = team.edit_token(team.start())
    other = team.sections[1]
    assert "data-check" not in Page(team.client.get(f"/e/{token}/step/{other.id}").text).ids


def test_without_javascript_the_report_names_the_broken_lines_and_keeps_what_was_typed(team, session):
    token = at_data_step(team)
    before = stored(session).version
    response = upload(team, token, broken_sample(), typed_on_the_step(team, token))
    assert response.status_code == 200
    page = Page(response.text)
    assert page.text("dc-examples") == "12"
    assert page.text("dc-duplicates").startswith("1 exact, 1 near")
    lines = page.text("data-check-report")
    assert "lines 9" not in lines and "(line 9)" in lines and "(line 14)" in lines
    assert "line 4 repeats line 2" in lines
    # What was typed on the step is still in the step form, unsaved.
    assert page.form("/step/data").fields["labeled_examples"] == "5"
    assert stored(session).version == before
    use = page.form("/data-check/use")
    assert use.fields["labeled_examples"] == "10"
    assert use.fields["data_quality"] == "low"
    assert use.fields["data_confidential"] == "yes"
    assert use.fields["note-labeled_examples"] == "the tickets from March"
    assert page.text("dc-suggested-quality") == "Low"


def test_use_these_figures_saves_them_with_the_rest_of_the_step_and_the_verdict_follows(team, session):
    token = at_data_step(team)
    page = Page(upload(team, token, broken_sample(), typed_on_the_step(team, token)).text)
    before = stored(session)
    version = before.version
    response = team.client.post(f"/e/{token}/data-check/use", data=page.form("/data-check/use").fields,
                                follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"/e/{token}/step/data#field-labeled_examples"
    after = stored(session)
    assert after.version == version + 1
    assert after.answers["labeled_examples"] == 10
    assert after.answers["data_quality"] == "low"
    assert after.answers["data_confidential"] is True
    assert after.notes["labeled_examples"] == "the tickets from March"
    assert after.verdict == recommend(after.answers).verdict
    assert after.recommendation == recommend(after.answers).model_dump(mode="json") | {
        key: after.recommendation[key] for key in ("costs",)}
    shown = Page(team.client.get(f"/e/{token}/step/data").text).form("/step/data").fields
    assert (shown["labeled_examples"], shown["data_quality"]) == ("10", "low")


def test_the_report_is_kept_in_the_notes_only_when_the_team_ticks_the_box(team, session):
    token = at_data_step(team)
    page = Page(upload(team, token, broken_sample(), typed_on_the_step(team, token)).text)
    fields = page.form("/data-check/use").fields
    assert "keep_report" not in fields  # unticked: nothing of the file is kept
    team.client.post(f"/e/{token}/data-check/use", data=fields, follow_redirects=False)
    assert stored(session).notes["labeled_examples"] == "the tickets from March"
    assert "data_quality" not in stored(session).notes
    page = Page(upload(team, token, broken_sample(), typed_on_the_step(team, token)).text)
    fields = page.form("/data-check/use").fields | {"keep_report": "yes"}
    team.client.post(f"/e/{token}/data-check/use", data=fields, follow_redirects=False)
    notes = stored(session).notes
    assert notes["labeled_examples"].startswith("the tickets from March\nChecked tickets.jsonl on ")
    assert "(lines 9, 14)" in notes["labeled_examples"]
    assert notes["data_quality"].startswith("Suggested low by the data check")


def test_with_htmx_the_report_is_a_fragment_for_the_step_page(team):
    token = at_data_step(team)
    fields = typed_on_the_step(team, token)
    headers = HTMX | {"X-CSRF-Token": fields.pop("csrf_token")}
    response = upload(team, token, broken_sample(), fields, headers=headers)
    assert response.status_code == 200
    assert "<html" not in response.text
    page = Page(response.text)
    assert page.text("dc-examples") == "12"
    use = page.form("/data-check/use")
    # The step form's live values (and version, after autosaves) go along; the figures override them.
    assert use.attributes["hx-include"] == ".wizard-form"
    assert json.loads(use.attributes["hx-vals"]) == {"labeled_examples": "10", "data_quality": "low"}
    assert "version" not in use.fields


def test_with_htmx_use_these_figures_saves_the_live_step_and_swaps_it_in(team, session):
    token = at_data_step(team)
    data = load_questionnaire().section("data")
    live = filled(data, labeled_examples=10, data_quality="low", prompt_examples_today=4)
    response = team.client.post(f"/e/{token}/data-check/use", headers=HTMX | {"X-CSRF-Token": team.csrf},
                                data=live | {"version": team.version(token, "data")}, follow_redirects=False)
    assert response.status_code == 200
    assert response.headers["hx-push-url"] == f"/e/{token}/step/data"
    assert Page(response.text).form("/step/data").fields["labeled_examples"] == "10"
    assert "Saved." in response.text
    assert stored(session).answers["prompt_examples_today"] == 4


def test_a_broken_file_gets_a_message_naming_the_line_and_keeps_what_was_typed(team):
    token = at_data_step(team)
    response = upload(team, token, tickets(2) + b"\x00\x01binary", typed_on_the_step(team, token))
    assert response.status_code == 422
    page = Page(response.text)
    assert "Line 3" in page.text("data-check-report") and "binary" in page.text("data-check-report")
    assert page.form("/step/data").fields["labeled_examples"] == "5"
    assert not [form for form in page.forms if form.action.endswith("/data-check/use")]


def test_a_file_over_the_limit_is_refused_naming_the_limit_without_and_with_htmx(app, team):
    app.state.settings = app.state.settings.model_copy(update={"data_check_max_bytes": 2048})
    token = at_data_step(team)
    fields = typed_on_the_step(team, token)
    response = upload(team, token, tickets(200), fields)
    assert response.status_code == 413
    assert "2 KB" in Page(response.text).text("data-check-report")
    headers = HTMX | {"X-CSRF-Token": fields.pop("csrf_token")}
    response = upload(team, token, tickets(200), fields, headers=headers)
    assert response.status_code == 422  # what the page's htmx config swaps in
    assert "2 KB" in Page(response.text).text("data-check-report") + response.text


def test_an_upload_without_the_form_token_is_refused(team):
    token = at_data_step(team)
    fields = typed_on_the_step(team, token)
    fields["csrf_token"] = "forged"
    assert upload(team, token, tickets(3), fields).status_code == 403
    assert upload(team, token, tickets(3), {}, headers={"X-CSRF-Token": "forged"}).status_code == 403


def test_a_colleagues_save_in_between_shows_the_conflict_page_not_a_silent_overwrite(team, session):
    token = at_data_step(team)
    page = Page(upload(team, token, broken_sample(), typed_on_the_step(team, token)).text)
    data = load_questionnaire().section("data")
    saved = team.post_step(token, data, filled(data, labeled_examples=7000), action="back")
    assert saved.status_code == 303
    response = team.client.post(f"/e/{token}/data-check/use", data=page.form("/data-check/use").fields,
                                follow_redirects=False)
    assert response.status_code == 409
    assert stored(session).answers["labeled_examples"] == 7000


def test_a_plain_form_without_a_file_is_asked_for_one_and_keeps_what_was_typed(team):
    token = at_data_step(team)
    response = team.client.post(f"/e/{token}/data-check", data=typed_on_the_step(team, token))
    assert response.status_code == 422
    page = Page(response.text)
    assert "Choose a file" in page.text("data-check-report")
    assert page.form("/step/data").fields["labeled_examples"] == "5"


def test_the_upload_route_is_for_edit_links_only(team, client):
    response = client.post("/e/" + "x" * 43 + "/data-check", files={"file": ("a.jsonl", tickets(2))})
    assert response.status_code == 404


def test_a_busy_checker_asks_to_retry_and_keeps_what_was_typed(app, team, monkeypatch):
    import asyncio

    from app import uploads

    token = at_data_step(team)
    monkeypatch.setattr(uploads, "SLOT_WAIT_SECONDS", 0.05)
    app.state.data_check_slots = asyncio.Semaphore(0)
    response = upload(team, token, tickets(3), typed_on_the_step(team, token))
    assert response.status_code == 503
    page = Page(response.text)
    assert "try again" in page.text("data-check-report")
    assert page.form("/step/data").fields["labeled_examples"] == "5"
