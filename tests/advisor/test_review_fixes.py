"""Engine 2.0.0 after the expert review of 8 realistic cases (findings F1, F2, F13, F14, F16, F18, F19, F20).
Each test reads a result the way the reviewer did and fails on the wording or advice the review faulted."""

from datetime import date

from app.advisor import recommend
from app.advisor.costs import DEFAULT_ASSUMPTIONS
from app.advisor.engine import evaluate

PE, FT = "prompt_engineering", "fine_tuning"
DAY = date(2026, 12, 6)


def _reason(result, question):
    return next(r for r in result.reasons if r.question == question)


# F1: domain.md 0.1 / 5.5, domain-2026.md 6.1 T7.
def test_a_prompt_that_meets_the_target_weighs_strongly_for_keeping_it(make_answers):
    unmeasured = evaluate(make_answers(prompt_baseline="not_measured"), DEFAULT_ASSUMPTIONS)
    meets = evaluate(make_answers(prompt_baseline="meets_target"), DEFAULT_ASSUMPTIONS)
    assert meets.prompt_engineering == unmeasured.prompt_engineering + 3
    assert meets.fine_tuning == unmeasured.fine_tuning


def test_an_unmeasured_baseline_scores_nothing_either_way(make_answers):
    without = evaluate(make_answers(), DEFAULT_ASSUMPTIONS)
    unmeasured = evaluate(make_answers(prompt_baseline="not_measured"), DEFAULT_ASSUMPTIONS)
    assert (unmeasured.prompt_engineering, unmeasured.fine_tuning) == (without.prompt_engineering,
                                                                        without.fine_tuning)


def test_a_prompt_that_meets_the_target_still_lets_speed_argue_for_tuning(make_answers):
    answers = make_answers(prompt_baseline="meets_target", latency_sensitive=True,
                           avg_prompt_tokens_without_examples=1500)
    ev = evaluate(answers, DEFAULT_ASSUMPTIONS)
    assert ev.fired["prompt_baseline"].id == "P-base-cost" and ev.fired["prompt_baseline"].weight == 1
    text = _reason(recommend(answers, as_of=DAY), "prompt_baseline").text
    assert "cost or speed" in text and "no reason to tune" in text


def test_a_far_below_baseline_counts_for_tuning_only_with_enough_good_examples(make_answers):
    many = evaluate(make_answers(prompt_baseline="far_below", labeled_examples=400, data_quality="high"),
                    DEFAULT_ASSUMPTIONS)
    few = evaluate(make_answers(prompt_baseline="far_below", labeled_examples=60, data_quality="high"),
                   DEFAULT_ASSUMPTIONS)
    low = evaluate(make_answers(prompt_baseline="far_below", labeled_examples=4000, data_quality="low"),
                   DEFAULT_ASSUMPTIONS)
    assert many.fired["prompt_baseline"].id == "F-base" and many.fired["prompt_baseline"].favours == FT
    assert few.fired["prompt_baseline"] is None and low.fired["prompt_baseline"] is None


def test_a_close_baseline_leans_mildly_to_better_prompts(make_answers):
    ev = evaluate(make_answers(prompt_baseline="close"), DEFAULT_ASSUMPTIONS)
    assert ev.fired["prompt_baseline"].favours == PE and ev.fired["prompt_baseline"].weight == 1


# F2: domain.md 5.1 G3 and section 3: a managed LoRA service is a hosted API.
def test_an_api_only_team_sees_the_managed_lora_route_the_cost_table_prices(make_answers):
    result = recommend(make_answers(model_access="api_only", output_consistency_need="high",
                                    labeled_examples=5000, data_quality="high"), as_of=DAY)
    routes = {r.id: r.open for r in result.tuning_routes}
    assert routes.get("managed_lora") is True
    hosted = next(t for t in result.techniques if t.id == "hosted_fine_tuning")
    open_part = hosted.why.split("Not recommended")[0]
    assert "Managed LoRA on open-weight models (Together, Fireworks)" in open_part


# F13: domain-2026.md 6.3 A2: Azure tunes for existing customers only, on its own dated schedule.
def test_azure_is_offered_only_on_condition_of_being_a_customer_already(make_answers):
    result = recommend(make_answers(model_access="api_only", output_consistency_need="high",
                                    labeled_examples=5000, data_quality="high", time_to_deploy_weeks=6,
                                    requirements_change_frequency="monthly"), as_of=DAY)  # 8-week window
    azure = next(r for r in result.tuning_routes if r.id == "azure")
    assert azure.open and "if you are already an Azure OpenAI fine-tuning customer" in azure.note
    said = " ".join([t.why for t in result.techniques] + result.next_steps)
    assert "Azure OpenAI fine-tuning (if you are already an Azure OpenAI fine-tuning customer)" in said
    assert "Azure OpenAI fine-tuning;" not in said and "Azure OpenAI fine-tuning." not in said


def test_a_route_closing_in_the_revisit_window_shows_its_own_dates_not_the_window_end(make_answers):
    from app.advisor.routes import judge_routes

    launch_weeks, revisit = 12, 8  # window ends 2027-04-25, after Azure's last training day 2027-04-14
    routes = judge_routes({"model_access": "api_only", "time_to_deploy_weeks": launch_weeks}, DAY, revisit)
    azure = next(r for r in routes if r["id"] == "azure")
    assert not azure["open"]
    assert "new tuning jobs until 2027-04-14, tuned models served until 2027-10-14" in azure["note"]
    assert "(by 2027-04-25)" not in azure["note"] and "to 2027-04-25" in azure["note"]


def _risk_texts(result) -> str:
    return " ".join(r.text + " " + " ".join(r.mitigations) for r in result.risks)


# F4/F19: risks follow where the model runs (domain-2026.md 5.2, 5.3).
def test_an_on_device_model_is_not_warned_of_vendors_or_token_bills(make_answers):
    result = recommend(make_answers(deployment="on_device", data_confidential=True,
                                    avg_prompt_tokens_without_examples=2500), as_of=DAY)
    said = _risk_texts(result)
    assert "sent to a vendor" not in said and "Token cost of long prompts" not in said
    assert "confidential_data" in [r.id for r in result.risks]  # memorisation still applies


def test_a_team_on_its_own_gpus_is_not_told_of_vendors_or_provider_retirements(make_answers):
    result = recommend(make_answers(deployment="self_hosted", gpu_access="own", model_access="both",
                                    data_confidential=True), as_of=DAY)
    said = _risk_texts(result)
    assert "sent to a vendor" not in said
    assert "retired on the provider's schedule" not in said
    assert "stays on machines you control" in said


def test_a_hosted_team_still_hears_of_vendors_and_retirements(make_answers):
    result = recommend(make_answers(deployment="hosted_api", data_confidential=True, model_access="api_only"),
                       as_of=DAY)
    said = _risk_texts(result)
    assert "sent to a vendor" in said
    assert result.verdict != PE or "retired on the provider's schedule" in said


# F18: domain-2026.md 6.1 T4: verifiable answers AND a reasoning need.
def test_reinforcement_tuning_is_not_offered_to_a_checkable_task_without_reasoning(make_answers):
    tuned = dict(output_consistency_need="high", labeled_examples=5000, data_quality="high",
                 accuracy_criticality="high", outputs_checkable=True, uses_tools=True)
    agent = recommend(make_answers(**tuned, task_type="extraction"), as_of=DAY)
    coder = recommend(make_answers(**tuned, task_type="code"), as_of=DAY)
    assert agent.verdict != PE and coder.verdict != PE
    assert "reinforcement_fine_tuning" not in [t.id for t in agent.techniques]
    assert "reinforcement_fine_tuning" in [t.id for t in coder.techniques]


def test_few_shot_examples_beside_a_tuned_model_say_plainly_what_they_are_for(make_answers):
    result = recommend(make_answers(output_consistency_need="high", labeled_examples=5000,
                                    data_quality="high", requirements_change_frequency="monthly"), as_of=DAY)
    few_shot = next(t for t in result.techniques if t.id == "few_shot")
    assert "tuned releases" not in few_shot.why
    assert "not learned yet" in few_shot.why


# F20: domain-2026.md 2.6: a 24-hour window, not "most within an hour".
def test_batch_timing_is_a_24_hour_window_not_a_promise_of_an_hour(make_answers):
    result = recommend(make_answers(batch_tolerant=True), as_of=DAY)
    batch = next(t for t in result.techniques if t.id == "batch_processing")
    assert "within a 24-hour window, often sooner" in batch.why
    assert "within an hour" not in batch.why


# F14: the pointer to the open questions only when the list has entries, naming the first.
def test_the_confidence_never_points_to_an_empty_list_of_open_questions():
    answers = {"task_type": "translation", "accuracy_criticality": "low", "output_consistency_need": "medium",
               "domain_specificity": "low", "knowledge_in_base_model": "yes", "labeled_examples": 40,
               "data_quality": "medium", "budget": "low", "ml_expertise": "none", "time_to_deploy_weeks": 2,
               "monthly_requests": 3000, "avg_prompt_tokens_without_examples": 200,
               "requirements_change_frequency": "monthly", "use_case_breadth": "narrow",
               "model_access": "api_only"}  # review case 07: no open question moves anything
    result = recommend(answers, as_of=DAY)
    assert result.open_questions == []
    assert not any("open questions listed below" in s for s in result.confidence_explained.would_raise)


def test_the_pointer_to_the_open_questions_names_the_first_one(make_answers):
    answers = make_answers()
    for question in ("labeled_examples", "data_quality", "output_consistency_need"):
        answers.pop(question, None)
    result = recommend(answers, as_of=DAY)
    assert result.open_questions
    first = result.open_questions[0].question.replace("_", " ")
    pointer = [s for s in result.confidence_explained.would_raise if "open questions listed below" in s]
    assert pointer and pointer[0].endswith(f"starting with the first: {first}.")


# F16: hold-out arithmetic that reads right; few examples never both in the prompt and the test set.
def test_the_hold_out_arithmetic_reads_right_with_many_examples(make_answers):
    result = recommend(make_answers(labeled_examples=50_000), as_of=DAY)
    data = result.evaluation_plan.data
    assert "Hold out 2,000 of your 50,000 examples" in data and "20% would be 10,000; 2,000 is enough" in data
    assert "a random 20%" not in data
    assert any("20% would be 10,000; 2,000 is enough" in step for step in result.next_steps)


def test_few_examples_are_split_between_the_prompt_and_the_test_set(make_answers):
    data = recommend(make_answers(labeled_examples=40), as_of=DAY).evaluation_plan.data
    assert "Put 10 of your 40 examples in the prompt and the other 30 in the test set" in data
    assert "Your 40 examples plus" not in data


# F5: domain-2026.md 5.2/5.3, 6.4 L1/L2: a budget broken even at the fastest preset is flagged, with levers.
def test_a_latency_budget_the_answers_break_is_flagged_with_its_levers(make_answers):
    device = recommend(make_answers(deployment="on_device", avg_output_tokens=80, latency_budget_ms=1500),
                       as_of=DAY)
    flagged = next(r for r in device.risks if r.id == "latency_budget")
    assert "2.7-11.4 s" in flagged.text and "1,500 ms" in flagged.text
    levers = " ".join(flagged.mitigations)
    assert "Cut the output" in levers and "smaller" in levers and "Distil" in levers
    hosted = recommend(make_answers(deployment="hosted_api", avg_output_tokens=40, latency_budget_ms=300),
                       as_of=DAY)
    assert "latency_budget" in [r.id for r in hosted.risks]  # the first token alone takes ~0.4 s


def test_a_latency_budget_that_fits_is_not_flagged_and_the_verdict_does_not_move(make_answers):
    fits = make_answers(deployment="on_device", avg_output_tokens=20, latency_budget_ms=1500)  # 0.7 s at best
    assert "latency_budget" not in [r.id for r in recommend(fits, as_of=DAY).risks]
    broken = make_answers(deployment="on_device", avg_output_tokens=80, latency_budget_ms=1500)
    assert recommend(broken, as_of=DAY).verdict == recommend(fits, as_of=DAY).verdict
    unknown = make_answers(deployment="self_hosted", avg_output_tokens=400, latency_budget_ms=100)
    assert "latency_budget" not in [r.id for r in recommend(unknown, as_of=DAY).risks]  # no preset to judge
