"""POST /api/v1/recommendations: answers in, recommendation out; nothing stored."""

from typing import Annotated

from fastapi import APIRouter, Body

from app.advisor import Answers, Recommendation, recommend

router = APIRouter(tags=["recommendations"])

# Shown in the OpenAPI docs; a test checks that each one is valid answers (v1 files stay valid v2).
ANSWER_EXAMPLES = {
    "startup_support_bot": {
        "summary": "Support chatbot, no data, two weeks (prompt engineering)",
        "value": {
            "task_type": "conversation", "accuracy_criticality": "medium",
            "output_consistency_need": "medium",
            "domain_specificity": "low", "knowledge_in_base_model": "yes", "labeled_examples": 0,
            "budget": "low", "gpu_access": "none", "ml_expertise": "none", "time_to_deploy_weeks": 2,
            "monthly_requests": 5000, "avg_prompt_tokens_without_examples": 800, "latency_sensitive": True,
            "requirements_change_frequency": "weekly", "use_case_breadth": "broad",
            "model_access": "api_only",
        },
    },
    "house_style_summaries": {
        "summary": "House-format summaries from 6,000 reviewed examples (fine-tuning)",
        "value": {
            "task_type": "summarization", "accuracy_criticality": "high", "output_consistency_need": "high",
            "domain_specificity": "high", "knowledge_in_base_model": "partly", "labeled_examples": 6000,
            "data_quality": "high", "data_confidential": True, "budget": "high", "gpu_access": "cloud",
            "ml_expertise": "some", "time_to_deploy_weeks": 16, "monthly_requests": 40000,
            "avg_prompt_tokens_without_examples": 3000, "avg_output_tokens": 600, "latency_sensitive": False,
            "requirements_change_frequency": "rare", "use_case_breadth": "narrow",
            "needs_fresh_or_private_knowledge": False, "model_access": "both",
        },
    },
    "agent_v2": {
        "summary": "answers-v2: a support agent with tools, private documents and a model in use",
        "value": {
            "task_type": "conversation", "output_consistency_need": "medium", "labeled_examples": 200,
            "needs_fresh_or_private_knowledge": True, "model_access": "api_only", "monthly_requests": 300000,
            "uses_tools": True, "current_model": "anthropic-claude-sonnet-5.5", "deployment": "hosted_api",
            "prompt_examples_today": 2, "prompt_baseline": "close", "latency_budget_ms": 3000,
        },
    },
    "partly_known": {
        "summary": "Only a few answers known yet (every field is optional)",
        "value": {"task_type": "extraction", "output_consistency_need": "high", "labeled_examples": 300},
    },
}


@router.post(
    "/recommendations",
    response_model=Recommendation,
    operation_id="createRecommendation",
    summary="Recommend an approach for these answers",
    description="Takes answers-v2 (every field optional, unknown fields rejected; every answers-v1 body "
                "is valid v2 unchanged) and returns the verdict with its reasons, flips, techniques, risks, "
                "next steps, costs, open questions, evaluation plan, confidence explanation and open tuning "
                "routes. Nothing is stored. Invalid answers give 422 with the path of each bad field. "
                "`costs.options` prices each real option (monthly low/expected/high, once, 24 months) "
                "from dated prices; `costs.recommended_option` names the line matching the verdict and "
                "`costs.why_not_cheapest` says what the difference buys when it is not the cheapest.",
    responses={422: {"description": "Invalid answers: `errors` lists each bad field's `loc` and `msg`."}},
)
def create_recommendation(
    answers: Annotated[Answers, Body(openapi_examples=ANSWER_EXAMPLES)],
) -> Recommendation:
    return recommend(answers)
