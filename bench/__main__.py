"""python -m bench [--quick] [--only NAME ...]: run the benchmarks and print one Markdown table.

Exit status 1 when a figure misses its target or a benchmark fails to run.
"""

import argparse
import shutil
import sys
import tempfile
import time
import traceback
from pathlib import Path

from bench.figures import Figure, markdown_table
from bench.suite import BENCHMARKS


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes and 1-second loads (a smoke run)")
    parser.add_argument("--only", nargs="+", choices=list(BENCHMARKS), help="run only these benchmarks")
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres",
                        help="server for the scale-out benchmark (it creates and drops its own database)")
    parser.add_argument("--keep", action="store_true", help="keep the work directory (databases, logs)")
    args = parser.parse_args(argv)

    workdir = Path(tempfile.mkdtemp(prefix="advisor-bench-"))
    figures: list[Figure] = []
    failures: list[str] = []
    try:
        for name in args.only or BENCHMARKS:
            started = time.monotonic()
            print(f"running {name} ...", file=sys.stderr, flush=True)
            try:
                figures.extend(BENCHMARKS[name](workdir, quick=args.quick, postgres=args.postgres))
            except Exception:
                failures.append(f"{name}: {traceback.format_exc()}")
                print(failures[-1], file=sys.stderr)
            print(f"  {name} took {time.monotonic() - started:.0f} s", file=sys.stderr, flush=True)
    finally:
        if args.keep:
            print(f"work directory kept: {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    print(markdown_table(figures))
    for failure in failures:
        print(f"\nbenchmark failed to run: {failure.splitlines()[0]}")
    return 1 if failures or any(figure.passed is False for figure in figures) else 0


if __name__ == "__main__":
    sys.exit(main())
