"""A wizard question's HTML, rendered once per way it can look and kept.

A step shows 3 to 6 questions, and most teams' answers take the same few values, so most of a step's
rendering repeats HTML already made: the question macro was half of a step's rendering (callgrind).
What a question looks like depends on the question, the answer shown, whether it waits for a show-if
(pending), its condition, the questions it re-renders (dependents) and the form's URL; the URL, which
holds the edit link, is kept as a placeholder and put in on the way out, so no link token is kept.
A question with the team's own note or an error is rendered each time and not kept: that text is
theirs, and rare.
"""

import threading
from collections import OrderedDict

from jinja2 import Environment
from markupsafe import Markup

# Ways a question can look, kept per process: every question with each of its choices is about 200;
# numbers take any value, so the least recently used are dropped (about 2 kB each: at most 4 MB).
KEPT_QUESTIONS = 2000
# Stands for the form's URL while a question is rendered to be kept: no URL or answer holds this character.
_URL = "\x00action-url\x00"


class KeptQuestions:
    """`question_field(shown, step, dependents, action_url)` for templates: the macro's HTML, from the
    kept copy when there is one. Safe across the worker threads that render pages."""

    def __init__(self, env: Environment, entries: int = KEPT_QUESTIONS) -> None:
        self.env = env
        self.entries = entries
        self._macro = None
        self._html: OrderedDict[tuple, tuple[object, Markup]] = OrderedDict()
        self._lock = threading.Lock()

    def __call__(self, shown, step, dependents: list[str], action_url: str) -> Markup:
        question = shown.question
        qid = question.id
        macro = self._macro or self._load_macro()
        if step.notes.get(qid) or step.errors.get(qid):
            return macro(shown, step, dependents, action_url)
        value = step.values.get(qid, "")
        # The value's type is part of the key: 3, 3.0 and True are equal keys but not the same HTML.
        key = (qid, type(value), value, shown.pending, shown.condition, tuple(dependents))
        with self._lock:
            kept = self._html.get(key)
            if kept is not None and kept[0] is question:  # the same questionnaire's question
                self._html.move_to_end(key)
                html = kept[1]
            else:
                html = None
        if html is None:
            html = macro(shown, step, dependents, _URL)
            with self._lock:
                self._html[key] = (question, html)
                while len(self._html) > self.entries:
                    self._html.popitem(last=False)
        # Markup.replace escapes the URL, as the macro would have.
        return html.replace(_URL, action_url) if dependents else html

    def _load_macro(self):
        self._macro = self.env.get_template("wizard/_question.html").module.question_field
        return self._macro
