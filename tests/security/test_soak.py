"""A bounded soak across two worker processes (R21, R38): opt-in, at most ten minutes.

Run with `ADVISOR_SOAK_SECONDS=600 ./dev test -m soak tests/security/test_soak.py`. Four clients create,
change and read assessments through the API against `uvicorn --workers 2` for that long; then every
assessment is read back and must hold exactly the answers its last acknowledged save sent. No request
may get a 5xx or fail to connect, and each worker's memory may not keep growing: its resident size at
the end is compared with the size after the first minute (or first quarter of a shorter run).
"""

import os
import random
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import drop_test_database, make_test_database, start_server, stop_server

SOAK_SECONDS = min(int(os.environ.get("ADVISOR_SOAK_SECONDS", "0") or 0), 600)
pytestmark = [
    pytest.mark.soak, pytest.mark.slow,
    pytest.mark.skipif(SOAK_SECONDS <= 0, reason="opt-in: set ADVISOR_SOAK_SECONDS (at most 600)"),
]
CLIENTS = 4
# Resident memory a worker may gain between the warm-up sample and the end: caches (kept pages, the
# engine's) fill in the first minute; steady growth past this over ten minutes is a leak.
MAX_GROWTH_BYTES = 64 * 1024 * 1024
CHOICES = {"task_type": ["classification", "extraction", "conversation", "summarization"],
           "budget": ["low", "medium", "high"], "gpu_access": ["none", "cloud", "own"]}


def _answers(rng: random.Random) -> dict:
    answers = {key: rng.choice(values) for key, values in CHOICES.items()}
    counts = {"labeled_examples": rng.randrange(0, 20_000), "monthly_requests": rng.randrange(1, 10**6)}
    return answers | counts


def _workers_rss(parent: int) -> dict[int, int]:
    """Resident bytes of each child process of `parent` (uvicorn's workers), from /proc."""
    sizes = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        command = (stat.parent / "cmdline").read_bytes()
        if int(fields[1]) == parent and b"resource_tracker" not in command:  # ppid; not the tracker
            sizes[int(stat.parent.name)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")  # rss pages
    return sizes


class Soak:
    def __init__(self, url: str):
        self.url = url
        self.saved: dict[str, tuple[str, dict]] = {}  # id -> (edit token, last acknowledged answers)
        self.errors: list[str] = []
        self.requests = 0
        self.lock = threading.Lock()

    def run_client(self, seed: int, until: float) -> None:
        rng = random.Random(seed)
        with httpx.Client(base_url=self.url, timeout=60) as http:
            mine: list[str] = []
            while time.monotonic() < until:
                try:
                    if not mine or rng.random() < 0.3:
                        mine.append(self._create(http, rng))
                    else:
                        self._change(http, rng, rng.choice(mine))
                except httpx.HTTPError as error:
                    with self.lock:
                        self.errors.append(f"{type(error).__name__}: {error}")

    def _count(self, response: httpx.Response, expected: int) -> httpx.Response:
        with self.lock:
            self.requests += 1
            if response.status_code != expected:
                self.errors.append(f"{response.request.method} {response.request.url.path}: "
                                   f"{response.status_code} {response.text[:200]}")
        return response

    def _create(self, http: httpx.Client, rng: random.Random) -> str:
        answers = _answers(rng)
        body = self._count(http.post("/api/v1/assessments", json={"name": f"Soak {rng.random()}",
                                                                   "answers": answers}), 201).json()
        token = body["edit_url"].rsplit("/", 1)[1]
        with self.lock:
            self.saved[body["id"]] = (token, answers)
        return body["id"]

    def _change(self, http: httpx.Client, rng: random.Random, assessment_id: str) -> None:
        token, _ = self.saved[assessment_id]
        auth = {"Authorization": f"Bearer {token}"}
        read = self._count(http.get(f"/api/v1/assessments/{assessment_id}", headers=auth), 200)
        answers = _answers(rng)
        changed = http.put(f"/api/v1/assessments/{assessment_id}/answers", json=answers,
                           headers=auth | {"If-Match": read.headers["etag"]})
        if self._count(changed, 200).status_code == 200:
            with self.lock:
                self.saved[assessment_id] = (token, answers)


@pytest.fixture(scope="module")
def two_workers(tmp_path_factory):
    tmp_dir = tmp_path_factory.mktemp("soak")
    url = make_test_database(tmp_dir, "soak")
    unlimited = {"ADVISOR_RATE_LIMIT_CREATE_PER_MINUTE": "1000000",
                 "ADVISOR_RATE_LIMIT_TOKEN_MISSES_PER_MINUTE": "1000000"}
    server = start_server(tmp_dir, url, workers=2, extra_env=unlimited)
    yield server
    stop_server(server)
    drop_test_database(url)


def test_a_bounded_soak_over_two_workers_loses_no_answer_errs_never_and_does_not_grow(two_workers):
    soak = Soak(two_workers.url)
    started = time.monotonic()
    until = started + SOAK_SECONDS
    clients = [threading.Thread(target=soak.run_client, args=(seed, until)) for seed in range(CLIENTS)]
    for client in clients:
        client.start()
    warm_up = min(60, SOAK_SECONDS / 4)
    while time.monotonic() < started + warm_up and any(c.is_alive() for c in clients):
        clients[0].join(timeout=started + warm_up - time.monotonic())
    warm = _workers_rss(two_workers.process.pid)
    for client in clients:
        client.join()
    end = _workers_rss(two_workers.process.pid)
    assert len(warm) == 2 and set(end) == set(warm), "a worker was replaced or died during the soak"
    assert soak.errors == [], soak.errors[:20]
    with httpx.Client(base_url=two_workers.url, timeout=60) as http:
        lost = [assessment_id for assessment_id, (token, answers) in soak.saved.items()
                if http.get(f"/api/v1/assessments/{assessment_id}",
                            headers={"Authorization": f"Bearer {token}"}).json()["answers"] != answers]
    assert lost == []
    growth = {pid: end[pid] - warm[pid] for pid in warm}
    mib = [round(g / 2**20, 1) for g in growth.values()]
    print(f"soak: {soak.requests} requests in {SOAK_SECONDS} s over 2 workers, "
          f"{len(soak.saved)} assessments, worker memory growth after warm-up (MiB): {mib}")
    assert all(g < MAX_GROWTH_BYTES for g in growth.values()), growth
