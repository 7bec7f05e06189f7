"""The median time of one full PDF report, served by its route: HTML from the stored result, then
WeasyPrint (layout, SVG charts, font subsetting) to a 7-page document, in a renderer process.

Run alone: `.venv/bin/python -m bench.bench_pdf` prints the median; `python -m bench` includes it.
"""

import multiprocessing
import statistics
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient

from app import migrate
from app.config import Settings
from app.main import create_app
from bench import servers
from bench.figures import Figure, below, info

TARGET_SECONDS = 1.5  # issue 5 and issue 6: "aim under 1.5 s"
# A realistic, fully answered assessment with notes: every section of the report has content.
ANSWERS = {
    "task_type": "extraction",
    "accuracy_criticality": "high",
    "output_consistency_need": "high",
    "domain_specificity": "high",
    "knowledge_in_base_model": "partly",
    "labeled_examples": 12000,
    "data_quality": "high",
    "data_confidential": True,
    "budget": "medium",
    "gpu_access": "cloud",
    "ml_expertise": "some",
    "time_to_deploy_weeks": 12,
    "monthly_requests": 400000,
    "avg_prompt_tokens_without_examples": 1500,
    "avg_output_tokens": 300,
    "latency_sensitive": False,
    "requirements_change_frequency": "rare",
    "use_case_breadth": "narrow",
    "needs_fresh_or_private_knowledge": False,
    "model_access": "both",
}
NOTES = {
    "labeled_examples": "Legal has 12,000 reviewed clauses; 2,000 more by June.",
    "budget": "Approved for one pilot; more after the steering meeting.",
}


def cpu_seconds_with_renderers() -> float:
    """CPU time of this process and of its live children: the reports render in worker processes."""
    children = multiprocessing.active_children()
    return time.process_time() + sum(servers.cpu_seconds(child.pid) for child in children)


def median_seconds(rounds: int) -> tuple[float, float]:
    """(wall-clock median, CPU median) of one report request; CPU time shows the cost on a busy machine."""
    with tempfile.TemporaryDirectory() as workdir:
        url = f"sqlite:///{Path(workdir) / 'bench.db'}"
        migrate.upgrade(url)
        settings = Settings(
            database_url=url,
            secret_key="bench-" + "x" * 40,
            base_url="http://testserver",
            rate_limit_pdf_per_minute=10_000,
            secret_key_file=Path(workdir) / "key",
        )
        with TestClient(create_app(settings), base_url="http://testserver") as client:
            created = client.post(
                "/api/v1/assessments",
                json={"name": "Contract clause extraction", "answers": ANSWERS, "notes": NOTES},
            )
            path = created.json()["edit_url"].removeprefix("http://testserver") + "/report.pdf"
            client.get(path).raise_for_status()  # warm up: templates, fonts, questionnaire, prices
            wall, cpu = [], []
            for _ in range(rounds):
                start, start_cpu = time.perf_counter(), cpu_seconds_with_renderers()
                client.get(path).raise_for_status()
                wall.append(time.perf_counter() - start)
                cpu.append(cpu_seconds_with_renderers() - start_cpu)
    return statistics.median(wall), statistics.median(cpu)


def figures(quick: bool = False) -> list[Figure]:
    wall, cpu = median_seconds(rounds=3 if quick else 11)
    return [
        below("PDF report median (7 pages, charts, fonts)", round(wall, 3), "s", TARGET_SECONDS),
        info("PDF report CPU time median", round(cpu, 3), "s"),
    ]


if __name__ == "__main__":
    wall, cpu = median_seconds(rounds=11)
    print(f"PDF report median: {wall:.3f} s wall, {cpu:.3f} s CPU (target < {TARGET_SECONDS} s)")
