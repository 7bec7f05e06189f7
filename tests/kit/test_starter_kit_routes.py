"""Getting the starter kit: by edit or view link in the browser, by token over the API."""

from html.parser import HTMLParser

from app import assessments as store
from tests.kit.kit_files import sections, unzip
from tests.share.conftest import SECRET, assert_shared_page_headers, example_answers, share_assessment
from tests.share.test_api import API, bearer, create, token_of

ZIP = "application/zip"


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[dict] = []
        self._open: dict | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self._open = {**dict(attrs), "text": ""}
            self.links.append(self._open)

    def handle_data(self, data):
        if self._open is not None:
            self._open["text"] += data

    def handle_endtag(self, tag):
        if tag == "a":
            self._open = None


def links_named(html: str, text: str) -> list[dict]:
    parser = _Links()
    parser.feed(html)
    return [link for link in parser.links if " ".join(link["text"].split()) == text]


def test_the_api_gives_the_kit_for_either_token_and_the_plan_links_only_the_view_link(client):
    body = {"name": "Clinic triage", "answers": example_answers("clinic-triage-hybrid")}
    created = create(client, body).json()
    url = f"{API}/{created['id']}/starter-kit.zip"
    for token in (token_of(created["view_url"]), token_of(created["edit_url"])):
        response = client.get(url, headers=bearer(token))
        assert response.status_code == 200
        assert response.headers["content-type"] == ZIP
        files = unzip(response.content)
        assert {"PLAN.md", "prompt.md", "eval/cases.csv", "eval/README.md",
                "training/example.jsonl"} <= set(files)
        plan = files["PLAN.md"]
        assert created["view_url"] in sections(plan)["The assessment"]
        assert token_of(created["edit_url"]) not in "".join(files.values())
        assert "/e/" not in plan and "/w/" not in plan
        assert token_of(created["workspace_url"]) not in plan


def test_the_api_refuses_the_kit_without_a_token_or_with_another_assessments(client):
    created = create(client).json()
    other = create(client).json()
    url = f"{API}/{created['id']}/starter-kit.zip"
    assert client.get(url).status_code == 401
    assert client.get(url, headers=bearer("P" * 43)).status_code == 404
    assert client.get(url, headers=bearer(token_of(other["view_url"]))).status_code == 404


def test_the_openapi_document_lists_the_kit_as_a_zip(client):
    operation = client.get("/openapi.json").json()["paths"][f"{API}/{{assessment_id}}/starter-kit.zip"]
    assert set(operation) == {"get"}
    assert ZIP in operation["get"]["responses"]["200"]["content"]


def test_the_kit_download_is_named_typed_and_not_cached_or_indexed(client, session):
    shared = share_assessment(session, name='Plan "B"\r\nX-Evil: 1 ü')
    response = client.get(f"/e/{shared.edit_token}/starter-kit.zip")
    assert response.status_code == 200
    disposition = response.headers["content-disposition"]
    assert disposition.startswith(
        "attachment; filename=\"plan-b-x-evil-1-u-starter-kit.zip\"; filename*=UTF-8''")
    assert "\r" not in disposition and "\n" not in disposition
    assert "x-evil" not in response.headers
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert_shared_page_headers(response)
    assert sections(unzip(response.content)["PLAN.md"])  # the name with quotes and newlines stays text


def test_the_edit_and_view_link_pages_give_the_same_kit_with_the_view_link(client, session):
    shared = share_assessment(session)
    by_edit = unzip(client.get(f"/e/{shared.edit_token}/starter-kit.zip").content)
    by_view = unzip(client.get(f"/v/{shared.view_token}/starter-kit.zip").content)
    assert by_edit == by_view
    assert f"/v/{shared.view_token}" in by_edit["PLAN.md"]
    assert shared.edit_token not in "".join(by_edit.values())


def test_with_the_view_link_revoked_the_kit_carries_no_link(client, session):
    shared = share_assessment(session)
    edit_token = shared.edit_token
    store.revoke_link(shared.assessment, "view", session=session)
    files = unzip(client.get(f"/e/{edit_token}/starter-kit.zip").content)
    assert "/v/" not in files["PLAN.md"] and edit_token not in files["PLAN.md"]
    assert "Share page" in sections(files["PLAN.md"])["The assessment"]


def test_a_revoked_or_unknown_link_gets_no_kit(client, session):
    shared = share_assessment(session)
    view_token = shared.view_token
    store.revoke_link(shared.assessment, "view", session=session)
    assert client.get(f"/v/{view_token}/starter-kit.zip").status_code == 404
    assert client.get(f"/e/{'P' * 43}/starter-kit.zip").status_code == 404


def test_the_result_page_has_a_download_button_next_to_the_pdf_that_works_as_a_plain_link(client, session):
    shared = share_assessment(session)
    page = client.get(f"/e/{shared.edit_token}/result").text
    (button,) = links_named(page, "Download starter kit")
    (pdf,) = links_named(page, "PDF summary")
    assert button["href"] == f"/e/{shared.edit_token}/starter-kit.zip"
    assert button.get("role") == "button" and pdf.get("role") == "button"
    response = client.get(button["href"])
    assert response.status_code == 200 and response.headers["content-type"] == ZIP


def test_the_view_page_offers_the_kit_by_the_view_link(client, session):
    shared = share_assessment(session)
    page = client.get(f"/v/{shared.view_token}").text
    (link,) = links_named(page, "Download starter kit")
    assert link["href"] == f"/v/{shared.view_token}/starter-kit.zip"
    assert client.get(link["href"]).headers["content-type"] == ZIP


def test_the_kit_follows_the_saved_answers(client, session):
    answers = example_answers("legal-assistant") | {"task_type": "classification"}
    shared = share_assessment(session, answers=answers)
    files = unzip(client.get(f"/e/{shared.edit_token}/starter-kit.zip").content)
    assert files["eval/cases.csv"].splitlines()[0].startswith("id,input,expected_label")
    renewed_link = store.renew_link(shared.assessment, "view", session=session, secret=SECRET)
    renewed = store.link_token(renewed_link, SECRET)
    assert f"/v/{renewed}" in unzip(client.get(f"/e/{shared.edit_token}/starter-kit.zip").content)["PLAN.md"]
