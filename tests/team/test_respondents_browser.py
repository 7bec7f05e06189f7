"""Several colleagues answer, in headless Chromium with JavaScript on and off: the owner invites two
people, they disagree on a question that flips the verdict, the owner takes one side with one click, the
verdict changes and the history gains a revision."""

import shutil
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect

from app.questionnaire import load_questionnaire
from tests.conftest import screenshot
from tests.team.conftest import BEN, LEGAL

pytestmark = pytest.mark.browser

# Where the lead looks at this feature's screenshots (the suite's own folder gets a copy too).
SHOTS = Path("/tmp/shots/team")


def shot(page, name: str) -> None:
    path = screenshot(page, f"team-{name}")
    SHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, SHOTS / path.name)


def local(url: str, live_server) -> str:
    """The app builds links from its configured base URL; the test server listens elsewhere."""
    return live_server.url + "/" + url.split("/", 3)[3]


def fill_answers(page, answers: dict) -> None:
    for question in load_questionnaire().questions:
        value = answers.get(question.id)
        if value is None:
            continue
        if question.type == "number":
            page.fill(f"#input-{question.id}", str(value))
        else:
            text = ("yes" if value else "no") if isinstance(value, bool) else str(value)
            page.check(f'input[name="{question.id}"][value="{text}"]')


def invite(page, name: str) -> str:
    page.get_by_label("Their name").fill(name)
    page.get_by_role("button", name="Invite and show the link").click()
    # Waits for this person's link: with scripts, the previous invitee's link is on the page until the
    # swap, so waiting for the link box alone could read the old one.
    expect(page.locator(".new-respond-link")).to_contain_text(f"Respond link for {name}")
    return page.locator("#respond-link-url").input_value()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_two_colleagues_disagree_and_the_owner_resolves_the_question_that_flips_the_verdict(
        browser, live_server, javascript):
    created = httpx.post(f"{live_server.url}/api/v1/assessments",
                         json={"name": "Case-law summaries", "answers": LEGAL}).json()
    contexts = []

    def new_page(width: int = 1280):
        context = browser.new_context(viewport={"width": width, "height": 900},
                                      java_script_enabled=javascript)
        contexts.append(context)
        return context.new_page()

    try:
        owner = new_page()
        owner.goto(local(created["edit_url"], live_server) + "/result")
        owner.get_by_text("More actions").click()  # a <details>: opens with or without scripts
        owner.get_by_role("button", name="Invite respondents").click()
        owner.get_by_role("heading", name="Several colleagues answer").wait_for()
        links = {name: local(invite(owner, name), live_server) for name in ("Ana", "Ben")}
        shot(owner, f"invited-{'js' if javascript else 'nojs'}")

        for name, answers in (("Ana", LEGAL), ("Ben", BEN)):
            respondent = new_page(390 if name == "Ben" else 1280)
            respondent.goto(links[name])
            assert created["edit_url"] not in respondent.content()
            fill_answers(respondent, answers)
            respondent.get_by_role("button", name="Send my answers").click()
            respondent.get_by_role("heading", name="Thank you, your answers were sent").wait_for()
            if name == "Ben":
                assert "Prompt engineering" in respondent.locator("#sent").inner_text()
                shot(respondent, f"respondent-sent-390-{'js' if javascript else 'nojs'}")

        owner.reload()
        deciding = owner.locator("article.differing").first
        assert deciding.get_attribute("id") == "q-requirements_change_frequency"
        assert "changes the verdict" in deciding.inner_text()
        assert "Fine-tuning" in owner.locator("#current-verdict").inner_text()
        shot(owner, f"differences-1280-{'js' if javascript else 'nojs'}")
        owner.set_viewport_size({"width": 390, "height": 844})
        shot(owner, f"differences-390-{'js' if javascript else 'nojs'}")
        owner.set_viewport_size({"width": 1280, "height": 900})

        deciding.get_by_role("button", name="Take “Weekly or more often”").click()
        owner.locator("#notice").wait_for()
        assert "changed from Fine-tuning to Prompt engineering" in owner.locator("#notice").inner_text()
        assert "Prompt engineering" in owner.locator("#current-verdict").inner_text()
        shot(owner, f"resolved-{'js' if javascript else 'nojs'}")

        owner.get_by_role("link", name="see the history").click()
        newest = owner.locator("ol.revisions > li").first
        newest.wait_for()
        assert newest.get_attribute("id") == "revision-2"
        assert "Weekly or more often" in newest.inner_text()
    finally:
        for context in contexts:
            context.close()
