"""Realistic scenarios with the verdict an expert following shared/domain.md would give (scenarios/*.json).

Each file: a one-line description, expected_verdict, answers (answers-v1) and, where the expert's call
on retrieval is clear, expected_add_retrieval. They cover the borders of the gates (data, deadline,
skills, change), retrieval with and without a format need, cost at volume and partial answers.
"""

import json
from pathlib import Path

import jsonschema
import pytest

from app.advisor import recommend
from tests.advisor.conftest import SCHEMA

SCENARIO_FILES = sorted((Path(__file__).parent / "scenarios").glob("*.json"))


def _load(path: Path) -> dict:
    return json.loads(path.read_text())


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=lambda p: p.stem)
def test_scenario_gets_the_expert_verdict(path):
    scenario = _load(path)
    result = recommend(scenario["answers"])
    why = [reason.text for reason in result.reasons[:5]]
    assert result.verdict == scenario["expected_verdict"], (scenario["description"], why)
    if "expected_add_retrieval" in scenario:
        assert result.add_retrieval is scenario["expected_add_retrieval"], scenario["description"]


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=lambda p: p.stem)
def test_scenario_is_well_formed_and_explained(path):
    scenario = _load(path)
    assert set(scenario) <= {"description", "expected_verdict", "expected_add_retrieval", "answers"}
    assert scenario["description"].strip()
    jsonschema.validate(scenario["answers"], SCHEMA)
    result = recommend(scenario["answers"])
    assert len(result.reasons) >= 3
    assert all(reason.text.rstrip().endswith(".") for reason in result.reasons)
    assert result.techniques and result.next_steps


def test_scenarios_cover_every_verdict_and_retrieval():
    scenarios = [_load(path) for path in SCENARIO_FILES]
    assert len(scenarios) >= 25
    assert {s["expected_verdict"] for s in scenarios} == {"prompt_engineering", "fine_tuning", "hybrid"}
    assert {s.get("expected_add_retrieval") for s in scenarios} >= {True, False}
