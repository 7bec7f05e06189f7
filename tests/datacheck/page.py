"""Reads a page through an HTML parser: its forms (action, method, fields) and the text of elements by id."""

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Form:
    action: str
    method: str
    fields: dict[str, str] = field(default_factory=dict)
    buttons: list[dict[str, str]] = field(default_factory=list)
    file_inputs: list[str] = field(default_factory=list)
    attributes: dict[str, str] = field(default_factory=dict)


class Page(HTMLParser):
    def __init__(self, html: str) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self.texts: dict[str, str] = {}
        self.ids: set[str] = set()
        self._open: list[tuple[str, str | None]] = []
        self._form: Form | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attributes = {name: value or "" for name, value in attrs}
        if "id" in attributes:
            self.ids.add(attributes["id"])
        if tag == "form":
            self._form = Form(attributes.get("action", ""), attributes.get("method", "get").lower(),
                              attributes=attributes)
            self.forms.append(self._form)
        elif tag == "input" and self._form is not None and "name" in attributes:
            kind = attributes.get("type", "text")
            if kind == "file":
                self._form.file_inputs.append(attributes["name"])
            elif kind not in ("radio", "checkbox") or "checked" in attributes:
                self._form.fields[attributes["name"]] = attributes.get("value", "")
        elif tag == "button" and self._form is not None:
            self._form.buttons.append(attributes)
        if tag not in ("input", "meta", "link", "br", "img"):
            self._open.append((tag, attributes.get("id")))

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        while self._open:
            opened, _ = self._open.pop()
            if opened == tag:
                break

    def handle_data(self, data):
        for _, element_id in self._open:
            if element_id:
                self.texts[element_id] = self.texts.get(element_id, "") + data

    def text(self, element_id: str) -> str:
        return " ".join(self.texts.get(element_id, "").split())

    def form(self, action_ends: str) -> Form:
        return next(form for form in self.forms if form.action.endswith(action_ends))
