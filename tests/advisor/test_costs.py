"""The cost model of the real options (engine 2.0.0): each option's arithmetic, the recommended line,
why it is chosen when it is not the cheapest, and the v1 fields kept for compatibility."""

import json
import re
from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given, settings
from pydantic import ValidationError

from app.advisor import CostAssumptions, recommend
from app.advisor.costs import (
    HOURS_PER_MONTH,
    Volume,
    cost_figures,
    cost_report,
    monthly_series,
    prompt_cost,
)
from app.advisor.prices import load_table
from tests.advisor.conftest import EXAMPLE_FILES, answers_strategy, load_example
from tests.advisor.test_scenarios import SCENARIO_FILES

TODAY = date(2026, 12, 6)
TOKENS_ONLY = dict(data_preparation_cost=0, data_work_per_retrain=0)
EXAMPLE_1 = {
    "monthly_requests": 1_000_000,
    "avg_prompt_tokens_without_examples": 500,
    "avg_output_tokens": 200,
    "labeled_examples": 1000,
}
KNOWN = {**EXAMPLE_1, "prompt_examples_today": 10, "requirements_change_frequency": "rare"}


def _options(answers, verdict=None, add_retrieval=False, assumptions=None, as_of=TODAY):
    report = cost_report(answers, verdict, add_retrieval, assumptions or CostAssumptions(), as_of=as_of)
    return report, {option.id: option for option in report.options}


def price(model_id, on=TODAY):
    return load_table().price(model_id, on)


# --- prompting arithmetic ------------------------------------------------------------------------


def test_without_caching_prompting_costs_every_token_at_list_price():
    # 1M requests x (500 + 10 x 200 input) x $0.40 + 200 output x $1.60 = $1,000 + $320 (domain.md 4.4 ex. 1).
    volume = Volume(1_000_000, 500, 200, 10)
    assert prompt_cost(price("openai-gpt-4.1-mini"), volume, CostAssumptions(prompt_caching=False)) == 1320


def test_the_whole_static_prefix_is_cached_with_a_write_per_cache_lifetime():
    # Luna: static = 50% of 500 + 2,000 example tokens = 2,250; writes = 730 h x 2 per hour = 1,460.
    volume = Volume(1_000_000, 500, 200, 10)
    luna = price("openai-gpt-6-luna")
    writes = HOURS_PER_MONTH * 2
    expected = (
        writes * 2250 * 0.125 + (1_000_000 - writes) * 2250 * 0.01 + 1_000_000 * (250 * 0.10 + 200 * 0.50)
    ) / 1e6
    assert prompt_cost(luna, volume, CostAssumptions()) == pytest.approx(expected)


def test_a_prefix_below_the_provider_minimum_is_priced_uncached():
    # Gemini 3.8 Flash caches from 4,096 tokens: a 250-token static prefix without examples is not cached.
    volume = Volume(1_000, 500, 200, 0)
    flash = price("google-gemini-3.8-flash")
    assert prompt_cost(flash, volume, CostAssumptions()) == pytest.approx(
        1_000 * (500 * 0.75 + 200 * 3.75) / 1e6
    )


def test_zero_examples_today_means_no_example_block():
    with_none = recommend(EXAMPLE_1, as_of=TODAY)
    report, options = _options({**EXAMPLE_1, "prompt_examples_today": 0})
    assert options["prompting"].monthly_low == options["prompting"].monthly_high  # nothing left open
    assert "0 examples in each prompt (your answer)" in options["prompting"].assumptions[0]
    # Unanswered, the example block is assumed, said so in words, with its range.
    assert (
        "10 examples in each prompt (assumed, not answered yet; range 0-20)" in with_none.costs.assumptions[0]
    )


def test_batch_work_gets_the_batch_price():
    _, online = _options(KNOWN)
    _, batch = _options({**KNOWN, "batch_tolerant": True})
    assert batch["prompting"].monthly_expected < online["prompting"].monthly_expected
    assert "batch price (0.5 x)" in " ".join(batch["prompting"].assumptions)


def test_time_bound_prices_follow_the_result_date():
    # Gemini 3.8 Flash doubles on 2027-01-01 (domain-2026 C4).
    answers = {**KNOWN, "current_model": "google-gemini-3.8-flash"}
    _, december = _options(answers, as_of=date(2026, 12, 31))
    _, january = _options(answers, as_of=date(2027, 1, 1))
    assert january["prompting"].monthly_expected > 1.5 * december["prompting"].monthly_expected



def test_the_24_month_total_pays_the_doubled_gemini_price_from_its_date():
    # Gemini 3.8 Flash doubles on 2027-01-01 (domain-2026 3.3, C4): 26 days at the first price, then the
    # second; the monthly figure stays the first month's price.
    answers = {**KNOWN, "current_model": "google-gemini-3.8-flash"}
    report, options = _options(answers)
    table = load_table()
    volume = Volume(1_000_000, 500, 200, 10)
    first = prompt_cost(table.price("google-gemini-3.8-flash", TODAY), volume, CostAssumptions())
    later = prompt_cost(table.price("google-gemini-3.8-flash", date(2027, 1, 1)), volume, CostAssumptions())
    line = options["prompting"]
    assert line.monthly_expected == pytest.approx(first, abs=0.01)
    expected = first * 26 / 31 + later * 5 / 31 + later * 23
    assert line.total_24_months == pytest.approx(expected, rel=1e-6)
    assert line.total_24_months > 24 * line.monthly_expected * 1.8
    assert any("price changes on 2027-01-01" in notice for notice in report.notices)
    assert "sums month by month" in " ".join(line.assumptions)


def test_a_retiring_model_is_priced_until_its_date_then_on_its_named_successor():
    # gpt-4.1-mini retires 2027-01-14; OpenAI names GPT-6 Luna (domain-2026 4.1).
    report, options = _options({**KNOWN, "current_model": "openai-gpt-4.1-mini"})
    table = load_table()
    volume = Volume(1_000_000, 500, 200, 10)
    old = prompt_cost(table.price("openai-gpt-4.1-mini", TODAY), volume, CostAssumptions())
    luna = prompt_cost(table.price("openai-gpt-6-luna", TODAY), volume, CostAssumptions())
    line = options["prompting"]
    assert line.monthly_expected == pytest.approx(old, abs=0.01)
    # 6 Dec-6 Jan on gpt-4.1-mini, 6-14 Jan (8 of 31 days) too, the rest on Luna.
    expected = old + old * 8 / 31 + luna * 23 / 31 + luna * 22
    assert line.total_24_months == pytest.approx(expected, rel=1e-6)
    assert line.total_24_months < 24 * old / 2
    assert any("named successor, OpenAI GPT-6 Luna" in notice for notice in report.notices)


def test_a_retiring_model_without_a_named_successor_stops_at_its_date(monkeypatch):
    table = load_table()
    mini = table.price("openai-gpt-4.1-mini")
    rows = tuple(
        replace(row, successor=None) if row.id == mini.id else row for row in table.rows
    )
    lonely = replace(table, rows=rows)
    monkeypatch.setattr("app.advisor.costs.load_table", lambda: lonely)
    report, options = _options({**KNOWN, "current_model": "openai-gpt-4.1-mini"})
    line = options["prompting"]
    assert line.total_24_months == pytest.approx(line.monthly_expected * (1 + 8 / 31), rel=1e-4)
    assert any("no successor is named" in notice for notice in report.notices)


# --- which options apply ------------------------------------------------------------------------


def test_the_model_in_use_is_priced_and_a_cheaper_one_offered():
    report, options = _options({**KNOWN, "current_model": "anthropic-claude-sonnet-5.5"})
    assert options["prompting"].label == "Prompting Anthropic Claude Sonnet 5.5 (the model you use now)"
    assert options["prompting_smaller"].monthly_expected < options["prompting"].monthly_expected
    assert "unproven on your task" in " ".join(options["prompting_smaller"].assumptions)


def test_a_model_the_table_does_not_know_is_priced_on_the_default_and_said_so():
    report, options = _options({**KNOWN, "current_model": "acme-model-9"})
    assert "stand-in" in options["prompting"].label
    assert any("does not know 'acme-model-9'" in notice for notice in report.notices)


def test_a_model_retiring_within_90_days_is_flagged():
    report, options = _options({**KNOWN, "current_model": "openai-gpt-4.1-mini"})
    assert any("retires on 2027-01-14, in 39 days" in notice for notice in report.notices)
    later, _ = _options({**KNOWN, "current_model": "openai-gpt-4.1-mini"}, as_of=date(2027, 2, 1))
    assert any("retired on 2027-01-14" in notice for notice in later.notices)


def test_confidential_data_is_never_priced_on_a_shared_serverless_host():
    sonnet = {**KNOWN, "current_model": "anthropic-claude-sonnet-5.5", "prompt_examples_today": 0}
    _, options = _options({**sonnet, "data_confidential": True})
    assert "Fireworks" not in options["prompting_smaller"].label
    _, open_ = _options(sonnet)
    assert "Fireworks" in open_["prompting_smaller"].label  # the cheapest verified row when data may go there


def test_tuned_hosting_is_priced_per_gpu_hour_on_a_dedicated_deployment():
    _, options = _options(KNOWN)
    tuned = options["tuned_hosted"]
    # 1M requests x 200 output tokens fit one GPU at 1,000 tokens/s: 730 h x $8.00, plus retraining once
    # a year ((training run + $500 data work) / 12).
    retraining = (1000 * 700 * 3 * 3.00 / 1e6 + 500) / 12
    assert tuned.monthly_expected == pytest.approx(HOURS_PER_MONTH * 8.00 + retraining, abs=0.01)
    assert tuned.monthly_low < tuned.monthly_expected  # $4.00 estimator rate at the low end
    assert "dedicated deployment" in " ".join(tuned.assumptions)


def test_self_hosting_teams_get_gpu_hours_and_on_device_no_per_token_cost():
    _, self_hosted = _options({**KNOWN, "deployment": "self_hosted"}, "prompt_engineering")
    assert {"prompting_self_hosted", "tuned_self_hosted"} <= set(self_hosted)
    assert "GPU-hours a month" in " ".join(self_hosted["tuned_self_hosted"].assumptions)
    report, on_device = _options({**KNOWN, "deployment": "on_device"}, "fine_tuning")
    assert report.recommended_option == "on_device"
    assert on_device["on_device"].monthly_expected == round(on_device["on_device"].monthly_expected, 2)
    assert "not priced" in " ".join(on_device["on_device"].assumptions)


def test_openai_tuning_is_never_a_priced_route_for_a_new_team():
    # OpenAI self-serve takes no new jobs after 2027-01-06 and is closed to new organisations.
    assumptions = CostAssumptions(fine_tuned_model="openai-gpt-4.1-mini")
    report, options = _options(KNOWN, "fine_tuning", assumptions=assumptions)
    assert "tuned_hosted" not in options
    assert any("does not take new tuning jobs" in notice for notice in report.notices)


def test_data_preparation_scales_with_the_examples_and_can_be_set():
    _, small = _options({**KNOWN, "labeled_examples": 300})
    _, large = _options({**KNOWN, "labeled_examples": 5_000})
    assert large["tuned_hosted"].one_time - small["tuned_hosted"].one_time > 10_000
    _, mine = _options(KNOWN, assumptions=CostAssumptions(data_preparation_cost=20_000))
    assert "Data preparation: $20,000 once (as you set it)" in " ".join(mine["tuned_hosted"].assumptions)


def test_retrieval_is_in_every_option_when_the_answers_need_it():
    _, plain = _options(KNOWN, "prompt_engineering")
    report, with_facts = _options(KNOWN, "prompt_engineering", add_retrieval=True)
    for key, option in with_facts.items():
        assert option.monthly_expected > plain[key].monthly_expected
        assert "Retrieval:" in " ".join(option.assumptions)
    assert report.recommended_option == "prompting"


# --- the recommended line and why ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("verdict", "expected"),
    [("prompt_engineering", "prompting"), ("fine_tuning", "tuned_hosted"), ("hybrid", "hybrid")],
)
def test_the_recommended_option_matches_the_verdict(verdict, expected):
    report, options = _options(KNOWN, verdict)
    assert report.recommended_option == expected
    if verdict == "hybrid":
        assert options["hybrid"].label.startswith("Recommended path: tuned model + prompts")


def test_a_recommended_option_dearer_than_the_cheapest_says_what_the_difference_buys():
    answers = {
        **KNOWN, "output_consistency_need": "high", "data_confidential": True, "prompt_baseline": "close"
    }
    report, options = _options(answers, "fine_tuning")
    cheapest = min(options.values(), key=lambda o: o.total_24_months)
    assert report.recommended_option != cheapest.id
    assert "consistency" in report.why_not_cheapest and "privacy" in report.why_not_cheapest
    assert report.why_not_cheapest.count(".") <= 2 and report.why_not_cheapest.endswith(".")


def _every_case():
    cases = [load_example(path)["answers"] for path in EXAMPLE_FILES]
    cases += [json.loads(path.read_text())["answers"] for path in SCENARIO_FILES]
    return cases


@pytest.mark.parametrize("answers", _every_case())
def test_every_scenario_gets_a_recommended_line_that_matches_its_verdict(answers):
    result = recommend(answers, as_of=TODAY)
    costs = result.costs
    ids = {option.id for option in costs.options}
    assert costs.recommended_option in ids
    expected = {
        "prompt_engineering": ("prompting", "prompting_self_hosted", "on_device"),
        "fine_tuning": ("tuned_hosted", "tuned_self_hosted", "on_device"),
        "hybrid": ("hybrid",),
    }
    assert costs.recommended_option in expected[result.verdict]
    chosen = next(o for o in costs.options if o.id == costs.recommended_option)
    cheapest = min(o.total_24_months for o in costs.options)
    if chosen.total_24_months > cheapest:
        assert costs.why_not_cheapest and costs.why_not_cheapest.count(". ") == 0  # one sentence
    else:
        assert costs.why_not_cheapest is None
    for option in costs.options:
        assert option.monthly_low <= option.monthly_expected <= option.monthly_high
        text = " ".join(option.assumptions)
        if "the 24-month total" not in text:  # a price that moves inside 24 months is summed by month
            assert option.total_24_months == pytest.approx(
                option.one_time + 24 * option.monthly_expected, abs=0.02
            )
        # An assumed figure is never stated as the team's: anything not answered says "assumed".
        text = " ".join(option.assumptions)
        if "monthly_requests" not in answers:
            assert "requests a month (assumed" in text


@settings(max_examples=150, deadline=None)
@given(answers_strategy)
def test_low_never_exceeds_expected_nor_expected_high(answers):
    for verdict in ("prompt_engineering", "fine_tuning", "hybrid"):
        report = cost_report(
            answers,
            verdict,
            answers.get("needs_fresh_or_private_knowledge") is True,
            CostAssumptions(),
            as_of=TODAY,
        )
        assert report.recommended_option in {option.id for option in report.options}
        for option in report.options:
            assert 0 <= option.monthly_low <= option.monthly_expected <= option.monthly_high


# --- v1 fields, kept ----------------------------------------------------------------------------


def test_v1_fields_are_kept_and_filled():
    result = recommend(EXAMPLE_1, as_of=TODAY).model_dump(mode="json")["costs"]
    assert {
        "currency",
        "monthly_prompt_engineering",
        "monthly_fine_tuned",
        "one_time_fine_tuning",
        "break_even_months",
        "assumptions",
    } <= set(result)
    assert result["monthly_prompt_engineering"] > 0 and result["monthly_fine_tuned"] > 0
    assert result["prices_as_of"] == "2026-12-06"


def test_worked_example_4_azure_hosting_fee():
    azure = CostAssumptions(
        model="azure-gpt-4.1-mini", fine_tuned_model="azure-gpt-4.1-mini", prompt_caching=False, **TOKENS_ONLY
    )
    figures = cost_figures({**EXAMPLE_1, "prompt_examples_today": 10}, azure, TODAY)
    assert figures.monthly_fine_tuned == 1761  # $520 tokens + $1.70 x 730 hours
    assert figures.monthly_prompt_engineering == 1320


def test_weekly_changes_multiply_retraining():
    tokens_only = CostAssumptions(**TOKENS_ONLY)
    weekly = cost_figures({**EXAMPLE_1, "requirements_change_frequency": "weekly"}, tokens_only, TODAY)
    rare = cost_figures({**EXAMPLE_1, "requirements_change_frequency": "rare"}, tokens_only, TODAY)
    assert weekly.monthly_retraining == round(weekly.one_time_fine_tuning * 52 / 12, 2)
    assert rare.monthly_retraining == round(rare.one_time_fine_tuning / 12, 2)


def test_break_even_names_the_real_reason():
    small = recommend({**EXAMPLE_1, "monthly_requests": 2000}, as_of=TODAY)
    assert small.costs.break_even_months is None
    assert small.costs.assumptions[-1].startswith("Break-even: never")
    sol = CostAssumptions(model="openai-gpt-6.2-sol")
    busy = recommend(
        {**EXAMPLE_1, "monthly_requests": 20_000_000, "requirements_change_frequency": "rare"},
        sol,
        as_of=TODAY,
    )
    assert busy.costs.break_even_months is not None
    assert busy.costs.assumptions[-1].startswith("Break-even")


def test_assumption_sentences_read_as_plain_words():
    rare = " ".join(recommend({"requirements_change_frequency": "rare"}, as_of=TODAY).costs.assumptions)
    assert "Retraining once a year" in rare and "1 times" not in rare
    unknown = " ".join(recommend({}, as_of=TODAY).costs.assumptions)
    assert "an assumption: how often requirements change is not answered yet" in unknown
    assert not re.search(r"\[[VSU]\]", unknown)
    assert (
        recommend({}, as_of=TODAY).costs.assumptions[0].startswith("Volume partly assumed: 10,000 requests")
    )


def test_assumptions_are_listed_and_overridable():
    result = recommend(
        EXAMPLE_1, CostAssumptions(examples_in_prompt=3, epochs=1, model="openai-gpt-4.1"), as_of=TODAY
    )
    text = " ".join(result.costs.assumptions)
    assert (
        "3 examples in each prompt (as you set it)" in text and "x 1 epoch at" in text and "gpt-4.1" in text
    )


def test_unknown_or_untunable_models_are_refused():
    with pytest.raises(ValidationError, match="unknown model"):
        CostAssumptions(model="gpt-99")
    with pytest.raises(ValidationError, match="cannot be fine-tuned"):
        CostAssumptions(fine_tuned_model="anthropic-claude-haiku-5.5")


def test_monthly_series_is_cumulative_for_the_chart():
    series = monthly_series(EXAMPLE_1, months=12, as_of=TODAY)
    figures = cost_figures(EXAMPLE_1, as_of=TODAY)
    assert series["months"] == list(range(1, 13))
    assert series["prompt_engineering"][0] == figures.monthly_prompt_engineering
    assert series["fine_tuning"][0] == pytest.approx(
        figures.one_time_fine_tuning + figures.monthly_fine_tuned + figures.monthly_retraining, abs=0.01
    )


def test_the_api_returns_the_options_and_documents_them_with_an_example(client):
    response = client.post("/api/v1/recommendations", json=KNOWN)
    costs = response.json()["costs"]
    assert costs["recommended_option"] in {option["id"] for option in costs["options"]}
    schema = client.get("/openapi.json").json()["components"]["schemas"]
    example = schema["Costs"]["examples"][0]
    assert example["recommended_option"] in {option["id"] for option in example["options"]}
    fields = set(schema["CostOption"]["properties"])
    assert {"monthly_low", "monthly_expected", "monthly_high", "total_24_months"} <= fields


def test_prices_per_million_are_written_as_the_provider_writes_them():
    from app.advisor.costs import _per_million

    written = [_per_million(v) for v in (0.125, 0.10, 0.005, 2.5, 0.035)]
    assert written == ["$0.125", "$0.10", "$0.005", "$2.50", "$0.035"]


def test_each_tuned_line_names_the_source_and_mark_of_each_figure_it_uses():
    # F12: the tuned lines use the training rate (S), the dedicated H100 rate (S) and, self-hosted, a
    # rented L4 (S); none of them may borrow the "provider's own documentation" of the token prices.
    answers = {**KNOWN, "model_access": "both", "ml_expertise": "some"}
    _, options = _options(answers, verdict="fine_tuning")
    secondary = "from a secondary source"
    hosted = " ".join(options["tuned_hosted"].assumptions)
    assert "read in the provider's own documentation" not in hosted
    assert "docs.fireworks.ai/serverless/pricing" not in hosted  # token prices: not used by this line
    assert f"$3.00/1M training tokens (fireworks.ai/pricing via api-evangelist (LoRA SFT, 16.1-80B tier), " \
        f"2026-10-07; {secondary}" in hosted
    own = " ".join(options["tuned_self_hosted"].assumptions)
    assert "read in the provider's own documentation" not in own
    # The AWS L4 price is dated as domain-2026 3.6 gives it, a range, and the 16 GB is cited.
    assert "via domain-2026 3.6, 2025-2026; from a secondary source" in own
    assert "(16 GB: docs.nvidia.com/nemo/microservices/25.9.0/fine-tune/models/gpt-oss.html" in own
    figures = cost_figures(answers, verdict="fine_tuning", as_of=TODAY)
    tuned_note = next(note for note in figures.assumptions if note.startswith("Fine-tuned:"))
    assert "Serving at $8.00 per GPU-hour: fireworks.ai/pricing via api-evangelist, 2026-10-07; from a " \
        "secondary source" in tuned_note


# --- why the recommended line, when it is not the cheapest (review findings F3, F15) ----------------

TUNING_CASE = {**KNOWN, "output_consistency_need": "high", "domain_specificity": "high"}


@pytest.mark.parametrize("baseline", [None, "meets_target"])
def test_no_quality_gain_is_claimed_unless_the_best_prompt_falls_short(baseline):
    answers = {**TUNING_CASE, **({"prompt_baseline": baseline} if baseline else {})}
    report, _ = _options(answers, "fine_tuning")
    why = report.why_not_cheapest
    assert "quality your best prompt has not reached" not in why
    assert "learnt rather than reminded" not in why  # consistency only as a condition
    assert "if your evaluation shows the prompt drifting" in why
    if baseline == "meets_target":
        assert "not quality: your best prompt already meets your target" in why
    assert why.count(". ") == 0 and why.endswith(".")


@pytest.mark.parametrize("baseline", ["close", "far_below"])
def test_a_measured_gap_is_what_the_difference_buys(baseline):
    report, _ = _options({**TUNING_CASE, "prompt_baseline": baseline}, "fine_tuning")
    assert "quality your best prompt has not reached" in report.why_not_cheapest
    assert "learnt rather than reminded" in report.why_not_cheapest


def test_a_low_budget_hears_plainly_when_the_recommended_line_costs_over_3x_the_cheapest():
    answers = {**TUNING_CASE, "prompt_baseline": "far_below"}
    report, options = _options({**answers, "budget": "low"}, "fine_tuning")
    cheapest = min(options.values(), key=lambda o: o.total_24_months)
    chosen = options[report.recommended_option]
    ratio = chosen.total_24_months / cheapest.total_24_months
    assert ratio > 3
    assert f"with a low budget, note that this is {ratio:.1f} times the cheapest option" in (
        report.why_not_cheapest
    )
    medium, _ = _options({**answers, "budget": "medium"}, "fine_tuning")
    assert "low budget" not in medium.why_not_cheapest


def test_a_cheaper_model_is_called_cheaper_and_nothing_unmeasured_is_called_measured():
    sonnet = {**KNOWN, "current_model": "anthropic-claude-sonnet-5.5"}
    report, options = _options(sonnet, "prompt_engineering")
    assert options["prompting_smaller"].label.startswith("Prompting a cheaper model: ")
    assert "measured" not in report.why_not_cheapest
    assert "time to check the cheaper model on your evaluation set" in report.why_not_cheapest


def test_batch_and_cache_discounts_are_stacked_only_in_the_low_figure_and_said_to_be_unconfirmed():
    # domain-2026 2.6 and 7: whether batch and cache discounts multiply was not found (F9).
    answers = {**KNOWN, "batch_tolerant": True}
    _, options = _options(answers)
    table = load_table()
    luna = table.price("openai-gpt-6-luna", TODAY)
    volume = Volume(1_000_000, 500, 200, 10)
    single = prompt_cost(luna, volume, CostAssumptions(), batch=True)
    stacked = prompt_cost(luna, volume, CostAssumptions(), batch=True, stack=True)
    line = options["prompting"]
    assert line.monthly_expected == pytest.approx(single, abs=0.01)
    assert line.monthly_low == pytest.approx(stacked, abs=0.01) and stacked < single
    text = " ".join(line.assumptions)
    assert "whether the two discounts stack was not found" in text
    assert "only the low figure stacks them, unconfirmed" in text


def test_the_text_summary_of_an_on_device_team_prints_the_on_device_option_only():
    # Review finding F4: no hosted per-token line for a team whose model runs on the device.
    from app.advisor.summary import text_summary

    answers = {**KNOWN, "deployment": "on_device", "model_access": "open_weights", "latency_budget_ms": 1500}
    text = text_summary(recommend(answers, as_of=TODAY))
    costs = text[text.index("Costs (USD):"):]
    assert "A small model on the device" in costs and "not priced per token or per GPU-hour" in costs
    assert "Prompting with few-shot examples" not in costs
    assert "Fine-tuned model:" not in costs and "GPT-6 Luna at" not in costs
    hosted = text_summary(recommend(KNOWN, as_of=TODAY))
    assert "Prompting with few-shot examples" in hosted


def test_claude_haiku_5_5_counts_30_percent_more_tokens_and_its_cache_minimum_is_called_an_assumption():
    # domain-2026 3.2 and C6: Haiku 5.5's tokenizer counts ~30% more tokens than Haiku 4.5; 2.5 and 7:
    # the cache minimum of the 5.5 family was not found (review finding F10).
    table = load_table()
    haiku = table.price("anthropic-claude-haiku-5.5", TODAY)
    assert haiku.token_factor == 1.3
    plain = replace(haiku, token_factor=1.0)
    volume = Volume(1_000_000, 500, 200, 0)  # 250-token prefix: uncached either way
    assert prompt_cost(haiku, volume, CostAssumptions()) == pytest.approx(
        1.3 * prompt_cost(plain, volume, CostAssumptions()), rel=1e-3
    )
    answers = {**KNOWN, "current_model": "anthropic-claude-haiku-5.5", "prompt_examples_today": 0}
    _, options = _options(answers)
    text = " ".join(options["prompting"].assumptions)
    assert "token counts x 1.3" in text
    assert "4,096 tokens, our assumption: the provider's minimum for this model family was not found" in text
    assert "minimum the provider caches" not in text
