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


def http_postgres(workdir: Path, *, quick: bool, postgres: str) -> list[Figure]:
    """The http benchmark on a PostgreSQL database of its own (created and dropped)."""
    from bench import bench_http, bench_scaleout

    database_url = bench_scaleout.create_database(postgres)
    try:
        return bench_http.measure(workdir, quick=quick, database_url=database_url,
                                  database_label="PostgreSQL")
    finally:
        bench_scaleout.drop_database(postgres, database_url)


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
    "http-postgres": http_postgres,
    "pdf": pdf,
    "scale": scale,
    "memory": memory,
    "scale-out": scale_out,
}
