"""Where a team can still train a model, as dated rows (domain-2026.md 1, 4 and 6.3: A1-A4).

Hosted tuning is closing at several vendors. Each row says who may still use it and until when; the engine
judges rows on the advice's date (`as_of`), the team's launch (as_of + time_to_deploy_weeks) and the end of
the revisit window, and never recommends a route that closes before either. Edit a row when a provider
moves a date; keep its source.
"""

from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class Route:
    id: str
    name: str
    kind: str  # "hosted" (a provider tunes its own API models) | "open_weights" (LoRA on open models)
    new_jobs_until: date | None  # the last day a new tuning job can start (None: no end announced)
    serving_until: date | None  # the last day a model tuned there still answers (None: not announced)
    existing_customers_only: bool
    note: str
    source: str
    # Who may use an existing-customers-only route, said as a condition (expert review F13: the advice cannot
    # know whether the team is already a customer, so it must never present such a route as plainly open).
    condition: str = ""


ROUTES: tuple[Route, ...] = (
    Route("openai", "OpenAI self-serve fine-tuning", "hosted", date(2027, 1, 6), date(2027, 1, 14), True,
          "closed to new organisations since 2026-05-07; no new jobs after 2027-01-06; the tunable "
          "gpt-4o/4.1 family and its fine-tunes stop on 2027-01-14, and the current GPT-6.x models cannot "
          "be tuned",
          "domain-2026.md 1 (C4, C8), 4.1, 6.3 A1; OpenAI deprecations page (V)",
          "if you are already an active OpenAI fine-tuning customer"),
    Route("azure", "Azure OpenAI fine-tuning", "hosted", date(2027, 4, 14), date(2027, 10, 14), True,
          "existing customers only; gpt-4.1 family training until at least 2027-04-14 and tuned deployments "
          "until 2027-10-14 (schedule of 2026-07-07; it moved three times in 2026)",
          "domain-2026.md 4.2, 6.3 A2; Azure retirement schedule 2026-07-07 (V)",
          "if you are already an Azure OpenAI fine-tuning customer"),
    Route("vertex", "Google Vertex AI tuning", "hosted", None, None, False,
          "supervised and preference tuning of Gemini on Vertex AI (none on the Gemini API); tuning "
          "prices for Gemini 3.x not published: ask Google for a quote",
          "domain-2026.md 2.2, 4.3, 6.3 A3; Vertex preference-tuning page (V)"),
    Route("bedrock", "Amazon Bedrock fine-tuning", "hosted", None, None, False,
          "fine-tuning and distillation of Bedrock models (for Claude, only Claude 3 Haiku; none on the "
          "Claude API); tuned models are served on provisioned throughput",
          "domain-2026.md 2.1, 6.3 A4; Bedrock custom-model docs (V)"),
    Route("managed_lora", "Managed LoRA on open-weight models (Together, Fireworks)", "open_weights", None,
          None, False,
          "LoRA or full tuning of open-weight models, run for you; Fireworks serves LoRA tunes only on "
          "dedicated (per GPU-hour) deployments",
          "domain-2026.md 1 C1, 3.4; docs.fireworks.ai, docs.together.ai (V)"),
    Route("self_hosted", "LoRA on your own or rented GPUs", "open_weights", None, None, False,
          "any open-weight model with a licence that allows it; the adapter stays yours when vendors "
          "retire models",
          "domain.md 6 (lora); domain-2026.md 2.1 licence table"),
)
ROUTES_BY_ID = {route.id: route for route in ROUTES}


def launch_and_window(facts: dict, as_of: date, revisit_weeks: int) -> tuple[date, date]:
    """The team's launch (as_of + its deadline; unknown: as_of) and the end of the revisit window after it."""
    launch = as_of + timedelta(weeks=facts.get("time_to_deploy_weeks") or 0)
    return launch, launch + timedelta(weeks=revisit_weeks)


def route_closes_by(route: Route, day: date) -> bool:
    """Whether a model tuned on this route could no longer be trained or served on `day`."""
    ends = [d for d in (route.new_jobs_until, route.serving_until) if d is not None]
    return any(end < day for end in ends)


def schedule(route: Route) -> str:
    """The route's own dates in words (domain-2026.md 6.3 A2: show the read dates), '' when none is set."""
    parts = []
    if route.new_jobs_until is not None:
        parts.append(f"new tuning jobs until {route.new_jobs_until.isoformat()}")
    if route.serving_until is not None:
        parts.append(f"tuned models served until {route.serving_until.isoformat()}")
    return ", ".join(parts)


def usable(route: Route, facts: dict) -> bool:
    """Whether the team's answers allow this kind of route at all (model access, skills)."""
    access = facts.get("model_access")
    if route.id == "managed_lora":
        # Expert review F2: a managed LoRA service is itself a hosted API (domain.md 5.1 G3 "treat as cloud",
        # section 3: Together, Fireworks), so it is open to api_only teams too; the cost table already prices
        # exactly this route for them ("tuned_hosted": LoRA on gpt-oss-20b at Fireworks).
        return True
    if route.kind == "hosted":
        return access in ("api_only", "both", None)
    if route.id == "self_hosted":
        return access in ("open_weights", "both", None) and facts.get("ml_expertise") != "none"
    return access in ("open_weights", "both", None)


def judge_routes(facts: dict, as_of: date, revisit_weeks: int) -> list[dict]:
    """Every route with whether it is open for this team through launch and the revisit window, and why."""
    launch, window_end = launch_and_window(facts, as_of, revisit_weeks)
    judged = []
    for route in ROUTES:
        if not usable(route, facts):
            continue
        if route_closes_by(route, as_of):
            is_open, why = False, f"already closed for a new tuned model; {route.note}"
        elif route_closes_by(route, launch):
            is_open = False
            why = f"it closes before your launch ({launch.isoformat()}); {route.note}"
        elif route_closes_by(route, window_end):
            is_open = False
            # The route's own dates, then the window's end: the window end is not the provider's date.
            why = (f"its schedule ({schedule(route)}) does not cover your revisit window after launch "
                   f"(to {window_end.isoformat()}); {route.note}")
        else:
            is_open = True
            why = route.note + (f"; open only {route.condition}" if route.condition else "")
        judged.append({"id": route.id, "name": route.name, "open": is_open, "note": why,
                       "source": route.source})
    return judged


def label(judged: dict) -> str:
    """A judged route's name, with its condition for existing-customers-only routes (review F13)."""
    route = ROUTES_BY_ID.get(judged["id"])
    condition = route.condition if route is not None else ""
    return f"{judged['name']} ({condition})" if condition else judged["name"]


def open_route_names(judged: list[dict]) -> list[str]:
    return [label(route) for route in judged if route["open"]]
