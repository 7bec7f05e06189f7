"""Start the advisor or the bare baseline under one identical uvicorn command, and read a worker's memory."""

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
# The secret every benchmark server signs links and CSRF tokens with (seeding derives the same links).
BENCH_SECRET = "bench-secret-" + "b" * 40
# Generous limits: the load generator is one client making thousands of requests a minute.
UNLIMITED = "1000000"
# Importing the app (WeasyPrint included) can take many seconds on a busy shared machine.
STARTUP_SECONDS = 120


@dataclass
class Server:
    url: str
    process: subprocess.Popen
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _uvicorn(target: str, port: int) -> list[str]:
    # One worker, no access log; proxy headers and no Server header as `advisor serve` sets them.
    return [sys.executable, "-m", "uvicorn", target, "--factory", "--host", "127.0.0.1", "--port", str(port),
            "--workers", "1", "--log-level", "warning", "--no-access-log", "--no-server-header",
            "--proxy-headers"]


def _start(target: str, ready_path: str, env: dict[str, str], workdir: Path) -> Server:
    port = free_port()
    log = workdir / f"server-{port}.log"
    with open(log, "w") as out:
        process = subprocess.Popen(_uvicorn(target, port), cwd=ROOT, env={**os.environ, **env},
                                   stdout=out, stderr=subprocess.STDOUT)
    server = Server(f"http://127.0.0.1:{port}", process, log)
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        try:
            if httpx.get(server.url + ready_path, timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        if process.poll() is not None:
            break
        time.sleep(0.1)
    stop(server)
    raise RuntimeError(f"{target} did not start; see {log}:\n{log.read_text()[-2000:]}")


def app_env(database_url: str) -> dict[str, str]:
    return {
        "ADVISOR_DATABASE_URL": database_url,
        "ADVISOR_SECRET_KEY": BENCH_SECRET,
        "ADVISOR_RATE_LIMIT_CREATE_PER_MINUTE": UNLIMITED,
        "ADVISOR_RATE_LIMIT_TOKEN_MISSES_PER_MINUTE": UNLIMITED,
        "ADVISOR_RATE_LIMIT_PDF_PER_MINUTE": UNLIMITED,
    }


def start_app(database_url: str, workdir: Path) -> Server:
    """The advisor on an already migrated database."""
    return _start("app.main:create_app", "/healthz", app_env(database_url), workdir)


def start_bare(workdir: Path, *, get_bytes: int, post_bytes: int) -> Server:
    env = {"BENCH_BARE_GET_BYTES": str(get_bytes), "BENCH_BARE_POST_BYTES": str(post_bytes)}
    return _start("bench.bare:create_app", "/", env, workdir)


def stop(server: Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()


def cpu_seconds(pid: int) -> float:
    """User and system CPU time a process used so far, from /proc (Linux): unlike wall time, barely
    moved by other work on a shared machine."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    """Resident memory of a process, from /proc (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def child_pids(pid: int) -> list[int]:
    """The processes a process started (Linux /proc), such as the PDF renderers of an app worker."""
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(child) for child in (task / "children").read_text().split()]
    return found
