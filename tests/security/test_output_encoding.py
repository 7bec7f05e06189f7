"""Output encoding (R03, R04): names and notes carrying HTML, script or htmx payloads come out as text on
every page, in every htmx fragment, in the exports and in the PDF."""

from html.parser import HTMLParser
from io import BytesIO

import pytest
from markupsafe import escape

from app import assessments as store
from app.questionnaire import load_questionnaire
from tests.conftest import TEST_SECRET
from tests.security.routes import app_routes

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
    "' onmouseover='alert(1)",
    'x" hx-get="/evil" hx-trigger="load',
    "'}]\"",
    "</textarea><script>alert(1)</script>",
    "<style>body{display:none}</style>",
    "&lt;b&gt;already escaped&lt;/b&gt;",
    "{{ 7*7 }} {% raw %}",
    "javascript:alert(1)",
    "\u202eevil\u202c \U0001f600",
]
SECTIONS = load_questionnaire().sections
ANSWERS = {"task_type": "classification", "labeled_examples": 120, "budget": "low"}


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def injected_markup(html: str) -> list[str]:
    """What a payload would have added to the page had it been inserted as markup."""
    parser = _Tags()
    parser.feed(html)
    found = []
    for tag, attrs in parser.tags:
        if tag == "script" and not attrs.get("src"):
            found.append("inline <script>")
        if tag == "style":
            found.append("<style> element")
        if tag == "img" and attrs.get("src") == "x":
            found.append("<img src=x>")
        for name, value in attrs.items():
            if name.startswith("on"):
                found.append(f"{name}= handler on <{tag}>")
            # Escaped text inside a quoted attribute (a value, an aria-label) stays text; what matters is
            # a payload reaching an attribute that acts: htmx attributes and URLs.
            acts = name.startswith(("hx-", "data-hx-")) or name in ("href", "src", "action", "formaction")
            if acts and value and ("/evil" in value or value.lower().startswith("javascript:")):
                found.append(f"payload in {name}= of <{tag}>")
    return found


@pytest.fixture
def poisoned(session):
    """A workspace whose assessments are named (and annotated) with the payloads."""
    secret = TEST_SECRET.encode()
    workspace, workspace_token = store.create_workspace(session=session, secret=secret)
    items = []
    for payload in PAYLOADS:
        assessment = store.create_assessment(
            session=session, secret=secret, workspace=workspace, name=payload[:200], answers=ANSWERS,
            notes={"task_type": payload, "labeled_examples": "note: " + payload},
        )
        store.save_answers(assessment, session=session, expected_version=assessment.version,
                           answers=ANSWERS | {"budget": "high"}, notes=assessment.notes)
        links = store.links_of(assessment, session=session)
        items.append({
            "payload": payload,
            "id": assessment.id,
            "edit": store.link_token(links["edit"], secret),
            "view": store.link_token(links["view"], secret),
        })
    session.commit()
    return workspace_token, items


def pages_for(workspace_token: str, item: dict, other: dict) -> list[str]:
    """Every HTML page that shows an assessment's name or notes, for the routes the app has."""
    routes = {path for path, methods in app_routes() if "GET" in methods}
    edit, view, ws = item["edit"], item["view"], workspace_token
    candidates = {
        "/e/{edit_token}/result": [f"/e/{edit}/result"],
        "/v/{view_token}": [f"/v/{view}"],
        "/e/{edit_token}/step/{section_id}": [f"/e/{edit}/step/{s.id}" for s in SECTIONS],
        "/e/{edit_token}/share": [f"/e/{edit}/share"],
        "/w/{workspace_token}/a/{assessment_id}/share": [f"/w/{ws}/a/{item['id']}/share"],
        "/w/{workspace_token}": [f"/w/{ws}", f"/w/{ws}?q={item['payload'][:20]}"],
        "/w/{workspace_token}/compare": [f"/w/{ws}/compare?a={item['id']}&a={other['id']}"],
        "/e/{edit_token}/history": [f"/e/{edit}/history"],
        "/e/{edit_token}/revisions/{number}": [f"/e/{edit}/revisions/1"],
        "/e/{edit_token}/delete": [f"/e/{edit}/delete"],
    }
    return [page for route, pages in candidates.items() if route in routes for page in pages]


def test_payloads_render_as_text_on_every_page_and_fragment(client, poisoned):
    workspace_token, items = poisoned
    checked = 0
    for index, item in enumerate(items):
        other = items[(index + 1) % len(items)]
        for page in pages_for(workspace_token, item, other):
            for headers in ({}, {"HX-Request": "true"}):
                response = client.get(page, headers=headers)
                assert response.status_code == 200, (page, response.status_code)
                assert injected_markup(response.text) == [], (page, headers, item["payload"])
                checked += 1
        result = client.get(f"/e/{item['edit']}/result").text
        assert str(escape(item["payload"])) in result, item["payload"]
    assert checked >= len(PAYLOADS) * 4
    print(f"output encoding: {len(PAYLOADS)} payloads, {checked} page and fragment renderings checked")


def test_the_json_export_is_json_not_html(client, poisoned):
    _, items = poisoned
    for item in items:
        response = client.get(f"/e/{item['edit']}/export.json")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("application/json")
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.json()["name"] == item["payload"]


def test_payloads_come_out_of_the_pdf_as_the_text_that_was_typed(client, poisoned):
    from pypdf import PdfReader

    _, items = poisoned
    for item in items[:3]:
        response = client.get(f"/e/{item['edit']}/report.pdf")
        assert response.status_code == 200
        text = " ".join(page.extract_text() for page in PdfReader(BytesIO(response.content)).pages)
        flat = " ".join(text.split())
        assert " ".join(item["payload"].split()) in flat, item["payload"]
