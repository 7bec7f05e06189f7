"""Scale: the workspace list, search and compare pages with 100, 10,000 and 100,000 stored assessments.

One workspace grows in place (bulk inserts, with revisions, links and a few deleted rows) while one
server keeps serving it; at each size each page is requested one at a time, and the server's CPU time
per request is read from /proc (wall-clock latency on a shared, busy machine mostly measures the
neighbours; the median latency is shown too). Target: the largest size no slower than 1.5 times the
smallest. At the largest size the
SQL of each page is explained (printed to stderr): no page may scan a big table without an index.
"""

import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from app import migrate
from app.db import make_engine
from bench import plans, seed, servers
from bench.figures import Figure, below, info, ratio_at_most
from bench.servers import BENCH_SECRET

SIZES = (100, 10_000, 100_000)
QUICK_SIZES = (20, 200)
# The 100,000 page may take at most this many times as long as the 100 page.
MAX_SLOWDOWN = 1.5
# A word in one name in four (seed.PILOT_SHARE): a search that fills a page at 100 assessments as at
# 100,000, so both pages show as many rows.
SEARCH_WORD = "pilot"
# Requests per page and size (the CPU clock ticks in hundredths of a second), after a few to warm up.
REQUESTS, QUICK_REQUESTS = 200, 20
WARM_UP = 5


@dataclass(frozen=True)
class Pages:
    list: str
    search: str
    compare: str


def _pages(workspace_token: str, kept: list[seed.SeededAssessment]) -> Pages:
    base = f"/w/{workspace_token}"
    a, b, c = kept[0], kept[1], kept[2]
    return Pages(
        list=base,
        search=f"{base}?q={SEARCH_WORD}",
        compare=f"{base}/compare?a={a.id}&a={b.id}&a={c.id}@1",
    )


@dataclass(frozen=True)
class Cost:
    cpu_ms: float  # server CPU time per request
    p50_ms: float  # median wall-clock latency seen by the client


def _cost(server: servers.Server, path: str, requests: int) -> Cost:
    with httpx.Client(base_url=server.url, timeout=60) as client:
        for _ in range(WARM_UP):
            client.get(path).raise_for_status()
        latencies = []
        cpu_before = servers.cpu_seconds(server.pid)
        for _ in range(requests):
            started = time.perf_counter()
            client.get(path).raise_for_status()
            latencies.append(time.perf_counter() - started)
        cpu = servers.cpu_seconds(server.pid) - cpu_before
    return Cost(cpu / requests * 1000, statistics.median(latencies) * 1000)


def measure(workdir: Path, *, quick: bool = False, database_url: str | None = None) -> list[Figure]:
    sizes = QUICK_SIZES if quick else SIZES
    requests = QUICK_REQUESTS if quick else REQUESTS
    url = database_url or f"sqlite:///{workdir / 'scale.db'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    secret = BENCH_SECRET.encode()
    workspace_id, workspace_token = seed.create_workspace(engine, secret)
    kept = seed.add_assessments(engine, secret, workspace_id, sizes[0], keep=3)
    pages = _pages(workspace_token, kept)
    stored = sizes[0]
    server = servers.start_app(url, workdir)
    timings: dict[int, dict[str, Cost]] = {}
    try:
        for size in sizes:
            if size > stored:
                seed.add_assessments(engine, secret, workspace_id, size - stored, seed=size)
                stored = size
            timings[size] = {name: _cost(server, path, requests) for name, path in vars(pages).items()}
    finally:
        servers.stop(server)
        engine.dispose()
    explained = plans.page_plans(url, list(vars(pages).values()))
    print(plans.report(explained), file=sys.stderr)
    return _figures(timings, sizes, database_url) + _plan_figures(explained, sizes[-1])


def _figures(timings: dict[int, dict[str, Cost]], sizes: tuple[int, ...], database_url: str | None) -> list:
    smallest, largest = sizes[0], sizes[-1]
    kind = "PostgreSQL" if database_url else "SQLite"
    figures = []
    for page in ("list", "search", "compare"):
        first, last = timings[smallest][page], timings[largest][page]
        for size in sizes[1:-1]:
            figures.append(info(f"{page} page CPU/request, {size:,} vs {smallest:,} ({kind})",
                                timings[size][page].cpu_ms, "ms", baseline=first.cpu_ms))
        figures.append(ratio_at_most(f"{page} page CPU/request, {largest:,} vs {smallest:,} ({kind})",
                                     last.cpu_ms, first.cpu_ms, "ms", MAX_SLOWDOWN))
        figures.append(info(f"{page} page p50 latency, {largest:,} vs {smallest:,}", last.p50_ms, "ms",
                            baseline=first.p50_ms))
    return figures


def _plan_figures(explained: list[plans.PagePlan], size: int) -> list[Figure]:
    statements = max(len(plan.statements) for plan in explained)
    scans = sum(len(plan.full_scans) for plan in explained)
    return [info(f"most SQL statements on one of these pages at {size:,}", statements, "statements"),
            below(f"table scans without an index on these pages at {size:,}", scans, "scans", 1)]
