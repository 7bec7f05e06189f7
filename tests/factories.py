"""The tests' one world: example answers, the htmx header, an HTML parser for assertions, axe-core.

`page(html).select_one("#verdict-title").text` reads a page as a browser would (through a parser),
so an assertion cannot pass on a word that happens to sit in a script, an attribute or a comment.
"""

import json
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from tests.conftest import EXAMPLES, ROOT

HTMX = {"HX-Request": "true"}
AXE = ROOT / "tests" / "vendor" / "axe-core-4.11.0" / "axe.min.js"
# Elements that never have content, so never wait for a closing tag.
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


def example_answers(name: str = "startup-support-bot") -> dict:
    """The answers of one of the shared example scenarios (examples/<name>.json)."""
    return json.loads((EXAMPLES / f"{name}.json").read_text())["answers"]


# --- reading HTML ---------------------------------------------------------------------------------


@dataclass(eq=False)
class Element:
    tag: str
    attrs: dict[str, str]
    parent: "Element | None" = None
    children: list["Element | str"] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The text inside, whitespace collapsed, as a reader sees it."""
        return " ".join("".join(self._texts()).split())

    def _texts(self):
        for child in self.children:
            if isinstance(child, str):
                yield child
            elif child.tag == "br":
                yield " "
            elif child.tag not in ("script", "style", "template"):
                yield from child._texts()

    def get(self, name: str, default: str | None = None) -> str | None:
        return self.attrs.get(name, default)

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def descendants(self):
        for child in self.children:
            if isinstance(child, Element):
                yield child
                yield from child.descendants()

    def select(self, selector: str) -> list["Element"]:
        """Elements matching a CSS selector: tag, #id, .class and [attr] / [attr=value] parts joined
        by spaces (descendants); commas for either."""
        found: list[Element] = []
        for alternative in selector.split(","):
            steps = [_Simple.parse(part) for part in alternative.split()]
            found += [e for e in self.descendants() if e not in found and _matches(e, steps)]
        return found

    def select_one(self, selector: str) -> "Element | None":
        matches = self.select(selector)
        return matches[0] if matches else None


@dataclass(frozen=True)
class _Simple:
    tag: str | None
    ids: tuple[str, ...]
    classes: tuple[str, ...]
    attrs: tuple[tuple[str, str | None], ...]

    PART = re.compile(r"#[\w-]+|\.[\w-]+|\[[^\]]+\]|[\w-]+")

    @classmethod
    def parse(cls, text: str) -> "_Simple":
        tag, ids, classes, attrs = None, [], [], []
        for token in cls.PART.findall(text):
            if token.startswith("#"):
                ids.append(token[1:])
            elif token.startswith("."):
                classes.append(token[1:])
            elif token.startswith("["):
                name, _, value = token[1:-1].partition("=")
                attrs.append((name.strip(), value.strip().strip("\"'") if _ else None))
            else:
                tag = token.lower()
        return cls(tag, tuple(ids), tuple(classes), tuple(attrs))

    def matches(self, element: Element) -> bool:
        return ((self.tag is None or element.tag == self.tag)
                and all(element.attrs.get("id") == i for i in self.ids)
                and set(self.classes) <= element.classes
                and all(name in element.attrs and (value is None or element.attrs[name] == value)
                        for name, value in self.attrs))


def _matches(element: Element, steps: list[_Simple]) -> bool:
    if not steps[-1].matches(element):
        return False
    rest, ancestor = steps[:-1], element.parent
    while rest and ancestor is not None:
        if rest[-1].matches(ancestor):
            rest = rest[:-1]
        ancestor = ancestor.parent
    return not rest


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self._open = self.root

    def handle_starttag(self, tag, attrs):
        element = Element(tag, {name: value or "" for name, value in attrs}, self._open)
        self._open.children.append(element)
        if tag not in VOID:
            self._open = element

    def handle_startendtag(self, tag, attrs):
        self._open.children.append(Element(tag, {name: value or "" for name, value in attrs}, self._open))

    def handle_endtag(self, tag):
        node = self._open
        while node is not None and node.tag != tag:  # an element left open: close it with its parent
            node = node.parent
        if node is not None and node.parent is not None:
            self._open = node.parent

    def handle_data(self, data):
        self._open.children.append(data)


def page(html: str) -> Element:
    """The document, parsed: `page(response.text).select_one("h1").text`."""
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


# --- accessibility --------------------------------------------------------------------------------


def serious_violations(browser_page) -> list[str]:
    """axe-core's serious and critical findings on the page as it stands (inject into an `audited_page`)."""
    browser_page.add_script_tag(path=str(AXE))
    result = browser_page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
            for v in result["violations"] if v["impact"] in ("serious", "critical")]
