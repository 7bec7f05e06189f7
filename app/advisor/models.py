"""The engine's input and output shapes: answers-v2 in (v1 is a subset), the recommendation contract of
design.md out."""

from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

Level = Literal["low", "medium", "high"]
Verdict = Literal["prompt_engineering", "fine_tuning", "hybrid"]
Approach = Literal["prompt_engineering", "fine_tuning"]
TaskType = Literal[
    "classification", "extraction", "summarization", "generation", "conversation",
    "translation", "code", "question_answering", "reasoning", "other",
]
TechniqueId = Literal[
    "zero_shot", "one_shot", "few_shot", "role_prompting", "chain_of_thought", "structured_output",
    "full_fine_tuning", "lora", "qlora", "instruction_tuning", "hosted_fine_tuning",
    # Engine 2.0.0, the 2026 set (domain-2026.md 2 and 6.1: T2-T7).
    "distillation", "preference_tuning", "reinforcement_fine_tuning", "tool_calling", "prompt_caching",
    "batch_processing", "model_selection",
]



def _whole_float_as_int(value):
    # JSON Schema's "integer" includes 1.0; a fraction, "5" or true stay refused (strict below).
    return int(value) if isinstance(value, float) and value.is_integer() else value


def count(low: int, high: int):
    """A whole number in [low, high]. Strict, so that "5" or true are refused where the JSON schema wants
    an integer (as jsonschema does); the limits sit inside the whole-float step so the schema shows them."""
    return Annotated[int, Field(strict=True, ge=low, le=high), BeforeValidator(_whole_float_as_int)]
Flag = Annotated[bool, Field(strict=True)]


# Price-table ids offered as `current_model` choices (app/advisor/prices.toml holds a row for each); any
# other id matching the pattern is accepted and treated as "other", so stored answers survive table edits.
MODEL_ID_PATTERN = r"^[a-z0-9][a-z0-9._-]{0,79}$"


class Answers(BaseModel):
    """answers-v2 (contracts/answers-v2.schema.json): the 20 answers-v1 fields plus nine optional ones, so
    every v1 answer file is valid v2 unchanged. Missing or null means "not known yet"."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    task_type: TaskType | None = Field(None, description="The main kind of work the model does.")
    accuracy_criticality: Level | None = Field(None, description="How costly a wrong answer is.")
    output_consistency_need: Level | None = Field(
        None, description="How strictly outputs must follow one format, style or tone.")
    domain_specificity: Level | None = Field(
        None, description="How specialised the vocabulary and reasoning of the domain are.")
    knowledge_in_base_model: Literal["yes", "partly", "no"] | None = Field(
        None, description="Does a general-purpose model already know what the task needs?")
    labeled_examples: count(0, 100_000_000) | None = Field(
        None, description="How many good input/output examples the team has or can produce.")
    data_quality: Level | None = Field(
        None, description="How clean, correct and representative those examples are.")
    data_confidential: Flag | None = Field(
        None, description="Are the data or prompts proprietary or regulated?")
    budget: Level | None = Field(
        None, description="Money available for data preparation, training and evaluation.")
    gpu_access: Literal["none", "cloud", "own"] | None = Field(
        None, description="Compute available for training.")
    ml_expertise: Literal["none", "some", "strong"] | None = Field(
        None, description="The team's machine-learning experience.")
    time_to_deploy_weeks: count(0, 520) | None = Field(
        None, description="Weeks until the solution must be in use.")
    monthly_requests: count(0, 100_000_000_000) | None = Field(
        None, description="Expected model calls per month in production.")
    avg_prompt_tokens_without_examples: count(1, 2_000_000) | None = Field(
        None, description="Typical prompt length in tokens, before any few-shot examples.")
    avg_output_tokens: count(1, 1_000_000) | None = Field(
        None, description="Typical answer length in tokens.")
    latency_sensitive: Flag | None = Field(None, description="Must answers come back fast (interactive use)?")
    requirements_change_frequency: Literal["rare", "monthly", "weekly"] | None = Field(
        None, description="How often the desired behaviour changes.")
    use_case_breadth: Literal["narrow", "broad"] | None = Field(
        None, description="One specific task, or many tasks and domains from one model.")
    needs_fresh_or_private_knowledge: Flag | None = Field(
        None, description="Must answers draw on facts that change often or live in private documents?")
    model_access: Literal["api_only", "open_weights", "both"] | None = Field(
        None, description="Hosted APIs only, open-weight models run by the team, or both.")
    # answers-v2 (issue 12): all optional, none changes what a v1 answer means.
    prompt_examples_today: count(0, 1000) | None = Field(
        None, description="How many worked examples the prompt carries today (0 allowed).")
    current_model: Annotated[str, Field(strict=True, pattern=MODEL_ID_PATTERN)] | None = Field(
        None, description='Price-table id of the model in use now, or "other"; an id the table does not '
                          'know is treated as "other".')
    deployment: Literal["hosted_api", "self_hosted", "on_device"] | None = Field(
        None, description="Where the model will run.")
    latency_budget_ms: count(1, 600_000) | None = Field(
        None, description="Latency budget, p95 milliseconds, end to end.")
    uses_tools: Flag | None = Field(None, description="Does the model call tools or functions (agentic)?")
    prompt_baseline: Literal["not_measured", "meets_target", "close", "far_below"] | None = Field(
        None, description="How the best prompt measured so far compares with the quality target.")
    preference_data: Flag | None = Field(
        None, description="Do better/worse pairs or ratings of outputs exist, or can they be collected?")
    outputs_checkable: Flag | None = Field(
        None, description="Can outputs be checked automatically (code, a parser, a rubric grader)?")
    batch_tolerant: Flag | None = Field(None, description="Can results wait hours (offline or batch work)?")


class Scores(BaseModel):
    prompt_engineering: float
    fine_tuning: float


class Reason(BaseModel):
    question: str
    answer: str | int | bool | None
    favours: Approach
    weight: float
    text: str
    # Engine 2: the side this answer pushes, weighted or not (None: it truly tips neither way). A weight-0
    # reason can still lean, e.g. monthly change keeps part of a tuned design in the prompt.
    leans: Approach | None = None


class Flip(BaseModel):
    question: str
    answer: str | int | bool
    verdict: Verdict


class Technique(BaseModel):
    id: TechniqueId
    name: str
    why: str


class Risk(BaseModel):
    id: str
    text: str
    mitigations: list[str]


class CostOption(BaseModel):
    """One real option the team could take, priced from dated rows (engine 2.0.0, issue 12 item 3)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": "tuned_hosted", "label": "Tuned gpt-oss-20b, hosted by a provider", "monthly_low": 2963.53,
        "monthly_expected": 5883.53, "monthly_high": 5883.53, "one_time": 26022.32,
        "total_24_months": 167227.04,
        "assumptions": ["Served on a dedicated deployment (LoRA fine-tunes are not served serverless): 730 "
                        "GPU-hours a month at $8.00 (fireworks.ai/pricing via api-evangelist, 2026-10-07)."],
    }]})

    id: str = Field(description="prompting, prompting_smaller, tuned_hosted, tuned_self_hosted, "
                                "prompting_self_hosted, on_device, hybrid, or <option>_retrieval.")
    label: str
    monthly_low: float = Field(description="USD a month at the cheapest end of the answers left open.")
    monthly_expected: float
    monthly_high: float = Field(description="USD a month at the dearest end of the answers left open.")
    one_time: float = Field(description="USD once: data preparation and training.")
    total_24_months: float = Field(
        description="one_time + the 24 months summed month by month (a dated price or a retirement "
                    "changes the monthly figure on its day; else 24 x monthly_expected).")
    assumptions: list[str]


class Costs(BaseModel):
    # v1 fields, kept for compatibility: prompting the model in use versus the tuned model.
    currency: Literal["USD"] = "USD"
    monthly_prompt_engineering: float
    monthly_fine_tuned: float
    one_time_fine_tuning: float
    break_even_months: float | None
    assumptions: list[str]
    # engine 2.0.0: the real options, the one matching the verdict, and why when it is not the cheapest.
    # Defaults keep results stored before 2.0.0 valid.
    options: list[CostOption] = Field(default_factory=list)
    recommended_option: str | None = None
    why_not_cheapest: str | None = None
    prices_as_of: str | None = Field(None, description="The date the prices were chosen for (YYYY-MM-DD).")
    notices: list[str] = Field(default_factory=list, description="Retirements and stand-in models.")

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "currency": "USD", "monthly_prompt_engineering": 830.36, "monthly_fine_tuned": 5840.0,
        "one_time_fine_tuning": 26022.32, "break_even_months": None,
        "assumptions": ["Volume from your answers: 20,000,000 requests a month (your answer); ..."],
        "options": [
            {"id": "prompting", "label": "Prompting OpenAI GPT-6 Luna (default model: your model is not "
             "answered yet)", "monthly_low": 700.0, "monthly_expected": 830.36, "monthly_high": 1230.7,
             "one_time": 0.0, "total_24_months": 19928.64, "assumptions": ["..."]},
            {"id": "tuned_hosted", "label": "Tuned gpt-oss-20b, hosted by a provider", "monthly_low": 2963.53,
             "monthly_expected": 5883.53, "monthly_high": 5883.53, "one_time": 26022.32,
             "total_24_months": 167227.04, "assumptions": ["..."]},
        ],
        "recommended_option": "tuned_hosted",
        "why_not_cheapest": "Tuned gpt-oss-20b, hosted by a provider costs $147,298 more over 24 months than "
                            "prompting OpenAI GPT-6 Luna; the difference buys consistency (one format, style "
                            "or tone every time, learnt rather than reminded).",
        "prices_as_of": "2026-12-06", "notices": [],
    }]})


class ConfidenceExplained(BaseModel):
    """The confidence figure in words (issue 12 item 5): what it means and what would raise it."""

    meaning: str
    lowered_by: list[str]
    would_raise: list[str]


class EvaluationPlan(BaseModel):
    """How to test this verdict (domain-2026.md 2.8, 6.4 E1-E3): one plan per result."""

    metrics: list[str]
    grader: str
    data: str
    threshold: str
    regression_set: str
    retrieval_checks: list[str]
    tool_call_checks: list[str]


class TuningRoute(BaseModel):
    """A place that can still train a model for this team, judged on the advice's date (as_of)."""

    id: str
    name: str
    open: bool
    note: str
    source: str


class OpenQuestion(BaseModel):
    question: str
    why: str


class Recommendation(BaseModel):
    """The output contract (design.md, "Recommendation (output)")."""

    verdict: Verdict
    confidence: float = Field(ge=0, le=1)
    scores: Scores
    reasons: list[Reason]
    flips: list[Flip]
    techniques: list[Technique]
    add_retrieval: bool
    risks: list[Risk]
    next_steps: list[str]
    costs: Costs
    open_questions: list[OpenQuestion]
    revisit_in_weeks: int
    questionnaire_version: int
    engine_version: str
    # Engine 2.0.0 (issue 12). Defaults keep results stored by engine 1.x readable.
    confidence_explained: ConfidenceExplained | None = None
    evaluation_plan: EvaluationPlan | None = None
    tuning_routes: list[TuningRoute] = []
    as_of: str | None = Field(None, description="The date (ISO) the advice was computed for.")
