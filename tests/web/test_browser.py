"""The wizard and the result in headless Chromium: with and without JavaScript, reloads, errors, axe-core."""

import json
import re

import pytest
from playwright.sync_api import expect

from app.questionnaire import load_questionnaire
from tests.conftest import EXAMPLES, screenshot
from tests.factories import serious_violations

pytestmark = pytest.mark.browser

# A realistic team: the law firm of the shared examples, whose expected verdict is fine-tuning.
LEGAL = json.loads((EXAMPLES / "legal-assistant.json").read_text())
STEP_URL = re.compile(r"/e/[A-Za-z0-9_-]{43}/step/(\w+)$")


def sections():
    return load_questionnaire().sections


def form_text(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def scripts_on(page) -> bool:
    return page.locator("html.js").count() == 1


def settled(page) -> None:
    """htmx finished: no request in flight and nothing being swapped."""
    expect(page.locator(".htmx-request, .htmx-swapping, .htmx-settling")).to_have_count(0)


def answer_step(page, answers: dict) -> None:
    """Answer every question shown on the current step from `answers`, as a person would."""
    ids = [block.get_attribute("id").removeprefix("field-")
           for block in page.locator(".question[id^=field-]:visible").all()]
    for qid in ids:
        if qid not in answers:
            continue
        value = form_text(answers[qid])
        # An answer that decides whether another question shows makes the server re-render the step.
        rerenders = scripts_on(page) and page.locator(f"#field-{qid}[hx-trigger]").count() == 1
        radio = page.locator(f"input[type=radio][name={qid}][value='{value}']")
        if radio.count() and radio.is_checked():
            continue
        if not radio.count() and page.locator(f"#input-{qid}").input_value() == value:
            continue
        if rerenders:
            with page.expect_response(posted("refresh")):
                set_answer(page, qid, value, radio)
            settled(page)
        else:
            set_answer(page, qid, value, radio)


def set_answer(page, qid: str, value: str, radio) -> None:
    if radio.count():
        radio.check()
    else:
        page.locator(f"#input-{qid}").fill(value)
        page.locator(f"#input-{qid}").press("Tab")


def start(page, base_url: str, name: str) -> None:
    page.goto(base_url + "/")
    page.get_by_role("button", name="Start an assessment").click()
    page.get_by_label("Name of this assessment").fill(name)


def posted(action: str):
    """Matches the response to a form post with this action (autosaves may be under way too)."""
    return lambda response: f"action={action}" in (response.request.post_data or "")


def next_step(page) -> None:
    with page.expect_response(posted("next")):
        page.locator("button[value=next]").click()
    page.wait_for_load_state()
    settled(page)


def walk_all_steps(page, answers: dict, shot_prefix: str | None = None) -> None:
    for index, section in enumerate(sections()):
        expect(page.locator("h1#step-title")).to_have_text(section.title)
        answer_step(page, answers)
        if shot_prefix:
            screenshot(page, f"{shot_prefix}-step-{index + 1}-{section.id}")
        next_step(page)


def csp_watch(page) -> list[str]:
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None)
    return problems


def test_wizard_completed_with_javascript_swaps_steps_in_place(page, live_server):
    csp_problems = csp_watch(page)
    start(page, live_server.url, "Case-law summaries")
    page.evaluate("window.sameDocument = true")  # survives only while htmx swaps steps in place
    for index, section in enumerate(sections()):
        expect(page.locator("h1#step-title")).to_have_text(section.title)
        expect(page.locator(".progress-count")).to_have_text(f"Step {index + 1} of {len(sections())}")
        if index:
            assert STEP_URL.search(page.url).group(1) == section.id  # the URL follows the step
            assert page.evaluate("window.sameDocument === true")
            expect(page.locator("h1#step-title")).to_be_focused()  # reading starts at the new step
        answer_step(page, LEGAL["answers"])
        screenshot(page, f"wizard-js-step-{index + 1}-{section.id}")
        next_step(page)
    expect(page.locator("#verdict-title")).to_have_text("Fine-tuning")
    expect(page.locator("#score-chart-title")).to_be_attached()
    # The cost chart is drawn for three widths; the desktop one shows here, and only that one.
    expect(page.locator("#costs svg.chart:visible")).to_have_count(1)
    expect(page.locator("#costs svg.chart-layout-wide")).to_be_visible()
    screenshot(page, "result-js")
    assert not csp_problems, csp_problems


def test_wizard_completed_without_javascript(page_without_js, live_server):
    page = page_without_js
    start(page, live_server.url, "Case-law summaries, no scripts")
    walk_all_steps(page, LEGAL["answers"], shot_prefix="wizard-nojs")
    assert page.url.endswith("/result")
    expect(page.locator("#verdict-title")).to_have_text("Fine-tuning")
    screenshot(page, "result-nojs")


def test_without_javascript_a_ruled_out_question_stays_visible_with_its_condition(page_without_js,
                                                                                    live_server):
    page = page_without_js
    start(page, live_server.url, "No examples yet")
    answers = LEGAL["answers"] | {"labeled_examples": 0}
    for _ in range(2):
        answer_step(page, answers)
        next_step(page)
    answer_step(page, answers)
    next_step(page)  # saved with 0 examples: data quality is ruled out
    page.go_back()
    page.reload()
    expect(page.locator("#field-data_quality")).to_be_visible()
    expect(page.locator("#field-data_quality .condition")).to_contain_text("Answer this only if")
    screenshot(page, "wizard-nojs-conditional")


def test_without_javascript_an_answer_its_condition_rules_out_is_named_not_lost(page_without_js, live_server):
    page = page_without_js
    start(page, live_server.url, "Zero examples, no scripts")
    for _ in range(2):
        answer_step(page, LEGAL["answers"])
        next_step(page)
    answer_step(page, LEGAL["answers"] | {"labeled_examples": 0, "data_quality": "high"})
    next_step(page)
    notice = page.locator(".notice-dropped")
    expect(notice).to_contain_text("One answer was not saved")
    expect(notice).to_contain_text("“High: reviewed, consistent and representative”")
    notice.get_by_role("link", name="Go back to “Data”").click()
    expect(page.locator("h1#step-title")).to_have_text("Data")
    screenshot(page, "wizard-nojs-dropped")


def test_a_slow_autosave_is_waited_for_not_cut_off_by_the_next_answer(page, live_server):
    start(page, live_server.url, "Slow network")
    next_step(page)
    page.goto(page.url.rsplit("/", 1)[0] + "/team")
    held = []

    def hold_first_autosave(route):
        if "action=autosave" in (route.request.post_data or "") and not held:
            held.append((route, route.fetch()))  # saved on the server; its answer is slow to come back
        else:
            route.continue_()

    page.route("**/step/team", hold_first_autosave)
    page.locator("input[name=budget][value=low]").check()
    while not held:
        page.wait_for_timeout(50)
    # Answering a question others depend on asks for a refresh while that autosave is still out.
    page.locator("input[name=model_access][value=api_only]").check()
    page.wait_for_timeout(300)
    route, response = held[0]
    route.fulfill(response=response)
    page.wait_for_timeout(1000)  # the autosave of the second answer
    settled(page)
    expect(page.locator("#field-gpu_access")).to_be_hidden()
    expect(page.locator("#save-state")).not_to_contain_text("Not saved")
    next_step(page)
    expect(page.locator("h1#step-title")).to_have_text(sections()[4].title)  # no conflict with ourselves


def test_home_starts_the_next_assessment_in_the_workspace_this_browser_remembers(page, live_server):
    start(page, live_server.url, "First of the team")
    next_step(page)
    page.goto(live_server.url + "/")
    page.get_by_role("button", name="Start an assessment").click()
    assert re.search(r"/w/[A-Za-z0-9_-]{43}/new$", page.url)
    page.get_by_label("Name of this assessment").fill("Second of the team")
    next_step(page)
    page.goto(live_server.url + "/")
    page.get_by_role("button", name="Open your workspace").click()
    expect(page.get_by_role("link", name="First of the team", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Second of the team", exact=True)).to_be_visible()


def test_show_if_follows_the_answer_as_it_changes(page, live_server):
    start(page, live_server.url, "Show if")
    for _ in range(2):
        answer_step(page, LEGAL["answers"])
        next_step(page)
    quality = page.locator("#field-data_quality")
    answer_step(page, {"labeled_examples": 0})
    expect(quality).to_be_hidden()
    answer_step(page, {"labeled_examples": "2,000"})
    expect(quality).to_be_visible()
    expect(page.locator("#input-labeled_examples")).to_have_value("2,000")
    screenshot(page, "wizard-show-if")


def test_an_answer_given_while_the_step_refreshes_is_kept(page, live_server):
    start(page, live_server.url, "Quick hands")
    for _ in range(2):
        answer_step(page, LEGAL["answers"])
        next_step(page)
    page.locator("#input-labeled_examples").fill("3000")
    # Clicking the quality blurs the count: its change goes to the server while this answer is given.
    with page.expect_response(posted("refresh")):
        page.locator("input[type=radio][name=data_quality][value=low]").check()
    settled(page)
    expect(page.locator("input[type=radio][name=data_quality][value=low]")).to_be_checked()
    expect(page.locator("#input-labeled_examples")).to_have_value("3000")
    screenshot(page, "wizard-answer-kept-during-refresh")


def test_a_reload_in_the_middle_keeps_the_answers_and_the_step(page, live_server):
    start(page, live_server.url, "Reload me")
    answers = LEGAL["answers"]
    for _ in range(3):
        answer_step(page, answers)
        next_step(page)
    fourth = sections()[3]
    assert STEP_URL.search(page.url).group(1) == fourth.id
    page.reload()
    expect(page.locator("h1#step-title")).to_have_text(fourth.title)
    page.go_back()
    expect(page.locator("h1#step-title")).to_have_text(sections()[2].title)
    expect(page.locator("#input-labeled_examples")).to_have_value(str(answers["labeled_examples"]))
    page.locator(".steps a", has_text=sections()[1].title).click()
    expect(page.locator(f"input[name=accuracy_criticality][value={answers['accuracy_criticality']}]")).to_be_checked()
    expect(page.get_by_role("button", name="Save and continue")).to_be_visible()
    screenshot(page, "wizard-after-reload")


def test_a_change_is_autosaved_and_survives_a_reload_without_pressing_next(page, live_server):
    start(page, live_server.url, "Autosave")
    answer_step(page, LEGAL["answers"])
    next_step(page)
    with page.expect_response(posted("autosave")):
        page.locator("input[name=accuracy_criticality][value=medium]").check()
    expect(page.locator("#save-state")).to_contain_text("Saved.")
    page.reload()
    expect(page.locator("input[name=accuracy_criticality][value=medium]")).to_be_checked()
    screenshot(page, "wizard-autosaved")


def test_a_bad_number_is_shown_inline_and_what_was_typed_stays(page, live_server):
    start(page, live_server.url, "Typo")
    for _ in range(2):
        answer_step(page, LEGAL["answers"])
        next_step(page)
    page.evaluate("window.sameDocument = true")
    page.locator("#input-labeled_examples").fill("-40")
    page.locator("#note-labeled_examples").evaluate("el => el.closest('details').open = true")
    page.locator("#note-labeled_examples").fill("Counted by the paralegals")
    next_step(page)
    field = page.locator("#input-labeled_examples")
    expect(field).to_have_value("-40")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#error-labeled_examples")).to_contain_text("Enter a number from 0 to")
    expect(page.locator("#note-labeled_examples")).to_have_value("Counted by the paralegals")
    expect(page.locator(".error-summary")).to_be_focused()
    assert page.evaluate("window.sameDocument === true")
    screenshot(page, "wizard-inline-error")



def test_home_wizard_error_and_result_pages_pass_axe(audited_page, live_server):
    page = audited_page
    problems = {}

    def audit(name: str) -> None:
        screenshot(page, f"axe-{name}")
        found = serious_violations(page)
        if found:
            problems[name] = found

    page.goto(live_server.url + "/")
    audit("home")
    page.get_by_role("button", name="Start an assessment").click()
    audit("wizard-first-step")
    page.get_by_label("Name of this assessment").fill("Audited")
    answer_step(page, LEGAL["answers"])
    next_step(page)
    audit("wizard-middle-step")
    answer_step(page, LEGAL["answers"])
    next_step(page)
    page.locator("#input-labeled_examples").fill("many")
    next_step(page)
    audit("wizard-error")
    step_url = page.url
    walk_all_steps_from_here(page)
    audit("result")
    page.locator(".assumptions summary").click()
    page.locator("#assume-epochs").fill("500")
    page.get_by_role("button", name="Recalculate").click()
    expect(page.locator("#assume-epochs-error")).to_be_visible()
    audit("result-assumption-error")
    conflict(page, step_url)
    audit("conflict")
    assert not problems, problems


def walk_all_steps_from_here(page) -> None:
    while "/result" not in page.url:
        answer_step(page, LEGAL["answers"])
        next_step(page)


def conflict(page, step_url: str) -> None:
    """A colleague with the same edit link, in a browser of their own, saves the step this person has
    open; then this person saves it too: the conflict page."""
    colleague = page.context.browser.new_context(viewport={"width": 1280, "height": 900})
    other = colleague.new_page()
    other.goto(step_url)
    page.goto(step_url)
    other.locator("input[name=data_confidential][value=no]").check()
    other.locator("input[name=data_quality][value=medium]").check()
    next_step(other)
    colleague.close()
    page.locator("input[name=data_confidential][value=yes]").check()
    next_step(page)
    expect(page.get_by_role("heading", name="Someone else saved this assessment")).to_be_visible()


def test_a_conflict_between_two_people_merges_their_answers_question_by_question(page, live_server):
    start(page, live_server.url, "Two people")
    for _ in range(2):
        answer_step(page, LEGAL["answers"])
        next_step(page)
    conflict(page, page.url)
    confidential = page.locator("tr", has_text="proprietary or regulated")
    expect(confidential).to_contain_text("No")
    expect(confidential).to_contain_text("Yes")
    screenshot(page, "wizard-conflict")
    # Keep the colleague's answer on data quality, and this person's own on confidential data.
    page.locator("input[type=radio][name=data_quality][value=medium]").check()
    with page.expect_response(posted("next")):
        page.get_by_role("button", name="Save the answers chosen above").click()
    settled(page)
    expect(page.locator("h1#step-title")).to_have_text(sections()[3].title)
    page.go_back()
    expect(page.locator("input[name=data_confidential][value=yes]")).to_be_checked()
    expect(page.locator("input[name=data_quality][value=medium]")).to_be_checked()
