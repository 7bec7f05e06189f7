"""Errors of the JSON API are RFC 9457 problem+json, described in the OpenAPI document; operation ids are
chosen by hand. HTML pages keep their own error pages."""

import re
from html.parser import HTMLParser

import jsonschema
from fastapi.routing import APIRoute

from app import api
from tests.api.conftest import API, assert_problem, bearer

CAMEL_CASE = re.compile(r"[a-z]+(?:[A-Z][a-z0-9]*)*")


def api_operations(openapi: dict):
    for path, operations in openapi["paths"].items():
        if path.startswith("/api/"):
            for method, operation in operations.items():
                yield path, method, operation


def routes_of(router) -> list[APIRoute]:
    """Every route of `router` and the routers it includes (FastAPI keeps an included one as a wrapper)."""
    found = []
    for route in router.routes:
        if isinstance(route, APIRoute):
            found.append(route)
        elif hasattr(route, "original_router"):
            found += routes_of(route.original_router)
    return found


def test_every_api_route_has_a_hand_chosen_camel_case_operation_id(openapi):
    ids = [operation["operationId"] for _, _, operation in api_operations(openapi)]
    routes = routes_of(api.router)
    assert len(routes) == len(ids)  # each operation's route was found
    assert [route.name for route in routes if not route.operation_id] == []
    assert len(ids) == len(set(ids)) >= 17
    assert [i for i in ids if not CAMEL_CASE.fullmatch(i) or "api_v1" in i] == []
    assert {
        "createAssessment",
        "getAssessment",
        "listAssessments",
        "deleteAssessment",
        "restoreAssessment",
        "exportAssessment",
        "listShareLinks",
        "revokeShareLink",
        "renewShareLink",
        "setShareLinkExpiry",
        "clearShareLinkExpiry",
    } <= set(ids)


def test_every_api_error_response_is_problem_json_with_a_schema(openapi):
    schemas = openapi["components"]["schemas"]
    for path, method, operation in api_operations(openapi):
        for status, response in operation["responses"].items():
            if status[0] in "45":
                assert list(response.get("content", {})) == ["application/problem+json"], (
                    path,
                    method,
                    status,
                )
                ref = response["content"]["application/problem+json"]["schema"]["$ref"]
                name = ref.rsplit("/", 1)[1]
                required = set(schemas[name]["required"])
                assert {"title", "status", "detail"} <= required, (path, method, status)
                if status == "422":
                    assert "errors" in required, (path, method)
        assert (
            "422" in operation["responses"]
            or not operation.get("parameters")
            and "requestBody" not in operation
        )
    assert "HTTPValidationError" not in schemas  # FastAPI's own 422 is gone from the API


def test_every_success_response_field_is_described_by_a_schema(openapi):
    for path, method, operation in api_operations(openapi):
        for status, response in operation["responses"].items():
            if status.startswith("2") and status != "204":
                content = response["content"]
                assert any("schema" in media and media["schema"] for media in content.values()), (
                    path,
                    method,
                )


def test_fastapis_422_is_replaced_by_a_problem_naming_each_field(client, openapi):
    response = client.post(f"{API}/assessments", json={"name": "", "answers": {"budget": "lots"}, "extra": 1})
    body = assert_problem(response, 422, openapi, ("/api/v1/assessments", "post"))
    locs = sorted(tuple(error["loc"]) for error in body["errors"])
    assert locs == [("body", "answers", "budget"), ("body", "extra"), ("body", "name")]
    assert "3 invalid fields" in body["detail"]


def test_a_reused_idempotency_key_is_a_422_problem_with_an_empty_errors_list(client, openapi):
    key = {"Idempotency-Key": "same-key"}
    assert client.post(f"{API}/assessments", json={"name": "A"}, headers=key).status_code == 201
    body = assert_problem(
        client.post(f"{API}/assessments", json={"name": "B"}, headers=key),
        422,
        openapi,
        ("/api/v1/assessments", "post"),
    )
    assert body["errors"] == [] and "Idempotency-Key" in body["detail"]


def test_a_stale_change_is_a_412_problem_and_no_if_match_a_428(client, team, openapi):
    path = "/api/v1/assessments/{assessment_id}"
    url = f"{API}/assessments/{team.id}"
    assert_problem(
        client.patch(url, json={"name": "x"}, headers=bearer(team.edit)), 428, openapi, (path, "patch")
    )
    client.patch(url, json={"name": "x"}, headers=bearer(team.edit) | {"If-Match": '"1"'})
    stale = client.patch(url, json={"name": "y"}, headers=bearer(team.edit) | {"If-Match": '"1"'})
    assert_problem(stale, 412, openapi, (path, "patch"))


def test_unknown_api_paths_and_methods_are_problems_too(client):
    assert_problem(client.get(f"{API}/nothing-here"), 404)
    refused = client.put(f"{API}/recommendations", json={})
    assert_problem(refused, 405)
    assert refused.headers["allow"] == "POST"


def test_a_protective_layers_refusal_is_a_problem(client, app, openapi):
    too_big = "x" * (app.state.settings.max_body_bytes + 1)
    response = client.post(
        f"{API}/recommendations", content=too_big, headers={"Content-Type": "application/json"}
    )
    assert_problem(response, 413, openapi, ("/api/v1/recommendations", "post"))


def test_html_pages_keep_their_error_pages(client):
    response = client.get("/e/" + "Q" * 43)
    assert response.status_code == 404 and response.headers["content-type"].startswith("text/html")
    headings = Headings()
    headings.feed(response.text)
    assert headings.text and "{" not in response.text[:1]


class Headings(HTMLParser):
    """The text of the page's h1."""

    def __init__(self) -> None:
        super().__init__()
        self.inside, self.text = False, ""

    def handle_starttag(self, tag, attrs):
        self.inside = self.inside or tag == "h1"

    def handle_endtag(self, tag):
        self.inside = self.inside and tag != "h1"

    def handle_data(self, data):
        if self.inside:
            self.text += data.strip()


def test_the_problem_schemas_accept_what_the_api_sends_and_refuse_a_bare_detail(openapi):
    problem = {"$ref": "#/components/schemas/ProblemDetails", "components": openapi["components"]}
    jsonschema.validate({"type": "about:blank", "title": "Not Found", "status": 404, "detail": "x"}, problem)
    try:
        jsonschema.validate({"detail": "x"}, problem)
    except jsonschema.ValidationError:
        return
    raise AssertionError("a body with only `detail` passed as a problem")
