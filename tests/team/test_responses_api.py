"""The respondents API: invite with the edit token, submit with the respond token, read the differences."""

from tests.share.test_api import bearer, create, token_of
from tests.team.conftest import BEN, LEGAL

API = "/api/v1"


def owner(client) -> tuple[str, str, str]:
    created = create(client, {"name": "Case-law summaries", "answers": LEGAL}).json()
    return created["id"], token_of(created["edit_url"]), token_of(created["view_url"])


def invite(client, assessment_id: str, edit: str, name: str) -> dict:
    response = client.post(f"{API}/assessments/{assessment_id}/respondents", json={"name": name},
                           headers=bearer(edit))
    assert response.status_code == 201, response.text
    return response.json()


def test_two_respondents_answer_and_the_owner_reads_the_difference_that_flips_the_verdict(client):
    assessment_id, edit, _ = owner(client)
    ana, ben = invite(client, assessment_id, edit, "Ana"), invite(client, assessment_id, edit, "Ben")
    assert ana["respond_url"].startswith("http") and "/r/" in ana["respond_url"]
    for person, answers in ((ana, LEGAL), (ben, BEN)):
        sent = client.put(f"{API}/responses/{person['id']}", json={"answers": answers},
                          headers=bearer(token_of(person["respond_url"])))
        assert sent.status_code == 200, sent.text
    assert sent.json()["verdict"] == "prompt_engineering"
    body = client.get(f"{API}/assessments/{assessment_id}/responses", headers=bearer(edit)).json()
    assert body["verdict"] == "fine_tuning"
    assert [(r["name"], r["verdict"]) for r in body["responses"]] == [
        ("Ana", "fine_tuning"), ("Ben", "prompt_engineering")]
    assert [(q["question"], q["changes_verdict"]) for q in body["differing"]] == [
        ("requirements_change_frequency", True), ("budget", False)]
    first = body["differing"][0]
    assert first["answers"] == {"Assessment": "rare", "Ana": "rare", "Ben": "weekly"}
    assert {(a["answer"], a["verdict"]) for a in first["alternatives"]} == {
        ("rare", "fine_tuning"), ("weekly", "prompt_engineering")}


def test_missing_tokens_are_401_and_wrong_ones_404(client):
    assessment_id, edit, view = owner(client)
    ana = invite(client, assessment_id, edit, "Ana")
    respond = token_of(ana["respond_url"])
    path = f"{API}/assessments/{assessment_id}"
    assert client.post(f"{path}/respondents", json={"name": "X"}).status_code == 401
    assert client.get(f"{path}/responses").status_code == 401
    assert client.put(f"{API}/responses/{ana['id']}", json={"answers": {}}).status_code == 401
    # A view token reads the assessment but never invites or reads responses; a respond token opens
    # nothing else.
    for token in (view, respond, "W" * 43):
        invited = client.post(f"{path}/respondents", json={"name": "X"}, headers=bearer(token))
        assert invited.status_code == 404
        assert client.get(f"{path}/responses", headers=bearer(token)).status_code == 404
        assert client.get(path, headers=bearer(token)).status_code == (200 if token == view else 404)
    # Another respondent's id, or the edit token, cannot submit Ana's answers.
    ben = invite(client, assessment_id, edit, "Ben")
    assert client.put(f"{API}/responses/{ben['id']}", json={"answers": {}},
                      headers=bearer(respond)).status_code == 404
    assert client.put(f"{API}/responses/{ana['id']}", json={"answers": {}},
                      headers=bearer(edit)).status_code == 404


def test_bad_bodies_are_422_naming_the_field(client):
    assessment_id, edit, _ = owner(client)
    for body, field in (({}, "name"), ({"name": "   "}, "name"), ({"name": "x" * 121}, "name"),
                        ({"name": "Ana", "colour": 1}, "colour"),
                        ({"name": "Ana", "expires_at": 0}, "expires_at"),
                        ({"name": "Ana", "expires_at": "next week"}, "expires_at")):
        response = client.post(f"{API}/assessments/{assessment_id}/respondents", json=body,
                               headers=bearer(edit))
        assert response.status_code == 422 and field in str(response.json()["detail"]), body
    ana = invite(client, assessment_id, edit, "Ana")
    for answers in ({"budget": "enormous"}, {"labeled_examples": "5"}, {"colour": "red"}):
        response = client.put(f"{API}/responses/{ana['id']}", json={"answers": answers},
                              headers=bearer(token_of(ana["respond_url"])))
        assert response.status_code == 422, answers
        assert list(answers)[0] in str(response.json()["detail"])


def test_the_openapi_document_lists_the_three_routes(client):
    paths = client.get("/openapi.json").json()["paths"]
    assert "post" in paths["/api/v1/assessments/{assessment_id}/respondents"]
    assert "put" in paths["/api/v1/responses/{response_id}"]
    assert "get" in paths["/api/v1/assessments/{assessment_id}/responses"]


def test_a_respond_link_with_an_expiry_works_until_then(client):
    assessment_id, edit, _ = owner(client)
    response = client.post(f"{API}/assessments/{assessment_id}/respondents", headers=bearer(edit),
                           json={"name": "Ana", "expires_at": "2099-01-01T00:00:00Z"})
    assert response.status_code == 201
    ana = response.json()
    sent = client.put(f"{API}/responses/{ana['id']}", json={"answers": {"budget": "low"}},
                      headers=bearer(token_of(ana["respond_url"])))
    assert sent.status_code == 200
    past = client.post(f"{API}/assessments/{assessment_id}/respondents", headers=bearer(edit),
                       json={"name": "Ben", "expires_at": "2001-01-01T00:00:00Z"}).json()
    assert client.put(f"{API}/responses/{past['id']}", json={"answers": {}},
                      headers=bearer(token_of(past["respond_url"]))).status_code == 404
