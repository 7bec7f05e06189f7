"""Issue 14: pressing a step's button right after changing an answer posts the step once.

The change starts an autosave after a 600 ms pause; the button's post saves the same answers, so the
autosave must not follow it. The page's clock is driven by the test, so the pause passes at once.
"""

import pytest
from playwright.sync_api import expect

from tests.web.test_browser import LEGAL, answer_step, next_step, sections, start

pytestmark = pytest.mark.browser


def test_a_step_button_pressed_right_after_a_change_posts_once_and_no_autosave_follows(page, live_server):
    page.clock.install()
    start(page, live_server.url, "Posted once")
    for _ in range(2):
        answer_step(page, LEGAL["answers"])
        next_step(page)
    posts = []
    page.on("request", lambda request: request.method == "POST" and posts.append(request.post_data or ""))
    data_step = page.url
    page.locator("#input-labeled_examples").fill("4321")  # typed, not yet left: no change event yet
    next_step(page)  # the click leaves the field (change: an autosave is due in 600 ms) and posts the step
    expect(page.locator("h1#step-title")).to_have_text(sections()[3].title)
    page.clock.run_for(5_000)  # any autosave still due is sent now
    page.wait_for_load_state("networkidle")
    actions = [next(part for part in body.split("&") if part.startswith("action=")) for body in posts]
    saves = [action for action in actions if action != "action=refresh"]  # a refresh only re-renders
    assert saves == ["action=next"]
    page.goto(data_step)
    expect(page.locator("#input-labeled_examples")).to_have_value("4321")
