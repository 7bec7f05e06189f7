"""Personas for sharing: the owner (workspace link), a teammate (edit link), a colleague (view link).

Assessments are made through the store in the test's own transaction, with answers from the shared
example scenarios and a note, so every page and file has something to show.
"""

from dataclasses import dataclass

import pytest
from sqlmodel import Session

from app import assessments as store
from app.models import Assessment
from tests.conftest import TEST_SECRET, csrf_token_for
from tests.factories import HTMX, example_answers  # noqa: F401 - the share tests import them from here

SECRET = TEST_SECRET.encode()


@dataclass
class Shared:
    """An assessment with the three links people hold."""

    assessment: Assessment
    workspace_token: str
    session: Session

    def token(self, kind: str) -> str:
        return store.link_token(store.links_of(self.assessment, session=self.session)[kind], SECRET)

    @property
    def view_token(self) -> str:
        return self.token("view")

    @property
    def edit_token(self) -> str:
        return self.token("edit")

    def add(self, name: str, answers: dict | None = None, notes: dict | None = None) -> Assessment:
        """Another assessment in the same workspace."""
        workspace = store.workspace_by_token(self.workspace_token, session=self.session)
        return store.create_assessment(
            session=self.session,
            secret=SECRET,
            workspace=workspace,
            name=name,
            answers=answers or example_answers(),
            notes=notes,
        )


def share_assessment(
    session: Session, *, name: str = "Support bot", answers: dict | None = None, notes: dict | None = None
) -> Shared:
    workspace, workspace_token = store.create_workspace(session=session, secret=SECRET)
    assessment = store.create_assessment(
        session=session,
        secret=SECRET,
        workspace=workspace,
        name=name,
        answers=answers if answers is not None else example_answers(),
        notes=notes if notes is not None else {"labeled_examples": "Support can label 500 tickets by May."},
    )
    return Shared(assessment, workspace_token, session)


@pytest.fixture
def shared(session) -> Shared:
    return share_assessment(session)


def post_form(client, path: str, data: dict | None = None, *, page: str = "/", headers: dict | None = None):
    """A form post as a browser sends it: with the CSRF token of a page it loaded."""
    return client.post(
        path,
        data={"csrf_token": csrf_token_for(client, page), **(data or {})},
        headers=headers,
        follow_redirects=False,
    )


SHARED_HEADERS = {"referrer-policy": "no-referrer", "x-robots-tag": "noindex, nofollow"}


def assert_shared_page_headers(response) -> None:
    for name, value in SHARED_HEADERS.items():
        assert response.headers.get(name) == value, name
