"""Revoking through one app instance closes the link on every other one at once (R16)."""

import re

import httpx
import pytest

from tests.conftest import start_server, stop_server
from tests.share.conftest import example_answers

CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def two_instances(live_server, tmp_path):
    """The shared live server and a second instance on its database."""
    second = start_server(tmp_path, live_server.database_url)
    yield live_server, second
    stop_server(second)


def test_a_link_revoked_or_renewed_on_one_instance_fails_on_the_other(two_instances):
    first, second = two_instances
    created = httpx.post(
        f"{first.url}/api/v1/assessments", json={"name": "Shared", "answers": example_answers()}
    )
    view_path = "/" + created.json()["view_url"].split("/", 3)[3]
    edit_path = "/" + created.json()["edit_url"].split("/", 3)[3]
    assert httpx.get(second.url + view_path).status_code == 200

    with httpx.Client(base_url=first.url) as browser:
        token = CSRF_FIELD.search(browser.get(f"{edit_path}/share").text).group(1)
        revoked = browser.post(f"{edit_path}/share/view/revoke", data={"csrf_token": token})
        assert revoked.status_code == 303
    assert httpx.get(second.url + view_path).status_code == 404

    with httpx.Client(base_url=second.url) as browser:
        token = CSRF_FIELD.search(browser.get(f"{edit_path}/share").text).group(1)
        renewed = browser.post(f"{edit_path}/share/edit/renew", data={"csrf_token": token})
        assert renewed.status_code == 303
        new_edit_path = renewed.headers["location"].split("?")[0].removesuffix("/share")
    assert httpx.get(first.url + edit_path).status_code == 404
    assert httpx.get(first.url + new_edit_path + "/share").status_code == 200
