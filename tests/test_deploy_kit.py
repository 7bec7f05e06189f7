"""The Docker image and the PostgreSQL compose kit, read as a reviewer would: no engine runs here, so
the files are checked for what breaks a build or a deployment (missing files, a wrong port, secrets
handed to the wrong container)."""

import re
import shutil
import subprocess

import pytest
import yaml

from tests.conftest import ROOT

DOCKERFILE = (ROOT / "Dockerfile").read_text()


def test_every_file_the_image_copies_is_in_the_repository():
    sources = [part for line in re.findall(r"^COPY (.+)$", DOCKERFILE, re.M) for part in line.split()[:-1]]
    assert sources
    missing = [source for source in sources if not (ROOT / source).exists()]
    assert missing == []


def test_the_image_installs_from_the_lock_without_dev_tools_and_checks_liveness_on_its_own_port():
    assert "uv sync --locked --no-dev" in DOCKERFILE
    assert "--require-hashes -r tools/uv.txt" in DOCKERFILE
    healthcheck = DOCKERFILE.split("HEALTHCHECK", 1)[1].split("\n\n", 1)[0]
    assert "ADVISOR_PORT" in healthcheck and "/livez" in healthcheck and "8000/" not in healthcheck


@pytest.fixture(scope="module")
def compose(tmp_path_factory):
    tool = shutil.which("docker-compose")
    if not tool:
        pytest.skip("docker-compose is not installed (Debian/Ubuntu: apt-get install docker-compose)")
    env_file = tmp_path_factory.mktemp("kit") / "advisor.env"
    example = (ROOT / "deploy" / "advisor.env.example").read_text()
    env_file.write_text(example)
    shutil.copy(env_file, ROOT / "deploy" / "advisor.env")
    try:
        done = subprocess.run([tool, "--env-file", str(env_file), "-f", str(ROOT / "deploy" / "compose.yaml"),
                               "config"], capture_output=True, text=True, check=False)
    finally:
        (ROOT / "deploy" / "advisor.env").unlink()
    assert done.returncode == 0, done.stderr
    return yaml.safe_load(done.stdout)


def test_the_compose_kit_wires_the_app_to_postgres_and_keeps_secrets_where_they_belong(compose):
    app, db = compose["services"]["app"], compose["services"]["db"]
    assert app["environment"]["ADVISOR_DATABASE_URL"].startswith("postgresql://advisor:")
    assert "@db:5432/advisor" in app["environment"]["ADVISOR_DATABASE_URL"]
    assert app["depends_on"]["db"]["condition"] == "service_healthy"
    assert "ports" not in app  # only the proxy on the compose network reaches the app
    assert not any(name.startswith("ADVISOR_") for name in db["environment"])
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
