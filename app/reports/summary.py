"""The one-screen summary of a result (issue 14, item 1): verdict, how sure, what the recommended path costs,
the top three risks, the first step and the two open questions that matter most.

Built once from the stored recommendation and the answers, for the result page (`id="summary"`) and page 1
of the PDF, so both say the same. Every figure comes from the recommendation itself (the cost line is the
engine's recommended option, the same row the options table marks), so nothing on the card can disagree
with the page below it. No web import: the card is data, the templates draw it.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from app.advisor.models import Recommendation
from app.advisor.words import verdict_label
from app.charts import money
from app.questionnaire import load_questionnaire

# How sure, in words, by the confidence figure (the floors of results.CONFIDENCE_WORDS: high from 75%,
# moderate from 50%), so the card and the badge below it never disagree.
SURENESS = ((0.75, "Sure"), (0.5, "Fairly sure"), (0.0, "Not sure yet"))
TOP_RISKS = 3  # issue 14: "the top three risks"
TOP_QUESTIONS = 2  # issue 14: "the two open questions that matter most"
NUMBER_WORDS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight",
                9: "nine", 10: "ten"}


@dataclass(frozen=True)
class CostLine:
    label: str
    monthly: str
    one_time: str
    total_24_months: str
    option_id: str | None  # the row of the options table it repeats (None: a result before engine 2.0.0)


@dataclass(frozen=True)
class OpenPoint:
    """An open question (or, when all are answered, an answer) that could change the verdict."""

    question: str  # question id, for a link into the wizard
    label: str
    why: str
    changes_verdict: bool  # one of the engine's flips: answering it otherwise changes the verdict
    answered: bool = False  # a flip of an answer given (no question is open)


@dataclass(frozen=True)
class Summary:
    verdict: str
    verdict_id: str
    confidence_percent: int
    sureness: str  # "Fairly sure: two open questions could change it"
    cost: CostLine | None
    risks: list[str] = field(default_factory=list)
    first_step: str | None = None
    open_points: list[OpenPoint] = field(default_factory=list)

    @property
    def open_title(self) -> str:
        """Open questions when any are left; else the answers whose change would flip the verdict."""
        answered = self.open_points and self.open_points[0].answered
        return "What would change it" if answered else "Open questions that matter most"


def _words(count: int) -> str:
    return NUMBER_WORDS.get(count, str(count))


def sureness(confidence: float, open_questions: int, flipping_open: int, flips: int) -> str:
    """How sure, in words: the level from the figure, then what could still move the verdict. Open
    questions that flip it are named as such; others only change how firm it is (the engine's "why")."""
    level = next(words for floor, words in SURENESS if confidence >= floor)
    if flipping_open:
        plural = "s" if flipping_open > 1 else ""
        return f"{level}: {_words(flipping_open)} open question{plural} could change it"
    if open_questions:
        plural = "s" if open_questions > 1 else ""
        return f"{level}: {_words(open_questions)} open question{plural} could change how firm it is"
    if flips:
        which = "one answer" if flips == 1 else f"{_words(flips)} answers"
        return f"{level}: every question is answered; {which}, if different, could change it"
    return f"{level}: every question is answered and no single answer would change it"


def _label(question_id: str) -> str:
    try:
        return load_questionnaire().question(question_id).label
    except KeyError:  # asked by an older questionnaire version
        return question_id.replace("_", " ").capitalize()


def _answer_words(question_id: str, value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    try:
        question = load_questionnaire().question(question_id)
    except KeyError:
        return str(value)
    return next((f"“{c.label}”" for c in question.choices if c.value == str(value)), str(value))


def _cost(costs: Mapping, verdict: str) -> CostLine | None:
    options = costs.get("options") or []
    chosen = next((o for o in options if o["id"] == costs.get("recommended_option")), None)
    if chosen is not None:
        return CostLine(chosen["label"], money(chosen["monthly_expected"]), money(chosen["one_time"]),
                        money(chosen["total_24_months"]), chosen["id"])
    if options or "monthly_prompt_engineering" not in costs:
        return None
    # Before engine 2.0.0 a result priced the pair only: the side of the verdict is the recommended path.
    if verdict == "prompt_engineering":
        monthly, once = costs["monthly_prompt_engineering"], 0.0
        label = "Prompting with few-shot examples"
    else:
        monthly, once = costs["monthly_fine_tuned"], costs["one_time_fine_tuning"]
        label = "Fine-tuned model"
    return CostLine(label, money(monthly), money(once), money(once + 24 * monthly), None)


def _risk_name(text: str) -> str:
    # Risks read "Name: what goes wrong (sources)"; the card names them, the page below explains them.
    name, colon, _ = text.partition(": ")
    return name if colon else text


def _open_points(result: Mapping, answers: Mapping) -> list[OpenPoint]:
    """Open questions whose answer could flip the verdict first, then the other open questions; with none
    open, the answers whose change would flip it (the page's "What would change this")."""
    flipping = {flip["question"] for flip in result.get("flips", [])}
    open_items = sorted(result.get("open_questions", []), key=lambda item: item["question"] not in flipping)
    points = [OpenPoint(item["question"], _label(item["question"]), item["why"], item["question"] in flipping)
              for item in open_items]
    if not points:
        for flip in result.get("flips", []):
            verdict = verdict_label(flip["verdict"]).lower()
            now = answers.get(flip["question"])
            now_words = f" (now {_answer_words(flip['question'], now)})" if now is not None else ""
            were = _answer_words(flip["question"], flip["answer"])
            points.append(OpenPoint(flip["question"], _label(flip["question"]),
                                    f"If it were {were}{now_words}, "
                                    f"the advice would be {verdict}.", True, answered=True))
    return points[:TOP_QUESTIONS]


def _first_sentence(step: str) -> str:
    """The step's first sentence without its sources in brackets: the card says what to do, the "Next
    steps" section below keeps the full text with its sources."""
    sentence = re.split(r"(?<=[.!?])\s+(?=[A-Z])", step, maxsplit=1)[0]
    return re.sub(r"\s\([^()]*\)", "", sentence)


def summary(recommendation: Recommendation | Mapping, answers: Mapping) -> Summary:
    """The card for one result (a Recommendation or its stored JSON) and the answers it was judged on."""
    r = (recommendation.model_dump(mode="json") if isinstance(recommendation, Recommendation)
         else recommendation)
    confidence = float(r["confidence"])
    steps = r.get("next_steps") or []
    open_ids = {item["question"] for item in r.get("open_questions", [])}
    flipping = {flip["question"] for flip in r.get("flips", [])}
    return Summary(
        verdict=verdict_label(r["verdict"]),
        verdict_id=r["verdict"],
        confidence_percent=round(confidence * 100),
        sureness=sureness(confidence, len(open_ids), len(open_ids & flipping), len(r.get("flips", []))),
        cost=_cost(r.get("costs") or {}, r["verdict"]),
        risks=[_risk_name(risk["text"]) for risk in (r.get("risks") or [])[:TOP_RISKS]],
        first_step=_first_sentence(steps[0]) if steps else None,
        open_points=_open_points(r, answers or {}),
    )
