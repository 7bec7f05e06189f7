"""A measured figure, its target, and the Markdown table they print as."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    name: str
    value: float
    unit: str
    target: str = ""  # what passing means, in words ("ratio >= 0.25")
    passed: bool | None = None  # None: reported for information, no target
    baseline: float | None = None

    @property
    def ratio(self) -> float | None:
        if self.baseline is None or self.baseline == 0:
            return None
        return self.value / self.baseline


def info(name: str, value: float, unit: str, baseline: float | None = None) -> Figure:
    return Figure(name, value, unit, baseline=baseline)


def below(name: str, value: float, unit: str, limit: float, baseline: float | None = None) -> Figure:
    return Figure(name, value, unit, f"< {_number(limit)} {unit}", value < limit, baseline)


def at_most(name: str, value: float, unit: str, limit: float, baseline: float | None = None) -> Figure:
    return Figure(name, value, unit, f"<= {_number(limit)} {unit}", value <= limit, baseline)


def ratio_at_least(name: str, value: float, baseline: float, unit: str, limit: float) -> Figure:
    ratio = value / baseline if baseline else 0.0
    return Figure(name, value, unit, f"ratio >= {limit}", ratio >= limit, baseline)


def ratio_at_most(name: str, value: float, baseline: float, unit: str, limit: float) -> Figure:
    ratio = value / baseline if baseline else float("inf")
    return Figure(name, value, unit, f"ratio <= {limit}", ratio <= limit, baseline)


def _number(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.3g}"


def _verdict(figure: Figure) -> str:
    if figure.passed is None:
        return "info"
    return "pass" if figure.passed else "**FAIL**"


def markdown_table(figures: list[Figure]) -> str:
    lines = ["| figure | value | baseline | ratio | target | result |", "|---|---:|---:|---:|---|---|"]
    for figure in figures:
        baseline = f"{_number(figure.baseline)} {figure.unit}" if figure.baseline is not None else ""
        ratio = f"{figure.ratio:.2f}" if figure.ratio is not None else ""
        lines.append(
            f"| {figure.name} | {_number(figure.value)} {figure.unit} | {baseline} | {ratio} "
            f"| {figure.target} | {_verdict(figure)} |"
        )
    return "\n".join(lines)
