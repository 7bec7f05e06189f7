"""GET /api/v1/assessments/{id}/export: the page's "Export JSON" document, over the API."""

import jsonschema
import pytest

from app.web.exports import read_import
from tests.api.conftest import API, assert_problem, bearer, schema_of

EXPORT = "/api/v1/assessments/{assessment_id}/export"


@pytest.mark.parametrize("kind", ["edit", "view"])
def test_export_is_the_pages_document_and_imports_back(client, team, kind, openapi):
    response = client.get(f"{API}/assessments/{team.id}/export", headers=bearer(getattr(team, kind)))
    assert response.status_code == 200, response.text
    document = response.json()
    page = client.get(f"/e/{team.edit}/export.json").json()
    assert {k: v for k, v in document.items() if k != "exported_at"} == {
        k: v for k, v in page.items() if k != "exported_at"
    }
    assert f"/e/{team.edit}" not in response.text and f"/v/{team.view}" not in response.text  # no link
    imported, problems = read_import(response.content)
    assert problems == [] and imported.name == "Support bot"
    schema = schema_of(openapi, EXPORT, "get", 200)
    schema.pop("x-media-type")
    jsonschema.validate(document, schema)


def test_export_without_a_token_is_401_and_with_a_workspace_token_404(client, team, openapi):
    assert_problem(client.get(f"{API}/assessments/{team.id}/export"), 401, openapi, (EXPORT, "get"))
    response = client.get(f"{API}/assessments/{team.id}/export", headers=bearer(team.workspace))
    assert_problem(response, 404, openapi, (EXPORT, "get"))
