"""The price table as dated data (prices.toml): models, GPU-hour presets and tuning routes.

Pure and deterministic: nothing here reads the clock; every question about time takes the date of the
result (`as_of`). Sources and marks: shared/domain-2026.md sections 3, 4 and 6.2.
"""

import tomllib
from dataclasses import dataclass, fields
from datetime import date, timedelta
from functools import cache
from pathlib import Path

PRICES_PATH = Path(__file__).with_name("prices.toml")
# A model retiring within this many days of the result's date is never a default, and a result priced
# on it says so (issue 12, item 4). 90 days is about one quarter: the notice OpenAI gives for specialised
# models is 3 months, Anthropic's is 60 days (domain-2026 4.1, 4.4), so a team planning now would have to
# migrate inside the window.
RETIREMENT_NOTICE_DAYS = 90
MARK_WORDS = {
    "V": "read in the provider's own documentation",
    "S": "from a secondary source (a transcription or price tracker), so likely right but not confirmed",
    "U": "not verified",
}


def _day(value) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else value


@dataclass(frozen=True)
class Price:
    """One model's prices for one period (several rows may share an id, each with its own period)."""

    id: str
    name: str
    input: float
    output: float
    source: str
    date: str
    mark: str
    provider: str = ""
    note: str = ""
    cached_input: float | None = None
    cache_write: float | None = None
    cache_min_tokens: int = 0
    cache_ttl_minutes: int = 5
    batch_factor: float | None = None
    shared_serverless: bool = False
    open_weights: bool = False
    train: float | None = None
    ft_input: float | None = None
    ft_output: float | None = None
    hosting_per_hour: float = 0.0
    tuning_route: str | None = None
    dedicated_gpu: str | None = None
    dedicated_gpus: int = 1
    serve_memory_gb: float | None = None
    retires: date | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    # The model the provider names as its replacement on retirement (domain-2026 4); None: none named.
    successor: str | None = None
    # Where the training rate and the serving memory were read, when not on the row's own source: a row
    # mixes figures of different marks (issue F12), so each figure names its own.
    train_source: str = ""
    train_date: str = ""
    train_mark: str = ""
    serve_memory_source: str = ""
    # cache_min_tokens is our assumption, not the provider's figure (the minimum was not found).
    cache_min_assumed: bool = False
    # Tokens this model counts for text another tokenizer counts as 1 (domain-2026 C6): prices are per
    # token, so the same prompt costs more on a tokenizer that splits it finer.
    token_factor: float = 1.0

    @property
    def fine_tunable(self) -> bool:
        served = self.dedicated_gpu is not None or (self.ft_input is not None and self.ft_output is not None)
        return self.train is not None and served

    @property
    def per_gpu_hour(self) -> bool:
        """A tuned copy is served on dedicated GPUs, billed by the hour (domain-2026 C1, C5)."""
        return self.dedicated_gpu is not None

    def valid_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )

    def retired_on(self, day: date) -> bool:
        return self.retires is not None and self.retires <= day

    def retires_within(self, day: date, days: int = RETIREMENT_NOTICE_DAYS) -> bool:
        return self.retires is not None and self.retires <= day + timedelta(days=days)


@dataclass(frozen=True)
class GpuPrice:
    id: str
    name: str
    per_hour: float
    source: str
    date: str
    mark: str
    note: str = ""
    memory_gb: int = 80  # every row before the 24 and 48 GB presets was one H100


@dataclass(frozen=True)
class GpuClass:
    """GPUs of one memory size, the presets spanning their hourly price, and their speed relative to one
    L4 (our planning figure; prices.toml says how it was derived)."""

    id: str
    name: str
    memory_gb: int
    speed: float
    low: str
    expected: str
    high: str


@dataclass(frozen=True)
class TuningRoute:
    """A place that trains models, and whether it still takes new jobs (domain-2026 1, 4.1, 4.2, 6.3)."""

    id: str
    name: str
    status: str  # open | existing_customers | none
    source: str
    date: str
    mark: str
    note: str = ""
    new_jobs_until: date | None = None
    inference_until: date | None = None

    def open_for_new_teams(self, start: date, serve_until: date) -> bool:
        """A new team can start a job on `start` and still serve the tuned model on `serve_until`."""
        if self.status != "open":
            return False
        takes_jobs = self.new_jobs_until is None or start <= self.new_jobs_until
        serves = self.inference_until is None or serve_until <= self.inference_until
        return takes_jobs and serves


@dataclass(frozen=True, eq=False)  # identity hash: cached look-ups key on the one table
class PriceTable:
    rows: tuple[Price, ...]
    gpus: dict[str, GpuPrice]
    routes: dict[str, TuningRoute]
    defaults: dict[str, str]
    gpu_classes: tuple[GpuClass, ...] = ()  # smallest memory first

    def gpu_class_for(self, memory_gb: float | None) -> tuple[GpuClass, int]:
        """The smallest class one GPU of which holds `memory_gb`, and 1; when none does, the largest
        class and the number of its GPUs the weights need (a model split across GPUs)."""
        need = memory_gb or 0
        for gpu_class in self.gpu_classes:
            if gpu_class.memory_gb >= need:
                return gpu_class, 1
        largest = self.gpu_classes[-1]
        return largest, -(-int(need) // largest.memory_gb)

    def gpu_class_of(self, gpu_id: str) -> GpuClass:
        """The class of a preset: the smallest class with at least its memory."""
        return self.gpu_class_for(self.gpus[gpu_id].memory_gb)[0]

    def ids(self) -> list[str]:
        return list(dict.fromkeys(row.id for row in self.rows))

    def price(self, model_id: str, on: date | None = None) -> Price | None:
        """The row of `model_id` valid on `on` (None: the first row of that id, for undated callers)."""
        matching = _rows_by_id(self).get(model_id, ())
        if on is None:
            return matching[0] if matching else None
        return next((row for row in matching if row.valid_on(on)), None)

    def usable_default(self, price: Price | None, on: date) -> bool:
        """A default must be verified or from a named secondary source (never U) and not retiring soon."""
        return price is not None and price.mark in {"V", "S"} and not price.retires_within(on)

    def default_model(self, kind: str, on: date) -> Price:
        price = self.price(self.defaults[kind], on)
        if not self.usable_default(price, on):
            raise ValueError(
                f"default {kind} model {self.defaults[kind]!r} is unverified or retiring on {on}"
            )
        return price

    def open_routes(self, start: date, serve_until: date) -> list[TuningRoute]:
        """Tuning routes a new team can still use from `start` until `serve_until` (launch + revisit)."""
        return [route for route in self.routes.values() if route.open_for_new_teams(start, serve_until)]


@cache
def _rows_by_id(table: "PriceTable") -> dict[str, tuple[Price, ...]]:
    # recommend() looks prices up thousands of times a second (flips re-derive costs); index once.
    index: dict[str, tuple[Price, ...]] = {}
    for row in table.rows:
        index[row.id] = (*index.get(row.id, ()), row)
    return index


def _build(cls, row: dict):
    names = {f.name for f in fields(cls)}
    unknown = set(row) - names
    if unknown:
        raise ValueError(f"{cls.__name__} row {row.get('id')!r} has unknown fields {sorted(unknown)}")
    dated = {
        key: _day(value)
        if key in {"retires", "valid_from", "valid_to", "new_jobs_until", "inference_until"}
        else value
        for key, value in row.items()
    }
    return cls(**dated)


@cache
def load_table(path: Path = PRICES_PATH) -> PriceTable:
    """prices.toml parsed once."""
    data = tomllib.loads(path.read_text())
    return PriceTable(
        rows=tuple(_build(Price, row) for row in data["model"]),
        gpus={row["id"]: _build(GpuPrice, row) for row in data["gpu"]},
        routes={row["id"]: _build(TuningRoute, row) for row in data["tuning_route"]},
        defaults=dict(data["defaults"]),
        gpu_classes=tuple(
            sorted((_build(GpuClass, row) for row in data["gpu_class"]), key=lambda c: c.memory_gb)
        ),
    )


def price_words(mark: str) -> str:
    return MARK_WORDS[mark]
