"""The home page: a first visit, and a browser that remembers its team's workspace."""

from tests.web.conftest import filled


def test_a_first_visit_starts_a_new_workspace(client):
    html = client.get("/").text
    assert 'href="/new" role="button" class="start">Start an assessment' in html
    assert "Open your workspace</a>" not in html and "/w/" not in html


def test_home_starts_the_next_assessment_in_the_remembered_workspace_and_links_to_it(team, client, session):
    first = team.edit_token(team.start(name="First"))
    workspace = client.cookies.get("advisor_workspace")
    response = client.get("/")
    html = response.text
    assert f'href="/w/{workspace}/new" role="button" class="start">Start an assessment' in html
    assert f'href="/w/{workspace}"' in html and "Open your workspace" in html
    assert 'href="/new">start in a new workspace</a>' in html  # the other choice, said plainly
    assert response.headers["cache-control"] == "no-store"  # the page now holds a secret link

    # Following that button adds to the same workspace, and the first assessment keeps its way back.
    section = team.sections[0]
    form = filled(section) | {"name": "Second", "csrf_token": team.csrf,
                              "idempotency_key": "k-second-0123456789", "action": "next"}
    second = client.post(f"/w/{workspace}/new", data=form, follow_redirects=False)
    assert second.status_code == 303
    assert client.cookies.get("advisor_workspace") == workspace
    listing = client.get(f"/w/{workspace}").text
    assert "First" in listing and "Second" in listing
    assert f'href="/w/{workspace}"' in client.get(f"/e/{first}/step/{team.sections[1].id}").text
