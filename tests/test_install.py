"""The app installed from its wheel (not from a checkout) finds its templates, static files and
migrations, and serves from any directory."""

import os
import shutil
import subprocess
import sys
import sysconfig
import time
import zipfile
from pathlib import Path

import httpx
import pytest

from tests.conftest import ROOT, free_port

SHARE = "share/llm-customization-advisor"
RESOURCES = ("templates", "static", "migrations")


def uv() -> str:
    """The uv that ./dev installed (it exports UV), else one on PATH: the test venv has no pip."""
    found = os.environ.get("UV") or shutil.which("uv") or str(ROOT / "tools" / ".uv" / "bin" / "uv")
    if not Path(found).exists():
        pytest.skip("uv not found: run the tests through ./dev test, which installs it")
    return found


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([uv(), "build", "--quiet", "--wheel", "--out-dir", str(out), str(ROOT)], check=True,
                   capture_output=True)
    return next(out.glob("*.whl"))


def _resource_files() -> set[str]:
    return {str(path.relative_to(ROOT)) for folder in RESOURCES for path in (ROOT / folder).rglob("*")
            if path.is_file() and "__pycache__" not in path.parts}


def test_the_wheel_carries_every_template_static_file_and_migration(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    carried = {name.split(f"/data/{SHARE}/", 1)[1] for name in names if f"/data/{SHARE}/" in name}
    missing = _resource_files() - carried
    assert not missing, f"add their folders to [tool.setuptools.data-files] in pyproject.toml: {missing}"


def test_an_installed_wheel_serves_pages_and_static_files_from_any_directory(wheel, tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run([uv(), "pip", "install", "--quiet", "--python", str(python), "--no-deps", str(wheel)],
                   check=True, capture_output=True)
    # The dependencies come from the test environment; the app itself only from the wheel (a path
    # added by a .pth file does not run that directory's own .pth files, so the editable install of
    # the checkout stays out).
    where = "import sysconfig; print(sysconfig.get_path('purelib'))"
    site_packages = subprocess.run([str(python), "-c", where], check=True, capture_output=True,
                                   text=True).stdout.strip()
    Path(site_packages, "test-dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    port = free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("ADVISOR_")}
    env |= {"ADVISOR_DATABASE_URL": f"sqlite:///{elsewhere / 'advisor.db'}", "PYTHONPATH": ""}
    server = subprocess.Popen([str(venv / "bin" / "advisor"), "serve", "--port", str(port)], cwd=elsewhere,
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                home = httpx.get(base + "/", timeout=5)
                break
            except httpx.TransportError:
                assert server.poll() is None, server.stderr.read().decode()[-2000:]
                assert time.monotonic() < deadline, "the installed advisor did not start"
                time.sleep(0.2)
        assert home.status_code == 200 and "LLM Customization Advisor" in home.text
        assert httpx.get(base + "/static/vendor/htmx-2.0.11/htmx.min.js").status_code == 200
        assert httpx.get(base + "/healthz").json()["database"] == "up"
        which = "import app.main; print(app.main.__file__)"
        app_file = subprocess.run([str(python), "-c", which], cwd=elsewhere, check=True, capture_output=True,
                                  text=True, env=env).stdout
        assert app_file.startswith(str(venv)), app_file
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.mark.slow
def test_dev_keeps_its_venv_when_python_is_started_by_a_shim(tmp_path):
    """pyenv and asdf put shims on PATH: scripts that start the real interpreter. ./dev gave uv the shim's
    path, uv found .venv's interpreter did not match it and made .venv again on every ./dev command
    (seconds each time; two commands at once then broke each other's .venv)."""
    checkout = tmp_path / "advisor"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(checkout)], check=True)
    shutil.copy2(ROOT / "dev", checkout / "dev")  # the script as it is in this tree
    shutil.copytree(Path(uv()).parent.parent, checkout / "tools" / ".uv", symlinks=True)  # no download
    shims = tmp_path / "shims"
    shims.mkdir()
    for name in ("python3.13", "python3.12", "python3.11", "python3"):
        shim = shims / name
        shim.write_text(f'#!/bin/sh\nexec "{sys._base_executable}" "$@"\n')
        shim.chmod(0o755)
    kept = ("HOME", "LANG", "UV_CACHE_DIR", "SSL_CERT_FILE", "SSL_CERT_DIR", "HTTPS_PROXY", "https_proxy",
            "NO_PROXY", "no_proxy")
    env = {key: os.environ[key] for key in kept if key in os.environ} | {"PATH": f"{shims}:/usr/bin:/bin"}

    def venv_after_dev() -> tuple[int, int]:
        done = subprocess.run(["./dev", "test", "--version"], cwd=checkout, env=env, capture_output=True,
                              text=True)
        assert done.returncode == 0, done.stderr[-2000:]
        made = (checkout / ".venv" / "pyvenv.cfg").stat()
        return made.st_ino, made.st_mtime_ns

    first = venv_after_dev()
    assert venv_after_dev() == first, ".venv was made again"
