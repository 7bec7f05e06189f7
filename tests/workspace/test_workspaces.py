"""The workspace page: the link to bookmark, and a list searched, filtered, sorted and paged on the server."""

import re
from datetime import timedelta

from app.models import utcnow
from tests.workspace.conftest import HTMX, TEST_PAGE_SIZE, example_answers


def listed_names(html: str) -> list[str]:
    """Assessment names in list order, as the rows show them."""
    body = html.split('id="assessment-list"', 1)[1]
    return re.findall(r'<th scope="row">\s*(?:<a href="[^"]*">)?([^<]+?)(?:</a>)?\s*(?:<small|</th>)', body)


def test_workspace_page_tells_the_team_to_bookmark_and_share_its_link(client, team):
    page = client.get(team.url)
    assert page.status_code == 200
    assert "Bookmark this page and share its link with your team" in page.text
    assert f'value="http://testserver/w/{team.token}"' in page.text
    assert 'readonly' in page.text
    assert page.headers["cache-control"] == "no-store"


def test_htmx_request_gets_only_the_list_and_a_plain_request_the_whole_page(client, team):
    team.add("Support bot")
    whole = client.get(team.url)
    fragment = client.get(team.url, headers=HTMX)
    assert "<html" in whole.text and 'id="assessment-list"' in whole.text
    assert "<html" not in fragment.text and "Bookmark this page" not in fragment.text
    assert fragment.text.lstrip().startswith('<div id="assessment-list"')
    assert "Support bot" in fragment.text
    assert fragment.headers["vary"] == "HX-Request"


def test_unknown_workspace_link_is_404(client, team):
    assert client.get("/w/" + "A" * 43).status_code == 404
    assert client.get("/w/short").status_code == 404


def test_an_empty_workspace_invites_the_first_assessment(client, team):
    page = client.get(team.url)
    assert "No assessments yet" in page.text
    assert f'href="/w/{team.token}/new"' in page.text


def test_search_by_name_is_case_insensitive_and_takes_wildcards_literally(client, team):
    team.add("Support Bot EU")
    team.add("support bot US")
    team.add("Legal review")
    team.add("100% coverage")
    assert sorted(listed_names(client.get(team.url, params={"q": "SUPPORT"}).text)) == [
        "Support Bot EU", "support bot US"]
    assert listed_names(client.get(team.url, params={"q": "%"}).text) == ["100% coverage"]
    nothing = client.get(team.url, params={"q": "zzz"})
    assert listed_names(nothing.text) == []
    assert "No assessment matches this search" in nothing.text


def test_filter_by_verdict_shows_only_that_verdict(client, team):
    prompting = team.add("Startup bot", example_answers("startup-support-bot"))
    tuning = team.add("Catalogue at scale", example_answers("product-descriptions-at-scale"))
    assert prompting.verdict != tuning.verdict  # the scenarios must disagree for this test to mean anything
    by_verdict = {verdict: listed_names(client.get(team.url, params={"verdict": verdict}).text)
                  for verdict in (prompting.verdict, tuning.verdict)}
    assert by_verdict == {prompting.verdict: ["Startup bot"], tuning.verdict: ["Catalogue at scale"]}
    assert len(listed_names(client.get(team.url).text)) == 2


def test_sort_by_name_created_and_updated(client, team, session):
    now = utcnow()
    for offset, name in enumerate(["Charlie", "alpha", "Bravo"]):
        assessment = team.add(name)
        assessment.created_at = now - timedelta(days=10 - offset)  # Charlie oldest, Bravo newest
        assessment.updated_at = now - timedelta(days=offset)  # Charlie most recently updated
        session.add(assessment)
    session.flush()
    def names(sort: str) -> list[str]:
        return listed_names(client.get(team.url, params={"sort": sort}).text)

    assert names("name") == ["alpha", "Bravo", "Charlie"]
    assert names("created") == ["Bravo", "alpha", "Charlie"]
    assert names("updated") == ["Charlie", "alpha", "Bravo"]


def test_pages_hold_a_bounded_number_and_link_to_each_other(client, team):
    for number in range(TEST_PAGE_SIZE + 2):
        team.add(f"Assessment {number:02d}")
    first = client.get(team.url, params={"sort": "name"})
    assert listed_names(first.text) == [f"Assessment {n:02d}" for n in range(TEST_PAGE_SIZE)]
    assert f'href="/w/{team.token}?sort=name&amp;page=2" rel="next"' in first.text
    second = client.get(team.url, params={"sort": "name", "page": 2}, headers=HTMX)
    assert listed_names(second.text) == ["Assessment 05", "Assessment 06"]
    assert "Next page" not in second.text and "Previous page" in second.text


def test_nonsense_list_parameters_fall_back_to_the_defaults(client, team):
    team.add("Only one")
    odd = ({"page": "abc"}, {"page": "-3"}, {"sort": "drop table"}, {"verdict": "<b>"}, {"q": "x" * 5000})
    for params in odd:
        page = client.get(team.url, params=params)
        assert page.status_code == 200
    assert listed_names(client.get(team.url, params={"page": "abc", "sort": "?"}).text) == ["Only one"]


def test_another_workspaces_assessments_never_show(client, team, other_team):
    other_team.add("Their secret plan")
    team.add("Our plan")
    assert listed_names(client.get(team.url).text) == ["Our plan"]


def test_names_are_shown_as_text_never_as_markup(client, team):
    team.add('<script>alert(1)</script><img src=x> x" hx-get="/evil')
    page = client.get(team.url)
    assert "<script>alert(1)" not in page.text and "<img src=x>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert 'hx-get="/evil"' not in page.text


def test_rows_link_to_the_assessment_and_offer_history_share_and_delete(client, team):
    assessment = team.add("Support bot")
    edit = team.edit_token(assessment)
    page = client.get(team.url).text
    assert f'href="/e/{edit}"' in page
    assert f'href="/e/{edit}/history"' in page
    assert f'href="/w/{team.token}/a/{assessment.id}/share"' in page
    assert f'href="/e/{edit}/delete?back=' in page
    assert f'name="a" value="{assessment.id}" form="compare-form"' in page
