"""DELETE /api/v1/assessments/{id} and POST .../restore: the pages' delete with undo, over JSON."""

import pytest

from tests.api.conftest import API, assert_problem, bearer

ONE = "/api/v1/assessments/{assessment_id}"
RESTORE = "/api/v1/assessments/{assessment_id}/restore"


def test_the_edit_token_deletes_and_every_link_then_stops(client, team, openapi):
    assert client.delete(f"{API}/assessments/{team.id}", headers=bearer(team.edit)).status_code == 204
    for token in (team.edit, team.view):
        assert_problem(
            client.get(f"{API}/assessments/{team.id}", headers=bearer(token)), 404, openapi, (ONE, "get")
        )
    assert client.get(f"/v/{team.view}").status_code == 404  # the page agrees


def test_restore_with_the_same_edit_token_brings_it_back_unchanged(client, team):
    before = client.get(f"{API}/assessments/{team.id}", headers=bearer(team.view)).json()
    client.delete(f"{API}/assessments/{team.id}", headers=bearer(team.edit))
    restored = client.post(f"{API}/assessments/{team.id}/restore", headers=bearer(team.edit))
    assert restored.status_code == 200, restored.text
    assert restored.json()["answers"] == before["answers"] and restored.json()["name"] == "Support bot"
    assert restored.headers["etag"] == f'"{restored.json()["version"]}"'
    assert client.get(f"{API}/assessments/{team.id}", headers=bearer(team.view)).status_code == 200


def test_restoring_a_live_assessment_changes_nothing(client, team):
    restored = client.post(f"{API}/assessments/{team.id}/restore", headers=bearer(team.edit))
    assert restored.status_code == 200 and restored.json()["version"] == 1


def test_deleting_twice_is_404(client, team, openapi):
    client.delete(f"{API}/assessments/{team.id}", headers=bearer(team.edit))
    assert_problem(
        client.delete(f"{API}/assessments/{team.id}", headers=bearer(team.edit)),
        404,
        openapi,
        (ONE, "delete"),
    )


@pytest.mark.parametrize("method, path", [("delete", ONE), ("post", RESTORE)])
def test_a_view_token_neither_deletes_nor_restores(client, team, method, path, openapi):
    response = client.request(method.upper(), path.format(assessment_id=team.id), headers=bearer(team.view))
    assert_problem(response, 404, openapi, (path, method))
    assert client.get(f"{API}/assessments/{team.id}", headers=bearer(team.view)).status_code == 200


@pytest.mark.parametrize("method, path", [("delete", ONE), ("post", RESTORE)])
def test_without_a_token_is_401(client, team, method, path, openapi):
    response = client.request(method.upper(), path.format(assessment_id=team.id))
    assert_problem(response, 401, openapi, (path, method))


def test_another_assessments_edit_token_is_404(client, team, stranger, openapi):
    response = client.delete(f"{API}/assessments/{team.id}", headers=bearer(stranger.edit))
    assert_problem(response, 404, openapi, (ONE, "delete"))


def test_a_workspace_token_does_not_delete(client, team, openapi):
    response = client.delete(f"{API}/assessments/{team.id}", headers=bearer(team.workspace))
    assert_problem(response, 404, openapi, (ONE, "delete"))


def test_if_match_of_an_older_version_refuses_the_delete_with_412(client, team, openapi):
    changed = client.patch(
        f"{API}/assessments/{team.id}",
        json={"name": "Renamed"},
        headers=bearer(team.edit) | {"If-Match": '"1"'},
    )
    assert changed.status_code == 200
    stale = client.delete(f"{API}/assessments/{team.id}", headers=bearer(team.edit) | {"If-Match": '"1"'})
    assert "version 2" in assert_problem(stale, 412, openapi, (ONE, "delete"))["detail"]
    assert client.get(f"{API}/assessments/{team.id}", headers=bearer(team.view)).status_code == 200
    current = client.delete(f"{API}/assessments/{team.id}", headers=bearer(team.edit) | {"If-Match": '"2"'})
    assert current.status_code == 204


def test_a_malformed_if_match_is_400(client, team, openapi):
    response = client.delete(f"{API}/assessments/{team.id}", headers=bearer(team.edit) | {"If-Match": "soon"})
    assert_problem(response, 400, openapi, (ONE, "delete"))
