"""GET /api/v1/workspace/assessments: the workspace page's list, for the workspace token's holder."""

import pytest

from app.api.recommendations import ANSWER_EXAMPLES
from tests.api.conftest import API, assert_problem, bearer, make_assessment

LIST = f"{API}/workspace/assessments"
OPERATION = ("/api/v1/workspace/assessments", "get")
FINE_TUNING = ANSWER_EXAMPLES["house_style_summaries"]["value"]


def names(response) -> list[str]:
    assert response.status_code == 200, response.text
    return [item["name"] for item in response.json()["items"]]


@pytest.fixture
def workspace(client, team) -> str:
    """The team's workspace with three more assessments: a fine-tuning one among them."""
    make_assessment(client, "Invoice extractor", team.workspace, answers=FINE_TUNING)
    make_assessment(client, "Alpha triage", team.workspace)
    make_assessment(client, "support FAQ", team.workspace)
    return team.workspace


def test_the_workspace_token_lists_its_assessments_last_updated_first_with_their_links(
    client, team, workspace
):
    response = client.get(LIST, headers=bearer(workspace))
    assert names(response) == ["support FAQ", "Alpha triage", "Invoice extractor", "Support bot"]
    body = response.json()
    assert body["page"] == 1 and body["has_next"] is False and body["next_page"] is None
    mine = next(item for item in body["items"] if item["id"] == team.id)
    assert mine["edit_url"].endswith(f"/e/{team.edit}") and mine["view_url"].endswith(f"/v/{team.view}")
    assert mine["deleted_at"] is None and mine["created_at"].endswith(("Z", "+00:00"))


def test_search_is_by_name_ignoring_case(client, workspace):
    assert names(client.get(LIST, params={"q": "SUPPORT"}, headers=bearer(workspace))) == [
        "support FAQ",
        "Support bot",
    ]
    assert names(client.get(LIST, params={"q": "100%_"}, headers=bearer(workspace))) == []


def test_sort_by_name_and_filter_by_verdict(client, workspace):
    by_name = names(client.get(LIST, params={"sort": "name"}, headers=bearer(workspace)))
    assert by_name == ["Alpha triage", "Invoice extractor", "Support bot", "support FAQ"]
    listed = client.get(LIST, params={"verdict": "prompt_engineering"}, headers=bearer(workspace))
    assert "Invoice extractor" not in names(listed) and len(names(listed)) == 3


def test_paging_follows_next_page_to_the_end_without_repeats(client, workspace):
    seen, page = [], 1
    while page is not None:
        body = client.get(
            LIST, params={"limit": 3, "page": page, "sort": "name"}, headers=bearer(workspace)
        ).json()
        assert body["limit"] == 3 and len(body["items"]) <= 3
        seen += [item["name"] for item in body["items"]]
        page = body["next_page"]
    assert seen == ["Alpha triage", "Invoice extractor", "Support bot", "support FAQ"]


def test_only_this_workspace_is_listed(client, workspace, stranger):
    assert "Their project" not in names(client.get(LIST, headers=bearer(workspace)))
    assert names(client.get(LIST, headers=bearer(stranger.workspace))) == ["Their project"]


def test_deleted_assessments_are_listed_apart_for_restoring(client, team, workspace):
    assert client.delete(f"{API}/assessments/{team.id}", headers=bearer(team.edit)).status_code == 204
    assert "Support bot" not in names(client.get(LIST, headers=bearer(workspace)))
    deleted = client.get(LIST, params={"deleted": "true"}, headers=bearer(workspace)).json()["items"]
    assert [item["name"] for item in deleted] == ["Support bot"] and deleted[0]["deleted_at"]


def test_no_token_is_401(client, openapi):
    response = client.get(LIST)
    assert_problem(response, 401, openapi, OPERATION)
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize("kind", ["edit", "view"])
def test_an_assessment_token_does_not_open_the_workspace_list(client, team, kind, openapi):
    assert_problem(client.get(LIST, headers=bearer(getattr(team, kind))), 404, openapi, OPERATION)


@pytest.mark.parametrize(
    "params, field",
    [
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"page": 0}, "page"),
        ({"page": 501}, "page"),
        ({"sort": "size"}, "sort"),
        ({"verdict": "magic"}, "verdict"),
        ({"q": "x" * 201}, "q"),
        ({"deleted": "maybe"}, "deleted"),
    ],
)
def test_bad_filters_are_422_naming_the_query_field(client, workspace, params, field, openapi):
    body = assert_problem(client.get(LIST, params=params, headers=bearer(workspace)), 422, openapi, OPERATION)
    assert [error["loc"] for error in body["errors"]] == [["query", field]]
