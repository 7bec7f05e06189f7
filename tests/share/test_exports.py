"""JSON export and import, and the workspace list as CSV."""

import csv
import io
import json

from sqlmodel import func, select

from app import assessments as store
from app.models import Assessment
from tests.conftest import csrf_token_for


def assessment_count(session) -> int:
    return session.exec(select(func.count()).select_from(Assessment)).one()


def upload(client, shared, content: bytes, filename: str = "export.json"):
    token = csrf_token_for(client, f"/w/{shared.workspace_token}/import")
    return client.post(
        f"/w/{shared.workspace_token}/import",
        data={"csrf_token": token},
        files={"file": (filename, content, "application/json")},
        follow_redirects=False,
    )


def test_json_export_holds_answers_notes_recommendation_and_versions(client, shared):
    response = client.get(f"/e/{shared.edit_token}/export.json")
    assert response.status_code == 200
    assert response.headers["content-disposition"].startswith('attachment; filename="support-bot.json"')
    document = response.json()
    assert document["name"] == "Support bot"
    assert document["answers"] == shared.assessment.answers
    assert document["notes"] == {"labeled_examples": "Support can label 500 tickets by May."}
    assert document["recommendation"]["verdict"] == shared.assessment.verdict
    assert document["questionnaire_version"] == shared.assessment.questionnaire_version
    assert document["engine_version"]
    assert shared.edit_token not in response.text and shared.view_token not in response.text


def test_export_then_import_makes_an_equal_new_assessment(client, shared, session):
    exported = client.get(f"/e/{shared.edit_token}/export.json").content
    response = upload(client, shared, exported)
    assert response.status_code == 303
    edit_token = response.headers["location"].removeprefix("/e/").split("/")[0]
    imported, _ = store.assessment_by_token(edit_token, session=session, need="edit")
    assert imported.id != shared.assessment.id
    assert imported.workspace_id == shared.assessment.workspace_id
    # Imported next to its original: the copy is marked, so the list never shows two alike.
    assert (imported.name, imported.answers, imported.notes) == (
        shared.assessment.name + " (imported)",
        shared.assessment.answers,
        shared.assessment.notes,
    )
    assert imported.recommendation == shared.assessment.recommendation
    assert store.revisions_of(imported, session=session)[0].reason == "imported"


def test_an_import_opens_its_result_and_says_what_happened(client, shared, session):
    exported = json.loads(client.get(f"/e/{shared.edit_token}/export.json").content)
    fresh = upload(client, shared, json.dumps(exported | {"name": "Brand new"}).encode())
    page = client.get(fresh.headers["location"])
    assert "/result?done=imported" in fresh.headers["location"]
    assert "Imported from a file" in page.text and "(imported)" not in page.text
    again = upload(client, shared, json.dumps(exported | {"name": "brand NEW"}).encode())
    page = client.get(again.headers["location"])
    assert "brand NEW (imported)" in page.text
    assert "already has an assessment called “brand NEW”" in page.text


def test_a_bad_file_gets_a_clear_message_and_creates_nothing(client, shared, session):
    before = assessment_count(session)
    good = json.loads(client.get(f"/e/{shared.edit_token}/export.json").content)
    cases = {
        b"\x89PNG not json": "not JSON",
        b'{"hello": "world"}': "not an assessment exported from this app",
        b"[1, 2]": "not an assessment exported from this app",
        json.dumps(good | {"answers": {"labeled_examples": "many"}}).encode(): "answers.labeled_examples",
        json.dumps(good | {"answers": {"colour": "blue"}}).encode(): "answers.colour",
        json.dumps(good | {"name": ""}).encode(): "name",
        json.dumps(good | {"notes": {"nope": "x"}}).encode(): "unknown questions",
        json.dumps(good | {"format_version": 99}).encode(): "format_version",
    }
    for content, message in cases.items():
        response = upload(client, shared, content)
        assert response.status_code == 422, content
        assert "Nothing was imported" in response.text
        assert message in response.text, (content, message)
    assert assessment_count(session) == before


def test_import_without_a_file_is_refused(client, shared, session):
    before = assessment_count(session)
    response = upload(client, shared, b"", filename="")
    assert response.status_code in (400, 422)
    assert assessment_count(session) == before


def test_import_page_explains_and_needs_the_workspace_link(client, shared):
    page = client.get(f"/w/{shared.workspace_token}/import")
    assert page.status_code == 200
    assert 'type="file"' in page.text and 'enctype="multipart/form-data"' in page.text
    assert client.get("/w/" + "N" * 43 + "/import").status_code == 404


# --- CSV ------------------------------------------------------------------------------------------


def read_csv(response) -> list[dict]:
    assert response.headers["content-type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_csv_lists_the_workspace_with_view_links(client, shared):
    shared.add(
        "Contract review",
        answers={
            "task_type": "extraction",
            "labeled_examples": 20000,
            "data_quality": "high",
            "budget": "high",
            "gpu_access": "own",
            "ml_expertise": "strong",
            "output_consistency_need": "high",
        },
    )
    response = client.get(f"/w/{shared.workspace_token}/export.csv")
    assert response.status_code == 200
    assert "attachment" in response.headers["content-disposition"]
    rows = read_csv(response)
    assert sorted(row["name"] for row in rows) == ["Contract review", "Support bot"]
    support = next(row for row in rows if row["name"] == "Support bot")
    assert support["verdict"] == "Prompt engineering"  # in the pages' words
    assert support["verdict_code"] == "prompt_engineering"  # and the stable code for scripts
    assert support["view_link"] == f"http://testserver/v/{shared.view_token}"
    assert shared.edit_token not in response.text


def test_csv_honours_search_verdict_and_sort(client, shared):
    shared.add(
        "Alpha tuning",
        answers={
            "labeled_examples": 50000,
            "data_quality": "high",
            "budget": "high",
            "gpu_access": "own",
            "ml_expertise": "strong",
            "task_type": "classification",
            "output_consistency_need": "high",
            "domain_specificity": "high",
            "monthly_requests": 10_000_000,
            "requirements_change_frequency": "rare",
        },
    )
    shared.add("Beta bot")
    url = f"/w/{shared.workspace_token}/export.csv"
    assert [r["name"] for r in read_csv(client.get(url, params={"q": "bot"}))] == ["Beta bot", "Support bot"]
    by_name = [r["name"] for r in read_csv(client.get(url, params={"sort": "name"}))]
    assert by_name == ["Alpha tuning", "Beta bot", "Support bot"]
    prompting = read_csv(client.get(url, params={"verdict": "prompt_engineering"}))
    assert {r["verdict_code"] for r in prompting} == {"prompt_engineering"}
    assert "Beta bot" in {r["name"] for r in prompting}


def test_csv_cells_cannot_run_as_formulas(client, shared):
    for name in ('=HYPERLINK("http://evil.example")', "+1+1", "-2", "@SUM(A1)", "\tTab"):
        shared.add(name)
    rows = read_csv(client.get(f"/w/{shared.workspace_token}/export.csv"))
    names = {row["name"] for row in rows}
    assert '\'=HYPERLINK("http://evil.example")' in names
    assert {"'+1+1", "'-2", "'@SUM(A1)", "'\tTab", "Support bot"} <= names
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row.values())


def test_deleted_assessments_stay_out_of_the_csv(client, shared, session):
    gone = shared.add("Gone")
    store.soft_delete(gone, session=session)
    names = [r["name"] for r in read_csv(client.get(f"/w/{shared.workspace_token}/export.csv"))]
    assert "Gone" not in names
