"""The SVG charts: built from numbers only, labelled for screen readers, proportional."""

import re

from app.charts import cost_chart, money, score_chart


def widths(svg: str) -> dict[str, float]:
    bars = re.findall(r'class="bar bar-(\w+)" x="\d+" y="[\d.]+" width="([\d.]+)"', svg)
    return {key: float(width) for key, width in bars}


def test_score_chart_bars_are_proportional_and_described():
    svg = str(score_chart({"scores": {"prompt_engineering": 3, "fine_tuning": 6}}))
    bars = widths(svg)
    assert bars["fine_tuning"] == 2 * bars["prompt_engineering"]
    assert 'role="img"' in svg and "<title" in svg and "<desc" in svg
    assert "Prompt engineering scores 3, fine-tuning scores 6" in svg


def test_score_chart_with_zero_scores_still_draws():
    svg = str(score_chart({"scores": {"prompt_engineering": 0, "fine_tuning": 0}}))
    assert svg.count("<rect") == 2


def test_cost_chart_marks_the_break_even_month():
    series = {"months": list(range(1, 25)), "prompt_engineering": [100.0 * m for m in range(1, 25)],
              "fine_tuning": [1000.0 + 20 * m for m in range(1, 25)]}
    svg = str(cost_chart(series, 12.5))
    assert "Break-even: month 12.5" in svg
    assert svg.count("<polyline") == 2
    assert "Total after 24 months: prompt engineering $2,400, fine-tuned model $1,480." in svg


def test_cost_chart_without_break_even_says_so():
    series = {"prompt_engineering": [1.0 * m for m in range(1, 25)], "fine_tuning": [500.0] * 24}
    svg = str(cost_chart(series, None))
    assert "Break-even" not in svg
    assert "does not pay for itself" in svg


def test_money_drops_cents_on_large_amounts():
    assert money(1234.567) == "$1,235"
    assert money(4.5) == "$4.50"
