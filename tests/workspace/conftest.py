"""Personas and factories for the workspace, history and compare pages.

The owner holds the workspace link; assessments are made through the store in the test's own
transaction, with answers from the shared example scenarios.
"""

from dataclasses import dataclass

import pytest
from sqlmodel import Session

from app import assessments as store
from app.models import Assessment, Workspace
from tests.conftest import TEST_SECRET
from tests.factories import HTMX, example_answers  # noqa: F401 - the workspace tests import them from here

# Small pages so pagination shows with a handful of assessments.
TEST_PAGE_SIZE = 5


@dataclass
class Team:
    """A workspace and its secret link, as the owner who bookmarked it holds them."""

    workspace: Workspace
    token: str
    session: Session

    @property
    def url(self) -> str:
        return f"/w/{self.token}"

    def add(self, name: str, answers: dict | None = None, notes: dict | None = None) -> Assessment:
        return store.create_assessment(
            session=self.session, secret=TEST_SECRET.encode(), workspace=self.workspace, name=name,
            answers=answers if answers is not None else example_answers("startup-support-bot"), notes=notes,
        )

    def edit_token(self, assessment: Assessment) -> str:
        link = store.links_of(assessment, session=self.session)["edit"]
        return store.link_token(link, TEST_SECRET.encode())


def new_team(session: Session) -> Team:
    workspace, token = store.create_workspace(session=session, secret=TEST_SECRET.encode())
    return Team(workspace, token, session)


@pytest.fixture
def settings(settings):
    return settings.model_copy(update={"page_size": TEST_PAGE_SIZE})


@pytest.fixture
def team(session) -> Team:
    return new_team(session)


@pytest.fixture
def other_team(session) -> Team:
    return new_team(session)

