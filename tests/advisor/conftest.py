"""Fixtures for the engine tests: the public example files, an answers factory, a hypothesis strategy."""

import json
from pathlib import Path

import pytest
from hypothesis import strategies as st

from tests.conftest import EXAMPLES, ROOT, SCHEMA_FILE

# The engine reads answers-v2; v1 stays published and every v1-valid file must be v2-valid.
SCHEMA_V1 = json.loads(SCHEMA_FILE.read_text())
SCHEMA_V2_FILE = ROOT / "app" / "contracts" / "answers-v2.schema.json"
SCHEMA = json.loads(SCHEMA_V2_FILE.read_text())
EXAMPLE_FILES = sorted(EXAMPLES.glob("*.json"))

# Numbers near the thresholds the rules use, so generated answers cross them often.
INTERESTING = {
    "labeled_examples": [0, 1, 5, 49, 50, 71, 72, 99, 100, 143, 999, 1000, 1429, 9999, 10000, 50000],
    "time_to_deploy_weeks": [0, 1, 2, 3, 5, 6, 12, 52],
    "monthly_requests": [0, 9999, 10000, 500000, 5000000, 50000000],
    "avg_prompt_tokens_without_examples": [1, 999, 1000, 1999, 2000, 50000],
    "avg_output_tokens": [1, 200, 5000],
    "prompt_examples_today": [0, 1, 3, 10, 1000],
    "latency_budget_ms": [1, 199, 200, 500, 1000, 2000, 600000],
}
# current_model: the price-table ids the wizard offers, "other", and ids no table knows (treated as other).
MODEL_IDS = [
    "openai-gpt-6.2-sol", "openai-gpt-6.1-terra", "openai-gpt-6-luna", "openai-gpt-4.1",
    "openai-gpt-4.1-mini", "openai-gpt-4o-mini", "anthropic-claude-opus-5.5", "anthropic-claude-sonnet-5.5",
    "anthropic-claude-haiku-5.5", "google-gemini-3.8-flash", "google-gemini-3.5-flash-lite",
    "google-gemini-2.5-flash-lite", "fireworks-gpt-oss-120b", "fireworks-gpt-oss-20b", "other",
    "acme-model-9", "0",
]


def _field_strategy(name: str, spec: dict):
    if "enum" in spec:
        return st.sampled_from(spec["enum"])
    if spec["type"] == "boolean":
        return st.booleans()
    if spec["type"] == "string":
        return st.sampled_from(MODEL_IDS)
    full_range = st.integers(spec["minimum"], spec["maximum"])
    return st.one_of(st.sampled_from(INTERESTING[name]), full_range)


FIELD_STRATEGIES = {name: _field_strategy(name, spec) for name, spec in SCHEMA["properties"].items()}
# Any subset of the fields, each with any valid value: the whole answer space.
answers_strategy = st.fixed_dictionaries({}, optional=FIELD_STRATEGIES)


def load_example(path: Path) -> dict:
    return json.loads(path.read_text())


@pytest.fixture
def make_answers():
    """A complete, unremarkable set of answers; override fields by keyword."""

    def make(**overrides) -> dict:
        answers = {
            "task_type": "extraction", "accuracy_criticality": "medium", "output_consistency_need": "medium",
            "domain_specificity": "medium", "knowledge_in_base_model": "partly", "labeled_examples": 500,
            "data_quality": "high", "data_confidential": False, "budget": "medium", "gpu_access": "cloud",
            "ml_expertise": "some", "time_to_deploy_weeks": 12, "monthly_requests": 100000,
            "avg_prompt_tokens_without_examples": 600, "avg_output_tokens": 200, "latency_sensitive": False,
            "requirements_change_frequency": "rare", "use_case_breadth": "narrow",
            "needs_fresh_or_private_knowledge": False, "model_access": "both",
        }
        answers.update(overrides)
        return {key: value for key, value in answers.items() if value is not None}

    return make
