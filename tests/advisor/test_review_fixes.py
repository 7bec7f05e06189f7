"""Engine 2.1.0: the expert review of 8 realistic cases (findings F1, F2, F13, F14, F16, F18, F19, F20).
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
