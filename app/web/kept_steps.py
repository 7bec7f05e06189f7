"""The step a save leads to, as htmx swaps it in, rendered once per way it can look and kept.

Every wizard post that moves on answers with the next step: rendering it was a quarter of the post's
instructions (callgrind: 1.9 of 7.2 M), and teams at the same step with the same answers there get the same
HTML but for what is theirs: the edit link (in the form's URL and the progress links), the assessment's
name, its version, the browser's CSRF token and its workspace link. Those are rendered as placeholders and
put in, escaped as the template would, on the way out, so nothing of a team's is kept. The rest of the key
is what the step shows: the section, the answers its questions show or depend on (show-if), the assessment's
status (progress, "not sure" on passed steps, the extra button of a finished one) and the minute of the last
save ("last saved ..."). Not kept: a step with the team's own notes on it (their text, and rare), and one
naming answers the save dropped.
"""

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime

from fastapi import Request
from jinja2_fragments import render_block
from markupsafe import escape

from app.dates import day_time
from app.models import Assessment
from app.questionnaire import load_questionnaire
from app.security.csrf import csrf_token

# Ways a step can look, kept per process (about 10 kB each: at most 10 MB).
KEPT_STEPS = 1000
# Stand for what is each team's own while a step is rendered to be kept: no answer or text holds NUL
# (app.assessments.storable_text takes it out), and links and tokens are URL-safe.
_EDIT_TOKEN, _NAME, _VERSION, _CSRF, _WORKSPACE = (f"\x00{part}\x00" for part in
                                                    ("edit-token", "name", "version", "csrf", "workspace"))


@dataclass(frozen=True)
class _Shown:
    """The assessment as a kept step shows it: the team's own values as placeholders."""

    answers: dict
    notes: dict
    status: str
    updated_at: datetime
    name: str = _NAME
    version: str = _VERSION


class KeptSteps:
    """`html(request, section, assessment, edit_token, workspace_url, render)`: the step's htmx block, from
    the kept copy when there is one; `render(assessment, edit_token, workspace_url, csrf)` renders it
    (app.web.steps.show_saved). Safe across the worker threads that render pages."""

    def __init__(self, entries: int = KEPT_STEPS) -> None:
        self.entries = entries
        self._html: OrderedDict[tuple, tuple[object, str]] = OrderedDict()
        self._lock = threading.Lock()

    def html(self, request: Request, section, assessment: Assessment, edit_token: str,
             workspace_url: str | None, render) -> str:
        csrf = csrf_token(request)  # this browser's (minted now if it has no cookie yet)
        if any(assessment.notes.get(q.id) for q in section.questions):
            return render(assessment, edit_token, workspace_url, csrf)
        questionnaire = load_questionnaire()
        saved_at = day_time(assessment.updated_at)
        key = (section.id, assessment.status, _shown_answers(section, assessment.answers), saved_at,
               workspace_url is not None, request.scope.get("root_path", ""))
        with self._lock:
            kept = self._html.get(key)
            if kept is not None and kept[0] is questionnaire:  # made from the questionnaire in use
                self._html.move_to_end(key)
                html = kept[1]
            else:
                html = None
        if html is None:
            shown = _Shown(assessment.answers, assessment.notes, assessment.status, assessment.updated_at)
            html = render(shown, _EDIT_TOKEN, _WORKSPACE if workspace_url else None, _CSRF)
            with self._lock:
                self._html[key] = (questionnaire, html)
                while len(self._html) > self.entries:
                    self._html.popitem(last=False)
        return (html.replace(_EDIT_TOKEN, escape(edit_token)).replace(_CSRF, escape(csrf))
                .replace(_VERSION, str(assessment.version)).replace(_WORKSPACE, escape(workspace_url or ""))
                .replace(_NAME, escape(assessment.name)))


def _shown_answers(section, answers: dict) -> tuple:
    """The answers a step's HTML depends on: its own questions' and those their show-ifs name. Each with
    its type: 3, 3.0 and True are equal but not shown alike."""
    own = section.questions
    ids = sorted({q.id for q in own} | {other for q in own for other in q.show_if or {}})
    return tuple((qid, type(answers.get(qid)), answers.get(qid)) for qid in ids)


def render_saved_block(request: Request, template: str, context: dict, csrf: str) -> str:
    """The template's htmx block with `csrf` as the form's token."""
    env = request.app.state.templates.env
    context = {"request": request, **context, "csrf_token": lambda _request: csrf}
    return render_block(env, template, "content", context)
