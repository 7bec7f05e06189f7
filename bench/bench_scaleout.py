"""Scale-out on PostgreSQL: two app instances loaded together against one, and writes read across them.

The benchmark makes a database of its own on the given server (dropped afterwards). Throughput: the
result page by view link, wrk -t2 -c32 on one instance, then -t1 -c16 on each of two instances at the
same time (the same 32 connections in all). Consistency: wizard saves alternate between the instances
and each is read back at once through the other one.
"""

import secrets
import subprocess
from pathlib import Path

import httpx
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from app import migrate
from app.config import Settings
from bench import servers, wizard_posts, wrk
from bench.browser_session import open_session
from bench.figures import Figure, info
from bench.wizard_posts import Editable, StepPost

ASSESSMENTS = 128
CONNECTIONS = 32
WRITES = 200
WARM_UP = 5
QUICK_WRITES = 10


def create_database(server_url: str) -> str:
    base = Settings(database_url=server_url).database_url
    name = f"advisor_bench_{secrets.token_hex(4)}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    return make_url(base).set(database=name).render_as_string(hide_password=False)


def drop_database(server_url: str, url: str) -> None:
    admin = create_engine(Settings(database_url=server_url).database_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')
    admin.dispose()


def _together(urls: list[str], script: str, workdir: Path, seconds: float) -> float:
    """Total requests per second of wrk runs started at the same moment, one per url."""
    per_instance = CONNECTIONS // len(urls)
    command = [wrk.wrk_path(), "-t1", f"-c{per_instance}", f"-d{max(1, round(seconds))}s", "-s"]
    path = workdir / "scaleout.lua"
    path.write_text(script + wrk.DONE_HOOK)
    runs = [subprocess.Popen([*command, str(path), url], stdout=subprocess.PIPE, text=True) for url in urls]
    total = 0.0
    for run in runs:
        output, _ = run.communicate()
        total += wrk.parse(output, urls[runs.index(run)], check=True).rps
    return total


def _writes_read_back(instances: list[str], post: StepPost, editables: list[Editable], count: int) -> int:
    """Save through one instance, read through the other at once; returns how many reads saw the save."""
    session = open_session(instances[0])
    seen = 0
    with httpx.Client(timeout=30) as http:
        for number in range(count):
            writer, reader = instances[number % 2], instances[(number + 1) % 2]
            editable = editables[number % len(editables)]
            version = editable.version + number // len(editables)
            round_number = number // len(editables)
            body = post.body(version, round_number)
            saved = http.post(writer + post.path(editable.edit_token), content=body,
                              headers=session.htmx_headers())
            saved.raise_for_status()
            page = http.get(reader + post.path(editable.edit_token)).text
            value = post.values[round_number % 2]
            if (wizard_posts.version_in(page) == version + 1
                    and f'name="{post.question_id}" value="{value}" checked' in page):
                seen += 1
    return seen


def measure(workdir: Path, server_url: str, *, quick: bool = False) -> list[Figure]:
    seconds = 2 if quick else 10
    writes = QUICK_WRITES if quick else WRITES
    database_url = create_database(server_url)
    started: list[servers.Server] = []
    try:
        migrate.upgrade(database_url)
        post = wizard_posts.step_post()
        _workspace, editables = wizard_posts.create_editables(database_url, ASSESSMENTS, post)
        started = [servers.start_app(database_url, workdir) for _ in range(2)]
        urls = [server.url for server in started]
        for url in urls:  # first requests pay for imports and connections: not part of the figure
            for editable in editables[:WARM_UP]:
                httpx.get(f"{url}/v/{editable.view_token}").raise_for_status()
        script = wrk.round_robin_get([f"/v/{e.view_token}" for e in editables])
        one = wrk.run(urls[0], script, workdir, threads=2, connections=CONNECTIONS, seconds=seconds).rps
        two = _together(urls, script, workdir, seconds)
        seen = _writes_read_back(urls, post, editables, writes)
    finally:
        for server in started:
            servers.stop(server)
        drop_database(server_url, database_url)
    return [
        info(f"PostgreSQL result page, 2 instances vs 1, -c{CONNECTIONS} in all", two, "req/s", baseline=one),
        Figure(f"saves read back through the other instance ({writes} saves)", seen, "saves",
               f"= {writes}", seen == writes),
    ]
