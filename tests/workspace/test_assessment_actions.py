"""History, old results, re-evaluation, what-if copies, delete with undo."""

from app import assessments as store
from tests.conftest import csrf_token_for
from tests.workspace.conftest import HTMX, example_answers


def post(client, path: str, data: dict | None = None, page: str = "/"):
    return client.post(path, data={"csrf_token": csrf_token_for(client, page), **(data or {})},
                       follow_redirects=False)


def revision_numbers(session, assessment) -> list[int]:
    return [r.number for r in store.revisions_of(assessment, session=session)]


# --- history --------------------------------------------------------------------------------


def test_a_save_that_changes_answers_records_a_revision_and_one_that_does_not_records_none(team, session):
    assessment = team.add("Support bot")
    answers = dict(assessment.answers)
    store.save_answers(assessment, session=session, expected_version=assessment.version, answers=answers)
    assert revision_numbers(session, assessment) == [1]
    store.save_answers(assessment, session=session, expected_version=assessment.version,
                       answers=answers | {"labeled_examples": 5000})
    assert revision_numbers(session, assessment) == [2, 1]


def test_history_shows_each_change_in_the_questionnaires_words(client, team, session):
    assessment = team.add("Support bot", example_answers("startup-support-bot") | {"labeled_examples": 80})
    store.save_answers(assessment, session=session, expected_version=assessment.version,
                       answers=assessment.answers | {"labeled_examples": 5000, "budget": "high"},
                       notes={"labeled_examples": "Support logs exported in May"})
    page = client.get(f"/e/{team.edit_token(assessment)}/history")
    assert page.status_code == 200
    assert "Revision 2" in page.text and "Revision 1" in page.text
    changes = page.text.split('id="revision-2"', 1)[1].split('id="revision-1"', 1)[0]
    assert "80" in changes and "5,000" in changes
    assert "Support logs exported in May" in changes
    assert "labeled_examples" not in changes.replace('value="', "")  # labels, not field names
    assert "time_to_deploy_weeks" not in changes


def test_history_fragment_for_htmx_and_whole_page_otherwise(client, team):
    edit = team.edit_token(team.add("Support bot"))
    whole = client.get(f"/e/{edit}/history")
    fragment = client.get(f"/e/{edit}/history", headers=HTMX)
    assert "<html" in whole.text
    assert "<html" not in fragment.text and fragment.text.lstrip().startswith('<div id="history"')


def test_an_old_revision_reads_as_it_was(client, team, session):
    assessment = team.add("Support bot", example_answers("startup-support-bot"))
    first_verdict = assessment.verdict
    store.save_answers(assessment, session=session, expected_version=assessment.version,
                       answers=example_answers("product-descriptions-at-scale"))
    assert assessment.verdict != first_verdict
    edit = team.edit_token(assessment)
    old = client.get(f"/e/{edit}/revisions/1")
    assert old.status_code == 200
    assert "Read-only" in old.text
    assert 'method="post"' not in old.text  # nothing to change on an old result
    assert f'class="verdict verdict-{first_verdict}"' in old.text
    assert client.get(f"/e/{edit}/revisions/3").status_code == 404


def test_history_of_an_unknown_link_is_404(client):
    assert client.get("/e/" + "B" * 43 + "/history").status_code == 404


# --- re-evaluation ------------------------------------------------------------------------


def judged_by_older_rules(session, assessment) -> None:
    """As if saved before the engine changed: an older engine version and a different old result."""
    assessment.engine_version = "0.0.1-old"
    old = dict(assessment.recommendation)
    old |= {"verdict": "hybrid" if assessment.verdict != "hybrid" else "fine_tuning", "confidence": 0.31,
            "engine_version": "0.0.1-old"}
    assessment.recommendation = old
    assessment.verdict = old["verdict"]
    session.add(assessment)
    revision = store.get_revision(assessment, 1, session=session)
    revision.recommendation, revision.verdict, revision.engine_version = old, old["verdict"], "0.0.1-old"
    session.add(revision)
    session.flush()


def test_reevaluation_is_offered_only_when_the_rules_changed(client, team, session):
    assessment = team.add("Support bot")
    edit = team.edit_token(assessment)
    assert "Re-evaluate with the current rules" not in client.get(f"/e/{edit}/history").text
    judged_by_older_rules(session, assessment)
    page = client.get(f"/e/{edit}/history").text
    assert "The rules have changed since this was saved" in page
    assert "engine 0.0.1-old" in page
    assert f'action="/e/{edit}/reevaluate"' in page


def test_the_result_page_says_the_rules_changed_and_offers_to_reevaluate(client, team, session):
    assessment = team.add("Support bot")
    edit = team.edit_token(assessment)
    assert "The rules have changed since this was saved" not in client.get(f"/e/{edit}/result").text
    judged_by_older_rules(session, assessment)
    page = client.get(f"/e/{edit}/result")
    assert page.status_code == 200
    assert 'class="notice notice-rules"' in page.text, "no rules-changed notice on the result"
    notice = page.text.split('class="notice notice-rules"', 1)[1].split("</article>", 1)[0]
    assert "The rules have changed since this was saved" in notice
    assert "engine 0.0.1-old" in notice
    assert f'action="/e/{edit}/reevaluate"' in notice
    assert "Re-evaluate with the current rules" in notice


def test_reevaluation_records_a_revision_shows_what_moved_and_keeps_the_old_result(client, team, session):
    assessment = team.add("Support bot")
    current_verdict = assessment.verdict
    judged_by_older_rules(session, assessment)
    edit = team.edit_token(assessment)

    response = post(client, f"/e/{edit}/reevaluate", page=f"/e/{edit}/history")
    assert response.status_code == 303
    assert response.headers["location"] == f"/e/{edit}/history?reevaluated=2#revision-2"
    session.expire_all()
    assert revision_numbers(session, assessment) == [2, 1]
    assert store.get_revision(assessment, 2, session=session).reason == "re-evaluated"
    assert not store.needs_reevaluation(assessment)

    moved = client.get(response.headers["location"]).text
    assert "Re-evaluated with the current rules" in moved
    assert "Here is what moved" in moved
    assert 'class="differs"' in moved and '<span class="diff-marker">changed</span>' in moved
    assert "31%" in moved  # the old confidence, before
    assert "Re-evaluate with the current rules" not in moved

    old = client.get(f"/e/{edit}/revisions/1").text
    assert "engine 0.0.1-old" in old
    old_verdict = "hybrid" if current_verdict != "hybrid" else "fine_tuning"
    assert f'class="verdict verdict-{old_verdict}"' in old


def test_reevaluating_a_current_assessment_changes_nothing(client, team, session):
    assessment = team.add("Support bot")
    edit = team.edit_token(assessment)
    response = post(client, f"/e/{edit}/reevaluate")
    assert response.status_code == 303
    session.expire_all()
    assert revision_numbers(session, assessment) == [1]


# --- duplicate ----------------------------------------------------------------------------


def test_duplicate_makes_a_what_if_copy_and_opens_it(client, team, session):
    assessment = team.add("Support bot", notes={"budget": "Finance says maybe more in Q3"})
    edit = team.edit_token(assessment)
    response = post(client, f"/e/{edit}/duplicate")
    assert response.status_code == 303
    copy_edit = response.headers["location"].removeprefix("/e/")
    assert copy_edit != edit
    copy, _link = store.assessment_by_token(copy_edit, session=session, need="edit")
    assert copy.name == "Support bot (what-if)"
    assert copy.answers == assessment.answers and copy.notes == assessment.notes
    assert copy.workspace_id == team.workspace.id
    assert "Support bot (what-if)" in client.get(team.url).text


def test_duplicate_takes_a_name_of_its_own(client, team, session):
    edit = team.edit_token(team.add("Support bot"))
    response = post(client, f"/e/{edit}/duplicate", {"name": "  With 5,000 examples "})
    copy, _link = store.assessment_by_token(response.headers["location"].removeprefix("/e/"), session=session,
                                            need="edit")
    assert copy.name == "With 5,000 examples"


# --- delete and undo ----------------------------------------------------------------------


def test_delete_asks_first_then_hides_the_assessment_and_undo_brings_it_back(client, team, session):
    assessment = team.add("Support bot")
    edit = team.edit_token(assessment)
    back = f"/w/{team.token}?sort=name"

    confirm = client.get(f"/e/{edit}/delete", params={"back": back})
    assert confirm.status_code == 200
    assert "Delete “Support bot”?" in confirm.text
    assert f'action="/e/{edit}/delete"' in confirm.text
    assert store.get_in_workspace(team.workspace, assessment.id, session=session)  # nothing deleted by a GET

    deleted = post(client, f"/e/{edit}/delete", {"back": back})
    assert deleted.status_code == 303
    undo_page = client.get(deleted.headers["location"])
    assert "was deleted" in undo_page.text and f'action="/e/{edit}/restore"' in undo_page.text
    assert client.get(f"/e/{edit}").status_code == 404
    workspace = client.get(team.url).text
    assert "No assessments yet" in workspace
    assert "Recently deleted (1)" in workspace

    restored = post(client, f"/e/{edit}/restore", {"back": back})
    assert restored.status_code == 303
    # Back to the list, which says what came back.
    assert restored.headers["location"] == f"{back}&restored={assessment.id}"
    assert "“Support bot” is restored" in client.get(restored.headers["location"]).text
    assert "Recently deleted" not in client.get(team.url).text
    assert "is restored" not in client.get(team.url).text  # said once, not on every visit
    assert client.get(f"/e/{edit}/history").status_code == 200


def test_restore_never_redirects_to_another_site(client, team):
    edit = team.edit_token(team.add("Support bot"))
    post(client, f"/e/{edit}/delete")
    for back in ("https://evil.example/", "//evil.example", "/w/\\evil", "/e/other"):
        response = post(client, f"/e/{edit}/restore", {"back": back})
        assert response.headers["location"] == f"/e/{edit}"
        post(client, f"/e/{edit}/delete")


def test_a_view_link_can_neither_delete_nor_restore(client, team, session):
    assessment = team.add("Support bot")
    view = store.link_token(store.links_of(assessment, session=session)["view"], b"test-secret-" + b"x" * 40)
    assert post(client, f"/e/{view}/delete").status_code == 404
    assert post(client, f"/e/{view}/duplicate").status_code == 404


def test_actions_refuse_a_post_without_the_csrf_token(client, team, session):
    assessment = team.add("Support bot")
    edit = team.edit_token(assessment)
    assert client.post(f"/e/{edit}/delete", follow_redirects=False).status_code == 403
    session.expire_all()
    assert store.get_in_workspace(team.workspace, assessment.id, session=session).deleted_at is None


def test_history_offers_revision_compare_only_to_a_browser_that_knows_the_workspace(client, team, session):
    assessment = team.add("Support bot")
    store.save_answers(assessment, session=session, expected_version=assessment.version,
                       answers=assessment.answers | {"budget": "high"})
    history_url = f"/e/{team.edit_token(assessment)}/history"
    colleague = client.get(history_url).text  # holds only the edit link
    assert "Compare selected revisions" not in colleague and team.token not in colleague
    client.get(team.url)  # the team member opened the workspace in this browser
    member = client.get(history_url).text
    assert f'action="/w/{team.token}/compare"' in member
    assert f'value="{assessment.id}@1" form="compare-revisions"' in member


def test_restored_names_only_an_assessment_of_this_workspace(client, team, other_team):
    stranger = other_team.add("Not yours")
    for restored in (stranger.id, "zz", "<b>"):
        assert "is restored" not in client.get(team.url, params={"restored": restored}).text


def test_a_finished_assessments_copy_opens_its_result_saying_it_is_a_copy(client, team, session):
    assessment = team.add("Support bot")
    store.save_answers(assessment, session=session, expected_version=assessment.version,
                       answers=assessment.answers, status="complete")
    response = post(client, f"/e/{team.edit_token(assessment)}/duplicate")
    assert response.headers["location"].endswith("/result?done=duplicated")
    page = client.get(response.headers["location"]).text
    assert "This is a new what-if copy" in page and "Support bot (what-if)" in page


def test_history_marks_the_revisions_that_changed_the_verdict(client, team, session):
    assessment = team.add("Support bot", example_answers("startup-support-bot"))
    store.save_answers(assessment, session=session, expected_version=assessment.version,
                       answers=assessment.answers | {"ml_expertise": "some"})  # same verdict
    store.save_answers(assessment, session=session, expected_version=assessment.version,
                       answers=example_answers("legal-assistant"))  # now fine-tuning
    page = client.get(f"/e/{team.edit_token(assessment)}/history").text
    flipped = page.split('id="revision-3"', 1)[1].split("</li>", 1)[0]
    assert '<li id="revision-3" class="revision verdict-flip">' in page
    assert "Verdict changed:</strong> Prompt engineering → Fine-tuning" in flipped
    assert page.count("verdict-flip") == 1


def test_history_never_guesses_not_sure_yet_for_an_older_revision(client, team, session):
    # A revision does not record how far the team had got: an empty answer then reads "Not answered".
    assessment = team.add("Support bot", {"task_type": "conversation"})
    store.save_answers(assessment, session=session, expected_version=assessment.version,
                       answers={"task_type": "conversation", "budget": "low"}, status="complete")
    page = client.get(f"/e/{team.edit_token(assessment)}/history").text
    assert '<td data-label="Before">Not answered' in page and '<td data-label="After">Low' in page
    assert "Not sure yet" not in page


ENGINE_2_KEYS = ("confidence_explained", "evaluation_plan", "tuning_routes", "as_of")


def judged_by_engine_1(session, assessment) -> None:
    """As if saved by engine 1.3.0 with questionnaire 1: no engine-2 fields, reasons without `leans`."""
    old = {k: v for k, v in assessment.recommendation.items() if k not in ENGINE_2_KEYS}
    old["reasons"] = [{k: v for k, v in r.items() if k != "leans"} for r in old["reasons"]]
    old |= {"engine_version": "1.3.0", "questionnaire_version": 1}
    assessment.recommendation, assessment.engine_version, assessment.questionnaire_version = old, "1.3.0", 1
    session.add(assessment)
    revision = store.get_revision(assessment, 1, session=session)
    revision.recommendation, revision.engine_version, revision.questionnaire_version = old, "1.3.0", 1
    session.add(revision)
    session.flush()


def test_a_result_stored_by_engine_1_still_opens_and_reevaluates_to_engine_2(client, team, session):
    assessment = team.add("Support bot", example_answers("clinic-triage-hybrid"))
    judged_by_engine_1(session, assessment)
    edit = team.edit_token(assessment)
    page = client.get(f"/e/{edit}/result")
    assert page.status_code == 200
    notice = page.text.split('class="notice notice-rules"', 1)[1].split("</article>", 1)[0]
    assert "questionnaire version 1 (now 2)" in notice and "engine 1.3.0" in notice
    assert "How to test this" not in page.text  # an engine-1 result has no plan; nothing is made up
    pdf = client.get(f"/e/{edit}/report.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    response = post(client, f"/e/{edit}/reevaluate", page=f"/e/{edit}/history")
    assert response.status_code == 303
    session.expire_all()
    assert assessment.recommendation["evaluation_plan"] and assessment.questionnaire_version == 2
    assert "How to test this" in client.get(f"/e/{edit}/result").text
