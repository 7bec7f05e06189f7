"""POST /api/v1/data-checks: a team's sample file in, its report out, nothing stored."""

import gzip
import io
import json
import zipfile

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app
from tests.datacheck.samples import broken_sample, tickets

URL = "/api/v1/data-checks"


def upload(client, data: bytes, name: str = "tickets.jsonl", **kwargs):
    return client.post(URL, files={"file": (name, data, "application/octet-stream")}, **kwargs)


def test_a_jsonl_with_duplicates_and_two_broken_lines_gets_a_report_naming_them(client):
    response = upload(client, broken_sample())
    assert response.status_code == 200
    report = response.json()
    assert report["examples"] == 12
    assert report["duplicates"]["first_lines"] == [4, 7]
    problems = {problem["kind"]: problem["first_lines"] for problem in report["problems"]}
    assert problems == {"bad_json": [9], "empty_output": [14]}
    assert report["tokens"]["encoding"] == "cl100k_base"
    assert report["suggestion"]["labeled_examples"] == 10
    assert report["training_costs"]


def test_a_file_over_the_limit_gets_413_naming_the_limit(settings, connection):
    small = settings.model_copy(update={"data_check_max_bytes": 2048})
    with TestClient(create_app(small), base_url="http://testserver") as client:
        response = upload(client, tickets(100))
    assert response.status_code == 413
    assert "2 KB" in response.json()["detail"]


def test_a_file_streamed_past_the_limit_without_a_declared_length_gets_413(settings, connection):
    small = settings.model_copy(update={"data_check_max_bytes": 2048})
    body = (b"--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"t.jsonl\"\r\n\r\n"
            + tickets(100) + b"\r\n--b--\r\n")

    def chunks():
        for start in range(0, len(body), 1000):
            yield body[start:start + 1000]

    with TestClient(create_app(small), base_url="http://testserver") as client:
        response = client.post(URL, content=chunks(),
                               headers={"Content-Type": "multipart/form-data; boundary=b"})
    assert response.status_code == 413
    assert "2 KB" in response.json()["detail"]


def test_a_declared_length_over_the_upload_limit_is_refused_before_reading(settings, connection):
    small = settings.model_copy(update={"data_check_max_bytes": 2048})
    with TestClient(create_app(small), base_url="http://testserver") as client:
        response = upload(client, b"x" * 200_000)
    assert response.status_code == 413
    assert "2 KB" in response.json()["detail"]


def test_the_upload_limit_is_larger_than_the_body_limit_of_other_routes(client):
    # 200 KB is over the 64 KiB every other route accepts.
    response = upload(client, tickets(1500))
    assert response.status_code == 200
    assert response.json()["examples"] == 1500


@pytest.mark.parametrize(("data", "name", "words"), [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image.jsonl", "binary"),
    (gzip.compress(tickets(5)), "t.jsonl.gz", "gzip"),
    (b"", "empty.jsonl", "no examples"),
])
def test_unreadable_files_get_422_with_the_problem(client, data, name, words):
    response = upload(client, data, name)
    assert response.status_code == 422
    assert words in response.json()["detail"]


def test_a_zip_bomb_is_refused(client):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.jsonl", b"{}" * 10_000_000)
    response = upload(client, buffer.getvalue(), "data.jsonl")
    assert response.status_code == 422
    assert "zip archive" in response.json()["detail"]


def test_a_bad_utf8_file_gets_422_naming_the_line(client):
    response = upload(client, tickets(3) + b'{"prompt": "\xe9t\xe9"}\n')
    assert response.status_code == 422
    assert response.json()["line"] == 4


def test_no_file_field_gets_422(client):
    response = client.post(URL, files={"other": ("a.jsonl", tickets(2))})
    assert response.status_code == 422
    assert "file" in response.json()["detail"]


def test_json_instead_of_a_file_gets_a_message_not_a_500(client):
    response = client.post(URL, json={"file": "x"})
    assert response.status_code == 422
    assert "multipart/form-data" in response.json()["detail"]


def test_a_browser_on_another_site_cannot_post_a_file(client):
    response = upload(client, tickets(2), headers={"Sec-Fetch-Site": "cross-site"})
    assert response.status_code == 403


def test_multipart_is_accepted_only_on_the_upload_route(client):
    response = client.post("/api/v1/recommendations", files={"file": ("a.jsonl", tickets(2))})
    assert response.status_code == 415


def test_the_operation_is_documented_with_its_upload_field_and_an_example(client):
    operation = client.get("/openapi.json").json()["paths"][URL]["post"]
    body = operation["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert body["properties"]["file"]["format"] == "binary"
    example = operation["responses"]["200"]["content"]["application/json"]["example"]
    assert example["suggestion"]["labeled_examples"] == 10
    assert {"413", "422"} <= set(operation["responses"])


def test_the_documented_example_is_what_the_api_answers_for_that_file(client):
    from app.api.datachecks import REPORT_EXAMPLE

    report = upload(client, broken_sample()).json()
    for key in ("examples", "lines", "duplicates", "problems", "labels", "suggestion", "tokens"):
        assert report[key] == REPORT_EXAMPLE[key], key


def test_the_limit_setting_is_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("ADVISOR_DATA_CHECK_MAX_BYTES", "1048576")
    assert Settings().data_check_max_bytes == 1048576


def test_nothing_of_the_file_is_kept_in_the_report(client):
    secret = "ann.secret@example.com"
    data = tickets(3) + json.dumps({"messages": [{"role": "user", "content": f"mail {secret}"},
                                                 {"role": "assistant", "content": "ok"}]}).encode()
    report = upload(client, data).json()
    assert report["personal_data"]["emails"] == 1
    assert secret not in json.dumps(report)


def test_a_malformed_multipart_body_gets_422_not_a_500(client):
    response = client.post(URL, content=b"--b\r\n[]--b--\r\n",
                           headers={"Content-Type": "multipart/form-data; boundary=b"})
    assert response.status_code == 422
    assert "multipart" in response.json()["detail"]


def test_when_every_check_slot_is_taken_the_client_is_asked_to_retry(app, client, monkeypatch):
    import asyncio

    from app import uploads

    monkeypatch.setattr(uploads, "SLOT_WAIT_SECONDS", 0.05)
    app.state.data_check_slots = asyncio.Semaphore(0)  # every slot held by other checks
    response = upload(client, tickets(3))
    assert response.status_code == 503
    assert response.headers["retry-after"] == "6"
    assert "try again" in response.json()["detail"]
    app.state.data_check_slots = asyncio.Semaphore(1)
    assert upload(client, tickets(3)).status_code == 200
    assert upload(client, tickets(3)).status_code == 200  # the slot was given back
