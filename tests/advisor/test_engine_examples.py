"""Each public example file gets its expected verdict, and the contract's shape."""

import pytest

from app.advisor import ENGINE_VERSION, recommend
from app.questionnaire import QUESTIONNAIRE_VERSION
from tests.advisor.conftest import EXAMPLE_FILES, load_example

CONTRACT_KEYS = {
    "verdict", "confidence", "scores", "reasons", "flips", "techniques", "add_retrieval", "risks",
    "next_steps", "costs", "open_questions", "revisit_in_weeks", "questionnaire_version", "engine_version",
}
TECHNIQUE_IDS = {
    "zero_shot", "one_shot", "few_shot", "role_prompting", "chain_of_thought", "structured_output",
    "full_fine_tuning", "lora", "qlora", "instruction_tuning", "hosted_fine_tuning",
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
    assert all(set(r) == {"question", "answer", "favours", "weight", "text"} for r in output["reasons"])
    assert all(set(f) == {"question", "answer", "verdict"} for f in output["flips"])
    assert all(set(q) == {"question", "why"} for q in output["open_questions"])
    assert all(r["mitigations"] for r in output["risks"])
    assert output["next_steps"] and output["techniques"]
    assert output["questionnaire_version"] == QUESTIONNAIRE_VERSION
    assert output["engine_version"] == ENGINE_VERSION
