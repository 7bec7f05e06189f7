"""The wizard's routes: each step as a page and as an htmx fragment, saving, validation, resume, conflicts."""

from sqlmodel import select

from app.models import Assessment
from app.questionnaire import load_questionnaire
from tests.factories import page
from tests.web.conftest import HTMX, filled, number_question, path_of


def sections():
    return load_questionnaire().sections


def stored(session, name: str) -> list[Assessment]:
    session.expire_all()
    return list(session.exec(select(Assessment).where(Assessment.name == name)))


def test_new_page_shows_the_first_step_with_progress_and_help(client):
    response = client.get("/new")
    first = sections()[0]
    assert response.status_code == 200
    assert "<html" in response.text
    assert f"Step 1 of {len(sections())}" in response.text
    assert first.title in response.text
    assert "Why we ask." in response.text
    assert 'name="idempotency_key"' in response.text
    assert response.headers["vary"] == "HX-Request"


def test_the_progress_list_links_the_steps_reached_and_marks_the_current_one(team, client):
    token = team.edit_token(team.start())
    team.post_step(token, sections()[1], filled(sections()[1]))  # reached: the third step
    html = page(client.get(f"/e/{token}/step/{sections()[1].id}").text)
    items = html.select("ol.steps li")
    assert [item.text for item in items] == [section.title for section in sections()]
    assert [sorted(item.classes) for item in items][:4] == [["done"], ["current"], ["todo"], ["todo"]]
    assert items[1].select_one("span[aria-current=step]") is not None and not items[1].select("a")
    links = {item.text: item.select_one("a").get("href") for item in items if item.select("a")}
    # Every step up to the furthest one reached links back; the ones after it are not links.
    assert links == {sections()[0].title: f"/e/{token}/step/{sections()[0].id}",
                     sections()[2].title: f"/e/{token}/step/{sections()[2].id}"}


def test_htmx_request_for_a_step_gets_only_the_fragment_with_its_title(client):
    response = client.get("/new", headers=HTMX)
    assert response.status_code == 200
    assert "<html" not in response.text
    assert response.text.lstrip().startswith("<title>Step 1 of")


def test_first_step_makes_a_workspace_and_a_draft_and_goes_to_step_two(team, session):
    response = team.start(name="Triage assistant")
    assert response.status_code == 303
    token = team.edit_token(response)
    assert path_of(response) == f"/e/{token}/step/{sections()[1].id}"
    assert "advisor_workspace" in response.headers["set-cookie"]
    [draft] = stored(session, "Triage assistant")
    assert draft.status == sections()[1].id
    first_ids = {q.id for q in sections()[0].questions}
    assert set(draft.answers) <= first_ids and draft.answers


def test_double_submitted_first_step_makes_one_assessment(team, session):
    first = team.start(name="Double click", key="same-key-0123456789")
    second = team.start(name="Double click", key="same-key-0123456789")
    assert path_of(first) == path_of(second)
    assert len(stored(session, "Double click")) == 1


def test_htmx_step_post_swaps_in_the_next_step_and_pushes_its_url(team):
    token = team.edit_token(team.start())
    second, third = sections()[1], sections()[2]
    response = team.post_step(token, second, filled(second), headers=HTMX)
    assert response.status_code == 200
    assert response.headers["hx-push-url"] == f"/e/{token}/step/{third.id}"
    assert "<html" not in response.text
    assert third.title in response.text
    assert "Saved." in response.text


def test_a_bad_number_is_shown_next_to_its_field_and_everything_typed_stays(team):
    section, question = number_question()
    token = team.edit_token(team.start())
    form = filled(section) | {question.id: "-5 or so", f"note-{question.id}": "ask finance"}
    response = team.post_step(token, section, form)
    assert response.status_code == 422
    html = response.text
    assert 'value="-5 or so"' in html
    assert "ask finance" in html
    assert 'aria-invalid="true"' in html
    assert f'id="error-{question.id}"' in html
    assert f'aria-describedby="help-{question.id} error-{question.id}"' in html


def test_a_bad_number_in_an_htmx_post_returns_the_fragment_with_422(team):
    section, question = number_question()
    token = team.edit_token(team.start())
    response = team.post_step(token, section, filled(section) | {question.id: "lots"}, headers=HTMX)
    assert response.status_code == 422
    assert "<html" not in response.text
    assert 'value="lots"' in response.text


def test_an_overlong_note_is_refused_with_a_message(team):
    section = sections()[1]
    question = section.questions[0]
    token = team.edit_token(team.start())
    response = team.post_step(token, section, filled(section) | {f"note-{question.id}": "x" * 2001})
    assert response.status_code == 422
    assert "Keep the note under 2,000 characters" in response.text


def test_notes_are_saved_with_the_answers(team, session):
    section = sections()[1]
    question = section.questions[0]
    token = team.edit_token(team.start(name="With notes"))
    team.post_step(token, section, filled(section) | {f"note-{question.id}": "Checked with legal"})
    [assessment] = stored(session, "With notes")
    assert assessment.notes[question.id] == "Checked with legal"


def test_reloading_a_step_shows_the_saved_answers(team, client):
    token = team.edit_token(team.start())
    first = sections()[0]
    html = client.get(f"/e/{token}/step/{first.id}").text
    choice = next(q for q in first.questions if q.type == "choice" and not q.show_if)
    assert f'name="{choice.id}" value="{choice.choices[0].value}" checked' in html
    assert 'value="Support bot"' in html


def test_resume_goes_to_the_step_reached_then_to_the_result(team, client):
    token = team.edit_token(team.start())
    response = client.get(f"/e/{token}", follow_redirects=False)
    assert path_of(response) == f"/e/{token}/step/{sections()[1].id}"
    token = team.complete()
    assert path_of(client.get(f"/e/{token}", follow_redirects=False)) == f"/e/{token}/result"


def test_the_last_step_leads_to_the_result_and_marks_it_complete(team, client, session):
    token = team.complete()
    [assessment] = stored(session, "Support bot")
    assert assessment.status == "complete"
    assert client.get(f"/e/{token}/result").status_code == 200


def test_the_last_step_with_htmx_loads_the_result_page(team):
    token = team.edit_token(team.start())
    for section in sections()[1:-1]:
        team.post_step(token, section, filled(section))
    last = sections()[-1]
    response = team.post_step(token, last, filled(last), headers=HTMX)
    assert response.headers["hx-redirect"] == f"/e/{token}/result"


def test_back_saves_and_returns_to_the_previous_step(team, session):
    token = team.edit_token(team.start(name="Going back"))
    second = sections()[1]
    response = team.post_step(token, second, filled(second), action="back")
    assert path_of(response) == f"/e/{token}/step/{sections()[0].id}"
    [assessment] = stored(session, "Going back")
    assert assessment.status == second.id
    assert any(q.id in assessment.answers for q in second.questions)


def test_refresh_re_renders_the_step_without_saving(team, session):
    token = team.edit_token(team.start(name="Refresh only"))
    second = sections()[1]
    version_before = stored(session, "Refresh only")[0].version
    response = team.post_step(token, second, filled(second), action="refresh", headers=HTMX)
    assert response.status_code == 200
    assert second.title in response.text
    assert stored(session, "Refresh only")[0].version == version_before


def test_answers_to_questions_hidden_by_show_if_are_not_saved(team, session):
    # A concrete same-step pair: data quality is asked only when there are examples.
    questionnaire = load_questionnaire()
    assert questionnaire.question("data_quality").show_if == {"labeled_examples": [{"min": 1}]}
    pair = {"labeled_examples", "data_quality"}
    section = next(s for s in sections() if {q.id for q in s.questions} >= pair)
    token = team.edit_token(team.start(name="Hidden answer"))
    team.post_step(token, section, filled(section) | {"labeled_examples": "0", "data_quality": "high"})
    [assessment] = stored(session, "Hidden answer")
    assert assessment.answers["labeled_examples"] == 0
    assert "data_quality" not in assessment.answers


def test_a_stale_save_shows_both_versions_and_overwrites_nothing(team, session):
    token = team.edit_token(team.start(name="Contested"))
    second = sections()[1]
    old_version = team.version(token, second.id)
    choice = next(q for q in second.questions if q.type in ("choice", "yesno") and not q.show_if)
    theirs, mine = (("yes", "no") if choice.type == "yesno"
                    else (str(choice.choices[0].value), str(choice.choices[1].value)))
    team.post_step(token, second, filled(second) | {choice.id: theirs}, version=old_version)
    response = team.post_step(token, second, filled(second) | {choice.id: mine}, version=old_version)
    assert response.status_code == 409
    assert "Someone else saved" in response.text
    assert "Save the answers chosen above" in response.text and "Take all of theirs" in response.text
    # Where the versions differ the person picks one; theirs is offered, theirs is not yet chosen.
    assert f'name="{choice.id}" value="{mine}" checked' in response.text
    assert f'name="{choice.id}" value="{theirs}">' in response.text
    [assessment] = stored(session, "Contested")
    assert str(assessment.answers[choice.id]).lower() in (theirs, "true" if theirs == "yes" else theirs)


def test_a_conflict_keeps_their_answer_where_mine_was_left_blank(team, session):
    token = team.edit_token(team.start(name="Half answered"))
    second = sections()[1]
    old_version = team.version(token, second.id)
    choice = next(q for q in second.questions if q.type == "choice" and not q.show_if)
    theirs = str(choice.choices[0].value)
    other = next(q for q in second.questions if q.id != choice.id and q.type in ("choice", "yesno"))
    team.post_step(token, second, filled(second) | {choice.id: theirs}, version=old_version)
    changed = "yes" if other.type == "yesno" else str(other.choices[-1].value)
    mine = filled(second) | {choice.id: "", other.id: changed}
    response = team.post_step(token, second, mine, version=old_version)
    assert response.status_code == 409
    assert f'name="{choice.id}" value="{theirs}" checked' in response.text


def test_the_same_step_sent_twice_is_not_a_conflict(team, session):
    token = team.edit_token(team.start(name="Sent twice"))
    second = sections()[1]
    old_version = team.version(token, second.id)
    first = team.post_step(token, second, filled(second), version=old_version)
    again = team.post_step(token, second, filled(second), version=old_version)
    assert first.status_code == again.status_code == 303
    assert path_of(again) == path_of(first)


def test_keep_mine_saves_over_the_latest_version(team, session):
    token = team.edit_token(team.start(name="Keep mine"))
    second = sections()[1]
    old_version = team.version(token, second.id)
    team.post_step(token, second, filled(second), version=old_version)
    current = stored(session, "Keep mine")[0].version
    note = {f"note-{second.questions[0].id}": "mine wins"}
    response = team.post_step(token, second, filled(second) | note, version=str(current))
    assert response.status_code == 303
    assert stored(session, "Keep mine")[0].notes[second.questions[0].id] == "mine wins"


def test_starting_inside_a_workspace_adds_the_assessment_to_it(team, session):
    team.start(name="First in space")
    [assessment] = stored(session, "First in space")
    cookie = team.client.cookies.get("advisor_workspace")
    response = team.start(name="Second in space", workspace_token=cookie, key="k-second-0123456789")
    assert response.status_code == 303
    [second] = stored(session, "Second in space")
    assert second.workspace_id == assessment.workspace_id


def test_unknown_step_is_404(team, client):
    token = team.edit_token(team.start())
    assert client.get(f"/e/{token}/step/no-such-step").status_code == 404


def test_a_view_link_cannot_open_the_wizard(client):
    assert client.get("/e/" + "A" * 43 + "/step/x").status_code == 404


def test_names_and_notes_are_escaped(team, client):
    token = team.edit_token(team.start(name='<script>alert(1)</script>"x'))
    html = client.get(f"/e/{token}/step/{sections()[0].id}").text
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_autosave_keeps_the_step_and_returns_the_new_version(team, session):
    token = team.edit_token(team.start(name="Autosaved"))
    second = sections()[1]
    before = stored(session, "Autosaved")[0]
    version, status = before.version, before.status
    response = team.post_step(token, second, filled(second), action="autosave", headers=HTMX)
    after = stored(session, "Autosaved")[0]
    assert response.status_code == 200
    assert "Saved." in response.text
    assert f'id="version" value="{after.version}" hx-swap-oob="true"' in response.text
    assert after.version == version + 1 and after.status == status
    assert any(q.id in after.answers for q in second.questions)


def test_autosave_with_a_bad_answer_saves_nothing_and_says_so(team, session):
    section, question = number_question()
    token = team.edit_token(team.start(name="Autosave typo"))
    version = stored(session, "Autosave typo")[0].version
    response = team.post_step(token, section, filled(section) | {question.id: "ten"}, action="autosave",
                              headers=HTMX)
    assert "Not saved yet" in response.text
    assert stored(session, "Autosave typo")[0].version == version


def test_autosave_after_a_colleague_saved_says_not_saved(team, session):
    token = team.edit_token(team.start(name="Autosave race"))
    second = sections()[1]
    old = team.version(token, second.id)
    team.post_step(token, second, filled(second), version=old)
    note = {f"note-{second.questions[0].id}": "mine"}
    response = team.post_step(token, second, filled(second) | note, version=old, action="autosave",
                              headers=HTMX)
    assert "someone else saved this assessment meanwhile" in response.text
    assert "mine" not in stored(session, "Autosave race")[0].notes.values()


# --- the remembered workspace ----------------------------------------------------------------


def test_a_browser_remembers_each_workspace_it_made_so_earlier_results_keep_their_way_back(team, client):
    first = team.complete()
    first_workspace = client.cookies.get("advisor_workspace")
    second = team.edit_token(team.start(name="Another team", key="k-another-0123456789"))
    remembered = client.cookies.get("advisor_workspace").split(".")
    assert len(remembered) == 2 and remembered[1] == first_workspace  # the newest first, the older kept
    assert f'href="/w/{first_workspace}"' in client.get(f"/e/{first}/result").text
    assert f'href="/w/{remembered[0]}"' in client.get(f"/e/{second}/step/{sections()[1].id}").text


def test_the_new_page_says_it_starts_another_workspace_when_one_is_remembered(team, client):
    assert "This starts a" not in client.get("/new").text
    team.start()
    workspace = client.cookies.get("advisor_workspace")
    page = client.get("/new").text
    assert "This starts a" in page and "new workspace" in page
    assert f'href="/w/{workspace}/new"' in page and f'href="/w/{workspace}"' in page


def test_a_renewed_or_made_up_remembered_workspace_is_ignored(team, client):
    # Where the app's own cookie lives in the test client's jar, so this one stands in for it.
    client.cookies.set("advisor_workspace", "A" * 43 + ".not-a-token", domain="testserver.local")
    assert "This starts a" not in client.get("/new").text
    team.start()
    remembered = client.cookies.get("advisor_workspace").split(".")
    assert remembered[1:] == ["A" * 43]  # the new one first; junk dropped, the unknown one kept


# --- conditions and answers they rule out ------------------------------------------------------


def data_step():
    return load_questionnaire().section("data")


def test_a_conditional_question_always_says_when_to_answer_it(team, client):
    token = team.edit_token(team.start())
    html = client.get(f"/e/{token}/step/data").text  # examples not answered yet: quality is shown
    condition = ("Answer this only if “How many good input/output examples do you have or could produce?” "
                 "is 1 or more.")
    assert condition in html
    assert 'aria-describedby="condition-data_quality help-data_quality"' in html


def test_choices_in_a_condition_are_quoted_as_the_page_shows_them(team, client):
    team_step = load_questionnaire().section("team")
    token = team.edit_token(team.start())
    html = client.get(f"/e/{token}/step/{team_step.id}").text
    assert "is “Open-weight models we run ourselves” or “Both”." in html


def test_a_ruled_out_answer_is_named_on_the_next_page_without_scripts(team, client, session):
    token = team.edit_token(team.start(name="Zero examples"))
    form = filled(data_step(), labeled_examples="0", data_quality="high") | {"note-data_quality": "checked"}
    response = team.post_step(token, data_step(), form)
    assert response.status_code == 303
    assert "dropped=data_quality%3Ahigh%3Anote" in response.headers["location"]
    page = client.get(response.headers["location"]).text
    assert "One answer was not saved" in page
    assert ("Your answer “High: reviewed, consistent and representative” and its note to “How clean, "
            "correct and representative are those examples?” was not saved") in page
    assert f'href="/e/{token}/step/data"' in page
    assert "data_quality" not in stored(session, "Zero examples")[0].answers


def test_an_answer_ruled_out_by_its_condition_is_named_in_the_htmx_step_too(team):
    token = team.edit_token(team.start())
    form = filled(data_step(), labeled_examples="0", data_quality="low")
    response = team.post_step(token, data_step(), form, headers=HTMX)
    assert "Your answer “Low: unreviewed, inconsistent or skewed”" in response.text
    assert "dropped" not in response.headers["hx-push-url"]  # a reload does not repeat the note


def test_not_sure_or_a_met_condition_drops_nothing(team):
    token = team.edit_token(team.start())
    for form in (filled(data_step(), labeled_examples="0", data_quality="unsure"),
                 filled(data_step(), labeled_examples="50", data_quality="high")):
        response = team.post_step(token, data_step(), form)
        assert "dropped" not in response.headers["location"]


def test_made_up_dropped_entries_in_the_address_are_ignored(team, client):
    token = team.edit_token(team.start())
    page = client.get(f"/e/{token}/step/team?dropped=nope:x&dropped=task_type:chat&dropped=<b>").text
    assert "not saved" not in page


# --- a finished assessment opened at one step ---------------------------------------------------


def test_a_finished_assessment_saves_a_step_and_goes_straight_back_to_the_result(team, client, session):
    token = team.complete()
    second = sections()[1]
    assert "Save and see the result" in client.get(f"/e/{token}/step/{second.id}").text
    note = {f"note-{second.questions[0].id}": "answered from the result"}
    response = team.post_step(token, second, filled(second) | note, action="result")
    assert path_of(response) == f"/e/{token}/result"
    assert stored(session, "Support bot")[0].notes[second.questions[0].id] == "answered from the result"
    assert team.post_step(token, second, filled(second), action="result", headers=HTMX
                          ).headers["hx-redirect"] == f"/e/{token}/result"


def test_a_draft_offers_no_shortcut_to_the_result(team, client):
    token = team.edit_token(team.start())
    assert "Save and see the result" not in client.get(f"/e/{token}/step/{sections()[1].id}").text
    response = team.post_step(token, sections()[1], filled(sections()[1]), action="result")
    assert path_of(response) == f"/e/{token}/step/{sections()[2].id}"  # saved, then the next step as usual


# --- what the save line says ---------------------------------------------------------------------


def test_the_save_line_promises_autosave_only_where_scripts_run(team, client):
    token = team.edit_token(team.start())
    html = client.get(f"/e/{token}/step/{sections()[1].id}").text
    assert '<span class="with-js">Your answers are saved as you go</span>' in html
    assert "when you press “Save and continue” or “Save and go back”" in html


def test_a_stale_autosave_names_the_button_and_no_longer_claims_to_save(team):
    token = team.edit_token(team.start())
    last = sections()[-1]
    old = team.version(token, last.id)
    team.post_step(token, sections()[1], filled(sections()[1]), version=old)
    response = team.post_step(token, last, filled(last), version=old, action="autosave", headers=HTMX)
    assert "Press “See the recommendation” to see" in response.text
    assert "saved as you go" not in response.text
