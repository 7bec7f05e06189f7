"""Load (R21, R38 in part): 50 simulated people complete the wizard at once against a live server for
60 s (LOAD_SECONDS); no response is a 5xx and every answer each of them saved reads back exactly.

Each simulated person is a thread with its own cookie jar, using the plain HTML forms (no JavaScript):
GET /new, POST every step with random valid answers and notes, then GET the result. At the end each
assessment's export is compared with what that person saved. On PostgreSQL the run is shorter
(LOAD_SECONDS_POSTGRES), since the SQLite run already covers the full minute.
"""

import os
import random
import statistics
import threading
import time
from dataclasses import dataclass, field

import httpx
import pytest

from app.questionnaire import load_questionnaire
from tests.conftest import drop_test_database, make_test_database, stop_server, using_postgres
from tests.security.conftest import start_patiently
from tests.security.live import EDIT_PATH, wizard_form

USERS = 50
LOAD_SECONDS = float(os.environ.get("LOAD_SECONDS", "60"))
LOAD_SECONDS_POSTGRES = float(os.environ.get("LOAD_SECONDS_POSTGRES", "20"))
NOTE_TEXTS = ["Checked with the support lead.", "Zahlen von März – grob geschätzt ✓", "", "<b>not bold</b>"]
QUESTIONNAIRE = load_questionnaire()


@dataclass
class Tally:
    requests: int = 0
    completed: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)
    saved: dict[str, tuple[dict, dict]] = field(default_factory=dict)  # edit token -> (answers, notes)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, response: httpx.Response, seconds: float) -> None:
        with self.lock:
            self.requests += 1
            self.statuses[response.status_code] = self.statuses.get(response.status_code, 0) + 1
            self.latencies.append(seconds)


def _answer(question, rng: random.Random):
    """(form value, stored value) for a random valid answer."""
    if question.type == "number":
        value = rng.randint(question.min or 0, min(question.max or 100_000, 100_000))
        return str(value), value
    if question.type == "yesno":
        value = rng.choice(["yes", "no"])
        return value, value == "yes"
    value = rng.choice([c.value for c in question.choices])
    return value, value


class Person:
    def __init__(self, base_url: str, tally: Tally, seed: int, deadline: float):
        self.http = httpx.Client(base_url=base_url, timeout=60)
        self.tally = tally
        self.rng = random.Random(seed)
        self.seed = seed
        self.deadline = deadline

    def request(self, method: str, url: str, **kwargs) -> httpx.Response:
        started = time.perf_counter()
        response = self.http.request(method, url, **kwargs)
        self.tally.record(response, time.perf_counter() - started)
        if response.status_code >= 500:
            self.tally.errors.append(f"{method} {url} -> {response.status_code}")
        return response

    def run(self) -> None:
        try:
            while time.monotonic() < self.deadline:
                self.complete_one()
        except httpx.HTTPError as error:
            self.tally.errors.append(f"person {self.seed}: {error!r}")
        finally:
            self.http.close()

    def complete_one(self) -> None:
        answers, notes = {}, {}
        page = self.request("GET", "/new")
        form = wizard_form(page.text)
        url, edit_token = form["action"] or "/new", None
        for section in QUESTIONNAIRE.sections:
            data = {**form["fields"], "action": "next"}
            if section is QUESTIONNAIRE.sections[0]:
                data["name"] = f"Load {self.seed} {self.rng.randint(0, 10**6)}"
            for question in section.questions:
                if question.id not in form["fields"] and question.id not in form["choices"]:
                    continue  # not shown on this step
                sent, stored = _answer(question, self.rng)
                data[question.id] = sent
                answers[question.id] = stored
                note = self.rng.choice(NOTE_TEXTS)
                data["note-" + question.id] = note
                notes[question.id] = note
            response = self.request("POST", url, data=data)
            assert response.status_code == 303, (url, response.status_code, response.text[:500])
            location = response.headers["location"]
            edit_token = edit_token or EDIT_PATH.search(location).group(1)
            if "/step/" not in location:
                break
            url = location
            form = wizard_form(self.request("GET", url).text)
        self.request("GET", f"/e/{edit_token}/result")
        with self.tally.lock:
            self.tally.saved[edit_token] = (answers, {k: v for k, v in notes.items() if v.strip()})
            self.tally.completed += 1


def expected_answers(answers: dict) -> dict:
    """What the store keeps: answers to questions still shown given all the others."""
    return {qid: value for qid, value in answers.items() if QUESTIONNAIRE.is_visible(qid, answers)}


@pytest.fixture
def load_server(tmp_path):
    url = make_test_database(tmp_path, "load")
    server = start_patiently(tmp_path, url, extra_env={"ADVISOR_RATE_LIMIT_CREATE_PER_MINUTE": "1000000"})
    yield server
    stop_server(server)
    drop_test_database(url)


@pytest.mark.slow
def test_fifty_people_complete_the_wizard_at_once_without_errors_or_lost_answers(load_server):
    seconds = LOAD_SECONDS_POSTGRES if using_postgres() else LOAD_SECONDS
    tally = Tally()
    deadline = time.monotonic() + seconds
    people = [Person(load_server.url, tally, seed, deadline) for seed in range(USERS)]
    threads = [threading.Thread(target=p.run) for p in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 300)

    assert tally.errors == []
    assert not [status for status in tally.statuses if status >= 500]
    assert tally.completed >= USERS  # every person finished at least one assessment

    verified = 0
    with httpx.Client(base_url=load_server.url, timeout=60) as reader:
        for edit_token, (answers, notes) in tally.saved.items():
            stored = reader.get(f"/e/{edit_token}/export.json").json()
            assert stored["answers"] == expected_answers(answers), edit_token
            assert stored["notes"] == {k: v for k, v in notes.items() if k in expected_answers(answers)}
            verified += sum(1 for _ in stored["answers"])
    p50 = statistics.median(tally.latencies)
    p95 = statistics.quantiles(tally.latencies, n=20)[-1]
    print(f"\nload: {USERS} people, {seconds:.0f} s, {tally.requests} requests "
          f"({tally.requests / seconds:.1f}/s), statuses {dict(sorted(tally.statuses.items()))}, "
          f"{tally.completed} wizards completed, {verified} saved answers read back exactly, "
          f"p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms")
