"""SVG charts built on the server from numbers only, for the result page and the PDF.

Every text in the markup is escaped here, so the returned Markup is safe to insert as is. Shapes carry
presentation attributes (colours that read on white paper); the web stylesheet may restyle them by
class for dark mode. Each chart is an `img` with a <title> and a <desc> that say what it shows.
"""

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

from app.advisor.models import Scores
from app.advisor.words import OPTION_LABELS

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


def _svg(chart_id: str, width: int, height: int, title: str, desc: str, body: list[str], *, font: int = 14,
         css_class: str = "chart") -> Markup:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{css_class}" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" font-family="sans-serif" font-size="{font}">'
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


def break_even_words(months: float | None) -> str:
    """When fine-tuning has paid for itself, as every page, chart and the PDF say it."""
    if months is None:
        return "never"
    if months < 1:
        return "within the first month"
    return f"after {_month(months)} months"


# --- score chart ------------------------------------------------------------------------------


def score_chart(scores: Scores) -> Markup:
    """Two horizontal bars: how strongly the answers point to prompt engineering and to fine-tuning."""
    # Narrow, with each label above its bar: on a phone the chart scales down and must stay readable.
    width, label_height, bar_height, gap, top = 320, 20, 24, 12, 2
    plot_width = width - 40
    largest = max([abs(getattr(scores, key)) for key in OPTION_LABELS] + [1e-9])
    body = []
    for row, (key, label) in enumerate(OPTION_LABELS.items()):
        value = getattr(scores, key)
        y = top + row * (label_height + bar_height + gap)
        length = max(abs(value) / largest * plot_width, 2)
        body.append(_text(0, y + 14, label, fill="currentColor"))
        body.append(_shape("rect", class_="bar bar-" + key, x=0, y=y + label_height, width=_n(length),
                           height=bar_height, rx=3, fill=COLOURS[key]))
        body.append(_text(length + 6, y + label_height + bar_height * 0.7, score_text(value),
                          fill="currentColor", font_weight="bold"))
    height = top + 2 * (label_height + bar_height + gap)
    desc = (f"Prompt engineering scores {score_text(scores.prompt_engineering)}, "
            f"fine-tuning scores {score_text(scores.fine_tuning)}. A longer bar means the answers "
            "point more strongly to that option.")
    return _svg("score-chart", width, height, "How strongly your answers point to each option", desc, body)


def score_text(value: float) -> str:
    """A score as every page shows it: "3", "2.5" (one decimal at most, none when whole)."""
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


@dataclass(frozen=True)
class ChartLayout:
    """One drawing of a chart for one range of widths: text keeps its size only if the drawing is shown
    near its own width, so the cost chart is drawn once per layout and CSS shows the one that fits
    (web: `.chart-layout-*` in app.css; the PDF shows the medium one, report.css)."""

    name: str
    width: int
    height: int
    font: int


# Pico's container is about 343-510 px wide on phones, 700-950 on tablets and small screens, and
# 1200-1450 on desktops; each layout is drawn for the low end of its range, so its text is shown at
# about its own size (at least 0.85 of it, and CSS caps the growth).
COST_LAYOUTS = (
    ChartLayout("narrow", 380, 300, 13),
    ChartLayout("medium", 720, 320, 13),
    ChartLayout("wide", 1100, 360, 14),
)
# Width of an average character, as a share of the font size (sans-serif digits and lower case).
CHAR_WIDTH = 0.6


def cost_chart(series: Mapping[str, Sequence[float]], break_even_month: float | None) -> Markup:
    """Cumulative cost per month of each option, with the month fine-tuning pays off marked.

    `series` maps "prompt_engineering" and "fine_tuned" (or "fine_tuning") to cumulative costs in
    US dollars, one value per month from month 1. One drawing per layout (COST_LAYOUTS).
    """
    lines = {SERIES_KEYS[key]: _from_month_zero([float(v) for v in values]) for key, values in series.items()
             if key in SERIES_KEYS}
    return Markup("".join(_cost_drawing(lines, break_even_month, layout) for layout in COST_LAYOUTS))  # noqa: S704


def _cost_drawing(lines: Mapping[str, list[float]], break_even_month: float | None,
                  layout: ChartLayout) -> str:
    months = max((len(values) - 1 for values in lines.values()), default=0)
    width, height, font = layout.width, layout.height, layout.font
    largest = max([v for values in lines.values() for v in values] + [0])
    step = _nice_step(largest)
    y_max = step * max(1, math.ceil(largest / step))
    tick_labels = _money_ticks(y_max, step)
    # Left margin fits the longest amount; the top holds the legend, then the break-even label, so
    # neither ever sits on a gridline or a line.
    left = 10 + CHAR_WIDTH * font * max(len(label) for _, label in tick_labels)
    right = 4 + CHAR_WIDTH * font * 1.2  # half of the last month's number, "24"
    top = round(font * 3.6)
    bottom = round(font * 3.2)
    plot_w, plot_h = width - left - right, height - top - bottom

    def x_at(month: float) -> float:
        return left + (month / max(months, 1)) * plot_w

    def y_at(amount: float) -> float:
        return top + plot_h - (amount / y_max) * plot_h

    body = _cost_axes(months, tick_labels, x_at, y_at, left, width - right, font)
    for key, values in lines.items():
        points = " ".join(f"{_n(x_at(m))},{_n(y_at(v))}" for m, v in enumerate(values))
        body.append(_shape("polyline", class_="line line-" + key, points=points, fill="none",
                           stroke=COLOURS[key], stroke_width=3, stroke_linejoin="round"))
    if break_even_month is not None and 0 < break_even_month <= months:
        x = x_at(break_even_month)
        label_y = top - font * 0.6
        body.append(_shape("line", class_="break-even", x1=_n(x), y1=_n(label_y + font * 0.3), x2=_n(x),
                           y2=top + plot_h, stroke="currentColor", stroke_width=1.5, stroke_dasharray="5 4"))
        label = f"Break-even: {break_even_words(break_even_month)}"
        # Beside the line, on the side with room for the whole label.
        room_right = width - x - CHAR_WIDTH * font * len(label) - 6
        anchor, dx = ("start", 6) if room_right >= 0 else ("end", -6)
        body.append(_text(x + dx, label_y, label, fill="currentColor", font_weight="bold",
                          text_anchor=anchor))
    body.extend(_cost_legend(lines, left, font, width))
    return str(_svg(f"cost-chart-{layout.name}", width, height, "Cumulative cost over the first 24 months",
                    _cost_desc(lines, months, break_even_month), body, font=font,
                    css_class=f"chart chart-layout-{layout.name}"))


def _from_month_zero(values: list[float]) -> list[float]:
    """The series with its starting point (month 0: what is spent before launch) in front.

    Costs grow by the same amount each month, so month 0 is month 1 less one month's growth.
    """
    if len(values) < 2:
        return [0.0, *values]
    return [max(values[0] - (values[1] - values[0]), 0.0), *values]


def _month(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _money_ticks(y_max: float, step: float) -> list[tuple[float, str]]:
    ticks, tick = [], 0.0
    while tick <= y_max + step / 2:
        ticks.append((tick, money(tick) if step < 1 else f"${tick:,.0f}"))
        tick += step
    return ticks


def _cost_axes(months, tick_labels, x_at, y_at, left, right, font) -> list[str]:
    parts = []
    for tick, label in tick_labels:
        y = y_at(tick)
        parts.append(_shape("line", class_="grid", x1=_n(left), y1=_n(y), x2=_n(right), y2=_n(y),
                            stroke="#8c8c8c", stroke_opacity=0.35))
        parts.append(_text(left - 8, y + font * 0.35, label, fill="currentColor", text_anchor="end"))
    for month in range(0, months + 1, 6 if months > 12 else 1):
        parts.append(_text(x_at(month), y_at(0) + font * 1.35, str(month), fill="currentColor",
                           text_anchor="middle"))
    parts.append(_text((left + right) / 2, y_at(0) + font * 2.75, "Months from launch", fill="currentColor",
                       text_anchor="middle"))
    return parts


def _cost_legend(lines: Mapping[str, list[float]], left: float, font: int, width: int) -> list[str]:
    advances = [font * 3 + CHAR_WIDTH * font * len(SERIES_LABELS[key]) for key in lines]
    # Above the plot, from its left edge; moved left (as far as the chart's edge) if it would not fit.
    parts, x = [], max(min(left, width - sum(advances) + font * 1.5), 0)
    y = font * 1.1
    for key, advance in zip(lines, advances, strict=True):
        parts.append(_shape("rect", class_="key-" + key, x=_n(x), y=_n(y - font * 0.4), width=font,
                            height=4, fill=COLOURS[key]))
        parts.append(_text(x + font * 1.4, y, SERIES_LABELS[key], fill="currentColor"))
        x += advance
    return parts


def _cost_desc(lines: Mapping[str, list[float]], months: int, break_even_month: float | None) -> str:
    totals = [f"{SERIES_LABELS[key].lower()} {money(values[-1])}" for key, values in lines.items() if values]
    text = f"Total after {months} months: " + ", ".join(totals) + "." if totals else "No cost data."
    if break_even_month is None:
        return text + " Fine-tuning does not pay for itself within this period."
    return text + f" The fine-tuned model becomes the cheaper option {break_even_words(break_even_month)}."
