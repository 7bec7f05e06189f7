"""The starter kit in headless Chromium: the result page's button downloads a zip whose files parse,
with JavaScript on and off."""

import json
from pathlib import Path

import httpx
import pytest
from jsonschema import Draft202012Validator

from tests.conftest import screenshot
from tests.kit.kit_files import csv_rows, fenced_blocks, jsonl, sections, unzip
from tests.share.conftest import example_answers

pytestmark = pytest.mark.browser


def create(live_server, name: str, answers: dict) -> dict:
    response = httpx.post(f"{live_server.url}/api/v1/assessments", json={"name": name, "answers": answers})
    assert response.status_code == 201
    return response.json()


def local(url: str, live_server) -> str:
    """The app builds links from its configured base URL; the test server listens elsewhere."""
    return live_server.url + "/" + url.split("/", 3)[3]


def download_kit(page, control) -> tuple[str, dict[str, str]]:
    with page.expect_download() as info:
        control.click()
    download = info.value
    return download.suggested_filename, unzip(Path(download.path()).read_bytes())


def assert_every_file_parses(files: dict[str, str]) -> None:
    assert csv_rows(files["eval/cases.csv"])
    for language, body in fenced_blocks(files["prompt.md"]):
        if language == "json":
            parsed = json.loads(body)
            for schema in parsed if isinstance(parsed, list) else [parsed]:
                Draft202012Validator.check_schema(schema.get("parameters", schema))
    for path, text in files.items():
        if path.endswith(".jsonl"):
            jsonl(text)


def test_the_result_pages_button_downloads_a_kit_whose_files_parse(page, live_server):
    answers = example_answers("legal-assistant") | {"uses_tools": True, "preference_data": True}
    created = create(live_server, "Contract summaries", answers)
    page.goto(local(created["edit_url"], live_server) + "/result")
    # An <a> styled and announced as a button, in the result's "More actions" menu next to the PDF one.
    page.get_by_text("More actions").click()
    button = page.get_by_role("button", name="Download starter kit")
    assert button.is_visible()
    screenshot(page, "starter-kit-button")
    filename, files = download_kit(page, button)
    # Chromium takes the UTF-8 filename* over the ASCII fallback.
    assert filename == "Contract summaries starter kit.zip"
    assert {"PLAN.md", "prompt.md", "eval/cases.csv", "eval/README.md", "training/example.jsonl",
            "training/README.md", "training/preference_pairs.jsonl"} == set(files)
    assert_every_file_parses(files)
    assert created["view_url"] in sections(files["PLAN.md"])["The assessment"]
    assert created["edit_url"] not in "".join(files.values())
    assert page.url.endswith("/result")  # a download, not a navigation away from the result


def test_without_javascript_the_kit_link_on_the_view_page_still_downloads(page_without_js, live_server):
    created = create(live_server, "Support bot", example_answers("startup-support-bot"))
    page_without_js.goto(local(created["view_url"], live_server))
    screenshot(page_without_js, "starter-kit-view-no-js")
    link = page_without_js.get_by_role("link", name="Download starter kit")
    filename, files = download_kit(page_without_js, link)
    assert filename == "Support bot starter kit.zip"
    assert set(files) == {"PLAN.md", "prompt.md", "eval/cases.csv", "eval/README.md"}  # a prompting verdict
    assert_every_file_parses(files)


def test_without_javascript_the_result_pages_button_is_a_plain_link(page_without_js, live_server):
    created = create(live_server, "Clinic triage", example_answers("clinic-triage-hybrid"))
    page_without_js.goto(local(created["edit_url"], live_server) + "/result")
    page_without_js.get_by_text("More actions").click()  # a <details>: opens without scripts
    button = page_without_js.get_by_role("button", name="Download starter kit")
    _, files = download_kit(page_without_js, button)
    assert "training/example.jsonl" in files
    assert_every_file_parses(files)
