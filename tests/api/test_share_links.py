"""/api/v1/assessments/{id}/links: the share page's list, revoke, renew and expiry, over JSON."""

from datetime import UTC, datetime, timedelta

import pytest

from app.models import utcnow
from tests.api.conftest import API, assert_problem, bearer, token_of

LINKS = "/api/v1/assessments/{assessment_id}/links"
ACTION = "/api/v1/assessments/{assessment_id}/links/{kind}/{action}"


def links(client, team, token=None) -> dict[str, dict]:
    response = client.get(f"{API}/assessments/{team.id}/links", headers=bearer(token or team.edit))
    assert response.status_code == 200, response.text
    return {link["kind"]: link for link in response.json()}


def act(client, team, kind, action, token=None, method="POST", **kwargs):
    return client.request(
        method,
        f"{API}/assessments/{team.id}/links/{kind}/{action}",
        headers=bearer(token or team.edit),
        **kwargs,
    )


def opens(client, team, token) -> bool:
    return client.get(f"{API}/assessments/{team.id}", headers=bearer(token)).status_code == 200


@pytest.mark.parametrize("holder", ["edit", "workspace"])
def test_the_edit_or_workspace_token_lists_both_links(client, team, holder):
    listed = links(client, team, getattr(team, holder))
    assert listed["view"]["url"].endswith(f"/v/{team.view}") and listed["edit"]["url"].endswith(
        f"/e/{team.edit}"
    )
    assert all(
        link["live"] and not link["revoked"] and link["expires_at"] is None for link in listed.values()
    )


def test_revoking_the_view_link_stops_it_and_renewing_hands_out_a_new_one(client, team):
    revoked = act(client, team, "view", "revoke")
    assert revoked.status_code == 200 and revoked.json()["revoked"] and not revoked.json()["live"]
    assert not opens(client, team, team.view)
    assert client.get(f"/v/{team.view}").status_code == 404
    renewed = act(client, team, "view", "renew").json()
    new_token = token_of(renewed["url"])
    assert renewed["live"] and new_token != team.view
    assert opens(client, team, new_token) and not opens(client, team, team.view)


def test_revoking_the_edit_link_with_itself_is_allowed_as_on_the_page_and_the_workspace_rescues_it(
    client, team
):
    assert act(client, team, "edit", "revoke").status_code == 200
    assert_problem(act(client, team, "edit", "renew"), 404)  # that token opens nothing now
    rescued = act(client, team, "edit", "renew", token=team.workspace)
    assert rescued.status_code == 200 and rescued.json()["live"]
    assert opens(client, team, token_of(rescued.json()["url"]))


def test_renewing_the_edit_link_with_itself_continues_with_the_new_token(client, team):
    new_token = token_of(act(client, team, "edit", "renew").json()["url"])
    assert not opens(client, team, team.edit)
    assert links(client, team, new_token)["edit"]["url"].endswith(new_token)


def test_an_expiry_is_the_end_of_the_last_day_and_null_clears_it(client, team):
    last_day = (utcnow() + timedelta(days=30)).date()
    response = act(client, team, "view", "expiry", method="PUT", json={"expires_on": last_day.isoformat()})
    assert response.status_code == 200, response.text
    link = response.json()
    assert link["expires_on"] == last_day.isoformat() and link["live"]
    assert datetime.fromisoformat(link["expires_at"]) == datetime.combine(
        last_day + timedelta(days=1), datetime.min.time(), tzinfo=UTC
    )
    assert links(client, team)["view"]["expires_on"] == last_day.isoformat()
    cleared = act(client, team, "view", "expiry", method="PUT", json={"expires_on": None}).json()
    assert cleared["expires_at"] is None and cleared["expires_on"] is None


def test_delete_expiry_clears_it(client, team):
    act(client, team, "edit", "expiry", method="PUT", json={"expires_on": utcnow().date().isoformat()})
    cleared = act(client, team, "edit", "expiry", method="DELETE")
    assert cleared.status_code == 200 and cleared.json()["expires_at"] is None


@pytest.mark.parametrize(
    "expires_on, words",
    [
        ("2001-01-01", "today or a later day"),
        ((utcnow() + timedelta(days=6 * 366)).date().isoformat(), "within the next five years"),
        ("next week", "date"),
    ],
)
def test_an_expiry_the_page_refuses_is_422_naming_the_field(client, team, expires_on, words, openapi):
    response = act(client, team, "view", "expiry", method="PUT", json={"expires_on": expires_on})
    body = assert_problem(response, 422, openapi, (ACTION.replace("{action}", "expiry"), "put"))
    assert body["errors"][0]["loc"] == ["body", "expires_on"] and words in body["errors"][0]["msg"]
    assert links(client, team)["view"]["expires_at"] is None


@pytest.mark.parametrize("action, method", [("revoke", "post"), ("renew", "post"), ("expiry", "delete")])
def test_a_view_token_manages_nothing(client, team, action, method, openapi):
    response = act(client, team, "view", action, token=team.view, method=method.upper())
    assert_problem(response, 404, openapi, (ACTION.replace("{action}", action), method))
    assert opens(client, team, team.view)


def test_a_view_token_does_not_list_the_links(client, team, openapi):
    response = client.get(f"{API}/assessments/{team.id}/links", headers=bearer(team.view))
    assert_problem(response, 404, openapi, (LINKS, "get"))


@pytest.mark.parametrize("whose", ["edit", "workspace"])
def test_another_teams_tokens_manage_nothing_here(client, team, stranger, whose, openapi):
    response = act(client, team, "view", "revoke", token=getattr(stranger, whose))
    assert_problem(response, 404, openapi, (ACTION.replace("{action}", "revoke"), "post"))
    assert opens(client, team, team.view)


def test_without_a_token_is_401(client, team, openapi):
    assert_problem(client.get(f"{API}/assessments/{team.id}/links"), 401, openapi, (LINKS, "get"))


def test_a_kind_other_than_view_or_edit_is_422(client, team, openapi):
    body = assert_problem(
        act(client, team, "admin", "revoke"), 422, openapi, (ACTION.replace("{action}", "revoke"), "post")
    )
    assert body["errors"][0]["loc"] == ["path", "kind"]


def test_a_workspace_token_does_not_reach_a_deleted_assessments_links(client, team):
    client.delete(f"{API}/assessments/{team.id}", headers=bearer(team.edit))
    assert_problem(act(client, team, "view", "renew", token=team.workspace), 404)
