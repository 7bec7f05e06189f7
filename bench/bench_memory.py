"""Memory: resident memory of one worker after 10,000 mixed requests, and its growth from the 5,000th.

Four clients send a fixed mix (result pages by view and edit link, wizard steps shown and saved, the
workspace list, search and compare, the JSON recommendation, a few PDFs); every answer must be a
success. RSS is read from /proc after the 5,000th and the 10,000th request; the PDF renderer
processes the worker starts are reported beside it.
"""

import itertools
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from app import migrate
from bench import servers, wizard_posts
from bench.browser_session import BrowserSession, open_session
from bench.figures import Figure, below, info
from bench.wizard_posts import BASE_ANSWERS, Editable, StepPost

REQUESTS = 10_000
QUICK_REQUESTS = 400
CLIENTS = 4
ASSESSMENTS = 64
# Targets (issue 6).
RSS_LIMIT_MB = 200
GROWTH_LIMIT_PERCENT = 5
# One round of the mix: each kind of request, repeated by its share of the traffic.
MIX = (["view"] * 30 + ["step_post"] * 20 + ["result"] * 10 + ["step_get"] * 5 + ["list"] * 10
       + ["search"] * 5 + ["compare"] * 5 + ["api"] * 14 + ["pdf"] * 1)


@dataclass
class Client:
    """One client thread: its own assessments for saving steps, so their versions stay known."""

    base_url: str
    session: BrowserSession
    post: StepPost
    workspace_token: str
    editables: list[Editable]
    saves: Counter = field(default_factory=Counter)
    turn: itertools.count = field(default_factory=itertools.count)

    def request(self, http: httpx.Client, kind: str) -> httpx.Response:
        turn = next(self.turn)
        editable = self.editables[turn % len(self.editables)]
        other = self.editables[(turn + 1) % len(self.editables)]
        workspace = f"/w/{self.workspace_token}"
        if kind == "step_post":
            return self._save(http, editable)
        paths = {
            "view": f"/v/{editable.view_token}",
            "result": f"/e/{editable.edit_token}/result",
            "step_get": self.post.path(editable.edit_token),
            "list": workspace,
            "search": f"{workspace}?q=test+{turn % 50}",
            "compare": f"{workspace}/compare?a={editable.id}&a={other.id}",
            "pdf": f"/v/{editable.view_token}/report.pdf",
        }
        if kind == "api":
            return http.post("/api/v1/recommendations", json=BASE_ANSWERS | {"labeled_examples": turn})
        return http.get(paths[kind])

    def _save(self, http: httpx.Client, editable: Editable) -> httpx.Response:
        done = self.saves[editable.id]
        body = self.post.body(editable.version + done, done)
        response = http.post(self.post.path(editable.edit_token), content=body,
                             headers=self.session.htmx_headers())
        if response.status_code == 200:
            self.saves[editable.id] += 1
        return response


def _run(clients: list[Client], kinds: list[str]) -> None:
    """Send `kinds` spread over the clients, each on its own thread; raise on any failed answer."""
    failures: list[str] = []

    def work(client: Client, share: list[str]) -> None:
        with httpx.Client(base_url=client.base_url, timeout=60) as http:
            for kind in share:
                response = client.request(http, kind)
                if kind == "pdf" and response.status_code == 503:
                    # The PDF renderer's documented back-pressure on a busy machine: retry once, as asked.
                    time.sleep(float(response.headers.get("retry-after", "1")))
                    response = client.request(http, kind)
                if response.status_code != 200:
                    failures.append(f"{kind}: {response.status_code}")

    threads = [threading.Thread(target=work, args=(client, kinds[number::len(clients)]))
               for number, client in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise RuntimeError(f"{len(failures)} failed requests, e.g. {failures[:5]}")


def measure(workdir: Path, *, quick: bool = False) -> list[Figure]:
    total = QUICK_REQUESTS if quick else REQUESTS
    database_url = f"sqlite:///{workdir / 'memory.db'}"
    migrate.upgrade(database_url)
    post = wizard_posts.step_post()
    workspace_token, editables = wizard_posts.create_editables(database_url, ASSESSMENTS, post)
    server = servers.start_app(database_url, workdir)
    try:
        session = open_session(server.url)
        share = len(editables) // CLIENTS
        clients = [Client(server.url, session, post, workspace_token, editables[n * share:(n + 1) * share])
                   for n in range(CLIENTS)]
        kinds = list(itertools.islice(itertools.cycle(MIX), total))
        _run(clients, kinds[: total // 2])
        half = servers.rss_mb(server.pid)
        _run(clients, kinds[total // 2:])
        end = servers.rss_mb(server.pid)
        renderers = sum(servers.rss_mb(child) for child in servers.child_pids(server.pid))
    finally:
        servers.stop(server)
    growth = (end - half) / half * 100
    return [
        below(f"worker RSS after {total:,} mixed requests", end, "MB", RSS_LIMIT_MB),
        below(f"RSS growth, request {total // 2:,} to {total:,}", growth, "%", GROWTH_LIMIT_PERCENT,
              baseline=None),
        # The PDF renderer processes (each replaced after RENDERS_PER_PROCESS reports).
        info("PDF renderer processes' RSS at the end", renderers, "MB"),
    ]
