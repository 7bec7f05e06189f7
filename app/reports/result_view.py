"""A stored result in words and pictures: what the result page, the read-only view, an old revision
and the PDF all show, built once from the `Recommendation` and the answers.

The cost section can be redone with other assumptions (a plain GET form on the result page): the
costs are recomputed for show and nothing is saved.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache

from markupsafe import Markup
from pydantic import ValidationError

from app.advisor import CostAssumptions, Recommendation, recommend
from app.advisor.costs import load_prices, monthly_series
from app.advisor.models import Costs, Flip, OpenQuestion, Reason
from app.advisor.summary import verdict_summary
from app.advisor.words import trains_a_model, verdict_label
from app.charts import cost_chart, money, score_chart
from app.dates import day
from app.questionnaire import load_questionnaire
from app.questionnaire.wording import answer_text, question_ids, question_label
from app.reports.glossary import Term, glossary_for
from app.reports.summary import Summary, summary

# Integer assumptions a person may change on the result page, with their labels and input hints.
NUMBER_ASSUMPTIONS = {
    "examples_in_prompt": ("Examples in each prompt", "empty: your answer, else assumed 10 (range 0-20)"),
    "tokens_per_example": ("Tokens per example", "length of one example in the prompt"),
    "epochs": ("Training epochs", "passes over the training data"),
    "training_examples": ("Training examples", "empty: your answer about labelled examples"),
    "retrains_per_year": ("Retrains a year", "empty: from how often requirements change (4 if not answered)"),
    # domain.md 4.1: data work is usually the largest real cost and should be the user's to set.
    "data_preparation_cost": ("Data preparation, once (USD)",
                              "collecting and reviewing examples, the evaluation set, engineering time"),
    "data_work_per_retrain": ("Data work per retrain (USD)", "refreshing examples and re-evaluating"),
    # Engine 2.0.0 planning figures: each is named as ours in the assumptions, so each is the user's to set.
    "static_share_percent": ("Fixed instructions, % of the prompt", "the part that can be cached"),
    "retrieval_tokens_per_request": ("Retrieved tokens per request", "used when your facts need retrieval"),
    "retrieval_service_monthly": ("Retrieval service a month (USD)", "vector store and embeddings"),
    "gpu_prefill_tokens_per_second": ("Prompt tokens per second per L4 GPU", "sizes GPU-hosted models"),
    "gpu_decode_tokens_per_second": ("Output tokens per second per L4 GPU", "all streams together"),
    "peak_percent_of_average": ("Busy hour, % of average traffic", "200: twice the average; sizes GPUs"),
}
# A whole number as people type it: an optional sign, digits, and commas or spaces between thousands.
WHOLE_NUMBER = re.compile(r"[+-]?\d{1,3}(?:[, ]?\d{3})*|[+-]?\d+")
CONFIDENCE_WORDS = ((0.75, "high"), (0.5, "moderate"), (0.0, "low"))


@dataclass
class AssumptionsForm:
    """The cost assumptions as typed, and a message per field that could not be used."""

    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    changed: bool = False
    assumptions: CostAssumptions = field(default_factory=CostAssumptions)


def read_assumptions(params: Mapping[str, str]) -> AssumptionsForm:
    """Cost assumptions from the query string; anything unusable keeps its default and gets a message."""
    defaults = CostAssumptions()
    form = AssumptionsForm(values=_default_values(defaults))
    if params.get("costs") != "1":
        return form
    form.changed = True
    chosen: dict = {}
    for name in ("model", "fine_tuned_model"):
        form.values[name] = params.get(name, form.values[name])
        if form.values[name]:  # an empty model: the one you use now (or the default)
            chosen[name] = form.values[name]
    form.values["prompt_caching"] = "on" if params.get("prompt_caching") else ""
    chosen["prompt_caching"] = bool(params.get("prompt_caching"))
    for name in NUMBER_ASSUMPTIONS:
        text = params.get(name, "").strip()
        form.values[name] = text
        if text == "":
            continue
        if not WHOLE_NUMBER.fullmatch(text):
            form.errors[name] = _range_message(name)
            continue
        chosen[name] = int(text.replace(",", "").replace(" ", ""))
    form.assumptions = _validated(chosen, form.errors, defaults)
    return form


def _default_values(defaults: CostAssumptions) -> dict[str, str]:
    # Fields whose default stands for "from your answers" show empty, so sending the form keeps them so.
    from_answers = {"examples_in_prompt"}
    values = {name: "" if getattr(defaults, name) is None or name in from_answers
              else str(getattr(defaults, name)) for name in NUMBER_ASSUMPTIONS}
    return values | {"model": defaults.model or "", "fine_tuned_model": defaults.fine_tuned_model,
                     "prompt_caching": "on" if defaults.prompt_caching else ""}


def _validated(chosen: dict, errors: dict[str, str], defaults: CostAssumptions) -> CostAssumptions:
    """The assumptions, leaving out each field pydantic refuses (with a message naming its range)."""
    while True:
        try:
            return CostAssumptions(**chosen)
        except ValidationError as error:
            bad = {str(problem["loc"][0]) for problem in error.errors() if problem.get("loc")}
            if not bad & set(chosen):
                return defaults
            for name in [name for name in CostAssumptions.model_fields if name in bad & set(chosen)]:
                errors[name] = _range_message(name)
                chosen.pop(name)


def _range_message(name: str) -> str:
    """What a field accepts, from the model's own limits (optional fields included)."""
    schema = _assumption_schema()[name]
    variants = schema.get("anyOf", [schema])
    number = next((v for v in variants if v.get("type") == "integer"), None)
    if number is None:
        return "Choose one of the listed models."
    message = f"Enter a whole number from {number['minimum']:,} to {number['maximum']:,}"
    if any(v.get("type") == "null" for v in variants):
        message += ", or leave it empty"
    return message + "."


@cache
def _assumption_schema() -> dict[str, dict]:
    return CostAssumptions.model_json_schema()["properties"]


# --- the view of one result ----------------------------------------------------------------


@dataclass
class ResultView:
    """Everything a page showing one result needs beyond the stored recommendation itself."""

    verdict: str
    summary: str  # one sentence naming the reasons that weighed in the verdict
    confidence_words: str
    confidence_percent: int
    score_chart: Markup
    costs: dict
    cost_options: list[dict]
    cost_chart: Markup
    form: AssumptionsForm
    flips: list[str]
    reasons_for: dict[str, list[dict]]
    open_questions: list[dict]
    notes: list[tuple[str, str]]
    revisit_date: str
    models: list[tuple[str, str]]
    tunable_models: list[tuple[str, str]]
    training_example_for: str | None
    # Issue 14: the one-screen card at the top (app/reports/summary.py), the technique names in plain words.
    card: Summary | None = None
    glossary: list[Term] = field(default_factory=list)

    @property
    def number_fields(self) -> dict[str, tuple[str, str]]:
        return NUMBER_ASSUMPTIONS


def result_view(params: Mapping[str, str], assessment, recommendation: Recommendation) -> ResultView:
    """The stored result in words and pictures; costs redone when the assumptions form was sent
    (`params`, the query string).

    `assessment` is anything with the answers, notes and date of the result (an old revision's too).
    """
    form = read_assumptions(params)
    costs = recommendation.costs
    # Recomputed figures and the chart use the stored result's price date, so they match its table.
    as_of = date.fromisoformat(costs.prices_as_of) if costs.prices_as_of else None
    if form.changed:
        costs = recommend(assessment.answers, form.assumptions, as_of=as_of).costs
    series = monthly_series(assessment.answers, form.assumptions, as_of=as_of, verdict=recommendation.verdict,
                            add_retrieval=recommendation.add_retrieval)
    prices = load_prices()
    confidence = recommendation.confidence
    figures = costs.model_dump(mode="json")
    stored = recommendation.model_dump(mode="json")  # the card states the saved figures, never recalculated
    return ResultView(
        verdict=verdict_label(recommendation.verdict),
        summary=verdict_summary(recommendation),
        confidence_words=next(words for floor, words in CONFIDENCE_WORDS if confidence >= floor),
        confidence_percent=round(confidence * 100),
        score_chart=score_chart(recommendation.scores),
        costs=figures | {"money": {key: money(value) for key, value in figures.items()
                                   if isinstance(value, int | float) and key != "break_even_months"}},
        cost_options=cost_option_rows(costs),
        cost_chart=cost_chart(series, costs.break_even_months),
        form=form,
        flips=[flip_sentence(flip) for flip in recommendation.flips],
        reasons_for=_reasons_by_option(recommendation.reasons),
        open_questions=[_open_question(item) for item in recommendation.open_questions],
        notes=[(question_label(qid), text) for qid, text in _in_question_order(assessment.notes)],
        revisit_date=day(assessment.updated_at + timedelta(weeks=recommendation.revisit_in_weeks)),
        models=[("", "The model you use now (or the default)")] + [(p.id, p.name) for p in prices.values()],
        tunable_models=[(p.id, p.name) for p in prices.values() if p.fine_tunable],
        training_example_for=next((t.id for t in recommendation.techniques if trains_a_model(t.id)), None),
        card=summary(stored, assessment.answers or {}),
        glossary=glossary_for(stored),
    )


MONEY_FIELDS = ("monthly_low", "monthly_expected", "monthly_high", "one_time", "total_24_months")


def cost_option_rows(costs: Costs) -> list[dict]:
    """The options of a result (engine 2.0.0; none before) with money in words, the recommended line and
    the cheapest over 24 months marked."""
    options = costs.options
    cheapest = min((o.total_24_months for o in options), default=None)
    return [option.model_dump(mode="json") | {
                "money": {key: money(getattr(option, key)) for key in MONEY_FIELDS},
                "recommended": option.id == costs.recommended_option,
                "cheapest": option.total_24_months == cheapest and len(options) > 1}
            for option in options]


def flip_sentence(flip: Flip) -> str:
    """'If “How many examples…” were 49 examples, the advice would be prompt engineering.'"""
    answer = answer_text(flip.question, flip.answer)
    if not isinstance(flip.answer, int) or isinstance(flip.answer, bool):
        answer = f"“{answer}”"  # a choice's label reads as a quotation mid-sentence
    return (f"If “{question_label(flip.question)}” were {answer}, "
            f"the advice would be {verdict_label(flip.verdict).lower()}.")


def _reasons_by_option(reasons: list[Reason]) -> dict[str, list[dict]]:
    """Reasons by the option they push, strongest first: weighted ones by what they favour, weightless ones by
    the side they lean to (engine 2.0.0 `leans`); only those that tip neither way go under "neutral"."""
    grouped: dict[str, list[dict]] = {"prompt_engineering": [], "fine_tuning": [], "neutral": []}
    for reason in sorted(reasons, key=lambda r: -r.weight):
        side = reason.favours if reason.weight > 0 else reason.leans or "neutral"
        grouped.setdefault(side, []).append(reason.model_dump(mode="json"))
    return grouped


def _open_question(item: OpenQuestion) -> dict:
    return {"label": question_label(item.question), "why": item.why, "section": _section_of(item.question)}


def _section_of(question_id: str) -> str | None:
    for section in load_questionnaire().sections:
        if any(q.id == question_id for q in section.questions):
            return section.id
    return None


def _in_question_order(notes: dict) -> list[tuple[str, str]]:
    order = question_ids()
    return sorted(notes.items(), key=lambda item: order.index(item[0]) if item[0] in order else len(order))
