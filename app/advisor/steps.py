"""Next steps for the verdict (seed 000's fine-tuning steps; the vendors' prompt-first loop) and when to
assess again. Engine 2 (issue 12 item 7): the steps read as an experiment plan, the cheapest test of the
verdict first, and name the tuning routes still open on the advice's date."""

from app.advisor.engine import Evaluation
from app.advisor.routes import open_route_names
from app.advisor.rules import PE, PILOT_EXAMPLES

# Weeks until the next assessment, by how often requirements change (unknown: a quarter).
REVISIT_WEEKS = {"weekly": 4, "monthly": 8, "rare": 26, None: 12}
DATA_GATE_REVISIT_WEEKS = 12  # time to collect examples from real use before trying tuning again
# 5.1 G2: a deadline that keeps tuning out only postpones it; assess again after a month of real use.
AFTER_LAUNCH_WEEKS = 4
DEADLINE_GATES = frozenset({"G2", "G2-data", "G2-hosted"})

RETRIEVAL_STEP = ("Set up retrieval over the documents that hold the facts (index, retrieve the relevant "
                  "passages per request, cite them) and evaluate it on the same set.")


def _eval_set_step(ev: Evaluation) -> str:
    """The cheapest test of any verdict: an evaluation set, from the team's own examples when it has them."""
    examples = ev.facts.get("labeled_examples") or 0
    if examples >= PILOT_EXAMPLES:
        share = examples // 5  # 20% (evaluation.HELD_OUT_SHARE), capped at 2,000 (MAX_HELD_OUT)
        # Review F16: the arithmetic as it is, not "a random 20% (at most 2,000)" beside 2,000 of 50,000.
        why = f"20% would be {share:,}; 2,000 is enough" if share > 2_000 else "20% of them"
        source = (f"hold out {min(share, 2_000):,} of your {examples:,} examples at random ({why}) as the "
                  "evaluation set, never used in a prompt or for training")
    elif examples:
        source = ("build an evaluation set of 50-100 real cases with expected outputs, apart from the "
                  f"{examples:,} example(s) your prompt shows")
    else:
        source = "build an evaluation set of 50-100 real cases with expected outputs"
    return (f"First, the cheapest test of this verdict: write down the quality target, {source}, and measure "
            "your best prompt on it (Anthropic, OpenAI: success criteria and evals first; see the evaluation "
            "plan).")


def _prompting_steps(ev: Evaluation) -> list[str]:
    steps = [
        _eval_set_step(ev),
        "Write clear instructions with the context the model needs, then add a few of your best examples"
        + (" (collect them from real use)." if not ev.facts.get("labeled_examples") else "."),
        "Test prompt variants, and at least two model tiers, on the evaluation set; keep the winner under "
        "version control.",
        "Document the patterns that work (and those that fail) so the team reuses them.",
        f"Re-evaluate on a schedule (every {revisit_in_weeks(ev)} weeks) and whenever the model changes.",
    ]
    if ev.fine_tuning_justified or ev.facts.get("output_consistency_need") == "high":
        steps.append(_tuning_later(ev))
    return steps


def _tuning_later(ev: Evaluation) -> str:
    ids = {gate.id for gate in ev.gates}
    if "G1-quality" in ids:
        # 5.1 G1: low-quality data is not fixed by collecting more of it; curate a clean subset first.
        more = ("" if (ev.facts.get("labeled_examples") or 0) >= PILOT_EXAMPLES
                else ", collect more reviewed pairs from real use")
        return ("Curate a clean subset of your examples first: review them, fix or drop wrong, off-topic and "
                f"duplicate ones, and balance the labels (Azure; OpenAI best practices){more}; with "
                f"{PILOT_EXAMPLES}+ clean ones, test a tuning pilot against the prompt baseline.")
    if ids & {"G1-unknown", "G1-few"} or not ev.facts.get("labeled_examples"):
        return (f"Collect reviewed input/output pairs from real use; with {PILOT_EXAMPLES}+ good ones, "
                "test a tuning pilot against the prompt baseline.")
    if "G3" in ids:
        return ("Before any tuning, get machine-learning skills into the team (hire, train or partner), or "
                "access to an API model with hosted tuning; then test a pilot against the prompt baseline.")
    if "G4" in ids:
        return ("If the requirements settle to monthly or slower, assess again: a tuned core with prompts "
                "for what changes could then pay.")
    if "R2" in ids:
        return ("If the evaluation shows failures of behaviour (format, tone, edge cases) rather than of "
                "facts, test a tuning pilot on top of retrieval; never tune to add or refresh facts "
                "(Gekhman, Ovadia).")
    if "G0" in ids:
        return ("Tune only for a concrete shortfall: if the evaluation shows prompting failing on format, "
                "edge cases, latency or cost, test a tuning pilot with your examples against the baseline.")
    if "G2-hosted" in ids and not ids & {"G2", "G2-data"}:
        return ("After launch, run a LoRA pilot on your GPUs against the prompt baseline; a managed "
                "open-weight tuning service (Together, Fireworks) could fit even before launch if the data "
                "may go there.")
    if ids & DEADLINE_GATES:
        return "After launch, prepare the data and run a tuning pilot against the prompt baseline."
    return "If prompting plateaus below your target on the evaluation set, run a small tuning pilot."


def _route_step(routes: list[dict]) -> str:
    open_names = open_route_names(routes)
    if not routes:
        return "Select the base model and route (see techniques), noting its retirement date."
    if not open_names:
        return ("No tuning route your answers allow stays open through launch and the revisit window: widen "
                "model access (open weights on a LoRA host or your own GPUs) before planning a tune.")
    return ("Select the base model and one of the routes still open through your launch and revisit window: "
            + "; ".join(open_names) + ". Note the base model's retirement date.")


def _tuning_steps(ev: Evaluation, routes: list[dict]) -> list[str]:
    return [
        _eval_set_step(ev) + " The tuned model must measurably beat that baseline (OpenAI, Azure).",
        "Before training, try the cheaper levers on the same set: a stronger prompt, a different model tier, "
        "strict structured output where code reads the answer.",
        "Prepare the training data from the rest: clean, deduplicate, balance, and keep 10-20% for "
        "validation.",
        _route_step(routes),
        "Train: start small (a few epochs, early stopping on validation loss), then add data if it helps.",
        "Evaluate against the baseline on held-out cases and on general regression tests.",
        "Deploy and monitor: log failures, turn them into new training examples, retrain on a schedule.",
    ]


def next_steps(ev: Evaluation, add_retrieval: bool, routes: list[dict] | None = None) -> list[str]:
    steps = _prompting_steps(ev) if ev.verdict == PE else _tuning_steps(ev, routes or [])
    if ev.verdict == "hybrid":
        steps.insert(5, "Keep in the prompt what must stay flexible: " + "; ".join(ev.hybrid_because) + ".")
    if add_retrieval:
        steps.insert(2, RETRIEVAL_STEP)
    return steps


def revisit_in_weeks(ev: Evaluation) -> int:
    weeks = REVISIT_WEEKS[ev.facts.get("requirements_change_frequency")]
    if any(gate.id.startswith("G1") for gate in ev.gates):
        weeks = min(weeks, DATA_GATE_REVISIT_WEEKS)
    if any(gate.id in DEADLINE_GATES for gate in ev.gates):
        weeks = min(weeks, ev.facts["time_to_deploy_weeks"] + AFTER_LAUNCH_WEEKS)
    return weeks
