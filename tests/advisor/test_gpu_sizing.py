"""Self-hosted GPUs are right-sized: the smallest GPU class whose memory holds the model,
enough of them for prefill and decode at the busy hour, and the volume rule F5 fires only when the
options table shows a tuned route the team can use that is cheaper a month than prompting."""

import json
from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given, settings

from app.advisor import CostAssumptions, recommend
from app.advisor.costs import (
    HOURS_PER_MONTH,
    Volume,
    cost_report,
    gpus_needed,
    monthly_costs,
    self_hosting_open,
    self_serving,
)
from app.advisor.flips import candidates
from app.advisor.prices import load_table
from tests.advisor.conftest import EXAMPLE_FILES, answers_strategy, load_example
from tests.advisor.test_scenarios import SCENARIO_FILES

TODAY = date(2026, 12, 6)
TUNED = "fireworks-gpt-oss-20b"


def _model(memory_gb):
    return replace(load_table().price(TUNED, TODAY), serve_memory_gb=memory_gb)


@pytest.mark.parametrize(
    ("model", "memory_gb", "gpu_memory", "gpus"),
    [
        ("gpt-oss-20b, MXFP4 weights in 16 GB (a 20B MoE)", 16, 24, 1),
        ("an 8B model in 16-bit weights", 16, 24, 1),
        ("a 70B model in 4-bit weights", 40, 48, 1),
        ("a 70B model in 8-bit weights", 75, 80, 1),
        ("a 70B model in 16-bit weights", 140, 80, 2),
    ],
)
def test_a_self_hosted_model_gets_the_smallest_gpu_that_holds_it(model, memory_gb, gpu_memory, gpus):
    gpu_class, per_copy = load_table().gpu_class_for(memory_gb)
    assert (gpu_class.memory_gb, per_copy) == (gpu_memory, gpus), model
    assert gpu_class.memory_gb * per_copy >= memory_gb


def test_a_70b_model_is_never_put_on_a_24_gb_gpu_even_at_tiny_volume():
    table = load_table()
    for memory_gb in (35, 40, 75, 140):
        serving = self_serving(table, CostAssumptions(), _model(memory_gb))
        assert "24 GB" not in serving.gpu_name
        assert serving.rates[1] > 1.0  # an L4 or A10G costs about $0.71-1.01 an hour


def test_the_default_tuned_model_runs_on_one_l4_at_the_l4_price():
    serving = self_serving(load_table(), CostAssumptions(), load_table().price(TUNED, TODAY))
    assert serving.gpu_name.startswith("24 GB") and serving.per_copy == 1
    assert serving.rates == (0.71, 0.8048, 1.006)  # GCP g2 L4, AWS g6 L4, AWS g5 A10G (domain-2026 3.6)


def test_gpu_count_grows_with_prefill_as_well_as_decode():
    serving = self_serving(load_table(), CostAssumptions(), load_table().price(TUNED, TODAY))
    assumptions = CostAssumptions(prompt_caching=False)
    short = Volume(requests=50_000_000, prompt=300, output=20, examples=0)
    long = replace(short, prompt=3_000)
    # 50M requests at 300 prompt + 20 output tokens: 19 requests/s x (300/5,000 + 20/800) s x 2 at peak
    assert gpus_needed(short, assumptions, serving, 300) == 4
    # Ten times the prompt with the same output needs many more GPUs: v1 sized on output tokens only.
    assert gpus_needed(long, assumptions, serving, 3_000) > 4 * gpus_needed(short, assumptions, serving, 300)


def test_the_planning_figures_are_the_users_to_set():
    serving = self_serving(load_table(), CostAssumptions(), load_table().price(TUNED, TODAY))
    volume = Volume(requests=50_000_000, prompt=300, output=20, examples=0)
    base = CostAssumptions(prompt_caching=False)
    faster = CostAssumptions(prompt_caching=False, gpu_prefill_tokens_per_second=50_000,
                             gpu_decode_tokens_per_second=8_000, peak_percent_of_average=100)
    assert gpus_needed(volume, faster, serving, 300) < gpus_needed(volume, base, serving, 300)


@pytest.mark.parametrize(
    ("answers", "can"),
    [
        ({"model_access": "both", "ml_expertise": "some", "gpu_access": "none"}, True),
        ({"model_access": "open_weights", "ml_expertise": "strong"}, True),
        ({"model_access": "api_only", "ml_expertise": "strong", "gpu_access": "own"}, False),
        ({"model_access": "both", "ml_expertise": "none", "gpu_access": "cloud"}, False),
        ({"model_access": "both", "ml_expertise": "some", "deployment": "hosted_api"}, False),
        ({"model_access": "api_only", "deployment": "self_hosted"}, True),
    ],
)
def test_who_may_rent_a_gpu_to_serve_a_tuned_model(answers, can):
    assert self_hosting_open(answers) is can


def test_an_api_only_team_at_high_volume_gets_no_volume_reason_from_a_gpu_it_cannot_use():
    s08 = json.loads(next(p for p in SCENARIO_FILES if "audit-s08" in p.name).read_text())["answers"]
    prompting, tuned = monthly_costs(s08, as_of=TODAY)
    assert tuned < prompting  # a rented L4 serves the tuned model for less than prompting costs
    api_only = {**s08, "model_access": "api_only"}
    prompting, tuned = monthly_costs(api_only, as_of=TODAY)
    assert tuned > prompting  # only the $8/h dedicated H100 counts for them
    reasons = recommend(api_only, as_of=TODAY).reasons
    assert not [r for r in reasons if r.question == "monthly_requests" and r.favours == "fine_tuning"]


def _cases():
    for path in SCENARIO_FILES:
        yield path.stem, json.loads(path.read_text())["answers"]
    for path in EXAMPLE_FILES:
        yield path.stem, load_example(path)["answers"]


@pytest.mark.parametrize(("name", "answers"), list(_cases()), ids=[name for name, _ in _cases()])
def test_a_volume_reason_for_tuning_always_has_a_cheaper_tuned_line_in_the_table(name, answers):
    result = recommend(answers, as_of=TODAY)
    volume_reasons = [
        r for r in result.reasons if r.question == "monthly_requests" and r.favours == "fine_tuning"
    ]
    options = {option.id: option.monthly_expected for option in result.costs.options}
    prompting = options.get("prompting_self_hosted", options.get("prompting"))
    tuned = [options[i] for i in ("tuned_hosted", "tuned_self_hosted", "hybrid") if i in options]
    cheaper = prompting is not None and any(cost < prompting for cost in tuned)
    if volume_reasons:
        assert cheaper, (name, options)
    # And the other way: the engine's comparison is the table's, so no cheaper line goes unnoticed.
    facts_cheaper = monthly_costs({k: v for k, v in answers.items() if v is not None}, as_of=TODAY)
    if None not in facts_cheaper and facts_cheaper[1] < facts_cheaper[0]:
        assert cheaper, (name, options)


def test_self_hosted_sizing_counts_retrieved_text_and_says_how_it_was_sized():
    answers = {"monthly_requests": 20_000_000, "avg_prompt_tokens_without_examples": 300,
               "avg_output_tokens": 10, "model_access": "both", "ml_expertise": "some"}
    plain = cost_report(answers, "fine_tuning", False, as_of=TODAY).options
    grounded = cost_report(answers, "hybrid", True, as_of=TODAY).options
    by_id = lambda options: {o.id: o for o in options}  # noqa: E731
    extra_service = CostAssumptions().retrieval_service_monthly
    assert (by_id(grounded)["tuned_self_hosted"].monthly_expected
            > by_id(plain)["tuned_self_hosted"].monthly_expected + extra_service)
    note = " ".join(by_id(plain)["tuned_self_hosted"].assumptions)
    assert "24 GB GPU" in note and "busy hour" in note and "planning figures" in note
    assert "gpu_access is about training" not in note  # said in words, not field names
    assert "whatever GPUs you have for training" in note
    assert round(by_id(plain)["tuned_self_hosted"].monthly_expected) >= round(HOURS_PER_MONTH * 0.8048)


def test_flips_use_the_teams_own_example_count():
    answers = {"monthly_requests": 10_000, "prompt_examples_today": 2}
    default = candidates("monthly_requests", {"monthly_requests": 10_000}, CostAssumptions())
    own = candidates("monthly_requests", answers, CostAssumptions())
    # Thresholds on example tokens a month are reached at 5x the requests with 2 examples instead of 10.
    assert max(own) > max(default)
    assert max(own) == pytest.approx(5 * max(default), rel=0.01)


def test_a_huge_training_set_makes_retraining_cost_more_and_the_volume_reason_goes_with_it():
    s08 = json.loads(next(p for p in SCENARIO_FILES if "audit-s08" in p.name).read_text())["answers"]
    huge = {**s08, "labeled_examples": 10_000_000}
    # Retraining once a year on 10M examples x 310 tokens x 3 epochs at $3/1M is about $2,300 a month.
    prompting, tuned = monthly_costs(huge, as_of=TODAY)
    assert tuned > prompting
    result = recommend(huge, as_of=TODAY)
    assert not [r for r in result.reasons if r.question == "monthly_requests" and r.favours == "fine_tuning"]
    options = {option.id: option.monthly_expected for option in result.costs.options}
    assert min(options[i] for i in ("tuned_hosted", "tuned_self_hosted")) > options["prompting"]


def _volume_reason_backed_by_the_table(answers) -> tuple[bool, dict]:
    result = recommend(answers, as_of=TODAY)
    fired = any(r.question == "monthly_requests" and r.favours == "fine_tuning" for r in result.reasons)
    options = {option.id: option.monthly_expected for option in result.costs.options}
    prompting = options.get("prompting_self_hosted", options.get("prompting"))
    tuned = [options[i] for i in ("tuned_hosted", "tuned_self_hosted", "hybrid") if i in options]
    return (not fired) or (prompting is not None and any(cost < prompting for cost in tuned)), options


@settings(max_examples=150, deadline=None)
@given(answers_strategy)
def test_any_answers_get_a_volume_reason_only_with_a_cheaper_tuned_line(answers):
    backed, options = _volume_reason_backed_by_the_table(answers)
    assert backed, options
