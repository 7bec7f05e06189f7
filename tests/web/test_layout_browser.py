"""Issue 14 in headless Chromium: on a phone (390 x 844) and a desktop (1280 x 900), with and without
JavaScript, the result reads as a decision in its first screen and no page is wider than the screen."""

import json
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect

from tests.conftest import EXAMPLES, screenshot
from tests.factories import AXE

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
SIZES = {"phone": PHONE, "desktop": DESKTOP}
# Screenshots a person looks at after a run (the closing note describes them).
LOOKED_AT = Path("/tmp/shots/ux")

# Visible elements whose right edge passes the viewport's (a pixel of rounding allowed). Content of a closed
# <details> keeps a layout box in Chromium but is not visible, so checkVisibility() leaves it out.
TOO_WIDE = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.checkVisibility() && e.getBoundingClientRect().width > 0
               && e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
  .slice(0, 5).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + '.' + e.className
                        + ' right=' + Math.round(e.getBoundingClientRect().right))"""


def create(base_url: str, example: str, name: str, workspace: str | None = None) -> dict:
    answers = json.loads((EXAMPLES / example).read_text())["answers"]
    body = {"name": name, "answers": answers} | ({"workspace": workspace} if workspace else {})
    response = httpx.post(base_url + "/api/v1/assessments", json=body, timeout=30)
    assert response.status_code == 201, response.text
    return response.json()


def path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3]


@pytest.fixture(scope="module")
def pages(live_server) -> dict[str, str]:
    """The five pages of the issue for one workspace of two assessments: (name -> path)."""
    legal = create(live_server.url, "legal-assistant.json", "Legal assistant")
    workspace = legal["workspace_url"].rsplit("/", 1)[1]
    other = create(live_server.url, "clinic-triage-hybrid.json",
                   "Clinic triage with a name long enough to wrap on a phone", workspace)
    edit = path_of(legal["edit_url"])
    return {
        "result": edit + "/result",
        "wizard": edit + "/step/team",
        "workspace": path_of(legal["workspace_url"]),
        "compare": f"{path_of(legal['workspace_url'])}/compare?a={legal['id']}&a={other['id']}",
        "share": edit + "/share",
    }


def context_for(browser, size: str, js: bool):
    return browser.new_context(viewport=SIZES[size], java_script_enabled=js, bypass_csp=True)


def look(page, name: str) -> None:
    screenshot(page, f"ux-{name}")
    LOOKED_AT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(LOOKED_AT / f"{name}.png"), full_page=False)
    page.screenshot(path=str(LOOKED_AT / f"{name}-full.png"), full_page=True)


def serious_violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("js", [True, False], ids=["js", "nojs"])
@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_no_page_is_wider_than_the_screen_and_axe_stays_clean(browser, live_server, pages, size, js):
    context = context_for(browser, size, js)
    page = context.new_page()
    problems = {}
    for name, path in pages.items():
        page.goto(live_server.url + path)
        expect(page.locator("h1").first).to_be_visible()
        look(page, f"{name}-{size}-{'js' if js else 'nojs'}")
        too_wide = page.evaluate(TOO_WIDE)
        if too_wide or page.evaluate("document.documentElement.scrollWidth") > SIZES[size]["width"]:
            problems[f"{name}: wider than the screen"] = too_wide
        if js:  # axe runs as a script; once per page and size is enough
            found = serious_violations(page)
            if found:
                problems[f"{name}: axe"] = found
    context.close()
    assert not problems, problems


@pytest.mark.parametrize("js", [True, False], ids=["js", "nojs"])
@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_the_verdict_and_the_summary_card_are_in_the_first_screen(browser, live_server, pages, size, js):
    context = context_for(browser, size, js)
    page = context.new_page()
    page.goto(live_server.url + pages["result"])
    card = page.locator("#summary")
    expect(card.locator("#summary-title")).to_have_text("Fine-tuning")
    fold = SIZES[size]["height"]
    verdict_box = card.locator("#summary-title").bounding_box()
    assert verdict_box["y"] + verdict_box["height"] <= fold  # the verdict itself, whole, above the fold
    assert card.bounding_box()["y"] < fold / 2  # the card starts in the top half: nothing big before it
    # The first element under the title is the card, before any action button.
    first_after_title = page.evaluate(
        "() => { const h = document.querySelector('h1'); let e = h.closest('hgroup') || h;"
        " return e.nextElementSibling.id; }")
    assert first_after_title == "summary"
    expect(card).to_contain_text("Sure: every question is answered")
    expect(card).to_contain_text("a month")
    context.close()


def test_on_a_phone_without_scripts_the_menu_and_the_sections_open_one_at_a_time(browser, live_server, pages):
    context = context_for(browser, "phone", js=False)
    page = context.new_page()
    page.goto(live_server.url + pages["result"])
    export = page.locator(".actions-menu").get_by_text("Export JSON")
    expect(export).to_be_hidden()
    page.locator(".actions-menu > summary").click()
    expect(export).to_be_visible()
    why, risks = page.locator("#reasons-section details.fold"), page.locator("#risks-section details.fold")
    expect(page.locator("#reasons-section .reasons")).to_be_hidden()
    why.locator("> summary").click()
    expect(page.locator("#reasons-section .reasons")).to_be_visible()
    risks.locator("> summary").click()
    expect(page.locator("#risks-section .cards")).to_be_visible()
    expect(page.locator("#reasons-section .reasons")).to_be_hidden()  # opening one closed the other
    # The glossary explains the names without a script.
    glossary = page.locator("#glossary-section")
    glossary.locator("summary").click()
    expect(glossary.locator("#term-lora")).to_be_visible()
    expect(glossary).to_contain_text("Low-Rank Adaptation")
    look(page, "result-phone-nojs-sections")
    context.close()


def test_on_a_desktop_every_section_shows_and_the_contents_stay_in_view(browser, live_server, pages):
    context = context_for(browser, "desktop", js=True)
    page = context.new_page()
    page.goto(live_server.url + pages["result"])
    expect(page.locator("#risks-section .cards")).to_be_visible()
    expect(page.locator("#costs .assumptions-form")).to_be_visible()  # the calculator, in the open
    page.locator("#steps-title").scroll_into_view_if_needed()
    toc = page.locator("nav.toc").bounding_box()
    assert 0 <= toc["y"] < DESKTOP["height"]  # sticky: still on screen far down the page
    # Other assumptions change the costs below; the card says its figures are the saved ones.
    page.locator("#assume-epochs").fill("5")
    page.get_by_role("button", name="Recalculate").click()
    expect(page.locator("#costs .notice")).to_contain_text("These costs use the assumptions you set")
    expect(page.locator("#summary")).to_contain_text("with the saved assumptions (the costs below use yours)")
    context.close()


def test_wizard_buttons_stack_full_width_on_a_phone_and_numbers_show_their_grouping(browser, live_server,
                                                                                     pages):
    context = context_for(browser, "phone", js=True)
    page = context.new_page()
    page.goto(live_server.url + pages["wizard"].replace("/team", "/data"))
    buttons = page.locator(".wizard-nav button:visible")
    assert buttons.count() >= 2
    widths = {round(buttons.nth(i).bounding_box()["width"]) for i in range(buttons.count())}
    assert len(widths) == 1 and widths.pop() > PHONE["width"] * 0.8
    field = page.locator("#input-labeled_examples")
    field.fill("500000")
    expect(page.locator("#input-labeled_examples-grouped")).to_have_text("Reads as 500,000")
    expect(field).to_have_value("500000")  # what the user typed stays as typed
    look(page, "wizard-phone-grouping")
    context.close()


def test_zero_weeks_asks_whether_it_is_already_live(browser, live_server, pages):
    context = context_for(browser, "desktop", js=True)
    page = context.new_page()
    page.goto(live_server.url + pages["wizard"].replace("/team", "/data"))
    page.goto(page.url.rsplit("/", 1)[0] + "/" + _section_of("time_to_deploy_weeks"))
    question = page.locator("#zero-time_to_deploy_weeks")
    expect(question).to_be_hidden()
    page.locator("#input-time_to_deploy_weeks").fill("0")
    expect(question).to_be_visible()
    expect(question).to_contain_text("already live?")
    page.locator("#input-time_to_deploy_weeks").fill("6")
    expect(question).to_be_hidden()
    context.close()


def _section_of(question_id: str) -> str:
    from app.questionnaire import load_questionnaire

    return next(s.id for s in load_questionnaire().sections if any(q.id == question_id for q in s.questions))


def test_the_name_counter_counts_to_the_one_maximum(browser, live_server, pages):
    from app.models import MAX_NAME_LENGTH

    context = context_for(browser, "desktop", js=True)
    page = context.new_page()
    page.goto(live_server.url + "/new")
    name = page.get_by_label("Name of this assessment")
    expect(name).to_have_attribute("maxlength", str(MAX_NAME_LENGTH))
    name.fill("Support bot")
    expect(page.locator("#name-counter")).to_have_text(f"11 of {MAX_NAME_LENGTH} characters")
    context.close()


def test_the_expiry_date_reads_in_the_app_style_and_revoke_looks_destructive(browser, live_server, pages):
    context = context_for(browser, "desktop", js=True)
    page = context.new_page()
    page.goto(live_server.url + pages["share"])
    words = page.locator("#view-expiry-words")
    expect(words).to_have_text("No expiry")
    page.locator("#view-expires-on").fill("2027-03-05")
    page.locator("#view-expires-on").dispatch_event("change")
    expect(words).to_have_text("Works until 5 Mar 2027")
    revoke = page.get_by_role("button", name="Revoke view link")
    colour = revoke.evaluate("e => getComputedStyle(e).color")
    assert colour == "rgb(179, 38, 30)", colour  # the app's danger red, not a grey secondary button
    context.close()
