"""R23: autosave survives a lost connection, says so, retries, and leaving with an unsaved change asks."""

import pytest
from playwright.sync_api import expect

from tests.conftest import screenshot
from tests.web.test_browser import LEGAL, answer_step, next_step, start

pytestmark = pytest.mark.browser

MEDIUM = "input[name=accuracy_criticality][value=medium]"


def test_a_change_made_offline_is_shown_unsaved_and_saved_once_the_connection_returns(page, live_server):
    start(page, live_server.url, "Offline")
    answer_step(page, LEGAL["answers"])
    next_step(page)
    page.context.set_offline(True)
    page.locator(MEDIUM).check()
    expect(page.locator("#save-state")).to_contain_text("Not saved yet", timeout=15_000)
    screenshot(page, "wizard-autosave-offline")
    page.context.set_offline(False)
    expect(page.locator("#save-state")).to_contain_text("Saved.", timeout=15_000)
    page.reload()
    expect(page.locator(MEDIUM)).to_be_checked()


def test_leaving_a_step_with_an_unsaved_change_asks_first(page, live_server):
    start(page, live_server.url, "Leaving")
    answer_step(page, LEGAL["answers"])
    next_step(page)
    page.context.set_offline(True)
    page.locator(MEDIUM).check()
    expect(page.locator("#save-state")).to_contain_text("Not saved yet", timeout=15_000)
    with page.expect_event("dialog") as asked:
        page.close(run_before_unload=True)
    assert asked.value.type == "beforeunload"
    asked.value.dismiss()


def test_an_autosave_the_server_failed_is_sent_again_until_it_is_saved(page, live_server):
    start(page, live_server.url, "Retried")
    answer_step(page, LEGAL["answers"])
    next_step(page)
    failed = []

    def fail_the_first_autosave(route):
        if "action=autosave" in (route.request.post_data or "") and not failed:
            failed.append(route.request.url)
            route.fulfill(status=503, body="busy")
            return
        route.continue_()

    page.route("**/step/**", fail_the_first_autosave)
    page.locator(MEDIUM).check()
    expect(page.locator("#save-state")).to_contain_text("Not saved yet", timeout=15_000)
    expect(page.locator("#save-state")).to_contain_text("Saved.", timeout=15_000)  # the retry, 2 s later
    assert len(failed) == 1
    page.reload()
    expect(page.locator(MEDIUM)).to_be_checked()
