"""The SVG charts: built from numbers only, labelled for screen readers, proportional."""

import re

from app.advisor.models import Scores
from app.charts import CHAR_WIDTH, COST_LAYOUTS, cost_chart, money, score_chart, score_text


def widths(svg: str) -> dict[str, float]:
    bars = re.findall(r'class="bar bar-(\w+)" x="\d+" y="[\d.]+" width="([\d.]+)"', svg)
    return {key: float(width) for key, width in bars}


def test_score_chart_bars_are_proportional_and_described():
    svg = str(score_chart(Scores(prompt_engineering=3, fine_tuning=6)))
    bars = widths(svg)
    assert bars["fine_tuning"] == 2 * bars["prompt_engineering"]
    assert 'role="img"' in svg and "<title" in svg and "<desc" in svg
    assert "Prompt engineering scores 3, fine-tuning scores 6" in svg


def test_score_chart_with_zero_scores_still_draws():
    svg = str(score_chart(Scores(prompt_engineering=0, fine_tuning=0)))
    assert svg.count("<rect") == 2


def test_cost_chart_marks_the_break_even_month():
    series = {"months": list(range(1, 25)), "prompt_engineering": [100.0 * m for m in range(1, 25)],
              "fine_tuning": [1000.0 + 20 * m for m in range(1, 25)]}
    svg = str(cost_chart(series, 12.5))
    assert "Break-even: after 12.5 months" in svg
    assert svg.count("<polyline") == 2 * len(COST_LAYOUTS)  # two lines in each drawing
    assert "Total after 24 months: prompt engineering $2,400, fine-tuned model $1,480." in svg


def test_cost_chart_without_break_even_says_so():
    series = {"prompt_engineering": [1.0 * m for m in range(1, 25)], "fine_tuning": [500.0] * 24}
    svg = str(cost_chart(series, None))
    assert "Break-even" not in svg
    assert "does not pay for itself" in svg


def test_money_drops_cents_on_large_amounts():
    assert money(1234.567) == "$1,235"
    assert money(4.5) == "$4.50"


def drawings(svg: str) -> dict[str, str]:
    """Each drawing of a chart by its layout name."""
    found = re.finditer(r'<svg [^>]*class="chart chart-layout-(\w+)".*?</svg>', svg, re.S)
    return {match.group(1): match.group(0) for match in found}


def texts(drawing: str) -> list[tuple[float, float, str, str]]:
    found = re.findall(r'<text x="([\d.-]+)" y="([\d.-]+)"([^>]*)>([^<]*)</text>', drawing)
    return [(float(x), float(y), attrs, text) for x, y, attrs, text in found]


def test_the_cost_chart_is_drawn_for_phones_tablets_and_desktops_with_every_label_inside_it():
    months = range(1, 25)
    for break_even in (0.1, 12.5, 23.9):  # at the left edge, the middle and the right edge
        series = {"prompt_engineering": [1500.0 * m for m in months],
                  "fine_tuning": [3_000_000.0 + 10 * m for m in months]}
        svg = str(cost_chart(series, break_even))
        shown = drawings(svg)
        assert set(shown) == {layout.name for layout in COST_LAYOUTS}
        for layout in COST_LAYOUTS:
            drawing = shown[layout.name]
            assert f'viewBox="0 0 {layout.width} {layout.height}"' in drawing
            assert f'font-size="{layout.font}"' in drawing
            assert f'id="cost-chart-{layout.name}-title"' in drawing
            for x, _y, attrs, text in texts(drawing):
                length = CHAR_WIDTH * layout.font * len(text)
                start = x - length if "end" in attrs else x - length / 2 if "middle" in attrs else x
                assert start >= 0 and start + length <= layout.width + 1, (layout.name, text)
            top_grid = min(float(y) for y in re.findall(r'class="grid" x1="[\d.]+" y1="([\d.]+)"', drawing))
            [(_x, label_y, _a, _t)] = [t for t in texts(drawing) if t[3].startswith("Break-even")]
            legend_y = min(y for _x, y, _a, text in texts(drawing) if text == "Prompt engineering")
            # The label sits between the legend and the top gridline: on neither.
            assert legend_y + layout.font * 0.4 < label_y - layout.font * 0.75
            assert label_y + layout.font * 0.25 < top_grid


def test_scores_read_the_same_in_the_chart_and_the_tables():
    assert score_text(19.0) == "19" and score_text(9.5) == "9.5" and score_text(0) == "0"


def test_a_break_even_within_weeks_reads_as_the_first_month_not_month_0_1():
    months = range(1, 25)
    series = {"prompt_engineering": [100.0 * m for m in months], "fine_tuning": [5.0 * m for m in months]}
    svg = str(cost_chart(series, 0.1))
    assert "Break-even: within the first month" in svg and "0.1" not in svg.split("Break-even")[1][:40]
