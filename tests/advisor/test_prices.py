"""The price table is dated data from named sources: defaults are never unverified or retiring, and
tuning routes say whether they still take new jobs (issue 12 item 4; shared/domain-2026.md 3, 4)."""

import re
from datetime import date, timedelta

import pytest

from app.advisor.prices import RETIREMENT_NOTICE_DAYS, load_table

TODAY = date(2026, 12, 6)
# The price-table ids the wizard offers as current_model (answers-v2); each needs a row.
WIZARD_IDS = [
    "openai-gpt-6.2-sol",
    "openai-gpt-6.1-terra",
    "openai-gpt-6-luna",
    "openai-gpt-4.1",
    "openai-gpt-4.1-mini",
    "openai-gpt-4o-mini",
    "anthropic-claude-opus-5.5",
    "anthropic-claude-sonnet-5.5",
    "anthropic-claude-haiku-5.5",
    "google-gemini-3.8-flash",
    "google-gemini-3.5-flash-lite",
    "google-gemini-2.5-flash-lite",
    "fireworks-gpt-oss-120b",
    "fireworks-gpt-oss-20b",
]


def test_every_row_names_its_source_date_and_mark():
    table = load_table()
    for row in [*table.rows, *table.gpus.values(), *table.routes.values()]:
        assert row.source and row.mark in {"V", "S", "U"}
        # A day, or the month or year range the source gives (domain-2026 3.6: "2025-2026"); no day is
        # invented where the source gives none.
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}|\d{4}-\d{2}|\d{4}-\d{4}", row.date), row.date
        if len(row.date) == 10:
            date.fromisoformat(row.date)


@pytest.mark.parametrize("model_id", WIZARD_IDS)
def test_every_model_the_wizard_offers_is_priced_today(model_id):
    assert load_table().price(model_id, TODAY) is not None


@pytest.mark.parametrize("kind", ["prompting", "tuned"])
@pytest.mark.parametrize("on", [TODAY, TODAY + timedelta(days=365)])
def test_no_default_model_is_unverified_or_retiring_within_90_days(kind, on):
    table = load_table()
    row = table.price(table.defaults[kind], on)
    assert row is not None and row.mark in {"V", "S"}
    assert row.retires is None or row.retires > on + timedelta(days=RETIREMENT_NOTICE_DAYS)


def test_no_default_gpu_preset_is_unverified():
    table = load_table()
    for key in ("gpu", "gpu_low", "gpu_high", "hosted_gpu", "hosted_gpu_low"):
        assert table.gpus[table.defaults[key]].mark in {"V", "S"}


def test_the_retiring_v1_default_would_fail_the_default_check():
    # gpt-4.1-mini, the v1 default, retires 2027-01-14: 39 days after 2026-12-06.
    table = load_table()
    assert not table.usable_default(table.price("openai-gpt-4.1-mini", TODAY), TODAY)


def test_time_bound_rows_cover_both_periods():
    table = load_table()
    assert table.price("google-gemini-3.8-flash", date(2026, 12, 31)).input == 0.75
    assert table.price("google-gemini-3.8-flash", date(2027, 1, 1)).input == 1.50


def test_openai_tuning_closes_to_new_teams_and_open_weight_routes_stay_open():
    table = load_table()
    open_ids = {route.id for route in table.open_routes(TODAY, TODAY + timedelta(weeks=30))}
    assert "openai-self-serve" not in open_ids and "azure-openai" not in open_ids
    assert {"fireworks-lora", "self-hosted"} <= open_ids
    assert table.routes["openai-self-serve"].new_jobs_until < date(2027, 1, 6)


def test_no_price_row_carries_a_guessed_figure():
    # v1 held "we assume it equals the input price"; a guessed figure is never data.
    for row in load_table().rows:
        assert "assume" not in row.note.lower() or "not used" in row.note.lower()


def test_every_gpu_class_is_priced_by_dated_presets_of_its_own_memory_size():
    table = load_table()
    assert [c.memory_gb for c in table.gpu_classes] == sorted(c.memory_gb for c in table.gpu_classes)
    for gpu_class in table.gpu_classes:
        presets = [table.gpus[gpu_class.low], table.gpus[gpu_class.expected], table.gpus[gpu_class.high]]
        assert all(p.memory_gb == gpu_class.memory_gb and p.mark in {"V", "S"} for p in presets), gpu_class.id
        assert presets[0].per_hour <= presets[1].per_hour <= presets[2].per_hour, gpu_class.id
    # domain-2026 3.6: a 24 GB L4 at $0.80 (AWS g6.xlarge) and ~$0.71 (GCP g2-standard-4), an A10G at $1.01.
    small = table.gpu_classes[0]
    assert (small.memory_gb, table.gpus[small.expected].per_hour) == (24, 0.8048)
