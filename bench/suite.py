"""The benchmarks in the order they run; each takes (workdir, quick, postgres) and returns its figures."""

from collections.abc import Callable
from pathlib import Path

from bench.figures import Figure

Benchmark = Callable[..., list[Figure]]


def recommendation(workdir: Path, *, quick: bool, postgres: str) -> list[Figure]:
    from bench import bench_recommend

    return bench_recommend.figures(quick=quick)


def http(workdir: Path, *, quick: bool, postgres: str) -> list[Figure]:
    from bench import bench_http

    return bench_http.measure(workdir, quick=quick)


def pdf(workdir: Path, *, quick: bool, postgres: str) -> list[Figure]:
    from bench import bench_pdf

    return bench_pdf.figures(quick=quick)


def scale(workdir: Path, *, quick: bool, postgres: str) -> list[Figure]:
    from bench import bench_scale

    return bench_scale.measure(workdir, quick=quick)


def memory(workdir: Path, *, quick: bool, postgres: str) -> list[Figure]:
    from bench import bench_memory

    return bench_memory.measure(workdir, quick=quick)


def scale_out(workdir: Path, *, quick: bool, postgres: str) -> list[Figure]:
    from bench import bench_scaleout

    return bench_scaleout.measure(workdir, postgres, quick=quick)


BENCHMARKS: dict[str, Benchmark] = {
    "recommend": recommendation,
    "http": http,
    "pdf": pdf,
    "scale": scale,
    "memory": memory,
    "scale-out": scale_out,
}
