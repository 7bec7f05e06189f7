"""HTTP: requests per second and latency of a wizard step and of the result page, against a bare page.

Both the advisor and the bare Starlette app (bench/bare.py) run under the same uvicorn command with one
worker, answer with pages of the same size, and are loaded by wrk with the same scripts and settings:
-t2 -c32 for throughput, -t2 -c8 for latency. The result page is fetched by view link, cycling through
many assessments; the wizard step is an htmx post that saves a changed answer (bench/wizard_posts.py)
and gets the next step back.
"""

from dataclasses import dataclass, replace
from pathlib import Path

import httpx

from app import migrate
from bench import servers, wizard_posts, wrk
from bench.browser_session import BrowserSession, open_session
from bench.figures import Figure, at_most, below, info, ratio_at_least
from bench.wizard_posts import Editable, StepPost

THREADS = 2
THROUGHPUT_CONNECTIONS = 32
LATENCY_CONNECTIONS = 8
# Assessments cycled through: far more than connections, so a free one is always ready to post.
ASSESSMENTS = 512
QUICK_ASSESSMENTS = 128
# Targets (issues 6 and 18): share of the bare app's requests per second (at 8 and at 32 connections),
# p99 at 8 connections, and the server CPU of a wizard step post.
RESULT_SHARE = 0.25
WIZARD_SHARE = 0.1
P99_LIMIT_MS = 50
WIZARD_CPU_LIMIT_MS = 2


@dataclass(frozen=True)
class Target:
    url: str
    session: BrowserSession
    pid: int


@dataclass(frozen=True)
class Measured:
    load: wrk.Load
    cpu_ms: float  # server CPU time per answered request: what a quiet machine's throughput follows


def wizard_script(post: StepPost, editables: list[Editable], session: BrowserSession) -> str:
    """Each wrk thread posts to its own share of the assessments, in strict turns: an assessment is posted
    again only once its last post came back (its answer's HX-Push-Url names the edit link). Round r of an
    assessment posts version + r, and the value of the flipped question that differs from the stored one.

    Turns by count alone (post each assessment once every per_thread posts) were not strict: one post slower
    than the thread's other connections' next per_thread posts had the next round overtake it. That round,
    with a version not yet stored and the answers stored before, was answered as saved without saving
    (a repeated post, app.web.steps.save_step_answers), and the saves no longer matched the answers."""
    per_thread = len(editables) // THREADS
    headers = ", ".join(f"[{wrk.lua_string(k)}] = {wrk.lua_string(v)}"
                        for k, v in session.htmx_headers().items())
    return f"""
local paths = {wrk.lua_list([post.path(e.edit_token) for e in editables])}
local tokens = {wrk.lua_list([e.edit_token for e in editables])}
local versions = {wrk.lua_list([e.version for e in editables])}
local parity = {wrk.lua_list([post.first_round(e) for e in editables])}
local bodies = {wrk.lua_list([post.body_template(0), post.body_template(1)])}
local headers = {{{headers}}}
local per_thread = {per_thread}
local threads = {THREADS}
local counter = 0
first = 0
verifying = false
-- This thread's assessments whose last post came back (a queue, oldest first), and each one's rounds sent.
local ready, head, tail, slot_of, rounds = nil, 1, 0, {{}}, {{}}
local n = 0
function setup(thread)
  thread:set("first", counter)
  -- wrk calls request() once on its first thread before the run, to see whether the script
  -- pipelines (script_verify_request in wrk.c); that unsent call must not use up a turn.
  if counter == 0 then thread:set("verifying", true) end
  counter = counter + 1
end
local function share()
  ready = {{}}
  for k = 0, per_thread - 1 do
    local slot = first + 1 + k * threads
    tail = tail + 1
    ready[tail] = slot
    slot_of[tokens[slot]] = slot
    rounds[slot] = 0
  end
end
function request()
  if ready == nil then share() end
  if verifying then
    verifying = false
    return wrk.format("POST", paths[ready[head]], headers, "")
  end
  local slot
  if head <= tail then
    slot = ready[head]
    ready[head] = nil
    head = head + 1
  else  -- every assessment in flight, or answers without their link (errors): turns by count
    slot = first + 1 + (n % per_thread) * threads
    n = n + 1
  end
  local round = rounds[slot]
  rounds[slot] = round + 1
  local body = string.format(bodies[(round + parity[slot]) % 2 + 1], versions[slot] + round)
  return wrk.format("POST", paths[slot], headers, body)
end
function answered(status, headers, body)
  local pushed = headers["hx-push-url"] or headers["HX-Push-Url"]
  local slot = pushed and slot_of[string.match(pushed, "/e/([^/]+)/step/") or ""]
  if slot then
    tail = tail + 1
    ready[tail] = slot
  end
end
"""


def result_script(editables: list[Editable]) -> str:
    return wrk.round_robin_get([f"/v/{e.view_token}" for e in editables])


def _sizes(app: Target, post: StepPost, sample: Editable) -> tuple[int, int]:
    """Bytes of the result page and of the wizard step's answer, fetched once as the load will."""
    page = httpx.get(f"{app.url}/v/{sample.view_token}")
    page.raise_for_status()
    step = httpx.post(app.url + post.path(sample.edit_token), content=post.body(sample.version, 0),
                      headers=app.session.htmx_headers())
    step.raise_for_status()
    if wizard_posts.version_in(step.text) != sample.version + 1:
        raise RuntimeError("the wizard step answer does not carry the saved version")
    return len(page.content), len(step.content)


def measure(workdir: Path, *, quick: bool = False, database_url: str | None = None,
            database_label: str = "") -> list[Figure]:
    """The figures on SQLite in `workdir`, or on the (empty) database at `database_url`, whose name
    (`database_label`, e.g. "PostgreSQL") then ends every figure's name."""
    seconds = 1 if quick else 10
    database_url = database_url or f"sqlite:///{workdir / 'http.db'}"
    migrate.upgrade(database_url)
    post = wizard_posts.step_post()
    count = (QUICK_ASSESSMENTS if quick else ASSESSMENTS) + 1
    _workspace, editables = wizard_posts.create_editables(database_url, count, post)
    sample, editables = editables[0], editables[1:]
    app_server = servers.start_app(database_url, workdir)
    bare_server = None
    try:
        app = Target(app_server.url, open_session(app_server.url), app_server.pid)
        result_bytes, step_bytes = _sizes(app, post, sample)
        bare_server = servers.start_bare(workdir, get_bytes=result_bytes, post_bytes=step_bytes)
        bare = Target(bare_server.url, app.session, bare_server.pid)
        first_render_ms = []
        loads = {}
        for connections in (THROUGHPUT_CONNECTIONS, LATENCY_CONNECTIONS):
            # Every page opened once first (the previous round's wizard load saved new versions), so
            # the load measures kept pages, as a shared link mostly gets them; first views on their own.
            first_render_ms.append(_first_views(app, editables))
            loads["result", "bare", connections] = _load(bare, result_script(editables), workdir, connections,
                                                         seconds)
            loads["result", "app", connections] = _load(app, result_script(editables), workdir, connections,
                                                        seconds)
            loads["wizard", "bare", connections] = _load(bare, wizard_script(post, editables, app.session),
                                                         workdir, connections, seconds)
            loads["wizard", "app", connections] = _wizard_load(app, post, editables, database_url, workdir,
                                                               connections, seconds)
    finally:
        servers.stop(app_server)
        if bare_server:
            servers.stop(bare_server)
    first_view_ms = sum(first_render_ms) / len(first_render_ms)
    figures = _figures(loads, result_bytes, step_bytes) + [
        info("result page first view after a save (server CPU, mean)", first_view_ms, "ms")]
    if database_label:
        figures = [replace(figure, name=f"{figure.name} ({database_label})") for figure in figures]
    return figures


def _first_views(app: Target, editables: list[Editable]) -> float:
    """Open every result page once, as its first visitor would, and return the server CPU per view.

    The page is rendered once per saved version and then kept (app.web.render.keep_page); the loads
    below measure the visits after that, which is what a shared link mostly gets.
    """
    cpu_before = servers.cpu_seconds(app.pid)
    with httpx.Client(base_url=app.url) as browser:
        for editable in editables:
            browser.get(f"/v/{editable.view_token}").raise_for_status()
    return (servers.cpu_seconds(app.pid) - cpu_before) / len(editables) * 1000


def _load(target: Target, script: str, workdir: Path, connections: int, seconds: float) -> Measured:
    """One wrk run; error answers are counted (a figure of their own), not fatal."""
    cpu_before = servers.cpu_seconds(target.pid)
    load = wrk.run(target.url, script, workdir, threads=THREADS, connections=connections, seconds=seconds,
                   check=False)
    if load.socket_errors:
        raise RuntimeError(f"{target.url}: {load.socket_errors} socket errors (timeouts, resets)")
    cpu = servers.cpu_seconds(target.pid) - cpu_before
    return Measured(load, cpu / max(load.requests, 1) * 1000)


def _wizard_load(app: Target, post: StepPost, editables: list[Editable], database_url: str, workdir: Path,
                 connections: int, seconds: float) -> Measured:
    """Post from the stored versions, then check that every answered post was a real save."""
    saves_before = wizard_posts.settled_saves(database_url)
    editables = wizard_posts.current_state(database_url, post, editables)
    measured = _load(app, wizard_script(post, editables, app.session), workdir, connections, seconds)
    saves = wizard_posts.settled_saves(database_url) - saves_before
    answered = measured.load.requests - measured.load.status_errors
    # Posts still in flight when wrk stops may have been saved without being counted as answered.
    if not answered <= saves <= answered + connections:
        raise RuntimeError(f"{answered} wizard posts answered but {saves} saves recorded")
    return measured


def _figures(loads: dict[tuple, Measured], result_bytes: int, step_bytes: int) -> list[Figure]:
    figures = []
    pages = {"result": ("result page by view link", RESULT_SHARE, result_bytes),
             "wizard": ("wizard step htmx post (saves)", WIZARD_SHARE, step_bytes)}
    for page, (label, share, size) in pages.items():
        app, bare = loads[page, "app", THROUGHPUT_CONNECTIONS], loads[page, "bare", THROUGHPUT_CONNECTIONS]
        figures.append(ratio_at_least(f"{label}, -c{THROUGHPUT_CONNECTIONS} ({size:,} B)", app.load.rps,
                                      bare.load.rps, "req/s", share))
        app8, bare8 = loads[page, "app", LATENCY_CONNECTIONS], loads[page, "bare", LATENCY_CONNECTIONS]
        figures.append(ratio_at_least(f"{label}, -c{LATENCY_CONNECTIONS} ({size:,} B)", app8.load.rps,
                                      bare8.load.rps, "req/s", share))
        # CPU over both loads: more requests, less noise.
        cpu_ms = _mean_cpu(app, app8)
        cpu_label = f"{label}: server CPU per request"
        bare_cpu_ms = _mean_cpu(bare, bare8)
        figures.append(at_most(cpu_label, cpu_ms, "ms", WIZARD_CPU_LIMIT_MS, baseline=bare_cpu_ms)
                       if page == "wizard" else info(cpu_label, cpu_ms, "ms", baseline=bare_cpu_ms))
        figures.append(info(f"{label} p50, -c{THROUGHPUT_CONNECTIONS}", app.load.p50_ms, "ms",
                            baseline=bare.load.p50_ms))
        latency_app = loads[page, "app", LATENCY_CONNECTIONS].load
        latency_bare = loads[page, "bare", LATENCY_CONNECTIONS].load
        figures.append(info(f"{label} p50, -c{LATENCY_CONNECTIONS}", latency_app.p50_ms, "ms",
                            baseline=latency_bare.p50_ms))
        figures.append(below(f"{label} p99, -c{LATENCY_CONNECTIONS}", latency_app.p99_ms, "ms", P99_LIMIT_MS,
                             baseline=latency_bare.p99_ms))
    failed = [(page, measured.load) for (page, kind, _c), measured in loads.items()
              if kind == "app" and measured.load.status_errors]
    statuses = sorted({status for _page, load in failed for status in load.statuses})
    total = sum(load.status_errors for _page, load in failed)
    figures.append(below(f"error answers under load {statuses or ''}".rstrip(), total, "answers", 1))
    return figures


def _mean_cpu(*runs: Measured) -> float:
    requests = sum(run.load.requests for run in runs)
    return sum(run.cpu_ms * run.load.requests for run in runs) / max(requests, 1)
