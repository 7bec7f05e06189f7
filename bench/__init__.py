"""Benchmarks of the advisor: `python -m bench` runs them all and prints a Markdown table (issue 6).

Every figure that matters is a ratio measured in the same run (app against a bare Starlette page,
100,000 stored assessments against 100), because the machines are shared and noisy.
"""
