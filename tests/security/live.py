"""Clients for the live-server tests: the JSON API and the HTML wizard, driven as a person would."""

import random
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

import httpx

# Numeric answers a writer varies; ranges from answers-v1.
NUMBER_FIELDS = {
    "labeled_examples": (0, 100_000_000),
    "monthly_requests": (0, 100_000_000_000),
    "time_to_deploy_weeks": (0, 520),
    "avg_output_tokens": (1, 1_000_000),
}


def token_of(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1]


@dataclass
class Saved:
    """An assessment created through the API, with what the server acknowledged."""

    id: str
    edit_token: str
    view_token: str
    version: int
    answers: dict = field(default_factory=dict)


class Api:
    def __init__(self, base_url: str, timeout: float = 30):
        self.http = httpx.Client(base_url=base_url, timeout=timeout)

    def close(self) -> None:
        self.http.close()

    def create(self, name: str, answers: dict | None = None, key: str | None = None,
               notes: dict | None = None) -> httpx.Response:
        headers = {"Idempotency-Key": key} if key else {}
        body = {"name": name, "answers": answers or {}, "notes": notes or {}}
        return self.http.post("/api/v1/assessments", json=body, headers=headers)

    def created(self, response: httpx.Response) -> Saved:
        body = response.json()
        return Saved(body["id"], token_of(body["edit_url"]), token_of(body["view_url"]), body["version"],
                     dict(body["answers"]))

    def read(self, assessment_id: str, token: str) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"}
        return self.http.get(f"/api/v1/assessments/{assessment_id}", headers=headers)

    def patch(self, saved: Saved, answers: dict) -> httpx.Response:
        headers = {"Authorization": f"Bearer {saved.edit_token}", "If-Match": f'"{saved.version}"'}
        return self.http.patch(f"/api/v1/assessments/{saved.id}", json={"answers": answers}, headers=headers)


def random_number_answer(rng: random.Random) -> dict:
    name = rng.choice(list(NUMBER_FIELDS))
    low, high = NUMBER_FIELDS[name]
    return {name: rng.randint(low, high)}


# --- HTML forms ---------------------------------------------------------------------------------


class _FormParser(HTMLParser):
    """The fields of the page's POST forms: hidden and text inputs, checked radios, selects' options."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("method", "get").lower() == "post":
            self.forms.append({"action": attrs.get("action", ""), "fields": {}, "choices": {}})
        if not self.forms:
            return
        form = self.forms[-1]
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind == "radio":
                form["choices"].setdefault(name, []).append(attrs.get("value", ""))
                if "checked" in attrs:
                    form["fields"][name] = attrs.get("value", "")
            elif kind not in ("submit", "button", "checkbox"):
                form["fields"][name] = attrs.get("value", "")
        elif tag == "select" and name:
            self._select = name
            form["choices"].setdefault(name, [])
        elif tag == "option" and self._select:
            form["choices"][self._select].append(attrs.get("value", ""))
        elif tag == "textarea" and name:
            form["fields"][name] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def post_forms(html: str) -> list[dict]:
    parser = _FormParser()
    parser.feed(html)
    return parser.forms


def wizard_form(html: str) -> dict:
    """The wizard's form on a step page: the POST form that carries a CSRF token and a step."""
    forms = [f for f in post_forms(html) if "csrf_token" in f["fields"]]
    assert forms, "no POST form with a CSRF token on this page"
    return max(forms, key=lambda f: len(f["fields"]) + len(f["choices"]))


EDIT_PATH = re.compile(r"/e/([A-Za-z0-9_-]{43})")
