"""Renders the main pages for one fixed assessment and writes their HTML to $SNAPSHOT_DIR.

Not part of the suite (the file name does not start with test_); run it before and after a
reshaping of the web layer and diff the two folders to show the pages did not change:

    SNAPSHOT_DIR=/tmp/before ./dev test -q -n 0 -p no:randomly tests/snapshot_pages.py
"""

import io
import json
import os
import re
import sys
from pathlib import Path

from pypdf import PdfReader

from app import assessments as store
from app.questionnaire import load_questionnaire
from tests.conftest import EXAMPLES, TEST_SECRET

SECRET = TEST_SECRET.encode()
# What differs from run to run: link tokens, CSRF tokens, idempotency keys, ids, dates and times.
VOLATILE = [
    (re.compile(r"/(e|v|w)/[A-Za-z0-9_-]{40,}"), r"/\1/TOKEN"),
    (re.compile(r'(csrf_token" value=")[^"]+'), r"\1CSRF"),
    (re.compile(r'("X-CSRF-Token": ")[^"]+'), r"\1CSRF"),
    (re.compile(r'(idempotency_key" value=")[0-9a-f]+'), r"\1KEY"),
    (re.compile(r"\b[0-9a-f]{32}\b"), "HEX"),
    (re.compile(r"\b[0-9a-f]{24}\b"), "ID"),
    (re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b"), "UUID"),
    (re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(\+00:00|Z)?"), "TIME"),
    (re.compile(r"\b\d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]* \d{4}\b"), "DAY"),
    (re.compile(r"(DAY|UTC), \d{2}:\d{2}"), r"\1, HH:MM"),
    (re.compile(r"nonce-[A-Za-z0-9+/=_-]+|nonce=\"[^\"]+\""), "NONCE"),
]


def _answers(name: str) -> dict:
    return json.loads((EXAMPLES / f"{name}.json").read_text())["answers"]


def clean(text: str) -> str:
    for pattern, replacement in VOLATILE:
        text = pattern.sub(replacement, text)
    return text


def test_snapshot_pages(client, session):
    out = Path(os.environ.get("SNAPSHOT_DIR", "/tmp/snapshot"))
    out.mkdir(parents=True, exist_ok=True)
    workspace, ws_token = store.create_workspace(session=session, secret=SECRET)
    first = store.create_assessment(
        session=session, secret=SECRET, workspace=workspace, name="Support bot",
        answers=_answers("startup-support-bot"), notes={"labeled_examples": "Support can label 500 by May."})
    second = store.create_assessment(
        session=session, secret=SECRET, workspace=workspace, name="Second",
        answers=_answers("startup-support-bot"))
    links = store.links_of(first, session=session)
    edit = store.link_token(links["edit"], SECRET)
    view = store.link_token(links["view"], SECRET)
    # A second revision, so the history has something to show.
    store.save_answers(first, session=session, expected_version=first.version,
                       answers=dict(first.answers), notes={"labeled_examples": "Changed note."})
    pages = {
        "home": "/",
        "start": "/new",
        "start_in_workspace": f"/w/{ws_token}/new",
        "result": f"/e/{edit}/result",
        "result_other_costs": f"/e/{edit}/result?epochs=5&training_examples=2000",
        "history": f"/e/{edit}/history",
        "revision_1": f"/e/{edit}/revisions/1",
        "compare": f"/w/{ws_token}/compare?a={first.id}&a={second.id}",
        "share": f"/e/{edit}/share",
        "view": f"/v/{view}",
        "workspace": f"/w/{ws_token}",
        "delete_confirm": f"/e/{edit}/delete",
    }
    for section in load_questionnaire().sections:
        pages[f"step_{section.id}"] = f"/e/{edit}/step/{section.id}"
        pages[f"step_{section.id}_htmx"] = (f"/e/{edit}/step/{section.id}", {"HX-Request": "true"})
    for name, target in pages.items():
        path, headers = target if isinstance(target, tuple) else (target, None)
        response = client.get(path, headers=headers, follow_redirects=False)
        (out / f"{name}.html").write_text(f"{response.status_code}\n{clean(response.text)}")
    pdf = client.get(f"/e/{edit}/report.pdf")
    assert pdf.status_code == 200
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    (out / "report_pdf.txt").write_text(clean(text))


if __name__ == "__main__":  # clean a folder written before the patterns above were complete
    for path in Path(sys.argv[1]).iterdir():
        path.write_text(clean(path.read_text()))
