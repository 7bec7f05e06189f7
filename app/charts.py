"""SVG charts built on the server from numbers only, for the result page and the PDF.

Every text in the markup is escaped here, so the returned Markup is safe to insert as is. Shapes carry
presentation attributes (colours that read on white paper); the web stylesheet may restyle them by
class for dark mode. Each chart is an `img` with a <title> and a <desc> that say what it shows.
"""

import math
from collections.abc import Mapping, Sequence
from html import escape

from markupsafe import Markup

OPTION_LABELS = {"prompt_engineering": "Prompt engineering", "fine_tuning": "Fine-tuning"}
COLOURS = {"prompt_engineering": "#1f6feb", "fine_tuning": "#bf5b04"}
# Cost series may name the fine-tuned option either way; both map to the fine-tuning colour.
SERIES_KEYS = {"prompt_engineering": "prompt_engineering", "fine_tuned": "fine_tuning",
               "fine_tuning": "fine_tuning"}
SERIES_LABELS = {"prompt_engineering": "Prompt engineering", "fine_tuning": "Fine-tuned model"}


def _attrs(**attributes) -> str:
    return " ".join(f'{name.rstrip("_").replace("_", "-")}="{escape(str(value))}"'
                    for name, value in attributes.items())


def _shape(tag: str, **attributes) -> str:
    return f"<{tag} {_attrs(**attributes)}/>"


def _text(x: float, y: float, text: str, **attributes) -> str:
    return f'<text {_attrs(x=_n(x), y=_n(y), **attributes)}>{escape(text)}</text>'


def _n(value: float) -> str:
    """Coordinates with one decimal at most: short markup, stable output."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _svg(chart_id: str, width: int, height: int, title: str, desc: str, body: list[str]) -> Markup:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" font-family="sans-serif" font-size="14">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>'
    )
    # Every text in head and body went through escape() above: this markup is the app's own.
    return Markup(head + "".join(body) + "</svg>")  # noqa: S704


def money(amount: float) -> str:
    """US dollars the way a reader says them: cents only below ten dollars."""
    if abs(amount) < 10:
        return f"${amount:,.2f}"
    return f"${amount:,.0f}"


# --- score chart ------------------------------------------------------------------------------


def score_chart(recommendation: Mapping) -> Markup:
    """Two horizontal bars: how strongly the answers point to prompt engineering and to fine-tuning."""
    scores = recommendation["scores"]
    # Narrow, with each label above its bar: on a phone the chart scales down and must stay readable.
    width, label_height, bar_height, gap, top = 320, 20, 24, 12, 2
    plot_width = width - 40
    largest = max([abs(float(scores[key])) for key in OPTION_LABELS] + [1e-9])
    body = []
    for row, (key, label) in enumerate(OPTION_LABELS.items()):
        value = float(scores[key])
        y = top + row * (label_height + bar_height + gap)
        length = max(abs(value) / largest * plot_width, 2)
        body.append(_text(0, y + 14, label, fill="currentColor"))
        body.append(_shape("rect", class_="bar bar-" + key, x=0, y=y + label_height, width=_n(length),
                           height=bar_height, rx=3, fill=COLOURS[key]))
        body.append(_text(length + 6, y + label_height + bar_height * 0.7, _score(value),
                          fill="currentColor", font_weight="bold"))
    height = top + 2 * (label_height + bar_height + gap)
    desc = (f"Prompt engineering scores {_score(float(scores['prompt_engineering']))}, "
            f"fine-tuning scores {_score(float(scores['fine_tuning']))}. A longer bar means the answers "
            "point more strongly to that option.")
    return _svg("score-chart", width, height, "How strongly your answers point to each option", desc, body)


def _score(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


# --- cost chart -------------------------------------------------------------------------------


def _nice_step(largest: float, ticks: int = 4) -> float:
    """A round step (1, 2, 2.5 or 5 times a power of ten) that covers `largest` in about `ticks` steps."""
    if largest <= 0:
        return 1.0
    raw = largest / ticks
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if factor * power >= raw:
            return factor * power
    return 10 * power


def cost_chart(series: Mapping[str, Sequence[float]], break_even_month: float | None) -> Markup:
    """Cumulative cost per month of each option, with the month fine-tuning pays off marked.

    `series` maps "prompt_engineering" and "fine_tuned" (or "fine_tuning") to cumulative costs in
    US dollars, one value per month from month 1.
    """
    lines = {SERIES_KEYS[key]: _from_month_zero([float(v) for v in values]) for key, values in series.items()
             if key in SERIES_KEYS}
    months = max((len(values) - 1 for values in lines.values()), default=0)
    width, height = 640, 300
    left, right, top, bottom = 78, 20, 30, 46
    plot_w, plot_h = width - left - right, height - top - bottom
    step = _nice_step(max([v for values in lines.values() for v in values] + [0]))
    y_max = step * max(1, math.ceil(max([v for values in lines.values() for v in values] + [0]) / step))

    def x_at(month: float) -> float:
        return left + (month / max(months, 1)) * plot_w

    def y_at(amount: float) -> float:
        return top + plot_h - (amount / y_max) * plot_h

    body = _cost_axes(months, y_max, step, x_at, y_at, left, width - right)
    for key, values in lines.items():
        points = " ".join(f"{_n(x_at(m))},{_n(y_at(v))}" for m, v in enumerate(values))
        body.append(_shape("polyline", class_="line line-" + key, points=points, fill="none",
                           stroke=COLOURS[key], stroke_width=3, stroke_linejoin="round"))
    if break_even_month is not None and 0 < break_even_month <= months:
        x = x_at(break_even_month)
        body.append(_shape("line", class_="break-even", x1=_n(x), y1=top, x2=_n(x), y2=top + plot_h,
                           stroke="currentColor", stroke_width=1.5, stroke_dasharray="5 4"))
        anchor = "end" if x > left + plot_w * 0.7 else "start"
        label = f"Break-even: month {_month(break_even_month)}"
        body.append(_text(x + (-6 if anchor == "end" else 6), top + 14, label,
                          fill="currentColor", font_weight="bold", text_anchor=anchor))
    body.extend(_cost_legend(lines, left))
    return _svg("cost-chart", width, height, "Cumulative cost over the first 24 months",
                _cost_desc(lines, months, break_even_month), body)


def _from_month_zero(values: list[float]) -> list[float]:
    """The series with its starting point (month 0: what is spent before launch) in front.

    Costs grow by the same amount each month, so month 0 is month 1 less one month's growth.
    """
    if len(values) < 2:
        return [0.0, *values]
    return [max(values[0] - (values[1] - values[0]), 0.0), *values]


def _month(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _cost_axes(months, y_max, step, x_at, y_at, left, right) -> list[str]:
    parts = []
    tick = 0.0
    while tick <= y_max + step / 2:
        y = y_at(tick)
        parts.append(_shape("line", class_="grid", x1=left, y1=_n(y), x2=right, y2=_n(y),
                            stroke="#8c8c8c", stroke_opacity=0.35))
        label = money(tick) if step < 1 else f"${tick:,.0f}"
        parts.append(_text(left - 8, y + 4, label, fill="currentColor", text_anchor="end"))
        tick += step
    for month in range(0, months + 1, 6 if months > 12 else 1):
        parts.append(_text(x_at(month), y_at(0) + 18, str(month), fill="currentColor", text_anchor="middle"))
    parts.append(_text((left + right) / 2, y_at(0) + 38, "Months from launch", fill="currentColor",
                       text_anchor="middle"))
    return parts


def _cost_legend(lines: Mapping[str, list[float]], left: float) -> list[str]:
    parts, x = [], left
    for key in lines:
        parts.append(_shape("rect", class_="key-" + key, x=_n(x), y=8, width=14, height=4, fill=COLOURS[key]))
        parts.append(_text(x + 20, 14, SERIES_LABELS[key], fill="currentColor"))
        x += 40 + 7.5 * len(SERIES_LABELS[key])
    return parts


def _cost_desc(lines: Mapping[str, list[float]], months: int, break_even_month: float | None) -> str:
    totals = [f"{SERIES_LABELS[key].lower()} {money(values[-1])}" for key, values in lines.items() if values]
    text = f"Total after {months} months: " + ", ".join(totals) + "." if totals else "No cost data."
    if break_even_month is None:
        return text + " Fine-tuning does not pay for itself within this period."
    return text + f" The fine-tuned model becomes the cheaper option in month {_month(break_even_month)}."
