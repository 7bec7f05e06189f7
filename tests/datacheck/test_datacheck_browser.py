"""The data check in headless Chromium, with and without JavaScript: a JSONL with duplicates and two broken
lines gets a report naming them, and "Use these figures" fills the data answers."""

import pytest
from playwright.sync_api import expect

from tests.conftest import screenshot
from tests.datacheck.samples import broken_sample
from tests.web.test_browser import LEGAL, answer_step, next_step, sections, serious_violations, settled, start

pytestmark = pytest.mark.browser


def to_the_data_step(page, base_url: str, name: str) -> None:
    start(page, base_url, name)
    for section in sections():
        if section.id == "data":
            break
        answer_step(page, LEGAL["answers"])
        next_step(page)
    expect(page.locator("h1#step-title")).to_have_text("Data")


def check_and_use(page, tmp_path, shot: str) -> None:
    sample = tmp_path / "tickets.jsonl"
    sample.write_bytes(broken_sample())
    # Typed, not saved with a button: it must survive the upload.
    page.locator("#input-prompt_examples_today").fill("3")
    page.locator("#data-check-file").set_input_files(str(sample))
    page.get_by_role("button", name="Check the file").click()
    report = page.locator("#data-check-report")
    expect(report.locator("#dc-examples")).to_have_text("12")
    settled(page)
    expect(report).to_contain_text("Not valid JSON: 1 line (line 9)")
    expect(report).to_contain_text("Empty output: 1 line (line 14)")
    expect(report).to_contain_text("line 4 repeats line 2")
    expect(report).to_contain_text("cl100k_base")
    expect(report.locator("#dc-suggested-examples")).to_have_text("10")
    expect(page.locator("#input-prompt_examples_today")).to_have_value("3")
    report.scroll_into_view_if_needed()
    screenshot(page, f"{shot}-report")
    page.get_by_role("button", name="Use these figures").click()
    page.wait_for_load_state()
    expect(page.locator("h1#step-title")).to_have_text("Data")
    expect(page.locator("#input-labeled_examples")).to_have_value("10")
    expect(page.locator("input[name=data_quality][value=low]")).to_be_checked()
    expect(page.locator("#input-prompt_examples_today")).to_have_value("3")
    screenshot(page, f"{shot}-filled")
    page.reload()  # saved, not just shown
    expect(page.locator("#input-labeled_examples")).to_have_value("10")


def test_with_javascript_the_report_swaps_in_and_its_figures_fill_the_data_answers(page, live_server,
                                                                                  tmp_path):
    to_the_data_step(page, live_server.url, "Data check, scripts on")
    check_and_use(page, tmp_path, "datacheck-js")
    assert "/data-check" not in page.url


def test_without_javascript_the_report_page_keeps_the_step_and_fills_the_data_answers(page_without_js,
                                                                                     live_server, tmp_path):
    to_the_data_step(page_without_js, live_server.url, "Data check, no scripts")
    check_and_use(page_without_js, tmp_path, "datacheck-nojs")


@pytest.fixture
def audited(browser):
    """A page that may inject axe-core (the app's CSP would refuse the injected script)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    yield context.new_page()
    context.close()


def test_the_data_step_with_a_report_and_with_a_refused_file_passes_axe(audited, live_server, tmp_path):
    page = audited
    to_the_data_step(page, live_server.url, "Data check, audited")
    sample = tmp_path / "tickets.jsonl"
    sample.write_bytes(broken_sample())
    page.locator("#data-check-file").set_input_files(str(sample))
    page.get_by_role("button", name="Check the file").click()
    expect(page.locator("#dc-examples")).to_have_text("12")
    settled(page)
    assert serious_violations(page) == []
    archive = tmp_path / "tickets.jsonl.gz"
    archive.write_bytes(b"\x1f\x8b\x08\x00" + b"\x00" * 20)
    page.locator("#data-check-file").set_input_files(str(archive))
    page.get_by_role("button", name="Check the file").click()
    expect(page.locator(".data-check-problem")).to_contain_text("gzip file")
    settled(page)
    screenshot(page, "datacheck-refused")
    assert serious_violations(page) == []
