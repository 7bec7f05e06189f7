"""Each public example file gets its expected verdict, and the contract's shape."""

import pytest

from app.advisor import ENGINE_VERSION, recommend
from app.questionnaire import QUESTIONNAIRE_VERSION
from tests.advisor.conftest import EXAMPLE_FILES, load_example

CONTRACT_KEYS = {
    "verdict", "confidence", "scores", "reasons", "flips", "techniques", "add_retrieval", "risks",
    "next_steps", "costs", "open_questions", "revisit_in_weeks", "questionnaire_version", "engine_version",
    # engine 2.0.0
    "confidence_explained", "evaluation_plan", "tuning_routes", "as_of",
}
TECHNIQUE_IDS = {
    "zero_shot", "one_shot", "few_shot", "role_prompting", "chain_of_thought", "structured_output",
    "full_fine_tuning", "lora", "qlora", "instruction_tuning", "hosted_fine_tuning",
    "distillation", "preference_tuning", "reinforcement_fine_tuning", "tool_calling", "prompt_caching",
    "batch_processing", "model_selection",
}


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_example_gets_its_expected_verdict(path):
    example = load_example(path)
    result = recommend(example["answers"])
    assert result.verdict == example["expected_verdict"], [r.text for r in result.reasons[:5]]


def test_there_are_examples_of_every_verdict():
    verdicts = {load_example(path)["expected_verdict"] for path in EXAMPLE_FILES}
    assert verdicts == {"prompt_engineering", "fine_tuning", "hybrid"}


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_result_follows_the_output_contract(path):
    output = recommend(load_example(path)["answers"]).model_dump(mode="json")
    assert set(output) == CONTRACT_KEYS
    assert set(output["scores"]) == {"prompt_engineering", "fine_tuning"}
    assert set(output["costs"]) == {"currency", "monthly_prompt_engineering", "monthly_fine_tuned",
                                    "one_time_fine_tuning", "break_even_months", "assumptions",
                                    "options", "recommended_option", "why_not_cheapest", "prices_as_of",
                                    "notices"}
    assert output["costs"]["currency"] == "USD"
    assert {t["id"] for t in output["techniques"]} <= TECHNIQUE_IDS
    reason_keys = {"question", "answer", "favours", "weight", "text", "leans"}
    assert all(set(r) == reason_keys for r in output["reasons"])
    assert all(set(f) == {"question", "answer", "verdict"} for f in output["flips"])
    assert all(set(q) == {"question", "why"} for q in output["open_questions"])
    assert all(r["mitigations"] for r in output["risks"])
    assert output["next_steps"] and output["techniques"]
    assert output["questionnaire_version"] == QUESTIONNAIRE_VERSION
    assert output["engine_version"] == ENGINE_VERSION
    plan = output["evaluation_plan"]
    assert all(plan[key] for key in ("metrics", "grader", "data", "threshold", "regression_set"))
    explained = output["confidence_explained"]
    assert str(round(output["confidence"] * 100)) in explained["meaning"] and explained["would_raise"]
