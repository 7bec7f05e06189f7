"""The cost model reproduces the worked examples of domain.md 4.4; every assumption can be overridden."""

import re

import pytest
from pydantic import ValidationError

from app.advisor import CostAssumptions, recommend
from app.advisor.costs import cost_figures, load_prices, monthly_series

# domain.md 4.4 counts token prices only ("provided someone can prepare the data"): no data work here.
TOKENS_ONLY = dict(data_preparation_cost=0, data_work_per_retrain=0)
SAME_MODEL = dict(model="openai-gpt-4.1-mini", fine_tuned_model="openai-gpt-4.1-mini", **TOKENS_ONLY)
EXAMPLE_1 = {"monthly_requests": 1_000_000, "avg_prompt_tokens_without_examples": 500,
             "avg_output_tokens": 200, "labeled_examples": 1000}


def test_worked_example_1_few_shot_versus_same_model_tuned():
    uncached = cost_figures(EXAMPLE_1, CostAssumptions(**SAME_MODEL, prompt_caching=False))
    assert uncached.monthly_prompt_engineering == 1320
    assert uncached.monthly_fine_tuned == 1040
    assert uncached.one_time_fine_tuning == 10.5
    cached = cost_figures(EXAMPLE_1, CostAssumptions(**SAME_MODEL))
    assert cached.monthly_prompt_engineering == 720
    assert cached.break_even_months is None  # never pays back against a cached prompt


def test_worked_example_3_high_volume_classification_with_lora():
    answers = {"monthly_requests": 20_000_000, "avg_prompt_tokens_without_examples": 300,
               "avg_output_tokens": 10, "labeled_examples": 8000}
    block = dict(examples_in_prompt=10, tokens_per_example=150, training_tokens_per_example=400,
                 **TOKENS_ONLY)
    figures = cost_figures(answers, CostAssumptions(**block, prompt_caching=False))
    assert figures.monthly_prompt_engineering == 14720
    assert figures.monthly_fine_tuned == 1240
    assert figures.one_time_fine_tuning == 4.8
    assert cost_figures(answers, CostAssumptions(**block)).monthly_prompt_engineering == 5720
    assert figures.break_even_months < 1


def test_worked_example_4_azure_hosting_fee():
    azure = CostAssumptions(model="azure-gpt-4.1-mini", fine_tuned_model="azure-gpt-4.1-mini",
                            prompt_caching=False, **TOKENS_ONLY)
    figures = cost_figures(EXAMPLE_1, azure)
    assert figures.monthly_fine_tuned == 1761
    assert figures.monthly_prompt_engineering == 1320


def test_weekly_changes_multiply_retraining():
    tokens_only = CostAssumptions(**TOKENS_ONLY)
    weekly = cost_figures({**EXAMPLE_1, "requirements_change_frequency": "weekly"}, tokens_only)
    rare = cost_figures({**EXAMPLE_1, "requirements_change_frequency": "rare"}, tokens_only)
    assert weekly.monthly_retraining == round(weekly.one_time_fine_tuning * 52 / 12, 2)
    assert rare.monthly_retraining == round(rare.one_time_fine_tuning / 12, 2)


def test_data_work_is_a_cost_once_and_per_retrain_and_can_be_set():
    # 4.1: data collection and engineering time, usually the largest real cost, is an assumption to set;
    # 4.5: retraining multiplies training "and, more importantly, data work".
    rare = {**EXAMPLE_1, "requirements_change_frequency": "rare"}
    tokens = cost_figures(rare, CostAssumptions(**TOKENS_ONLY))
    default = cost_figures(rare)
    assert default.one_time_fine_tuning == pytest.approx(tokens.one_time_fine_tuning + 5000)
    assert default.monthly_retraining == pytest.approx(tokens.monthly_retraining + 500 / 12, abs=0.01)
    mine = cost_figures(rare, CostAssumptions(data_preparation_cost=20000, data_work_per_retrain=2000))
    assert mine.one_time_fine_tuning == pytest.approx(tokens.one_time_fine_tuning + 20000)
    text = " ".join(recommend(rare, CostAssumptions(data_preparation_cost=20000)).costs.assumptions)
    assert "Data preparation and engineering: $20,000 once" in text


def test_break_even_names_the_real_reason():
    weekly = recommend({**EXAMPLE_1, "monthly_requests": 300_000, "requirements_change_frequency": "weekly"})
    assert weekly.costs.break_even_months is None
    assert weekly.costs.assumptions[-1].startswith("Break-even: never")
    assert "Retraining 52 times a year costs" in weekly.costs.assumptions[-1]
    small = recommend({**EXAMPLE_1, "monthly_requests": 2000, "requirements_change_frequency": "rare"})
    assert "saves only" in small.costs.assumptions[-1]
    busy = recommend({**EXAMPLE_1, "monthly_requests": 20_000_000, "requirements_change_frequency": "rare"})
    assert busy.costs.break_even_months < 1
    assert busy.costs.assumptions[-1].startswith("Break-even within the first month")


def test_assumption_sentences_read_as_plain_words():
    rare = " ".join(recommend({"requirements_change_frequency": "rare"}).costs.assumptions)
    assert "Retraining once a year" in rare and "1 times" not in rare
    unknown = " ".join(recommend({}).costs.assumptions)
    assert "an assumption: how often requirements change is not answered yet" in unknown
    assert "from how often requirements change" not in unknown
    assert not re.search(r"\[[VSU]\]", unknown)
    assert "unverified" not in unknown and "unconfirmed" not in unknown
    assert "secondary source" in unknown
    assert recommend({}).costs.assumptions[0].startswith("Volume partly assumed: 10,000 requests a month")


def test_every_price_row_has_a_source_and_date():
    for price in load_prices().values():
        assert price.source and len(price.date) == 10 and price.mark in {"V", "S", "U"}


def test_assumptions_are_listed_and_overridable():
    result = recommend(EXAMPLE_1, CostAssumptions(examples_in_prompt=3, epochs=1, model="openai-gpt-4.1"))
    text = " ".join(result.costs.assumptions)
    assert "3 examples of 200 tokens" in text and "x 1 epoch at" in text and "gpt-4.1" in text
    assert "assumed" not in text.split("Prompting")[0]  # volume came from the answers
    assert "assumed" in " ".join(recommend({}).costs.assumptions)


def test_unknown_or_untunable_models_are_refused():
    with pytest.raises(ValidationError, match="unknown model"):
        CostAssumptions(model="gpt-99")
    with pytest.raises(ValidationError, match="cannot be fine-tuned"):
        CostAssumptions(fine_tuned_model="anthropic-claude-haiku-4.5")


def test_monthly_series_is_cumulative_for_the_chart():
    series = monthly_series(EXAMPLE_1, months=12)
    figures = cost_figures(EXAMPLE_1)
    assert series["months"] == list(range(1, 13))
    assert series["prompt_engineering"][0] == figures.monthly_prompt_engineering
    assert series["fine_tuning"][0] == pytest.approx(
        figures.one_time_fine_tuning + figures.monthly_fine_tuned + figures.monthly_retraining, abs=0.01)
    assert series["prompt_engineering"] == sorted(series["prompt_engineering"])


def test_worked_example_2_distillation_to_a_smaller_tuned_model():
    large_to_nano = dict(model="openai-gpt-4.1", fine_tuned_model="openai-gpt-4.1-nano", **TOKENS_ONLY)
    uncached = cost_figures(EXAMPLE_1, CostAssumptions(**large_to_nano, prompt_caching=False))
    assert uncached.monthly_prompt_engineering == 6600
    assert uncached.monthly_fine_tuned == 260
    assert uncached.one_time_fine_tuning == pytest.approx(3, abs=0.2)  # "training ~$3"
    assert cost_figures(EXAMPLE_1, CostAssumptions(**large_to_nano)).monthly_prompt_engineering == 3600


def test_worked_example_4_hosting_pays_only_above_about_1_55_million_requests():
    azure = CostAssumptions(model="azure-gpt-4.1-mini", fine_tuned_model="azure-gpt-4.1-mini",
                            prompt_caching=False, **TOKENS_ONLY)

    def tuned_cheaper(requests: int) -> bool:
        figures = cost_figures({**EXAMPLE_1, "monthly_requests": requests}, azure)
        return figures.monthly_fine_tuned < figures.monthly_prompt_engineering

    assert not tuned_cheaper(1_500_000) and tuned_cheaper(1_600_000)
