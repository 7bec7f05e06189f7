"""The one-screen summary of a result (issue 14): what the card says, that it agrees with the page below it,
the glossary, and compare marking only differences in value."""

import json
import re
from html.parser import HTMLParser

import pytest

from app.advisor import recommend
from app.reports.glossary import glossary_for
from app.reports.summary import summary, sureness
from app.web.compare import Line
from tests.conftest import EXAMPLES

LEGAL = json.loads((EXAMPLES / "legal-assistant.json").read_text())["answers"]


class _Texts(HTMLParser):
    """Text of every element with an id (nested ids included), and the ids of <body> in document order."""

    VOID = {"br", "img", "input", "meta", "link", "hr", "source", "wbr", "col", "area", "base", "embed"}

    def __init__(self):
        super().__init__()
        self.open: list[str | None] = []
        self.texts: dict[str, list[str]] = {}
        self.order: list[str] = []
        self.attrs: dict[str, dict] = {}

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        element_id = dict(attrs).get("id")
        if element_id:
            self.order.append(element_id)
            self.attrs[element_id] = dict(attrs)
            self.texts.setdefault(element_id, [])
        self.open.append(element_id)

    def handle_endtag(self, tag):
        if tag not in self.VOID and self.open:
            self.open.pop()

    def handle_data(self, data):
        for element_id in self.open:
            if element_id:
                self.texts[element_id].append(data)

    def text(self, element_id: str) -> str:
        return " ".join(" ".join(self.texts[element_id]).split())


def parsed(html: str) -> _Texts:
    parser = _Texts()
    parser.feed(html)
    return parser


@pytest.mark.parametrize(("confidence", "open_questions", "flipping_open", "flips", "words"), [
    (0.95, 0, 0, 0, "Sure: every question is answered and no single answer would change it"),
    (0.95, 0, 0, 1, "Sure: every question is answered; one answer, if different, could change it"),
    (0.95, 0, 0, 7, "Sure: every question is answered; seven answers, if different, could change it"),
    (0.72, 2, 2, 3, "Fairly sure: two open questions could change it"),
    (0.72, 1, 0, 0, "Fairly sure: one open question could change how firm it is"),
    (0.40, 3, 1, 1, "Not sure yet: one open question could change it"),
])
def test_confidence_in_words_follows_the_figure_and_what_is_still_open(confidence, open_questions,
                                                                        flipping_open, flips, words):
    assert sureness(confidence, open_questions, flipping_open, flips) == words


def test_the_card_names_the_recommended_option_its_top_three_risks_and_the_first_step():
    result = recommend(LEGAL).model_dump(mode="json")
    card = summary(result, LEGAL)
    costs = result["costs"]
    recommended = next(o for o in costs["options"] if o["id"] == costs["recommended_option"])
    assert card.verdict == "Fine-tuning"
    assert card.cost.option_id == recommended["id"] and card.cost.label == recommended["label"]
    assert card.cost.total_24_months == f"${recommended['total_24_months']:,.0f}"
    assert card.risks == [risk["text"].partition(": ")[0] for risk in result["risks"][:3]]
    # The first step is the first sentence of "Next steps" without its sources in brackets.
    without_sources = re.sub(r"\s\([^()]*\)", "", result["next_steps"][0])
    assert without_sources.startswith(card.first_step)
    assert "(" not in card.first_step  # its sources stay in "Next steps"
    # Nothing is open in this example: the card shows what would change it, from the engine's flips.
    assert card.open_title == "What would change it"
    assert [p.question for p in card.open_points] == [f["question"] for f in result["flips"][:2]]


def test_open_questions_that_could_flip_the_verdict_come_first():
    answers = {key: value for key, value in LEGAL.items()
               if key not in ("needs_fresh_or_private_knowledge", "data_quality")}
    result = recommend(answers).model_dump(mode="json")
    flipping = {flip["question"] for flip in result["flips"]}
    card = summary(result, answers)
    assert card.open_title == "Open questions that matter most"
    assert len(card.open_points) == min(2, len(result["open_questions"]))
    kinds = [point.question in flipping for point in card.open_points]
    assert kinds == sorted(kinds, reverse=True)


def test_a_result_from_before_engine_2_still_gets_a_cost_line():
    result = recommend(LEGAL).model_dump(mode="json")
    costs = {key: value for key, value in result["costs"].items()
             if key not in ("options", "recommended_option", "why_not_cheapest")}
    card = summary(result | {"costs": costs}, LEGAL)
    assert card.cost.label == "Fine-tuned model" and card.cost.option_id is None


def test_the_glossary_explains_the_names_the_result_uses():
    result = recommend(LEGAL).model_dump(mode="json")
    terms = {term.id: term for term in glossary_for(result)}
    assert {"prompt_engineering", "fine_tuning", "lora", "qlora"} <= set(terms)
    assert all(term.source for term in terms.values())
    retrieval = recommend(LEGAL | {"needs_fresh_or_private_knowledge": True}).model_dump(mode="json")
    assert "rag" in {term.id for term in glossary_for(retrieval)}


def test_the_result_page_opens_with_the_card_and_it_agrees_with_the_costs_below(team, client):
    token = team.complete()
    html = client.get(f"/e/{token}/result").text
    page = parsed(html)
    ids = page.order
    assert ids.index("summary") < ids.index("verdict-title") < ids.index("costs")
    card, costs = page.text("summary"), page.text("costs")
    recommended_row = next(i for i in ids
                           if i.startswith("cost-option-") and page.attrs[i].get("aria-current"))
    row = page.text(recommended_row)
    total = row.split()[-1]  # the row ends with its 24-month figure
    assert total in card and total in costs
    assert page.text("calculator-title") == "Try other assumptions"
    assert "term-lora" in ids or "term-fine_tuning" in ids


def test_compare_marks_only_answers_that_differ_in_value():
    # A missing answer reads differently in a revision and in the current version; it is the same value.
    same = Line("Budget", ["Not sure yet", "Not answered yet"], raw=[None, None])
    assert not same.differs
    assert Line("Examples", ["80", "5,000"], raw=[80, 5000]).differs
    assert Line("Examples", ["5,000", "5,000"], notes=["", "counted"], raw=[5000, 5000]).differs
    assert not Line("Verdict", ["Fine-tuning", "Fine-tuning"]).differs
