"""Run wrk (Debian's package) with a generated Lua script and read its summary as JSON."""

import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

# Printed by the done() hook appended to every script: one JSON line wrk's text output cannot garble.
MARK = "BENCH-JSON "
DONE_HOOK = """
shown = 0
function response(status, headers, body)
  if answered then answered(status, headers, body) end
  if status >= 400 and shown < 5 then
    shown = shown + 1
    io.write("STATUS ", status, "\\n")
  end
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('%s{"requests": %d, "duration_us": %d, "status_errors": %d, '
    .. '"socket_errors": %d, "p50_us": %d, "p99_us": %d}\\n', "MARK", summary.requests,
    summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
""".replace("MARK", MARK)


ERROR_STATUS = re.compile(r"^STATUS (\d+)$", re.MULTILINE)


@dataclass(frozen=True)
class Load:
    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p99_ms: float
    status_errors: int
    socket_errors: int
    statuses: tuple[int, ...] = ()  # the first error statuses each wrk thread saw


def wrk_path() -> str:
    path = shutil.which("wrk")
    if path is None:
        raise RuntimeError("wrk is not installed: apt-get install wrk (Debian's package)")
    return path


def run(url: str, script: str, workdir: Path, *, threads: int, connections: int, seconds: float,
        check: bool = True) -> Load:
    """Load `url` with the Lua `script` (request()/setup() hooks, and answered(status, headers, body) to see
    each response); raises if any response failed."""
    path = workdir / f"wrk-{abs(hash(script))}.lua"
    path.write_text(script + DONE_HOOK)
    command = [wrk_path(), f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s",
               "--timeout", "10s", "-s", str(path), url]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return parse(output, url, check=check)


def parse(output: str, url: str, *, check: bool = True) -> Load:
    """The summary the done() hook printed; raises if any response failed and `check` is set."""
    line = next((row for row in output.splitlines() if row.startswith(MARK)), None)
    if line is None:
        raise RuntimeError(f"wrk printed no summary:\n{output}")
    data = json.loads(line[len(MARK):])
    load = Load(
        requests=data["requests"],
        seconds=data["duration_us"] / 1e6,
        rps=data["requests"] / (data["duration_us"] / 1e6),
        p50_ms=data["p50_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        status_errors=data["status_errors"],
        socket_errors=data["socket_errors"],
        statuses=tuple(sorted(int(code) for code in ERROR_STATUS.findall(output))),
    )
    if check and (load.status_errors or load.socket_errors):
        raise RuntimeError(f"wrk on {url}: {load.status_errors} error responses {load.statuses}, "
                           f"{load.socket_errors} socket errors in {load.requests} requests")
    return load


def lua_string(value: str) -> str:
    return json.dumps(value)  # a JSON string literal is a valid Lua string literal for ASCII text


def lua_list(values: list) -> str:
    return "{" + ", ".join(lua_string(v) if isinstance(v, str) else str(v) for v in values) + "}"


def round_robin_get(paths: list[str], headers: dict[str, str] | None = None) -> str:
    """GET each path in turn (threads start at different offsets)."""
    return f"""
local paths = {lua_list(paths)}
local headers = {{{", ".join(f"[{lua_string(k)}] = {lua_string(v)}" for k, v in (headers or {}).items())}}}
local counter = 1
n = 0  -- global: setup() gives each thread its own start
function setup(thread)
  thread:set("n", counter * 7919)
  counter = counter + 1
end
function request()
  n = n + 1
  return wrk.format("GET", paths[(n % #paths) + 1], headers)
end
"""
