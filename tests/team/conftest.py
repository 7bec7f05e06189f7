"""Personas for several colleagues answering: the owner (edit link) and respondents Ana and Ben.

The assessment is the law firm's (fine-tuning); Ben thinks requirements change weekly, which makes it
prompting, and that the budget is medium, which changes nothing.
"""

import pytest

from app import assessments as store
from app import respondents as team_store
from tests.share.conftest import SECRET, example_answers, share_assessment

LEGAL = example_answers("legal-assistant")
BEN = LEGAL | {"requirements_change_frequency": "weekly", "budget": "medium"}


@pytest.fixture
def owned(session):
    return share_assessment(session, name="Case-law summaries", answers=LEGAL, notes={})


def invite(shared, name: str, answers: dict | None = None) -> str:
    """Invite `name` and, with `answers`, submit them; returns the respond token."""
    respondent, token = team_store.invite(shared.assessment, name, session=shared.session, secret=SECRET)
    if answers is not None:
        team_store.save_response(respondent, session=shared.session, answers=answers)
    return token


def reload(shared):
    shared.session.refresh(shared.assessment)
    return shared.assessment


__all__ = ["BEN", "LEGAL", "SECRET", "invite", "reload", "store"]
