"""Side by side: two to four assessments or revisions of one workspace, differences marked."""

import re

from app import assessments as store
from tests.workspace.conftest import HTMX, example_answers


def row(html: str, label: str) -> str:
    """The table row whose header starts with `label`."""
    pattern = r'<tr( class="differs")?>\s*<th scope="row">' + re.escape(label) + r".*?</tr>"
    match = re.search(pattern, html, re.S)
    assert match, f"no row {label!r}"
    return match.group(0)


def test_two_assessments_side_by_side_with_differences_marked(client, team):
    small = team.add("Startup bot", example_answers("startup-support-bot"),
                     notes={"labeled_examples": "No logs kept yet"})
    large = team.add("Catalogue", example_answers("product-descriptions-at-scale"))
    page = client.get(f"{team.url}/compare", params={"a": [small.id, large.id]})
    assert page.status_code == 200
    assert page.text.index("Startup bot") < page.text.index("Catalogue")
    differing = row(page.text, "Verdict")
    assert 'class="differs"' in differing and '<span class="diff-marker">differs</span>' in differing
    assert "No logs kept yet" in page.text
    assert "labeled_examples" not in page.text  # questions by their labels


def test_equal_answers_are_not_marked(client, team):
    answers = example_answers("startup-support-bot")
    first = team.add("Bot A", answers)
    second = team.add("Bot B", answers | {"labeled_examples": 5000})
    page = client.get(f"{team.url}/compare", params={"a": [first.id, second.id]}).text
    rows = re.findall(r"<tr( class=\"differs\")?>\s*<th scope=\"row\">(.*?)</th>", page, re.S)
    marked = [label for differs, label in rows if differs]
    unmarked = [label for differs, label in rows if not differs]
    assert len([label for label in marked if "diff-marker" in label]) == len(marked)
    assert not any("diff-marker" in label for label in unmarked)
    assert "1 answer differs" in page
    assert len(unmarked) >= len(answers) - 1


def test_only_differences_hides_equal_answers(client, team):
    answers = example_answers("startup-support-bot")
    first = team.add("Bot A", answers)
    second = team.add("Bot B", answers | {"budget": "high"})
    everything = client.get(f"{team.url}/compare", params={"a": [first.id, second.id]}).text
    only = client.get(f"{team.url}/compare", params={"a": [first.id, second.id], "only": "diff"}).text
    answer_rows = only.split('class="answer-lines"', 1)[1].count('<th scope="row">')
    assert answer_rows == 1
    assert everything.split('class="answer-lines"', 1)[1].count('<th scope="row">') > answer_rows


def test_a_revision_compares_with_the_current_version(client, team, session):
    assessment = team.add("Support bot", example_answers("startup-support-bot") | {"labeled_examples": 80})
    store.save_answers(assessment, session=session, expected_version=assessment.version,
                       answers=assessment.answers | {"labeled_examples": 5000})
    page = client.get(f"{team.url}/compare", params={"a": [f"{assessment.id}@1", assessment.id]}).text
    assert "Revision 1" in page and "Current version" in page
    examples = row(page, "How many")  # the labelled-examples question
    assert "80" in examples and "5,000" in examples and 'class="differs"' in examples


def test_the_comparison_link_is_its_own_page_and_can_add_a_column(client, team, session):
    first, second = team.add("Bot A"), team.add("Bot B")
    page = client.get(f"{team.url}/compare", params={"a": [first.id, second.id], "add": f"{first.id}@1"})
    assert page.status_code == 200
    assert page.text.count("<th scope=\"col\">") == 3
    assert f'<option value="{first.id}@1" selected>' in page.text


def test_assessments_of_another_workspace_are_404(client, team, other_team):
    ours, theirs = team.add("Ours"), other_team.add("Theirs")
    assert client.get(f"{team.url}/compare", params={"a": [ours.id, theirs.id]}).status_code == 404
    assert client.get(f"{team.url}/compare", params={"a": [ours.id, f"{ours.id}@9"]}).status_code == 404


def test_a_deleted_assessment_is_404(client, team, session):
    first, second = team.add("Bot A"), team.add("Bot B")
    store.soft_delete(second, session=session)
    assert client.get(f"{team.url}/compare", params={"a": [first.id, second.id]}).status_code == 404


def test_fewer_than_two_or_more_than_four_ask_to_pick_again(client, team):
    ids = [team.add(f"Bot {n}").id for n in range(5)]
    for picked in (ids[:1], ids, []):
        page = client.get(f"{team.url}/compare", params={"a": picked})
        assert page.status_code == 422
        assert "Pick two to four assessments" in page.text
    garbled = client.get(f"{team.url}/compare", params={"a": [ids[0], "<script>"]})
    assert garbled.status_code == 422 and "<script>" not in garbled.text


def test_compare_fragment_is_the_whole_page_for_htmx_too(client, team):
    first, second = team.add("Bot A"), team.add("Bot B")
    page = client.get(f"{team.url}/compare", params={"a": [first.id, second.id]}, headers=HTMX)
    assert page.status_code == 200 and "Bot A" in page.text


def test_names_and_notes_are_text(client, team):
    first = team.add("<img src=x onerror=alert(1)>", notes={"budget": "<script>alert(2)</script>"})
    second = team.add("Plain")
    page = client.get(f"{team.url}/compare", params={"a": [first.id, second.id]}).text
    assert "<img src=x" not in page and "<script>alert(2)" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_open_answers_say_not_sure_yet_or_not_asked_and_scores_read_as_on_the_result(client, team, session):
    startup = team.add("Startup bot", example_answers("startup-support-bot") | {"data_confidential": True})
    legal = team.add("Legal", example_answers("legal-assistant") | {"data_confidential": None})  # left open
    for assessment in (startup, legal):
        store.save_answers(assessment, session=session, expected_version=assessment.version,
                           answers=assessment.answers, status="complete")
    page = client.get(f"{team.url}/compare", params={"a": [startup.id, legal.id]}).text
    assert "Not asked" in row(page, "How clean, correct and representative are those examples?")
    assert "Not sure yet" in row(page, "Are the data or prompts proprietary or regulated?")
    assert "Not answered" not in page
    scores = row(page, "Prompt engineering score")
    assert not re.search(r">\d+\.0<", scores)  # "19", not "19.0": the result page's way


def test_each_cell_names_its_column_for_phones(client, team):
    first, second = team.add("Bot A"), team.add("Bot B")
    page = client.get(f"{team.url}/compare", params={"a": [first.id, second.id]}).text
    assert '<td data-label="Bot A">' in page and '<td data-label="Bot B">' in page


def test_the_recommended_option_and_its_24_month_cost_are_compared(client, team):
    small = team.add("Startup bot", example_answers("startup-support-bot"))
    large = team.add("Catalogue", example_answers("product-descriptions-at-scale"))
    page = client.get(f"{team.url}/compare", params={"a": [small.id, large.id]}).text
    for assessment in (small, large):
        costs = assessment.recommendation["costs"]
        option = next(o for o in costs["options"] if o["id"] == costs["recommended_option"])
        assert option["label"] in row(page, "Recommended option")
        total = f"${option['total_24_months']:,.0f}"
        assert total in row(page, "Recommended option, 24 months")
