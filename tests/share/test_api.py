"""The assessments API: create with links, read with a token, change with the edit token."""

import uuid

from app import assessments as store
from tests.share.conftest import example_answers

API = "/api/v1/assessments"


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def create(client, body: dict | None = None, **headers):
    body = body if body is not None else {"name": "Support bot", "answers": example_answers()}
    return client.post(API, json=body, headers=headers)


def token_of(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[1]


def test_create_returns_201_with_absolute_links_that_work(client):
    response = create(client)
    assert response.status_code == 201
    body = response.json()
    for key in ("view_url", "edit_url", "workspace_url"):
        assert body[key].startswith("http://testserver/")
    assert body["recommendation"]["verdict"] == "prompt_engineering"
    assert body["verdict"] == "prompt_engineering"
    assert response.headers["location"] == f"{API}/{body['id']}"
    assert client.get(body["view_url"].removeprefix("http://testserver")).status_code == 200
    assert client.get(body["workspace_url"].removeprefix("http://testserver")).status_code == 200


def test_links_use_the_configured_base_url_not_the_host_header(client):
    response = client.post(
        API, json={"name": "x", "answers": {}}, headers={"X-Forwarded-Host": "evil.example"}
    )
    assert response.status_code == 201
    assert all("evil.example" not in response.json()[k] for k in ("view_url", "edit_url", "workspace_url"))


def test_create_in_an_existing_workspace(client, shared):
    response = create(client, {"name": "Second", "answers": {}, "workspace": shared.workspace_token})
    assert response.status_code == 201
    assessment = store.get_in_workspace(
        store.workspace_by_token(shared.workspace_token, session=shared.session),
        response.json()["id"],
        session=shared.session,
    )
    assert assessment.name == "Second"


def test_create_in_an_unknown_workspace_is_404(client):
    assert create(client, {"name": "x", "answers": {}, "workspace": "Q" * 43}).status_code == 404


def test_the_same_idempotency_key_creates_one_assessment(client):
    key = str(uuid.uuid4())
    first = create(client, **{"Idempotency-Key": key})
    again = create(client, **{"Idempotency-Key": key})
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert first.json()["workspace_url"] == again.json()["workspace_url"]
    changed = create(client, {"name": "Another name", "answers": {}}, **{"Idempotency-Key": key})
    assert changed.status_code == 422
    assert "Idempotency-Key" in changed.json()["detail"]


def test_bad_bodies_get_422_naming_the_field(client):
    cases = [
        ({"name": "x", "answers": {"unknown_field": 1}}, "unknown_field"),
        ({"name": "x", "answers": {"labeled_examples": -5}}, "labeled_examples"),
        ({"name": "x" * 201, "answers": {}}, "name"),
        ({"name": "   ", "answers": {}}, "name"),
        ({"name": "a\x00b", "answers": {}}, "name"),
        ({"name": "x", "answers": {}, "notes": {"not_a_question": "hi"}}, "notes"),
        ({"answers": {}}, "name"),
    ]
    for body, field in cases:
        response = create(client, body)
        assert response.status_code == 422, body
        assert field in str(response.json()["detail"]), body


def test_read_with_the_view_token_hides_the_edit_link(client):
    created = create(client).json()
    view = token_of(created["view_url"])
    response = client.get(f"{API}/{created['id']}", headers=bearer(view))
    assert response.status_code == 200
    body = response.json()
    assert body["edit_url"] is None
    assert token_of(created["edit_url"]) not in response.text
    assert "workspace_url" not in body
    assert body["answers"]["task_type"] == "conversation"
    assert body["recommendation"]["reasons"]
    assert response.headers["etag"] == f'"{body["version"]}"'


def test_read_with_the_edit_token_includes_the_edit_link(client):
    created = create(client).json()
    body = client.get(f"{API}/{created['id']}", headers=bearer(token_of(created["edit_url"]))).json()
    assert body["edit_url"] == created["edit_url"]


def test_reads_without_a_token_or_with_a_wrong_one_fail_cleanly(client, shared):
    created = create(client).json()
    assert client.get(f"{API}/{created['id']}").status_code == 401
    assert client.get(f"{API}/{created['id']}", headers=bearer("W" * 43)).status_code == 404
    assert client.get(f"{API}/{created['id']}", headers=bearer(shared.view_token)).status_code == 404
    assert client.get(f"{API}/nope", headers=bearer(shared.view_token)).status_code == 404


def test_patch_changes_answers_with_the_edit_token_and_if_match(client):
    created = create(client).json()
    edit = token_of(created["edit_url"])
    response = client.patch(
        f"{API}/{created['id']}",
        headers={**bearer(edit), "If-Match": f'"{created["version"]}"'},
        json={
            "answers": {"labeled_examples": 5000, "budget": None},
            "notes": {"budget": "Finance decides in June."},
            "name": "Support bot v2",
        },
    )
    assert response.status_code == 200
    body = response.json()
    assert body["answers"]["labeled_examples"] == 5000
    assert "budget" not in body["answers"]
    assert body["answers"]["task_type"] == "conversation"
    assert body["notes"]["budget"] == "Finance decides in June."
    assert body["name"] == "Support bot v2"
    assert body["version"] == created["version"] + 1
    assert response.headers["etag"] == f'"{body["version"]}"'


def test_put_replaces_all_answers(client):
    created = create(client).json()
    edit = token_of(created["edit_url"])
    response = client.put(
        f"{API}/{created['id']}/answers",
        json={"task_type": "code"},
        headers={**bearer(edit), "If-Match": str(created["version"])},
    )
    assert response.status_code == 200
    assert response.json()["answers"] == {"task_type": "code"}


def test_a_stale_if_match_is_412_and_changes_nothing(client):
    created = create(client).json()
    edit = token_of(created["edit_url"])
    headers = {**bearer(edit), "If-Match": f'"{created["version"]}"'}
    assert (
        client.patch(
            f"{API}/{created['id']}", headers=headers, json={"answers": {"budget": "high"}}
        ).status_code
        == 200
    )
    stale = client.patch(f"{API}/{created['id']}", headers=headers, json={"answers": {"budget": "low"}})
    assert stale.status_code == 412
    assert "version" in stale.json()["detail"]
    now = client.get(f"{API}/{created['id']}", headers=bearer(edit)).json()
    assert now["answers"]["budget"] == "high"


def test_changes_need_if_match_and_the_edit_token(client):
    created = create(client).json()
    url = f"{API}/{created['id']}"
    edit, view = token_of(created["edit_url"]), token_of(created["view_url"])
    assert client.patch(url, headers=bearer(edit), json={"answers": {"budget": "high"}}).status_code == 428
    assert (
        client.patch(
            url, headers={**bearer(view), "If-Match": '"1"'}, json={"answers": {"budget": "high"}}
        ).status_code
        == 404
    )
    assert client.patch(url, json={"answers": {"budget": "high"}}).status_code == 401
    bad = client.patch(url, headers={**bearer(edit), "If-Match": '"1"'}, json={"answers": {"budget": "huge"}})
    assert bad.status_code == 422 and "budget" in str(bad.json()["detail"])
    assert client.get(url, headers=bearer(edit)).json()["answers"]["budget"] == "low"


def test_openapi_documents_the_bearer_token_and_examples(client):
    schema = client.get("/openapi.json").json()
    schemes = schema["components"]["securitySchemes"]
    assert schemes["LinkToken"]["scheme"].lower() == "bearer"
    assert "Authorization: Bearer" in schemes["LinkToken"]["description"]
    create_op = schema["paths"][API]["post"]
    assert create_op["requestBody"]["content"]["application/json"]["examples"]
    assert {"401", "404"} <= set(schema["paths"][f"{API}/{{assessment_id}}"]["get"]["responses"])
    assert "412" in schema["paths"][f"{API}/{{assessment_id}}"]["patch"]["responses"]


def test_the_pdf_comes_with_either_token_in_the_header(client):
    created = create(client).json()
    url = f"{API}/{created['id']}/report.pdf"
    response = client.get(url, headers=bearer(token_of(created["view_url"])))
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert client.get(url).status_code == 401
    assert client.get(url, headers=bearer("P" * 43)).status_code == 404
