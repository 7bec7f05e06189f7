"""Who may do what: a token in the path resolves here, in one place, to what it opens, or to 404.

Handlers declare what they need (`EditableAssessment`, `ViewableAssessment`, `WorkspaceAccess`) and
never look tokens up themselves (conventions.md, habit 6).
"""

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlmodel import Session

from app import assessments as store
from app.db import SessionDep
from app.models import Assessment, ShareLink, Workspace


@dataclass(frozen=True)
class AssessmentAccess:
    assessment: Assessment
    link: ShareLink
    token: str  # the token that opened it, for building this visitor's own links

    @property
    def can_edit(self) -> bool:
        return self.link.kind == "edit"


@dataclass(frozen=True)
class WorkspaceGrant:
    workspace: Workspace
    token: str


def secret_of(request: Request) -> bytes:
    return request.app.state.settings.secret


def editable(edit_token: str, session: Session) -> AssessmentAccess:
    """What an edit link opens. As a dependency (`EditableAssessment`) for every route but the wizard's
    step post, which looks it up in the session that saves (app.web.wizard.save_step)."""
    assessment, link = store.assessment_by_token(edit_token, session=session, need="edit")
    return AssessmentAccess(assessment, link, edit_token)


def _editable(edit_token: str, session: SessionDep) -> AssessmentAccess:
    return editable(edit_token, session)


def _viewable(view_token: str, session: SessionDep) -> AssessmentAccess:
    assessment, link = store.assessment_by_token(view_token, session=session, need="view")
    return AssessmentAccess(assessment, link, view_token)


def _restorable(edit_token: str, session: SessionDep) -> AssessmentAccess:
    assessment, link = store.assessment_by_token(edit_token, session=session, need="edit",
                                                 include_deleted=True)
    return AssessmentAccess(assessment, link, edit_token)


def _workspace(workspace_token: str, session: SessionDep) -> WorkspaceGrant:
    return WorkspaceGrant(store.workspace_by_token(workspace_token, session=session), workspace_token)


@dataclass(frozen=True)
class ViewGrant:
    grant: store.Grant
    token: str


def _view_grant(view_token: str, session: SessionDep) -> ViewGrant:
    # The read ends here: a page served from memory then leaves nothing to commit.
    try:
        grant = store.grant_by_token(view_token, connection=session.connection(), need="view")
    finally:
        session.commit()
    return ViewGrant(grant, view_token)


EditableAssessment = Annotated[AssessmentAccess, Depends(_editable)]
ViewableAssessment = Annotated[AssessmentAccess, Depends(_viewable)]
# Only for undoing a delete: the edit link of a deleted assessment, which every other page refuses.
RestorableAssessment = Annotated[AssessmentAccess, Depends(_restorable)]
WorkspaceAccess = Annotated[WorkspaceGrant, Depends(_workspace)]
# A view link checked without loading its assessment: for pages kept rendered per saved version.
ViewLink = Annotated[ViewGrant, Depends(_view_grant)]
