"""Engine 2.0.0 (issue 12): what a product manager, an ML engineer and a finance reviewer reading one result
would check: no contradiction, no stale claim, no assumption stated as the team's fact."""

import json
from datetime import date
from pathlib import Path

import pytest

from app.advisor import recommend
from app.advisor.costs import DEFAULT_ASSUMPTIONS
from app.advisor.engine import evaluate
from app.advisor.models import Costs
from app.advisor.routes import ROUTES, judge_routes
from tests.advisor.conftest import EXAMPLE_FILES, load_example

PE, FT, HY = "prompt_engineering", "fine_tuning", "hybrid"
DAY = date(2026, 12, 6)
SCENARIOS = sorted((Path(__file__).parent / "scenarios").glob("*.json"))
ALL_CASES = [json.loads(p.read_text()) for p in SCENARIOS] + [load_example(p) for p in EXAMPLE_FILES]
CASE_IDS = [p.stem for p in SCENARIOS] + [p.stem for p in EXAMPLE_FILES]


def _ids(result) -> list[str]:
    return [t.id for t in result.techniques]


# --- assumptions are never stated as the team's facts -----------------------------------------------------


@pytest.mark.parametrize("case", ALL_CASES, ids=CASE_IDS)
def test_no_reason_states_an_assumed_example_count_as_the_teams(case):
    answers = case["answers"]
    result = recommend(answers, as_of=DAY)
    volume = [r.text for r in result.reasons if "example tokens" in r.text or "examples we assume" in r.text]
    for text in volume:
        if "prompt_examples_today" in answers:
            assert f"your prompt's {answers['prompt_examples_today']:,} example" in text
        else:
            assert "we assume" in text and "you have not said" in text and "your prompt's" not in text


def test_a_team_that_sends_no_examples_gets_no_volume_reason_for_tuning(make_answers):
    # The volume rows (F5) score the example tokens resent a month: the team's own count when it gave one.
    busy = make_answers(monthly_requests=50_000_000, output_consistency_need="high")
    assumed = evaluate(busy, DEFAULT_ASSUMPTIONS).facts["_overhead"]
    block = DEFAULT_ASSUMPTIONS.examples_in_prompt * DEFAULT_ASSUMPTIONS.tokens_per_example
    assert assumed == 50_000_000 * block
    assert evaluate({**busy, "prompt_examples_today": 0}, DEFAULT_ASSUMPTIONS).facts["_overhead"] == 0
    none_sent = recommend({**busy, "prompt_examples_today": 0}, as_of=DAY)
    assert not any(r.question == "monthly_requests" and r.weight > 0 for r in none_sent.reasons)


# --- claims corrected ---------------------------------------------------------------------------------------


def test_fast_answers_are_not_said_to_be_met_by_either_approach(make_answers):
    answers = make_answers(latency_sensitive=True, avg_prompt_tokens_without_examples=300)
    result = recommend(answers, as_of=DAY)
    text = next(r.text for r in result.reasons if r.question == "latency_sensitive")
    assert "either approach meets" not in text and "model size" in text


def test_long_prompts_are_not_all_said_to_be_absorbable(make_answers):
    result = recommend(make_answers(avg_prompt_tokens_without_examples=8000), as_of=DAY)
    text = next(r.text for r in result.reasons if r.question == "avg_prompt_tokens_without_examples")
    assert "cannot be absorbed" in text


def test_rented_gpus_are_never_called_your_own_control(make_answers):
    tuned = dict(output_consistency_need="high", labeled_examples=5000, data_confidential=True,
                 model_access="open_weights", ml_expertise="strong")

    def lora(gpus):
        techniques = recommend(make_answers(**tuned, gpu_access=gpus)).techniques
        return next(t.why for t in techniques if t.id == "lora")

    rented, own = lora("cloud"), lora("own")
    assert "never leaves your control" not in rented and "cloud provider's machines" in rented
    assert "machines you control" in own


def test_the_gemini_structured_output_warning_is_not_said_of_every_tuned_model(make_answers):
    tuned = make_answers(task_type="extraction", output_consistency_need="high", labeled_examples=5000)
    result = recommend(tuned)
    assert result.verdict == FT
    why = next(t.why for t in result.techniques if t.id == "structured_output")
    assert "tuned Gemini" in why and "on Vertex AI" in why


def test_the_2024_lora_land_finding_is_dated(make_answers):
    text = next(r.text for r in recommend(make_answers(use_case_breadth="narrow")).reasons
                if r.question == "use_case_breadth")
    assert "2024" in text and "beat GPT-4" not in text


# --- techniques -------------------------------------------------------------------------------------------


def test_tuned_verdicts_keep_structured_output_where_code_reads_the_output(make_answers):
    for task in ("extraction", "classification"):
        tuned = make_answers(task_type=task, output_consistency_need="high", labeled_examples=5000)
        result = recommend(tuned)
        assert result.verdict != PE and "structured_output" in _ids(result)
    tools = recommend(make_answers(task_type="conversation", output_consistency_need="high",
                                   labeled_examples=5000, uses_tools=True))
    assert "tool_calling" in _ids(tools)


def test_chain_of_thought_is_not_offered_for_fast_code_completion(make_answers):
    slow = recommend(make_answers(task_type="code", labeled_examples=20))
    assert "chain_of_thought" in _ids(slow)
    fast = recommend(make_answers(task_type="code", labeled_examples=20, latency_budget_ms=200))
    assert "chain_of_thought" not in _ids(fast)


def test_every_result_suggests_choosing_the_model_first(make_answers):
    for answers in (make_answers(labeled_examples=0), make_answers(output_consistency_need="high",
                                                                    labeled_examples=5000)):
        assert "model_selection" in _ids(recommend(answers))


@pytest.mark.parametrize(("field", "technique"), [("batch_tolerant", "batch_processing"),
                                                  ("uses_tools", "tool_calling")])
def test_an_answer_brings_its_technique(make_answers, field, technique):
    assert technique in _ids(recommend(make_answers(**{field: True})))
    assert technique not in _ids(recommend(make_answers(**{field: False})))


def test_preference_and_reinforcement_tuning_need_their_data(make_answers):
    tuned = dict(output_consistency_need="high", labeled_examples=5000, task_type="code",
                 accuracy_criticality="high")
    assert "preference_tuning" in _ids(recommend(make_answers(**tuned, preference_data=True)))
    assert "preference_tuning" not in _ids(recommend(make_answers(**tuned, preference_data=False)))
    assert "reinforcement_fine_tuning" in _ids(recommend(make_answers(**tuned, outputs_checkable=True)))
    assert "reinforcement_fine_tuning" not in _ids(recommend(make_answers(**tuned, outputs_checkable=False)))


# --- tuning routes, judged on as_of -----------------------------------------------------------------------


def test_openai_tuning_is_never_recommended_once_it_closes_before_launch(make_answers):
    answers = make_answers(output_consistency_need="high", labeled_examples=5000, model_access="api_only")
    result = recommend(answers, as_of=DAY)
    routes = {r.id: r for r in result.tuning_routes}
    assert routes["openai"].open is False and "2027-01-06" in routes["openai"].note
    hosted = next(t.why for t in result.techniques if t.id == "hosted_fine_tuning")
    open_part = hosted.split("Not recommended")[0]
    assert "OpenAI" not in open_part and "Vertex" in open_part


def test_a_route_open_through_the_window_is_named_open():
    early = judge_routes({"model_access": "api_only", "time_to_deploy_weeks": 4}, date(2026, 3, 1), 12)
    assert {r["id"]: r["open"] for r in early}["openai"] is True
    late = judge_routes({"model_access": "api_only", "time_to_deploy_weeks": 4}, date(2026, 12, 1), 12)
    assert {r["id"]: r["open"] for r in late}["openai"] is False


def test_every_route_row_cites_its_source():
    for route in ROUTES:
        assert "domain" in route.source and route.note


def test_a_result_is_reproducible_from_its_date(make_answers):
    answers = make_answers(output_consistency_need="high", labeled_examples=5000)
    first = recommend(answers, as_of=DAY).model_dump(mode="json")
    assert first == recommend(answers, as_of=DAY).model_dump(mode="json")
    assert first["as_of"] == "2026-12-06"


# --- reasons and confidence -------------------------------------------------------------------------------


def test_both_sides_list_what_pushed_them(make_answers):
    bank = make_answers(task_type="conversation", output_consistency_need="high", labeled_examples=3000,
                        data_confidential=True, requirements_change_frequency="monthly",
                        needs_fresh_or_private_knowledge=True)
    result = recommend(bank)
    assert result.verdict == HY
    prompting = [r for r in result.reasons if r.leans == PE]
    assert {r.question for r in prompting} >= {"requirements_change_frequency",
                                               "needs_fresh_or_private_knowledge"}


def test_a_gate_over_a_large_lead_lowers_confidence(make_answers):
    strong = dict(output_consistency_need="high", domain_specificity="high", accuracy_criticality="high",
                  labeled_examples=20000)
    gated = recommend(make_answers(**strong, requirements_change_frequency="weekly"))
    weak = recommend(make_answers(requirements_change_frequency="weekly"))
    assert gated.verdict == weak.verdict == PE
    assert gated.confidence < weak.confidence
    assert any("firm limit" in line for line in gated.confidence_explained.lowered_by)


def test_confidence_is_explained_with_its_own_figure(make_answers):
    result = recommend({"output_consistency_need": "high"})
    explained = result.confidence_explained
    assert f"{round(result.confidence * 100)}%" in explained.meaning
    assert "not a probability" in explained.meaning
    assert any("open questions" in line for line in explained.would_raise)


def test_no_flip_moves_a_number_by_less_than_a_tenth(make_answers):
    for examples in (100, 1000, 1001, 10000):
        answers = make_answers(output_consistency_need="high", labeled_examples=examples)
        for flip in recommend(answers).flips:
            current = answers.get(flip.question)
            if isinstance(current, int) and not isinstance(current, bool):
                assert abs(flip.answer - current) >= 0.1 * current, (flip, current)


# --- the broad-use and deadline misfires ------------------------------------------------------------------


def test_broad_use_does_not_hide_a_skill_prompts_cannot_supply(make_answers):
    gap = dict(output_consistency_need="high", labeled_examples=20000, use_case_breadth="broad",
               domain_specificity="high")
    assert recommend(make_answers(**gap, knowledge_in_base_model="no")).verdict == FT
    assert recommend(make_answers(**gap, knowledge_in_base_model="partly")).verdict == HY


# --- evaluation plan --------------------------------------------------------------------------------------


def test_the_evaluation_plan_uses_the_teams_own_examples(make_answers):
    plan = recommend(make_answers(labeled_examples=3000)).evaluation_plan
    assert "600 of your 3,000 examples" in plan.data
    small = recommend(make_answers(labeled_examples=0)).evaluation_plan
    assert "50-100 real cases" in small.data


def test_the_evaluation_plan_fits_the_task(make_answers):
    code = recommend(make_answers(task_type="code")).evaluation_plan
    assert any("unit-test" in m for m in code.metrics) and code.grader.startswith("Code")
    chat = recommend(make_answers(task_type="conversation", needs_fresh_or_private_knowledge=True,
                                  uses_tools=True)).evaluation_plan
    assert chat.grader.startswith("An LLM judge") and chat.retrieval_checks and chat.tool_call_checks


def test_next_steps_start_with_the_cheapest_test(make_answers):
    for answers in (make_answers(labeled_examples=0), make_answers(output_consistency_need="high",
                                                                    labeled_examples=5000)):
        assert recommend(answers).next_steps[0].startswith("First, the cheapest test of this verdict")


# --- 2026 risks -------------------------------------------------------------------------------------------


def test_retrieval_and_tools_bring_their_security_risks(make_answers):
    risks = [r.id for r in recommend(make_answers(uses_tools=True)).risks]
    assert "prompt_injection" in risks and "excessive_agency" in risks
    risks = [r.id for r in recommend(make_answers(needs_fresh_or_private_knowledge=True)).risks]
    assert "prompt_injection" in risks and "excessive_agency" not in risks


# --- the cost options the verdict relies on (the cost model adds them: issue 12 item 3) --------------------

COST_OPTIONS = "options" in Costs.model_fields


@pytest.mark.skipif(not COST_OPTIONS, reason="costs.options arrives with the cost model's branch")
@pytest.mark.parametrize("case", ALL_CASES, ids=CASE_IDS)
def test_every_case_names_a_cost_option_that_matches_its_verdict(case):
    costs = recommend(case["answers"], as_of=DAY).costs
    options = {o.id: o for o in costs.options}
    assert costs.recommended_option in options
    cheapest = min(options.values(), key=lambda o: o.total_24_months)
    if options[costs.recommended_option].total_24_months > cheapest.total_24_months:
        assert costs.why_not_cheapest and costs.why_not_cheapest.count(". ") == 0


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_unanswered_v2_questions_do_not_lower_a_v1_answer_sets_confidence(path):
    # The nine new questions shape the plan, not the verdict: leaving them open costs no confidence.
    answers = load_example(path)["answers"]
    shaped = {"batch_tolerant": False, "uses_tools": False, "deployment": "hosted_api",
              "current_model": "other", "preference_data": False, "outputs_checkable": False,
              "prompt_baseline": "not_measured", "latency_budget_ms": 5000}
    assert recommend(answers).confidence == recommend({**answers, **shaped}).confidence
