"""Each benchmark runs end to end in its quick mode, so none can rot between real runs.

Timings here mean nothing (tiny sizes, one-second loads on a shared machine): the tests check that
every figure was measured and that the checks built into the benchmarks (every response a success,
every wizard post a real save, every write read back) held.
"""

import pytest

from bench import bench_http, bench_memory, bench_scale, bench_scaleout
from bench.__main__ import main
from bench.figures import Figure

pytestmark = pytest.mark.slow


def _named(figures: list[Figure]) -> dict[str, Figure]:
    return {figure.name: figure for figure in figures}


def test_http_benchmark_measures_both_pages_against_the_bare_app(tmp_path, needs_wrk):
    figures = bench_http.measure(tmp_path, quick=True)
    throughput = [f for f in figures if f.unit == "req/s"]
    # Both pages, each at 8 and at 32 connections (issue 18), against the bare app at the same count.
    assert len(throughput) == 4
    assert {(f.name.split(",")[0], "-c8" in f.name) for f in throughput} == {
        ("result page by view link", True), ("result page by view link", False),
        ("wizard step htmx post (saves)", True), ("wizard step htmx post (saves)", False)}
    assert all(f.value > 0 and f.baseline > 0 for f in throughput)
    assert all(f.value > 0 for f in figures if "CPU" in f.name)
    assert any(name.startswith("wizard step") and "p99" in name for name in _named(figures))


def test_scale_benchmark_times_list_search_and_compare_at_each_size(tmp_path, needs_wrk):
    figures = bench_scale.measure(tmp_path, quick=True)
    timed = [f for f in figures if f.unit == "ms"]
    assert {f.name.split(" page")[0] for f in timed} == {"list", "search", "compare"}
    assert all(f.value > 0 and f.baseline > 0 for f in timed)
    assert _named(figures)["table scans without an index on these pages at 200"].passed


def test_memory_benchmark_reads_the_workers_memory_after_mixed_requests(tmp_path):
    rss, growth, renderers = bench_memory.measure(tmp_path, quick=True)
    assert 20 < rss.value < 2000
    assert growth.unit == "%"
    assert renderers.value > 20, "the PDFs in the mix are rendered by worker processes of the server"


def test_scale_out_benchmark_reads_every_write_back_through_the_other_instance(tmp_path, needs_wrk,
                                                                             postgres_server):
    throughput, consistency = bench_scaleout.measure(tmp_path, postgres_server, quick=True)
    assert throughput.value > 0 and throughput.baseline > 0
    assert consistency.passed, consistency


def test_the_command_prints_one_markdown_table(capsys):
    main(["--quick", "--only", "recommend"])
    table = capsys.readouterr().out
    assert table.startswith("| figure | value | baseline | ratio | target | result |")
    assert "recommend() median" in table
