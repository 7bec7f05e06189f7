"""The starter kit's files, checked against the answers that made them (no web, no database)."""

import ast
import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

import app.reports.starter_kit as kit_module
from app.advisor import recommend
from tests.conftest import EXAMPLES
from tests.kit.kit_files import csv_rows, fenced_blocks, jsonl, sections

AS_OF = date(2026, 12, 6)
VIEW = "https://advisor.example/v/VIEWTOKEN"


def example(name: str, **changes) -> dict:
    answers = json.loads((EXAMPLES / f"{name}.json").read_text())["answers"]
    return {k: v for k, v in (answers | changes).items() if v is not None}


def kit(answers: dict, *, view_url: str | None = VIEW, as_of: date = AS_OF) -> tuple[dict[str, str], object]:
    rec = recommend(answers, as_of=as_of)
    files = kit_module.starter_kit(answers, rec, name="Team project", view_url=view_url, as_of=as_of)
    return {path: content.decode("utf-8") for path, content in files.items()}, rec


def json_blocks(markdown: str) -> list:
    return [json.loads(body) for language, body in fenced_blocks(markdown) if language == "json"]


# --- eval/cases.csv fits the task's metric ------------------------------------------------------


@pytest.mark.parametrize(("task", "columns"), [
    ("classification", ["expected_label"]),
    ("extraction", ["expected_json"]),
    ("summarization", ["reference", "rubric_notes"]),
    ("generation", ["reference", "rubric_notes"]),
    ("code", ["unit_tests"]),
    ("translation", ["reference", "glossary_terms"]),
])
def test_the_evaluation_sheet_has_the_columns_the_tasks_metric_needs(task, columns):
    files, _ = kit(example("marketing-copy", task_type=task))
    rows = csv_rows(files["eval/cases.csv"])
    header = list(rows[0])
    assert header[:2] == ["id", "input"]
    for column in columns:
        assert column in header
    assert ("expected_label" in header) == (task == "classification")
    for column in header:  # the README explains every column the sheet has
        assert f"`{column}`" in files["eval/README.md"]


def test_a_team_with_private_documents_and_tools_also_labels_passages_and_tool_calls():
    files, rec = kit(example("startup-support-bot", needs_fresh_or_private_knowledge=True, uses_tools=True))
    assert rec.add_retrieval
    header = list(csv_rows(files["eval/cases.csv"])[0])
    assert "relevant_passages" in header and "expected_tool_calls" in header
    without, _ = kit(example("startup-support-bot"))
    assert "relevant_passages" not in without["eval/cases.csv"]
    assert "expected_tool_calls" not in without["eval/cases.csv"]


def test_the_evaluation_readme_follows_the_results_evaluation_plan():
    files, rec = kit(example("legal-assistant"))
    plan = rec.evaluation_plan
    readme = sections(files["eval/README.md"])
    for metric in plan.metrics:
        assert metric in readme["Metric"]
    assert plan.threshold in readme["The threshold that decides"]
    assert plan.data in readme["How many cases, and which"]
    assert "1,200 of your 6,000" in readme["How many cases, and which"]  # held out from their own data
    assert "never put them in a prompt" in readme["Holding out part of your own data"]


def test_a_result_stored_without_an_evaluation_plan_still_gets_an_evaluation_sheet():
    answers = example("startup-support-bot")
    old = recommend(answers, as_of=AS_OF).model_copy(update={"evaluation_plan": None})
    files = kit_module.starter_kit(answers, old, name="Old", view_url=None, as_of=AS_OF)
    assert b"re-evaluate" in files["eval/README.md"]
    assert csv_rows(files["eval/cases.csv"].decode())


# --- prompt.md --------------------------------------------------------------------------------


def test_a_tools_team_gets_strict_tool_definitions_that_parse_and_others_get_none():
    files, _ = kit(example("startup-support-bot", uses_tools=True))
    tools = [block for block in json_blocks(files["prompt.md"]) if isinstance(block, list)]
    assert len(tools) == 1
    for tool in tools[0]:
        assert tool["strict"] is True
        Draft202012Validator.check_schema(tool["parameters"])
        assert tool["parameters"]["additionalProperties"] is False
        assert set(tool["parameters"]["required"]) == set(tool["parameters"]["properties"])
    without, _ = kit(example("startup-support-bot", uses_tools=False))
    assert "Tool definitions" not in sections(without["prompt.md"])
    assert not [b for b in json_blocks(without["prompt.md"]) if isinstance(b, list)]


def test_structured_output_brings_an_output_schema_in_the_strict_subset():
    files, rec = kit(example("legal-assistant"))
    assert "structured_output" in {t.id for t in rec.techniques}
    (schema,) = [b for b in json_blocks(files["prompt.md"]) if isinstance(b, dict)]
    Draft202012Validator.check_schema(schema)
    assert schema["additionalProperties"] is False
    assert set(schema["required"]) == set(schema["properties"])
    assert "summary" in schema["properties"]  # a summarisation task's shape
    plain, plain_rec = kit(example("marketing-copy"))
    assert "structured_output" not in {t.id for t in plain_rec.techniques}
    assert "Output schema" not in sections(plain["prompt.md"])


def test_a_classification_schema_constrains_the_label_to_a_list():
    files, rec = kit(example("legal-assistant", task_type="classification"))
    assert "structured_output" in {t.id for t in rec.techniques}
    (schema,) = [b for b in json_blocks(files["prompt.md"]) if isinstance(b, dict)]
    validator = Draft202012Validator(schema)
    assert validator.is_valid({"label": schema["properties"]["label"]["enum"][0]})
    assert not validator.is_valid({"label": "a label nobody listed"})
    assert not validator.is_valid({"label": schema["properties"]["label"]["enum"][0], "extra": 1})


def test_the_few_shot_skeleton_appears_only_when_few_shot_is_recommended():
    few, few_rec = kit(example("marketing-copy"))
    assert "few_shot" in {t.id for t in few_rec.techniques}
    assert "Examples (few-shot)" in sections(few["prompt.md"])
    assert few["prompt.md"].count("<example>") == kit_module.FEW_SHOT_SLOTS
    none, none_rec = kit(example("startup-support-bot"))
    assert not {"few_shot", "one_shot"} & {t.id for t in none_rec.techniques}
    assert "<example>" not in none["prompt.md"]


def test_the_prompt_names_every_recommended_technique_and_retrieval_only_when_advised():
    files, rec = kit(example("startup-support-bot", needs_fresh_or_private_knowledge=True))
    for technique in rec.techniques:
        assert technique.name in files["prompt.md"]
    assert "<documents>" in files["prompt.md"]
    plain, _ = kit(example("startup-support-bot"))
    assert "<documents>" not in plain["prompt.md"]


def test_nothing_unknown_about_the_team_is_filled_in_as_a_fact():
    # The classification prompt lists labels the team must supply: placeholders, not invented labels.
    files, _ = kit(example("legal-assistant", task_type="classification"))
    system = next(body for language, body in fenced_blocks(files["prompt.md"]) if language == "text")
    assert "<label 1>" in system and "<role:" in system


# --- training/ --------------------------------------------------------------------------------


def test_a_prompting_verdict_gets_no_training_files():
    files, rec = kit(example("startup-support-bot"))
    assert rec.verdict == "prompt_engineering"
    assert not [path for path in files if path.startswith("training/")]
    assert set(files) == {"PLAN.md", "prompt.md", "eval/cases.csv", "eval/README.md"}


@pytest.mark.parametrize("name", ["legal-assistant", "clinic-triage-hybrid"])
def test_a_tuning_verdict_gets_chat_format_examples_that_parse(name):
    files, rec = kit(example(name))
    assert rec.verdict in {"fine_tuning", "hybrid"}
    for line in jsonl(files["training/example.jsonl"]):
        assert list(line) == ["messages"]
        assert [m["role"] for m in line["messages"]] == ["system", "user", "assistant"]
        assert all(isinstance(m["content"], str) and m["content"] for m in line["messages"])
    rules = sections(files["training/README.md"])
    assert {"How many", "How clean", "How to split"} <= set(rules)
    assert f"{example(name)['labeled_examples']:,} examples" in rules["How many"]
    assert "preference_pairs.jsonl" not in files and "training/preference_pairs.jsonl" not in files


def test_preference_pairs_come_when_preference_tuning_is_recommended():
    files, rec = kit(example("legal-assistant", preference_data=True))
    assert "preference_tuning" in {t.id for t in rec.techniques}
    for line in jsonl(files["training/preference_pairs.jsonl"]):
        assert set(line) == {"input", "preferred_output", "non_preferred_output"}
        assert line["input"]["messages"][-1]["role"] == "user"
        assert line["preferred_output"][0]["role"] == "assistant"
        assert line["preferred_output"][0]["content"] != line["non_preferred_output"][0]["content"]


def test_reinforcement_and_distillation_advice_say_what_data_those_methods_take():
    # domain-2026.md 6.1 T4: reinforcement tuning needs checkable outputs and a reasoning need (code here).
    rft_answers = example("legal-assistant", task_type="code", outputs_checkable=True)
    files, rec = kit(rft_answers)
    assert "reinforcement_fine_tuning" in {t.id for t in rec.techniques}
    assert "reference answer each and a grader" in files["training/README.md"]
    plain, plain_rec = kit(example("legal-assistant"))
    assert not {"reinforcement_fine_tuning", "distillation"} & {t.id for t in plain_rec.techniques}
    assert "grader" not in plain["training/README.md"]
    assert "Distillation" not in plain["training/README.md"]
    scale, scale_rec = kit(example("product-descriptions-at-scale"))
    assert "distillation" in {t.id for t in scale_rec.techniques}
    assert "Distillation needs prompts, not answers" in scale["training/README.md"]


def test_only_routes_open_on_the_advice_date_are_offered_for_training():
    files, rec = kit(example("legal-assistant"))
    routes = sections(files["training/README.md"])[f"Routes open on {rec.as_of}"]
    for route in rec.tuning_routes:
        assert (route.name in routes) == route.open


def test_confidential_data_brings_the_redaction_rule():
    files, _ = kit(example("legal-assistant", data_confidential=True))
    assert "Confidential data" in sections(files["training/README.md"])
    other, _ = kit(example("legal-assistant", data_confidential=False))
    assert "Confidential data" not in sections(other["training/README.md"])


# --- PLAN.md ----------------------------------------------------------------------------------


def test_the_plan_holds_the_verdict_reasons_both_ways_dated_steps_revisit_and_the_view_link():
    answers = example("clinic-triage-hybrid")
    files, rec = kit(answers)
    plan = files["PLAN.md"]
    parts = sections(plan)
    assert "Both: fine-tuning with prompt engineering" in plan.splitlines()[2]
    for reason in rec.reasons:
        side = reason.leans or (reason.favours if reason.weight else None)
        if side == "fine_tuning":
            assert reason.text in parts["Reasons for tuning"]
        elif side == "prompt_engineering":
            assert reason.text in parts["Reasons for prompting"]
    rows = [line for line in parts["Experiment plan"].splitlines() if line.startswith("| 20")]
    assert len(rows) == len(rec.next_steps)
    assert rows[0].startswith(f"| {AS_OF.isoformat()} |")
    starts = [date.fromisoformat(row.split("|")[1].strip()) for row in rows]
    assert starts == sorted(starts) and starts[-1] < AS_OF + timedelta(weeks=answers["time_to_deploy_weeks"])
    assert f"Revisit on {(AS_OF + timedelta(weeks=rec.revisit_in_weeks)).isoformat()}" in parts
    assert VIEW in parts["The assessment"]


def test_what_would_change_the_verdict_reads_as_the_wizard_words_it():
    files, rec = kit(example("legal-assistant"))
    assert rec.flips
    part = sections(files["PLAN.md"])["What would change the verdict"]
    for flip in rec.flips:
        assert f"`{flip.question}`" not in part and f"{flip.question}:" not in part
    assert "49 examples would make it Prompt engineering" in part
    assert "private documents?: Yes would make it Both: fine-tuning with prompt engineering" in part


def test_a_kit_made_weeks_later_keeps_the_advices_revisit_date_and_dates_the_steps_from_today():
    answers = example("startup-support-bot")
    rec = recommend(answers, as_of=AS_OF)
    later = AS_OF + timedelta(weeks=3)
    plan = kit_module.starter_kit(answers, rec, name="x", view_url=None, as_of=later)["PLAN.md"].decode()
    assert f"Revisit on {(AS_OF + timedelta(weeks=rec.revisit_in_weeks)).isoformat()}" in sections(plan)
    assert f"| {later.isoformat()} |" in sections(plan)["Experiment plan"]


def test_a_launch_sooner_than_the_steps_says_the_later_steps_run_after_launch():
    files, rec = kit(example("startup-support-bot", time_to_deploy_weeks=1))
    assert len(rec.next_steps) > 1
    assert "run after launch" in sections(files["PLAN.md"])["Experiment plan"]
    unknown, _ = kit(example("startup-support-bot", time_to_deploy_weeks=None))
    assert "not answered yet" in sections(unknown["PLAN.md"])["Experiment plan"]


def test_without_a_live_view_link_the_plan_says_how_to_make_one():
    files, _ = kit(example("startup-support-bot"), view_url=None)
    assert "/v/" not in files["PLAN.md"]
    assert "Share page" in sections(files["PLAN.md"])["The assessment"]


def test_the_plan_lists_exactly_the_files_in_the_kit():
    for name in ("startup-support-bot", "legal-assistant"):
        files, _ = kit(example(name, preference_data=True))
        listed = sections(files["PLAN.md"])["Files in this kit"]
        for path in files:
            assert f"`{path}`" in listed


def test_the_plan_shows_every_priced_option_and_marks_the_one_matching_the_verdict():
    files, rec = kit(example("legal-assistant"))
    part = sections(files["PLAN.md"])["Costs (estimate)"]
    rows = [line for line in part.splitlines() if line.startswith("| ") and "$" in line]
    assert len(rows) == len(rec.costs.options) > 1
    for row, option in zip(rows, rec.costs.options, strict=True):
        assert row.startswith(f"| {option.label}")
        assert f"${option.monthly_expected:,.2f}" in row and f"${option.total_24_months:,.2f}" in row
        assert ("(matches the verdict)" in row) == (option.id == rec.costs.recommended_option)
    if rec.costs.why_not_cheapest:
        assert rec.costs.why_not_cheapest in part
    for option in rec.costs.options:
        for assumption in option.assumptions:
            assert assumption in part


def test_a_result_stored_before_the_options_shows_its_two_figures():
    files, rec = kit(example("legal-assistant"))
    old = rec.model_copy(update={"costs": rec.costs.model_copy(update={"options": []})})
    plan = kit_module.starter_kit(example("legal-assistant"), old, name="x", view_url=None, as_of=AS_OF)
    part = sections(plan["PLAN.md"].decode())["Costs (estimate)"]
    assert f"${rec.costs.monthly_prompt_engineering:,.2f} a month" in part
    assert f"${rec.costs.one_time_fine_tuning:,.2f} once" in part


# --- shape of the module ----------------------------------------------------------------------


def test_the_same_answers_on_the_same_day_give_the_same_kit():
    answers = example("clinic-triage-hybrid")
    assert kit(answers)[0] == kit(answers)[0]
    later, _ = kit(answers, as_of=AS_OF + timedelta(days=7))
    assert later["PLAN.md"] != kit(answers)[0]["PLAN.md"]  # the dates move with as_of


def test_the_generator_imports_no_web_database_or_template_code():
    tree = ast.parse(Path(kit_module.__file__).read_text())
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    forbidden = ("fastapi", "starlette", "sqlmodel", "sqlalchemy", "jinja2", "app.web", "app.db",
                 "app.models")
    assert not [name for name in imported if name.startswith(forbidden)]
