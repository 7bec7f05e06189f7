"""The workspace list, comparison and history in headless Chromium, with and without JavaScript."""

import re
from dataclasses import dataclass

import pytest
from playwright.sync_api import expect
from sqlmodel import Session

from app import assessments as store
from app.db import make_engine
from tests.conftest import screenshot
from tests.factories import serious_violations
from tests.workspace.conftest import example_answers, new_team

pytestmark = pytest.mark.browser

SCENARIOS = {
    "Support chatbot for the startup": "startup-support-bot",
    "Product descriptions at scale": "product-descriptions-at-scale",
    "Legal assistant": "legal-assistant",
    "Marketing copy": "marketing-copy",
}


@dataclass
class Seeded:
    url: str
    edit_tokens: dict[str, str]


@pytest.fixture
def seeded(live_server) -> Seeded:
    """A workspace on the live server with four realistic assessments, one of them edited once."""
    engine = make_engine(live_server.database_url)
    with Session(engine, expire_on_commit=False) as session:
        team = new_team(session)
        tokens = {}
        for name, scenario in SCENARIOS.items():
            notes = {"budget": f"Budget note for {name}"}
            assessment = team.add(name, example_answers(scenario), notes=notes)
            tokens[name] = team.edit_token(assessment)
        bot_token = tokens["Support chatbot for the startup"]
        bot = store.assessment_by_token(bot_token, session=session, need="edit")[0]
        store.save_answers(bot, session=session, expected_version=bot.version,
                           answers=bot.answers | {"labeled_examples": 800})
        session.commit()
    engine.dispose()
    return Seeded(f"{live_server.url}/w/{team.token}", tokens)



def listed(page) -> list[str]:
    links = page.locator("#assessment-list tbody th[scope=row] > a")
    return [name.strip() for name in links.all_inner_texts()]


def test_the_list_filters_as_you_type_and_the_url_follows(page, seeded):
    page.goto(seeded.url)
    rows = page.locator("#assessment-list tbody tr")
    assert len(listed(page)) == 4
    page.evaluate("window.fullReloads = 0")  # survives only if the list is swapped in place
    page.get_by_label("Search by name").fill("support")
    page.wait_for_url(re.compile(r"\?q=support"))
    expect(rows).to_have_count(1)
    assert listed(page) == ["Support chatbot for the startup"]
    assert page.evaluate("window.fullReloads") == 0

    page.get_by_label("Search by name").fill("")
    expect(rows).to_have_count(4)
    verdict = page.locator("#assessment-list tbody tr", has_text="Product descriptions at scale").locator(
        ".verdict-tag").get_attribute("class").split("verdict-tag-")[1]
    page.get_by_label("Verdict").select_option(verdict)
    page.wait_for_url(re.compile(f"verdict={verdict}"))
    expect(page.locator(f"#assessment-list .verdict-tag:not(.verdict-tag-{verdict})")).to_have_count(0)
    assert "Product descriptions at scale" in listed(page)
    screenshot(page, "workspace-list-filtered")

    page.reload()  # the pushed URL is a real page
    assert page.get_by_label("Verdict").input_value() == verdict
    assert "Product descriptions at scale" in listed(page)

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(seeded.url)
    assert page.get_by_label("Workspace link").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # the table scrolls, not the page
    screenshot(page, "workspace-phone")


def test_the_list_filters_without_javascript(page_without_js, seeded):
    page = page_without_js
    page.goto(seeded.url)
    page.get_by_label("Search by name").fill("legal")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(r"\?q=legal"))
    assert listed(page) == ["Legal assistant"]
    screenshot(page, "workspace-list-filtered-no-js")


def test_two_assessments_compared_side_by_side(page, seeded):
    page.goto(seeded.url)
    page.get_by_label("Compare Support chatbot for the startup").check()
    page.get_by_label("Compare Product descriptions at scale").check()
    page.get_by_role("button", name="Compare selected").click()
    page.wait_for_url(re.compile(r"/compare\?a=.*&a="))
    headers = page.locator("table.comparison thead th").all_inner_texts()
    assert any("Support chatbot" in h for h in headers) and any("Product descriptions" in h for h in headers)
    differing = page.locator("table.comparison tr.differs")
    assert differing.count() >= 3
    assert differing.first.locator(".diff-marker").inner_text().strip().lower() == "differs"
    assert page.get_by_text("Budget note for Legal assistant").count() == 0
    assert page.get_by_text("Budget note for Marketing copy").count() == 0
    screenshot(page, "compare-two-assessments")

    page.get_by_label("Show only answers that differ").check()
    page.get_by_role("button", name="Update comparison").click()
    page.wait_for_url(re.compile(r"only=diff"))
    answer_rows = page.locator("tbody.answer-lines tr:not(.group)")
    assert answer_rows.count() == page.locator("tbody.answer-lines tr.differs").count()
    screenshot(page, "compare-only-differences")


def test_delete_then_undo_in_the_browser(page, seeded):
    page.goto(seeded.url)
    page.get_by_role("link", name="Delete Marketing copy").click()
    page.get_by_role("button", name="Delete assessment").click()
    assert page.get_by_role("heading", name="“Marketing copy” was deleted").is_visible()
    screenshot(page, "assessment-deleted-undo")
    page.get_by_role("button", name="Undo: restore it").click()
    page.wait_for_url(re.compile(r"/w/"))
    assert "Marketing copy" in listed(page)


def judged_by_older_rules_and_one_deleted(live_server, seeded) -> tuple[str, str]:
    """The legal assistant as if saved before the engine changed, the product descriptions deleted
    (awaiting undo): (edit token of the first, edit token of the second)."""
    legal, gone = seeded.edit_tokens["Legal assistant"], seeded.edit_tokens["Product descriptions at scale"]
    engine = make_engine(live_server.database_url)
    with Session(engine, expire_on_commit=False) as session:
        assessment = store.assessment_by_token(legal, session=session, need="edit")[0]
        assessment.engine_version = "0.0.1-old"
        session.add(assessment)
        store.soft_delete(store.assessment_by_token(gone, session=session, need="edit")[0], session=session)
        session.commit()
    engine.dispose()
    return legal, gone


def test_workspace_history_compare_and_delete_pages_pass_axe(audited_page, seeded, live_server):
    page = audited_page
    bot = seeded.edit_tokens["Support chatbot for the startup"]
    legal, gone = judged_by_older_rules_and_one_deleted(live_server, seeded)
    pages = {
        "workspace": seeded.url,
        "history": f"{live_server.url}/e/{bot}/history",
        "revision": f"{live_server.url}/e/{bot}/revisions/1",
        "delete": f"{live_server.url}/e/{bot}/delete",
        "deleted-undo": f"{live_server.url}/e/{gone}/deleted",
        "result-rules-changed": f"{live_server.url}/e/{legal}/result",
        "not-found": f"{live_server.url}/e/{'N' * 43}/result",
        "compare-problem": f"{seeded.url}/compare?a=only-one",
    }
    problems = {}

    def audit(name: str) -> None:
        screenshot(page, f"axe-{name}")
        found = serious_violations(page)
        if found:
            problems[name] = found

    for name, url in pages.items():
        response = page.goto(url)
        if name == "not-found":
            assert response.status == 404
            expect(page.get_by_role("heading", name="Nothing here")).to_be_visible()
        if name == "deleted-undo":
            expect(page.get_by_role("button", name="Undo: restore it")).to_be_visible()
        if name == "result-rules-changed":
            expect(page.locator(".notice-rules h2")).to_contain_text("The rules have changed")
        audit(name)
    page.goto(seeded.url)
    page.get_by_label("Compare Legal assistant").check()
    page.get_by_label("Compare Marketing copy").check()
    page.get_by_label("Compare Support chatbot for the startup").check()
    page.get_by_role("button", name="Compare selected").click()
    page.wait_for_url(re.compile(r"/compare"))
    audit("compare-three")
    page.emulate_media(color_scheme="dark")
    page.reload()  # fresh colours: Pico's colour transitions would be caught half-way otherwise
    audit("compare-three-dark")
    assert problems == {}
