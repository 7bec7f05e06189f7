"""Personas for the JSON API: the owner holds the workspace token, a teammate the edit token, a colleague
the view token, and a stranger another workspace's token. Everything is made through the API itself."""

from dataclasses import dataclass

import jsonschema
import pytest
from fastapi.testclient import TestClient

API = "/api/v1"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def token_of(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[1]


@dataclass
class HeldAssessment:
    """One assessment with the three tokens people hold."""

    id: str
    workspace: str
    edit: str
    view: str


def make_assessment(
    client: TestClient, name: str = "Support bot", workspace: str | None = None, answers: dict | None = None
) -> HeldAssessment:
    body = {"name": name, "answers": answers or {"task_type": "conversation", "labeled_examples": 0}}
    if workspace:
        body["workspace"] = workspace
    response = client.post(f"{API}/assessments", json=body)
    assert response.status_code == 201, response.text
    made = response.json()
    return HeldAssessment(
        made["id"], token_of(made["workspace_url"]), token_of(made["edit_url"]), token_of(made["view_url"])
    )


@pytest.fixture
def team(client) -> HeldAssessment:
    return make_assessment(client)


@pytest.fixture
def stranger(client) -> HeldAssessment:
    """Someone else's assessment in someone else's workspace."""
    return make_assessment(client, "Their project")


@pytest.fixture
def openapi(app) -> dict:
    return app.openapi()


def schema_of(openapi: dict, path: str, method: str, status: int) -> dict:
    """The schema the OpenAPI document gives this operation's `status` response, with its refs resolvable."""
    response = openapi["paths"][path][method.lower()]["responses"][str(status)]
    ((media_type, content),) = response["content"].items()
    return {**content["schema"], "components": openapi["components"], "x-media-type": media_type}


def assert_problem(
    response, status: int, openapi: dict | None = None, operation: tuple[str, str] | None = None
) -> dict:
    """An RFC 9457 body with this status; with `operation` (path template, method), also valid against the
    schema the OpenAPI document declares for that status."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status and body["type"] == "about:blank" and body["title"] and body["detail"]
    if operation is not None:
        schema = schema_of(openapi, *operation, status)
        assert schema.pop("x-media-type") == "application/problem+json"
        jsonschema.validate(body, schema)
    return body
