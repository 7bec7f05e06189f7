"""The rules, table by table: scenarios -> verdicts, gates, retrieval, techniques, risks, flips, questions."""

import re
from pathlib import Path

import pytest
from hypothesis import given, settings

from app.advisor import Answers, recommend
from app.advisor.costs import DEFAULT_ASSUMPTIONS
from app.advisor.engine import evaluate, evaluate_change
from app.advisor.flips import candidates
from app.advisor.rules import GATES, IMPORTANCE, RULES
from app.questionnaire import load_questionnaire
from tests.advisor.conftest import answers_strategy

PE, FT, HY = "prompt_engineering", "fine_tuning", "hybrid"

# Scenario table: (name, overrides of the unremarkable base answers, expected verdict).
SCENARIOS = [
    ("strict format, thousands of examples, stable",
     dict(output_consistency_need="high", labeled_examples=5000), FT),
    ("same, but requirements change monthly", dict(output_consistency_need="high", labeled_examples=5000,
                                                  requirements_change_frequency="monthly"), HY),
    ("same, but requirements change weekly", dict(output_consistency_need="high", labeled_examples=5000,
                                                 requirements_change_frequency="weekly"), PE),
    ("same, but live in two weeks", dict(output_consistency_need="high", labeled_examples=5000,
                                         time_to_deploy_weeks=2), PE),
    ("same, but the data is poor", dict(output_consistency_need="high", labeled_examples=5000,
                                        data_quality="low"), PE),
    ("same, but only 30 examples", dict(output_consistency_need="high", labeled_examples=30), PE),
    ("same, plus facts from private documents", dict(output_consistency_need="high", labeled_examples=5000,
                                                     needs_fresh_or_private_knowledge=True), HY),
    ("facts are the gap, format is loose", dict(labeled_examples=5000, needs_fresh_or_private_knowledge=True,
                                                domain_specificity="high", accuracy_criticality="high"), PE),
    ("no data yet", dict(output_consistency_need="high", labeled_examples=0), PE),
    ("dataset not identified", dict(output_consistency_need="high", labeled_examples=None), PE),
    ("broad assistant, general knowledge", dict(use_case_breadth="broad", knowledge_in_base_model="yes",
                                                domain_specificity="low"), PE),
    ("reasoning task, few examples", dict(task_type="reasoning", labeled_examples=40), PE),
    ("high volume with a long few-shot prompt", dict(output_consistency_need="high", labeled_examples=50000,
                                                     monthly_requests=5_000_000), FT),
    ("low budget, no skills, api only", dict(budget="low", ml_expertise="none", model_access="api_only",
                                             labeled_examples=2000), PE),
    ("open weights only, no GPU, no skills", dict(output_consistency_need="high", labeled_examples=5000,
                                                  model_access="open_weights", gpu_access="none",
                                                  ml_expertise="none"), PE),
    ("specialist language the model lacks", dict(domain_specificity="high", knowledge_in_base_model="no",
                                                 labeled_examples=20000, output_consistency_need="high"), FT),
]


@pytest.mark.parametrize(("overrides", "verdict"), [s[1:] for s in SCENARIOS], ids=[s[0] for s in SCENARIOS])
def test_scenario_verdict(make_answers, overrides, verdict):
    assert recommend(make_answers(**overrides)).verdict == verdict


def test_pilot_band_needs_twice_the_margin(make_answers):
    strong = dict(output_consistency_need="high", domain_specificity="high", accuracy_criticality="high")
    assert recommend(make_answers(labeled_examples=72, data_quality="high")).verdict == PE
    assert recommend(make_answers(labeled_examples=72, data_quality="high", **strong)).verdict == FT


def test_quality_scales_the_example_count(make_answers):
    strong = dict(output_consistency_need="high", domain_specificity="high", accuracy_criticality="high")
    # 60 reviewed examples count as 60 (a pilot); 60 partly reviewed ones as 42, under the gate of 50.
    assert recommend(make_answers(labeled_examples=60, data_quality="high", **strong)).verdict == FT
    assert recommend(make_answers(labeled_examples=60, data_quality="medium", **strong)).verdict == PE


def test_retrieval_is_added_exactly_when_facts_change_or_are_private(make_answers):
    assert recommend(make_answers(needs_fresh_or_private_knowledge=True)).add_retrieval
    assert not recommend(make_answers(needs_fresh_or_private_knowledge=False)).add_retrieval
    assert not recommend(make_answers(needs_fresh_or_private_knowledge=None)).add_retrieval


def test_every_answer_is_explained_once(make_answers):
    answers = make_answers()
    questions = [r.question for r in recommend(answers).reasons]
    assert sorted(questions) == sorted(answers)


def test_reasons_name_the_numbers_they_use(make_answers):
    answers = make_answers(labeled_examples=30, data_quality="medium")
    reasons = {r.question: r.text for r in recommend(answers).reasons}
    assert "About 21 good examples" in reasons["labeled_examples"]  # 30 x 0.7 for medium quality
    assert "{" not in " ".join(reasons.values())


def test_every_rule_reads_a_real_question_and_cites_its_source():
    fields = set(Answers.model_fields)
    questions = {q.id for q in load_questionnaire().questions}
    for rule in [*RULES, *GATES]:
        assert rule.question in fields and rule.question in questions, rule.id
        assert re.search(r"\d\.\d|seed|Azure|OpenAI|Google", rule.source), rule.id
    assert set(IMPORTANCE) == fields


@settings(max_examples=150, deadline=None)
@given(answers_strategy)
def test_incremental_evaluation_equals_a_full_run(answers):
    base = evaluate(answers, DEFAULT_ASSUMPTIONS)
    for question in IMPORTANCE:
        for value in candidates(question, answers, DEFAULT_ASSUMPTIONS)[:3]:
            changed = {**answers, question: value}
            full = evaluate(changed, DEFAULT_ASSUMPTIONS)
            fast = evaluate_change(base, changed, question, DEFAULT_ASSUMPTIONS)
            assert (fast.verdict, fast.prompt_engineering, fast.fine_tuning, fast.gates) == (
                full.verdict, full.prompt_engineering, full.fine_tuning, full.gates)
            assert fast.fired == full.fired


def _technique_ids(answers) -> list[str]:
    return [t.id for t in recommend(answers).techniques]


def test_techniques_follow_the_route(make_answers):
    tuned = dict(output_consistency_need="high", labeled_examples=5000)
    assert "hosted_fine_tuning" in _technique_ids(make_answers(model_access="api_only", **tuned))
    assert "lora" not in _technique_ids(make_answers(model_access="api_only", **tuned))
    assert "lora" in _technique_ids(make_answers(model_access="open_weights", gpu_access="own", **tuned))
    no_gpu = make_answers(model_access="open_weights", gpu_access="none", **tuned)
    assert "qlora" not in _technique_ids(no_gpu)
    full = dict(model_access="open_weights", gpu_access="own", ml_expertise="strong", budget="high")
    assert "full_fine_tuning" in _technique_ids(make_answers(**full, output_consistency_need="high",
                                                             labeled_examples=20000))
    assert "full_fine_tuning" not in _technique_ids(make_answers(**full, output_consistency_need="high",
                                                                 labeled_examples=2000))


def test_prompting_techniques_fit_the_task(make_answers):
    assert "chain_of_thought" in _technique_ids(make_answers(task_type="reasoning", labeled_examples=10))
    assert "structured_output" in _technique_ids(make_answers(task_type="extraction", labeled_examples=10))
    assert "few_shot" in _technique_ids(make_answers(labeled_examples=10))
    assert "one_shot" in _technique_ids(make_answers(labeled_examples=2))
    assert "zero_shot" in _technique_ids(make_answers(labeled_examples=0))
    assert "role_prompting" in _technique_ids(make_answers(task_type="conversation", labeled_examples=0))


def _risk_ids(answers) -> list[str]:
    return [r.id for r in recommend(answers).risks]


def test_risks_follow_the_path(make_answers):
    small_tuning = make_answers(output_consistency_need="high", domain_specificity="high",
                                labeled_examples=300)
    assert recommend(small_tuning).verdict == FT
    assert {"overfitting", "catastrophic_forgetting"} <= set(_risk_ids(small_tuning))
    assert "prompt_sensitivity" in _risk_ids(make_answers(labeled_examples=0))
    assert "confidential_data" in _risk_ids(make_answers(data_confidential=True))
    assert "poor_data" in _risk_ids(make_answers(data_quality="low"))


def test_flips_include_the_thresholds_that_matter():
    legal = {"output_consistency_need": "high", "labeled_examples": 6000, "data_quality": "high",
             "requirements_change_frequency": "rare", "time_to_deploy_weeks": 16,
             "use_case_breadth": "narrow"}
    flips = {(f.question, f.answer): f.verdict for f in recommend(legal).flips}
    assert flips[("requirements_change_frequency", "monthly")] == HY
    assert flips[("time_to_deploy_weeks", 2)] == PE
    fewer = [answer for (question, answer), verdict in flips.items() if question == "labeled_examples"]
    assert fewer and all(answer < 100 for answer in fewer)  # under the 100 that Google and AWS ask for


def test_unanswered_data_question_tops_the_open_questions():
    result = recommend({"output_consistency_need": "high", "domain_specificity": "high",
                        "accuracy_criticality": "high", "use_case_breadth": "narrow"})
    assert result.open_questions[0].question == "labeled_examples"
    assert "fine tuning" in result.open_questions[0].why


@pytest.mark.parametrize(("change", "weeks"), [("weekly", 4), ("monthly", 8), ("rare", 26), (None, 12)])
def test_revisit_follows_how_fast_requirements_change(make_answers, change, weeks):
    answers = make_answers(requirements_change_frequency=change, output_consistency_need="high",
                           labeled_examples=5000)
    assert recommend(answers).revisit_in_weeks == weeks


def test_confidence_drops_when_decisive_answers_are_missing(make_answers):
    full = recommend(make_answers(output_consistency_need="high", labeled_examples=5000))
    sparse = recommend({"output_consistency_need": "high", "labeled_examples": 5000})
    assert sparse.confidence < full.confidence


def test_next_steps_follow_the_verdict(make_answers):
    tuned = recommend(make_answers(output_consistency_need="high", labeled_examples=5000)).next_steps
    assert any("Prepare the training data" in s for s in tuned)
    assert any("Deploy and monitor" in s for s in tuned)
    prompted = recommend(make_answers(labeled_examples=0)).next_steps
    assert any("variants" in s for s in prompted)
    hybrid = recommend(make_answers(output_consistency_need="high", labeled_examples=5000,
                                    requirements_change_frequency="monthly")).next_steps
    assert any("Keep in the prompt" in s for s in hybrid)


def test_engine_docs_name_every_rule_and_gate():
    docs = (Path(__file__).resolve().parents[2] / "docs" / "engine.md").read_text()
    for item in [*RULES, *GATES]:
        assert item.id in docs, item.id


def _reason(answers, question):
    return next(r for r in recommend(answers).reasons if r.question == question)


def test_rarely_changing_requirements_are_no_reason_to_tune(make_answers):
    # 5.1 G4 limits tuning when requirements change; stability is not listed as evidence for it.
    rare = _reason(make_answers(requirements_change_frequency="rare"), "requirements_change_frequency")
    assert rare.weight == 0 and "rarely" in rare.text and "monthly" not in rare.text
    # A low budget at low volume outweighs a strict format with 1,500 examples (5.3 P2, P5).
    small = make_answers(output_consistency_need="high", labeled_examples=1500, budget="low",
                         monthly_requests=3000, model_access="api_only")
    assert recommend(small).verdict == PE


def test_neutral_sentences_fit_the_answer_given(make_answers):
    unknown = _reason(make_answers(knowledge_in_base_model="no"), "knowledge_in_base_model").text
    assert "does not know" in unknown and "partly" not in unknown
    public = _reason(make_answers(data_confidential=False), "data_confidential").text
    assert "not confidential" in public
    jargon = make_answers(domain_specificity="high", knowledge_in_base_model="no")
    assert "does not fully know" in _reason(jargon, "domain_specificity").text


def test_chain_of_thought_is_for_reasoning_not_for_summaries(make_answers):
    summary = make_answers(task_type="summarization", accuracy_criticality="high", labeled_examples=10)
    assert "chain_of_thought" not in _technique_ids(summary)
    questions = make_answers(task_type="question_answering", accuracy_criticality="high", labeled_examples=10)
    assert "chain_of_thought" in _technique_ids(questions)
    tuned_reasoning = make_answers(task_type="reasoning", output_consistency_need="high",
                                   labeled_examples=5000, domain_specificity="high")
    assert recommend(tuned_reasoning).verdict == FT
    assert "chain_of_thought" in _technique_ids(tuned_reasoning)


def test_instruction_tuning_is_not_offered_for_missing_facts(make_answers):
    tuned = dict(output_consistency_need="high", labeled_examples=5000, knowledge_in_base_model="no")
    # Engine 2 (issue 12): a specialised language the model does not know is taught; lacking knowledge alone
    # is not a reason, since what a model lacks is usually facts.
    assert "instruction_tuning" in _technique_ids(make_answers(**tuned, domain_specificity="high"))
    assert "instruction_tuning" not in _technique_ids(make_answers(**tuned))
    facts = make_answers(**tuned, needs_fresh_or_private_knowledge=True)
    assert recommend(facts).verdict == HY
    assert "instruction_tuning" not in _technique_ids(facts)  # 5.4 R4: retrieval supplies facts


def test_tuning_on_an_unknown_domain_warns_of_hallucination(make_answers):
    tuned = dict(output_consistency_need="high", labeled_examples=5000)
    assert "hallucination" in _risk_ids(make_answers(**tuned, knowledge_in_base_model="no"))
    assert "hallucination" not in _risk_ids(make_answers(**tuned, knowledge_in_base_model="partly"))


def test_a_deadline_gate_brings_the_next_assessment_to_after_launch(make_answers):
    rushed = recommend(make_answers(output_consistency_need="high", labeled_examples=5000,
                                    time_to_deploy_weeks=2))
    assert rushed.verdict == PE and rushed.revisit_in_weeks == 6  # two weeks to launch, then a month of use
    assert any("After launch" in step for step in rushed.next_steps)


def test_retrieval_first_never_plans_tuning_for_facts(make_answers):
    facts = recommend(make_answers(labeled_examples=5000, needs_fresh_or_private_knowledge=True,
                                   domain_specificity="high", accuracy_criticality="high"))
    assert facts.verdict == PE and facts.add_retrieval
    assert any("never tune to add or refresh facts" in step for step in facts.next_steps)


def test_examples_and_a_narrow_task_alone_are_no_use_case_for_tuning(make_answers):
    # 1.2 Azure: "no clear use case" is a sign a team is not ready; F7 and F2 make tuning feasible only.
    plenty = recommend(make_answers(labeled_examples=10000, budget="high", ml_expertise="strong"))
    assert plenty.verdict == PE
    assert any("No clear use case" in r.text for r in plenty.reasons)
    assert {"question": "output_consistency_need", "answer": "high", "verdict": FT} in [
        f.model_dump() for f in plenty.flips]
    assert recommend(make_answers(labeled_examples=10000, accuracy_criticality="high")).verdict == FT


def test_facts_add_retrieval_but_do_not_count_against_tuning(make_answers):
    # 5.4 R3 / 5.5 step 3: tuning justified for behaviour plus private facts is a hybrid with retrieval.
    tuned = dict(output_consistency_need="high", labeled_examples=5000)
    plain = recommend(make_answers(**tuned))
    facts = recommend(make_answers(**tuned, needs_fresh_or_private_knowledge=True))
    assert facts.verdict == HY and facts.add_retrieval
    assert facts.scores == plain.scores
    reason = _reason(make_answers(**tuned, needs_fresh_or_private_knowledge=True),
                     "needs_fresh_or_private_knowledge")
    assert reason.weight == 0 and "retrieval" in reason.text
    assert {"question": "needs_fresh_or_private_knowledge", "answer": True, "verdict": PE} not in [
        f.model_dump() for f in plain.flips]


def test_a_few_hundred_examples_need_one_point_more(make_answers):
    # 5.1 G1: 100-999 effective examples make tuning feasible, 1,000+ strong.
    early = {"task_type": "extraction", "output_consistency_need": "high", "labeled_examples": 150}
    assert recommend(early).verdict == PE
    assert recommend({**early, "labeled_examples": 1500}).verdict == FT
    assert recommend({**early, "use_case_breadth": "narrow"}).verdict == FT  # F1 + F2: a lead of 4


def test_low_volume_weighs_against_a_format_case(make_answers):
    memos = make_answers(task_type="generation", output_consistency_need="high",
                         knowledge_in_base_model="yes", labeled_examples=1200, monthly_requests=2000,
                         model_access="api_only", gpu_access="none")
    assert _reason(memos, "monthly_requests").weight == 2
    assert recommend(memos).verdict == PE
    assert recommend({**memos, "monthly_requests": 50000}).verdict == FT


def test_a_facts_gap_is_no_evidence_of_specialised_language(make_answers):
    facts = make_answers(domain_specificity="medium", knowledge_in_base_model="no",
                         needs_fresh_or_private_knowledge=True)
    assert _reason(facts, "domain_specificity").weight == 0
    assert _reason({**facts, "needs_fresh_or_private_knowledge": False}, "domain_specificity").weight == 1
    known = make_answers(domain_specificity="high", knowledge_in_base_model="yes",
                         needs_fresh_or_private_knowledge=True)
    assert "retrieval" in _reason(known, "domain_specificity").text


def test_low_quality_examples_are_never_praised(make_answers):
    noisy = make_answers(labeled_examples=20000, data_quality="low", output_consistency_need="high")
    reason = _reason(noisy, "labeled_examples")
    assert reason.weight == 0 and "solid ground" not in reason.text and "low quality" in reason.text


def test_managed_open_weight_tuning_fits_a_four_week_deadline(make_answers):
    # 5.1 G2 needs a training route in 3-5 weeks; 5.1 G3 and section 6 count managed open-weight services.
    ready = dict(output_consistency_need="high", labeled_examples=5000, time_to_deploy_weeks=4,
                 model_access="open_weights")
    assert recommend(make_answers(**ready, gpu_access="none")).verdict == FT
    # Engine 2 (issue 12): with ready data, its own or rented GPUs and ML skills, a LoRA run takes hours, so
    # the team's own run fits too; engine 1 blocked exactly this team while letting the GPU-less one pass.
    assert recommend(make_answers(**ready, gpu_access="own")).verdict == FT
    assert recommend(make_answers(**ready, gpu_access="cloud")).verdict == FT


def test_structured_output_is_for_schemas_not_for_a_voice(make_answers):
    # Section 6: structured output is strict JSON or schema output.
    voice = make_answers(task_type="generation", output_consistency_need="high", labeled_examples=40)
    chat = make_answers(task_type="conversation", output_consistency_need="high", labeled_examples=40)
    assert "structured_output" not in _technique_ids(voice) + _technique_ids(chat)
    labels = make_answers(task_type="classification", labeled_examples=40)
    assert "structured_output" in _technique_ids(labels)
    template = make_answers(task_type="summarization", output_consistency_need="high", labeled_examples=40)
    why = next(t.why for t in recommend(template).techniques if t.id == "structured_output")
    assert why.startswith("If the fixed format is a structure")


def test_low_quality_data_is_curated_before_more_is_collected(make_answers):
    noisy = recommend(make_answers(labeled_examples=20000, data_quality="low",
                                   output_consistency_need="high"))
    assert noisy.verdict == PE
    assert any(step.startswith("Curate a clean subset") for step in noisy.next_steps)
    assert not any("Collect reviewed" in step for step in noisy.next_steps)


def test_an_own_gpu_team_under_deadline_hears_of_the_managed_route(make_answers):
    # Whether anyone can set the run up is not known: the gate stays, and names the managed route.
    rushed = recommend(make_answers(output_consistency_need="high", labeled_examples=5000, ml_expertise=None,
                                    time_to_deploy_weeks=4, model_access="open_weights", gpu_access="own"))
    assert rushed.verdict == PE
    assert any("managed open-weight" in step for step in rushed.next_steps)
