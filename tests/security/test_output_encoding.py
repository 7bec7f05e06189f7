"""Output encoding (R03, R04): names and notes carrying HTML, script or htmx payloads come out as text on
every page, in every htmx fragment, in the exports and in the PDF."""

import re
from html.parser import HTMLParser
from io import BytesIO

import pytest
from markupsafe import escape

from app import assessments as store
from app.questionnaire import load_questionnaire
from tests.conftest import ROOT, TEST_SECRET
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


# --- the template lint for attributes that act (R04) ---------------------------------------------

TEMPLATES = ROOT / "templates"
JINJA_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
# An htmx or event-handler attribute and its value, in a template whose Jinja tags were masked out.
ACTING_ATTRIBUTE = re.compile(
    r"""(?<![\w-])((?:data-)?hx-[\w:.-]+|on[a-z]+)\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)""")
MASKED = re.compile(r"\x00(\d+)\x00")
AS_JSON = re.compile(r"\|\s*tojson\s*$")
# Expressions in acting attributes that carry no user data, each checked by hand: (template, attribute,
# expression) -> why. Anything else must be |tojson in a single-quoted attribute.
NOT_USER_DATA = {
    ("wizard/step.html", "hx-post", "action_url"): "a path the route built with url_for",
    ("wizard/conflict.html", "hx-post", "action_url"): "a path the route built with url_for",
    ("wizard/_question.html", "hx-post", "action_url"): "a path the route built with url_for",
    ("wizard/_question.html", "hx-target", "dependents[0]"): "a question id from the questionnaire file",
    ("wizard/_question.html", "hx-select", "dependents[0]"): "a question id from the questionnaire file",
    ("wizard/_question.html", "hx-select-oob", "other"): "a question id from the questionnaire file",
    ("wizard/_question.html", "hx-select-oob", "',' if not loop.last"): "a constant",
    ("datacheck/_upload.html", "hx-post", "data_check_url"): "a path built with url_for",
    ("datacheck/_report.html", "hx-post", "use_url"): "a path the route built with url_for",
    ("assessment/_costs.html", "hx-get", "request.url.path"):
        "this page's own path, which reached the page only by matching a route with a live token",
}


def acting_attribute_problems(name: str, source: str) -> list[str]:
    """Every {{ }} inside an hx-* or on* attribute that is not JSON in single quotes nor a known
    constant, URL or id."""
    tags: list[str] = []

    def mask(match: re.Match) -> str:
        tags.append(match.group(0))
        return f"\x00{len(tags) - 1}\x00"

    problems = []
    for attribute in ACTING_ATTRIBUTE.finditer(JINJA_TAG.sub(mask, source)):
        attr, value = attribute.group(1), attribute.group(2)
        quote = value[0] if value[0] in "\"'" else ""
        for index in MASKED.findall(value):
            tag = tags[int(index)]
            if not tag.startswith("{{"):
                continue
            expression = tag[2:-2].strip("-+ \n")
            if not quote:
                problems.append(f"{name}: unquoted {attr}={tag}")
            elif quote == "'" and AS_JSON.search(expression):
                continue
            elif (name, attr, expression) not in NOT_USER_DATA:
                problems.append(f"{name}: {attr}={quote}...{tag}...{quote}")
    return problems


def test_template_values_reach_htmx_and_handler_attributes_only_as_single_quoted_json():
    templates = sorted(TEMPLATES.rglob("*.html"))
    assert len(templates) > 10
    problems = [problem for path in templates
                for problem in acting_attribute_problems(str(path.relative_to(TEMPLATES)), path.read_text())]
    assert problems == []


@pytest.mark.parametrize(("snippet", "accepted"), [
    ("""<body hx-headers='{{ {"X-CSRF-Token": token}|tojson }}'>""", True),
    ("""<form hx-post="/e/x/step/task" hx-target="#step">""", True),
    ("""<div data-show-if-for="{{ assessment.name }}">""", True),
    ("""<body hx-headers="{{ {"X-CSRF-Token": token}|tojson }}">""", False),
    ("""<div hx-vals='{{ assessment.name }}'>""", False),
    ("""<div hx-get={{ url }}>""", False),
    ("""<div data-hx-get="/search?q={{ query }}">""", False),
    ("""<a onclick="go('{{ assessment.name }}')">""", False),
    ("""<div {% if x %}hx-get="/a/{{ assessment.name }}"{% endif %}>""", False),
    ("""<div hx-vals='{{ {"name": assessment.name}|tojson }}'>""", True),
])
def test_the_template_lint_tells_safe_json_from_user_data(snippet, accepted):
    assert (acting_attribute_problems("example.html", snippet) == []) is accepted
